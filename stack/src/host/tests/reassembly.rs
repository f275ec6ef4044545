//! Tests of IPv4 reassembly: orders, duplicates, overlaps, lengths, timers
//! and the memory bound.

use super::*;
use crate::host::fragment::fragments;
use crate::wire::ipv4::{Ipv4Option, Ipv4Options, Ipv4Packet};
use crate::wire::{ChecksumPolicy, IpProtocol, Ipv4Addr};
use proptest::collection::vec;
use proptest::prelude::*;

const SRC: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
const T0: Instant = Instant::ZERO;

/// A datagram header with identification `ident`.
fn header(ident: u16, payload_len: usize) -> Ipv4Repr {
    Ipv4Repr {
        ident,
        ttl: 17,
        ..Ipv4Repr::new(SRC, DST, IpProtocol::Udp, payload_len)
    }
}

/// A payload whose octets say where they are.
fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// The header of a fragment of datagram `ident` at `offset` octets.
fn frag(ident: u16, offset: usize, len: usize, more_frags: bool) -> Ipv4Repr {
    Ipv4Repr {
        frag_offset: (offset / 8) as u16,
        more_frags,
        ..header(ident, len)
    }
}

/// Split `original` carrying `data` at `mtu` into owned fragments.
fn split(original: &Ipv4Repr, data: &[u8], mtu: usize) -> Vec<(Ipv4Repr, Vec<u8>)> {
    fragments(original, data.len(), mtu)
        .unwrap()
        .map(|(h, range)| (h, data[range].to_vec()))
        .collect()
}

fn small(max_bytes: usize, max_datagrams: usize) -> Reassembler {
    Reassembler::new(ReassemblyConfig {
        max_bytes,
        max_datagrams,
        ..ReassemblyConfig::default()
    })
}

/// Hand in a fragment whose data is `data`, and return the outcome owned.
fn feed(r: &mut Reassembler, now: Instant, h: &Ipv4Repr, data: &[u8]) -> Outcome {
    Outcome::from(r.handle_fragment(now, h, data))
}

/// A [`Reassembly`] that owns its payload, for comparing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Incomplete,
    Complete(Ipv4Repr, Vec<u8>),
    Dropped(DropReason),
}

impl From<Reassembly<'_>> for Outcome {
    fn from(r: Reassembly<'_>) -> Self {
        match r {
            Reassembly::Incomplete => Outcome::Incomplete,
            Reassembly::Complete { header, payload } => Outcome::Complete(header, payload.to_vec()),
            Reassembly::Dropped(reason) => Outcome::Dropped(reason),
        }
    }
}

/// Feed all but the last fragment, expecting each to be held, then return
/// what the last one gives.
#[track_caller]
fn feed_all(r: &mut Reassembler, pieces: &[(Ipv4Repr, Vec<u8>)]) -> Outcome {
    let (last, rest) = pieces.split_last().unwrap();
    for (h, data) in rest {
        assert_eq!(feed(r, T0, h, data), Outcome::Incomplete);
    }
    feed(r, T0, &last.0, &last.1)
}

fn optioned(ident: u16, len: usize) -> Ipv4Repr {
    let options = Ipv4Options::from_options(&[
        Ipv4Option::RecordRoute {
            pointer: 4,
            route: &[0; 8],
        },
        Ipv4Option::RouterAlert(0),
    ])
    .unwrap();
    Ipv4Repr {
        options,
        ..header(ident, len)
    }
}

#[test]
fn in_order_fragments_complete_with_fragment_zero_header() {
    let original = optioned(1, 3000);
    let data = payload(3000);
    let pieces = split(&original, &data, 576);
    assert!(pieces[1].0.options.len() < original.options.len());
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(
        feed_all(&mut r, &pieces),
        Outcome::Complete(original, data.clone())
    );
    let stats = r.stats();
    assert_eq!((stats.fragments, stats.completed), (6, 1));
    // The completed datagram stays charged until the next call.
    assert_eq!((stats.bytes_held, stats.datagrams_held), (3000, 0));
    assert!(r.handle_timeout(T0).is_empty());
    assert_eq!(r.stats().bytes_held, 0);
}

