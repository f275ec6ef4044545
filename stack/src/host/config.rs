//! The host's configuration: a typed struct with defaults, checked once by
//! [`HostConfig::validate`] (after quinn-proto's `TransportConfig`).
//!
//! Every limit the host enforces (queues, caches, rates) is set here, and
//! every lifetime is named by a const, so a test or a script can shorten it.

use core::fmt;
use core::ops::RangeInclusive;
use core::time::Duration;

use super::fragment::MAX_DATAGRAM_LEN;
use super::reassembly::ReassemblyConfig;
use super::tcp::TcpHostConfig;
use crate::wire::ipv4::DEFAULT_TTL;
use crate::wire::{ChecksumPolicy, EthernetAddress, Ipv4Addr};

/// How long a resolved ARP entry is trusted (smoltcp's `ENTRY_LIFETIME`;
/// RFC 1122 2.3.2.1 asks for a timeout, "on the order of a minute").
pub const ARP_ENTRY_LIFETIME: Duration = Duration::from_secs(60);

/// How long to wait between two ARP requests for one address: at most one
/// per second per destination (RFC 1122 2.3.2.1, "prevent ARP flooding").
pub const ARP_REQUEST_INTERVAL: Duration = Duration::from_secs(1);

/// How many ARP requests are sent for one address before giving up.
pub const ARP_MAX_REQUESTS: u8 = 3;

/// The interval at which the ICMP error token bucket gains one token.
pub const ICMP_ERROR_INTERVAL: Duration = Duration::from_millis(100);

/// The IANA dynamic port range (RFC 6335 6), where ephemeral ports come from
/// (RFC 6056 3.2).
pub const EPHEMERAL_PORTS: RangeInclusive<u16> = 49152..=65535;

/// The smallest IP MTU a host may have: RFC 791 3.2, "every internet module
/// must be able to forward a datagram of 68 octets without further
/// fragmentation".
pub const MIN_MTU: usize = 68;

/// The ARP cache and the resolution of unknown addresses (RFC 826, RFC 1122 2.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpConfig {
    /// How long a learned entry lives ([`ARP_ENTRY_LIFETIME`]).
    pub entry_lifetime: Duration,
    /// The most entries the cache holds; a full cache evicts the entry
    /// closest to expiry.
    pub cache_capacity: usize,
    /// The interval between two requests for one address ([`ARP_REQUEST_INTERVAL`]).
    pub request_interval: Duration,
    /// How many requests are sent before the host gives up ([`ARP_MAX_REQUESTS`]).
    pub max_requests: u8,
    /// How many datagrams may wait for one address (RFC 1122 2.3.2.2: "at
    /// least one"); when full, the oldest is dropped, as Linux does.
    pub queue_per_destination: usize,
    /// How many addresses may be resolved at once.
    pub max_resolving: usize,
}

impl Default for ArpConfig {
    fn default() -> ArpConfig {
        ArpConfig {
            entry_lifetime: ARP_ENTRY_LIFETIME,
            cache_capacity: 64,
            request_interval: ARP_REQUEST_INTERVAL,
            max_requests: ARP_MAX_REQUESTS,
            queue_per_destination: 3,
            max_resolving: 16,
        }
    }
}

/// ICMP behaviour (RFC 792, RFC 1122 3.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpConfig {
    /// The most ICMP errors sent in a burst: the token bucket's capacity
    /// (RFC 1122 3.2.2, "limit the rate at which it sends"). 0 sends none.
    pub error_burst: u32,
    /// The time to regain one token ([`ICMP_ERROR_INTERVAL`]).
    pub error_interval: Duration,
    /// Whether to answer an echo request sent to a broadcast address
    /// (RFC 1122 3.2.2.6: it MAY be discarded; Linux discards it by default).
    pub echo_broadcast: bool,
    /// How many echo replies (answers to [`crate::host::Host::ping`]) wait to
    /// be read before new ones are dropped.
    pub echo_reply_queue: usize,
}

impl Default for IcmpConfig {
    fn default() -> IcmpConfig {
        IcmpConfig {
            error_burst: 10,
            error_interval: ICMP_ERROR_INTERVAL,
            echo_broadcast: false,
            echo_reply_queue: 16,
        }
    }
}

/// UDP sockets (RFC 768, RFC 1122 4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpConfig {
    /// The most sockets open at once.
    pub max_sockets: usize,
    /// The most datagrams waiting in one socket's receive queue.
    pub rx_queue: usize,
    /// Where ephemeral ports are drawn from ([`EPHEMERAL_PORTS`]).
    pub ephemeral_ports: RangeInclusive<u16>,
}

impl Default for UdpConfig {
    fn default() -> UdpConfig {
        UdpConfig {
            max_sockets: 64,
            rx_queue: 64,
            ephemeral_ports: EPHEMERAL_PORTS,
        }
    }
}

