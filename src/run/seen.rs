//! Reading the frames a target emits back into script lines, to match them
//! against `*_out` steps and to print them in traces and failures in the
//! notation the script uses.

use core::fmt;

use stack::wire::arp::ArpOperation;
use stack::wire::frame::{FrameError, FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::icmpv4::{DstUnreachable, Icmpv4Repr, ParamProblem, TimeExceeded};
use stack::wire::ipv4::Ipv4Repr;
use stack::wire::tcp::TcpRepr;
use stack::wire::udp::UdpPacket;
use stack::wire::{ChecksumPolicy, EthernetAddress};

use crate::notation::{Isns, SegmentPattern, Wild};
use crate::script::lower::{
    ArpLine, Echo, Endpoint, Frame, IcmpLine, IcmpMessage, UdpChecksum, UdpLine, UdpPayload,
    UnreachableCode,
};

/// A frame, read as the script line that describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen<'a> {
    /// A TCP segment (numbers absolute; see [`Seen::describe`]).
    Tcp {
        /// Its IPv4 header.
        ip: Ipv4Repr,
        /// The segment.
        segment: TcpRepr<'a>,
    },
    /// An ARP packet.
    Arp(ArpLine),
    /// An ICMP message.
    Icmp(IcmpLine),
    /// A UDP datagram.
    Udp(UdpLine),
    /// A fragment of an IPv4 datagram (its header).
    Fragment(Ipv4Repr),
    /// Anything else: another EtherType or protocol, or a frame that does
    /// not parse (with why).
    Raw(Option<FrameError>),
}

impl<'a> Seen<'a> {
    /// Read a whole Ethernet frame. Checksums are read but not enforced: a
    /// UDP datagram with a bad one is a [`UdpChecksum::Bad`] line, and any
    /// other bad checksum makes the frame [`Seen::Raw`] with the error.
    pub fn read(frame: &'a [u8]) -> Seen<'a> {
        match FrameRepr::parse(frame, ChecksumPolicy::Verify) {
            Ok(repr) => Seen::from_repr(frame, repr),
            Err(e) if e.layer == stack::wire::frame::Layer::Udp => Seen::read_ignoring(frame).0,
            Err(e) => Seen::Raw(Some(e)),
        }
    }

    /// Read a whole Ethernet frame whatever its checksums; return it with
    /// the first checksum (or other) error the frame has, for a note.
    pub fn read_ignoring(frame: &'a [u8]) -> (Seen<'a>, Option<FrameError>) {
        let error = FrameRepr::parse(frame, ChecksumPolicy::Verify)
            .err()
            .filter(|e| e.layer != stack::wire::frame::Layer::Udp);
        match FrameRepr::parse(frame, ChecksumPolicy::Ignore) {
            Ok(repr) => (Seen::from_repr(frame, repr), error),
            Err(e) => (Seen::Raw(Some(e)), Some(e)),
        }
    }

    /// Turn the layers of a parsed frame into a line.
    fn from_repr(frame: &'a [u8], repr: FrameRepr<'a>) -> Seen<'a> {
        match repr.network {
            NetworkRepr::Arp(arp) => Seen::Arp(ArpLine {
                operation: arp.operation,
                sender_ip: arp.source_protocol_addr,
                sender_mac: Some(arp.source_hardware_addr),
                target_ip: Some(arp.target_protocol_addr),
                target_mac: Some(arp.target_hardware_addr),
            }),
            NetworkRepr::Ipv4 { header, transport } => read_ipv4(frame, header, transport),
            NetworkRepr::Other(_) => Seen::Raw(None),
        }
    }

    /// Return a note on what a raw frame is, if the line cannot say it:
    /// `ipv4 fragment: id 4660, offset 16, MF, 8 octets`.
    pub fn note(&self) -> Option<String> {
        let Seen::Fragment(ip) = self else {
            return None;
        };
        let mf = if ip.more_frags { ", MF" } else { "" };
        Some(format!(
            "ipv4 fragment: id {}, offset {}{mf}, {} octets",
            ip.ident,
            ip.frag_offset_bytes(),
            ip.payload_len
        ))
    }

    /// Return the step kind that injects (`inbound`) or expects this frame.
    pub fn kind(&self, inbound: bool) -> &'static str {
        let (i, o) = match self {
            Seen::Tcp { .. } => ("in", "out"),
            Seen::Arp(_) => ("arp_in", "arp_out"),
            Seen::Icmp(_) => ("icmp_in", "icmp_out"),
            Seen::Udp(_) => ("udp_in", "udp_out"),
            Seen::Raw(_) | Seen::Fragment(_) => ("frame_in", "frame_out"),
        };
        if inbound {
            i
        } else {
            o
        }
    }

    /// Return a value that prints the frame as a script line's value, TCP
    /// numbers relative to `isns`; `bytes` is the frame (for raw frames).
    pub fn describe<'b>(&'b self, isns: Isns, bytes: &'b [u8]) -> impl fmt::Display + 'b {
        Describe {
            seen: self,
            isns,
            bytes,
        }
    }
}

