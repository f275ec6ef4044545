//! `synack serve`: the reference host with a UDP echo service on a TAP
//! device, inside a network namespace of its own, for people to poke at.
//!
//! [`serve`] makes a namespace with [`netns::run`] holding one TAP device,
//! [`TAP_NAME`], where the *kernel* has [`KERNEL_ADDR`]/24 and the MAC
//! [`KERNEL_MAC`]. The reference [`Host`] sits on the other side of that
//! device as [`HOST_ADDR`] with [`HOST_MAC`], driven in real time by a
//! [`Driver`]; it answers ARP and pings, and runs an [`EchoService`]
//! (RFC 862) on UDP port [`ECHO_PORT`]. Everything stays in TEST-NET-2
//! (198.51.100.0/24, RFC 5737) and inside the namespace, which vanishes
//! with everything in it when the run ends, however it ends.
//!
//! ```text
//!   kernel (namespace)                      reference host (this process)
//!   198.51.100.1  02:00:00:00:00:01  <-- synack0 -->  198.51.100.2  02:00:00:00:00:02
//! ```
//!
//! The namespace has no name, so there are two ways in: give [`serve`] a
//! command to run inside it (the run ends when the command exits), or
//! enter it from another terminal, as root, through the serving thread's
//! namespace file, which [`Ready::netns_path`] names:
//! `nsenter --net=/proc/PID/task/TID/ns/net ping 198.51.100.2`.
//! `examples/serve.rs` does both.

use core::fmt;
use core::net::SocketAddrV4;
use core::time::Duration;
use std::fs::File;
use std::io::{self, BufWriter};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::AtomicBool;

use stack::device::{Device, PcapWriter, TapDevice};
use stack::host::{BindError, ConfigError, Host, HostConfig, HostStats, RecvError, UdpHandle};
use stack::time::Instant;
use stack::wire::{EthernetAddress, Ipv4Addr};

use crate::netns::{self, in_test_net_2, NetnsConfig, NetnsError, TapConfig, TEST_NET_2_PREFIX};
use crate::realtime::{Driver, DriverError, DriverStats, Stopped};

/// The TAP device's name inside the namespace.
pub const TAP_NAME: &str = "synack0";
/// The kernel's address on the TAP device.
pub const KERNEL_ADDR: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The reference host's address.
pub const HOST_ADDR: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
/// The kernel's MAC on the TAP device (locally administered).
pub const KERNEL_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
/// The reference host's MAC (locally administered).
pub const HOST_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
/// The UDP echo port (RFC 862).
pub const ECHO_PORT: u16 = 7;

/// The UDP echo service (RFC 862) on a [`Host`]: "When a datagram is
/// received, the data from it is sent back in an answering datagram."
#[derive(Debug)]
pub struct EchoService {
    socket: UdpHandle,
    port: u16,
    echoed: u64,
    failures: u64,
}

impl EchoService {
    /// The most datagrams one [`poll`](Self::poll) echoes: bounded work per call.
    pub const MAX_PER_POLL: usize = 64;

    /// Open the service on `port` of every address of `host`.
    ///
    /// # Errors
    /// The host's [`BindError`], e.g. the port is taken.
    pub fn bind(host: &mut Host, port: u16) -> Result<EchoService, BindError> {
        let socket = host.udp_bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port))?;
        Ok(EchoService {
            socket,
            port,
            echoed: 0,
            failures: 0,
        })
    }

    /// Return the port the service listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Return how many datagrams were sent back.
    pub fn echoed(&self) -> u64 {
        self.echoed
    }

    /// Return how many datagrams could not be sent back, plus the errors the
    /// network left on the socket (an ICMP error about an echo, say).
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// Echo at most [`MAX_PER_POLL`](Self::MAX_PER_POLL) waiting datagrams
    /// at `now`; return how many were echoed.
    pub fn poll(&mut self, host: &mut Host, now: Instant) -> usize {
        let mut echoed = 0;
        for _ in 0..Self::MAX_PER_POLL {
            let datagram = match host.udp_recv_from(self.socket) {
                Ok(Some(datagram)) => datagram,
                Ok(None) | Err(RecvError::BadHandle) => break,
                // An error left by the network is reported once, then cleared.
                Err(RecvError::Failed(_)) => {
                    self.failures += 1;
                    continue;
                }
            };
            match host.udp_send_to(now, self.socket, &datagram.payload, datagram.from) {
                Ok(()) => echoed += 1,
                Err(_) => self.failures += 1,
            }
        }
        self.echoed += echoed as u64;
        echoed
    }
}

