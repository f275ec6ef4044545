//! Every frame in `tests/vectors/` (copied from the shared vectors) parsed
//! through every layer, and every field the vector lists checked.

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::Path;

use serde::Deserialize;
use stack::wire::arp::ArpOperation;
use stack::wire::ethernet::EthernetFrame;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::ipv4::Ipv4Packet;
use stack::wire::udp::UdpPacket;
use stack::wire::{ChecksumPolicy, EthernetAddress};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    name: String,
    frame: String,
    fields: Fields,
    #[serde(default)]
    #[allow(dead_code)] // prose for people
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    ethernet: EthernetFields,
    arp: Option<ArpFields>,
    padding_len: Option<usize>,
    ipv4: Option<Ipv4Fields>,
    udp: Option<UdpFields>,
    tftp: Option<TftpFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EthernetFields {
    dst: String,
    src: String,
    ethertype: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArpFields {
    htype: u16,
    ptype: u16,
    hlen: u8,
    plen: u8,
    oper: u16,
    sha: String,
    spa: Ipv4Addr,
    tha: String,
    tpa: Ipv4Addr,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ipv4Fields {
    version: u8,
    ihl: u8,
    tos: u8,
    total_len: u16,
    id: u16,
    dont_fragment: bool,
    more_fragments: bool,
    frag_offset: u16,
    ttl: u8,
    protocol: u8,
    checksum: u16,
    checksum_valid: bool,
    src: Ipv4Addr,
    dst: Ipv4Addr,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UdpFields {
    src_port: u16,
    dst_port: u16,
    length: u16,
    checksum: u16,
    checksum_valid: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TftpFields {
    opcode: u16,
    filename: String,
    mode: String,
    options: BTreeMap<String, String>,
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    assert_eq!(digits.len() % 2, 0, "odd number of hex digits");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn mac(text: &str) -> EthernetAddress {
    let bytes = hex(text);
    assert_eq!(bytes.len(), 6, "{text} is not a MAC address");
    EthernetAddress::from_bytes(&bytes)
}

fn load() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 3,
        "expected the shared vectors in {}",
        dir.display()
    );
    paths
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p).unwrap();
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

fn check_ethernet(frame: &[u8], want: &EthernetFields) {
    let view = EthernetFrame::new_checked(frame).unwrap();
    assert_eq!(view.dst_addr(), mac(&want.dst));
    assert_eq!(view.src_addr(), mac(&want.src));
    assert_eq!(u16::from(view.ethertype()), want.ethertype);
}

fn check_arp(repr: &FrameRepr<'_>, frame: &[u8], want: &ArpFields, padding: Option<usize>) {
    let NetworkRepr::Arp(arp) = repr.network else {
        panic!("not ARP")
    };
    // The fixed fields, read from the bytes: ArpRepr only admits Ethernet/IPv4.
    let body = &frame[14..];
    assert_eq!(u16::from_be_bytes([body[0], body[1]]), want.htype);
    assert_eq!(u16::from_be_bytes([body[2], body[3]]), want.ptype);
    assert_eq!((body[4], body[5]), (want.hlen, want.plen));
    assert_eq!(u16::from(arp.operation), want.oper);
    assert_eq!(
        arp.operation,
        if want.oper == 1 {
            ArpOperation::Request
        } else {
            ArpOperation::Reply
        }
    );
    assert_eq!(arp.source_hardware_addr, mac(&want.sha));
    assert_eq!(arp.source_protocol_addr, want.spa);
    assert_eq!(arp.target_hardware_addr, mac(&want.tha));
    assert_eq!(arp.target_protocol_addr, want.tpa);
    if let Some(padding) = padding {
        assert_eq!(
            body.len() - arp.buffer_len(),
            padding,
            "padding after the ARP body"
        );
    }
}

fn check_ipv4(frame: &[u8], want: &Ipv4Fields) {
    let ip = Ipv4Packet::new_checked(&frame[14..]).unwrap();
    assert_eq!(
        (ip.version(), ip.ihl(), ip.tos()),
        (want.version, want.ihl, want.tos)
    );
    assert_eq!((ip.total_len(), ip.ident()), (want.total_len, want.id));
    assert_eq!(
        (ip.dont_frag(), ip.more_frags()),
        (want.dont_fragment, want.more_fragments)
    );
    assert_eq!(ip.frag_offset(), want.frag_offset);
    assert_eq!(
        (ip.ttl(), u8::from(ip.protocol())),
        (want.ttl, want.protocol)
    );
    assert_eq!(ip.checksum(), want.checksum);
    assert_eq!(ip.verify_checksum(), want.checksum_valid);
    assert_eq!((ip.src_addr(), ip.dst_addr()), (want.src, want.dst));
}

fn check_udp(frame: &[u8], want: &UdpFields) -> Vec<u8> {
    let ip = Ipv4Packet::new_checked(&frame[14..]).unwrap();
    let udp = UdpPacket::new_checked(ip.payload()).unwrap();
    assert_eq!(
        (udp.src_port(), udp.dst_port()),
        (want.src_port, want.dst_port)
    );
    assert_eq!((udp.len(), udp.checksum()), (want.length, want.checksum));
    assert_eq!(
        udp.verify_checksum(ip.src_addr(), ip.dst_addr()),
        want.checksum_valid
    );
    udp.payload().to_vec()
}

/// RFC 1350 2 and RFC 2347: opcode, then NUL-terminated filename, mode and
/// option name/value pairs.
fn check_tftp(payload: &[u8], want: &TftpFields) {
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), want.opcode);
    assert_eq!(payload.last(), Some(&0), "TFTP strings end with NUL");
    let strings: Vec<String> = payload[2..payload.len() - 1]
        .split(|&b| b == 0)
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect();
    assert_eq!(strings[0], want.filename);
    assert_eq!(strings[1], want.mode);
    let options: BTreeMap<String, String> = strings[2..]
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    assert_eq!(options, want.options);
}

#[test]
fn every_vector_parses_and_every_listed_field_matches() {
    for vector in load() {
        let frame = hex(&vector.frame);
        let repr = FrameRepr::parse(&frame, ChecksumPolicy::Verify)
            .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let fields = &vector.fields;
        check_ethernet(&frame, &fields.ethernet);
        if let Some(arp) = &fields.arp {
            check_arp(&repr, &frame, arp, fields.padding_len);
        }
        if let Some(ipv4) = &fields.ipv4 {
            check_ipv4(&frame, ipv4);
        }
        if let Some(udp) = &fields.udp {
            let payload = check_udp(&frame, udp);
            assert!(
                matches!(repr.network, NetworkRepr::Ipv4 { transport: TransportRepr::Udp(u), .. } if u.payload == payload)
            );
            if let Some(tftp) = &fields.tftp {
                check_tftp(&payload, tftp);
            }
        }
    }
}

#[test]
fn the_tftp_vector_is_97_bytes_with_both_checksums_valid() {
    let vector = load()
        .into_iter()
        .find(|v| v.name.starts_with("TFTP"))
        .unwrap();
    let frame = hex(&vector.frame);
    assert_eq!(frame.len(), 97);
    let ipv4 = vector.fields.ipv4.unwrap();
    let udp = vector.fields.udp.unwrap();
    assert!(ipv4.checksum_valid && udp.checksum_valid);
    // Corrupt one payload byte: the UDP checksum must then fail to verify.
    let mut bad = frame.clone();
    bad[60] ^= 0x01;
    assert!(FrameRepr::parse(&bad, ChecksumPolicy::Verify).is_err());
}
