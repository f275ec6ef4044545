//! Tests of the IPv4 view, options and repr.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

use ChecksumPolicy::{Ignore, Verify};

/// The IPv4 datagram of the TFTP read request (tests/vectors/tftp-rrq.yaml).
#[rustfmt::skip]
pub(crate) static PACKET_BYTES: [u8; 83] = [
    0x45,                   // version 4, IHL 5 (20 bytes)
    0x00,                   // type of service 0
    0x00, 0x53,             // total length 83
    0x93, 0x25,             // identification 0x9325 (37669)
    0x00, 0x00,             // flags none, fragment offset 0
    0x80,                   // time to live 128
    0x11,                   // protocol 17 (UDP)
    0x25, 0xec,             // header checksum 0x25ec (valid)
    0xc0, 0xa8, 0x00, 0x37, // source 192.168.0.55
    0xc0, 0xa8, 0x00, 0x01, // destination 192.168.0.1
    // UDP: 1492 > 69, length 63, checksum 0xac40
    0x05, 0xd4, 0x00, 0x45, 0x00, 0x3f, 0xac, 0x40,
    // TFTP RRQ "c:\qwerq.qwe" netascii blksize 512 timeout 10 tsize 0
    0x00, 0x01, 0x63, 0x3a, 0x5c, 0x71, 0x77, 0x65,
    0x72, 0x71, 0x2e, 0x71, 0x77, 0x65, 0x00, 0x6e,
    0x65, 0x74, 0x61, 0x73, 0x63, 0x69, 0x69, 0x00,
    0x62, 0x6c, 0x6b, 0x73, 0x69, 0x7a, 0x65, 0x00,
    0x35, 0x31, 0x32, 0x00, 0x74, 0x69, 0x6d, 0x65,
    0x6f, 0x75, 0x74, 0x00, 0x31, 0x30, 0x00, 0x74,
    0x73, 0x69, 0x7a, 0x65, 0x00, 0x30, 0x00,
];

const SRC: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 55);
const DST: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);

pub(crate) fn packet_repr() -> Ipv4Repr {
    Ipv4Repr {
        ttl: 128,
        ident: 0x9325,
        ..Ipv4Repr::new(SRC, DST, IpProtocol::Udp, 63)
    }
}

/// Parse `bytes` with checksums verified.
fn read(bytes: &[u8]) -> Result<Ipv4Repr, WireError> {
    Ipv4Repr::parse(&Ipv4Packet::new_unchecked(bytes), Verify)
}

/// Return the TFTP datagram after `edit`, with the header checksum refilled.
fn edited(edit: impl FnOnce(&mut Ipv4Packet<&mut [u8]>)) -> Vec<u8> {
    let mut bytes = PACKET_BYTES.to_vec();
    let mut packet = Ipv4Packet::new_unchecked(&mut bytes[..]);
    edit(&mut packet);
    if packet.check_header().is_ok() {
        packet.fill_checksum();
    }
    bytes
}

#[test]
fn deconstruct() {
    let packet = Ipv4Packet::new_checked(&PACKET_BYTES[..]).unwrap();
    assert_eq!(packet.version(), 4);
    assert_eq!(packet.ihl(), 5);
    assert_eq!(packet.header_len(), 20);
    assert_eq!((packet.tos(), packet.dscp(), packet.ecn()), (0, 0, 0));
    assert_eq!(packet.total_len(), 83);
    assert_eq!(packet.ident(), 0x9325);
    assert!(!packet.reserved_flag() && !packet.dont_frag() && !packet.more_frags());
    assert_eq!(packet.frag_offset(), 0);
    assert!(!packet.is_fragment());
    assert_eq!(packet.ttl(), 128);
    assert_eq!(packet.protocol(), IpProtocol::Udp);
    assert_eq!(packet.checksum(), 0x25ec);
    assert!(packet.verify_checksum());
    assert_eq!(packet.compute_checksum(), 0x25ec);
    assert_eq!(packet.src_addr(), SRC);
    assert_eq!(packet.dst_addr(), DST);
    assert_eq!(packet.options(), &[] as &[u8]);
    assert_eq!(packet.payload(), &PACKET_BYTES[20..]);
}

