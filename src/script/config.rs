//! The `config` block: how the target is set up before a script runs.
//!
//! It applies to every target (the reference stack's settings, or sysctls
//! and socket options in the Linux namespace). Every key is optional; an
//! unknown key is an error.

use core::net::Ipv4Addr;
use core::time::Duration as StdDuration;

use serde::Deserialize;
use serde_saphyr::Spanned;
use stack::wire::EthernetAddress;

use super::time::Duration;

/// The settings a script runs under. `Default` gives the values a script
/// gets for the keys it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Send and accept the Timestamps option (RFC 7323). Default off.
    pub timestamps: bool,
    /// Send and accept SACK-permitted and SACK (RFC 2018). Default off.
    pub sack: bool,
    /// Negotiate window scaling (RFC 7323 2). Default off.
    pub window_scaling: bool,
    /// The shift count offered when `window_scaling` is on. Default 7.
    pub wscale: u8,
    /// The MSS the target announces. Default 1460.
    pub mss: u16,
    /// The link MTU. Default 1500.
    pub mtu: u16,
    /// The maximum segment lifetime (RFC 9293 3.4: "arbitrarily defined to be
    /// 2 minutes"). Default 2 minutes; `2msl` in a step resolves against it.
    pub msl: StdDuration,
    /// The initial congestion window in segments; `None` (the default) for
    /// the RFC 5681 3.1 rule.
    pub initial_window: Option<u32>,
    /// Negotiate ECN (RFC 3168). Default off.
    pub ecn: bool,
    /// Challenge ACKs a connection may send per second (RFC 5961 7).
    /// Default 1000, the reference stack's (and Linux's before 6.0).
    pub challenge_ack_limit: u32,
    /// `TCP_NODELAY` on every socket from the start (MUST-17). Default off.
    pub nodelay: bool,
    /// Linux only: `net.ipv4.tcp_syn_retries` in the namespace, the SYN
    /// retransmissions (after `tcp_syn_linear_timeouts`) before Linux gives
    /// up. Default: the kernel's (6). The reference's SYN R2 is a time
    /// (MUST-23's 3 minutes), which no count replaces, so it ignores this;
    /// a script sets it only where Linux's giving up is already a declared
    /// divergence, to spare the real clock minutes of retransmissions.
    pub linux_syn_retries: Option<u8>,
    /// The receive buffer in bytes. Default 65535.
    pub rcv_buf: u32,
    /// The send buffer in bytes. Default 65535.
    pub snd_buf: u32,
    /// The initial retransmission timeout (RFC 6298 2.1). Default 1 s.
    pub rto_initial: StdDuration,
    /// The lower bound of the RTO (RFC 6298 2.4). Default 1 s.
    pub rto_min: StdDuration,
    /// How far a real-clock target's timing may stray from a step's time
    /// bound. Default 4 ms (packetdrill's). The virtual clock is exact.
    pub tolerance: StdDuration,
    /// The target's address. Default 198.51.100.1 (TEST-NET-2).
    pub local: Ipv4Addr,
    /// The script's (the peer's) address. Default 198.51.100.2.
    pub remote: Ipv4Addr,
    /// The target's MAC address. Default 02:00:00:00:00:01.
    pub local_mac: EthernetAddress,
    /// The script's MAC address. Default 02:00:00:00:00:02.
    pub remote_mac: EthernetAddress,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            timestamps: false,
            sack: false,
            window_scaling: false,
            wscale: 7,
            mss: 1460,
            mtu: 1500,
            msl: StdDuration::from_secs(120),
            initial_window: None,
            ecn: false,
            challenge_ack_limit: 1000,
            nodelay: false,
            linux_syn_retries: None,
            rcv_buf: 65535,
            snd_buf: 65535,
            rto_initial: StdDuration::from_secs(1),
            rto_min: StdDuration::from_secs(1),
            tolerance: StdDuration::from_millis(4),
            local: Ipv4Addr::new(198, 51, 100, 1),
            remote: Ipv4Addr::new(198, 51, 100, 2),
            local_mac: EthernetAddress([0x02, 0, 0, 0, 0, 0x01]),
            remote_mac: EthernetAddress([0x02, 0, 0, 0, 0, 0x02]),
        }
    }
}

impl Config {
    /// Return a time written in a script with `msl` multiples resolved.
    pub fn resolve(&self, duration: Duration) -> StdDuration {
        duration.resolve(self.msl)
    }
}

/// The `config` block as written: plain values typed by serde, and the
/// values with their own grammar (durations, addresses) kept as spanned
/// text for the loader to parse and locate its errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawConfig {
    pub timestamps: Option<bool>,
    pub sack: Option<bool>,
    pub window_scaling: Option<bool>,
    pub wscale: Option<u8>,
    pub mss: Option<u16>,
    pub mtu: Option<u16>,
    pub msl: Option<Spanned<String>>,
    pub initial_window: Option<u32>,
    pub ecn: Option<bool>,
    pub challenge_ack_limit: Option<u32>,
    pub nodelay: Option<bool>,
    pub linux_syn_retries: Option<u8>,
    pub rcv_buf: Option<u32>,
    pub snd_buf: Option<u32>,
    pub rto_initial: Option<Spanned<String>>,
    pub rto_min: Option<Spanned<String>>,
    pub tolerance: Option<Spanned<String>>,
    pub local: Option<Spanned<String>>,
    pub remote: Option<Spanned<String>>,
    pub local_mac: Option<Spanned<String>>,
    pub remote_mac: Option<Spanned<String>>,
}
