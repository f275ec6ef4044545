//! Tests of the TCP view, options and repr.

use super::*;
use proptest::prelude::*;

/// 198.51.100.1 (TEST-NET-2), the client.
const SRC_ADDR: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// 198.51.100.2 (TEST-NET-2), the server.
const DST_ADDR: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// A Linux-style SYN, the TCP part of a 74-byte frame (14 + 20 + 40).
static SYN_BYTES: [u8; 40] = [
    0x9c, 0x40, // source port 40000
    0x00, 0x50, // destination port 80
    0x9e, 0x37, 0x79, 0xb9, // sequence number 2654435769
    0x00, 0x00, 0x00, 0x00, // acknowledgment number 0
    0xa0, // data offset 10 words, reserved 0
    0x02, // flags: SYN
    0xfa, 0xf0, // window 64240
    0x61, 0xe1, // checksum 0x61e1
    0x00, 0x00, // urgent pointer 0
    0x02, 0x04, 0x05, 0xb4, // MSS 1460
    0x04, 0x02, // SACK-permitted
    0x08, 0x0a, 0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x00, // TS val 123456 ecr 0
    0x01, // NOP
    0x03, 0x03, 0x07, // window scale 7
];

fn syn_options() -> TcpOptions {
    TcpOptions::from_list(&[
        TcpOption::MaxSegmentSize(1460),
        TcpOption::SackPermitted,
        TcpOption::Timestamps(Timestamps {
            tsval: 123456,
            tsecr: 0,
        }),
        TcpOption::NoOperation,
        TcpOption::WindowScale(7),
    ])
    .unwrap()
}

fn syn_repr() -> TcpRepr<'static> {
    TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq_number: SeqNumber(2654435769),
        ack_number: SeqNumber(0),
        flags: TcpFlags::SYN,
        window: 64240,
        urgent_pointer: 0,
        options: syn_options(),
        payload: &[],
    }
}

/// Parse `bytes` as a whole segment between the test addresses.
fn parse(bytes: &[u8], policy: ChecksumPolicy) -> Result<TcpRepr<'_>, WireError> {
    TcpRepr::parse(
        &TcpSegment::new_unchecked(bytes),
        SRC_ADDR,
        DST_ADDR,
        policy,
    )
}

/// Emit `repr` into a 0xa5-filled buffer of exactly its length.
fn emit(repr: &TcpRepr<'_>, policy: ChecksumPolicy) -> Vec<u8> {
    let mut bytes = vec![0xa5; repr.buffer_len()];
    repr.emit(
        &mut TcpSegment::new_unchecked(&mut bytes[..]),
        SRC_ADDR,
        DST_ADDR,
        policy,
    );
    bytes
}

/// Return the SYN with its options area replaced by `options` (a multiple
/// of 4 bytes), the data offset adjusted and the checksum filled.
fn syn_with_options(options: &[u8]) -> Vec<u8> {
    let mut bytes = SYN_BYTES[..HEADER_LEN].to_vec();
    bytes.extend_from_slice(options);
    let mut segment = TcpSegment::new_unchecked(&mut bytes[..]);
    segment.set_data_offset(((HEADER_LEN + options.len()) / 4) as u8);
    segment.fill_checksum(SRC_ADDR, DST_ADDR);
    bytes
}

#[test]
fn deconstruct() {
    let segment = TcpSegment::new_checked(&SYN_BYTES[..]).unwrap();
    assert_eq!(segment.src_port(), 40000);
    assert_eq!(segment.dst_port(), 80);
    assert_eq!(segment.seq_number(), SeqNumber(2654435769));
    assert_eq!(segment.ack_number(), SeqNumber(0));
    assert_eq!(segment.data_offset(), 10);
    assert_eq!(segment.header_len(), 40);
    assert_eq!(segment.flags(), TcpFlags::SYN);
    assert_eq!(segment.window_len(), 64240);
    assert_eq!(segment.checksum(), 0x61e1);
    assert_eq!(segment.urgent_pointer(), 0);
    assert_eq!(segment.options(), &SYN_BYTES[20..]);
    assert_eq!(segment.payload(), &[] as &[u8]);
    assert!(segment.verify_checksum(SRC_ADDR, DST_ADDR));
    assert!(!segment.verify_checksum(SRC_ADDR, Ipv4Addr::new(198, 51, 100, 3)));
    assert_eq!(segment.expected_checksum(SRC_ADDR, DST_ADDR), 0x61e1);
}