#[test]
fn construct() {
    let mut bytes = [0xa5; 83];
    let mut packet = Ipv4Packet::new_unchecked(&mut bytes[..]);
    packet.set_version(4);
    packet.set_ihl(5);
    packet.set_tos(0);
    packet.set_total_len(83);
    packet.set_ident(0x9325);
    packet.clear_flags();
    packet.set_ttl(128);
    packet.set_protocol(IpProtocol::Udp);
    packet.set_src_addr(SRC);
    packet.set_dst_addr(DST);
    packet.payload_mut().copy_from_slice(&PACKET_BYTES[20..]);
    packet.fill_checksum();
    assert_eq!(&bytes[..], &PACKET_BYTES[..]);
}

#[test]
fn tos_splits_into_dscp_and_ecn() {
    let bytes = edited(|p| p.set_tos(0xb9)); // EF (46) with ECT(1)
    let packet = Ipv4Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!((packet.dscp(), packet.ecn()), (46, 1));
}

#[test]
fn flags_and_fragment_offset() {
    let bytes = edited(|p| {
        p.set_more_frags(true);
        p.set_frag_offset(185);
        p.set_dont_frag(true);
        p.set_reserved_flag(true);
    });
    assert_eq!(&bytes[6..8], &[0xe0, 0xb9]);
    let packet = Ipv4Packet::new_checked(&bytes[..]).unwrap();
    assert!(packet.reserved_flag() && packet.dont_frag() && packet.more_frags());
    assert_eq!(
        (packet.frag_offset(), packet.frag_offset_bytes()),
        (185, 1480)
    );
    assert!(packet.is_fragment());
    let repr = read(&bytes).unwrap();
    assert!(repr.reserved_flag && repr.dont_frag && repr.more_frags && repr.is_fragment());
    assert_eq!((repr.frag_offset, repr.frag_offset_bytes()), (185, 1480));
    let key = repr.frag_key();
    assert_eq!((key.src_addr, key.dst_addr, key.ident), (SRC, DST, 0x9325));
    assert_eq!(key.protocol, IpProtocol::Udp);
}

#[test]
fn last_fragment_is_a_fragment_and_df_alone_is_not() {
    let last = edited(|p| p.set_frag_offset(1));
    assert!(read(&last).unwrap().is_fragment());
    let df = edited(|p| p.set_dont_frag(true));
    assert!(!read(&df).unwrap().is_fragment());
}

#[test]
fn parse() {
    assert_eq!(read(&PACKET_BYTES), Ok(packet_repr()));
}

#[test]
fn emit() {
    let repr = packet_repr();
    assert_eq!((repr.header_len(), repr.buffer_len()), (20, 83));
    let mut bytes = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut Ipv4Packet::new_unchecked(&mut bytes[..]), Verify);
    assert_eq!(&bytes[..20], &PACKET_BYTES[..20]);
    assert!(bytes[20..].iter().all(|&b| b == 0xa5), "payload untouched");
}

#[test]
fn emit_into_a_header_sized_buffer() {
    let mut bytes = [0xa5; 20];
    packet_repr().emit(&mut Ipv4Packet::new_unchecked(&mut bytes[..]), Verify);
    assert_eq!(&bytes[..], &PACKET_BYTES[..20]);
}

#[test]
fn emit_under_ignore_writes_a_zero_checksum() {
    let mut bytes = [0xa5; 20];
    packet_repr().emit(&mut Ipv4Packet::new_unchecked(&mut bytes[..]), Ignore);
    assert_eq!(&bytes[10..12], &[0, 0]);
    assert_eq!(&bytes[12..], &PACKET_BYTES[12..20]);
}

#[test]
fn ethernet_padding_is_ignored() {
    let mut bytes = PACKET_BYTES.to_vec();
    bytes.extend_from_slice(&[0; 13]);
    let packet = Ipv4Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.payload(), &PACKET_BYTES[20..]);
    assert_eq!(Ipv4Repr::parse(&packet, Verify).unwrap().payload_len, 63);
}

