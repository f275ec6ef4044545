//! IPv4 (RFC 791; RFC 1122 3.2.1, 3.3): input checks and dispatch, output
//! with routing, IP IDs and fragmentation.
//!
//! # Input
//!
//! A datagram is silently discarded, with its [`Why`], when its version is
//! not 4, its header checksum fails, a length is wrong (RFC 1122 3.2.1.1,
//! 3.2.1.2), its source is not one host's (RFC 1122 3.2.1.3: broadcast,
//! multicast or loopback), or it is not for us. "For us" means our address,
//! the limited broadcast 255.255.255.255 or our subnet's directed broadcast
//! (RFC 1122 3.3.6, MUST). The non-standard all-zeros broadcast forms that
//! 3.3.6 says a host SHOULD also accept are not, as Linux does not. A TTL
//! of 0 or 1 is fine for a host (RFC 1122 3.2.1.7). Options are not acted on.
//! Fragments go through the [`Reassembler`](super::reassembly::Reassembler);
//! a whole datagram goes to ICMP, UDP or [TCP](super::tcp), and any
//! other protocol draws an ICMP protocol unreachable (RFC 1122 3.2.2.1).
//!
//! # Output
//!
//! Every datagram carries [`HostConfig::ttl`](super::HostConfig::ttl),
//! never 0 (RFC 1122 3.2.1.7), and an ID from [`IpIds`](super::ip_id::IpIds)
//! (RFC 6864). Datagrams longer than the MTU are fragmented (RFC 791 3.2)
//! unless DF is set, which fails the send with [`SendError::DontFragment`].
//! The next hop is the destination on our subnet, else the gateway; a
//! broadcast goes to the broadcast MAC, anything else through ARP.

use core::fmt;

use super::fragment::{fragments, FragmentError, MAX_DATAGRAM_LEN};
use super::icmp::IcmpError;
use super::neighbor::{Origin, Queued};
use super::reassembly::Reassembly;
use super::{Action, FrameVerdict, Host, Layer, Why};
use crate::time::Instant;
use crate::wire::ethernet::{self, EthernetFrame, MIN_FRAME_LEN};
use crate::wire::icmpv4::{DstUnreachable, TimeExceeded};
use crate::wire::ipv4::{self as ip, Ipv4Packet, Ipv4Repr};
use crate::wire::{EtherType, EthernetAddress, IpProtocol, Ipv4Addr, WireError};

/// The bytes a frame given to [`Host::send_framed`] keeps in front of its
/// payload for the Ethernet header and an IPv4 header without options.
pub(super) const FRAME_HEADROOM: usize = ethernet::HEADER_LEN + ip::HEADER_LEN;

/// How a datagram reached us, for the rules that depend on it (RFC 1122
/// 3.2.2: no ICMP error about a broadcast).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RxMeta {
    /// The frame went to the Ethernet broadcast address.
    pub link_broadcast: bool,
    /// The datagram went to an IP broadcast address.
    pub ip_broadcast: bool,
}

/// Why a datagram could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The socket handle is closed or was never open.
    BadHandle,
    /// The destination cannot be sent to (address 0.0.0.0, port 0).
    InvalidDestination,
    /// The datagram would exceed 65,535 bytes (`EMSGSIZE`).
    TooLong {
        /// The largest payload that fits.
        max: usize,
    },
    /// Don't Fragment is set and the datagram exceeds the MTU (`EMSGSIZE`).
    DontFragment {
        /// The MTU it exceeds.
        mtu: usize,
    },
    /// The MTU cannot carry a fragment of this header.
    MtuTooSmall {
        /// The MTU.
        mtu: usize,
    },
    /// No route: off the subnet with no gateway, or a multicast or
    /// loopback destination, which the host does not support (`ENETUNREACH`).
    NoRoute(Ipv4Addr),
    /// The transmit queue, or the ARP queues, are full (`ENOBUFS`).
    QueueFull,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::BadHandle => f.write_str("no such socket"),
            SendError::InvalidDestination => f.write_str("invalid destination"),
            SendError::TooLong { max } => write!(f, "message too long (max {max} bytes)"),
            SendError::DontFragment { mtu } => write!(f, "DF set and longer than MTU {mtu}"),
            SendError::MtuTooSmall { mtu } => write!(f, "MTU {mtu} too small to fragment"),
            SendError::NoRoute(dst) => write!(f, "no route to {dst}"),
            SendError::QueueFull => f.write_str("no buffer space"),
        }
    }
}

