//! Tests of the Ethernet II wire module.

use super::*;
use crate::wire::arp::tests::{ARP_REPLY_FRAME, ARP_REQUEST_FRAME};
use proptest::prelude::*;

/// Hand-made: the ARP request of tests/vectors/arp-request.yaml sent on
/// VLAN 100 with priority 3, padded to the 60-byte minimum.
#[rustfmt::skip]
static TAGGED_FRAME: [u8; 60] = [
    // dst ff:ff:ff:ff:ff:ff
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    // src 00:05:5d:61:58:a8
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8,
    // TPID 0x8100 (802.1Q)
    0x81, 0x00,
    // TCI: PCP 3, DEI 0, VID 100
    0x60, 0x64,
    // inner ethertype 0x0806 (ARP)
    0x08, 0x06,
    // ARP request: htype, ptype, hlen, plen, oper
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
    // sha, spa
    0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8, 0xc0, 0xa8, 0x00, 0x37,
    // tha, tpa
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x02,
    // 14 bytes of zero padding
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
];

const HOST_A_MAC: EthernetAddress = EthernetAddress([0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8]);
const HOST_B_MAC: EthernetAddress = EthernetAddress([0x00, 0x05, 0x5d, 0xa1, 0xb8, 0x40]);
const VLAN_100_P3: VlanTag = VlanTag {
    pcp: 3,
    dei: false,
    vid: 100,
};

fn request_repr() -> EthernetRepr {
    EthernetRepr {
        dst_addr: EthernetAddress::BROADCAST,
        src_addr: HOST_A_MAC,
        vlan: None,
        ethertype: EtherType::Arp,
    }
}

fn reply_repr() -> EthernetRepr {
    EthernetRepr {
        dst_addr: HOST_A_MAC,
        src_addr: HOST_B_MAC,
        vlan: None,
        ethertype: EtherType::Arp,
    }
}

fn tagged_repr() -> EthernetRepr {
    EthernetRepr {
        vlan: Some(VLAN_100_P3),
        ..request_repr()
    }
}

/// A frame of `len` bytes: the request vector's addresses, then `types` as
/// consecutive 16-bit words from byte 12, then zeroes.
fn frame_with_types(types: &[u16], len: usize) -> Vec<u8> {
    let mut bytes = ARP_REQUEST_FRAME[..12].to_vec();
    for t in types {
        bytes.extend_from_slice(&t.to_be_bytes());
    }
    bytes.resize(len, 0);
    bytes
}

#[test]
fn deconstruct() {
    let frame = EthernetFrame::new_checked(&ARP_REQUEST_FRAME[..]).unwrap();
    assert_eq!(frame.dst_addr().to_string(), "ff:ff:ff:ff:ff:ff");
    assert_eq!(frame.src_addr().to_string(), "00:05:5d:61:58:a8");
    assert_eq!(u16::from(frame.ethertype()), 0x0806);
    assert_eq!(frame.payload_ethertype(), EtherType::Arp);
    assert_eq!(frame.vlan_tag(), None);
    assert_eq!(frame.header_len(), 14);
    // The payload keeps the 18 bytes of padding after the 28-byte ARP body.
    assert_eq!(frame.payload().len(), 28 + 18);
    assert_eq!(frame.payload(), &ARP_REQUEST_FRAME[14..]);

    let frame = EthernetFrame::new_checked(&ARP_REPLY_FRAME[..]).unwrap();
    assert_eq!(frame.dst_addr().to_string(), "00:05:5d:61:58:a8");
    assert_eq!(frame.src_addr().to_string(), "00:05:5d:a1:b8:40");
    assert_eq!(u16::from(frame.ethertype()), 0x0806);
    assert_eq!(frame.payload().len(), 46);
}

#[test]
fn deconstruct_tagged() {
    let frame = EthernetFrame::new_checked(&TAGGED_FRAME[..]).unwrap();
    assert_eq!(frame.dst_addr(), EthernetAddress::BROADCAST);
    assert_eq!(frame.src_addr(), HOST_A_MAC);
    assert_eq!(frame.ethertype(), EtherType::Vlan);
    assert!(frame.is_tagged());
    assert_eq!(frame.vlan_tag(), Some(VLAN_100_P3));
    assert_eq!(frame.payload_ethertype(), EtherType::Arp);
    assert_eq!(frame.header_len(), 18);
    assert_eq!(frame.payload(), &TAGGED_FRAME[18..]);
    assert_eq!(&frame.payload()[..28], &ARP_REQUEST_FRAME[14..42]);
}

