//! Notation tests: parse/print round trips (fixed and proptest), wildcards,
//! errors with columns, building and matching concrete segments.

use proptest::prelude::*;
use stack::tcp::SeqNumber;
use stack::wire::tcp::{
    SackBlock, SackBlocks, TcpFlags, TcpOption, TcpOptions, TcpRepr, Timestamps,
};

use super::*;

/// Parse `text` as an `out` pattern, panicking with the error shown.
#[track_caller]
fn pattern(text: &str) -> SegmentPattern {
    parse_segment(text).unwrap_or_else(|e| panic!("{text}: {}", e.display(text)))
}

/// Return (column range, expected) of the error parsing `text`.
#[track_caller]
fn error(text: &str, wildcards: bool) -> (usize, usize, &'static str) {
    let result = if wildcards {
        parse_segment(text)
    } else {
        parse_inbound(text)
    };
    let e = result.expect_err(text);
    (e.at, e.end, e.expected)
}

const ISN0: Isns = Isns {
    sender: SeqNumber(0),
    receiver: SeqNumber(0),
};

#[test]
fn concrete_segments_round_trip() {
    for text in [
        "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>",
        "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol>",
        ". 1:1(0) ack 1 win 32792",
        "P. 1:101(100) ack 1 win 257",
        "F. 101:101(0) ack 1 win 257",
        "R 1:1(0) win 0",
        "R. 0:0(0) ack 1 win 0",
        "none 5:5(0) ack 7 win 1",
        "FSRP.UEWA 0:0(0) ack 0 win 0 urg 0",
        "P.U 1:2(1) ack 1 win 100 urg 1",
        ". 4294967295:99(100) ack 1 win 5 rsv 5",
        ". 1:1(0) ack 1 win 5 <nop,nop,sack 1:2 3:4,eol>",
        "S 0:0(0) win 1 <opt 253 0102,eol 0000ff>",
    ] {
        let p = pattern(text);
        assert!(p.is_concrete(), "{text}");
        assert_eq!(p.to_string(), text);
        let payload = vec![0x61; p.len as usize];
        let repr = p.to_repr(ISN0, &payload).expect(text);
        assert_eq!(repr.to_string(), text, "TcpRepr prints what was parsed");
        assert_eq!(parse_inbound(text).as_ref(), Ok(&p));
        assert_eq!(p.matches(&repr, ISN0), Ok(()));
    }
}

#[test]
fn flags_in_any_order_print_canonically() {
    assert_eq!(
        pattern(".S 0:0(0) ack 1 win 1").to_string(),
        "S. 0:0(0) ack 1 win 1"
    );
    assert_eq!(pattern("none 0:0(0) win 1").flags, TcpFlags::empty());
    assert_eq!(
        pattern("S 0:0(0) win 1 rsv 7").flags,
        TcpFlags::SYN | TcpFlags::RESERVED
    );
}

#[test]
fn wildcards_parse_and_print() {
    for text in [
        "S. 0:0(0) ack * win * <...>",
        ". 1:1(0) ack 1",
        "S 0:0(0) <mss *,sackOK,TS val * ecr 0,nop,wscale *>",
        ". 1:1(0) ack 1 win 5 <nop,nop,sack *>",
        "P.U 1:2(1) ack 1 urg *",
        "S. *:*(0) ack 1 win 29200 <mss 1460>",
    ] {
        let p = pattern(text);
        assert!(!p.is_concrete(), "{text}");
        assert_eq!(p.to_string(), text);
        assert_eq!(p.to_repr(ISN0, &vec![0; p.len as usize]), None);
    }
}