impl std::error::Error for SendError {}

impl From<FragmentError> for SendError {
    fn from(err: FragmentError) -> SendError {
        match err {
            FragmentError::DontFragment { mtu } => SendError::DontFragment { mtu },
            FragmentError::MtuTooSmall { mtu } => SendError::MtuTooSmall { mtu },
            // `send_datagram` checks the length first; a header without
            // options leaves the most room.
            FragmentError::TooLong { .. } => SendError::TooLong {
                max: MAX_DATAGRAM_LEN - crate::wire::ipv4::HEADER_LEN,
            },
        }
    }
}

/// Where a datagram goes on the link.
enum NextHop {
    Broadcast,
    Unicast(Ipv4Addr),
}

impl Host {
    /// Return the subnet mask.
    fn netmask(&self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.config.prefix_len))
            .unwrap_or(0)
    }

    /// Return whether `addr` is on our subnet.
    pub fn on_subnet(&self, addr: Ipv4Addr) -> bool {
        let mask = self.netmask();
        u32::from(addr) & mask == u32::from(self.config.ipv4) & mask
    }

    /// Return whether `addr` is the limited broadcast or our subnet's
    /// directed broadcast (none for a /31 or /32, RFC 3021).
    pub fn is_broadcast(&self, addr: Ipv4Addr) -> bool {
        let directed = u32::from(self.config.ipv4) | !self.netmask();
        addr.is_broadcast() || (self.config.prefix_len <= 30 && u32::from(addr) == directed)
    }

    /// Take in an IPv4 datagram (the Ethernet payload, padding included).
    pub(super) fn handle_ipv4(
        &mut self,
        now: Instant,
        link_bc: bool,
        bytes: &[u8],
    ) -> FrameVerdict {
        let packet = Ipv4Packet::new_unchecked(bytes);
        let header = match Ipv4Repr::parse(&packet, self.config.checksums) {
            Ok(header) => header,
            Err(err) => return FrameVerdict::Dropped(ipv4_error(err)),
        };
        let (src, dst) = (header.src_addr, header.dst_addr);
        // RFC 1122 3.2.1.3: discard a source that is not one host's.
        if src.is_broadcast() || src.is_multicast() || src.is_loopback() || self.is_broadcast(src) {
            return FrameVerdict::Dropped(Why::BadSource(src));
        }
        let ip_broadcast = self.is_broadcast(dst);
        if dst != self.config.ipv4 && !ip_broadcast {
            return FrameVerdict::Dropped(Why::NotForUs(dst));
        }
        let rx = RxMeta {
            link_broadcast: link_bc,
            ip_broadcast,
        };
        if header.is_fragment() {
            return self.reassemble(now, rx, &header, packet.payload());
        }
        self.dispatch_ipv4(now, rx, &header, packet.payload())
    }

    /// Hand a fragment to the reassembler, and the datagram it completes
    /// (if any) to the upper layer.
    fn reassemble(
        &mut self,
        now: Instant,
        rx: RxMeta,
        frag: &Ipv4Repr,
        bytes: &[u8],
    ) -> FrameVerdict {
        let header = match self.reassembler.handle_fragment(now, frag, bytes) {
            Reassembly::Incomplete => {
                // RFC 1122 3.2.2: no time exceeded about it, should it expire.
                if rx.link_broadcast && frag.frag_offset == 0 {
                    self.reassembler.mark_link_broadcast(&frag.frag_key());
                }
                return FrameVerdict::Accepted(Action::FragmentHeld);
            }
            Reassembly::Dropped(reason) => return FrameVerdict::Dropped(Why::Reassembly(reason)),
            Reassembly::Complete { header, payload } => {
                self.scratch.clear();
                self.scratch.extend_from_slice(payload);
                header
            }
        };
        self.stats.reassembled += 1;
        let payload = core::mem::take(&mut self.scratch);
        let verdict = self.dispatch_ipv4(now, rx, &header, &payload);
        self.scratch = payload;
        verdict
    }

    /// Hand a whole datagram to its protocol.
    fn dispatch_ipv4(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        payload: &[u8],
    ) -> FrameVerdict {
        match header.protocol {
            IpProtocol::Icmp => self.handle_icmp(now, rx, header, payload),
            IpProtocol::Udp => self.handle_udp(now, rx, header, payload),
            IpProtocol::Tcp => self.handle_tcp(now, rx, header, payload),
            other => {
                // RFC 1122 3.2.2.1: "A host SHOULD generate Destination
                // Unreachable messages with code 2 (Protocol Unreachable)
                // when the designated transport protocol is not supported".
                let error = IcmpError::DstUnreachable(DstUnreachable::ProtoUnreachable);
                self.send_icmp_error(now, rx, header, payload, error);
                FrameVerdict::Dropped(Why::ProtocolUnreachable(other))
            }
        }
    }

    /// Send ICMP time exceeded (code 1) for each reassembly that timed out
    /// with its first fragment (RFC 792; RFC 1122 3.3.2); the rules of
    /// RFC 1122 3.2.2 forbid it for the others ("non-initial fragment").
    pub(super) fn reassembly_timeouts(&mut self, now: Instant) {
        for expired in self.reassembler.handle_timeout(now) {
            self.stats.reassembly_timeouts += 1;
            // Fragment 0's link-layer destination decides (it is the
            // datagram quoted).
            let rx = RxMeta {
                link_broadcast: expired.link_broadcast,
                ip_broadcast: self.is_broadcast(expired.header.dst_addr),
            };
            let error = IcmpError::TimeExceeded(TimeExceeded::FragExpired);
            self.send_icmp_error(now, rx, &expired.header, &expired.first_bytes, error);
        }
    }

    /// Send `payload` in a datagram built on `header` (addresses, protocol,
    /// TOS, DF and options are the caller's; TTL, ID and length are set
    /// here), fragmenting it and resolving the next hop as needed.
    pub(super) fn send_datagram(
        &mut self,
        now: Instant,
        mut header: Ipv4Repr,
        payload: &[u8],
        origin: Origin,
    ) -> Result<(), SendError> {
        let max = MAX_DATAGRAM_LEN - header.header_len();
        if payload.len() > max {
            return Err(SendError::TooLong { max });
        }
        header.payload_len = payload.len();
        header.ttl = self.config.ttl;
        // Fail a DF datagram now, not once ARP has resolved.
        fragments(&header, payload.len(), self.config.mtu)?;
        let hop = self.next_hop(header.dst_addr)?;
        header.ident = self
            .ip_ids
            .next(header.src_addr, header.dst_addr, header.protocol);
        let hop = match hop {
            NextHop::Broadcast => {
                return self.emit_datagram(EthernetAddress::BROADCAST, &header, payload)
            }
            NextHop::Unicast(hop) => hop,
        };
        if let Some(mac) = self.arp_cache.lookup(now, hop) {
            return self.emit_datagram(mac, &header, payload);
        }
        // A spare frame buffer, handed back once the datagram goes out.
        let mut buffer = self.frame_buffer();
        buffer.clear();
        buffer.extend_from_slice(payload);
        let payload = buffer;
        if self.wait_for_arp(
            now,
            hop,
            Queued {
                header,
                payload,
                origin,
            },
        ) {
            Ok(())
        } else {
            Err(SendError::QueueFull)
        }
    }

    /// Send the payload that `frame` holds after [`FRAME_HEADROOM`] bytes,
    /// as [`send_datagram`](Self::send_datagram) does, and with the same
    /// outcome, frames and IP IDs. When the datagram needs no fragment and
    /// no IP option and its next hop's MAC is known (every TCP segment of a
    /// running connection), the headers are written into the headroom and
    /// `frame` itself is queued: no copy of the payload, no allocation.
    pub(super) fn send_framed(
        &mut self,
        now: Instant,
        mut header: Ipv4Repr,
        mut frame: Vec<u8>,
        origin: Origin,
    ) -> Result<(), SendError> {
        let payload_len = frame.len().saturating_sub(FRAME_HEADROOM);
        let fits = header.header_len() == ip::HEADER_LEN
            && ip::HEADER_LEN + payload_len <= self.config.mtu;
        let mac = match self.next_hop(header.dst_addr) {
            Ok(NextHop::Unicast(hop)) if fits => self.arp_cache.lookup(now, hop),
            _ => None,
        };
        let Some(mac) = mac else {
            let result = self.send_datagram(now, header, &frame[FRAME_HEADROOM..], origin);
            self.recycle(frame);
            return result;
        };
        header.payload_len = payload_len;
        header.ttl = self.config.ttl;
        header.ident = self
            .ip_ids
            .next(header.src_addr, header.dst_addr, header.protocol);
        if self.tx_room() == 0 {
            self.stats.tx_queue_full += 1;
            self.recycle(frame);
            return Err(SendError::QueueFull);
        }
        // Ethernet padding: zeros up to the shortest frame.
        frame.resize(frame.len().max(MIN_FRAME_LEN), 0);
        let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
        eth.set_dst_addr(mac);
        eth.set_src_addr(self.config.mac);
        eth.set_ethertype(EtherType::Ipv4);
        let ip_header = &mut frame[ethernet::HEADER_LEN..FRAME_HEADROOM];
        header.emit(
            &mut Ipv4Packet::new_unchecked(ip_header),
            self.config.checksums,
        );
        self.tx.push_back(frame);
        Ok(())
    }

    /// Return whether a datagram to `dst` has somewhere to go.
    pub(super) fn has_route(&self, dst: Ipv4Addr) -> bool {
        self.next_hop(dst).is_ok()
    }

    fn next_hop(&self, dst: Ipv4Addr) -> Result<NextHop, SendError> {
        if self.is_broadcast(dst) {
            return Ok(NextHop::Broadcast);
        }
        // RFC 1122 3.2.1.3: 0.0.0.0 "MUST NOT be sent, except as a source
        // address", and 127/8 "MUST NOT appear outside a host".
        let special = dst.is_unspecified() || dst.is_multicast() || dst.is_loopback();
        if special || dst == self.config.ipv4 {
            return Err(SendError::NoRoute(dst));
        }
        if self.on_subnet(dst) {
            return Ok(NextHop::Unicast(dst));
        }
        self.config
            .gateway
            .map(NextHop::Unicast)
            .ok_or(SendError::NoRoute(dst))
    }

    /// Fragment a datagram for the MTU and queue its frames to `mac`: all
    /// of them, or none if the transmit queue cannot take them all.
    pub(super) fn emit_datagram(
        &mut self,
        mac: EthernetAddress,
        header: &Ipv4Repr,
        payload: &[u8],
    ) -> Result<(), SendError> {
        let policy = self.config.checksums;
        let len = header.header_len() + payload.len();
        if header.frag_offset == 0 && len <= self.config.mtu && len <= MAX_DATAGRAM_LEN {
            // The common case, a datagram that fits the MTU (and so needs
            // no fragment arithmetic): one frame, what `fragments` would
            // yield for it. The frame is written here rather than through
            // a helper shared with the loop below: both ways of sharing it
            // that were tried measured about 1% slower in bulk TCP.
            if self.tx_room() == 0 {
                self.stats.tx_queue_full += 1;
                return Err(SendError::QueueFull);
            }
            let piece = Ipv4Repr {
                payload_len: payload.len(),
                ..*header
            };
            self.queue_frame(mac, EtherType::Ipv4, len, |buf| {
                let (head, body) = buf.split_at_mut(piece.header_len());
                piece.emit(&mut Ipv4Packet::new_unchecked(head), policy);
                body.copy_from_slice(payload);
            });
            return Ok(());
        }
        let pieces = fragments(header, payload.len(), self.config.mtu)?;
        if pieces.len() > self.tx_room() {
            self.stats.tx_queue_full += 1;
            return Err(SendError::QueueFull);
        }
        for (piece, range) in pieces {
            let data = &payload[range];
            let piece = Ipv4Repr {
                payload_len: data.len(),
                ..piece
            };
            self.queue_frame(mac, EtherType::Ipv4, piece.buffer_len(), |buf| {
                let (head, body) = buf.split_at_mut(piece.header_len());
                piece.emit(&mut Ipv4Packet::new_unchecked(head), policy);
                body.copy_from_slice(data);
            });
        }
        Ok(())
    }
}

/// Name the reason an IPv4 header did not parse.
fn ipv4_error(err: WireError) -> Why {
    match err {
        WireError::Invalid {
            field: "version",
            value,
        } => Why::BadVersion(value as u8),
        WireError::BadChecksum { .. } => Why::BadChecksum(Layer::Ipv4),
        err => Why::Malformed(Layer::Ipv4, err),
    }
}