#[test]
fn construct() {
    let mut bytes = [0xa5; 60];
    let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
    frame.set_dst_addr(HOST_A_MAC);
    frame.set_src_addr(HOST_B_MAC);
    frame.set_ethertype(EtherType::Arp);
    frame.payload_mut().copy_from_slice(&ARP_REPLY_FRAME[14..]);
    assert_eq!(&bytes[..], &ARP_REPLY_FRAME[..]);
}

#[test]
fn construct_tagged() {
    let mut bytes = [0xa5; 60];
    let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
    frame.set_dst_addr(EthernetAddress::BROADCAST);
    frame.set_src_addr(HOST_A_MAC);
    frame.set_ethertype(EtherType::Vlan);
    frame.set_vlan_tag(VLAN_100_P3);
    frame.set_payload_ethertype(EtherType::Arp);
    assert_eq!(frame.payload_mut().len(), 42);
    assert_eq!(&bytes[..18], &TAGGED_FRAME[..18]);
    assert!(bytes[18..].iter().all(|&b| b == 0xa5));
}

#[test]
fn parse() {
    let frame = EthernetFrame::new_unchecked(&ARP_REQUEST_FRAME[..]);
    assert_eq!(EthernetRepr::parse(&frame), Ok(request_repr()));
    let frame = EthernetFrame::new_unchecked(&ARP_REPLY_FRAME[..]);
    assert_eq!(EthernetRepr::parse(&frame), Ok(reply_repr()));
    let frame = EthernetFrame::new_unchecked(&TAGGED_FRAME[..]);
    assert_eq!(EthernetRepr::parse(&frame), Ok(tagged_repr()));
}

#[test]
fn emit() {
    for (repr, vector) in [
        (request_repr(), &ARP_REQUEST_FRAME),
        (reply_repr(), &ARP_REPLY_FRAME),
    ] {
        let mut bytes = vec![0xa5; repr.buffer_len(28)];
        assert_eq!(bytes.len(), 60);
        let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
        repr.emit(&mut frame);
        // The header is written and every byte after it zeroed.
        assert_eq!(&bytes[..14], &vector[..14]);
        assert!(bytes[14..].iter().all(|&b| b == 0));
        // The caller writes the payload; the rest is zero padding.
        let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
        frame.payload_mut()[..28].copy_from_slice(&vector[14..42]);
        assert_eq!(&bytes[..42], &vector[..42]);
        assert!(bytes[42..].iter().all(|&b| b == 0));
    }
}

#[test]
fn emit_tagged() {
    let repr = tagged_repr();
    let mut bytes = vec![0xa5; repr.buffer_len(28)];
    assert_eq!(bytes.len(), 60);
    let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
    repr.emit(&mut frame);
    frame.payload_mut()[..28].copy_from_slice(&ARP_REQUEST_FRAME[14..42]);
    assert_eq!(&bytes[..], &TAGGED_FRAME[..]);
}

#[test]
fn emit_over_a_stale_tagged_header() {
    // A reused buffer that held a tagged frame: emit must not read its layout.
    let mut bytes = TAGGED_FRAME.to_vec();
    request_repr().emit(&mut EthernetFrame::new_unchecked(&mut bytes[..]));
    assert_eq!(&bytes[..14], &ARP_REQUEST_FRAME[..14]);
    assert!(bytes[14..].iter().all(|&b| b == 0));
}

#[test]
fn buffer_len_pads_to_the_minimum_frame() {
    assert_eq!(MIN_FRAME_LEN, 60);
    assert_eq!(request_repr().header_len(), HEADER_LEN);
    assert_eq!(tagged_repr().header_len(), HEADER_LEN + VLAN_TAG_LEN);
    assert_eq!(request_repr().buffer_len(0), 60);
    assert_eq!(request_repr().buffer_len(46), 60);
    assert_eq!(request_repr().buffer_len(47), 61);
    assert_eq!(request_repr().buffer_len(1500), 1514);
    assert_eq!(tagged_repr().buffer_len(42), 60);
    assert_eq!(tagged_repr().buffer_len(1500), 1518);
}