#[test]
fn reverse_order_completes() {
    let original = header(2, 5000);
    let data = payload(5000);
    let mut pieces = split(&original, &data, 1500);
    pieces.reverse();
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(feed_all(&mut r, &pieces), Outcome::Complete(original, data));
}

#[test]
fn unfragmented_datagram_completes_at_once() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let h = header(3, 5);
    let got = feed(&mut r, T0, &h, b"hello");
    assert_eq!(got, Outcome::Complete(h, b"hello".to_vec()));
    let empty = header(4, 0);
    assert_eq!(
        feed(&mut r, T0, &empty, &[]),
        Outcome::Complete(empty, vec![])
    );
    assert_eq!(r.stats().datagrams_held, 0);
}

#[test]
fn exact_duplicate_is_dropped_alone() {
    let original = header(5, 100);
    let data = payload(100);
    let pieces = split(&original, &data, 60);
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let (h0, d0) = &pieces[0];
    assert_eq!(feed(&mut r, T0, h0, d0), Outcome::Incomplete);
    let dup = Outcome::Dropped(DropReason::Duplicate);
    assert_eq!(feed(&mut r, T0, h0, d0), dup);
    // Different bytes over the same extent: still a duplicate, first wins.
    assert_eq!(feed(&mut r, T0, h0, &vec![0xee; d0.len()]), dup);
    assert_eq!(
        feed_all(&mut r, &pieces[1..]),
        Outcome::Complete(original, data)
    );
    assert_eq!(r.stats().duplicates, 2);
}

#[test]
fn partial_overlap_discards_the_datagram() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(
        feed(&mut r, T0, &frag(6, 0, 16, true), &[1; 16]),
        Outcome::Incomplete
    );
    let overlap = feed(&mut r, T0, &frag(6, 8, 16, true), &[2; 16]);
    assert_eq!(overlap, Outcome::Dropped(DropReason::Overlap));
    let stats = r.stats();
    assert_eq!(
        (stats.overlaps, stats.datagrams_held, stats.bytes_held),
        (1, 0, 0)
    );
    // What was held is gone: the rest alone no longer completes.
    assert_eq!(
        feed(&mut r, T0, &frag(6, 16, 8, false), &[3; 8]),
        Outcome::Incomplete
    );
}

#[test]
fn contained_and_enclosing_overlaps_discard_the_datagram() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let overlap = Outcome::Dropped(DropReason::Overlap);
    assert_eq!(
        feed(&mut r, T0, &frag(7, 0, 32, true), &[1; 32]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(7, 8, 8, true), &[1; 8]), overlap);
    assert_eq!(
        feed(&mut r, T0, &frag(8, 8, 8, true), &[1; 8]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(8, 0, 32, true), &[1; 32]), overlap);
    // Same start, longer: not a duplicate.
    assert_eq!(
        feed(&mut r, T0, &frag(9, 8, 8, true), &[1; 8]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(9, 8, 16, true), &[1; 16]), overlap);
    assert_eq!(r.stats().overlaps, 3);
    assert_eq!(r.stats().datagrams_held, 0);
}

#[test]
fn adjacent_fragments_do_not_overlap() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(
        feed(&mut r, T0, &frag(10, 16, 8, true), &[2; 8]),
        Outcome::Incomplete
    );
    assert_eq!(
        feed(&mut r, T0, &frag(10, 0, 16, true), &[1; 16]),
        Outcome::Incomplete
    );
    let got = feed(&mut r, T0, &frag(10, 24, 3, false), &[3; 3]);
    let mut want = vec![1; 16];
    want.extend([2; 8]);
    want.extend([3; 3]);
    assert_eq!(got, Outcome::Complete(header(10, 27), want));
}