#[test]
fn construct() {
    let mut bytes = [0xa5; 40];
    let mut segment = TcpSegment::new_unchecked(&mut bytes[..]);
    segment.set_src_port(40000);
    segment.set_dst_port(80);
    segment.set_seq_number(SeqNumber(2654435769));
    segment.set_ack_number(SeqNumber(0));
    segment.set_data_offset(10);
    segment.set_flags(TcpFlags::SYN);
    segment.set_window_len(64240);
    segment.set_urgent_pointer(0);
    segment.options_mut().copy_from_slice(&SYN_BYTES[20..]);
    assert_eq!(segment.payload_mut().len(), 0);
    segment.fill_checksum(SRC_ADDR, DST_ADDR);
    assert_eq!(bytes, SYN_BYTES);
}

#[test]
fn parse_syn() {
    let repr = parse(&SYN_BYTES, ChecksumPolicy::Verify).unwrap();
    assert_eq!(repr, syn_repr());
    assert_eq!(repr.mss(), Some(1460));
    assert_eq!(repr.window_scale(), Some(7));
    assert!(repr.sack_permitted());
    assert_eq!(
        repr.timestamps(),
        Some(Timestamps {
            tsval: 123456,
            tsecr: 0
        })
    );
    assert_eq!(repr.sack_blocks(), None);
    assert_eq!(repr.segment_len(), 1);
    assert_eq!(repr.options.as_bytes(), &SYN_BYTES[20..]);
}

#[test]
fn emit_syn() {
    let repr = syn_repr();
    assert_eq!(repr.header_len(), 40);
    assert_eq!(repr.buffer_len(), 40);
    assert_eq!(emit(&repr, ChecksumPolicy::Verify), SYN_BYTES);
    let unchecked = emit(&repr, ChecksumPolicy::Ignore);
    assert_eq!(&unchecked[16..18], &[0, 0]);
    assert_eq!(&unchecked[..16], &SYN_BYTES[..16]);
    assert_eq!(&unchecked[18..], &SYN_BYTES[18..]);
}

#[test]
fn emit_overwrites_a_stale_data_offset() {
    let mut bytes = [0xff; 60];
    let repr = TcpRepr {
        payload: b"abc",
        ..TcpRepr::default()
    };
    repr.emit(
        &mut TcpSegment::new_unchecked(&mut bytes[..]),
        SRC_ADDR,
        DST_ADDR,
        ChecksumPolicy::Verify,
    );
    assert_eq!(bytes[12], 0x50);
    assert_eq!(&bytes[20..23], b"abc");
    assert_eq!(
        &bytes[23..],
        &[0xff; 37][..],
        "emit wrote past buffer_len()"
    );
    assert_eq!(parse(&bytes[..23], ChecksumPolicy::Verify), Ok(repr));
}

#[test]
fn data_segment_round_trips() {
    let options = TcpOptions::from_list(&[
        TcpOption::NoOperation,
        TcpOption::NoOperation,
        TcpOption::Timestamps(Timestamps { tsval: 7, tsecr: 9 }),
    ])
    .unwrap();
    let repr = TcpRepr {
        src_port: 80,
        dst_port: 40000,
        seq_number: SeqNumber(u32::MAX - 1),
        ack_number: SeqNumber(2654435770),
        flags: TcpFlags::PSH | TcpFlags::ACK,
        window: 502,
        options,
        payload: b"hello\n",
        ..TcpRepr::default()
    };
    let bytes = emit(&repr, ChecksumPolicy::Verify);
    assert_eq!(bytes.len(), 20 + 12 + 6);
    assert_eq!(
        TcpSegment::new_checked(&bytes[..]).unwrap().payload(),
        b"hello\n"
    );
    assert_eq!(parse(&bytes, ChecksumPolicy::Verify), Ok(repr));
    assert_eq!(
        repr.to_string(),
        "P. 4294967294:4(6) ack 2654435770 win 502 <nop,nop,TS val 7 ecr 9>"
    );
}

#[test]
fn truncated() {
    assert_eq!(
        TcpSegment::new_checked(&SYN_BYTES[..19]),
        Err(WireError::Truncated {
            field: "tcp header",
            need: 20,
            have: 19
        })
    );
    assert_eq!(
        TcpSegment::new_checked(&SYN_BYTES[..39]),
        Err(WireError::Truncated {
            field: "tcp data offset",
            need: 40,
            have: 39
        })
    );
    assert_eq!(
        parse(&[], ChecksumPolicy::Ignore),
        Err(WireError::Truncated {
            field: "tcp header",
            need: 20,
            have: 0
        })
    );
}