#[test]
fn errors_point_at_the_column() {
    let unknown_option = "an option: eol, nop, mss, wscale, sackOK, sack, TS or opt";
    let cases: &[(&str, bool, (usize, usize, &str))] = &[
        (
            "X 0:0(0) win 1",
            true,
            (0, 1, "flags: letters from F S R P . U E W A, or `none`"),
        ),
        ("SS 0:0(0)", true, (1, 2, "each flag letter once")),
        (
            "S 0-0(0)",
            true,
            (2, 5, "a relative sequence number, as in `0:0(0)`"),
        ),
        (
            "S 0:1(0)",
            true,
            (4, 5, "an end equal to the start plus the length"),
        ),
        ("S 0:0 win 1", true, (6, 9, "`(` and the data length")),
        (
            "S 0:0(0) window 5",
            true,
            (
                9,
                15,
                "`ack`, `win`, `urg`, `rsv`, `<` options or the end of the segment",
            ),
        ),
        (
            "S 0:0(0) win 70000",
            true,
            (13, 18, "a window (0 to 65535)"),
        ),
        (
            "S 0:0(0) win *",
            false,
            (13, 14, "a number (wildcards only in `out` steps)"),
        ),
        (
            "S 0:0(0) win 1 <...>",
            false,
            (16, 19, "options (`<...>` only in `out` steps)"),
        ),
        (
            "S 0:0(0) win 1 <mss 1460,bogus 1>",
            true,
            (25, 30, unknown_option),
        ),
        (
            "S 0:0(0) win 1 <mss 1460",
            true,
            (24, 24, "`,` and another option, or `>`"),
        ),
        ("S 0:0(0) win 1 <TS val 1>", true, (24, 25, "`ecr`")),
        (
            "S 0:0(0) win 1 <eol 0g>",
            true,
            (20, 22, "hex bytes (two digits each)"),
        ),
        (
            "S. 0:0(0) win 1",
            true,
            (
                15,
                15,
                "`ack N` (or `ack *`): the segment has the ACK flag `.`",
            ),
        ),
        (
            "S 0:0(0)",
            false,
            (8, 8, "`win N`: an injected segment needs a window"),
        ),
        (
            "U 0:0(0) win 1",
            true,
            (14, 14, "`urg N`: the segment has the URG flag `U`"),
        ),
        (
            "S 0:0(0) win 1 rsv 8",
            true,
            (19, 20, "reserved bits (1 to 7)"),
        ),
    ];
    for (text, wildcards, want) in cases {
        assert_eq!(error(text, *wildcards), *want, "{text}");
    }
    let too_long =
        "S 0:0(0) win 1 <TS val 1 ecr 1,TS val 1 ecr 1,TS val 1 ecr 1,TS val 1 ecr 1,nop>";
    let (at, end, expected) = error(too_long, true);
    assert_eq!(
        (at, end, expected),
        (
            15,
            too_long.len(),
            "options that fit in 40 bytes, each well-formed"
        )
    );
    let err = parse_segment("S 0:0(0) win x").unwrap_err();
    assert_eq!(
        err.display("S 0:0(0) win x").to_string(),
        "column 14: expected a window (0 to 65535), found `x`"
    );
}

/// A concrete segment as a stack might emit it, absolute numbers.
fn syn_ack(options: TcpOptions) -> TcpRepr<'static> {
    TcpRepr {
        src_port: 8080,
        dst_port: 40000,
        seq_number: SeqNumber(1000),
        ack_number: SeqNumber(501),
        flags: TcpFlags::SYN | TcpFlags::ACK,
        window: 29200,
        urgent_pointer: 0,
        options,
        payload: &[],
    }
}

/// The ISNs for a target that chose 1000 and a script peer that chose 500.
const ISNS: Isns = Isns {
    sender: SeqNumber(1000),
    receiver: SeqNumber(500),
};

#[test]
fn matching_uses_relative_numbers_and_wildcards() {
    let options = TcpOptions::from_list(&[
        TcpOption::MaxSegmentSize(1460),
        TcpOption::SackPermitted,
        TcpOption::Timestamps(Timestamps {
            tsval: 77,
            tsecr: 5,
        }),
        TcpOption::NoOperation,
        TcpOption::WindowScale(7),
    ])
    .unwrap();
    let seg = syn_ack(options);
    for text in [
        "S. 0:0(0) ack 1 win 29200 <mss 1460,sackOK,TS val 77 ecr 5,nop,wscale 7>",
        "S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 5,nop,wscale 7>",
        "S. 0:0(0) ack * win * <mss *,sackOK,TS val * ecr *,nop,wscale *>",
        "S. 0:0(0) ack 1 <...>",
    ] {
        assert_eq!(pattern(text).matches(&seg, ISNS), Ok(()), "{text}");
    }
    let cases = [
        ("S 0:0(0) <...>", SegmentField::Flags),
        ("S. 1:1(0) ack 1 <...>", SegmentField::Seq),
        ("S. 0:1(1) ack 1 <...>", SegmentField::Len),
        ("S. 0:0(0) ack 2 <...>", SegmentField::Ack),
        ("S. 0:0(0) ack 1 win 65535 <...>", SegmentField::Window),
        ("S. 0:0(0) ack 1", SegmentField::Options),
        (
            "S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 5,nop,wscale 8>",
            SegmentField::Options,
        ),
        (
            "S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 5,nop>",
            SegmentField::Options,
        ),
        (
            "S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 5,nop,wscale 7,nop>",
            SegmentField::Options,
        ),
        (
            "S. 0:0(0) ack 1 <sackOK,mss 1460,TS val * ecr 5,nop,wscale 7>",
            SegmentField::Options,
        ),
    ];
    for (text, field) in cases {
        assert_eq!(pattern(text).matches(&seg, ISNS), Err(field), "{text}");
    }
}

