//! Write the seed corpora in `corpus/<target>/` for every parser fuzz target.
//!
//! ```text
//! cargo run --example seed_corpus
//! ```
//!
//! Seeds are hand-made headers (written as hex below, one per feature:
//! every TCP and IPv4 option, fragments, each ICMP message kind) plus the
//! frames of `tests/vectors/`. Checksums are fixed up by emitting each seed
//! through synack's own emitters with `ChecksumPolicy::Verify`, so seeds are
//! valid frames that a stack would accept. Existing files are overwritten;
//! files found by fuzzing (regressions) are left alone.

use std::fs;
use std::path::Path;

use stack::wire::ethernet::EthernetRepr;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use stack::wire::tcp::{TcpRepr, TcpSegment};
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, EtherType, EthernetAddress, IpProtocol, Ipv4Addr};

const SRC: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// TCP segments (checksum written as 0000 and fixed up), one per feature.
const TCP: &[(&str, &str)] = &[
    ("syn-all-options", "9c401f90 00000000 00000000 a002ffff 00000000 020405b4 0402080a 00000001 00000000 01030307"),
    ("synack-mss-sack", "1f909c40 00000000 00000001 7012ffff 00000000 020405b4 0402 0000"),
    ("ack", "9c401f90 00000001 00000001 50100200 00000000"),
    ("data-psh", "9c401f90 00000001 00000001 50180200 00000000 68656c6c6f0a"),
    ("fin-ack", "9c401f90 00000007 00000001 50110200 00000000"),
    ("rst", "9c401f90 00000007 00000000 50040000 00000000"),
    ("rst-ack", "9c401f90 00000000 00000001 50140000 00000000"),
    ("syn-fin", "9c401f90 00000000 00000000 50030200 00000000"),
    ("urgent", "9c401f90 00000001 00000001 50380200 00000003 41424344"),
    ("ece-cwr-ae", "9c401f90 00000000 00000000 51c2ffff 00000000"),
    ("reserved-bits", "9c401f90 00000000 00000000 5e10ffff 00000000"),
    ("sack-1-block", "9c401f90 00000001 00000001 80100200 00000000 0101050a 00000100 00000200"),
    ("sack-4-blocks", "9c401f90 00000001 00000001 e0100200 00000000 0101052200000100000002000000030000000400000005000000060000000700000008000000"),
    ("timestamps-ack", "9c401f90 00000001 00000001 80100200 00000000 0101080a 00000010 00000020"),
    ("unknown-option", "9c401f90 00000000 00000000 6002ffff 00000000 fe04abcd"),
    ("unaligned-options", "9c401f90 00000000 00000000 8002ffff 00000000 030307 020405b4 0402 000000"),
    ("eol-then-junk", "9c401f90 00000000 00000000 6002ffff 00000000 00ffffff"),
    ("window-scale-15", "9c401f90 00000000 00000000 6002ffff 00000000 0303 0f00"),
];

/// UDP datagrams (checksum fixed up, except the zero-checksum seed).
const UDP: &[(&str, &str)] = &[
    (
        "dns-query",
        "c35b0035 0000 0000 1234010000010000000000000377777706676f6f676c6503636f6d0000010001",
    ),
    ("empty", "c35b0007 0008 0000"),
    ("echo", "c35b0007 0000 0000 70696e67"),
];

/// ICMPv4 messages (checksum fixed up); errors quote a UDP datagram.
const ICMP: &[(&str, &str)] = &[
    ("echo-request", "0800 0000 0001 0001 6162636465666768"),
    ("echo-reply", "0000 0000 0001 0001 6162636465666768"),
    (
        "port-unreachable",
        "0303 0000 00000000 45000024000100004011 0000 c6336402c6336401 c35b0035 0010 0000",
    ),
    (
        "frag-needed-mtu",
        "0304 0000 000005dc 4500059c0001400040060000c6336401c6336402 9c401f900000000100000001",
    ),
    (
        "host-unreachable",
        "0301 0000 00000000 45000024000100004011 0000 c6336401c6336402 c35b0035 0010 0000",
    ),
    (
        "time-exceeded-ttl",
        "0b00 0000 00000000 45000024000100000111 0000 c6336401c6336402 c35b0035 0010 0000",
    ),
    (
        "time-exceeded-reassembly",
        "0b01 0000 00000000 45000024000120004011 0000 c6336401c6336402 c35b0035 0010 0000",
    ),
    (
        "param-problem-pointer",
        "0c00 0000 0c000000 46000028000100004011 0000 c6336401c6336402 94040000 c35b0035 0010 0000",
    ),
    (
        "redirect",
        "0501 0000 c6336403 45000024000100004011 0000 c6336401c6336402 c35b0035 0010 0000",
    ),
    (
        "source-quench",
        "0400 0000 00000000 45000024000100004011 0000 c6336401c6336402 c35b0035 0010 0000",
    ),
    ("unknown-type", "0d00 0000 00010001 0000000000000000"),
];

