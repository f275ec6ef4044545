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

/// Frames built from one op, end to end in one buffer, with the buffers
/// used to build them: the harness keeps one and reuses it from op to op,
/// so that building frames allocates nothing once the buffers are big
/// enough (under a sanitizer every allocation is slow).
#[derive(Debug, Default)]
pub struct Frames {
    /// The frames, end to end.
    bytes: Vec<u8>,
    /// Where each frame lies in `bytes`, in the order they are sent.
    spans: Vec<core::ops::Range<usize>>,
    /// The payload of the datagram being built.
    payload: Vec<u8>,
    /// Application data, or the data of a datagram an ICMP error quotes.
    scratch: Vec<u8>,
    /// How the payload is cut.
    pieces: Vec<Piece>,
}

impl Frames {
    /// Return the frames built last, in the order they are sent.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (self.spans.iter()).map(|span| &self.bytes[span.clone()])
    }

    /// Forget the frames built last, keeping the buffers.
    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }

    /// Append an Ethernet frame (padded to the minimum) with this header
    /// (destination, source, type) whose `len` bytes of payload `write`
    /// fills in.
    fn push(
        &mut self,
        header: (EthernetAddress, EthernetAddress, EtherType),
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) {
        let (dst_addr, src_addr, ethertype) = header;
        let eth = EthernetRepr {
            dst_addr,
            src_addr,
            vlan: None,
            ethertype,
        };
        let start = self.bytes.len();
        // Only new bytes are added past `start`: all zeros, padding included.
        self.bytes.resize(start + eth.buffer_len(len), 0);
        let mut frame = EthernetFrame::new_unchecked(&mut self.bytes[start..]);
        eth.emit(&mut frame);
        write(&mut frame.payload_mut()[..len]);
        self.spans.push(start..self.bytes.len());
    }

    /// Build the ARP frame an [`ArpOp`] describes, in place of the last
    /// frames.
    pub fn arp(&mut self, op: &ArpOp) {
        self.clear();
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
        let header = (link_dst(&op.link_dst), sha, EtherType::Arp);
        self.push(header, arp.buffer_len(), |bytes| {
            arp.emit(&mut ArpPacket::new_unchecked(bytes));
        });
    }

    /// Build the frames an [`Ipv4Op`] describes, in the order they are
    /// sent, in place of the last frames; `sender` is the sending socket's
    /// port.
    pub fn ipv4(&mut self, op: &Ipv4Op, sender: u16) {
        self.clear();
        let (src, dst) = (ip(&op.src), ip(&op.dst));
        let mut payload = core::mem::take(&mut self.payload);
        let scratch = &mut self.scratch;
        let protocol = transport(&op.payload, (src, dst, sender), &mut payload, scratch);
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
        let mut pieces = core::mem::take(&mut self.pieces);
        split(&op.split, payload.len(), &mut pieces);
        for piece in &pieces {
            let data = &payload[piece.range.clone()];
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
            self.push(
                (dst, eth_src, EtherType::Ipv4),
                frag.buffer_len(),
                |bytes| {
                    let body = datagram(&frag, bytes);
                    match piece.poison {
                        true => (body.iter_mut().zip(data)).for_each(|(to, b)| *to = !b),
                        false => body.copy_from_slice(data),
                    }
                },
            );
        }
        if let Some(first) = self.spans.first_mut() {
            let kept = corrupt(&mut self.bytes[first.clone()], &op.corrupt, protocol);
            first.end = first.start + kept;
        }
        self.payload = payload;
        self.pieces = pieces;
    }
}

/// Write `header` into `bytes`, header checksum filled; return the bytes
/// after the header, for its payload.
fn datagram<'a>(header: &Ipv4Repr, bytes: &'a mut [u8]) -> &'a mut [u8] {
    header.emit(
        &mut Ipv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    &mut bytes[header.header_len()..]
}