#[test]
fn a_new_isn_matches_any_sequence_number_of_a_syn_only() {
    let seg = syn_ack(TcpOptions::default());
    let new_isn = pattern("S. *:*(0) ack 1");
    assert!(new_isn.new_isn);
    assert_eq!(new_isn.matches(&seg, ISNS), Ok(()));
    assert_eq!(new_isn.matches(&seg, ISN0), Err(SegmentField::Ack));
    let longer = pattern("S. *:*(1) ack 1");
    assert_eq!(longer.matches(&seg, ISNS), Err(SegmentField::Len));
    let expected = "a relative sequence number (`*:*` only on a SYN in an `out` step)";
    assert_eq!(error(". *:*(0) ack 1", true), (2, 3, expected));
    assert_eq!(error("S *:*(0) win 1", false), (2, 3, expected));
    assert_eq!(
        error("S *:0(0)", true).2,
        "`*`: a new ISN is written `*:*(len)`"
    );
}

#[test]
fn zero_padding_after_the_options_matches() {
    // mss + sackOK is 6 bytes: the wire pads it to 8 with zeros (an EOL).
    let seg = syn_ack(
        TcpOptions::from_list(&[TcpOption::MaxSegmentSize(1460), TcpOption::SackPermitted])
            .unwrap(),
    );
    assert_eq!(
        seg.to_string(),
        "S. 1000:1000(0) ack 501 win 29200 <mss 1460,sackOK,eol>"
    );
    assert_eq!(
        pattern("S. 0:0(0) ack 1 <mss 1460,sackOK>").matches(&seg, ISNS),
        Ok(())
    );
    assert_eq!(
        pattern("S. 0:0(0) ack 1 <mss 1460,sackOK,eol>").matches(&seg, ISNS),
        Ok(())
    );
    assert_eq!(
        pattern("S. 0:0(0) ack 1 <mss 1460,sackOK,eol 01>").matches(&seg, ISNS),
        Err(SegmentField::Options)
    );
    assert_eq!(
        pattern("S. 0:0(0) ack 1 <mss 1460>").matches(&seg, ISNS),
        Err(SegmentField::Options)
    );
}

#[test]
fn sack_blocks_are_relative_to_the_receiver() {
    let blocks = SackBlocks::new(&[SackBlock::new(501 + 100, 501 + 200)]).unwrap();
    let mut seg = syn_ack(
        TcpOptions::from_list(&[
            TcpOption::NoOperation,
            TcpOption::NoOperation,
            TcpOption::Sack(blocks),
        ])
        .unwrap(),
    );
    seg.flags = TcpFlags::ACK;
    let p = pattern(". 0:0(0) ack 1 <nop,nop,sack 101:201>");
    assert_eq!(p.matches(&seg, ISNS), Ok(()));
    assert_eq!(
        pattern(". 0:0(0) ack 1 <nop,nop,sack *>").matches(&seg, ISNS),
        Ok(())
    );
    assert_eq!(
        pattern(". 0:0(0) ack 1 <nop,nop,sack 100:200>").matches(&seg, ISNS),
        Err(SegmentField::Options)
    );
    let built = pattern(". 0:0(0) ack 1 win 29200 <nop,nop,sack 101:201>")
        .to_repr(ISNS, &[])
        .unwrap();
    assert_eq!(built.options, seg.options);
    assert_eq!(built.seq_number, SeqNumber(1000));
    assert_eq!(built.ack_number, SeqNumber(501));
}

#[test]
fn to_repr_checks_the_payload_length() {
    let p = pattern("P. 1:11(10) ack 1 win 100");
    assert!(p.to_repr(ISN0, &[0; 9]).is_none());
    let payload = [7; 10];
    let repr = p
        .to_repr(
            Isns {
                sender: SeqNumber(u32::MAX),
                receiver: SeqNumber(9),
            },
            &payload,
        )
        .unwrap();
    assert_eq!(repr.seq_number, SeqNumber(0), "relative numbers wrap");
    assert_eq!(repr.ack_number, SeqNumber(10));
    assert_eq!(repr.payload, &payload);
}