/// What [`serve`] builds and how long it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// The TAP device's name ([`TAP_NAME`]).
    pub tap: String,
    /// The kernel's address ([`KERNEL_ADDR`]).
    pub kernel_addr: Ipv4Addr,
    /// The kernel's MAC ([`KERNEL_MAC`]).
    pub kernel_mac: EthernetAddress,
    /// The reference host's address ([`HOST_ADDR`]).
    pub host_addr: Ipv4Addr,
    /// The reference host's MAC ([`HOST_MAC`]).
    pub host_mac: EthernetAddress,
    /// The IP MTU of both sides (1500).
    pub mtu: u16,
    /// The UDP echo port ([`ECHO_PORT`]).
    pub echo_port: u16,
    /// The host's seed (IP IDs, ephemeral ports).
    pub seed: u64,
    /// How long to serve; `None` until stopped (or the command exits).
    pub duration: Option<Duration>,
    /// Where to write a pcap file of every frame on the TAP device.
    pub pcap: Option<PathBuf>,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            tap: TAP_NAME.to_owned(),
            kernel_addr: KERNEL_ADDR,
            kernel_mac: KERNEL_MAC,
            host_addr: HOST_ADDR,
            host_mac: HOST_MAC,
            mtu: 1500,
            echo_port: ECHO_PORT,
            seed: 0,
            duration: None,
            pcap: None,
        }
    }
}

impl ServeConfig {
    /// Return the namespace: the TAP device with the kernel's address, MAC
    /// and MTU, and IPv6 off on it (when the kernel has IPv6), so that only
    /// the traffic people make crosses the device.
    pub fn netns(&self) -> NetnsConfig {
        let tap = TapConfig::new(&self.tap)
            .address(self.kernel_addr, TEST_NET_2_PREFIX)
            .mac(self.kernel_mac)
            .mtu(self.mtu);
        let config = NetnsConfig::new().tap(tap);
        if std::path::Path::new("/proc/sys/net/ipv6").exists() {
            let key = format!("net/ipv6/conf/{}/disable_ipv6", self.tap);
            return config.sysctl(&key, "1");
        }
        config
    }

    /// Return the reference host's configuration.
    pub fn host(&self) -> HostConfig {
        HostConfig {
            mac: self.host_mac,
            ipv4: self.host_addr,
            prefix_len: TEST_NET_2_PREFIX,
            mtu: usize::from(self.mtu),
            seed: self.seed,
            ..HostConfig::default()
        }
    }

    /// Check that both addresses are distinct and in TEST-NET-2 (the
    /// namespace checks the rest before creating anything).
    pub fn validate(&self) -> Result<(), ServeError> {
        if !in_test_net_2(self.host_addr) || self.host_addr == self.kernel_addr {
            return Err(ServeError::Config(format!(
                "the host's address {} must be in TEST-NET-2 (198.51.100.0/24) \
                 and differ from the kernel's {}",
                self.host_addr, self.kernel_addr
            )));
        }
        if self.host_mac == self.kernel_mac {
            return Err(ServeError::Config("the two MACs must differ".to_owned()));
        }
        self.netns().validate().map_err(ServeError::Netns)
    }
}

/// Why [`serve`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is refused; nothing was created.
    Config(String),
    /// The namespace could not be made (no root, no `/dev/net/tun`, ...).
    Netns(NetnsError),
    /// The host's configuration cannot work.
    Host(ConfigError),
    /// The echo port could not be bound.
    Bind(BindError),
    /// The pcap file or the command could not be created, or the TAP
    /// device's descriptor could not be duplicated.
    Io(io::Error),
    /// The driver stopped on a device or poll(2) error.
    Driver(DriverError),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Config(why) => write!(f, "bad serve configuration: {why}"),
            ServeError::Netns(err) => write!(f, "{err}"),
            ServeError::Host(err) => write!(f, "{err}"),
            ServeError::Bind(err) => write!(f, "cannot bind the echo port: {err}"),
            ServeError::Io(err) => write!(f, "{err}"),
            ServeError::Driver(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// What [`serve`] tells its caller once the host is up, before serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// The serving thread's namespace file, for `nsenter --net=PATH` (root).
    pub netns_path: String,
}

/// Why [`serve`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The stop flag was set (Ctrl-C, say).
    Asked,
    /// [`ServeConfig::duration`] passed.
    TimeUp,
    /// The command run inside the namespace exited.
    CommandExited(ExitStatus),
}

