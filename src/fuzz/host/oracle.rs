//! What the `host` target knows of the host's inputs, and the checks of
//! everything the host gives out against them.
//!
//! The oracle records every frame handed to the host (parsed with checksums
//! ignored, so it knows a superset of what the host accepted), every ARP
//! packet, and every application send and ping. Then each frame the host
//! transmits, each datagram it delivers and each echo reply it queues must
//! be explained by those records; see the [target's docs](super) for the list.
//!
//! Payloads are matched without a model of reassembly: a datagram the host
//! hands on is explained when the fragments received under its key
//! (RFC 791 3.2: source, destination, protocol, identification) can be laid
//! end to end from offset 0 to give its bytes ([`tiles`]). Whatever order,
//! duplicates or overlaps came in, a correct reassembler only ever produces
//! such a tiling.

use core::net::SocketAddrV4;
use std::collections::{BTreeMap, BTreeSet};

use stack::host::{EchoReply, Host, UdpDatagram};
use stack::time::Instant;
use stack::wire::arp::{ArpOperation, ArpRepr};
use stack::wire::ethernet::{EthernetFrame, EthernetRepr};
use stack::wire::frame::{FrameRepr, NetworkRepr};
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Quote, Icmpv4Repr, TimeExceeded};
use stack::wire::ipv4::{Ipv4FragKey, Ipv4Packet, Ipv4Repr};
use stack::wire::tcp::{TcpRepr, TcpSegment};
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, EtherType, EthernetAddress, IpProtocol, Ipv4Addr};

use super::build::US_MAC;

/// One frame's worth of a datagram, as it arrived.
#[derive(Debug)]
struct Arrival {
    offset: usize,
    bytes: Vec<u8>,
    link_unicast: bool,
}

/// A datagram the application sent.
#[derive(Debug, PartialEq, Eq)]
struct Sent {
    src_port: u16,
    dst: SocketAddrV4,
    payload: Vec<u8>,
}

/// A datagram the host is sending in fragments.
#[derive(Debug)]
struct Outgoing {
    header: Ipv4Repr,
    bytes: Vec<u8>,
}

/// The records, and the checks against them.
#[derive(Debug, Default)]
pub struct Oracle {
    arrivals: BTreeMap<Ipv4FragKey, Vec<Arrival>>,
    /// (sender MAC, sender address) of every ARP request for our address.
    arp_requests: BTreeSet<(EthernetAddress, Ipv4Addr)>,
    /// (sender address, sender MAC) of every ARP packet.
    arp_claims: BTreeSet<(Ipv4Addr, EthernetAddress)>,
    sends: Vec<Sent>,
    pings: Vec<(Ipv4Addr, u16, u16, Vec<u8>)>,
    icmp_errors: u64,
    last_arp_request: BTreeMap<Ipv4Addr, Instant>,
    outgoing: Option<Outgoing>,
}

/// Return whether `pieces` laid end to end from offset 0 give `target`
/// (`None` matches any byte): all of it exactly, or, unless `exact`, a
/// prefix of what they cover.
fn tiles<'a>(
    pieces: impl Iterator<Item = &'a Arrival>,
    target: &[Option<u8>],
    exact: bool,
) -> bool {
    let mut by_offset: BTreeMap<usize, Vec<&[u8]>> = BTreeMap::new();
    for piece in pieces {
        by_offset
            .entry(piece.offset)
            .or_default()
            .push(&piece.bytes);
    }
    let len = target.len();
    let mut reached = vec![false; len + 1];
    reached[0] = true;
    for (&offset, candidates) in by_offset.range(..=len) {
        if !reached[offset] {
            continue;
        }
        for bytes in candidates {
            let end = offset + bytes.len();
            if exact && end > len {
                continue;
            }
            let wanted = &target[offset..end.min(len)];
            if wanted
                .iter()
                .zip(bytes.iter())
                .all(|(t, b)| t.is_none_or(|t| t == *b))
            {
                reached[end.min(len)] = true;
            }
        }
    }
    reached[len]
}

/// Return `bytes` as a target that must match exactly.
fn exactly(bytes: &[u8]) -> impl Iterator<Item = Option<u8>> + '_ {
    bytes.iter().copied().map(Some)
}