#[test]
fn malformed_fragments_are_dropped_alone() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(
        feed(&mut r, T0, &frag(11, 8, 8, true), &[2; 8]),
        Outcome::Incomplete
    );
    // RFC 791 3.2: non-final fragments carry whole 8-octet blocks.
    let empty = feed(&mut r, T0, &frag(11, 0, 0, true), &[]);
    assert_eq!(empty, Outcome::Dropped(DropReason::Empty));
    let misaligned = feed(&mut r, T0, &frag(11, 0, 12, true), &[1; 12]);
    assert_eq!(misaligned, Outcome::Dropped(DropReason::Misaligned));
    assert_eq!(r.stats().malformed, 2);
    assert_eq!(
        feed(&mut r, T0, &frag(11, 0, 8, true), &[1; 8]),
        Outcome::Incomplete
    );
    let got = feed(&mut r, T0, &frag(11, 16, 1, false), &[3]);
    assert_eq!(
        got,
        Outcome::Complete(
            header(11, 17),
            [[1; 8], [2; 8]].concat().into_iter().chain([3]).collect()
        )
    );
}

#[test]
fn empty_last_fragment_sets_the_end() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    assert_eq!(
        feed(&mut r, T0, &frag(12, 16, 0, false), &[]),
        Outcome::Incomplete
    );
    let again = feed(&mut r, T0, &frag(12, 16, 0, false), &[]);
    assert_eq!(again, Outcome::Dropped(DropReason::Duplicate));
    let got = feed(&mut r, T0, &frag(12, 0, 16, true), &[5; 16]);
    assert_eq!(got, Outcome::Complete(header(12, 16), vec![5; 16]));
}

#[test]
fn datagram_past_65535_octets_is_discarded() {
    let too_long = Outcome::Dropped(DropReason::TooLong);
    let mut r = Reassembler::new(ReassemblyConfig::default());
    // The largest offset with 16 octets: 65,528 + 16 + 20 > 65,535.
    assert_eq!(
        feed(&mut r, T0, &frag(13, 65_528, 16, false), &[0; 16]),
        too_long
    );
    // 20 + 65,515 is the longest datagram there is.
    assert_eq!(
        feed(&mut r, T0, &frag(14, 65_512, 3, false), &[0; 3]),
        Outcome::Incomplete
    );
    // Fragment 0 with 16 octets of options makes that too long after all.
    let mut first = frag(14, 0, 8, true);
    first.options = optioned(14, 8).options;
    assert_eq!(feed(&mut r, T0, &first, &[0; 8]), too_long);
    assert_eq!(r.stats().datagrams_held, 0);
    // And the other way round: options first, then the far end.
    assert_eq!(feed(&mut r, T0, &first, &[0; 8]), Outcome::Incomplete);
    assert_eq!(
        feed(&mut r, T0, &frag(14, 65_512, 3, false), &[0; 3]),
        too_long
    );
    assert_eq!(r.stats().too_long, 3);
    assert_eq!(r.stats().bytes_held, 0);
}

#[test]
fn largest_datagram_reassembles() {
    let original = header(15, 65_515);
    let data = payload(65_515);
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let pieces = split(&original, &data, 1500);
    assert_eq!(feed_all(&mut r, &pieces), Outcome::Complete(original, data));
}

#[test]
fn inconsistent_lengths_discard_the_datagram() {
    let bad = Outcome::Dropped(DropReason::InconsistentLength);
    let mut r = Reassembler::new(ReassemblyConfig::default());
    // A last fragment that ends before data already held.
    assert_eq!(
        feed(&mut r, T0, &frag(16, 16, 8, true), &[0; 8]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(16, 8, 4, false), &[0; 4]), bad);
    // Two last fragments with different ends.
    assert_eq!(
        feed(&mut r, T0, &frag(17, 16, 4, false), &[0; 4]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(17, 24, 4, false), &[0; 4]), bad);
    // A middle fragment past the known end.
    assert_eq!(
        feed(&mut r, T0, &frag(18, 16, 4, false), &[0; 4]),
        Outcome::Incomplete
    );
    assert_eq!(feed(&mut r, T0, &frag(18, 16, 8, true), &[0; 8]), bad);
    let stats = r.stats();
    assert_eq!(
        (stats.inconsistent, stats.datagrams_held, stats.bytes_held),
        (3, 0, 0)
    );
}

