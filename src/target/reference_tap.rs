//! The reference stack as a target behind real TAP devices, on the real
//! clock: every frame crosses the kernel's TAP driver and a Linux bridge.
//!
//! Each [`ReferenceTapTarget`] makes a private namespace ([`crate::netns`])
//! holding two TAP devices on one bridge:
//!
//! ```text
//!   reference host  <-fd->  synack-h (TAP) --+
//!                                            br0 (Linux bridge, in the namespace)
//!   script's peer   <-fd->  synack-p (TAP) --+
//! ```
//!
//! A frame the script injects is written to the peer's TAP device; the
//! kernel takes it in, the bridge forwards it, and it is read back from
//! the host's TAP device and handed to the [`ReferenceTarget`] inside,
//! which runs the reference [`stack::host::Host`] exactly as the
//! `reference` target does (same socket calls, same configuration from the
//! script's `config`). What the host transmits takes the way back. The
//! host is given the runner's real time, so its timers run on the real
//! clock, and a script's time bounds get `config.tolerance` of slack.
//!
//! The bridge is set up to be a plain wire between the two ports, so the
//! traces match the `reference` target's:
//!
//! - no STP and no forwarding delay, no multicast snooping, and MAC
//!   learning off on both ports: every frame (unicast, broadcast, or from
//!   a spoofed source) floods to the one other port;
//! - the TAP devices and the bridge have MACs of their own
//!   ([`HOST_PORT_MAC`], [`PEER_PORT_MAC`]) that scripts never use, so no
//!   frame is taken for the bridge itself;
//! - no addresses, IPv6 off everywhere (no router solicitations, MLD or
//!   DAD), and, where `br_netfilter` is loaded, `bridge-nf-call-*` off, so
//!   a frame with a bad IPv4 checksum crosses as it is;
//! - both links have the script's `mtu`: a longer frame is dropped by the
//!   bridge, as by a real link.
//!
//! The host's clock ticks in whole milliseconds: it is given the runner's
//! real time rounded down to the millisecond, as a HZ=1000 kernel counts
//! jiffies, and its timers are reported rounded up. Scripts write their
//! instants in milliseconds and the runner is never early, so a step's
//! instant lands on the host's clock exactly unless the runner is a whole
//! millisecond late: what depends on the instant, such as an RFC 6528 ISN
//! (a 4 µs clock) or a timer started then, is what the virtual clock gives.
//!
//! The target is driven by the runner's calls: each call moves every frame
//! waiting on the host's TAP device into the host and every frame the host
//! transmits onto it (a *pump*). A TAP write hands the frame to the kernel,
//! which bridges it before the write returns, so an injected frame has
//! reached the host's TAP device by the time the pump reads it.
//!
//! Creating a namespace needs `CAP_SYS_ADMIN`, TAP devices `CAP_NET_ADMIN`
//! and `/dev/net/tun`, and the setup iproute2's `ip`: [`check_support`]
//! says which is missing.

use core::time::Duration;
use std::path::{Path, PathBuf};

use stack::device::{Device, DeviceError, TapDevice};
use stack::time::Instant;
use stack::wire::EthernetAddress;

use super::{CallOutcome, ClockKind, ReferenceTarget, SocketId, Target, TargetError};
use crate::netns::{self, Namespace, NetnsConfig, NetnsError, TapConfig};
use crate::script::{Call, Config, TargetName, TcpState};

/// The TAP device the reference host is behind.
pub const HOST_TAP: &str = "synack-h";
/// The TAP device the script's peer writes to and reads from.
pub const PEER_TAP: &str = "synack-p";
/// The bridge joining them.
pub const BRIDGE: &str = "br0";
/// The host port's own MAC (ASCII "SYNA" in the middle): never a script's.
pub const HOST_PORT_MAC: EthernetAddress = EthernetAddress([0x02, 0x53, 0x59, 0x4e, 0x41, 0x01]);
/// The peer port's own MAC; the bridge takes the lower of the two.
pub const PEER_PORT_MAC: EthernetAddress = EthernetAddress([0x02, 0x53, 0x59, 0x4e, 0x41, 0x02]);

