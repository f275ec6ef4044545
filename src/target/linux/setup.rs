//! What a script's `config` becomes in a Linux namespace: sysctls, route
//! metrics and socket options, decided here once and applied by the worker.
//!
//! | `config` key | in the namespace |
//! |---|---|
//! | `timestamps`, `sack`, `window_scaling`, `ecn` | `net.ipv4.tcp_timestamps`, `tcp_sack`, `tcp_window_scaling`, `tcp_ecn` (0 or 1) |
//! | `wscale` | `net.ipv4.tcp_rmem` max = 65535 << wscale (Linux derives its shift from it), and `TCP_WINDOW_CLAMP` to the same on each socket |
//! | `rcv_buf`, `snd_buf` | the default (middle) value of `net.ipv4.tcp_rmem` / `tcp_wmem`: every socket's initial buffer, autotuning left on |
//! | `mss` | `TCP_MAXSEG` on each socket before it connects or listens |
//! | `nodelay` | `TCP_NODELAY` on each socket |
//! | `mtu` | the TAP device's MTU |
//! | `initial_window` (or the RFC 5681 3.1 rule) | the route's `initcwnd` |
//! | `rto_min` | the route's `rto_min` (locked) |
//! | `local`, `local_mac` | the TAP device's address (/24) and MAC |
//! | `rto_initial` | not settable: Linux's is `TCP_TIMEOUT_INIT`, 1 s; any other value is refused |
//! | `msl` | not settable: Linux's TIME-WAIT is `TCP_TIMEWAIT_LEN`, 60 s |
//!
//! And, whatever the script says, to keep the kernel from talking on its own:
//! IPv6 off on every interface (no router or neighbour solicitations, no
//! MLD reports, no duplicate address detection), and
//! `net.ipv4.tcp_no_metrics_save=1` so that one connection's RTT and
//! window estimates are not carried over to the next, and the TAP device's
//! `base_reachable_time_ms` at one hour: a confirmed neighbour stays
//! REACHABLE for the whole run. With Linux's default of 30 s, drawn at
//! random between 15 and 45 s (arp(7)), an entry goes STALE at a random
//! point of a longer script and the kernel probes it with unicast ARP
//! requests 5 s after its next use (`delay_first_probe_time`).

use core::time::Duration;
use std::path::Path;

use crate::netns::{NetnsConfig, TapConfig, TEST_NET_2_PREFIX};
use crate::script::Config;
use crate::target::TargetError;

/// The name of the TAP device inside each namespace.
pub const TAP_NAME: &str = "synack0";

/// Linux's initial retransmission timeout, `TCP_TIMEOUT_INIT` in
/// include/net/tcp.h (RFC 6298 2.1's 1 s); no sysctl changes it.
pub const TCP_TIMEOUT_INIT: Duration = Duration::from_secs(1);

/// Linux's TIME-WAIT length, `TCP_TIMEWAIT_LEN` in include/net/tcp.h
/// ("how long to wait to destroy TIME-WAIT state, about 60 seconds"); no
/// sysctl changes it, whatever the script's `msl`.
pub const TCP_TIMEWAIT_LEN: Duration = Duration::from_secs(60);

/// The neighbour table's base reachable time: longer than any script.
const BASE_REACHABLE_TIME_MS: u32 = 3_600_000;

/// The largest shift Linux offers (`TCP_MAX_WSCALE`, RFC 7323 2.3).
const TCP_MAX_WSCALE: u8 = 14;

/// The smallest `TCP_MAXSEG` Linux accepts (`TCP_MIN_MSS`).
const TCP_MIN_MSS: u16 = 88;

/// Linux's default `tcp_rmem`/`tcp_wmem` maximum (6 MiB and 4 MiB): the
/// autotuning limit when the script's shift does not ask for more.
const RMEM_MAX: u32 = 6 << 20;
const WMEM_MAX: u32 = 4 << 20;

/// What each socket gets before it connects or listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketSetup {
    /// `TCP_NODELAY`.
    pub nodelay: bool,
    /// `TCP_MAXSEG`: the MSS announced (and the largest sent).
    pub mss: u16,
    /// `TCP_WINDOW_CLAMP`, when window scaling is on: 65535 << wscale,
    /// the largest window the shift can announce.
    pub window_clamp: Option<u32>,
}

