//! What the host did with a frame, and why it dropped one.
//!
//! Every call to [`Host::handle_frame`](super::Host::handle_frame) returns a
//! [`FrameVerdict`]: the action taken, or the typed reason the frame was
//! dropped. smoltcp only logs its reasons with `net_debug!`; ours can be
//! asserted by a test and counted in [`HostStats`].

use core::fmt;
use std::collections::BTreeMap;

use super::ipv4::SendError;
use super::reassembly::DropReason;
use super::tcp::{ConnHandle, ListenerHandle};
use super::udp::UdpHandle;
use crate::tcp::{IcmpOutcome, Verdict};
use crate::wire::arp::ArpOperation;
use crate::wire::icmpv4::Icmpv4Message;
use crate::wire::{EtherType, IpProtocol, Ipv4Addr, WireError};

/// The outcome of one received frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameVerdict {
    /// The frame was used.
    Accepted(Action),
    /// The frame was discarded. Where the RFC asks for an ICMP error, the
    /// [`Why`] says so, and the error was queued unless RFC 1122 3.2.2 or
    /// the rate limit forbade it (see [`HostStats::icmp_suppressed`]).
    Dropped(Why),
}

/// What the host did with a frame it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// An ARP request for our address was answered (and its sender learned).
    ArpReplied,
    /// An ARP packet taught the cache a new or updated address.
    ArpLearned,
    /// A fragment was stored for reassembly.
    FragmentHeld,
    /// An ICMP echo request was answered.
    EchoReplied,
    /// An ICMP echo reply was queued for [`Host::poll_echo_reply`](super::Host::poll_echo_reply).
    EchoReplyQueued,
    /// A UDP datagram was queued on a socket.
    UdpDelivered(UdpHandle),
    /// An ICMP error was handed to the UDP socket whose datagram it quotes.
    IcmpErrorDelivered(UdpHandle),
    /// A TCP segment was processed by its connection, with the engine's
    /// verdict (any but `Dropped`).
    TcpSegment(ConnHandle, Verdict),
    /// A SYN made a new connection in the listener's SYN queue.
    TcpSynQueued(ListenerHandle, ConnHandle),
    /// An ICMP error was handed to the TCP connection whose segment it
    /// quotes, with what the connection did (MUST-54).
    TcpIcmpError(ConnHandle, IcmpOutcome),
}

/// The protocol layer a malformed or corrupt packet was found at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// The Ethernet header.
    Ethernet,
    /// An ARP packet.
    Arp,
    /// The IPv4 header.
    Ipv4,
    /// An ICMPv4 message.
    Icmpv4,
    /// A UDP datagram.
    Udp,
    /// A TCP segment.
    Tcp,
}

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A header does not parse: too short, a length field that lies, an
    /// invalid field. Silently discarded (RFC 1122 3.2.1.1, 3.2.1.2).
    Malformed(Layer, WireError),
    /// A checksum does not verify: silently discarded (RFC 1122 3.2.1.2 for
    /// IPv4, 4.1.3.4 for UDP).
    BadChecksum(Layer),
    /// The IP version is not 4: silently discarded (RFC 1122 3.2.1.1).
    BadVersion(u8),
    /// The frame is addressed to another MAC (or a multicast group).
    NotOurMac,
    /// The frame carries an 802.1Q tag; the host has no VLAN.
    VlanTagged,
    /// The EtherType is neither IPv4 nor ARP.
    UnsupportedEtherType(EtherType),
    /// The ARP opcode is neither request nor reply.
    ArpUnknownOperation(ArpOperation),
    /// The ARP sender is a broadcast or multicast address (hardware or protocol).
    ArpBadSender,
    /// The ARP sender claims our own IPv4 address (an address conflict).
    ArpAddressConflict,
    /// An ARP packet neither for us nor about an address we know (RFC 826).
    ArpNotForUs,
    /// The source address is not one host's (broadcast, multicast,
    /// loopback): silently discarded (RFC 1122 3.2.1.3).
    BadSource(Ipv4Addr),
    /// The datagram is for another address (RFC 1122 3.2.1.3).
    NotForUs(Ipv4Addr),
    /// The reassembler refused a fragment.
    Reassembly(DropReason),
    /// No transport handles this protocol; ICMP protocol unreachable sent
    /// (RFC 1122 3.2.2.1).
    ProtocolUnreachable(IpProtocol),
    /// A TCP segment not sent to our unicast address (a SYN to a broadcast
    /// or multicast address: RFC 9293 3.9.2.1, MUST-57): silently discarded.
    TcpNotUnicast(Ipv4Addr),
    /// A TCP segment from an address that names no single host, or names
    /// us (RFC 9293 3.10.7.2, MUST-63).
    TcpBadSource(Ipv4Addr),
    /// No connection and no listener: a RST was sent (RFC 9293 3.10.7.1).
    TcpNoConnection(u16),
    /// A RST for no connection and no listener: discarded, never answered
    /// (RFC 9293 3.10.7.1).
    TcpRstToNoConnection,
    /// The connection discarded the segment, for the engine's reason.
    TcpDropped(crate::tcp::Why),
    /// A listener discarded a segment that was not a SYN (RFC 9293
    /// 3.10.7.2): a RST, or an ACK (answered with a RST), or neither.
    TcpListen(ListenerHandle, crate::tcp::Why),
    /// The listener's SYN queue is full: the SYN is dropped (Linux without
    /// syncookies), and the peer's retransmission tries again.
    SynQueueFull(ListenerHandle),
    /// The listener's accept queue is full: a SYN, or the ACK completing a
    /// handshake, is dropped (Linux's "listen overflow").
    AcceptQueueFull(ListenerHandle),
    /// The connection table holds
    /// [`TcpHostConfig::max_connections`](super::TcpHostConfig::max_connections).
    TcpTableFull,
    /// No UDP socket is bound to the port; ICMP port unreachable sent
    /// (RFC 1122 4.1.3.1).
    PortUnreachable(u16),
    /// The socket's receive queue is full.
    SocketQueueFull(UdpHandle),
    /// An echo request to a broadcast address (RFC 1122 3.2.2.6: MAY discard).
    EchoToBroadcast,
    /// An echo reply arrived while the reply queue is full.
    EchoReplyQueueFull,
    /// An ICMP error quotes a datagram no socket of ours sent.
    IcmpErrorUnmatched,
    /// An ICMP message the host does not act on (redirect, source quench,
    /// timestamp, ...).
    IcmpIgnored(Icmpv4Message),
    /// The reply (an echo reply) could not be sent.
    CannotReply(SendError),
}