#[test]
fn truncated() {
    let err = Ipv4Packet::new_checked(&PACKET_BYTES[..82]).unwrap_err();
    assert_eq!(
        err,
        WireError::Truncated {
            field: "payload",
            need: 83,
            have: 82
        }
    );
    let err = Ipv4Packet::new_checked(&PACKET_BYTES[..19]).unwrap_err();
    assert_eq!(
        err,
        WireError::Truncated {
            field: "header",
            need: 20,
            have: 19
        }
    );
    assert_eq!(
        Ipv4Packet::new_checked(&[][..]).unwrap_err(),
        WireError::Truncated {
            field: "header",
            need: 20,
            have: 0
        }
    );
}

#[test]
fn impossible_len() {
    let bytes = edited(|p| p.set_total_len(19));
    assert_eq!(
        read(&bytes),
        Err(WireError::Invalid {
            field: "total_length",
            value: 19
        })
    );
}

#[test]
fn malformed_bad_version() {
    let bytes = edited(|p| p.set_version(6));
    assert_eq!(
        read(&bytes),
        Err(WireError::Invalid {
            field: "version",
            value: 6
        })
    );
}

#[test]
fn malformed_ihl_below_five() {
    let bytes = edited(|p| p.set_ihl(4));
    assert_eq!(
        read(&bytes),
        Err(WireError::Invalid {
            field: "ihl",
            value: 4
        })
    );
}

#[test]
fn malformed_ihl_beyond_buffer() {
    let mut bytes = PACKET_BYTES[..40].to_vec();
    Ipv4Packet::new_unchecked(&mut bytes[..]).set_ihl(15);
    let err = WireError::Truncated {
        field: "options",
        need: 60,
        have: 40,
    };
    assert_eq!(read(&bytes), Err(err));
}

#[test]
fn malformed_total_length_too_large() {
    let bytes = edited(|p| p.set_total_len(84));
    let err = WireError::Truncated {
        field: "payload",
        need: 84,
        have: 83,
    };
    assert_eq!(read(&bytes), Err(err));
}

#[test]
fn malformed_total_length_too_small() {
    let bytes = edited(|p| p.set_total_len(0));
    assert_eq!(
        read(&bytes),
        Err(WireError::Invalid {
            field: "total_length",
            value: 0
        })
    );
}

#[test]
fn malformed_bad_option_length() {
    // A header with four option bytes: Record Route claiming 9 bytes.
    let mut bytes = PACKET_BYTES[..24].to_vec();
    let mut packet = Ipv4Packet::new_unchecked(&mut bytes[..]);
    packet.set_ihl(6);
    packet.set_total_len(24);
    packet.options_mut().copy_from_slice(&[7, 9, 4, 0]);
    packet.fill_checksum();
    let err = WireError::BadOptionLength { kind: 7, length: 9 };
    assert_eq!(read(&bytes), Err(err));
}

#[test]
fn malformed_bad_checksum() {
    let mut bytes = PACKET_BYTES;
    bytes[11] = 0xed;
    let err = WireError::BadChecksum {
        expected: 0x25ec,
        found: 0x25ed,
    };
    assert_eq!(read(&bytes), Err(err));
    let ignored = Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&bytes[..]), Ignore);
    assert_eq!(ignored, Ok(packet_repr()));
}

#[test]
fn quoted_header_may_be_cut_short() {
    let packet = Ipv4Packet::new_unchecked(&PACKET_BYTES[..28]);
    assert!(packet.check_len().is_err());
    assert_eq!(packet.check_header(), Ok(()));
    assert_eq!(packet.payload(), &PACKET_BYTES[20..28]);
    assert_eq!(Ipv4Repr::parse_quoted(&packet), Ok(packet_repr()));
}