/// A script's `config`, turned into what the Linux target applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The namespace: the TAP device and the sysctls.
    pub netns: NetnsConfig,
    /// The sysctls, in the order they are written (also in `netns`).
    pub sysctls: Vec<(String, String)>,
    /// The arguments of the `ip route replace` that sets the metrics.
    pub route: Vec<String>,
    /// The options every socket gets.
    pub socket: SocketSetup,
    /// The script's config itself.
    pub config: Config,
}

impl Setup {
    /// Turn a script's `config` into the namespace's settings; refuse what
    /// Linux cannot be set to.
    pub fn new(config: &Config) -> Result<Setup, TargetError> {
        check(config)?;
        let sysctls = sysctls(config, Path::new("/proc/sys/net/ipv6").exists());
        let tap = TapConfig::new(TAP_NAME)
            .address(config.local, TEST_NET_2_PREFIX)
            .mtu(config.mtu)
            .mac(config.local_mac);
        let netns = sysctls
            .iter()
            .fold(NetnsConfig::new().tap(tap), |ns, (k, v)| ns.sysctl(k, v));
        netns
            .validate()
            .map_err(|e| TargetError::Config(e.to_string()))?;
        Ok(Setup {
            netns,
            sysctls,
            route: route(config),
            socket: SocketSetup {
                nodelay: config.nodelay,
                mss: config.mss,
                window_clamp: config
                    .window_scaling
                    .then(|| 65535u32 << config.wscale.min(TCP_MAX_WSCALE)),
            },
            config: config.clone(),
        })
    }
}

/// Refuse the settings Linux has no knob for.
fn check(config: &Config) -> Result<(), TargetError> {
    if config.rto_initial != TCP_TIMEOUT_INIT {
        return Err(TargetError::Config(format!(
            "rto_initial is {:?}, but Linux's initial RTO is fixed at TCP_TIMEOUT_INIT, 1 s \
             (include/net/tcp.h); no sysctl or socket option changes it",
            config.rto_initial
        )));
    }
    if config.window_scaling && config.wscale > TCP_MAX_WSCALE {
        return Err(TargetError::Config(format!(
            "wscale {} is above Linux's TCP_MAX_WSCALE, 14 (RFC 7323 2.3)",
            config.wscale
        )));
    }
    if config.mss < TCP_MIN_MSS {
        return Err(TargetError::Config(format!(
            "mss {} is below Linux's TCP_MIN_MSS, 88: TCP_MAXSEG refuses it",
            config.mss
        )));
    }
    Ok(())
}

/// Return `1` or `0`.
fn flag(on: bool) -> String {
    u8::from(on).to_string()
}

/// Return the sysctls for `config`, the IPv6 ones only if the kernel has IPv6.
pub fn sysctls(config: &Config, ipv6: bool) -> Vec<(String, String)> {
    let rmem_max = if config.window_scaling {
        // Linux offers the shift ilog2(max(tcp_rmem[2], rmem_max)) - 15,
        // clamped by the window clamp (tcp_select_initial_window).
        (65535u32 << config.wscale.min(TCP_MAX_WSCALE)).max(config.rcv_buf)
    } else {
        RMEM_MAX.max(config.rcv_buf)
    };
    let mut list = Vec::new();
    if ipv6 {
        for scope in ["all", "default", TAP_NAME] {
            list.push((format!("net/ipv6/conf/{scope}/disable_ipv6"), "1".into()));
        }
    }
    list.push((
        format!("net/ipv4/neigh/{TAP_NAME}/base_reachable_time_ms"),
        BASE_REACHABLE_TIME_MS.to_string(),
    ));
    let mut push = |key: &str, value: String| list.push((format!("net.ipv4.{key}"), value));
    push("tcp_timestamps", flag(config.timestamps));
    push("tcp_sack", flag(config.sack));
    push("tcp_window_scaling", flag(config.window_scaling));
    push("tcp_ecn", flag(config.ecn));
    push("tcp_no_metrics_save", "1".into());
    // Host-wide on Linux (and randomised around the value since the
    // CVE-2016-5696 fix); per connection on the reference stack.
    push(
        "tcp_challenge_ack_limit",
        config.challenge_ack_limit.to_string(),
    );
    push("tcp_rmem", format!("4096 {} {rmem_max}", config.rcv_buf));
    let wmem_max = WMEM_MAX.max(config.snd_buf);
    push("tcp_wmem", format!("4096 {} {wmem_max}", config.snd_buf));
    if let Some(retries) = config.linux_syn_retries {
        push("tcp_syn_retries", retries.to_string());
    }
    list
}

