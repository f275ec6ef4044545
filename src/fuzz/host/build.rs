//! Frames built from the fields of an [`ArpOp`] or an [`Ipv4Op`], with
//! every checksum right unless a [`Corrupt`] says otherwise.

use stack::wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use stack::wire::ethernet::{EthernetFrame, EthernetRepr};
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::{Ipv4Options, Ipv4Packet, Ipv4Repr};
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, EtherType, EthernetAddress, IpProtocol, Ipv4Addr};

use super::ops::{
    Addr, ArpKind, ArpOp, Corrupt, IcmpErrorOp, IcmpOp, IpOptions, Ipv4Op, LinkDst, Order, Payload,
    Pieces, Port, QuotedProto, Single, Split, Tweak,
};

/// The host under test (the defaults of `HostConfig`).
pub const US_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
/// The host's address.
pub const US_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The gateway's address, when the setup gives the host one.
pub const GATEWAY_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 254);
/// The gateway's MAC: every off-link datagram comes from it.
pub const GATEWAY_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0xfe]);
/// The port the bound socket listens on.
pub const BOUND_PORT: u16 = 7;
/// The MAC of a station that is none of the above.
const STRANGER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0x03, 0]);
/// The most fragments one op sends.
const MAX_PIECES: usize = 64;

/// Return the IPv4 address an [`Addr`] names.
pub fn ip(addr: &Addr) -> Ipv4Addr {
    match *addr {
        Addr::Us => US_IP,
        Addr::Peer(n) => Ipv4Addr::new(198, 51, 100, 2 + n % 4),
        Addr::Gateway => GATEWAY_IP,
        Addr::OffLink(n) => Ipv4Addr::new(203, 0, 113, n),
        Addr::SubnetBroadcast => Ipv4Addr::new(198, 51, 100, 255),
        Addr::LimitedBroadcast => Ipv4Addr::BROADCAST,
        Addr::Multicast(n) => Ipv4Addr::new(224, 0, 0, n),
        Addr::Zero => Ipv4Addr::UNSPECIFIED,
        Addr::Loopback => Ipv4Addr::LOCALHOST,
        Addr::Raw(n) => Ipv4Addr::from(n),
    }
}

/// Return the MAC a frame from `addr` comes from.
pub fn mac(addr: &Addr) -> EthernetAddress {
    match *addr {
        Addr::Peer(n) => EthernetAddress([0x02, 0, 0, 0, 0x01, n % 4]),
        Addr::Gateway | Addr::OffLink(_) => GATEWAY_MAC,
        _ => STRANGER_MAC,
    }
}

fn link_dst(dst: &LinkDst) -> EthernetAddress {
    match dst {
        LinkDst::Us => US_MAC,
        LinkDst::Broadcast => EthernetAddress::BROADCAST,
        LinkDst::Multicast => EthernetAddress([0x01, 0, 0x5e, 0, 0, 0x01]),
        LinkDst::Other => EthernetAddress([0x02, 0, 0, 0, 0x05, 0]),
    }
}

/// Return the port a [`Port`] names, given the sending socket's port.
pub fn port(port: &Port, sender: u16) -> u16 {
    match *port {
        Port::Bound => BOUND_PORT,
        Port::Sender => sender,
        Port::Raw(n) => n,
    }
}

/// Wrap `payload` in an Ethernet frame (padded to the minimum).
fn ethernet(dst: EthernetAddress, src: EthernetAddress, ty: EtherType, payload: &[u8]) -> Vec<u8> {
    let eth = EthernetRepr {
        dst_addr: dst,
        src_addr: src,
        vlan: None,
        ethertype: ty,
    };
    let mut buffer = vec![0; eth.buffer_len(payload.len())];
    let mut frame = EthernetFrame::new_unchecked(&mut buffer[..]);
    eth.emit(&mut frame);
    frame.payload_mut()[..payload.len()].copy_from_slice(payload);
    buffer
}