fn options(choice: &IpOptions) -> Ipv4Options {
    let mut raw = [0; 40];
    let len = match choice {
        IpOptions::None => 0,
        IpOptions::Nops(n) => {
            let len = usize::from(n % 10) * 4;
            // NOPs, then End of Option List.
            raw[..len].fill(1);
            if let Some(last) = len.checked_sub(1) {
                raw[last] = 0;
            }
            len
        }
        IpOptions::RouterAlert => {
            raw[..4].copy_from_slice(&[148, 4, 0, 0]);
            4
        }
        IpOptions::RecordRoute => {
            raw[..12].copy_from_slice(&[7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            12
        }
    };
    Ipv4Options::new(&raw[..len]).unwrap_or(Ipv4Options::EMPTY)
}

/// Write the bytes of a datagram's payload into `out` (cleared first) and
/// return its protocol; `(src, dst, sender)` are its addresses and the
/// sending socket's port, and `scratch` a buffer to build in.
fn transport(
    payload: &Payload,
    (src, dst, sender): (Ipv4Addr, Ipv4Addr, u16),
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> IpProtocol {
    out.clear();
    scratch.clear();
    match payload {
        Payload::Udp(udp) => {
            udp.data.extend_into(scratch);
            let repr = UdpRepr {
                src_port: port(&udp.src_port, sender),
                dst_port: port(&udp.dst_port, sender),
                payload: scratch,
            };
            out.resize(repr.buffer_len(), 0);
            let policy = ChecksumPolicy::Verify;
            repr.emit(
                &mut UdpPacket::new_unchecked(&mut out[..]),
                src,
                dst,
                policy,
            );
            if udp.no_checksum {
                out[6..8].fill(0);
            }
            IpProtocol::Udp
        }
        Payload::Icmp(icmp) => {
            icmp_bytes(icmp, sender, out, scratch);
            IpProtocol::Icmp
        }
        Payload::Tcp(data) => {
            data.extend_into(out);
            IpProtocol::Tcp
        }
        Payload::Other(other) => {
            other.data.extend_into(out);
            IpProtocol::from(other.protocol)
        }
    }
}

/// Write the ICMP message into `out` (empty); `scratch` (empty) is a buffer
/// to build in.
fn icmp_bytes(icmp: &IcmpOp, sender: u16, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let echo = |e: &super::ops::Echo, request: bool, out: &mut Vec<u8>, scratch: &mut Vec<u8>| {
        e.data.extend_into(scratch);
        let (ident, seq_no, data) = (e.ident, e.seq_no, &scratch[..]);
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
        out.resize(repr.buffer_len(), 0);
        repr.emit(
            &mut Icmpv4Packet::new_unchecked(&mut out[..]),
            ChecksumPolicy::Verify,
        );
    };
    // Type, code, checksum, then everything after the checksum.
    match icmp {
        IcmpOp::EchoRequest(e) => return echo(e, true, out, scratch),
        IcmpOp::EchoReply(e) => return echo(e, false, out, scratch),
        IcmpOp::Error(error) => error_bytes(error, sender, out, scratch),
        IcmpOp::Other(other) => {
            out.extend_from_slice(&[other.msg_type, other.code, 0, 0]);
            out.extend_from_slice(&other.rest.0);
        }
    }
    Icmpv4Packet::new_unchecked(&mut out[..]).fill_checksum();
}

/// Write an ICMP error into `out` (empty), checksum left zero: type, code,
/// checksum, the rest of the header, then the quoted datagram; `scratch`
/// (empty) holds the quoted datagram's data.
fn error_bytes(error: &IcmpErrorOp, sender: u16, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let msg_type = [3, 4, 5, 11, 12][usize::from(error.kind % 5)];
    let about = &error.about;
    let (src, dst) = (ip(&about.src), ip(&about.dst));
    let len = 8 + usize::from(about.extra);
    scratch.extend((0..len).map(|i| i as u8));
    let data = &mut scratch[..];
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
    out.extend_from_slice(&[msg_type, error.code, 0, 0]);
    out.extend_from_slice(&rest);
    let start = out.len();
    out.resize(start + header.buffer_len(), 0);
    datagram(&header, &mut out[start..]).copy_from_slice(scratch);
}

/// One fragment to send: its place in the payload and how it is sent.
#[derive(Debug)]
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

/// Cut a payload of `len` bytes as `split` says, into `out` (cleared first).
fn split(split: &Split, len: usize, out: &mut Vec<Piece>) {
    out.clear();
    match split {
        Split::Pieces(pieces) if len > 8 => cut(pieces, len, out),
        Split::Single(single) => out.push(alone(single, len)),
        _ => out.push(Piece::new(0..len, false)),
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

fn cut(pieces: &Pieces, len: usize, out: &mut Vec<Piece>) {
    let mut size = (usize::from(pieces.blocks % 64) + 1) * 8;
    size = size.max(len.div_ceil(MAX_PIECES).next_multiple_of(8));
    out.extend(
        (0..len)
            .step_by(size)
            .map(|start| Piece::new(start..(start + size).min(len), start + size < len)),
    );
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
}

/// Break the first frame of a datagram as `corrupt` says; return how many
/// of its bytes to send (fewer if truncated).
fn corrupt(frame: &mut [u8], corrupt: &Corrupt, protocol: IpProtocol) -> usize {
    const IP: usize = 14;
    let ihl = usize::from(frame[IP] & 0x0f) * 4;
    match *corrupt {
        Corrupt::None => {}
        Corrupt::IpChecksum => frame[IP + 11] ^= 0x5a,
        Corrupt::TransportChecksum => {
            let at = match protocol {
                IpProtocol::Udp => IP + ihl + 6,
                IpProtocol::Icmp => IP + ihl + 2,
                _ => return frame.len(),
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
        Corrupt::Truncate(len) => return frame.len().min(usize::from(len)),
        Corrupt::VersionIhl(byte) => {
            frame[IP] = byte;
            let ihl = usize::from(byte & 0x0f) * 4;
            if (20..=frame.len() - IP).contains(&ihl) {
                Ipv4Packet::new_unchecked(&mut frame[IP..]).fill_checksum();
            }
        }
    }
    frame.len()
}