/// Return the RFC 5681 3.1 initial window for a sender's MSS, in segments.
pub fn rfc5681_initial_window(mss: u16) -> u32 {
    // RFC 5681 3.1: IW = 2, 3 or 4 segments by SMSS.
    match mss {
        2191.. => 2,
        1096..=2190 => 3,
        _ => 4,
    }
}

/// Return the arguments of `ip route replace` for the TAP's prefix route,
/// with the initial window and the RTO's lower bound.
fn route(config: &Config) -> Vec<String> {
    let octets = config.local.octets();
    let prefix = format!(
        "{}.{}.{}.0/{TEST_NET_2_PREFIX}",
        octets[0], octets[1], octets[2]
    );
    let initcwnd = config
        .initial_window
        .unwrap_or_else(|| rfc5681_initial_window(config.mss));
    let rto_min_ms = config.rto_min.as_millis().max(1);
    [
        "route",
        "replace",
        &prefix,
        "dev",
        TAP_NAME,
        "proto",
        "kernel",
        "scope",
        "link",
        "src",
        &config.local.to_string(),
        "initcwnd",
        &initcwnd.to_string(),
        // iproute2 always locks rto_min, as tcp_rto_min() requires.
        "rto_min",
        &format!("{rto_min_ms}ms"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(list: &[(String, String)], key: &str) -> Option<String> {
        list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn config_flags_become_sysctls() {
        let config = Config {
            timestamps: true,
            sack: false,
            ecn: true,
            ..Config::default()
        };
        let list = sysctls(&config, true);
        assert_eq!(
            value(&list, "net.ipv4.tcp_timestamps").as_deref(),
            Some("1")
        );
        assert_eq!(value(&list, "net.ipv4.tcp_sack").as_deref(), Some("0"));
        assert_eq!(value(&list, "net.ipv4.tcp_ecn").as_deref(), Some("1"));
        assert_eq!(
            value(&list, "net/ipv6/conf/synack0/disable_ipv6").as_deref(),
            Some("1")
        );
        assert!(value(&sysctls(&config, false), "net/ipv6/conf/all/disable_ipv6").is_none());
    }

    #[test]
    fn wscale_sets_the_receive_buffer_maximum() {
        let config = Config {
            window_scaling: true,
            wscale: 7,
            ..Config::default()
        };
        // ilog2(65535 << 7) - 15 = 7.
        assert_eq!(
            value(&sysctls(&config, false), "net.ipv4.tcp_rmem").as_deref(),
            Some("4096 65535 8388480")
        );
        let setup = Setup::new(&config).unwrap();
        assert_eq!(setup.socket.window_clamp, Some(65535 << 7));
        let off = Setup::new(&Config::default()).unwrap();
        assert_eq!(off.socket.window_clamp, None);
    }

    #[test]
    fn initial_window_follows_rfc5681_unless_given() {
        assert_eq!(rfc5681_initial_window(1460), 3);
        assert_eq!(rfc5681_initial_window(536), 4);
        assert_eq!(rfc5681_initial_window(4000), 2);
        let route = Setup::new(&Config::default()).unwrap().route;
        let at = route.iter().position(|a| a == "initcwnd").unwrap();
        assert_eq!(route[at + 1], "3");
        let given = Config {
            initial_window: Some(10),
            ..Config::default()
        };
        let route = Setup::new(&given).unwrap().route;
        assert!(route.windows(2).any(|w| w == ["initcwnd", "10"]));
        assert!(route.windows(2).any(|w| w == ["rto_min", "1000ms"]));
    }

    #[test]
    fn settings_linux_lacks_are_refused_with_the_reason() {
        let rto = Config {
            rto_initial: Duration::from_secs(3),
            ..Config::default()
        };
        let err = Setup::new(&rto).unwrap_err().to_string();
        assert!(err.contains("TCP_TIMEOUT_INIT"), "{err}");
        let mss = Config {
            mss: 40,
            ..Config::default()
        };
        assert!(Setup::new(&mss)
            .unwrap_err()
            .to_string()
            .contains("TCP_MIN_MSS"));
        let outside = Config {
            local: core::net::Ipv4Addr::new(10, 0, 0, 1),
            ..Config::default()
        };
        assert!(Setup::new(&outside).is_err());
    }
}