impl Why {
    /// Name the reason a `layer` header did not parse: its checksum does
    /// not verify ([`Why::BadChecksum`]), or it is malformed.
    pub(super) fn unparsed(layer: Layer, err: WireError) -> Why {
        match err {
            WireError::BadChecksum { .. } => Why::BadChecksum(layer),
            err => Why::Malformed(layer, err),
        }
    }

    /// Return the stable snake_case name this reason is counted under.
    pub fn label(&self) -> &'static str {
        match self {
            Why::Malformed(layer, _) => match layer {
                Layer::Ethernet => "malformed_ethernet",
                Layer::Arp => "malformed_arp",
                Layer::Ipv4 => "malformed_ipv4",
                Layer::Icmpv4 => "malformed_icmpv4",
                Layer::Udp => "malformed_udp",
                Layer::Tcp => "malformed_tcp",
            },
            Why::BadChecksum(layer) => match layer {
                Layer::Ethernet | Layer::Arp => "bad_checksum",
                Layer::Ipv4 => "bad_checksum_ipv4",
                Layer::Icmpv4 => "bad_checksum_icmpv4",
                Layer::Udp => "bad_checksum_udp",
                Layer::Tcp => "bad_checksum_tcp",
            },
            Why::BadVersion(_) => "bad_version",
            Why::NotOurMac => "not_our_mac",
            Why::VlanTagged => "vlan_tagged",
            Why::UnsupportedEtherType(_) => "unsupported_ethertype",
            Why::ArpUnknownOperation(_) => "arp_unknown_operation",
            Why::ArpBadSender => "arp_bad_sender",
            Why::ArpAddressConflict => "arp_address_conflict",
            Why::ArpNotForUs => "arp_not_for_us",
            Why::BadSource(_) => "bad_source",
            Why::NotForUs(_) => "not_for_us",
            Why::Reassembly(_) => "reassembly",
            Why::ProtocolUnreachable(_) => "protocol_unreachable",
            Why::TcpNotUnicast(_) => "tcp_not_unicast",
            Why::TcpBadSource(_) => "tcp_bad_source",
            Why::TcpNoConnection(_) => "tcp_no_connection",
            Why::TcpRstToNoConnection => "tcp_rst_to_no_connection",
            Why::TcpDropped(_) => "tcp_dropped",
            Why::TcpListen(..) => "tcp_listen",
            Why::SynQueueFull(_) => "syn_queue_full",
            Why::AcceptQueueFull(_) => "accept_queue_full",
            Why::TcpTableFull => "tcp_table_full",
            Why::PortUnreachable(_) => "port_unreachable",
            Why::SocketQueueFull(_) => "socket_queue_full",
            Why::EchoToBroadcast => "echo_to_broadcast",
            Why::EchoReplyQueueFull => "echo_reply_queue_full",
            Why::IcmpErrorUnmatched => "icmp_error_unmatched",
            Why::IcmpIgnored(_) => "icmp_ignored",
            Why::CannotReply(_) => "cannot_reply",
        }
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Malformed(layer, err) => write!(f, "malformed {layer:?}: {err}"),
            Why::BadChecksum(layer) => write!(f, "bad {layer:?} checksum"),
            Why::BadVersion(v) => write!(f, "IP version {v}"),
            Why::UnsupportedEtherType(t) => write!(f, "unsupported EtherType {t}"),
            Why::ArpUnknownOperation(op) => write!(f, "ARP {op}"),
            Why::BadSource(a) => write!(f, "invalid source address {a}"),
            Why::NotForUs(a) => write!(f, "datagram for {a}, not us"),
            Why::Reassembly(r) => write!(f, "reassembly dropped the fragment: {r:?}"),
            Why::ProtocolUnreachable(p) => write!(f, "no handler for {p}"),
            Why::PortUnreachable(p) => write!(f, "no socket on UDP port {p}"),
            Why::TcpNotUnicast(a) => write!(f, "TCP segment to {a}, not our unicast address"),
            Why::TcpBadSource(a) => write!(f, "TCP segment from invalid source {a}"),
            Why::TcpNoConnection(p) => write!(f, "no connection on TCP port {p}: RST sent"),
            Why::TcpDropped(why) => write!(f, "TCP: {why}"),
            Why::TcpListen(l, why) => write!(f, "{l}: {why}"),
            Why::SynQueueFull(l) => write!(f, "{l}: SYN queue full"),
            Why::AcceptQueueFull(l) => write!(f, "{l}: accept queue full"),
            Why::IcmpIgnored(t) => write!(f, "ICMP type {} ignored", u8::from(*t)),
            Why::CannotReply(err) => write!(f, "cannot reply: {err}"),
            other => f.write_str(other.label()),
        }
    }
}

