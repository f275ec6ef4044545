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
use core::ops::Range;

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

mod tiles;

#[cfg(test)]
pub(super) use tiles::tiles_exactly;
use tiles::{tiles, Arrival, Target};

/// A datagram the application sent; its payload is
/// `Oracle::store[payload]`.
#[derive(Debug)]
struct Sent {
    src_port: u16,
    dst: SocketAddrV4,
    payload: Range<usize>,
}

/// An echo request the application sent; its data is `Oracle::store[data]`.
#[derive(Debug)]
struct Ping {
    dst: Ipv4Addr,
    ident: u16,
    seq_no: u16,
    data: Range<usize>,
}

/// The records, and the checks against them.
#[derive(Debug, Default)]
pub struct Oracle {
    /// What arrived under each fragment key (in order of key), in order
    /// of offset. Sorted `Vec`s rather than maps, here and below, so that
    /// they can be kept from run to run.
    arrivals: Vec<(Ipv4FragKey, Vec<Arrival>)>,
    /// Emptied lists of arrivals, for new keys.
    spare_lists: Vec<Vec<Arrival>>,
    /// The bytes of every arrival, send and ping, end to end.
    store: Vec<u8>,
    /// (sender MAC, sender address) of every ARP request for our address,
    /// sorted.
    arp_requests: Vec<(EthernetAddress, Ipv4Addr)>,
    /// (sender address, sender MAC) of every ARP packet, sorted.
    arp_claims: Vec<(Ipv4Addr, EthernetAddress)>,
    sends: Vec<Sent>,
    pings: Vec<Ping>,
    icmp_errors: u64,
    /// When the host last asked for each address, sorted by address.
    last_arp_request: Vec<(Ipv4Addr, Instant)>,
    /// The header of a datagram the host is sending in fragments.
    outgoing: Option<Ipv4Repr>,
    /// Its payload so far (kept empty otherwise, to reuse its allocation).
    outgoing_bytes: Vec<u8>,
    /// Scratch for [`tiles`].
    reached: Vec<bool>,
}

/// The buffers of an [`Oracle`], kept from one run for the next: they
/// keep their allocations, not their contents.
#[derive(Debug, Default)]
pub struct OracleBuffers {
    arrivals: Vec<(Ipv4FragKey, Vec<Arrival>)>,
    spare_lists: Vec<Vec<Arrival>>,
    arp_requests: Vec<(EthernetAddress, Ipv4Addr)>,
    arp_claims: Vec<(Ipv4Addr, EthernetAddress)>,
    last_arp_request: Vec<(Ipv4Addr, Instant)>,
    store: Vec<u8>,
    sends: Vec<Sent>,
    pings: Vec<Ping>,
    outgoing_bytes: Vec<u8>,
    reached: Vec<bool>,
}

impl Oracle {
    /// Return an oracle that has recorded nothing, building its records in
    /// `buffers` (emptied first).
    pub fn with_buffers(buffers: OracleBuffers) -> Oracle {
        let OracleBuffers {
            mut arrivals,
            mut spare_lists,
            mut arp_requests,
            mut arp_claims,
            mut last_arp_request,
            mut store,
            mut sends,
            mut pings,
            mut outgoing_bytes,
            mut reached,
        } = buffers;
        for (_, mut list) in arrivals.drain(..) {
            list.clear();
            spare_lists.push(list);
        }
        arp_requests.clear();
        arp_claims.clear();
        last_arp_request.clear();
        store.clear();
        sends.clear();
        pings.clear();
        outgoing_bytes.clear();
        reached.clear();
        Oracle {
            arrivals,
            spare_lists,
            arp_requests,
            arp_claims,
            last_arp_request,
            store,
            sends,
            pings,
            outgoing_bytes,
            reached,
            ..Oracle::default()
        }
    }

