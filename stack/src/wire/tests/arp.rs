//! Tests of the ARP wire module, on the vectors in tests/vectors/arp-*.yaml.

use super::*;
use crate::wire::ethernet::{EthernetFrame, EthernetRepr};
use proptest::prelude::*;

/// tests/vectors/arp-request.yaml: 192.168.0.55 asks who has 192.168.0.2.
#[rustfmt::skip]
pub(crate) static ARP_REQUEST_FRAME: [u8; 60] = [
    // Ethernet: dst ff:ff:ff:ff:ff:ff
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    // Ethernet: src 00:05:5d:61:58:a8
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8,
    // Ethernet: ethertype 0x0806 (ARP)
    0x08, 0x06,
    // htype 1 (Ethernet)
    0x00, 0x01,
    // ptype 0x0800 (IPv4)
    0x08, 0x00,
    // hlen 6, plen 4
    0x06, 0x04,
    // oper 1 (Request)
    0x00, 0x01,
    // sha 00:05:5d:61:58:a8
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8,
    // spa 192.168.0.55
    0xc0, 0xa8, 0x00, 0x37,
    // tha 00:00:00:00:00:00
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // tpa 192.168.0.2
    0xc0, 0xa8, 0x00, 0x02,
    // 18 bytes of padding, not zero
    0x00, 0x77, 0x31, 0xd2, 0x50, 0x10, 0xfd, 0x78, 0x41, 0xd3,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// tests/vectors/arp-reply.yaml: 192.168.0.2 is at 00:05:5d:a1:b8:40.
#[rustfmt::skip]
pub(crate) static ARP_REPLY_FRAME: [u8; 60] = [
    // Ethernet: dst 00:05:5d:61:58:a8
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8,
    // Ethernet: src 00:05:5d:a1:b8:40
    0x00, 0x05, 0x5d, 0xa1, 0xb8, 0x40,
    // Ethernet: ethertype 0x0806 (ARP)
    0x08, 0x06,
    // htype 1 (Ethernet)
    0x00, 0x01,
    // ptype 0x0800 (IPv4)
    0x08, 0x00,
    // hlen 6, plen 4
    0x06, 0x04,
    // oper 2 (Reply)
    0x00, 0x02,
    // sha 00:05:5d:a1:b8:40
    0x00, 0x05, 0x5d, 0xa1, 0xb8, 0x40,
    // spa 192.168.0.2
    0xc0, 0xa8, 0x00, 0x02,
    // tha 00:05:5d:61:58:a8
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8,
    // tpa 192.168.0.55
    0xc0, 0xa8, 0x00, 0x37,
    // 18 bytes of padding, not zero
    0x00, 0x77, 0x31, 0xd2, 0x50, 0x10, 0xfd, 0x78, 0x41, 0xd3,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// Where the ARP packet starts in the vector frames (after the Ethernet header).
const ARP_AT: usize = 14;
/// Where the padding starts in the vector frames.
const PADDING_AT: usize = ARP_AT + HEADER_LEN;

const HOST_A_MAC: EthernetAddress = EthernetAddress([0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8]);
const HOST_B_MAC: EthernetAddress = EthernetAddress([0x00, 0x05, 0x5d, 0xa1, 0xb8, 0x40]);
const HOST_A_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 55);
const HOST_B_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 2);

/// The ARP packet and its padding, as an Ethernet payload (46 bytes).
fn request_payload() -> &'static [u8] {
    &ARP_REQUEST_FRAME[ARP_AT..]
}

fn reply_payload() -> &'static [u8] {
    &ARP_REPLY_FRAME[ARP_AT..]
}

fn request_repr() -> ArpRepr {
    ArpRepr {
        operation: ArpOperation::Request,
        source_hardware_addr: HOST_A_MAC,
        source_protocol_addr: HOST_A_IP,
        target_hardware_addr: EthernetAddress::UNSPECIFIED,
        target_protocol_addr: HOST_B_IP,
    }
}

fn reply_repr() -> ArpRepr {
    ArpRepr {
        operation: ArpOperation::Reply,
        source_hardware_addr: HOST_B_MAC,
        source_protocol_addr: HOST_B_IP,
        target_hardware_addr: HOST_A_MAC,
        target_protocol_addr: HOST_A_IP,
    }
}

/// The request's 28 bytes, with the byte at `at` replaced by `value`.
fn request_with(at: usize, value: u8) -> [u8; HEADER_LEN] {
    let mut bytes = [0; HEADER_LEN];
    bytes.copy_from_slice(&request_payload()[..HEADER_LEN]);
    bytes[at] = value;
    bytes
}