#[test]
fn keys_keep_datagrams_apart() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let first = frag(19, 0, 8, true);
    let other_protocol = Ipv4Repr {
        protocol: IpProtocol::Icmp,
        ..frag(19, 8, 1, false)
    };
    let other_source = Ipv4Repr {
        src_addr: Ipv4Addr::new(198, 51, 100, 3),
        ..frag(19, 8, 1, false)
    };
    assert_eq!(feed(&mut r, T0, &first, &[1; 8]), Outcome::Incomplete);
    assert_eq!(feed(&mut r, T0, &other_protocol, &[2]), Outcome::Incomplete);
    assert_eq!(feed(&mut r, T0, &other_source, &[2]), Outcome::Incomplete);
    assert_eq!(r.stats().datagrams_held, 3);
    let got = feed(&mut r, T0, &frag(19, 8, 1, false), &[2]);
    assert_eq!(
        got,
        Outcome::Complete(header(19, 9), [1, 1, 1, 1, 1, 1, 1, 1, 2].to_vec())
    );
}

#[test]
fn timeout_after_fragment_zero_reports_it() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let first = frag(20, 0, 16, true);
    let data = payload(16);
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(
        feed(&mut r, Instant::from_secs(1), &first, &data),
        Outcome::Incomplete
    );
    // A later fragment does not restart the timer.
    let later = feed(
        &mut r,
        Instant::from_secs(20),
        &frag(20, 32, 8, false),
        &[0; 8],
    );
    assert_eq!(later, Outcome::Incomplete);
    assert_eq!(r.poll_timeout(), Some(Instant::from_secs(31)));
    assert!(r.handle_timeout(Instant::from_millis(30_999)).is_empty());
    assert_eq!(r.stats().datagrams_held, 1);
    let expired = r.handle_timeout(Instant::from_secs(31));
    assert_eq!(
        expired,
        vec![Expired {
            header: first,
            first_bytes: data,
            link_broadcast: false,
        }]
    );
    let stats = r.stats();
    assert_eq!(
        (stats.timeouts, stats.datagrams_held, stats.bytes_held),
        (1, 0, 0)
    );
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn timeout_without_fragment_zero_reports_nothing() {
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let middle = feed(&mut r, T0, &frag(21, 8, 8, true), &[0; 8]);
    assert_eq!(middle, Outcome::Incomplete);
    assert_eq!(r.poll_timeout(), Some(T0 + DEFAULT_TIMEOUT));
    assert!(r.handle_timeout(Instant::from_secs(60)).is_empty());
    let stats = r.stats();
    assert_eq!(
        (stats.timeouts, stats.datagrams_held, stats.bytes_held),
        (1, 0, 0)
    );
}

#[test]
fn each_datagram_has_its_own_timer() {
    let config = ReassemblyConfig {
        timeout: Duration::from_secs(5),
        ..ReassemblyConfig::default()
    };
    let mut r = Reassembler::new(config);
    let a = frag(22, 0, 8, true);
    let b = frag(23, 0, 8, true);
    assert_eq!(
        feed(&mut r, Instant::from_secs(1), &b, &[0; 8]),
        Outcome::Incomplete
    );
    assert_eq!(
        feed(&mut r, Instant::from_secs(1), &a, &[0; 8]),
        Outcome::Incomplete
    );
    let c = frag(24, 0, 8, true);
    assert_eq!(
        feed(&mut r, Instant::from_secs(3), &c, &[0; 8]),
        Outcome::Incomplete
    );
    let expired = r.handle_timeout(Instant::from_secs(7));
    // Oldest first: b arrived before a.
    let idents: Vec<_> = expired.iter().map(|e| e.header.ident).collect();
    assert_eq!(idents, vec![23, 22]);
    assert_eq!(r.poll_timeout(), Some(Instant::from_secs(8)));
}