#[test]
fn truncated() {
    for len in 0..HEADER_LEN {
        assert_eq!(
            EthernetFrame::new_checked(&ARP_REQUEST_FRAME[..len]),
            Err(WireError::Truncated {
                field: "ethernet header",
                need: 14,
                have: len
            })
        );
    }
    // A short (runt) frame parses if its header fits: padding is the sender's job.
    let frame = EthernetFrame::new_checked(&ARP_REQUEST_FRAME[..HEADER_LEN]).unwrap();
    assert_eq!(EthernetRepr::parse(&frame), Ok(request_repr()));
    assert!(frame.payload().is_empty());
}

#[test]
fn truncated_vlan_tag() {
    for len in HEADER_LEN..TAGGED_HEADER_LEN {
        assert_eq!(
            EthernetRepr::parse(&EthernetFrame::new_unchecked(&TAGGED_FRAME[..len])),
            Err(WireError::Truncated {
                field: "802.1Q tag",
                need: 18,
                have: len
            })
        );
    }
    let frame = EthernetFrame::new_checked(&TAGGED_FRAME[..TAGGED_HEADER_LEN]).unwrap();
    assert!(frame.payload().is_empty());
}

#[test]
fn impossible_len() {
    // IEEE 802.3 3.2.6: below 0x0600 the Type field is a Length (an LLC
    // frame), which an Ethernet II parser cannot read.
    for value in [0x0000, 0x002e, 0x05dc, 0x05ff] {
        let bytes = frame_with_types(&[value], 60);
        assert_eq!(
            EthernetRepr::parse(&EthernetFrame::new_unchecked(&bytes[..])),
            Err(WireError::Unsupported {
                field: "ethertype",
                value: value.into()
            })
        );
        let bytes = frame_with_types(&[0x8100, 0x0064, value], 60);
        assert_eq!(
            EthernetRepr::parse(&EthernetFrame::new_unchecked(&bytes[..])),
            Err(WireError::Unsupported {
                field: "802.1Q inner ethertype",
                value: value.into()
            })
        );
    }
    let lowest = frame_with_types(&[0x0600], 60);
    assert!(EthernetRepr::parse(&EthernetFrame::new_unchecked(&lowest[..])).is_ok());
}

#[test]
fn qinq_service_tag_is_unsupported() {
    let bytes = frame_with_types(&[0x88a8, 0x0064, 0x8100, 0x00c8, 0x0800], 60);
    assert_eq!(
        EthernetRepr::parse(&EthernetFrame::new_unchecked(&bytes[..])),
        Err(WireError::Unsupported {
            field: "ethertype",
            value: 0x88a8
        })
    );
}

#[test]
fn stacked_tags_are_unsupported() {
    for inner in [0x8100, 0x88a8] {
        let bytes = frame_with_types(&[0x8100, 0x0064, inner, 0x00c8, 0x0800], 60);
        assert_eq!(
            EthernetRepr::parse(&EthernetFrame::new_unchecked(&bytes[..])),
            Err(WireError::Unsupported {
                field: "802.1Q inner ethertype",
                value: inner.into()
            })
        );
    }
}

#[test]
fn unknown_ethertype_is_kept() {
    let bytes = frame_with_types(&[0x88cc], 60); // LLDP
    let repr = EthernetRepr::parse(&EthernetFrame::new_unchecked(&bytes[..])).unwrap();
    assert_eq!(repr.ethertype, EtherType::Unknown(0x88cc));
    assert_eq!(
        repr.to_string(),
        "00:05:5d:61:58:a8 > ff:ff:ff:ff:ff:ff, 0x88cc"
    );
}

#[test]
fn vlan_tci_round_trips() {
    for tci in 0..=u16::MAX {
        assert_eq!(VlanTag::from_tci(tci).tci(), tci);
    }
    assert_eq!(
        VlanTag::from_tci(0xf123),
        VlanTag {
            pcp: 7,
            dei: true,
            vid: 0x123
        }
    );
    // Bits beyond the fields' widths are dropped.
    assert_eq!(
        VlanTag {
            pcp: 0xff,
            dei: false,
            vid: 0xffff
        }
        .tci(),
        0xefff
    );
}

#[test]
fn display() {
    assert_eq!(
        request_repr().to_string(),
        "00:05:5d:61:58:a8 > ff:ff:ff:ff:ff:ff, ARP"
    );
    assert_eq!(
        reply_repr().to_string(),
        "00:05:5d:a1:b8:40 > 00:05:5d:61:58:a8, ARP"
    );
    assert_eq!(
        tagged_repr().to_string(),
        "00:05:5d:61:58:a8 > ff:ff:ff:ff:ff:ff, vlan 100 p 3, ARP"
    );
    let dei = EthernetRepr {
        vlan: Some(VlanTag {
            dei: true,
            ..VLAN_100_P3
        }),
        ethertype: EtherType::Ipv4,
        ..request_repr()
    };
    assert_eq!(
        dei.to_string(),
        "00:05:5d:61:58:a8 > ff:ff:ff:ff:ff:ff, vlan 100 p 3 dei, IPv4"
    );
}