#[test]
fn deconstruct_request() {
    let packet = ArpPacket::new_checked(request_payload()).unwrap();
    assert_eq!(packet.htype(), ArpHardware::Ethernet);
    assert_eq!(u16::from(packet.htype()), 1);
    assert_eq!(packet.ptype(), EtherType::Ipv4);
    assert_eq!(u16::from(packet.ptype()), 0x0800);
    assert_eq!(packet.hlen(), 6);
    assert_eq!(packet.plen(), 4);
    assert_eq!(packet.oper(), ArpOperation::Request);
    assert_eq!(u16::from(packet.oper()), 1);
    assert_eq!(packet.sha().to_string(), "00:05:5d:61:58:a8");
    assert_eq!(packet.spa(), Ipv4Addr::new(192, 168, 0, 55));
    assert_eq!(packet.tha().to_string(), "00:00:00:00:00:00");
    assert_eq!(packet.tpa(), Ipv4Addr::new(192, 168, 0, 2));
}

#[test]
fn deconstruct_reply() {
    let packet = ArpPacket::new_checked(reply_payload()).unwrap();
    assert_eq!(u16::from(packet.htype()), 1);
    assert_eq!(u16::from(packet.ptype()), 0x0800);
    assert_eq!((packet.hlen(), packet.plen()), (6, 4));
    assert_eq!(packet.oper(), ArpOperation::Reply);
    assert_eq!(u16::from(packet.oper()), 2);
    assert_eq!(packet.sha().to_string(), "00:05:5d:a1:b8:40");
    assert_eq!(packet.spa(), Ipv4Addr::new(192, 168, 0, 2));
    assert_eq!(packet.tha().to_string(), "00:05:5d:61:58:a8");
    assert_eq!(packet.tpa(), Ipv4Addr::new(192, 168, 0, 55));
}

#[test]
fn vectors_through_ethernet_ignore_the_padding() {
    for (frame, expected, src, dst) in [
        (
            &ARP_REQUEST_FRAME,
            request_repr(),
            "00:05:5d:61:58:a8",
            "ff:ff:ff:ff:ff:ff",
        ),
        (
            &ARP_REPLY_FRAME,
            reply_repr(),
            "00:05:5d:a1:b8:40",
            "00:05:5d:61:58:a8",
        ),
    ] {
        let eth = EthernetFrame::new_checked(&frame[..]).unwrap();
        let eth_repr = EthernetRepr::parse(&eth).unwrap();
        assert_eq!(eth_repr.src_addr.to_string(), src);
        assert_eq!(eth_repr.dst_addr.to_string(), dst);
        assert_eq!(u16::from(eth_repr.ethertype), 0x0806);
        // padding_len: 18 bytes beyond the 28-byte body, and not all zero.
        let payload = eth.payload();
        assert_eq!(payload.len() - HEADER_LEN, 18);
        assert!(payload[HEADER_LEN..].iter().any(|&b| b != 0));
        let packet = ArpPacket::new_checked(payload).unwrap();
        assert_eq!(ArpRepr::parse(&packet), Ok(expected));
    }
}

#[test]
fn padding_content_does_not_matter() {
    let mut bytes = request_payload().to_vec();
    bytes[HEADER_LEN..].fill(0x5a);
    let packet = ArpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(ArpRepr::parse(&packet), Ok(request_repr()));
}

#[test]
fn construct() {
    let mut bytes = [0xa5; HEADER_LEN];
    let mut packet = ArpPacket::new_unchecked(&mut bytes[..]);
    packet.set_htype(ArpHardware::Ethernet);
    packet.set_ptype(EtherType::Ipv4);
    packet.set_hlen(6);
    packet.set_plen(4);
    packet.set_oper(ArpOperation::Reply);
    packet.set_sha(HOST_B_MAC);
    packet.set_spa(HOST_B_IP);
    packet.set_tha(HOST_A_MAC);
    packet.set_tpa(HOST_A_IP);
    assert_eq!(&bytes[..], &reply_payload()[..HEADER_LEN]);
}

#[test]
fn parse() {
    let request = ArpPacket::new_unchecked(request_payload());
    assert_eq!(ArpRepr::parse(&request), Ok(request_repr()));
    let reply = ArpPacket::new_unchecked(reply_payload());
    assert_eq!(ArpRepr::parse(&reply), Ok(reply_repr()));
}