#[test]
fn datagram_too_big_for_memory_is_discarded() {
    let mut r = small(2_000, 4);
    assert_eq!(
        feed(&mut r, T0, &frag(25, 0, 8, true), &[0; 8]),
        Outcome::Incomplete
    );
    let far = feed(&mut r, T0, &frag(25, 4_000, 8, true), &[0; 8]);
    assert_eq!(far, Outcome::Dropped(DropReason::MemoryLimit));
    let stats = r.stats();
    assert_eq!(
        (stats.memory_limit, stats.datagrams_held, stats.bytes_held),
        (1, 0, 0)
    );
    let mut none = small(DEFAULT_MAX_BYTES, 0);
    let refused = feed(&mut none, T0, &frag(26, 0, 8, true), &[0; 8]);
    assert_eq!(refused, Outcome::Dropped(DropReason::MemoryLimit));
}

#[test]
fn oldest_datagram_is_evicted_for_a_new_one() {
    let mut r = small(DEFAULT_MAX_BYTES, 2);
    for ident in [27, 28, 29] {
        let got = feed(&mut r, T0, &frag(ident, 0, 8, true), &[1; 8]);
        assert_eq!(got, Outcome::Incomplete);
    }
    assert_eq!(r.stats().evicted, 1);
    // 28 survived; 27 was evicted, so its last fragment starts afresh.
    let done = feed(&mut r, T0, &frag(28, 8, 1, false), &[2]);
    assert!(matches!(done, Outcome::Complete(..)));
    assert_eq!(
        feed(&mut r, T0, &frag(27, 8, 1, false), &[2]),
        Outcome::Incomplete
    );
}

#[test]
fn datagram_completes_after_a_flood() {
    let mut r = small(100_000, 16);
    let max = r.config().max_bytes;
    for ident in 0..1_000u16 {
        let got = feed(&mut r, T0, &frag(ident, 60_000, 8, true), &[0; 8]);
        assert_eq!(got, Outcome::Incomplete);
        assert!(r.stats().bytes_held <= max);
    }
    assert!(r.stats().evicted >= 998);
    let original = header(5_000, 10_000);
    let data = payload(10_000);
    let pieces = split(&original, &data, 1500);
    assert_eq!(feed_all(&mut r, &pieces), Outcome::Complete(original, data));
    assert!(r.stats().bytes_held <= max);
}

#[test]
fn drop_reason_says_what_it_discards() {
    assert!(!DropReason::Duplicate.discards_datagram());
    assert!(!DropReason::Misaligned.discards_datagram());
    assert!(DropReason::Overlap.discards_datagram());
    assert!(DropReason::MemoryLimit.discards_datagram());
    assert_eq!(DropReason::Overlap.to_string(), "overlapping fragments");
}

/// A datagram, the MTU it is split at, and an order to deliver its
/// fragments in: each at least once, some twice.
fn shuffled_datagram() -> impl Strategy<Value = (Ipv4Repr, Vec<u8>, usize, Vec<usize>)> {
    let options = prop_oneof![Just(Ipv4Options::EMPTY), Just(optioned(0, 0).options)];
    (0usize..6_000, 68usize..1_600, options, any::<u16>()).prop_flat_map(
        |(len, mtu, options, ident)| {
            let original = Ipv4Repr {
                options,
                ..header(ident, len)
            };
            let n = fragments(&original, len, mtu).unwrap().len();
            let order = (Just((0..n).collect::<Vec<_>>()), vec(0..n, 0..4))
                .prop_map(|(mut all, dups)| {
                    all.extend(dups);
                    all
                })
                .prop_shuffle();
            (Just(original), Just(payload(len)), Just(mtu), order)
        },
    )
}

/// Emit a fragment and parse it back, as the host would receive it.
fn through_the_wire(h: &Ipv4Repr, data: &[u8]) -> (Ipv4Repr, Vec<u8>) {
    let mut buf = vec![0xa5; h.buffer_len()];
    let mut packet = Ipv4Packet::new_unchecked(&mut buf[..]);
    h.emit(&mut packet, ChecksumPolicy::Verify);
    packet.payload_mut().copy_from_slice(data);
    let packet = Ipv4Packet::new_checked(&buf[..]).unwrap();
    let parsed = Ipv4Repr::parse(&packet, ChecksumPolicy::Verify).unwrap();
    (parsed, packet.payload().to_vec())
}