/// IPv4 datagrams (header checksum fixed up), one per option and fragment case.
const IPV4: &[(&str, &str)] = &[
    (
        "plain-udp",
        "4500001c00010000401100000000000000000000 c35b0007 0008 0000",
    ),
    (
        "record-route",
        "4800002800010000401100000000000000000000 070b04 c6336401 00000000 00 c35b00070008 0000",
    ),
    (
        "timestamp",
        "4800002400010000401100000000000000000000 440c0500 00000000 00000000 c35b00070008 0000",
    ),
    (
        "lsrr",
        "4800002400010000401100000000000000000000 830b04 c6336403 c6336404 00 c35b00070008 0000",
    ),
    (
        "ssrr",
        "4700002000010000401100000000000000000000 8907 04 c6336403 00 c35b00070008 0000",
    ),
    (
        "router-alert",
        "4600002000010000400200000000000000000000 94040000 1100 0000 e0000001",
    ),
    (
        "nop-eol",
        "4600002000010000401100000000000000000000 01010000 c35b00070008 0000",
    ),
    (
        "unknown-option",
        "4600002000010000401100000000000000000000 9e040102 c35b00070008 0000",
    ),
    (
        "first-fragment-mf",
        "45000024abcd2000401100000000000000000000 c35b00070018 0000 0102030405060708",
    ),
    (
        "middle-fragment",
        "45000024abcd2001401100000000000000000000 090a0b0c0d0e0f10 1112131415161718",
    ),
    (
        "last-fragment",
        "4500001cabcd0002401100000000000000000000 191a1b1c1d1e1f20",
    ),
    (
        "df-tcp",
        "4500002800014000400600000000000000000000 9c401f9000000001000000015010020000000000",
    ),
    (
        "reserved-flag-tos",
        "45b8001c00018000401100000000000000000000 c35b0007 0008 0000",
    ),
];

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn vector_frame(name: &str) -> Vec<u8> {
    let text = fs::read_to_string(format!("tests/vectors/{name}.yaml")).unwrap();
    let start = text.find("frame: >-").unwrap() + "frame: >-".len();
    let end = text[start..]
        .find(":")
        .map(|i| text[..start + i].rfind('\n').unwrap())
        .unwrap();
    hex(&text[start..end])
}

fn fixed_tcp(raw: &[u8]) -> Vec<u8> {
    let seg = TcpSegment::new_checked(raw).unwrap();
    let repr = TcpRepr::parse(&seg, SRC, DST, ChecksumPolicy::Ignore).unwrap();
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(
        &mut TcpSegment::new_unchecked(&mut out[..]),
        SRC,
        DST,
        ChecksumPolicy::Verify,
    );
    out
}

fn fixed_udp(name: &str, raw: &[u8]) -> Vec<u8> {
    let mut raw = raw.to_vec();
    let len = raw.len() as u16;
    raw[4..6].copy_from_slice(&len.to_be_bytes());
    if name == "empty" {
        return raw; // zero checksum: "none" (RFC 768)
    }
    let packet = UdpPacket::new_checked(&raw[..]).unwrap();
    let repr = UdpRepr::parse(&packet, SRC, DST, ChecksumPolicy::Ignore).unwrap();
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(
        &mut UdpPacket::new_unchecked(&mut out[..]),
        SRC,
        DST,
        ChecksumPolicy::Verify,
    );
    out
}

fn fixed_icmp(raw: &[u8]) -> Vec<u8> {
    let packet = Icmpv4Packet::new_checked(raw).unwrap();
    let repr = Icmpv4Repr::parse(&packet, ChecksumPolicy::Ignore).unwrap();
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(
        &mut Icmpv4Packet::new_unchecked(&mut out[..]),
        ChecksumPolicy::Verify,
    );
    out
}