/// Read what an IPv4 datagram carries.
fn read_ipv4<'a>(frame: &'a [u8], ip: Ipv4Repr, transport: TransportRepr<'a>) -> Seen<'a> {
    let addrs = Some((ip.src_addr, ip.dst_addr));
    match transport {
        TransportRepr::Tcp(segment) => Seen::Tcp { ip, segment },
        TransportRepr::Udp(udp) => {
            let start = stack::wire::ethernet::HEADER_LEN + ip.header_len();
            let packet = UdpPacket::new_unchecked(frame.get(start..).unwrap_or(&[]));
            let checksum = if packet.as_ref().len() < 8 || packet.checksum() == 0 {
                UdpChecksum::Zero
            } else if packet.verify_checksum(ip.src_addr, ip.dst_addr) {
                UdpChecksum::Correct
            } else {
                UdpChecksum::Bad
            };
            let end = |addr, port| Endpoint {
                addr: Some(addr),
                port: Wild::Exact(port),
            };
            Seen::Udp(UdpLine {
                src: end(ip.src_addr, udp.src_port),
                dst: end(ip.dst_addr, udp.dst_port),
                payload: UdpPayload::Bytes(udp.payload.to_vec()),
                checksum,
            })
        }
        TransportRepr::Icmpv4(icmp) => Seen::Icmp(IcmpLine {
            addrs,
            message: icmp_message(&icmp),
        }),
        TransportRepr::Fragment(_) => Seen::Fragment(ip),
        TransportRepr::Other(_) => Seen::Raw(None),
    }
}

/// Return the script's form of an ICMP message.
fn icmp_message(icmp: &Icmpv4Repr<'_>) -> IcmpMessage {
    let echo = |ident: u16, seq_no: u16, data: &[u8]| Echo {
        id: Wild::Exact(ident),
        seq: Wild::Exact(seq_no),
        len: Wild::Exact(u16::try_from(data.len()).unwrap_or(u16::MAX)),
    };
    let other = || IcmpMessage::Other {
        icmp_type: u8::from(icmp.msg_type()),
        code: icmp.msg_code(),
    };
    match *icmp {
        Icmpv4Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } => IcmpMessage::EchoRequest(echo(ident, seq_no, data)),
        Icmpv4Repr::EchoReply {
            ident,
            seq_no,
            data,
        } => IcmpMessage::EchoReply(echo(ident, seq_no, data)),
        Icmpv4Repr::DstUnreachable {
            reason,
            next_hop_mtu,
            ..
        } => {
            let code = match reason {
                DstUnreachable::NetUnreachable => UnreachableCode::Net,
                DstUnreachable::HostUnreachable => UnreachableCode::Host,
                DstUnreachable::ProtoUnreachable => UnreachableCode::Proto,
                DstUnreachable::PortUnreachable => UnreachableCode::Port,
                DstUnreachable::FragRequired => UnreachableCode::FragNeeded,
                DstUnreachable::CommProhibited => UnreachableCode::Admin,
                _ => return other(),
            };
            let mtu = (code == UnreachableCode::FragNeeded).then_some(next_hop_mtu);
            IcmpMessage::Unreachable { code, mtu }
        }
        Icmpv4Repr::TimeExceeded { reason, .. } => match reason {
            TimeExceeded::TtlExpired => IcmpMessage::TimeExceeded { reassembly: false },
            TimeExceeded::FragExpired => IcmpMessage::TimeExceeded { reassembly: true },
            TimeExceeded::Unknown(_) => other(),
        },
        Icmpv4Repr::ParamProblem {
            reason: ParamProblem::AtPointer,
            pointer,
            ..
        } => IcmpMessage::ParamProblem {
            pointer: Some(pointer),
        },
        Icmpv4Repr::SourceQuench { .. } => IcmpMessage::SourceQuench,
        _ => other(),
    }
}

/// Prints a [`Seen`] frame as a script line's value.
struct Describe<'b, 'a> {
    seen: &'b Seen<'a>,
    isns: Isns,
    bytes: &'b [u8],
}