/// Everything a [`Host`](super::Host) is made from.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The interface's MAC address (unicast).
    pub mac: EthernetAddress,
    /// The interface's IPv4 address.
    pub ipv4: Ipv4Addr,
    /// The subnet's prefix length (0 to 32).
    pub prefix_len: u8,
    /// The router for destinations outside the subnet, if any.
    pub gateway: Option<Ipv4Addr>,
    /// The IP MTU: the largest datagram sent unfragmented, Ethernet header
    /// excluded (1500 on Ethernet; at least [`MIN_MTU`]).
    pub mtu: usize,
    /// The TTL of every datagram sent; never 0 (RFC 1122 3.2.1.7).
    pub ttl: u8,
    /// The seed of every random choice (IP IDs, ephemeral ports).
    pub seed: u64,
    /// Whether checksums are verified on input and computed on output;
    /// `Ignore` is for fuzzers and hand-made frames.
    pub checksums: ChecksumPolicy,
    /// The most frames waiting in [`Host::poll_transmit`](super::Host::poll_transmit).
    pub tx_queue: usize,
    /// ARP.
    pub arp: ArpConfig,
    /// ICMP.
    pub icmp: IcmpConfig,
    /// UDP.
    pub udp: UdpConfig,
    /// IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2).
    pub reassembly: ReassemblyConfig,
    /// TCP: connection defaults, table and listener limits.
    pub tcp: TcpHostConfig,
    /// A rule to break on purpose, **for testing the fuzzer only**: always
    /// `None` in a real host. See [`Sabotage`].
    pub sabotage: Option<Sabotage>,
}

/// A deliberate fault, **for testing the fuzzer only**.
///
/// Each variant breaks one invariant that the `host` fuzz target
/// (`synack::fuzz::host`) checks after every step, so that a test can show
/// the target catches it. It is a plain configuration value, not a `cfg`:
/// the code under test is the code that ships.
///
/// TCP's own sabotages ([`crate::tcp::Sabotage`]) sit in the connection
/// configuration, `tcp.defaults.sabotage` here, so that every connection
/// the host makes carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sabotage {
    /// Send ICMP errors about ICMP errors, which RFC 1122 3.2.2 forbids.
    IcmpErrorAboutIcmpError,
    /// Send every UDP datagram with its checksum's bits inverted.
    CorruptUdpChecksum,
}

impl Default for HostConfig {
    /// A host at 198.51.100.1/24 (TEST-NET-2, RFC 5737) with MAC
    /// 02:00:00:00:00:01 (locally administered), MTU 1500, TTL 64, seed 0.
    fn default() -> HostConfig {
        HostConfig {
            mac: EthernetAddress([0x02, 0, 0, 0, 0, 0x01]),
            ipv4: Ipv4Addr::new(198, 51, 100, 1),
            prefix_len: 24,
            gateway: None,
            mtu: 1500,
            ttl: DEFAULT_TTL,
            seed: 0,
            checksums: ChecksumPolicy::Verify,
            tx_queue: 1024,
            arp: ArpConfig::default(),
            icmp: IcmpConfig::default(),
            udp: UdpConfig::default(),
            reassembly: ReassemblyConfig::default(),
            tcp: TcpHostConfig::default(),
            sabotage: None,
        }
    }
}

impl HostConfig {
    /// Check that the configuration describes a host that can work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |field, why| Err(ConfigError { field, why });
        if !self.mac.is_unicast() {
            return fail("mac", "must be a unicast address");
        }
        let ip = self.ipv4;
        if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || ip.is_loopback() {
            return fail("ipv4", "must be a unicast, non-loopback address");
        }
        if self.prefix_len > 32 {
            return fail("prefix_len", "must be at most 32");
        }
        if !(MIN_MTU..=MAX_DATAGRAM_LEN).contains(&self.mtu) {
            return fail("mtu", "must be within 68..=65535 (RFC 791 3.2)");
        }
        if self.ttl == 0 {
            return fail("ttl", "must not be 0 (RFC 1122 3.2.1.7)");
        }
        if self.tx_queue == 0 {
            return fail("tx_queue", "must hold at least one frame");
        }
        if self.arp.max_requests == 0 || self.arp.cache_capacity == 0 {
            return fail("arp", "max_requests and cache_capacity must be at least 1");
        }
        if self.arp.queue_per_destination == 0 || self.arp.max_resolving == 0 {
            return fail(
                "arp",
                "queues must hold at least one datagram (RFC 1122 2.3.2.2)",
            );
        }
        let ports = &self.udp.ephemeral_ports;
        if ports.is_empty() || *ports.start() == 0 {
            return fail("udp.ephemeral_ports", "must be a non-empty range above 0");
        }
        if let Err((field, why)) = self.tcp.check() {
            return fail(field, why);
        }
        Ok(())
    }
}

/// A [`HostConfig`] field that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    /// The offending field.
    pub field: &'static str,
    /// What the field must satisfy.
    pub why: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host config `{}`: {}", self.field, self.why)
    }
}

impl std::error::Error for ConfigError {}