/// Build the ARP frame an [`ArpOp`] describes.
pub fn arp_frame(op: &ArpOp) -> Vec<u8> {
    let mut sha = mac(&op.sender);
    if op.spoof_mac {
        sha = EthernetAddress([0x02, 0, 0, 0, 0x04, sha.0[5]]);
    }
    let (spa, tpa) = (ip(&op.sender), ip(&op.target));
    let request = |spa, tpa| ArpRepr::request(sha, spa, tpa);
    let arp = match op.kind {
        ArpKind::Request => request(spa, tpa),
        ArpKind::Gratuitous => request(spa, spa),
        ArpKind::Probe => request(Ipv4Addr::UNSPECIFIED, tpa),
        ArpKind::Reply => ArpRepr {
            operation: ArpOperation::Reply,
            target_hardware_addr: US_MAC,
            ..request(spa, tpa)
        },
        ArpKind::Operation(code) => ArpRepr {
            operation: ArpOperation::from(code),
            ..request(spa, tpa)
        },
    };
    let mut bytes = vec![0; arp.buffer_len()];
    arp.emit(&mut ArpPacket::new_unchecked(&mut bytes[..]));
    ethernet(link_dst(&op.link_dst), sha, EtherType::Arp, &bytes)
}

/// Build the frames an [`Ipv4Op`] describes, in the order they are sent;
/// `sender` is the sending socket's port.
pub fn ipv4_frames(op: &Ipv4Op, sender: u16) -> Vec<Vec<u8>> {
    let (src, dst) = (ip(&op.src), ip(&op.dst));
    let (protocol, payload) = transport(&op.payload, src, dst, sender);
    let header = Ipv4Repr {
        ttl: op.ttl,
        tos: if op.flags & 4 != 0 { 0x10 } else { 0 },
        ident: u16::from(op.ident),
        dont_frag: op.flags & 1 != 0,
        reserved_flag: op.flags & 2 != 0,
        options: options(&op.options),
        ..Ipv4Repr::new(src, dst, protocol, payload.len())
    };
    let (eth_src, eth_dst) = (mac(&op.src), link_dst(&op.link_dst));
    let pieces = split(&op.split, payload.len());
    let mut frames: Vec<Vec<u8>> = (pieces.into_iter())
        .map(|piece| {
            let data: Vec<u8> = match piece.poison {
                true => payload[piece.range.clone()].iter().map(|b| !b).collect(),
                false => payload[piece.range.clone()].to_vec(),
            };
            let frag = Ipv4Repr {
                frag_offset: (piece.offset / 8) as u16,
                more_frags: piece.more,
                payload_len: data.len(),
                ..header
            };
            let dst = if piece.broadcast {
                EthernetAddress::BROADCAST
            } else {
                eth_dst
            };
            ethernet(dst, eth_src, EtherType::Ipv4, &datagram(&frag, &data))
        })
        .collect();
    if let Some(first) = frames.first_mut() {
        corrupt(first, &op.corrupt, protocol);
    }
    frames
}

/// Return `header` + `data` as datagram bytes, header checksum filled.
fn datagram(header: &Ipv4Repr, data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0; header.buffer_len()];
    header.emit(
        &mut Ipv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    bytes[header.header_len()..].copy_from_slice(data);
    bytes
}