/// The most frames one pump moves each way: bounded work per call.
const PUMP_BUDGET: usize = 256;

/// Check that this process can make namespaces with TAP devices; the error
/// says what is missing and what to do.
pub fn check_support() -> Result<(), TargetError> {
    netns::check_support().map_err(unavailable)
}

/// The error of a target that cannot be set up.
fn unavailable(error: NetnsError) -> TargetError {
    match error {
        NetnsError::Config(_) => TargetError::Config(error.to_string()),
        error => {
            TargetError::Unsupported(format!("the reference-tap target cannot run here: {error}"))
        }
    }
}

/// Return the namespace a script's `config` asks for: the two TAP devices
/// with the script's MTU, and IPv6 off (when the kernel has it).
pub fn namespace_config(config: &Config) -> NetnsConfig {
    let tap = |name, mac| TapConfig::new(name).mtu(config.mtu).mac(mac);
    let mut ns = NetnsConfig::new()
        .tap(tap(HOST_TAP, HOST_PORT_MAC))
        .tap(tap(PEER_TAP, PEER_PORT_MAC));
    if Path::new("/proc/sys/net/ipv6").exists() {
        for scope in ["all", "default", HOST_TAP, PEER_TAP] {
            ns = ns.sysctl(&format!("net/ipv6/conf/{scope}/disable_ipv6"), "1");
        }
    }
    ns
}

/// Return the `ip` commands that make the bridge and put both ports on it.
pub fn bridge_commands() -> Vec<Vec<&'static str>> {
    let mut commands = vec![vec![
        "link",
        "add",
        BRIDGE,
        "type",
        "bridge",
        "stp_state",
        "0",
        "forward_delay",
        "0",
        "mcast_snooping",
        "0",
    ]];
    for port in [HOST_TAP, PEER_TAP] {
        commands.push(vec!["link", "set", "dev", port, "master", BRIDGE]);
        commands.push(vec![
            "link",
            "set",
            "dev",
            port,
            "type",
            "bridge_slave",
            "learning",
            "off",
        ]);
    }
    commands.push(vec!["link", "set", "dev", BRIDGE, "up"]);
    commands
}

/// Inside the namespace: make the bridge, turn off what would talk or
/// filter, and take the two TAP devices out.
fn build_bridge(ns: &mut Namespace) -> Result<(TapDevice, TapDevice), NetnsError> {
    let ipv6 = Path::new("/proc/sys/net/ipv6").exists();
    for command in bridge_commands() {
        ns.ip(&command)?;
        if ipv6 && command[1] == "add" {
            ns.set_sysctl(&format!("net/ipv6/conf/{BRIDGE}/disable_ipv6"), "1")?;
        }
    }
    // br_netfilter, when loaded, would run bridged IPv4 through the
    // namespace's netfilter hooks, which drop a bad header checksum.
    if Path::new("/proc/sys/net/bridge").exists() {
        for family in ["iptables", "ip6tables", "arptables"] {
            ns.set_sysctl(&format!("net.bridge.bridge-nf-call-{family}"), "0")?;
        }
    }
    let missing =
        |name: &str| NetnsError::Config(format!("the namespace has no TAP device {name}"));
    let host = ns.take_tap(HOST_TAP).ok_or_else(|| missing(HOST_TAP))?;
    let peer = ns.take_tap(PEER_TAP).ok_or_else(|| missing(PEER_TAP))?;
    Ok((host, peer))
}

/// How many frames crossed each TAP device, each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TapStats {
    /// Frames the script injected, written to the peer's TAP device.
    pub injected: u64,
    /// Frames read from the host's TAP device and given to the host.
    pub delivered: u64,
    /// Frames the host transmitted, written to its TAP device.
    pub transmitted: u64,
    /// Frames read from the peer's TAP device and handed to the runner.
    pub emitted: u64,
}