/// Return the ICMP echo message `msg_type` as a target (checksum free).
fn echo_target(msg_type: u8, ident: u16, seq_no: u16, data: &[u8]) -> Vec<Option<u8>> {
    let head = [Some(msg_type), Some(0), None, None];
    (head.into_iter())
        .chain(exactly(&ident.to_be_bytes()))
        .chain(exactly(&seq_no.to_be_bytes()))
        .chain(exactly(data))
        .collect()
}

impl Oracle {
    /// Record a frame about to be handed to the host.
    pub fn record_injected(&mut self, frame: &[u8]) {
        let Ok(view) = EthernetFrame::new_checked(frame) else {
            return;
        };
        let Ok(eth) = EthernetRepr::parse(&view) else {
            return;
        };
        let payload = view.payload();
        match eth.ethertype {
            EtherType::Arp => self.record_arp(payload),
            EtherType::Ipv4 => {
                let Ok(packet) = Ipv4Packet::new_checked(payload) else {
                    return;
                };
                let Ok(header) = Ipv4Repr::parse(&packet, ChecksumPolicy::Ignore) else {
                    return;
                };
                self.arrivals
                    .entry(header.frag_key())
                    .or_default()
                    .push(Arrival {
                        offset: header.frag_offset_bytes(),
                        bytes: packet.payload().to_vec(),
                        link_unicast: eth.dst_addr == US_MAC,
                    });
            }
            _ => {}
        }
    }

    fn record_arp(&mut self, payload: &[u8]) {
        let packet = stack::wire::arp::ArpPacket::new_unchecked(payload);
        let Ok(arp) = ArpRepr::parse(&packet) else {
            return;
        };
        let (sha, spa) = (arp.source_hardware_addr, arp.source_protocol_addr);
        self.arp_claims.insert((spa, sha));
        if arp.operation == ArpOperation::Request {
            self.arp_requests.insert((sha, spa));
        }
    }

    /// Record a datagram the application sent (the send returned `Ok`).
    pub fn record_send(&mut self, src_port: u16, dst: SocketAddrV4, payload: Vec<u8>) {
        let sent = Sent {
            src_port,
            dst,
            payload,
        };
        if !self.sends.contains(&sent) {
            self.sends.push(sent);
        }
    }

    /// Record an echo request the application sent.
    pub fn record_ping(&mut self, dst: Ipv4Addr, ident: u16, seq_no: u16, data: Vec<u8>) {
        self.pings.push((dst, ident, seq_no, data));
    }

    /// Return the arrivals of datagrams from `src` under `protocol` whose
    /// destination passes `dst`.
    fn arrivals_from(
        &self,
        src: Ipv4Addr,
        protocol: IpProtocol,
        dst: impl Fn(Ipv4Addr) -> bool,
    ) -> impl Iterator<Item = &Vec<Arrival>> {
        (self.arrivals.iter())
            .filter(move |(k, _)| k.src_addr == src && k.protocol == protocol && dst(k.dst_addr))
            .map(|(_, arrivals)| arrivals)
    }

    /// Check a datagram read from a socket bound to `local`.
    pub fn check_delivered(&self, host: &Host, local: SocketAddrV4, got: &UdpDatagram) {
        let to_us = got.to == host.config().ipv4;
        assert!(
            to_us || host.is_broadcast(got.to),
            "delivered a datagram sent to {}, neither us nor a broadcast",
            got.to
        );
        assert!(
            local.ip().is_unspecified() || to_us,
            "a socket bound to {local} got a datagram sent to {}",
            got.to
        );
        let len = (8 + got.payload.len()) as u16;
        let head = [got.from.port(), local.port(), len].map(u16::to_be_bytes);
        let target: Vec<Option<u8>> = (head.iter().flat_map(|b| exactly(b)))
            .chain([None, None])
            .chain(exactly(&got.payload))
            .collect();
        let explained = self
            .arrivals_from(*got.from.ip(), IpProtocol::Udp, |dst| dst == got.to)
            .any(|arrivals| tiles(arrivals.iter(), &target, false));
        assert!(
            explained,
            "socket {local} got {} bytes from {} that no datagram sent to {} carried",
            got.payload.len(),
            got.from,
            got.to
        );
    }

