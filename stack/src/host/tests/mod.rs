//! Tests of the host, one file per protocol, with shared helpers here.
//!
//! Frames are built with the wire layer's `Repr`s and parsed back the same
//! way, so a test reads as "this frame in, that frame out".

mod arp;
mod fuzz_regressions;
mod icmp;
mod ipv4;
mod pair;
mod parts;
mod tcp;
mod tcp_api;
mod tcp_pair;
mod udp;

use core::net::SocketAddrV4;

use super::{Action, FrameVerdict, Host, HostConfig, UdpHandle, Why};
use crate::time::Instant;
use crate::wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use crate::wire::ethernet::{EthernetFrame, EthernetRepr};
use crate::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use crate::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use crate::wire::udp::{UdpPacket, UdpRepr};
use crate::wire::{ChecksumPolicy, EtherType, EthernetAddress, IpProtocol, Ipv4Addr};

/// The host under test.
const MAC_US: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
const IP_US: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The peer the tests play.
const MAC_PEER: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
const IP_PEER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
/// A third machine on the subnet.
const MAC_OTHER: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x03]);
const IP_OTHER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 3);
/// The subnet's directed broadcast.
const IP_SUBNET_BROADCAST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 255);

const T0: Instant = Instant::ZERO;

fn ms(millis: u64) -> Instant {
    Instant::from_millis(millis)
}

/// The peer's configuration, for two-host tests.
fn peer_config() -> HostConfig {
    HostConfig {
        mac: MAC_PEER,
        ipv4: IP_PEER,
        ..HostConfig::default()
    }
}

fn host() -> Host {
    Host::new(HostConfig::default()).unwrap()
}

fn host_with(edit: impl FnOnce(&mut HostConfig)) -> Host {
    let mut config = HostConfig::default();
    edit(&mut config);
    Host::new(config).unwrap()
}

/// Build an Ethernet frame around `payload`.
fn ethernet(
    dst: EthernetAddress,
    src: EthernetAddress,
    ethertype: EtherType,
    payload: &[u8],
) -> Vec<u8> {
    let eth = EthernetRepr {
        dst_addr: dst,
        src_addr: src,
        vlan: None,
        ethertype,
    };
    let mut buffer = vec![0; eth.buffer_len(payload.len())];
    let mut frame = EthernetFrame::new_unchecked(&mut buffer[..]);
    eth.emit(&mut frame);
    frame.payload_mut()[..payload.len()].copy_from_slice(payload);
    buffer
}

fn arp_bytes(arp: &ArpRepr) -> Vec<u8> {
    let mut bytes = vec![0; arp.buffer_len()];
    arp.emit(&mut ArpPacket::new_unchecked(&mut bytes[..]));
    bytes
}

/// An ARP frame from `arp`'s sender, to `dst`.
fn arp_frame(dst: EthernetAddress, arp: &ArpRepr) -> Vec<u8> {
    ethernet(
        dst,
        arp.source_hardware_addr,
        EtherType::Arp,
        &arp_bytes(arp),
    )
}

/// Return `header` + `payload` as datagram bytes (checksum filled).
fn datagram(header: &Ipv4Repr, payload: &[u8]) -> Vec<u8> {
    let header = Ipv4Repr {
        payload_len: payload.len(),
        ..*header
    };
    let mut bytes = vec![0; header.buffer_len()];
    header.emit(
        &mut Ipv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    bytes[header.header_len()..].copy_from_slice(payload);
    bytes
}

/// An IPv4 frame from the peer's MAC to ours.
fn ip_frame(header: &Ipv4Repr, payload: &[u8]) -> Vec<u8> {
    ethernet(
        MAC_US,
        MAC_PEER,
        EtherType::Ipv4,
        &datagram(header, payload),
    )
}

fn udp_bytes(src: Ipv4Addr, dst: Ipv4Addr, src_port: u16, dst_port: u16, data: &[u8]) -> Vec<u8> {
    let udp = UdpRepr {
        src_port,
        dst_port,
        payload: data,
    };
    let mut bytes = vec![0; udp.buffer_len()];
    udp.emit(
        &mut UdpPacket::new_unchecked(&mut bytes[..]),
        src,
        dst,
        ChecksumPolicy::Verify,
    );
    bytes
}

/// A UDP datagram from the peer, port 5000, to `dst`:`dst_port`.
fn udp_frame(dst: Ipv4Addr, dst_port: u16, data: &[u8]) -> Vec<u8> {
    let bytes = udp_bytes(IP_PEER, dst, 5000, dst_port, data);
    ip_frame(
        &Ipv4Repr::new(IP_PEER, dst, IpProtocol::Udp, bytes.len()),
        &bytes,
    )
}

fn icmp_bytes(icmp: &Icmpv4Repr<'_>) -> Vec<u8> {
    let mut bytes = vec![0; icmp.buffer_len()];
    icmp.emit(
        &mut Icmpv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    bytes
}

/// An ICMP message from the peer to us.
fn icmp_frame(icmp: &Icmpv4Repr<'_>) -> Vec<u8> {
    let bytes = icmp_bytes(icmp);
    ip_frame(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Icmp, bytes.len()),
        &bytes,
    )
}

/// Take every frame the host has to send.
fn drain(host: &mut Host, now: Instant) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| host.poll_transmit(now)).collect()
}