#[test]
fn display() {
    let repr = packet_repr();
    assert_eq!(
        repr.to_string(),
        "192.168.0.55 > 192.168.0.1: UDP, ttl 128, id 37669, len 83"
    );
    let repr = Ipv4Repr {
        tos: 0x10,
        dont_frag: true,
        more_frags: true,
        frag_offset: 185,
        options: Ipv4Options::from_options(&[Ipv4Option::RouterAlert(0)]).unwrap(),
        protocol: IpProtocol::Tcp,
        ..repr
    };
    assert_eq!(
        repr.to_string(),
        "192.168.0.55 > 192.168.0.1: TCP, ttl 128, id 37669, tos 0x10, DF, MF, off 1480, \
         options (RA 0), len 87"
    );
    let packet = Ipv4Packet::new_unchecked(&PACKET_BYTES[..]);
    assert_eq!(packet.to_string(), packet_repr().to_string());
    let short = Ipv4Packet::new_unchecked(&PACKET_BYTES[..10]);
    assert_eq!(
        short.to_string(),
        "IPv4 (truncated header: need 20 bytes, have 10)"
    );
}

#[test]
fn header_with_router_alert_round_trips() {
    // RFC 2113: an IGMP-style header with Router Alert, 24 bytes.
    let options = Ipv4Options::from_options(&[Ipv4Option::RouterAlert(0)]).unwrap();
    assert_eq!(options.as_bytes(), &[148, 4, 0, 0]);
    let repr = Ipv4Repr {
        options,
        ttl: 1,
        ..Ipv4Repr::new(SRC, Ipv4Addr::new(224, 0, 0, 22), IpProtocol::Unknown(2), 8)
    };
    let mut bytes = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut Ipv4Packet::new_unchecked(&mut bytes[..]), Verify);
    assert_eq!(bytes[0], 0x46);
    let packet = Ipv4Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.options(), &[148, 4, 0, 0]);
    assert_eq!(packet.payload().len(), 8);
    assert_eq!(Ipv4Repr::parse(&packet, Verify), Ok(repr));
}

/// Assert that `bytes` parse as exactly one `option` taking all of them, and
/// that the option emits the same bytes back.
macro_rules! assert_option_parses {
    ($bytes:expr, $option:expr) => {{
        let bytes: &[u8] = &$bytes;
        let option: Ipv4Option<'_> = $option;
        assert_eq!(
            Ipv4Option::parse(bytes),
            Ok((option, bytes.len())),
            "{bytes:02x?}"
        );
        assert_eq!(option.buffer_len(), bytes.len());
        let mut out = vec![0xa5; bytes.len()];
        assert_eq!(option.emit(&mut out), bytes.len());
        assert_eq!(&out[..], bytes);
    }};
}

#[test]
fn each_option_kind_parses() {
    assert_option_parses!([0], Ipv4Option::EndOfList);
    assert_option_parses!([1], Ipv4Option::Nop);
    assert_option_parses!(
        [7, 11, 8, 192, 0, 2, 1, 0, 0, 0, 0],
        Ipv4Option::RecordRoute {
            pointer: 8,
            route: &[192, 0, 2, 1, 0, 0, 0, 0]
        }
    );
    assert_option_parses!(
        [7, 3, 4],
        Ipv4Option::RecordRoute {
            pointer: 4,
            route: &[]
        }
    );
    assert_option_parses!(
        [68, 12, 9, 0x21, 0, 0, 0, 1, 0, 0, 0, 0],
        Ipv4Option::Timestamp {
            pointer: 9,
            overflow: 2,
            flags: 1,
            data: &[0, 0, 0, 1, 0, 0, 0, 0],
        }
    );
    assert_option_parses!(
        [68, 4, 5, 0xf3],
        Ipv4Option::Timestamp {
            pointer: 5,
            overflow: 15,
            flags: 3,
            data: &[]
        }
    );
    assert_option_parses!(
        [131, 7, 4, 198, 51, 100, 2],
        Ipv4Option::LooseSourceRoute {
            pointer: 4,
            route: &[198, 51, 100, 2]
        }
    );
    assert_option_parses!(
        [137, 7, 8, 198, 51, 100, 2],
        Ipv4Option::StrictSourceRoute {
            pointer: 8,
            route: &[198, 51, 100, 2]
        }
    );
    assert_option_parses!([148, 4, 0, 0], Ipv4Option::RouterAlert(0));
    assert_option_parses!([148, 4, 0x12, 0x34], Ipv4Option::RouterAlert(0x1234));
    // Stream ID (RFC 791) and a made-up kind are kept raw.
    assert_option_parses!(
        [136, 4, 0xbe, 0xef],
        Ipv4Option::Unknown {
            kind: 136,
            data: &[0xbe, 0xef]
        }
    );
    assert_option_parses!(
        [30, 2],
        Ipv4Option::Unknown {
            kind: 30,
            data: &[]
        }
    );
}