/// Any option the wire layer can hold.
fn any_option() -> impl Strategy<Value = (u8, Vec<u8>)> {
    prop_oneof![
        Just((1u8, vec![])),
        any::<u16>().prop_map(|m| (2, m.to_be_bytes().to_vec())),
        any::<u8>().prop_map(|s| (3, vec![s])),
        Just((4, vec![])),
        prop::collection::vec(any::<u8>(), 8..=32).prop_map(|d| (5, d[..d.len() / 8 * 8].to_vec())),
        prop::collection::vec(any::<u8>(), 8..=8).prop_map(|d| (8, d)),
        (9u8..=254, prop::collection::vec(any::<u8>(), 0..6)),
    ]
}

/// An options area: options, then maybe an EOL and arbitrary trailing bytes.
fn any_options() -> impl Strategy<Value = TcpOptions> {
    let list = prop::collection::vec(any_option(), 0..6);
    let trailer = prop::option::of(prop::collection::vec(any::<u8>(), 0..6));
    (list, trailer).prop_map(|(list, trailer)| {
        let mut area = Vec::new();
        for (kind, data) in list {
            let mut bytes = vec![kind];
            if kind != 1 {
                bytes.push(2 + data.len() as u8);
                bytes.extend(data);
            }
            if area.len() + bytes.len() <= 40 {
                area.extend(bytes);
            }
        }
        if let Some(trailer) = trailer {
            area.push(0);
            area.extend(trailer);
        }
        area.truncate(40);
        TcpOptions::parse(&area).unwrap_or_default()
    })
}

proptest! {
    #[test]
    fn display_parse_display_is_identity(
        flags in 0u16..0x1000,
        seq in any::<u32>(),
        ack in prop_oneof![Just(0u32), any::<u32>()],
        window in any::<u16>(),
        urgent in prop_oneof![Just(0u16), any::<u16>()],
        options in any_options(),
        payload in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let repr = TcpRepr {
            src_port: 0,
            dst_port: 0,
            seq_number: SeqNumber(seq),
            ack_number: SeqNumber(ack),
            flags: TcpFlags::from_bits_retain(flags),
            window,
            urgent_pointer: urgent,
            options,
            payload: &payload,
        };
        let text = repr.to_string();
        let p = parse_inbound(&text).map_err(|e| TestCaseError::fail(format!("{text}: {}", e.display(&text))))?;
        prop_assert_eq!(p.to_string(), text.clone());
        let built = p.to_repr(ISN0, &payload);
        prop_assert_eq!(built, Some(repr));
        prop_assert_eq!(p.matches(&repr, ISN0), Ok(()));
        let shifted = Isns { sender: SeqNumber(12345), receiver: SeqNumber(999) };
        let moved = p.to_repr(shifted, &payload).unwrap();
        prop_assert_eq!(p.matches(&moved, shifted), Ok(()));
    }

    #[test]
    fn from_repr_describes_what_matches(
        flags in 0u16..0x1000,
        seq in any::<u32>(),
        ack in any::<u32>(),
        window in any::<u16>(),
        options in any_options(),
        payload in prop::collection::vec(any::<u8>(), 0..16),
        sender in any::<u32>(),
        receiver in any::<u32>(),
    ) {
        let repr = TcpRepr {
            src_port: 0,
            dst_port: 0,
            seq_number: SeqNumber(seq),
            ack_number: SeqNumber(ack),
            flags: TcpFlags::from_bits_retain(flags),
            window,
            urgent_pointer: 0,
            options,
            payload: &payload,
        };
        let isns = Isns { sender: SeqNumber(sender), receiver: SeqNumber(receiver) };
        let described = SegmentPattern::from_repr(&repr, isns);
        prop_assert_eq!(described.matches(&repr, isns), Ok(()));
        prop_assert_eq!(described.seq, seq.wrapping_sub(sender));
        let text = described.to_string();
        let reparsed = parse_inbound(&text).map_err(|e| TestCaseError::fail(format!("{text}: {}", e.display(&text))))?;
        prop_assert_eq!(reparsed.matches(&repr, isns), Ok(()));
    }

    #[test]
    fn parsing_never_panics(text in "[ -~]{0,60}") {
        let _ = parse_segment(&text);
        let _ = parse_inbound(&text);
    }

    #[test]
    fn errors_stay_inside_the_input(text in "[SFRP.UEWA]{1,3} [0-9:()]{0,10}( (ack|win|urg) [0-9*]{0,6})*( <[a-zA-Z0-9 ,.*:]{0,30}>?)?") {
        if let Err(e) = parse_segment(&text) {
            prop_assert!(e.at <= e.end && e.end <= text.len(), "{:?} in {}", e, text);
        }
    }
}