    /// Check an echo reply the host queued for the application.
    pub fn check_echo_reply(&self, reply: &EchoReply) {
        let target = echo_target(0, reply.ident, reply.seq_no, &reply.data);
        let explained = self
            .arrivals_from(reply.from, IpProtocol::Icmp, |_| true)
            .any(|arrivals| tiles(arrivals.iter(), &target, true));
        assert!(
            explained,
            "an echo reply from {} that was never received",
            reply.from
        );
    }

    /// Check that no datagram is left half sent at the end of a poll loop.
    pub fn end_of_poll(&mut self) {
        if let Some(out) = self.outgoing.take() {
            panic!(
                "a poll loop ended in the middle of a fragmented datagram: {} of {}",
                out.bytes.len(),
                out.header.dst_addr
            );
        }
    }

    /// Check one frame the host transmitted at `now`.
    pub fn check_transmitted(&mut self, host: &Host, now: Instant, frame: &[u8]) {
        let config = host.config();
        assert!(
            frame.len() >= 60,
            "a frame of {} bytes, under the minimum",
            frame.len()
        );
        assert!(
            frame.len() <= 14 + config.mtu,
            "a frame of {} bytes, over the MTU",
            frame.len()
        );
        let repr = match FrameRepr::parse(frame, ChecksumPolicy::Verify) {
            Ok(repr) => repr,
            Err(e) => panic!("a transmitted frame does not parse with checksums verified: {e}"),
        };
        assert_eq!(
            repr.ethernet.src_addr, config.mac,
            "a frame from another MAC"
        );
        assert!(repr.ethernet.vlan.is_none(), "a VLAN-tagged frame");
        let dst_mac = repr.ethernet.dst_addr;
        match repr.network {
            NetworkRepr::Arp(arp) => self.check_arp_out(host, now, dst_mac, &arp),
            NetworkRepr::Ipv4 { header, .. } => {
                let packet = Ipv4Packet::new_unchecked(&frame[14..]);
                self.check_ipv4_out(host, now, dst_mac, &header, packet.payload());
            }
            NetworkRepr::Other(_) => panic!("a frame of EtherType {}", repr.ethernet.ethertype),
        }
    }

    fn check_arp_out(&mut self, host: &Host, now: Instant, dst: EthernetAddress, arp: &ArpRepr) {
        let config = host.config();
        assert_eq!(
            arp.source_hardware_addr, config.mac,
            "ARP with another sender MAC"
        );
        assert_eq!(
            arp.source_protocol_addr, config.ipv4,
            "ARP with another sender address"
        );
        let target = arp.target_protocol_addr;
        match arp.operation {
            ArpOperation::Request => {
                assert!(dst.is_broadcast(), "an ARP request not broadcast");
                assert!(
                    host.on_subnet(target) && target != config.ipv4 && !host.is_broadcast(target),
                    "an ARP request for {target}, which is no neighbour"
                );
                // RFC 1122 2.3.2.1: at most one request per interval per address.
                let interval = config.arp.request_interval;
                if let Some(last) = self.last_arp_request.insert(target, now) {
                    assert!(
                        now >= last + interval,
                        "ARP requests for {target} at {last} and {now}, closer than {interval:?}"
                    );
                }
            }
            ArpOperation::Reply => {
                let asked = (arp.target_hardware_addr, target);
                assert!(
                    self.arp_requests.contains(&asked),
                    "an ARP reply to {} at {target}, who never asked",
                    arp.target_hardware_addr
                );
                assert_eq!(dst, arp.target_hardware_addr, "an ARP reply sent elsewhere");
            }
            other => panic!("an ARP packet with operation {other}"),
        }
    }

    fn check_ipv4_out(
        &mut self,
        host: &Host,
        now: Instant,
        dst_mac: EthernetAddress,
        header: &Ipv4Repr,
        payload: &[u8],
    ) {
        let config = host.config();
        let dst = header.dst_addr;
        assert_eq!(
            header.src_addr, config.ipv4,
            "a datagram from another address"
        );
        // RFC 1122 3.2.1.7: never TTL 0.
        assert!(header.ttl != 0, "a datagram with TTL 0");
        assert_eq!(
            header.ttl, config.ttl,
            "a datagram with another TTL than configured"
        );
        // RFC 1122 3.2.1.3: 0.0.0.0 and 127/8 never go out as destinations.
        assert!(
            !(dst.is_unspecified()
                || dst.is_loopback()
                || dst.is_multicast()
                || dst == config.ipv4),
            "a datagram sent to {dst}"
        );
        if host.is_broadcast(dst) {
            assert!(dst_mac.is_broadcast(), "a broadcast datagram to {dst_mac}");
        } else {
            let gateway = config.gateway.filter(|_| !host.on_subnet(dst));
            let hop = gateway.unwrap_or(dst);
            assert!(
                self.arp_claims.contains(&(hop, dst_mac)),
                "a datagram for {dst} sent to {dst_mac}, which no ARP packet gave for {hop}"
            );
        }
        self.reassemble_out(host, now, header, payload);
    }