#[test]
fn emit_writes_exactly_28_bytes() {
    for (repr, payload) in [
        (request_repr(), request_payload()),
        (reply_repr(), reply_payload()),
    ] {
        assert_eq!(repr.buffer_len(), 28);
        let mut bytes = vec![0xa5; payload.len()];
        repr.emit(&mut ArpPacket::new_unchecked(&mut bytes[..]));
        assert_eq!(&bytes[..HEADER_LEN], &payload[..HEADER_LEN]);
        assert!(bytes[HEADER_LEN..].iter().all(|&b| b == 0xa5));
    }
}

#[test]
fn emit_into_exact_buffer() {
    let mut bytes = [0xa5; HEADER_LEN];
    reply_repr().emit(&mut ArpPacket::new_unchecked(&mut bytes[..]));
    assert_eq!(&bytes[..], &ARP_REPLY_FRAME[ARP_AT..PADDING_AT]);
}

#[test]
fn truncated() {
    let bytes = request_payload();
    for len in 0..FIXED_LEN {
        assert_eq!(
            ArpPacket::new_checked(&bytes[..len]),
            Err(WireError::Truncated {
                field: "arp header",
                need: 8,
                have: len
            })
        );
    }
    for len in FIXED_LEN..HEADER_LEN {
        assert_eq!(
            ArpPacket::new_checked(&bytes[..len]),
            Err(WireError::Truncated {
                field: "arp addresses",
                need: 28,
                have: len
            })
        );
        assert_eq!(
            ArpRepr::parse(&ArpPacket::new_unchecked(&bytes[..len])),
            Err(WireError::Truncated {
                field: "arp addresses",
                need: 28,
                have: len
            })
        );
    }
    assert!(ArpPacket::new_checked(&bytes[..HEADER_LEN]).is_ok());
}

#[test]
fn impossible_len() {
    // Address lengths of zero cannot hold any address.
    let mut bytes = request_with(field::HLEN, 0);
    bytes[field::PLEN] = 0;
    assert_eq!(
        ArpPacket::new_checked(&bytes[..]),
        Err(WireError::Invalid {
            field: "hlen",
            value: 0
        })
    );
}

#[test]
fn bad_htype() {
    // Hardware type 6 (IEEE 802 networks) is legal ARP, but not ours.
    let bytes = request_with(1, 6);
    assert_eq!(
        ArpRepr::parse(&ArpPacket::new_unchecked(&bytes[..])),
        Err(WireError::Unsupported {
            field: "htype",
            value: 6
        })
    );
}

#[test]
fn bad_ptype() {
    let mut bytes = request_with(field::PTYPE.start, 0x86);
    bytes[field::PTYPE.start + 1] = 0xdd;
    assert_eq!(
        ArpPacket::new_checked(&bytes[..]),
        Err(WireError::Unsupported {
            field: "ptype",
            value: 0x86dd
        })
    );
}

#[test]
fn bad_hlen() {
    // An EUI-64 length for Ethernet hardware.
    let bytes = request_with(field::HLEN, 8);
    assert_eq!(
        ArpPacket::new_checked(&bytes[..]),
        Err(WireError::Invalid {
            field: "hlen",
            value: 8
        })
    );
}

#[test]
fn bad_plen() {
    // An IPv6 length for IPv4 protocol addresses.
    let bytes = request_with(field::PLEN, 16);
    assert_eq!(
        ArpRepr::parse(&ArpPacket::new_unchecked(&bytes[..])),
        Err(WireError::Invalid {
            field: "plen",
            value: 16
        })
    );
}

#[test]
fn htype_is_checked_before_lengths_and_length() {
    // Another hardware type is reported as such even when the lengths, and
    // the buffer, are wrong for Ethernet.
    let mut bytes = request_with(1, 6);
    bytes[field::HLEN] = 8;
    assert_eq!(
        ArpPacket::new_checked(&bytes[..FIXED_LEN]),
        Err(WireError::Unsupported {
            field: "htype",
            value: 6
        })
    );
}

#[test]
fn unknown_operation_round_trips() {
    // RARP's reverse request (RFC 903), opcode 3.
    let bytes = request_with(field::OPER.end - 1, 3);
    let repr = ArpRepr::parse(&ArpPacket::new_unchecked(&bytes[..])).unwrap();
    assert_eq!(repr.operation, ArpOperation::Unknown(3));
    let mut out = [0xa5; HEADER_LEN];
    repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]));
    assert_eq!(out, bytes);
}