/// Why no ICMP error was sent where one was due (RFC 1122 3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoIcmpError {
    /// The datagram was itself an ICMP error.
    AboutIcmpError,
    /// The datagram went to an IP broadcast or multicast address.
    IpBroadcast,
    /// The frame was a link-layer broadcast (or multicast).
    LinkBroadcast,
    /// The datagram was a fragment other than the first.
    NonInitialFragment,
    /// The source address does not name one host (zero, loopback, broadcast,
    /// multicast, class E).
    SourceNotAHost,
    /// The token bucket was empty.
    RateLimited,
    /// The invoking datagram came with too few bytes to quote.
    BadQuote,
    /// The error could not be sent (no route back, queues full).
    SendFailed,
}

impl NoIcmpError {
    /// Return the stable snake_case name this case is counted under.
    pub fn label(&self) -> &'static str {
        match self {
            NoIcmpError::AboutIcmpError => "about_icmp_error",
            NoIcmpError::IpBroadcast => "ip_broadcast",
            NoIcmpError::LinkBroadcast => "link_broadcast",
            NoIcmpError::NonInitialFragment => "non_initial_fragment",
            NoIcmpError::SourceNotAHost => "source_not_a_host",
            NoIcmpError::RateLimited => "rate_limited",
            NoIcmpError::BadQuote => "bad_quote",
            NoIcmpError::SendFailed => "send_failed",
        }
    }
}

/// Counters keyed by a stable label (a [`Why::label`], say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters(BTreeMap<&'static str, u64>);

impl Counters {
    /// Return the count under `label` (0 if never counted).
    pub fn get(&self, label: &str) -> u64 {
        self.0.get(label).copied().unwrap_or(0)
    }

    /// Return the sum of every count.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Return the labels and counts, in label order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }

    pub(super) fn add(&mut self, label: &'static str) {
        *self.0.entry(label).or_insert(0) += 1;
    }
}

/// What the host has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostStats {
    /// Frames given to `handle_frame`.
    pub rx_frames: u64,
    /// Frames accepted.
    pub rx_accepted: u64,
    /// Frames dropped, by [`Why::label`].
    pub dropped: Counters,
    /// Frames handed out by `poll_transmit`.
    pub tx_frames: u64,
    /// Frames discarded because the transmit queue was full.
    pub tx_queue_full: u64,
    /// ARP requests sent.
    pub arp_requests: u64,
    /// Datagrams dropped while waiting for ARP: the queue overflowed
    /// (oldest dropped) or resolution failed.
    pub arp_queue_dropped: u64,
    /// Resolutions given up after the last request went unanswered.
    pub arp_failures: u64,
    /// ICMP errors queued for sending.
    pub icmp_errors_sent: u64,
    /// ICMP errors not sent, by [`NoIcmpError::label`].
    pub icmp_suppressed: Counters,
    /// Datagrams completed by the reassembler.
    pub reassembled: u64,
    /// Reassemblies that timed out after their fragment 0 arrived (those
    /// that draw a time exceeded); the reassembler's own
    /// [`stats`](super::Host::reassembly_stats) count every timeout.
    pub reassembly_timeouts: u64,
    /// TCP segments handed to IPv4 (RSTs for no connection included).
    pub tcp_segments_sent: u64,
    /// RSTs sent for segments with no connection (RFC 9293 3.10.7.1) or to
    /// a listener (3.10.7.2).
    pub tcp_resets_sent: u64,
    /// TCP segments IPv4 could not send (no route, queues full); TCP's
    /// retransmission recovers them.
    pub tcp_send_errors: u64,
}

impl HostStats {
    pub(super) fn count(&mut self, verdict: &FrameVerdict) {
        match verdict {
            FrameVerdict::Accepted(_) => self.rx_accepted += 1,
            FrameVerdict::Dropped(why) => self.dropped.add(why.label()),
        }
    }
}