/// What a [`serve`] run did.
#[derive(Debug, Clone)]
pub struct ServeReport {
    /// Why it stopped.
    pub stopped: StopReason,
    /// How long it served.
    pub served_for: Duration,
    /// Datagrams the echo service sent back.
    pub echoed: u64,
    /// The host's counters.
    pub host: HostStats,
    /// The driver's counters.
    pub driver: DriverStats,
    /// Frames written to the pcap file, if one was asked for.
    pub pcap_frames: Option<u64>,
}

/// Run the reference host with its echo service in a fresh namespace (see
/// the [module docs](self)) until `stop` is set, [`ServeConfig::duration`]
/// passes, or `command`, run inside the namespace once the host is up,
/// exits. `on_ready` is called first, from inside the namespace.
///
/// A command still running when the run ends is killed and waited for.
///
/// # Errors
/// A [`ServeError`]; without root or `/dev/net/tun` it is
/// [`ServeError::Netns`], saying what is missing.
pub fn serve(
    config: &ServeConfig,
    stop: &AtomicBool,
    command: Option<&mut Command>,
    on_ready: impl FnOnce(&Ready) + Send,
) -> Result<ServeReport, ServeError> {
    config.validate()?;
    netns::run(&config.netns(), |ns| {
        // NOTE(unwrap): the namespace was built with this very device.
        let tap = ns.take_tap(&config.tap).unwrap();
        let host = Host::new(config.host()).map_err(ServeError::Host)?;
        on_ready(&Ready {
            netns_path: thread_netns_path()?,
        });
        let mut child = command.map(Command::spawn).transpose()?;
        let result = serve_on_tap(config, host, tap, stop, child.as_mut());
        if let Some(child) = child.as_mut() {
            // Already exited: `kill` fails harmlessly and `wait` reaps it.
            let _ = child.kill();
            let _ = child.wait();
        }
        result
    })
    .map_err(ServeError::Netns)?
}

/// Return `/proc/PID/task/TID/ns/net` for the calling thread.
fn thread_netns_path() -> io::Result<String> {
    let task = std::fs::read_link("/proc/thread-self")?;
    Ok(format!("/proc/{}/ns/net", task.display()))
}

/// Serve on `tap`, through a pcap writer if the configuration asks for one.
fn serve_on_tap(
    config: &ServeConfig,
    host: Host,
    tap: TapDevice,
    stop: &AtomicBool,
    child: Option<&mut Child>,
) -> Result<ServeReport, ServeError> {
    let readiness = Driver::readiness_of(&tap)?;
    let Some(path) = &config.pcap else {
        return Ok(serve_on(config, Driver::new(host, tap, readiness), stop, child)?.0);
    };
    let file = BufWriter::new(File::create(path)?);
    let device = PcapWriter::new(tap, file)?;
    let (mut report, device) = serve_on(config, Driver::new(host, device, readiness), stop, child)?;
    report.pcap_frames = Some(device.frames());
    device.finish()?;
    Ok(report)
}

/// Serve with `driver`; return the report and the device.
fn serve_on<D: Device>(
    config: &ServeConfig,
    mut driver: Driver<D>,
    stop: &AtomicBool,
    mut child: Option<&mut Child>,
) -> Result<(ServeReport, D), ServeError> {
    let mut echo =
        EchoService::bind(driver.host_mut(), config.echo_port).map_err(ServeError::Bind)?;
    let deadline = config.duration.map(|d| driver.now() + d);
    let stopped = driver.run(stop, deadline, |host, now| {
        echo.poll(host, now);
        match child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(status))) => ControlFlow::Break(status),
            _ => ControlFlow::Continue(()),
        }
    });
    let stopped = match stopped.map_err(ServeError::Driver)? {
        Stopped::Asked => StopReason::Asked,
        Stopped::Deadline => StopReason::TimeUp,
        Stopped::App(status) => StopReason::CommandExited(status),
    };
    let report = ServeReport {
        stopped,
        served_for: driver.now().since_start(),
        echoed: echo.echoed(),
        host: driver.host().stats().clone(),
        driver: driver.stats().clone(),
        pcap_frames: None,
    };
    Ok((report, driver.into_parts().1))
}