#[test]
fn data_offset_below_five_is_invalid() {
    for data_offset in 0..5u8 {
        let mut bytes = SYN_BYTES;
        TcpSegment::new_unchecked(&mut bytes[..]).set_data_offset(data_offset);
        assert_eq!(
            parse(&bytes, ChecksumPolicy::Ignore),
            Err(WireError::Invalid {
                field: "tcp data offset",
                value: u32::from(data_offset)
            })
        );
    }
}

#[test]
fn impossible_len() {
    let mut bytes = SYN_BYTES;
    let mut segment = TcpSegment::new_unchecked(&mut bytes[..]);
    segment.set_data_offset(15);
    assert_eq!(
        segment.flags(),
        TcpFlags::SYN,
        "set_data_offset kept the flags"
    );
    assert_eq!(
        segment.check_len(),
        Err(WireError::Truncated {
            field: "tcp data offset",
            need: 60,
            have: 40
        })
    );
}

#[test]
fn bad_checksum() {
    let mut bytes = SYN_BYTES;
    bytes[30] ^= 0x80; // TSval 0x0001e240 becomes 0x00016240
    assert_eq!(
        parse(&bytes, ChecksumPolicy::Verify),
        Err(WireError::BadChecksum {
            expected: 0xe1e1,
            found: 0x61e1
        })
    );
    let repr = parse(&bytes, ChecksumPolicy::Ignore).unwrap();
    assert_eq!(
        repr.timestamps(),
        Some(Timestamps {
            tsval: 0x0001_6240,
            tsecr: 0
        })
    );
}

#[test]
fn flags_and_reserved_bits_round_trip() {
    for bits in [0x000, 0x0fff, 0x0e00, 0x0100, 0x0803, 0x00c2] {
        let flags = TcpFlags::from_bits_retain(bits);
        let repr = TcpRepr {
            flags,
            ..syn_repr()
        };
        let bytes = emit(&repr, ChecksumPolicy::Verify);
        assert_eq!(u16::from_be_bytes([bytes[12], bytes[13]]), 0xa000 | bits);
        assert_eq!(
            parse(&bytes, ChecksumPolicy::Verify).unwrap().flags.bits(),
            bits
        );
    }
    // Bits above the twelve cannot reach the wire, nor clobber the data offset.
    let mut bytes = SYN_BYTES;
    TcpSegment::new_unchecked(&mut bytes[..]).set_flags(TcpFlags::from_bits_retain(0xf012));
    assert_eq!(&bytes[12..14], &[0xa0, 0x12]);
}

#[test]
fn ack_number_and_urgent_pointer_kept_without_their_flags() {
    let repr = TcpRepr {
        ack_number: SeqNumber(77),
        urgent_pointer: 5,
        flags: TcpFlags::RST,
        ..TcpRepr::default()
    };
    let bytes = emit(&repr, ChecksumPolicy::Verify);
    assert_eq!(parse(&bytes, ChecksumPolicy::Verify), Ok(repr));
    assert_eq!(repr.to_string(), "R 0:0(0) ack 77 win 0 urg 5");
}

/// Assert that `$bytes` parse as the single option `$option` and that the
/// option emits exactly `$bytes` (after smoltcp's macro of the same name).
macro_rules! assert_option_parses {
    ($option:expr, $bytes:expr) => {{
        let bytes: &[u8] = $bytes;
        let option: TcpOption<'_> = $option;
        assert_eq!(TcpOption::parse(bytes), Ok((&[][..], option)));
        assert_eq!(option.buffer_len(), bytes.len());
        let mut out = [0xa5; 40];
        let rest = option.emit(&mut out[..bytes.len()]).len();
        assert_eq!((rest, &out[..bytes.len()]), (0, bytes));
    }};
}