    /// Return the buffers, for a later oracle.
    pub fn into_buffers(self) -> OracleBuffers {
        OracleBuffers {
            arrivals: self.arrivals,
            spare_lists: self.spare_lists,
            arp_requests: self.arp_requests,
            arp_claims: self.arp_claims,
            last_arp_request: self.last_arp_request,
            store: self.store,
            sends: self.sends,
            pings: self.pings,
            outgoing_bytes: self.outgoing_bytes,
            reached: self.reached,
        }
    }

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
                let bytes = packet.payload();
                let arrival = Arrival {
                    offset: header.frag_offset_bytes(),
                    start: self.store.len(),
                    len: bytes.len(),
                    link_unicast: eth.dst_addr == US_MAC,
                };
                self.store.extend_from_slice(bytes);
                let key = header.frag_key();
                let arrivals = match self.arrivals.binary_search_by(|(k, _)| k.cmp(&key)) {
                    Ok(i) => &mut self.arrivals[i].1,
                    Err(i) => {
                        let list = self.spare_lists.pop().unwrap_or_default();
                        self.arrivals.insert(i, (key, list));
                        &mut self.arrivals[i].1
                    }
                };
                let at = arrivals.partition_point(|a| a.offset <= arrival.offset);
                arrivals.insert(at, arrival);
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
        insert_sorted(&mut self.arp_claims, (spa, sha));
        if arp.operation == ArpOperation::Request {
            insert_sorted(&mut self.arp_requests, (sha, spa));
        }
    }

    /// Record a datagram the application sent (the send returned `Ok`).
    pub fn record_send(&mut self, src_port: u16, dst: SocketAddrV4, payload: &[u8]) {
        if self.was_sent(src_port, dst, payload) {
            return;
        }
        let start = self.store.len();
        self.store.extend_from_slice(payload);
        self.sends.push(Sent {
            src_port,
            dst,
            payload: start..self.store.len(),
        });
    }

    /// Return whether the application sent this datagram.
    fn was_sent(&self, src_port: u16, dst: SocketAddrV4, payload: &[u8]) -> bool {
        (self.sends.iter()).any(|s| {
            s.src_port == src_port && s.dst == dst && self.store[s.payload.clone()] == *payload
        })
    }

    /// Record an echo request the application sent.
    pub fn record_ping(&mut self, dst: Ipv4Addr, ident: u16, seq_no: u16, data: &[u8]) {
        let start = self.store.len();
        self.store.extend_from_slice(data);
        self.pings.push(Ping {
            dst,
            ident,
            seq_no,
            data: start..self.store.len(),
        });
    }

    /// Return whether some arrivals from `src` under `protocol` whose
    /// destination passes `dst` tile `target` (see [`tiles`]).
    fn arrived(
        &mut self,
        (src, protocol): (Ipv4Addr, IpProtocol),
        dst: impl Fn(Ipv4Addr) -> bool,
        target: &Target,
        exact: bool,
    ) -> bool {
        let Oracle {
            arrivals,
            store,
            reached,
            ..
        } = self;
        (arrivals.iter())
            .filter(|(k, _)| k.src_addr == src && k.protocol == protocol && dst(k.dst_addr))
            .any(|(_, arrivals)| tiles(arrivals, store, target, exact, reached))
    }

    /// Check a datagram read from a socket bound to `local`.
    pub fn check_delivered(&mut self, host: &Host, local: SocketAddrV4, got: &UdpDatagram) {
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
        let [[s0, s1], [d0, d1], [l0, l1]] =
            [got.from.port(), local.port(), len].map(|n| n.to_be_bytes().map(Some));
        // Ports and length exactly, the checksum free.
        let target = Target {
            head: [s0, s1, d0, d1, l0, l1, None, None],
            head_len: 8,
            data: &got.payload,
        };
        let from = (*got.from.ip(), IpProtocol::Udp);
        let explained = self.arrived(from, |dst| dst == got.to, &target, false);
        assert!(
            explained,
            "socket {local} got {} bytes from {} that no datagram sent to {} carried",
            got.payload.len(),
            got.from,
            got.to
        );
    }

    /// Check an echo reply the host queued for the application.
    pub fn check_echo_reply(&mut self, reply: &EchoReply) {
        let target = Target::echo(0, reply.ident, reply.seq_no, &reply.data);
        let from = (reply.from, IpProtocol::Icmp);
        let explained = self.arrived(from, |_| true, &target, true);
        assert!(
            explained,
            "an echo reply from {} that was never received",
            reply.from
        );
    }

    /// Check that no datagram is left half sent at the end of a poll loop.
    pub fn end_of_poll(&mut self) {
        if let Some(header) = self.outgoing.take() {
            panic!(
                "a poll loop ended in the middle of a fragmented datagram: {} of {}",
                self.outgoing_bytes.len(),
                header.dst_addr
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
                let times = &mut self.last_arp_request;
                let last = match times.binary_search_by_key(&target, |(ip, _)| *ip) {
                    Ok(i) => Some(core::mem::replace(&mut times[i].1, now)),
                    Err(i) => {
                        times.insert(i, (target, now));
                        None
                    }
                };
                if let Some(last) = last {
                    assert!(
                        now >= last + interval,
                        "ARP requests for {target} at {last} and {now}, closer than {interval:?}"
                    );
                }
            }
            ArpOperation::Reply => {
                let asked = (arp.target_hardware_addr, target);
                assert!(
                    self.arp_requests.binary_search(&asked).is_ok(),
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
                self.arp_claims.binary_search(&(hop, dst_mac)).is_ok(),
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
            if !header.more_frags {
                // Whole: nothing to gather.
                return self.check_datagram_out(host, now, header, payload);
            }
            self.outgoing = Some(*header);
            self.outgoing_bytes.clear();
        }
        let Some(first) = self.outgoing else {
            panic!("a fragment at offset {offset} of a datagram whose start was not sent");
        };
        assert_eq!(
            first.frag_key(),
            header.frag_key(),
            "fragments of two datagrams mixed"
        );
        let bytes = &mut self.outgoing_bytes;
        assert_eq!(offset, bytes.len(), "the host's fragments out of order");
        assert!(
            !header.more_frags || payload.len().is_multiple_of(8),
            "a fragment of {} bytes with MF set",
            payload.len()
        );
        bytes.extend_from_slice(payload);
        if header.more_frags {
            return;
        }
        self.outgoing = None;
        let whole = Ipv4Repr {
            more_frags: false,
            payload_len: bytes.len(),
            ..first
        };
        let bytes = core::mem::take(&mut self.outgoing_bytes);
        self.check_datagram_out(host, now, &whole, &bytes);
        self.outgoing_bytes = bytes;
    }

    fn check_datagram_out(&mut self, host: &Host, now: Instant, header: &Ipv4Repr, bytes: &[u8]) {
        let (src, dst) = (header.src_addr, header.dst_addr);
        let policy = ChecksumPolicy::Verify;
        match header.protocol {
            IpProtocol::Udp => {
                let udp = UdpPacket::new_checked(bytes)
                    .and_then(|p| UdpRepr::parse(&p, src, dst, policy))
                    .unwrap_or_else(|e| panic!("a UDP datagram that does not parse: {e}"));
                let to = SocketAddrV4::new(dst, udp.dst_port);
                assert!(
                    self.was_sent(udp.src_port, to, udp.payload),
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
                let target = Target::echo(8, ident, seq_no, data);
                let broadcast_ok = host.config().icmp.echo_broadcast;
                let to =
                    |d: Ipv4Addr| d == host.config().ipv4 || broadcast_ok && host.is_broadcast(d);
                let explained = self.arrived((dst, IpProtocol::Icmp), to, &target, true);
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
                let asked = (self.pings.iter()).any(|p| {
                    (p.dst, p.ident, p.seq_no) == (dst, ident, seq_no)
                        && self.store[p.data.clone()] == *data
                });
                assert!(asked, "an echo request nobody asked for");
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
        let key = quoted.frag_key();
        let found = self.arrivals.binary_search_by(|(k, _)| k.cmp(&key));
        let Some((_, arrivals)) = found.ok().map(|i| &self.arrivals[i]) else {
            panic!("an ICMP error about a datagram never received: {quoted}");
        };
        assert!(
            arrivals.iter().any(|a| a.link_unicast),
            "an ICMP error about a datagram received as a link-layer broadcast (RFC 1122 3.2.2)"
        );
        let target = Target::exactly(data);
        assert!(
            tiles(arrivals, &self.store, &target, false, &mut self.reached),
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

/// Insert `item` into the sorted `items` unless it is there.
fn insert_sorted<T: Ord>(items: &mut Vec<T>, item: T) {
    if let Err(at) = items.binary_search(&item) {
        items.insert(at, item);
    }
}