#[test]
fn display() {
    assert_eq!(
        request_repr().to_string(),
        "ARP, Request who-has 192.168.0.2 tell 192.168.0.55"
    );
    assert_eq!(
        reply_repr().to_string(),
        "ARP, Reply 192.168.0.2 is-at 00:05:5d:a1:b8:40"
    );
    let known_target = ArpRepr {
        target_hardware_addr: HOST_B_MAC,
        ..request_repr()
    };
    assert_eq!(
        known_target.to_string(),
        "ARP, Request who-has 192.168.0.2 (00:05:5d:a1:b8:40) tell 192.168.0.55"
    );
    let rarp = ArpRepr {
        operation: ArpOperation::Unknown(3),
        ..reply_repr()
    };
    assert_eq!(
        rarp.to_string(),
        "ARP, Unknown opcode 3 192.168.0.2 (00:05:5d:a1:b8:40) > 192.168.0.55 (00:05:5d:61:58:a8)"
    );
}

#[test]
fn request_and_reply_builders_match_the_vectors() {
    let request = ArpRepr::request(HOST_A_MAC, HOST_A_IP, HOST_B_IP);
    assert_eq!(request, request_repr());
    assert_eq!(request.reply_to(HOST_B_MAC), reply_repr());
}

#[test]
fn gratuitous_and_probe() {
    assert!(!request_repr().is_gratuitous());
    assert!(!reply_repr().is_gratuitous());
    // RFC 5227 2.3 announcement: sender and target protocol addresses equal.
    let announcement = ArpRepr::request(HOST_A_MAC, HOST_A_IP, HOST_A_IP);
    assert!(announcement.is_gratuitous());
    assert!(!announcement.is_probe());
    // RFC 5227 2.1.1 probe: sender protocol address all zeroes.
    let probe = ArpRepr::request(HOST_A_MAC, Ipv4Addr::UNSPECIFIED, HOST_B_IP);
    assert!(probe.is_probe());
    assert!(!probe.is_gratuitous());
    let reply = ArpRepr {
        source_protocol_addr: Ipv4Addr::UNSPECIFIED,
        ..reply_repr()
    };
    assert!(!reply.is_probe());
}

fn ethernet_address() -> impl Strategy<Value = EthernetAddress> {
    any::<[u8; 6]>().prop_map(EthernetAddress)
}

fn ipv4_address() -> impl Strategy<Value = Ipv4Addr> {
    any::<[u8; 4]>().prop_map(Ipv4Addr::from)
}

fn arp_repr() -> impl Strategy<Value = ArpRepr> {
    (
        any::<u16>(),
        ethernet_address(),
        ipv4_address(),
        ethernet_address(),
        ipv4_address(),
    )
        .prop_map(|(op, sha, spa, tha, tpa)| ArpRepr {
            operation: ArpOperation::from(op),
            source_hardware_addr: sha,
            source_protocol_addr: spa,
            target_hardware_addr: tha,
            target_protocol_addr: tpa,
        })
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(repr in arp_repr(), padding in 0usize..32) {
        let mut bytes = vec![0xa5; repr.buffer_len() + padding];
        repr.emit(&mut ArpPacket::new_unchecked(&mut bytes[..]));
        prop_assert_eq!(ArpRepr::parse(&ArpPacket::new_checked(&bytes[..]).unwrap()), Ok(repr));
    }

    #[test]
    fn bytes_parse_emit_round_trips(
        body in any::<[u8; 22]>(),
        padding in proptest::collection::vec(any::<u8>(), 0..32),
    ) {
        // The four fields Ethernet/IPv4 fixes, then any opcode and addresses.
        let mut bytes = vec![0x00, 0x01, 0x08, 0x00, 0x06, 0x04];
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(&padding);
        let repr = ArpRepr::parse(&ArpPacket::new_checked(&bytes[..]).unwrap()).unwrap();
        let mut out = [0xa5; HEADER_LEN];
        repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]));
        prop_assert_eq!(&out[..], &bytes[..HEADER_LEN]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let packet = ArpPacket::new_unchecked(&bytes[..]);
        if let Ok(repr) = ArpRepr::parse(&packet) {
            let mut out = [0xa5; HEADER_LEN];
            repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]));
            prop_assert_eq!(&out[..], &bytes[..HEADER_LEN]);
        }
    }
}

proptest! {
    /// The one-test fast path of `check_len` agrees with the full check.
    #[test]
    fn check_len_fast_path_agrees(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..40),
        prefix in any::<bool>(),
        flip in 0usize..8,
    ) {
        if prefix && bytes.len() >= 6 {
            bytes[..6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
            if let Some(byte) = bytes.get_mut(flip) {
                if flip < 6 {
                    *byte ^= 1;
                }
            }
        }
        let packet = ArpPacket::new_unchecked(&bytes[..]);
        prop_assert_eq!(packet.check_len(), packet.check_len_slow());
    }
}