#[test]
fn options_parse_and_emit() {
    assert_option_parses!(TcpOption::EndOfList, &[0x00]);
    assert_option_parses!(TcpOption::NoOperation, &[0x01]);
    assert_option_parses!(TcpOption::MaxSegmentSize(1460), &[0x02, 0x04, 0x05, 0xb4]);
    assert_option_parses!(TcpOption::WindowScale(7), &[0x03, 0x03, 0x07]);
    // RFC 7323 2.3: a shift count above 14 is kept as read; the engine clamps.
    assert_option_parses!(TcpOption::WindowScale(15), &[0x03, 0x03, 0x0f]);
    assert_option_parses!(TcpOption::SackPermitted, &[0x04, 0x02]);
    assert_option_parses!(
        TcpOption::Sack(SackBlocks::new(&[SackBlock::new(500, 1500)]).unwrap()),
        &[0x05, 0x0a, 0x00, 0x00, 0x01, 0xf4, 0x00, 0x00, 0x05, 0xdc]
    );
    let four = [
        SackBlock::new(1, 2),
        SackBlock::new(3, 4),
        SackBlock::new(5, 6),
        SackBlock::new(0xffff_fff0, 0x10),
    ];
    assert_option_parses!(
        TcpOption::Sack(SackBlocks::new(&four).unwrap()),
        &[
            0x05, 0x22, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
            0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10
        ]
    );
    assert_option_parses!(
        TcpOption::Timestamps(Timestamps {
            tsval: 5_000_000,
            tsecr: 7_000_000
        }),
        &[0x08, 0x0a, 0x00, 0x4c, 0x4b, 0x40, 0x00, 0x6a, 0xcf, 0xc0]
    );
    assert_option_parses!(
        TcpOption::Unknown {
            kind: 30,
            data: &[1, 2, 3]
        },
        &[30, 5, 1, 2, 3]
    );
    assert_option_parses!(
        TcpOption::Unknown {
            kind: 253,
            data: &[]
        },
        &[253, 2]
    );
}

/// Assert that `$bytes` as a whole options area fail with
/// `BadOptionLength { kind: $kind, length: $length }`, and so does a SYN
/// carrying them.
macro_rules! assert_bad_option_length {
    ($bytes:expr, $kind:expr, $length:expr) => {{
        let area: &[u8] = $bytes;
        let error = WireError::BadOptionLength {
            kind: $kind,
            length: $length,
        };
        assert_eq!(TcpOptions::parse(area), Err(error), "area {area:02x?}");
        if area.len() % 4 == 0 {
            let bytes = syn_with_options(area);
            assert_eq!(parse(&bytes, ChecksumPolicy::Verify), Err(error));
        }
    }};
}

#[test]
fn bad_option_length_mss() {
    assert_bad_option_length!(&[0x02, 0x03, 0x05, 0x01], 2, 3);
    assert_bad_option_length!(&[0x02, 0x05, 0x05, 0xb4, 0x00, 0x01, 0x01, 0x01], 2, 5);
}

#[test]
fn bad_option_length_window_scale() {
    assert_bad_option_length!(&[0x03, 0x02, 0x01, 0x01], 3, 2);
    assert_bad_option_length!(&[0x03, 0x04, 0x07, 0x00], 3, 4);
}

#[test]
fn bad_option_length_sack_permitted() {
    assert_bad_option_length!(&[0x04, 0x03, 0x00, 0x01], 4, 3);
}

#[test]
fn bad_option_length_sack() {
    assert_bad_option_length!(&[0x05, 0x02, 0x01, 0x01], 5, 2); // no block
    let mut area = [0u8; 12];
    area[..2].copy_from_slice(&[0x05, 0x0b]); // 9 bytes of blocks
    assert_bad_option_length!(&area, 5, 11);
    let mut area = [0u8; 40];
    area[..2].copy_from_slice(&[0x05, 0x2a]); // 5 blocks
    assert_bad_option_length!(&area, 5, 42);
}

#[test]
fn bad_option_length_timestamps() {
    let mut area = [0u8; 12];
    area[..2].copy_from_slice(&[0x08, 0x09]);
    assert_bad_option_length!(&area, 8, 9);
    area[1] = 0x0b;
    assert_bad_option_length!(&area, 8, 11);
}

#[test]
fn bad_option_length_below_two() {
    assert_bad_option_length!(&[0x1e, 0x00, 0x00, 0x00], 30, 0);
    assert_bad_option_length!(&[0x01, 0x1e, 0x01, 0x00], 30, 1);
}

#[test]
fn bad_option_length_past_the_area() {
    assert_bad_option_length!(&[0x01, 0x01, 0x1e, 0x03], 30, 3);
    assert_bad_option_length!(&[0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00], 8, 10);
}

#[test]
fn bad_option_length_byte_missing() {
    assert_bad_option_length!(&[0x01, 0x01, 0x01, 0x02], 2, 0);
}

