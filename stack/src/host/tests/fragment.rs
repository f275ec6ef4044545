//! Tests of IPv4 fragmentation.

use super::*;
use crate::wire::ipv4::{Ipv4Option, Ipv4Packet};
use crate::wire::{ChecksumPolicy, IpProtocol, Ipv4Addr};
use proptest::prelude::*;

const SRC: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

fn header(payload_len: usize) -> Ipv4Repr {
    Ipv4Repr {
        ident: 0x1234,
        ..Ipv4Repr::new(SRC, DST, IpProtocol::Udp, payload_len)
    }
}

/// Loose Source Route (copied), Record Route (not), Router Alert (copied),
/// Timestamp (not): 34 octets padded to 36.
fn mixed_options() -> Ipv4Options {
    Ipv4Options::from_options(&[
        Ipv4Option::LooseSourceRoute {
            pointer: 4,
            route: &[198, 51, 100, 9],
        },
        Ipv4Option::RecordRoute {
            pointer: 4,
            route: &[0; 8],
        },
        Ipv4Option::RouterAlert(0),
        Ipv4Option::Timestamp {
            pointer: 5,
            overflow: 0,
            flags: 0,
            data: &[0; 8],
        },
    ])
    .unwrap()
}

fn kinds(options: &Ipv4Options) -> Vec<u8> {
    options.iter().map(|o| o.kind()).collect()
}

#[track_caller]
fn split(header: &Ipv4Repr, mtu: usize) -> Vec<(Ipv4Repr, Range<usize>)> {
    fragments(header, header.payload_len, mtu)
        .unwrap()
        .collect()
}

#[test]
fn datagram_that_fits_yields_itself_once() {
    let mut original = header(100);
    original.options = mixed_options();
    original.dont_frag = true;
    let all = split(&original, original.buffer_len());
    assert_eq!(all, vec![(original, 0..100)]);
}

#[test]
fn empty_datagram_yields_itself_once() {
    let original = header(0);
    assert_eq!(split(&original, 68), vec![(original, 0..0)]);
}

#[test]
fn splits_on_eight_octet_boundaries_at_ethernet_mtu() {
    let all = split(&header(4000), 1500);
    let shape: Vec<_> = all
        .iter()
        .map(|(h, r)| (r.clone(), h.frag_offset, h.more_frags, h.payload_len))
        .collect();
    assert_eq!(
        shape,
        vec![
            (0..1480, 0, true, 1480),
            (1480..2960, 185, true, 1480),
            (2960..4000, 370, false, 1040),
        ]
    );
    assert!(all.iter().all(|(h, _)| h.ident == 0x1234 && h.ttl == 64));
    assert!(all.iter().all(|(h, _)| h.buffer_len() <= 1500));
}

#[test]
fn mtu_not_a_multiple_of_eight_rounds_data_down() {
    // 20 + 1483 = 1503: only 1480 data octets fit in whole blocks.
    let all = split(&header(1500), 1503);
    assert_eq!(all[0].1, 0..1480);
    assert_eq!(all[1].1, 1480..1500);
}

#[test]
fn dont_fragment_too_big_is_an_error() {
    let mut original = header(1481);
    original.dont_frag = true;
    assert_eq!(
        fragments(&original, 1481, 1500).unwrap_err(),
        FragmentError::DontFragment { mtu: 1500 }
    );
    // One octet less fits, DF or not.
    assert_eq!(fragments(&original, 1480, 1500).unwrap().count(), 1);
}

#[test]
fn mtu_below_one_block_is_an_error() {
    assert_eq!(
        fragments(&header(100), 100, 27).unwrap_err(),
        FragmentError::MtuTooSmall { mtu: 27 }
    );
    // Eight data octets per fragment is the least that works.
    let all = split(&header(100), 28);
    assert_eq!(all.len(), 13);
    assert!(all.iter().all(|(h, _)| h.buffer_len() <= 28));
    // With 36 octets of options the first fragment needs 64 octets of MTU.
    let mut optioned = header(100);
    optioned.options = mixed_options();
    assert_eq!(
        fragments(&optioned, 100, 63).unwrap_err(),
        FragmentError::MtuTooSmall { mtu: 63 }
    );
    assert!(fragments(&optioned, 100, 64).is_ok());
}

#[test]
fn datagram_past_65535_octets_is_an_error() {
    assert_eq!(
        fragments(&header(65_516), 65_516, 1500).unwrap_err(),
        FragmentError::TooLong { len: 65_536 }
    );
    assert!(fragments(&header(65_515), 65_515, 1500).is_ok());
    // Refragmenting a fragment at offset 65,000 with 600 octets would need
    // an offset past 13 bits.
    let mut late = header(600);
    late.frag_offset = 65_000 / 8;
    assert_eq!(
        fragments(&late, 600, 300).unwrap_err(),
        FragmentError::TooLong { len: 620 }
    );
}