/// Split script files into those the reference runs within `budget` of
/// virtual time, which a real-clock target replays in about that much real
/// time, and the others with their virtual durations. A script that does
/// not load or fails on the reference is kept, so that the run reports it.
pub fn within_real_time(
    files: &[PathBuf],
    budget: Duration,
) -> (Vec<PathBuf>, Vec<(PathBuf, Duration)>) {
    let options = crate::run::suite::SuiteOptions {
        jobs: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ..crate::run::suite::SuiteOptions::default()
    };
    let suite = crate::run::suite::run_suite(files, &options, |_, _, _| {});
    let mut keep = Vec::new();
    let mut long = Vec::new();
    for result in suite.results {
        let took = result.report.as_ref().map(|r| r.end.since_start());
        match took {
            Some(took) if result.passed() && took > budget => long.push((result.path, took)),
            _ => keep.push(result.path),
        }
    }
    (keep, long)
}

/// The reference stack behind two bridged TAP devices (see the [module docs](self)).
#[derive(Debug)]
pub struct ReferenceTapTarget {
    inner: ReferenceTarget,
    /// The host's side of the bridge.
    host_tap: TapDevice,
    /// The peer's side of the bridge.
    peer_tap: TapDevice,
    stats: TapStats,
}

impl ReferenceTapTarget {
    /// Build the host a script's `config` describes, with every random
    /// choice drawn from `seed`, behind a bridge in a fresh namespace.
    ///
    /// The namespace outlives the thread that made it: the two TAP devices
    /// hold it, and it vanishes with everything in it when the target is
    /// dropped.
    pub fn new(config: &Config, seed: u64) -> Result<ReferenceTapTarget, TargetError> {
        let inner = ReferenceTarget::new(config, seed)?;
        let ns = namespace_config(config);
        ns.validate().map_err(unavailable)?;
        check_support()?;
        let (host_tap, peer_tap) = netns::run(&ns, build_bridge)
            .and_then(|taps| taps)
            .map_err(unavailable)?;
        Ok(ReferenceTapTarget {
            inner,
            host_tap,
            peer_tap,
            stats: TapStats::default(),
        })
    }

    /// Return how many frames crossed the TAP devices.
    pub fn stats(&self) -> TapStats {
        self.stats
    }

    /// Return the reference target inside, to inspect its host.
    pub fn reference(&self) -> &ReferenceTarget {
        &self.inner
    }

    /// Move frames between the host's TAP device and the host until
    /// neither has any, within [`PUMP_BUDGET`]; return what the host said
    /// about the frames it was given that equal `watch`.
    fn pump(&mut self, now: Instant, watch: Option<&[u8]>) -> Result<Option<String>, TargetError> {
        let mut note = None;
        for _ in 0..PUMP_BUDGET {
            let mut moved = false;
            if let Some(frame) = self.host_tap.recv(now).map_err(tap_error)? {
                self.stats.delivered += 1;
                let said = self.inner.handle_frame(now, &frame)?;
                if watch == Some(&frame[..]) {
                    note = said;
                }
                moved = true;
            }
            if let Some(frame) = self.inner.poll_transmit(now) {
                match self.host_tap.send(now, &frame) {
                    Ok(()) => self.stats.transmitted += 1,
                    // Dropped as a NIC drops a frame above its MTU.
                    Err(DeviceError::TooLong { .. }) => {}
                    Err(e) => return Err(tap_error(e)),
                }
                moved = true;
            }
            if !moved {
                break;
            }
        }
        Ok(note)
    }
}

/// Return the host's time at the runner's `now`: rounded down to the
/// millisecond (see the [module docs](self)).
pub fn host_now(now: Instant) -> Instant {
    Instant::from_millis(now.total_millis())
}

/// Return a host deadline as the runner must see it: rounded up to the
/// millisecond, so that the host's time has reached it when the runner's has.
fn runner_deadline(at: Instant) -> Instant {
    Instant::from_millis(at.total_micros().div_ceil(1000))
}

/// The error of a TAP device that failed.
fn tap_error(error: DeviceError) -> TargetError {
    TargetError::Failed(format!("TAP device: {error}"))
}