impl fmt::Display for Describe<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seen {
            Seen::Tcp { segment, .. } => {
                write!(f, "{}", SegmentPattern::from_repr(segment, self.isns))
            }
            Seen::Arp(arp) => {
                let mut arp = *arp;
                // A request's sender MAC is the frame's source; shown only
                // in an announcement, where it is the news.
                if arp.operation == ArpOperation::Request && arp.target_ip != Some(arp.sender_ip) {
                    arp.sender_mac = None;
                }
                if arp.target_mac == Some(EthernetAddress::UNSPECIFIED)
                    || arp.operation == ArpOperation::Reply
                {
                    arp.target_mac = None;
                }
                write!(f, "{arp}")
            }
            Seen::Icmp(icmp) => write!(f, "{icmp}"),
            Seen::Udp(udp) => {
                let mut udp = udp.clone();
                if let UdpPayload::Bytes(bytes) = &udp.payload {
                    if bytes.len() > 16 || bytes.iter().all(|&b| b == 0) {
                        udp.payload = UdpPayload::Len(u16::try_from(bytes.len()).unwrap_or(0));
                    }
                }
                write!(f, "{udp}")
            }
            Seen::Raw(_) | Seen::Fragment(_) => {
                let bytes = self.bytes.iter().map(|&b| Some(b)).collect();
                write!(f, "{}", Frame(bytes))
            }
        }
    }
}

/// Return `Err(field)` when `ok` is false.
fn check(ok: bool, field: &'static str) -> Result<(), &'static str> {
    if ok {
        Ok(())
    } else {
        Err(field)
    }
}

/// Return whether an optional expected value is absent or equal.
fn either<T: PartialEq>(expected: Option<T>, found: Option<T>) -> bool {
    expected.is_none() || expected == found
}

/// Check an emitted ARP packet against an `arp_out` line; return the first
/// field that differs.
pub fn match_arp(expected: &ArpLine, found: &ArpLine) -> Result<(), &'static str> {
    check(expected.operation == found.operation, "operation")?;
    check(expected.sender_ip == found.sender_ip, "sender address")?;
    check(either(expected.sender_mac, found.sender_mac), "sender MAC")?;
    check(
        either(expected.target_ip, found.target_ip),
        "target address",
    )?;
    check(either(expected.target_mac, found.target_mac), "target MAC")
}

/// Check an emitted ICMP message against an `icmp_out` line.
pub fn match_icmp(expected: &IcmpLine, found: &IcmpLine) -> Result<(), &'static str> {
    check(either(expected.addrs, found.addrs), "addresses")?;
    use IcmpMessage as M;
    match (expected.message, found.message) {
        (M::EchoRequest(e), M::EchoRequest(f)) | (M::EchoReply(e), M::EchoReply(f)) => {
            check(e.id.matches(&f.id.exact().unwrap_or(0)), "id")?;
            check(e.seq.matches(&f.seq.exact().unwrap_or(0)), "seq")?;
            check(e.len.matches(&f.len.exact().unwrap_or(0)), "len")
        }
        (M::Unreachable { code, mtu }, M::Unreachable { code: c, mtu: m }) => {
            check(code == c, "code")?;
            check(mtu.is_none() || mtu == m, "mtu")
        }
        (M::TimeExceeded { reassembly }, M::TimeExceeded { reassembly: r }) => {
            check(reassembly == r, "code")
        }
        (M::ParamProblem { pointer }, M::ParamProblem { pointer: p }) => {
            check(pointer.is_none() || pointer == p, "pointer")
        }
        (M::SourceQuench, M::SourceQuench) => Ok(()),
        (
            M::Other { icmp_type, code },
            M::Other {
                icmp_type: t,
                code: c,
            },
        ) => {
            check(icmp_type == t, "type")?;
            check(code == c, "code")
        }
        _ => Err("message type"),
    }
}

/// Check an emitted UDP datagram against a `udp_out` line.
pub fn match_udp(expected: &UdpLine, found: &UdpLine) -> Result<(), &'static str> {
    let endpoint = |e: &Endpoint, f: &Endpoint| {
        either(e.addr, f.addr) && e.port.matches(&f.port.exact().unwrap_or(0))
    };
    check(endpoint(&expected.src, &found.src), "source")?;
    check(endpoint(&expected.dst, &found.dst), "destination")?;
    let UdpPayload::Bytes(data) = &found.payload else {
        return Err("data");
    };
    match &expected.payload {
        UdpPayload::Any => {}
        UdpPayload::Len(n) => check(data.len() == usize::from(*n), "len")?,
        UdpPayload::Bytes(bytes) => check(data == bytes, "data")?,
    }
    check(expected.checksum == found.checksum, "csum")
}

/// Check an emitted frame against a `frame_out` line: the frame starts
/// with the line's bytes, `??` matching any byte.
pub fn match_frame(expected: &Frame, frame: &[u8]) -> Result<(), &'static str> {
    check(expected.0.len() <= frame.len(), "length")?;
    let same = expected
        .0
        .iter()
        .zip(frame)
        .all(|(e, &b)| e.is_none_or(|e| e == b));
    check(same, "bytes")
}