impl From<io::Error> for ServeError {
    fn from(err: io::Error) -> ServeError {
        ServeError::Io(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack::device::Pipe;
    use stack::host::sim::Pair;
    use stack::host::UdpConfig;

    /// The kernel's side played by a second reference host, over a pipe.
    fn pair(rx_queue: usize) -> Pair<Pipe> {
        let config = ServeConfig::default();
        let mut server = config.host();
        server.udp = UdpConfig {
            rx_queue,
            ..UdpConfig::default()
        };
        let client = HostConfig {
            mac: config.kernel_mac,
            ipv4: config.kernel_addr,
            ..HostConfig::default()
        };
        Pair::new(client, server, Default::default()).unwrap()
    }

    /// Bind a client socket on the kernel's side, send `payload` from it to
    /// the echo service and drive the pair; return the socket and the
    /// service's address.
    fn send_from_new_client(pair: &mut Pair<Pipe>, payload: &[u8]) -> (UdpHandle, SocketAddrV4) {
        let client = pair
            .a
            .host
            .udp_bind(SocketAddrV4::new(KERNEL_ADDR, 0))
            .unwrap();
        let service = SocketAddrV4::new(HOST_ADDR, ECHO_PORT);
        pair.a
            .host
            .udp_send_to(pair.now, client, payload, service)
            .unwrap();
        pair.drive().unwrap();
        (client, service)
    }

    #[test]
    fn echo_sends_each_datagram_back_to_its_sender() {
        let mut pair = pair(64);
        let mut echo = EchoService::bind(&mut pair.b.host, ECHO_PORT).unwrap();
        let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
        let client = pair.a.host.udp_bind(any).unwrap();
        let service = SocketAddrV4::new(HOST_ADDR, ECHO_PORT);
        for payload in [&b""[..], b"x", &[7; 4000]] {
            pair.a
                .host
                .udp_send_to(pair.now, client, payload, service)
                .unwrap();
        }
        pair.drive().unwrap();
        assert_eq!(echo.poll(&mut pair.b.host, pair.now), 3);
        pair.drive().unwrap();
        for payload in [&b""[..], b"x", &[7; 4000]] {
            let got = pair.a.host.udp_recv_from(client).unwrap().unwrap();
            assert_eq!((got.from, &got.payload[..]), (service, payload));
        }
        assert_eq!((echo.echoed(), echo.failures()), (3, 0));
    }

    #[test]
    fn echo_does_bounded_work_per_poll() {
        let mut pair = pair(100);
        let mut echo = EchoService::bind(&mut pair.b.host, ECHO_PORT).unwrap();
        // One exchange first: while ARP resolves, only three datagrams wait.
        let (client, service) = send_from_new_client(&mut pair, b"arp");
        assert_eq!(echo.poll(&mut pair.b.host, pair.now), 1);
        pair.drive().unwrap();
        for i in 0..70u8 {
            pair.a
                .host
                .udp_send_to(pair.now, client, &[i], service)
                .unwrap();
        }
        pair.drive().unwrap();
        let now = pair.now;
        assert_eq!(echo.poll(&mut pair.b.host, now), EchoService::MAX_PER_POLL);
        assert_eq!(
            echo.poll(&mut pair.b.host, now),
            70 - EchoService::MAX_PER_POLL
        );
        assert_eq!(echo.poll(&mut pair.b.host, now), 0);
    }

    #[test]
    fn a_network_error_on_the_socket_is_counted_and_cleared() {
        let mut pair = pair(64);
        let mut echo = EchoService::bind(&mut pair.b.host, ECHO_PORT).unwrap();
        // The client closes before the echo comes back: port unreachable.
        let (client, _) = send_from_new_client(&mut pair, b"bye");
        pair.a.host.udp_close(client).unwrap();
        assert_eq!(echo.poll(&mut pair.b.host, pair.now), 1);
        pair.drive().unwrap();
        assert_eq!(echo.poll(&mut pair.b.host, pair.now), 0);
        assert_eq!((echo.echoed(), echo.failures()), (1, 1));
    }

    #[test]
    fn the_layout_is_test_net_2_with_distinct_ends() {
        let config = ServeConfig::default();
        config.validate().unwrap();
        assert!(in_test_net_2(config.kernel_addr) && in_test_net_2(config.host_addr));
        let host = config.host();
        assert_eq!((host.ipv4, host.mac, host.mtu), (HOST_ADDR, HOST_MAC, 1500));
        let same_mac = ServeConfig {
            host_mac: KERNEL_MAC,
            ..ServeConfig::default()
        };
        assert!(matches!(same_mac.validate(), Err(ServeError::Config(_))));
    }
}