#[test]
fn options_need_not_be_word_aligned() {
    // RFC 9293 MUST-64: MSS at offset 1, timestamps at offset 5.
    let area = [
        0x01, 0x02, 0x04, 0x02, 0x18, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2, 0x03, 0x03, 0x0e, 0, 0,
    ];
    let bytes = syn_with_options(&area);
    let repr = parse(&bytes, ChecksumPolicy::Verify).unwrap();
    assert_eq!(repr.mss(), Some(536));
    assert_eq!(repr.timestamps(), Some(Timestamps { tsval: 1, tsecr: 2 }));
    assert_eq!(repr.window_scale(), Some(14));
    assert_eq!(emit(&repr, ChecksumPolicy::Verify), bytes);
}

#[test]
fn bytes_after_eol_are_padding() {
    // An MSS-shaped option with a bad length after EOL is never read.
    let area = [0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x07, 0x01];
    let bytes = syn_with_options(&area);
    let repr = parse(&bytes, ChecksumPolicy::Verify).unwrap();
    let options: Vec<_> = repr.options.iter().collect();
    assert_eq!(
        options,
        [TcpOption::MaxSegmentSize(1460), TcpOption::EndOfList]
    );
    assert_eq!(emit(&repr, ChecksumPolicy::Verify), bytes);
    assert_eq!(repr.options.to_string(), "mss 1460,eol 020701");
}

#[test]
fn options_builder() {
    let mut options = TcpOptions::new();
    options
        .push(TcpOption::MaxSegmentSize(1460))
        .unwrap()
        .push(TcpOption::WindowScale(3))
        .unwrap();
    assert_eq!(options.as_bytes(), &[2, 4, 5, 0xb4, 3, 3, 3]);
    assert_eq!((options.len(), options.padded_len()), (7, 8));
    assert_eq!(options.wire_bytes(), &[2, 4, 5, 0xb4, 3, 3, 3, 0]);
    let read: Vec<_> = options.iter().collect();
    assert_eq!(
        read,
        [
            TcpOption::MaxSegmentSize(1460),
            TcpOption::WindowScale(3),
            TcpOption::EndOfList
        ]
    );
    // Equal to the same list read back with its padding.
    assert_eq!(TcpOptions::parse(options.wire_bytes()), Ok(options));
    assert_ne!(
        TcpOptions::parse(&[2, 4, 5, 0xb4, 3, 3, 3, 0, 0, 0, 0, 0]),
        Ok(options)
    );

    let sack = SackBlocks::new(&[SackBlock::new(1, 2), SackBlock::new(3, 4)]).unwrap();
    let list = TcpOptions::from_list(&[TcpOption::Sack(sack)]).unwrap();
    assert_eq!(list.sack_blocks(), Some(sack));
    assert_eq!(sack.as_slice()[1], SackBlock::new(3, 4));
    assert_eq!(SackBlocks::new(&[]), None);
    assert_eq!(SackBlocks::new(&[SackBlock::default(); 5]), None);
}

#[test]
fn options_builder_errors() {
    let full = TcpOptions::from_list(&[TcpOption::NoOperation; 38]).unwrap();
    let mut options = full;
    let mss = TcpOption::MaxSegmentSize(1);
    assert_eq!(
        options.push(mss),
        Err(OptionsError::NoRoom { need: 4, room: 2 })
    );
    assert_eq!(options, full);
    assert_eq!(
        TcpOptions::from_list(&[TcpOption::Unknown {
            kind: 2,
            data: &[5]
        }]),
        Err(OptionsError::Malformed { kind: 2 })
    );
    let mut options = TcpOptions::new();
    let eol_with_data = TcpOption::Unknown {
        kind: 0,
        data: &[1, 2],
    };
    assert_eq!(
        options.push(eol_with_data),
        Err(OptionsError::Malformed { kind: 0 })
    );
    assert_eq!(options.wire_bytes(), &[] as &[u8]);
    assert_eq!(
        options.padded_len(),
        0,
        "a rejected option leaves no bytes behind"
    );
}