/// A frame the host sent, parsed.
#[derive(Debug)]
enum Sent {
    Arp(EthernetRepr, ArpRepr),
    Ipv4(EthernetRepr, Ipv4Repr, Vec<u8>),
}

#[track_caller]
fn parse(frame: &[u8]) -> Sent {
    let eth_frame = EthernetFrame::new_checked(frame).unwrap();
    let eth = EthernetRepr::parse(&eth_frame).unwrap();
    assert_eq!(eth.src_addr, MAC_US, "the host sends from its own MAC");
    match eth.ethertype {
        EtherType::Arp => {
            let arp =
                ArpRepr::parse(&ArpPacket::new_checked(eth_frame.payload()).unwrap()).unwrap();
            Sent::Arp(eth, arp)
        }
        EtherType::Ipv4 => {
            let packet = Ipv4Packet::new_checked(eth_frame.payload()).unwrap();
            let header = Ipv4Repr::parse(&packet, ChecksumPolicy::Verify).unwrap();
            assert_ne!(header.ttl, 0, "RFC 1122 3.2.1.7: never send TTL 0");
            Sent::Ipv4(eth, header, packet.payload().to_vec())
        }
        other => panic!("unexpected EtherType {other}"),
    }
}

#[track_caller]
fn parse_arp(frame: &[u8]) -> (EthernetRepr, ArpRepr) {
    match parse(frame) {
        Sent::Arp(eth, arp) => (eth, arp),
        other => panic!("expected ARP, got {other:?}"),
    }
}

#[track_caller]
fn parse_ipv4(frame: &[u8]) -> (EthernetRepr, Ipv4Repr, Vec<u8>) {
    match parse(frame) {
        Sent::Ipv4(eth, header, payload) => (eth, header, payload),
        other => panic!("expected IPv4, got {other:?}"),
    }
}

/// Parse the one ICMP message the host sent, and check it went to `dst`.
#[track_caller]
fn only_icmp(host: &mut Host, now: Instant, dst: Ipv4Addr) -> Vec<u8> {
    let frames = drain(host, now);
    assert_eq!(frames.len(), 1, "expected one frame, got {}", frames.len());
    let (_, header, payload) = parse_ipv4(&frames[0]);
    assert_eq!(
        (header.protocol, header.src_addr, header.dst_addr),
        (IpProtocol::Icmp, IP_US, dst)
    );
    payload
}

#[track_caller]
fn icmp(bytes: &[u8]) -> Icmpv4Repr<'_> {
    Icmpv4Repr::parse(
        &Icmpv4Packet::new_checked(bytes).unwrap(),
        ChecksumPolicy::Verify,
    )
    .unwrap()
}

#[track_caller]
fn assert_dropped(verdict: FrameVerdict, why: Why) {
    assert_eq!(verdict, FrameVerdict::Dropped(why));
}

#[track_caller]
fn assert_accepted(verdict: FrameVerdict, action: Action) {
    assert_eq!(verdict, FrameVerdict::Accepted(action));
}

/// Teach `host` that the peer is at `MAC_PEER`, as a request from it does.
fn learn_peer(host: &mut Host, now: Instant) {
    let request = ArpRepr::request(MAC_PEER, IP_PEER, IP_US);
    assert_accepted(
        host.handle_frame(now, &arp_frame(EthernetAddress::BROADCAST, &request)),
        Action::ArpReplied,
    );
    drain(host, now);
}

/// The peer's answer to the host's request for `ip`.
fn arp_reply(ip: Ipv4Addr, mac: EthernetAddress) -> Vec<u8> {
    let reply = ArpRepr {
        operation: ArpOperation::Reply,
        source_hardware_addr: mac,
        source_protocol_addr: ip,
        target_hardware_addr: MAC_US,
        target_protocol_addr: IP_US,
    };
    arp_frame(MAC_US, &reply)
}

fn any_port(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)
}

fn bind(host: &mut Host, port: u16) -> UdpHandle {
    host.udp_bind(any_port(port)).unwrap()
}