/// One step of a fragment flood: a fragment of one of a few datagrams, at
/// any offset, of any length, some time after the last step.
#[derive(Debug, Clone)]
struct FloodStep {
    ident: u16,
    offset_units: u16,
    len: usize,
    more_frags: bool,
    millis: u64,
}

fn flood_step() -> impl Strategy<Value = FloodStep> {
    (
        0u16..40,
        0u16..0x2000,
        0usize..2_000,
        any::<bool>(),
        0u64..3_000,
    )
        .prop_map(|(ident, offset_units, len, more_frags, millis)| FloodStep {
            ident,
            offset_units,
            len,
            more_frags,
            millis,
        })
}

proptest! {
    /// Fragment, send through the wire, deliver in any order with duplicates:
    /// the datagram completes exactly when its last missing fragment arrives,
    /// with the original header and payload.
    #[test]
    fn reassembles_in_any_order((original, data, mtu, order) in shuffled_datagram()) {
        let pieces: Vec<_> = split(&original, &data, mtu)
            .iter()
            .map(|(h, d)| through_the_wire(h, d))
            .collect();
        let whole = Outcome::Complete(original, data);
        let mut r = Reassembler::new(ReassemblyConfig::default());
        let mut seen = vec![false; pieces.len()];
        let mut done = false;
        for i in order {
            let (h, d) = &pieces[i];
            let first_time = !seen[i];
            seen[i] = true;
            let got = feed(&mut r, T0, h, d);
            if !done && seen.iter().all(|s| *s) {
                prop_assert_eq!(&got, &whole);
                done = true;
            } else if !done {
                let want = if first_time { Outcome::Incomplete } else { Outcome::Dropped(DropReason::Duplicate) };
                prop_assert_eq!(got, want);
            } else {
                // Late duplicates start a new datagram; nothing else happens.
                let harmless = [Outcome::Incomplete, Outcome::Dropped(DropReason::Duplicate), whole.clone()];
                prop_assert!(harmless.contains(&got), "{:?}", got);
            }
        }
        prop_assert!(done);
    }

    /// Fragment then reassemble, in order, for any size up to the largest.
    #[test]
    fn fragment_round_trip(len in 0usize..=65_515, mtu in 68usize..9_000) {
        let original = header(99, len);
        let data = payload(len);
        let pieces = split(&original, &data, mtu);
        let mut r = Reassembler::new(ReassemblyConfig::default());
        prop_assert_eq!(feed_all(&mut r, &pieces), Outcome::Complete(original, data));
    }

    /// Whatever a flood sends, the reassembler never holds more than its
    /// bounds, never panics, and lets go of everything once timers expire.
    #[test]
    fn flood_never_exceeds_the_bounds(
        steps in vec(flood_step(), 1..200),
        max_bytes in 0usize..150_000,
        max_datagrams in 0usize..10,
    ) {
        let mut r = small(max_bytes, max_datagrams);
        let mut now = T0;
        for step in steps {
            now += Duration::from_millis(step.millis);
            if r.poll_timeout().is_some_and(|t| t <= now) {
                r.handle_timeout(now);
            }
            let h = Ipv4Repr {
                frag_offset: step.offset_units,
                more_frags: step.more_frags,
                ..header(step.ident, step.len)
            };
            let _ = r.handle_fragment(now, &h, &payload(step.len));
            let stats = r.stats();
            prop_assert!(stats.bytes_held <= max_bytes, "{} > {}", stats.bytes_held, max_bytes);
            prop_assert!(stats.datagrams_held <= max_datagrams);
        }
        r.handle_timeout(now + DEFAULT_TIMEOUT);
        let stats = r.stats();
        prop_assert_eq!((stats.bytes_held, stats.datagrams_held), (0, 0));
    }
}