#[test]
fn bad_option_lengths_are_named() {
    let cases: &[(&[u8], u8, u8)] = &[
        (&[7], 7, 0),                      // length octet missing
        (&[7, 2, 4], 7, 2),                // Record Route shorter than its pointer
        (&[131, 1, 4, 0], 131, 1),         // below two
        (&[137, 0, 4, 0], 137, 0),         // zero
        (&[68, 3, 5, 0], 68, 3),           // Timestamp without its flags octet
        (&[148, 2, 0, 0], 148, 2),         // Router Alert must be 4
        (&[148, 6, 0, 0, 0, 0], 148, 6),   // Router Alert must be 4
        (&[7, 9, 4, 0, 0, 0, 0, 0], 7, 9), // runs past the options
        (&[30, 1], 30, 1),                 // unknown kinds need two too
        (&[30], 30, 0),
    ];
    for &(bytes, kind, length) in cases {
        let err = WireError::BadOptionLength { kind, length };
        assert_eq!(Ipv4Option::parse(bytes), Err(err), "{bytes:?}");
    }
}

#[test]
fn option_walk_stops_at_end_of_list() {
    // NOP, RA, EOL, then padding that happens not to be zero.
    let raw = [1, 148, 4, 0, 0, 0, 7, 0];
    let options = Ipv4Options::new(&raw).unwrap();
    let list: Vec<_> = options.iter().collect();
    assert_eq!(
        list,
        [
            Ipv4Option::Nop,
            Ipv4Option::RouterAlert(0),
            Ipv4Option::EndOfList
        ]
    );
    assert_eq!(options.as_bytes(), &raw, "padding is kept raw");
    assert_eq!(format!("{options:?}"), "[Nop, RouterAlert(0), EndOfList]");
}

#[test]
fn option_walk_reports_the_first_error() {
    let mut walk = Ipv4OptionIter::new(&[1, 7, 1, 0]);
    assert_eq!(walk.next(), Some(Ok(Ipv4Option::Nop)));
    assert_eq!(
        walk.next(),
        Some(Err(WireError::BadOptionLength { kind: 7, length: 1 }))
    );
    assert_eq!(walk.next(), None);
}

#[test]
fn option_set_lengths() {
    let err = |value| {
        Err(WireError::Invalid {
            field: "options_len",
            value,
        })
    };
    assert_eq!(Ipv4Options::new(&[1; 41]), err(41));
    assert_eq!(Ipv4Options::new(&[1; 3]), err(3));
    assert_eq!(Ipv4Options::new(&[1; 40]).map(|o| o.len()), Ok(40));
    assert!(Ipv4Options::new(&[]).unwrap().is_empty());
    assert_eq!(Ipv4Options::default(), Ipv4Options::EMPTY);
}

#[test]
fn option_set_from_options() {
    let rr = Ipv4Option::RecordRoute {
        pointer: 4,
        route: &[0; 4],
    };
    let options = Ipv4Options::from_options(&[Ipv4Option::Nop, rr]).unwrap();
    assert_eq!(
        options.as_bytes(),
        &[1, 7, 7, 4, 0, 0, 0, 0],
        "padded with EOL"
    );
    let options = Ipv4Options::from_options(&[rr, Ipv4Option::EndOfList]).unwrap();
    assert_eq!(options.as_bytes(), &[7, 7, 4, 0, 0, 0, 0, 0]);

    let big = Ipv4Option::Unknown {
        kind: 30,
        data: &[0; 30],
    };
    let err = WireError::Invalid {
        field: "options_len",
        value: 64,
    };
    assert_eq!(Ipv4Options::from_options(&[big, big]), Err(err));
    let named = Ipv4Option::Unknown {
        kind: 148,
        data: &[0, 0],
    };
    let err = WireError::Invalid {
        field: "options",
        value: 148,
    };
    assert_eq!(Ipv4Options::from_options(&[named]), Err(err));
    let after_end = [Ipv4Option::EndOfList, Ipv4Option::Nop];
    let err = WireError::Invalid {
        field: "options",
        value: 1,
    };
    assert_eq!(Ipv4Options::from_options(&after_end), Err(err));
}