fn fixed_ipv4(raw: &[u8]) -> Vec<u8> {
    let mut raw = raw.to_vec();
    let len = raw.len() as u16;
    raw[2..4].copy_from_slice(&len.to_be_bytes());
    raw[12..16].copy_from_slice(&SRC.octets());
    raw[16..20].copy_from_slice(&DST.octets());
    let mut packet = Ipv4Packet::new_unchecked(&mut raw[..]);
    packet.fill_checksum();
    let view = Ipv4Packet::new_checked(&raw[..]).unwrap();
    Ipv4Repr::parse(&view, ChecksumPolicy::Verify).unwrap();
    raw
}

fn wrap(protocol: IpProtocol, transport: TransportRepr<'_>) -> Vec<u8> {
    let mut header = Ipv4Repr::new(SRC, DST, protocol, transport.buffer_len());
    header.ident = 0x1234;
    header.dont_frag = true;
    let repr = FrameRepr {
        ethernet: EthernetRepr {
            dst_addr: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
            src_addr: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
            vlan: None,
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 { header, transport },
    };
    let mut out = vec![0; repr.buffer_len()];
    repr.emit(&mut out, ChecksumPolicy::Verify);
    out
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

fn main() {
    let mut frames = Vec::new();
    for (name, text) in TCP {
        let seg = fixed_tcp(&hex(text));
        write("tcp", name, &seg);
        let view = TcpSegment::new_checked(&seg[..]).unwrap();
        let repr = TcpRepr::parse(&view, SRC, DST, ChecksumPolicy::Verify).unwrap();
        frames.push((
            format!("tcp-{name}"),
            wrap(IpProtocol::Tcp, TransportRepr::Tcp(repr)),
        ));
    }
    for (name, text) in UDP {
        let datagram = fixed_udp(name, &hex(text));
        write("udp", name, &datagram);
        let view = UdpPacket::new_checked(&datagram[..]).unwrap();
        let repr = UdpRepr::parse(&view, SRC, DST, ChecksumPolicy::Verify).unwrap();
        frames.push((
            format!("udp-{name}"),
            wrap(IpProtocol::Udp, TransportRepr::Udp(repr)),
        ));
    }
    for (name, text) in ICMP {
        let message = fixed_icmp(&hex(text));
        write("icmpv4", name, &message);
        let view = Icmpv4Packet::new_checked(&message[..]).unwrap();
        let repr = Icmpv4Repr::parse(&view, ChecksumPolicy::Verify).unwrap();
        frames.push((
            format!("icmp-{name}"),
            wrap(IpProtocol::Icmp, TransportRepr::Icmpv4(repr)),
        ));
    }
    for (name, text) in IPV4 {
        let datagram = fixed_ipv4(&hex(text));
        write("ipv4", name, &datagram);
        let mut frame = hex("020000000002 020000000001 0800");
        frame.extend_from_slice(&datagram);
        // Fix the transport checksums too, by emitting the whole frame.
        let repr = FrameRepr::parse(&frame, ChecksumPolicy::Ignore).unwrap();
        let mut fixed = vec![0; repr.buffer_len()];
        repr.emit(&mut fixed, ChecksumPolicy::Verify);
        frames.push((format!("ipv4-{name}"), fixed));
    }
    for vector in ["arp-request", "arp-reply", "tftp-rrq"] {
        let frame = vector_frame(vector);
        if vector.starts_with("arp") {
            write("arp", vector, &frame[14..]);
        } else {
            write("ipv4", vector, &frame[14..]);
            write("udp", vector, &frame[34..]);
        }
        write("ethernet", vector, &frame);
        frames.push((vector.to_string(), frame));
    }
    let tagged = hex("ffffffffffff 020000000001 8100 6064 0806 0001080006040001 020000000001c6336401 000000000000c6336402");
    write("ethernet", "vlan-tagged-arp", &tagged);
    write(
        "ethernet",
        "unknown-ethertype",
        &hex("020000000002 020000000001 88b5 0102030405060708"),
    );
    write(
        "arp",
        "gratuitous",
        &hex("0001080006040001 020000000001c6336401 000000000000c6336401"),
    );
    frames.push(("vlan-tagged-arp".into(), tagged));
    for (name, frame) in &frames {
        FrameRepr::parse(frame, ChecksumPolicy::Verify).unwrap_or_else(|e| panic!("{name}: {e}"));
        write("frame", name, frame);
    }
    println!(
        "wrote {} frames and per-layer seeds under corpus/",
        frames.len()
    );
}