impl Target for ReferenceTapTarget {
    fn name(&self) -> &'static str {
        "reference-tap"
    }

    fn override_name(&self) -> Option<TargetName> {
        Some(TargetName::ReferenceTap)
    }

    fn clock(&self) -> ClockKind {
        ClockKind::Real
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError> {
        match self.peer_tap.send(now, frame) {
            Ok(()) => {
                self.stats.injected += 1;
                self.pump(host_now(now), Some(frame))
            }
            Err(DeviceError::TooLong { .. }) => {
                Ok(Some("dropped: longer than the link's MTU".into()))
            }
            Err(DeviceError::QueueFull) => Ok(Some("dropped: the TAP queue is full".into())),
            Err(e) => Err(tap_error(e)),
        }
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        // A device error shows as silence, then as the step that waits.
        let _ = self.pump(host_now(now), None);
        let frame = self.peer_tap.recv(now).ok().flatten()?;
        self.stats.emitted += 1;
        Some(frame)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout().map(runner_deadline)
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = host_now(now);
        self.inner.handle_timeout(now);
        let _ = self.pump(now, None);
    }

    fn call(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
    ) -> Result<CallOutcome, TargetError> {
        let now = host_now(now);
        let outcome = self.inner.call(now, socket, call)?;
        self.pump(now, None)?;
        Ok(outcome)
    }

    fn tcp_state(&self, socket: SocketId) -> Result<TcpState, TargetError> {
        self.inner.tcp_state(socket)
    }

    fn call_with_data(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
        data: &mut Vec<u8>,
    ) -> Result<CallOutcome, TargetError> {
        let now = host_now(now);
        let outcome = self.inner.call_with_data(now, socket, call, data)?;
        self.pump(now, None)?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_has_two_taps_with_the_scripts_mtu() {
        let config = Config {
            mtu: 1280,
            ..Config::default()
        };
        let ns = namespace_config(&config);
        assert!(ns.validate().is_ok());
        let text = format!("{ns:?}");
        assert!(text.contains(HOST_TAP) && text.contains(PEER_TAP), "{text}");
        assert!(text.contains("mtu: Some(1280)"), "{text}");
    }

    #[test]
    fn the_bridge_floods_and_never_learns() {
        let commands = bridge_commands();
        assert_eq!(commands[0][..5], ["link", "add", BRIDGE, "type", "bridge"]);
        let learning_off = commands
            .iter()
            .filter(|c| c.ends_with(&["learning", "off"]))
            .count();
        assert_eq!(learning_off, 2);
        assert_eq!(
            commands.last().unwrap(),
            &vec!["link", "set", "dev", BRIDGE, "up"]
        );
    }

    #[test]
    fn port_macs_are_never_a_scripts() {
        let config = Config::default();
        for mac in [HOST_PORT_MAC, PEER_PORT_MAC] {
            assert_ne!(mac, config.local_mac);
            assert_ne!(mac, config.remote_mac);
            assert!(!mac.is_multicast());
        }
    }

    #[test]
    fn the_hosts_clock_ticks_in_milliseconds() {
        let late = Instant::from_micros(1_000_070);
        assert_eq!(host_now(late), Instant::from_millis(1000));
        assert_eq!(host_now(Instant::from_micros(999)), Instant::ZERO);
        // A deadline between ticks is reported at the next one, where the
        // host's time has reached it.
        let due = Instant::from_micros(1_000_500);
        assert_eq!(runner_deadline(due), Instant::from_millis(1001));
        assert!(host_now(runner_deadline(due)) >= due);
        assert_eq!(
            runner_deadline(Instant::from_millis(7)),
            Instant::from_millis(7)
        );
    }

    #[test]
    fn missing_privileges_say_what_to_do() {
        let error = unavailable(NetnsError::NotPermitted {
            capability: "CAP_NET_ADMIN",
        });
        let text = error.to_string();
        assert!(text.contains("reference-tap") && text.contains("CAP_NET_ADMIN"));
        assert!(matches!(
            unavailable(NetnsError::Config("x".into())),
            TargetError::Config(_)
        ));
    }
}