/// An option with owned data, for property tests.
#[derive(Debug, Clone)]
pub(crate) enum OwnedOption {
    Nop,
    RecordRoute(u8, Vec<u8>),
    Timestamp(u8, u8, u8, Vec<u8>),
    LooseSourceRoute(u8, Vec<u8>),
    StrictSourceRoute(u8, Vec<u8>),
    RouterAlert(u16),
    Unknown(u8, Vec<u8>),
}

impl OwnedOption {
    fn borrow(&self) -> Ipv4Option<'_> {
        match self {
            OwnedOption::Nop => Ipv4Option::Nop,
            OwnedOption::RecordRoute(pointer, route) => Ipv4Option::RecordRoute {
                pointer: *pointer,
                route,
            },
            OwnedOption::Timestamp(pointer, overflow, flags, data) => Ipv4Option::Timestamp {
                pointer: *pointer,
                overflow: *overflow,
                flags: *flags,
                data,
            },
            OwnedOption::LooseSourceRoute(pointer, route) => Ipv4Option::LooseSourceRoute {
                pointer: *pointer,
                route,
            },
            OwnedOption::StrictSourceRoute(pointer, route) => Ipv4Option::StrictSourceRoute {
                pointer: *pointer,
                route,
            },
            OwnedOption::RouterAlert(value) => Ipv4Option::RouterAlert(*value),
            OwnedOption::Unknown(kind, data) => Ipv4Option::Unknown { kind: *kind, data },
        }
    }
}

/// One option other than End of Option List, at most 12 bytes long.
fn option_strategy() -> impl Strategy<Value = OwnedOption> {
    let data = || vec(any::<u8>(), 0..=8);
    let unnamed = any::<u8>().prop_filter("unnamed kind", |k| {
        ![0, 1, 7, 68, 131, 137, 148].contains(k)
    });
    prop_oneof![
        Just(OwnedOption::Nop),
        (any::<u8>(), data()).prop_map(|(p, d)| OwnedOption::RecordRoute(p, d)),
        (any::<u8>(), 0..16u8, 0..16u8, data())
            .prop_map(|(p, o, f, d)| OwnedOption::Timestamp(p, o, f, d)),
        (any::<u8>(), data()).prop_map(|(p, d)| OwnedOption::LooseSourceRoute(p, d)),
        (any::<u8>(), data()).prop_map(|(p, d)| OwnedOption::StrictSourceRoute(p, d)),
        any::<u16>().prop_map(OwnedOption::RouterAlert),
        (unnamed, data()).prop_map(|(k, d)| OwnedOption::Unknown(k, d)),
    ]
}

/// A valid option set: up to three options (36 bytes), maybe ended by EOL.
pub(crate) fn options_strategy() -> impl Strategy<Value = Ipv4Options> {
    (vec(option_strategy(), 0..4), any::<bool>()).prop_map(|(owned, end)| {
        let mut list: Vec<Ipv4Option<'_>> = owned.iter().map(OwnedOption::borrow).collect();
        if end {
            list.push(Ipv4Option::EndOfList);
        }
        Ipv4Options::from_options(&list).expect("at most 37 bytes of valid options")
    })
}

/// Any valid header, payload up to 64 bytes.
pub(crate) fn repr_strategy() -> impl Strategy<Value = Ipv4Repr> {
    let addrs = (any::<u32>(), any::<u32>(), any::<u8>());
    let fields = (
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<[bool; 3]>(),
        0..=0x1fffu16,
    );
    (addrs, fields, options_strategy(), 0..=64usize).prop_map(
        |(
            (src, dst, proto),
            (ttl, tos, ident, [rsvd, df, mf], frag_offset),
            options,
            payload_len,
        )| Ipv4Repr {
            src_addr: Ipv4Addr::from(src),
            dst_addr: Ipv4Addr::from(dst),
            protocol: IpProtocol::from(proto),
            ttl,
            tos,
            ident,
            reserved_flag: rsvd,
            dont_frag: df,
            more_frags: mf,
            frag_offset,
            options,
            payload_len,
        },
    )
}