    /// Gather the host's own fragments, which go out in order and back to
    /// back; check each whole datagram.
    fn reassemble_out(&mut self, host: &Host, now: Instant, header: &Ipv4Repr, payload: &[u8]) {
        let offset = header.frag_offset_bytes();
        if offset == 0 {
            self.end_of_poll();
            self.outgoing = Some(Outgoing {
                header: *header,
                bytes: Vec::new(),
            });
        }
        let Some(out) = self.outgoing.as_mut() else {
            panic!("a fragment at offset {offset} of a datagram whose start was not sent");
        };
        assert_eq!(
            out.header.frag_key(),
            header.frag_key(),
            "fragments of two datagrams mixed"
        );
        assert_eq!(offset, out.bytes.len(), "the host's fragments out of order");
        assert!(
            !header.more_frags || payload.len().is_multiple_of(8),
            "a fragment of {} bytes with MF set",
            payload.len()
        );
        out.bytes.extend_from_slice(payload);
        if header.more_frags {
            return;
        }
        // NOTE(unwrap): set above, or just found to be there.
        let out = self.outgoing.take().unwrap();
        let whole = Ipv4Repr {
            more_frags: false,
            payload_len: out.bytes.len(),
            ..out.header
        };
        self.check_datagram_out(host, now, &whole, &out.bytes);
    }

    fn check_datagram_out(&mut self, host: &Host, now: Instant, header: &Ipv4Repr, bytes: &[u8]) {
        let (src, dst) = (header.src_addr, header.dst_addr);
        let policy = ChecksumPolicy::Verify;
        match header.protocol {
            IpProtocol::Udp => {
                let udp = UdpPacket::new_checked(bytes)
                    .and_then(|p| UdpRepr::parse(&p, src, dst, policy))
                    .unwrap_or_else(|e| panic!("a UDP datagram that does not parse: {e}"));
                let sent = Sent {
                    src_port: udp.src_port,
                    dst: SocketAddrV4::new(dst, udp.dst_port),
                    payload: udp.payload.to_vec(),
                };
                assert!(
                    self.sends.contains(&sent),
                    "a UDP datagram nobody sent: {udp}"
                );
            }
            IpProtocol::Icmp => {
                let icmp = Icmpv4Packet::new_checked(bytes)
                    .and_then(|p| Icmpv4Repr::parse(&p, policy))
                    .unwrap_or_else(|e| panic!("an ICMP message that does not parse: {e}"));
                self.check_icmp_out(host, now, dst, &icmp);
            }
            IpProtocol::Tcp => {
                // TCP's own invariants are its targets'; here, it must parse.
                let seg = TcpSegment::new_checked(bytes)
                    .and_then(|s| TcpRepr::parse(&s, src, dst, policy).map(|_| ()));
                seg.unwrap_or_else(|e| panic!("a TCP segment that does not parse: {e}"));
            }
            other => panic!("a datagram of protocol {other}"),
        }
    }