#[test]
fn display_packetdrill_notation() {
    assert_eq!(
        syn_repr().to_string(),
        "S 2654435769:2654435769(0) win 64240 <mss 1460,sackOK,TS val 123456 ecr 0,nop,wscale 7>"
    );
    let cases: [(TcpFlags, &str); 9] = [
        (TcpFlags::SYN | TcpFlags::ACK, "S. 0:0(0) ack 1 win 0"),
        (TcpFlags::ACK, ". 0:0(0) ack 1 win 0"),
        (TcpFlags::PSH | TcpFlags::ACK, "P. 0:0(0) ack 1 win 0"),
        (TcpFlags::FIN | TcpFlags::ACK, "F. 0:0(0) ack 1 win 0"),
        (TcpFlags::RST | TcpFlags::ACK, "R. 0:0(0) ack 1 win 0"),
        (TcpFlags::empty(), "none 0:0(0) ack 1 win 0"),
        (
            TcpFlags::SYN | TcpFlags::ECE | TcpFlags::CWR,
            "SEW 0:0(0) ack 1 win 0",
        ),
        (TcpFlags::all(), "FSRP.UEWA 0:0(0) ack 1 win 0 urg 0 rsv 7"),
        (
            TcpFlags::URG | TcpFlags::from_bits_retain(0x200),
            "U 0:0(0) ack 1 win 0 urg 0 rsv 1",
        ),
    ];
    for (flags, text) in cases {
        let repr = TcpRepr {
            flags,
            ack_number: SeqNumber(1),
            ..TcpRepr::default()
        };
        assert_eq!(repr.to_string(), text, "flags {flags:?}");
    }
}

#[test]
fn display_options() {
    let sack = SackBlocks::new(&[SackBlock::new(1, 2), SackBlock::new(3, 4)]).unwrap();
    let options = TcpOptions::from_list(&[
        TcpOption::MaxSegmentSize(1460),
        TcpOption::SackPermitted,
        TcpOption::Timestamps(Timestamps { tsval: 1, tsecr: 0 }),
        TcpOption::NoOperation,
        TcpOption::WindowScale(7),
        TcpOption::Sack(sack),
        TcpOption::EndOfList,
    ])
    .unwrap();
    let repr = TcpRepr {
        options,
        payload: b"xy",
        seq_number: SeqNumber(10),
        ..TcpRepr::default()
    };
    assert_eq!(
        repr.to_string(),
        "none 10:12(2) win 0 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,sack 1:2 3:4,eol>"
    );
    let unknown = TcpOption::Unknown {
        kind: 30,
        data: &[0xab, 0x01],
    };
    assert_eq!(
        TcpOptions::from_list(&[unknown]).unwrap().to_string(),
        "opt 30 ab01"
    );
    // Padding up to the next word prints as a bare eol; other padding as hex.
    let show = |area: &[u8]| TcpOptions::parse(area).unwrap().to_string();
    assert_eq!(show(&[3, 3, 7, 0]), "wscale 7,eol");
    assert_eq!(show(&[0, 0, 0, 0]), "eol");
    assert_eq!(show(&[1, 3, 3, 7, 0, 0, 0, 0]), "nop,wscale 7,eol");
    assert_eq!(show(&[3, 3, 7, 0, 0, 0, 0, 0]), "wscale 7,eol 00000000");
    assert_eq!(show(&[30, 2, 0, 1]), "opt 30,eol 01");
    let segment = TcpSegment::new_unchecked(&SYN_BYTES[..]);
    assert_eq!(segment.to_string(), syn_repr().to_string());
    let bad = TcpSegment::new_unchecked(&SYN_BYTES[..10]);
    assert_eq!(
        bad.to_string(),
        "TCP (truncated tcp header: need 20 bytes, have 10)"
    );
}

/// An option, owned, so that proptest can generate it.
#[derive(Debug, Clone)]
enum ArbOption {
    Eol,
    Nop,
    Mss(u16),
    WindowScale(u8),
    SackPermitted,
    Sack(Vec<(u32, u32)>),
    Timestamps(u32, u32),
    Unknown(u8, Vec<u8>),
}

impl ArbOption {
    fn option(&self) -> TcpOption<'_> {
        match self {
            ArbOption::Eol => TcpOption::EndOfList,
            ArbOption::Nop => TcpOption::NoOperation,
            ArbOption::Mss(mss) => TcpOption::MaxSegmentSize(*mss),
            ArbOption::WindowScale(shift) => TcpOption::WindowScale(*shift),
            ArbOption::SackPermitted => TcpOption::SackPermitted,
            ArbOption::Sack(blocks) => {
                let blocks: Vec<_> = blocks.iter().map(|&(l, r)| SackBlock::new(l, r)).collect();
                TcpOption::Sack(SackBlocks::new(&blocks).unwrap())
            }
            ArbOption::Timestamps(tsval, tsecr) => TcpOption::Timestamps(Timestamps {
                tsval: *tsval,
                tsecr: *tsecr,
            }),
            ArbOption::Unknown(kind, data) => TcpOption::Unknown { kind: *kind, data },
        }
    }
}