/// Raw option bytes: options, EOL, then arbitrary padding to a word.
fn raw_options_strategy() -> impl Strategy<Value = Vec<u8>> {
    (vec(option_strategy(), 0..4), any::<[u8; 4]>()).prop_map(|(owned, pad)| {
        let mut raw = vec![0; 40];
        let mut at = 0;
        for option in &owned {
            at += option.borrow().emit(&mut raw[at..]);
        }
        if !owned.is_empty() {
            raw[at] = 0; // End of Option List, then whatever padding
            at += 1;
            let end = at.next_multiple_of(4);
            raw[at..end].copy_from_slice(&pad[..end - at]);
            at = end;
        }
        raw.truncate(at);
        raw
    })
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(repr in repr_strategy()) {
        let mut bytes = vec![0xa5; repr.buffer_len()];
        repr.emit(&mut Ipv4Packet::new_unchecked(&mut bytes[..]), Verify);
        let packet = Ipv4Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(Ipv4Repr::parse(&packet, Verify), Ok(repr));
        prop_assert_eq!(packet.options(), repr.options.as_bytes());
    }

    #[test]
    fn parse_emit_gives_the_same_bytes(
        header in any::<[u8; 20]>(),
        raw in raw_options_strategy(),
        payload in vec(any::<u8>(), 0..32),
    ) {
        let mut bytes = header.to_vec();
        bytes.extend_from_slice(&raw);
        bytes.extend_from_slice(&payload);
        let mut packet = Ipv4Packet::new_unchecked(&mut bytes[..]);
        packet.set_version(4);
        packet.set_ihl((5 + raw.len() / 4) as u8);
        packet.set_total_len((20 + raw.len() + payload.len()) as u16);
        packet.fill_checksum();

        let repr = Ipv4Repr::parse(&Ipv4Packet::new_checked(&bytes[..]).unwrap(), Verify).unwrap();
        let mut out = vec![0xa5; bytes.len()];
        let mut packet = Ipv4Packet::new_unchecked(&mut out[..]);
        repr.emit(&mut packet, Verify);
        packet.payload_mut().copy_from_slice(&payload);
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn parsing_any_bytes_never_panics(bytes in vec(any::<u8>(), 0..80)) {
        let packet = Ipv4Packet::new_unchecked(&bytes[..]);
        let _ = packet.to_string();
        if packet.check_header().is_ok() {
            let _ = (packet.options(), packet.payload(), packet.verify_checksum());
            let _ = Ipv4Repr::parse_quoted(&packet);
        }
        if let Ok(repr) = Ipv4Repr::parse(&packet, Ignore) {
            prop_assert_eq!(repr.buffer_len(), usize::from(packet.total_len()));
        }
    }
}

proptest! {
    /// The one-test fast paths of `check_header` and `check_len` agree with
    /// the full checks.
    #[test]
    fn check_fast_paths_agree(
        mut bytes in vec(any::<u8>(), 0..72),
        ihl in 0u8..16,
        version_four in any::<bool>(),
        total in 0u16..80,
    ) {
        if bytes.len() >= HEADER_LEN {
            let version = if version_four { 4 } else { bytes[0] >> 4 };
            bytes[0] = (version << 4) | ihl;
            bytes[2..4].copy_from_slice(&total.to_be_bytes());
        }
        let packet = Ipv4Packet::new_unchecked(&bytes[..]);
        prop_assert_eq!(packet.check_header(), packet.check_header_slow());
        let whole = packet
            .check_header_slow()
            .and_then(|()| need_len("payload", usize::from(packet.total_len()), bytes.len()));
        prop_assert_eq!(packet.check_len(), whole);
    }
}