fn options(choice: &IpOptions) -> Ipv4Options {
    let raw: Vec<u8> = match choice {
        IpOptions::None => Vec::new(),
        IpOptions::Nops(n) => {
            let len = usize::from(n % 10) * 4;
            (0..len).map(|i| if i + 1 == len { 0 } else { 1 }).collect()
        }
        IpOptions::RouterAlert => vec![148, 4, 0, 0],
        IpOptions::RecordRoute => vec![7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    Ipv4Options::new(&raw).unwrap_or(Ipv4Options::EMPTY)
}

/// Return the protocol and the bytes of a datagram's payload.
fn transport(
    payload: &Payload,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sender: u16,
) -> (IpProtocol, Vec<u8>) {
    match payload {
        Payload::Udp(udp) => {
            let data = udp.data.to_vec();
            let repr = UdpRepr {
                src_port: port(&udp.src_port, sender),
                dst_port: port(&udp.dst_port, sender),
                payload: &data,
            };
            let mut bytes = vec![0; repr.buffer_len()];
            let policy = ChecksumPolicy::Verify;
            repr.emit(
                &mut UdpPacket::new_unchecked(&mut bytes[..]),
                src,
                dst,
                policy,
            );
            if udp.no_checksum {
                bytes[6..8].fill(0);
            }
            (IpProtocol::Udp, bytes)
        }
        Payload::Icmp(icmp) => (IpProtocol::Icmp, icmp_bytes(icmp, sender)),
        Payload::Tcp(data) => (IpProtocol::Tcp, data.to_vec()),
        Payload::Other(other) => (IpProtocol::from(other.protocol), other.data.to_vec()),
    }
}

fn icmp_bytes(icmp: &IcmpOp, sender: u16) -> Vec<u8> {
    let echo = |e: &super::ops::Echo, request: bool| {
        let data = e.data.to_vec();
        let (ident, seq_no, data) = (e.ident, e.seq_no, &data[..]);
        let repr = match request {
            true => Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            },
            false => Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            },
        };
        let mut bytes = vec![0; repr.buffer_len()];
        repr.emit(
            &mut Icmpv4Packet::new_unchecked(&mut bytes[..]),
            ChecksumPolicy::Verify,
        );
        bytes
    };
    let (msg_type, code, rest) = match icmp {
        IcmpOp::EchoRequest(e) => return echo(e, true),
        IcmpOp::EchoReply(e) => return echo(e, false),
        IcmpOp::Error(error) => error_fields(error, sender),
        IcmpOp::Other(other) => (other.msg_type, other.code, other.rest.0.clone()),
    };
    // Type, code, checksum, then everything after the checksum.
    let mut bytes = vec![msg_type, code, 0, 0];
    bytes.extend_from_slice(&rest);
    Icmpv4Packet::new_unchecked(&mut bytes[..]).fill_checksum();
    bytes
}

/// Return the type and code of an ICMP error, and what follows its
/// checksum: the rest of the header, then the quoted datagram.
fn error_fields(error: &IcmpErrorOp, sender: u16) -> (u8, u8, Vec<u8>) {
    let msg_type = [3, 4, 5, 11, 12][usize::from(error.kind % 5)];
    let about = &error.about;
    let (src, dst) = (ip(&about.src), ip(&about.dst));
    let len = 8 + usize::from(about.extra);
    let mut data: Vec<u8> = (0..len).map(|i| i as u8).collect();
    let protocol = match &about.protocol {
        QuotedProto::Udp(ports) => {
            data[..2].copy_from_slice(&port(&ports.src, sender).to_be_bytes());
            data[2..4].copy_from_slice(&port(&ports.dst, sender).to_be_bytes());
            data[4..6].copy_from_slice(&(len as u16).to_be_bytes());
            data[6..8].fill(0);
            IpProtocol::Udp
        }
        QuotedProto::Icmp(t) => {
            data[0] = *t;
            IpProtocol::Icmp
        }
        QuotedProto::Tcp => IpProtocol::Tcp,
        QuotedProto::Other(p) => IpProtocol::from(*p),
    };
    let header = Ipv4Repr {
        ident: about.ident,
        ..Ipv4Repr::new(src, dst, protocol, len)
    };
    let rest = match msg_type {
        5 => ip(&Addr::Gateway).octets(),
        12 => [20, 0, 0, 0],
        _ => [0; 4],
    };
    let mut body = rest.to_vec();
    body.extend_from_slice(&datagram(&header, &data));
    (msg_type, error.code, body)
}

/// One fragment to send: its place in the payload and how it is sent.
struct Piece {
    /// Where it goes in the datagram (a multiple of 8).
    offset: usize,
    /// The payload bytes it carries.
    range: core::ops::Range<usize>,
    more: bool,
    poison: bool,
    broadcast: bool,
}