fn ethernet_address() -> impl Strategy<Value = EthernetAddress> {
    any::<[u8; 6]>().prop_map(EthernetAddress)
}

/// Any EtherType a parsed `Repr` can hold: a Type, not a TPID.
fn payload_ethertype() -> impl Strategy<Value = EtherType> {
    prop_oneof![
        Just(EtherType::Ipv4),
        Just(EtherType::Arp),
        Just(EtherType::Ipv6),
        (0x0600u16..=0xffff)
            .prop_filter("not a TPID", |&t| t != 0x8100 && t != 0x88a8)
            .prop_map(EtherType::from),
    ]
}

fn vlan_tag() -> impl Strategy<Value = VlanTag> {
    (0u8..8, any::<bool>(), 0u16..0x1000).prop_map(|(pcp, dei, vid)| VlanTag { pcp, dei, vid })
}

fn ethernet_repr() -> impl Strategy<Value = EthernetRepr> {
    (
        ethernet_address(),
        ethernet_address(),
        proptest::option::of(vlan_tag()),
        payload_ethertype(),
    )
        .prop_map(|(dst_addr, src_addr, vlan, ethertype)| EthernetRepr {
            dst_addr,
            src_addr,
            vlan,
            ethertype,
        })
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(
        repr in ethernet_repr(),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let mut bytes = vec![0xa5; repr.buffer_len(payload.len())];
        let mut frame = EthernetFrame::new_unchecked(&mut bytes[..]);
        repr.emit(&mut frame);
        frame.payload_mut()[..payload.len()].copy_from_slice(&payload);
        let frame = EthernetFrame::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(EthernetRepr::parse(&frame), Ok(repr));
        prop_assert_eq!(&frame.payload()[..payload.len()], &payload[..]);
        prop_assert!(frame.payload()[payload.len()..].iter().all(|&b| b == 0));
    }

    #[test]
    fn bytes_parse_emit_round_trips(
        addrs in any::<[u8; 12]>(),
        tci in proptest::option::of(any::<u16>()),
        ethertype in any::<u16>(),
        rest in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = addrs.to_vec();
        if let Some(tci) = tci {
            bytes.extend_from_slice(&[0x81, 0x00]);
            bytes.extend_from_slice(&tci.to_be_bytes());
        }
        bytes.extend_from_slice(&ethertype.to_be_bytes());
        bytes.extend_from_slice(&rest);
        let frame = EthernetFrame::new_checked(&bytes[..]).unwrap();
        match EthernetRepr::parse(&frame) {
            Ok(repr) => {
                let header_len = repr.header_len();
                let mut out = vec![0xa5; repr.buffer_len(0)];
                repr.emit(&mut EthernetFrame::new_unchecked(&mut out[..]));
                prop_assert_eq!(&out[..header_len], &bytes[..header_len]);
                prop_assert_eq!(frame.payload(), &bytes[header_len..]);
            }
            Err(err) => {
                let field = if tci.is_some() { "802.1Q inner ethertype" } else { "ethertype" };
                prop_assert_eq!(err, WireError::Unsupported { field, value: ethertype.into() });
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let frame = EthernetFrame::new_unchecked(&bytes[..]);
        if let Ok(repr) = EthernetRepr::parse(&frame) {
            let mut out = vec![0xa5; repr.buffer_len(0)];
            repr.emit(&mut EthernetFrame::new_unchecked(&mut out[..]));
            prop_assert_eq!(&out[..repr.header_len()], &bytes[..repr.header_len()]);
        }
    }
}

proptest! {
    /// The one-test fast path of `check_len` agrees with the full check.
    #[test]
    fn check_len_fast_path_agrees(mut bytes in proptest::collection::vec(any::<u8>(), 0..24), tag in any::<bool>()) {
        if tag && bytes.len() >= 14 {
            bytes[12..14].copy_from_slice(&[0x81, 0x00]);
        }
        let frame = EthernetFrame::new_unchecked(&bytes[..]);
        prop_assert_eq!(frame.check_len(), frame.check_len_slow());
    }
}