    fn check_icmp_out(&mut self, host: &Host, now: Instant, dst: Ipv4Addr, icmp: &Icmpv4Repr) {
        match *icmp {
            Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => {
                let target = echo_target(8, ident, seq_no, data);
                let broadcast_ok = host.config().icmp.echo_broadcast;
                let to =
                    |d: Ipv4Addr| d == host.config().ipv4 || broadcast_ok && host.is_broadcast(d);
                let explained = self
                    .arrivals_from(dst, IpProtocol::Icmp, to)
                    .any(|arrivals| tiles(arrivals.iter(), &target, true));
                assert!(
                    explained,
                    "an echo reply to {dst} that answers no request it sent"
                );
            }
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                let ping = (dst, ident, seq_no, data.to_vec());
                assert!(
                    self.pings.contains(&ping),
                    "an echo request nobody asked for"
                );
            }
            Icmpv4Repr::DstUnreachable { reason, quote, .. } => {
                use stack::wire::icmpv4::DstUnreachable as Code;
                let protocol = quote.header().protocol;
                match reason {
                    Code::PortUnreachable => assert_eq!(protocol, IpProtocol::Udp, "{icmp}"),
                    Code::ProtoUnreachable => assert!(
                        !matches!(
                            protocol,
                            IpProtocol::Icmp | IpProtocol::Udp | IpProtocol::Tcp
                        ),
                        "protocol unreachable for {protocol}"
                    ),
                    _ => panic!("a destination unreachable the host has no reason to send: {icmp}"),
                }
                self.check_error_out(host, now, dst, &quote);
            }
            Icmpv4Repr::TimeExceeded { reason, quote, .. } => {
                assert_eq!(
                    reason,
                    TimeExceeded::FragExpired,
                    "a host forwards nothing: {icmp}"
                );
                assert!(
                    quote.header().more_frags,
                    "time exceeded about a whole datagram"
                );
                self.check_error_out(host, now, dst, &quote);
            }
            _ => panic!("an ICMP message the host has no reason to send: {icmp}"),
        }
    }

    /// Check an ICMP error against RFC 1122 3.2.2 and the datagram it quotes.
    fn check_error_out(&mut self, host: &Host, now: Instant, dst: Ipv4Addr, quote: &Icmpv4Quote) {
        let quoted = quote.header();
        let data = quote.data();
        let src = quoted.src_addr;
        assert_eq!(
            dst, src,
            "an ICMP error sent elsewhere than the quoted source"
        );
        let about_error = quoted.protocol == IpProtocol::Icmp
            && data
                .first()
                .is_some_and(|t| stack::wire::icmpv4::Icmpv4Message::from(*t).is_error());
        assert!(
            !about_error,
            "an ICMP error about an ICMP error (RFC 1122 3.2.2)"
        );
        let qdst = quoted.dst_addr;
        assert!(
            !(qdst.is_multicast() || host.is_broadcast(qdst)),
            "an ICMP error about a datagram to broadcast or multicast {qdst} (RFC 1122 3.2.2)"
        );
        assert_eq!(
            quoted.frag_offset, 0,
            "an ICMP error about a non-initial fragment (RFC 1122 3.2.2)"
        );
        assert!(
            !(src.is_unspecified()
                || src.is_loopback()
                || src.is_multicast()
                || src.octets()[0] >= 240),
            "an ICMP error about a datagram from {src}, no single host (RFC 1122 3.2.2)"
        );
        let Some(arrivals) = self.arrivals.get(&quoted.frag_key()) else {
            panic!("an ICMP error about a datagram never received: {quoted}");
        };
        assert!(
            arrivals.iter().any(|a| a.link_unicast),
            "an ICMP error about a datagram received as a link-layer broadcast (RFC 1122 3.2.2)"
        );
        let target: Vec<_> = exactly(data).collect();
        assert!(
            tiles(arrivals.iter(), &target, false),
            "an ICMP error quoting data never received"
        );
        // RFC 1122 3.2.2 asks for a rate limit: a token bucket, full at the start.
        self.icmp_errors += 1;
        let icmp = &host.config().icmp;
        if !icmp.error_interval.is_zero() {
            let refills = now.since_start().as_micros() / icmp.error_interval.as_micros();
            let allowed = u128::from(icmp.error_burst) + refills;
            assert!(
                u128::from(self.icmp_errors) <= allowed,
                "{} ICMP errors by {now}, over the rate limit",
                self.icmp_errors
            );
        }
    }
}

/// Return whether `pieces` tile `target` exactly; for the tests.
#[cfg(test)]
pub(super) fn tiles_exactly(pieces: &[(usize, &[u8])], target: &[u8]) -> bool {
    let arrivals: Vec<Arrival> = (pieces.iter())
        .map(|(offset, bytes)| Arrival {
            offset: *offset,
            bytes: bytes.to_vec(),
            link_unicast: true,
        })
        .collect();
    tiles(arrivals.iter(), &exactly(target).collect::<Vec<_>>(), true)
}