fn arb_option() -> impl Strategy<Value = ArbOption> {
    let unknown_kind = (6u8..=255).prop_filter("known kind", |k| *k != field::OPT_TIMESTAMPS);
    prop_oneof![
        1 => Just(ArbOption::Eol),
        4 => Just(ArbOption::Nop),
        2 => any::<u16>().prop_map(ArbOption::Mss),
        2 => any::<u8>().prop_map(ArbOption::WindowScale),
        2 => Just(ArbOption::SackPermitted),
        2 => proptest::collection::vec(any::<(u32, u32)>(), 1..=4).prop_map(ArbOption::Sack),
        2 => any::<(u32, u32)>().prop_map(|(v, e)| ArbOption::Timestamps(v, e)),
        2 => (unknown_kind, proptest::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(k, d)| ArbOption::Unknown(k, d)),
    ]
}

/// Push the options that fit, in order, skipping the others.
fn build_options(list: &[ArbOption]) -> TcpOptions {
    let mut options = TcpOptions::new();
    for option in list {
        let _ = options.push(option.option());
    }
    options
}

fn arb_flags() -> impl Strategy<Value = TcpFlags> {
    (0u16..0x1000).prop_map(TcpFlags::from_bits_retain)
}

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(
        ports: (u16, u16), numbers: (u32, u32), window: u16, urgent_pointer: u16,
        flags in arb_flags(),
        list in proptest::collection::vec(arb_option(), 0..12),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
        src in addr(), dst in addr(),
    ) {
        let repr = TcpRepr {
            src_port: ports.0, dst_port: ports.1,
            seq_number: SeqNumber(numbers.0), ack_number: SeqNumber(numbers.1),
            flags, window, urgent_pointer,
            options: build_options(&list),
            payload: &payload,
        };
        let mut bytes = vec![0xa5; repr.buffer_len()];
        repr.emit(&mut TcpSegment::new_unchecked(&mut bytes[..]), src, dst, ChecksumPolicy::Verify);
        let segment = TcpSegment::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(TcpRepr::parse(&segment, src, dst, ChecksumPolicy::Verify), Ok(repr));
    }

    #[test]
    fn bytes_parse_emit_round_trips(
        header in proptest::array::uniform20(any::<u8>()),
        list in proptest::collection::vec(arb_option(), 0..12),
        tail in proptest::collection::vec(any::<u8>(), 0..8),
        raw_area in proptest::collection::vec(any::<u8>(), 0..=40).prop_map(|mut v| {
            v.truncate(v.len() / 4 * 4);
            v
        }),
        use_raw: bool,
        payload in proptest::collection::vec(any::<u8>(), 0..64),
        src in addr(), dst in addr(),
    ) {
        // Either well-formed options then an EOL and arbitrary padding, or
        // arbitrary bytes (most of which fail to parse, which is fine).
        let area = if use_raw {
            raw_area
        } else {
            let mut area = build_options(&list).as_bytes().to_vec();
            if !tail.is_empty() {
                area.push(0);
                area.extend_from_slice(&tail);
            }
            area.truncate(MAX_OPTIONS_LEN);
            area.resize(area.len().next_multiple_of(4), 0);
            area
        };
        let mut bytes = header.to_vec();
        bytes.extend_from_slice(&area);
        bytes.extend_from_slice(&payload);
        let mut segment = TcpSegment::new_unchecked(&mut bytes[..]);
        segment.set_data_offset(((HEADER_LEN + area.len()) / 4) as u8);
        segment.fill_checksum(src, dst);
        let segment = TcpSegment::new_checked(&bytes[..]).unwrap();
        let parsed = TcpRepr::parse(&segment, src, dst, ChecksumPolicy::Verify);
        prop_assert!(parsed.is_ok() || use_raw, "{:?}", parsed);
        if let Ok(repr) = parsed {
            let mut out = vec![0xa5; repr.buffer_len()];
            repr.emit(&mut TcpSegment::new_unchecked(&mut out[..]), src, dst, ChecksumPolicy::Verify);
            prop_assert_eq!(out, bytes);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let segment = TcpSegment::new_unchecked(&bytes[..]);
        let _ = segment.to_string();
        if let Ok(repr) = TcpRepr::parse(&segment, SRC_ADDR, DST_ADDR, ChecksumPolicy::Ignore) {
            let _ = (repr.to_string(), repr.options.iter().count(), repr.sack_blocks());
            let again = emit(&repr, ChecksumPolicy::Ignore);
            prop_assert_eq!(parse(&again, ChecksumPolicy::Ignore), Ok(repr));
        }
    }

    #[test]
    fn display_hex_only_where_padding_cannot_restore(list in proptest::collection::vec(arb_option(), 0..12)) {
        // Reading a printed list back means: its options in order, then zero
        // padding to a word. That gives the same bytes unless Display showed
        // the bytes after an EOL as hex.
        let read = TcpOptions::parse(build_options(&list).wire_bytes()).unwrap();
        let text = read.to_string();
        let rebuilt = TcpOptions::from_list(&read.iter().collect::<Vec<_>>()).unwrap();
        if text.contains("eol ") {
            prop_assert_ne!(rebuilt, read, "{}", text);
        } else {
            prop_assert_eq!(rebuilt, read, "{}", text);
        }
    }
}