impl Piece {
    fn new(range: core::ops::Range<usize>, more: bool) -> Piece {
        Piece {
            offset: range.start,
            range,
            more,
            poison: false,
            broadcast: false,
        }
    }
}

/// Cut a payload of `len` bytes as `split` says.
fn split(split: &Split, len: usize) -> Vec<Piece> {
    match split {
        Split::Pieces(pieces) if len > 8 => cut(pieces, len),
        Split::Single(single) => vec![alone(single, len)],
        _ => vec![Piece::new(0..len, false)],
    }
}

fn alone(single: &Single, len: usize) -> Piece {
    let offset = usize::from(single.offset % 8192) * 8;
    let start = offset.min(len);
    let end = match single.blocks {
        0 => len,
        n => (offset + usize::from(n) * 8).min(len),
    };
    let mut piece = Piece::new(start..end.max(start), single.more);
    // Keep the offset that was asked for, even past the data.
    piece.offset = offset;
    piece
}

fn cut(pieces: &Pieces, len: usize) -> Vec<Piece> {
    let mut size = (usize::from(pieces.blocks % 64) + 1) * 8;
    size = size.max(len.div_ceil(MAX_PIECES).next_multiple_of(8));
    let mut out: Vec<Piece> = (0..len)
        .step_by(size)
        .map(|start| Piece::new(start..(start + size).min(len), start + size < len))
        .collect();
    let count = out.len();
    let at = |n: u8| usize::from(n) % count;
    match pieces.tweak {
        Tweak::None => {}
        Tweak::Duplicate(n) => {
            let copy = Piece::new(out[at(n)].range.clone(), out[at(n)].more);
            out.insert(at(n) + 1, copy);
        }
        Tweak::Drop(n) => drop(out.remove(at(n))),
        Tweak::Poison(n) => {
            let mut copy = Piece::new(out[at(n)].range.clone(), out[at(n)].more);
            copy.poison = true;
            out.insert(at(n) + 1, copy);
        }
        Tweak::Overlap(n) => {
            let piece = &mut out[at(n)];
            piece.range.end = (piece.range.end + 8).min(len);
            piece.more = piece.range.end < len;
        }
        Tweak::Broadcast(n) => out[at(n)].broadcast = true,
    }
    match pieces.order {
        Order::Forward => {}
        Order::Reverse => out.reverse(),
        Order::Rotate(n) => {
            let n = usize::from(n) % out.len().max(1);
            out.rotate_left(n);
        }
    }
    out
}

/// Break the first frame of a datagram as `corrupt` says.
fn corrupt(frame: &mut Vec<u8>, corrupt: &Corrupt, protocol: IpProtocol) {
    const IP: usize = 14;
    let ihl = usize::from(frame[IP] & 0x0f) * 4;
    match *corrupt {
        Corrupt::None => {}
        Corrupt::IpChecksum => frame[IP + 11] ^= 0x5a,
        Corrupt::TransportChecksum => {
            let at = match protocol {
                IpProtocol::Udp => IP + ihl + 6,
                IpProtocol::Icmp => IP + ihl + 2,
                _ => return,
            };
            if let Some(byte) = frame.get_mut(at) {
                *byte ^= 0x5a;
            }
        }
        Corrupt::TotalLength(len) => {
            let mut packet = Ipv4Packet::new_unchecked(&mut frame[IP..]);
            packet.set_total_len(len);
            packet.fill_checksum();
        }
        Corrupt::Truncate(len) => frame.truncate(usize::from(len)),
        Corrupt::VersionIhl(byte) => {
            frame[IP] = byte;
            let ihl = usize::from(byte & 0x0f) * 4;
            if (20..=frame.len() - IP).contains(&ihl) {
                Ipv4Packet::new_unchecked(&mut frame[IP..]).fill_checksum();
            }
        }
    }
}