#[test]
fn only_copied_options_follow_the_first_fragment() {
    let mut original = header(3000);
    original.options = mixed_options();
    let all = split(&original, 1500);
    // RFC 791 3.1: LSRR (131) and Router Alert (148) have the copied flag.
    assert_eq!(kinds(&all[0].0.options), vec![131, 7, 148, 68, 0]);
    assert_eq!(all[0].0.header_len(), 56);
    for (h, _) in &all[1..] {
        assert_eq!(kinds(&h.options), vec![131, 148, 0]);
        assert_eq!(h.header_len(), 32);
    }
    // The smaller header leaves room for more data after the first.
    assert_eq!(all[0].1, 0..1440);
    assert_eq!(all[1].1, 1440..2904);
    assert_eq!(all[2].1, 2904..3000);
}

#[test]
fn options_without_copied_flag_vanish_from_later_fragments() {
    let mut original = header(200);
    original.options = Ipv4Options::from_options(&[Ipv4Option::RecordRoute {
        pointer: 4,
        route: &[0; 4],
    }])
    .unwrap();
    let all = split(&original, 100);
    assert_eq!(kinds(&all[0].0.options), vec![7, 0]);
    assert!(all[1..].iter().all(|(h, _)| h.options.is_empty()));
}

#[test]
fn refragmenting_a_middle_fragment_keeps_more_fragments() {
    let mut middle = header(1000);
    middle.frag_offset = 100;
    middle.more_frags = true;
    let all = split(&middle, 520);
    let shape: Vec<_> = all
        .iter()
        .map(|(h, r)| (r.clone(), h.frag_offset, h.more_frags))
        .collect();
    assert_eq!(
        shape,
        vec![
            (0..496, 100, true),
            (496..992, 162, true),
            (992..1000, 224, true)
        ]
    );
}

#[test]
fn size_hint_is_exact() {
    let mut original = header(5000);
    original.options = mixed_options();
    let mut iter = fragments(&original, 5000, 576).unwrap();
    let mut left = iter.len();
    assert_eq!(left, 10);
    while iter.next().is_some() {
        left -= 1;
        assert_eq!(iter.len(), left);
    }
    assert_eq!(left, 0);
    assert_eq!(iter.next(), None);
}

#[test]
fn error_display() {
    let text = FragmentError::DontFragment { mtu: 1500 }.to_string();
    assert_eq!(text, "datagram exceeds MTU 1500 and Don't Fragment is set");
}

fn options_strategy() -> impl Strategy<Value = Ipv4Options> {
    prop_oneof![Just(Ipv4Options::EMPTY), Just(mixed_options())]
}

proptest! {
    /// Every fragment fits, sits on an 8-octet boundary, and together they
    /// cover the payload once, in order; each header emits and parses back.
    #[test]
    fn fragments_tile_the_payload(
        payload_len in 0usize..=65_479,
        mtu in 68usize..=9000,
        options in options_strategy(),
    ) {
        let mut original = header(payload_len);
        original.options = options;
        let all = split(&original, mtu);
        prop_assert_eq!(all.len(), fragments(&original, payload_len, mtu).unwrap().len());
        let mut next = 0;
        for (i, (h, range)) in all.iter().enumerate() {
            let last = i + 1 == all.len();
            prop_assert_eq!(range.start, next);
            prop_assert_eq!(h.frag_offset_bytes(), range.start);
            prop_assert_eq!(h.payload_len, range.len());
            prop_assert!(h.buffer_len() <= mtu);
            prop_assert_eq!(h.more_frags, !last);
            prop_assert!(last || range.len() % 8 == 0 && !range.is_empty());
            prop_assert_eq!((h.ident, h.protocol, h.src_addr), (0x1234, IpProtocol::Udp, SRC));
            let mut buf = vec![0xa5; h.buffer_len()];
            h.emit(&mut Ipv4Packet::new_unchecked(&mut buf[..]), ChecksumPolicy::Verify);
            let parsed = Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&buf[..]), ChecksumPolicy::Verify);
            prop_assert_eq!(parsed, Ok(*h));
            next = range.end;
        }
        prop_assert_eq!(next, payload_len);
    }

    /// No header, payload length or MTU makes `fragments` panic, and what it
    /// yields always covers the payload.
    #[test]
    fn never_panics(
        payload_len in 0usize..100_000,
        mtu in 0usize..70_000,
        frag_offset in 0u16..=0xffff,
        more_frags: bool,
        dont_frag: bool,
    ) {
        let original = Ipv4Repr { frag_offset, more_frags, dont_frag, ..header(payload_len) };
        if let Ok(iter) = fragments(&original, payload_len, mtu) {
            let covered: usize = iter.map(|(_, r)| r.len()).sum();
            prop_assert_eq!(covered, payload_len);
        }
    }
}