/// Walk an options area with `TcpOption::parse`, as `TcpOptions::parse`
/// did before it checked lengths without decoding: the oracle.
fn walk_options(area: &[u8]) -> Result<(), WireError> {
    let mut rest = area;
    while !rest.is_empty() {
        match TcpOption::parse(rest)? {
            (_, TcpOption::EndOfList) => break,
            (after, _) => rest = after,
        }
    }
    Ok(())
}

proptest! {
    /// The one-test fast path of `check_len` agrees with the full check.
    #[test]
    fn check_len_fast_path_agrees(mut bytes in proptest::collection::vec(any::<u8>(), 0..64), offset in 0u8..16) {
        if bytes.len() >= HEADER_LEN {
            bytes[12] = (offset << 4) | (bytes[12] & 0x0f);
        }
        let segment = TcpSegment::new_unchecked(&bytes[..]);
        prop_assert_eq!(segment.check_len(), segment.check_len_slow());
    }

    /// `TcpOptions::parse` fails exactly where a walk with
    /// `TcpOption::parse` fails, with the same error, and keeps the bytes.
    #[test]
    fn options_length_check_agrees_with_the_walk(
        area in proptest::collection::vec(
            prop_oneof![Just(0u8), Just(1), Just(2), Just(3), Just(4), Just(5), Just(8), Just(10), Just(18), any::<u8>()],
            0..=MAX_OPTIONS_LEN,
        ),
    ) {
        let parsed = TcpOptions::parse(&area);
        prop_assert_eq!(parsed.map(|_| ()), walk_options(&area));
        if let Ok(options) = parsed {
            prop_assert_eq!(options.as_bytes(), &area[..]);
        }
    }
}

#[test]
fn nop_nop_timestamps_is_what_push_writes_and_parse_reads() {
    let ts = Timestamps {
        tsval: 0x0102_0304,
        tsecr: 0xa0b0_c0d0,
    };
    let pushed = TcpOptions::from_list(&[
        TcpOption::NoOperation,
        TcpOption::NoOperation,
        TcpOption::Timestamps(ts),
    ])
    .unwrap();
    let built = TcpOptions::nop_nop_timestamps(ts);
    assert_eq!(built.as_bytes(), pushed.as_bytes());
    assert_eq!(built.wire_bytes(), pushed.wire_bytes());
    let parsed = TcpOptions::parse(pushed.as_bytes()).unwrap();
    assert_eq!(parsed.as_bytes(), pushed.as_bytes());
    assert_eq!(parsed.timestamps(), Some(ts));
}

#[test]
fn emit_header_around_data_in_place_equals_emit() {
    let payload = b"some data, odd length";
    let repr = TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq_number: SeqNumber(7),
        ack_number: SeqNumber(9),
        flags: TcpFlags::ACK | TcpFlags::PSH,
        window: 1000,
        urgent_pointer: 0,
        options: TcpOptions::nop_nop_timestamps(Timestamps { tsval: 1, tsecr: 2 }),
        payload,
    };
    let whole = emit(&repr, ChecksumPolicy::Verify);
    // Stale bytes where the header goes: the header emit overwrites them.
    let mut buffer = vec![0xff; repr.header_len()];
    buffer.extend_from_slice(payload);
    repr.emit_header(
        &mut TcpSegment::new_unchecked(&mut buffer[..]),
        SRC_ADDR,
        DST_ADDR,
        ChecksumPolicy::Verify,
    );
    assert_eq!(buffer, whole);
}
