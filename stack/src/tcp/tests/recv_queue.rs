//! Tests of the receive queue: reassembly, the window, and SACK blocks.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// The alphabet, 26 distinct bytes to place at known offsets.
const ABC: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// Read everything readable.
fn drain(q: &mut RecvQueue) -> Vec<u8> {
    let mut buf = vec![0; q.readable()];
    let n = q.read(&mut buf);
    assert_eq!(n, buf.len());
    buf
}

/// Return the blocks as `(left, right)` pairs of raw sequence numbers.
fn blocks(q: &RecvQueue, rcv_nxt: u32, max_blocks: usize) -> Vec<(u32, u32)> {
    q.sack_blocks(SeqNumber(rcv_nxt), max_blocks)
        .map(|b| {
            b.as_slice()
                .iter()
                .map(|b| (b.left_edge.0, b.right_edge.0))
                .collect()
        })
        .unwrap_or_default()
}

/// Check that every byte of a segment is counted exactly once.
#[track_caller]
fn assert_accounted(acc: &Accepted, len: usize) {
    let counted = acc.in_order - acc.reassembled
        + acc.buffered_out_of_order
        + acc.duplicate
        + acc.trimmed
        + acc.refused;
    assert_eq!(counted, len, "{acc:?}");
    assert!(acc.conflicting <= acc.duplicate, "{acc:?}");
}

#[test]
fn in_order_data_is_readable_at_once() {
    let mut q = RecvQueue::new(64);
    let acc = q.insert(0, b"hello");
    assert_eq!(
        acc,
        Accepted {
            in_order: 5,
            ..Accepted::default()
        }
    );
    assert!(acc.is_new_data());
    assert_eq!((q.readable(), q.window()), (5, 59));
    assert_eq!(q.peek(3), (&b"hel"[..], &b""[..]));
    assert_eq!(q.insert(0, b" world").in_order, 6);
    assert_eq!(drain(&mut q), b"hello world");
    assert_eq!((q.readable(), q.window()), (0, 64));
    assert!(!q.has_out_of_order());
    assert_eq!(q.sack_blocks(SeqNumber(1), 4), None);
}

#[test]
fn out_of_order_segment_waits_for_the_hole_shld_31() {
    let mut q = RecvQueue::new(64);
    let acc = q.insert(5, &ABC[5..10]);
    assert_eq!(
        acc,
        Accepted {
            buffered_out_of_order: 5,
            ..Accepted::default()
        }
    );
    assert_eq!(q.readable(), 0);
    assert!(q.has_out_of_order());
    assert_eq!(q.out_of_order_ranges().collect::<Vec<_>>(), [(5, 5)]);
    assert_eq!(q.out_of_order_bytes(), 5);
    // The hole fills: RCV.NXT moves over the held bytes too.
    let acc = q.insert(0, &ABC[..5]);
    assert_eq!(
        acc,
        Accepted {
            in_order: 10,
            reassembled: 5,
            ..Accepted::default()
        }
    );
    assert_accounted(&acc, 5);
    assert!(!q.has_out_of_order());
    assert_eq!(drain(&mut q), &ABC[..10]);
}

#[test]
fn segment_bridging_two_held_ranges_merges_them() {
    let mut q = RecvQueue::new(64);
    q.insert(2, &ABC[2..4]);
    q.insert(8, &ABC[8..10]);
    q.insert(5, &ABC[5..6]);
    assert_eq!(
        q.out_of_order_ranges().collect::<Vec<_>>(),
        [(2, 2), (5, 1), (8, 2)]
    );
    // [3, 9) overlaps the first and last ranges and swallows the middle one.
    let acc = q.insert(3, &ABC[3..9]);
    assert_eq!(acc.buffered_out_of_order, 3); // 4, 6 and 7 are new
    assert_eq!(acc.duplicate, 3); // 3, 5 and 8 were held
    assert_eq!(q.out_of_order_ranges().collect::<Vec<_>>(), [(2, 8)]);
    // Adjacent, not overlapping: still one range.
    let acc = q.insert(10, &ABC[10..12]);
    assert_eq!(acc.buffered_out_of_order, 2);
    assert_eq!(q.out_of_order_ranges().collect::<Vec<_>>(), [(2, 10)]);
    let acc = q.insert(0, &ABC[..2]);
    assert_eq!((acc.in_order, acc.reassembled), (12, 10));
    assert_eq!(drain(&mut q), &ABC[..12]);
}

#[test]
fn duplicates_are_counted_and_the_first_copy_is_kept() {
    let mut q = RecvQueue::new(64);
    q.insert(4, b"EFGH");
    // A retransmission overlapping the held bytes with other contents.
    let acc = q.insert(2, b"cdXYgh");
    assert_eq!(acc.buffered_out_of_order, 2); // c, d
    assert_eq!(acc.duplicate, 4); // the bytes at 4..8
    assert_eq!(acc.conflicting, 4); // XYgh differ from EFGH
    assert_accounted(&acc, 6);
    // An exact duplicate agrees with what is held.
    let acc = q.insert(4, b"EFGH");
    assert_eq!(
        (acc.duplicate, acc.conflicting, acc.buffered_out_of_order),
        (4, 0, 0)
    );
    assert!(!acc.is_new_data());
    q.insert(0, b"ab");
    assert_eq!(drain(&mut q), b"abcdEFGH");
    // Data before RCV.NXT is a duplicate too (insert_seq trims it off).
    let rcv_nxt = SeqNumber(1008);
    let acc = q.insert_seq(rcv_nxt, SeqNumber(1004), b"EFGHij");
    assert_eq!((acc.duplicate, acc.in_order), (4, 2));
    let acc = q.insert_seq(rcv_nxt + 2, SeqNumber(1000), b"abcd");
    assert_eq!(
        acc,
        Accepted {
            duplicate: 4,
            ..Accepted::default()
        }
    );
    assert_eq!(drain(&mut q), b"ij");
}

#[test]
fn data_beyond_the_window_is_trimmed() {
    let mut q = RecvQueue::new(8);
    let acc = q.insert(0, &ABC[..10]);
    assert_eq!((acc.in_order, acc.trimmed), (8, 2));
    assert_eq!(q.window(), 0);
    let acc = q.insert(0, b"zz");
    assert_eq!(
        acc,
        Accepted {
            trimmed: 2,
            ..Accepted::default()
        }
    );
    assert_eq!(q.read(&mut [0; 3]), 3);
    assert_eq!(q.window(), 3);
    // Out of order, straddling the right edge: only what fits is held.
    let acc = q.insert(1, b"BCDE");
    assert_eq!((acc.buffered_out_of_order, acc.trimmed), (2, 2));
    // Entirely beyond the window.
    let acc = q.insert(3, b"D");
    assert_eq!(
        acc,
        Accepted {
            trimmed: 1,
            ..Accepted::default()
        }
    );
    assert_eq!(q.insert(0, b"A").in_order, 3);
    assert_eq!(drain(&mut q), b"defghABC");
}

#[test]
fn held_bytes_do_not_shrink_the_window_shld_14() {
    let mut q = RecvQueue::new(100);
    q.insert(0, &[1; 30]);
    assert_eq!(q.window(), 70);
    // Out-of-order data sits inside the window already offered.
    q.insert(10, &[2; 40]);
    assert_eq!(q.window(), 70);
    // Filling the hole moves RCV.NXT right and the window down by as much:
    // the right edge stays where it was.
    let right_edge = 30 + q.window();
    let acc = q.insert(0, &[3; 10]);
    assert_eq!(acc.in_order, 50);
    assert_eq!(80 + q.window(), right_edge);
    // Reading moves the right edge to the right.
    assert_eq!(q.read(&mut [0; 25]), 25);
    assert_eq!(80 + q.window(), right_edge + 25);
}

#[test]
fn read_and_peek_wrap_around_the_ring() {
    let mut q = RecvQueue::new(10);
    q.insert(0, &ABC[..8]);
    assert_eq!(q.consume(6), 6);
    // Ring positions 8, 9, then 0.. for the next bytes.
    assert_eq!(q.insert(0, &ABC[8..14]).in_order, 6);
    assert_eq!(q.peek(8), (&ABC[6..10], &ABC[10..14]));
    assert_eq!(q.peek(3), (&ABC[6..9], &b""[..]));
    let mut buf = [0; 5];
    assert_eq!(q.read(&mut buf), 5);
    assert_eq!(&buf, &ABC[6..11]);
    assert_eq!(drain(&mut q), &ABC[11..14]);
    assert_eq!(q.read(&mut buf), 0);
}

#[test]
fn full_range_list_refuses_new_disjoint_ranges() {
    let mut q = RecvQueue::with_max_ranges(100, 2);
    assert_eq!(q.max_ranges(), 2);
    q.insert(10, b"k");
    q.insert(20, b"u");
    let acc = q.insert(30, b"EFG");
    assert_eq!(
        acc,
        Accepted {
            refused: 3,
            ..Accepted::default()
        }
    );
    // Adjoining or overlapping a held range, or in order, always fits.
    assert_eq!(q.insert(21, b"v").buffered_out_of_order, 1);
    assert_eq!(q.insert(9, b"jk").buffered_out_of_order, 1);
    assert_eq!(q.insert(0, b"a").in_order, 1);
    assert_eq!(
        q.out_of_order_ranges().collect::<Vec<_>>(),
        [(8, 2), (19, 2)]
    );
    // Without ranges at all, only in-order data is kept.
    let mut q = RecvQueue::with_max_ranges(100, 0);
    assert_eq!(q.insert(1, b"b").refused, 1);
    assert_eq!(q.insert(0, b"ab").in_order, 2);
}

#[test]
fn empty_and_zero_capacity_queues_hold_nothing() {
    let mut q = RecvQueue::new(0);
    assert_eq!(
        q.insert(0, b"abc"),
        Accepted {
            trimmed: 3,
            ..Accepted::default()
        }
    );
    assert_eq!((q.window(), q.readable()), (0, 0));
    assert_eq!(q.peek(4), (&b""[..], &b""[..]));
    let mut q = RecvQueue::new(4);
    assert_eq!(q.insert(2, b""), Accepted::default());
    assert!(!q.has_out_of_order());
}

/// RFC 2018 7, the third example: a burst of eight 500-byte segments from
/// 5000, of which the 2nd, 4th, 6th and 8th are dropped; then the 4th and the
/// 2nd arrive. The blocks must be exactly the RFC's table.
#[test]
fn sack_blocks_follow_rfc_2018_example_with_three_blocks() {
    let mut q = RecvQueue::new(8192);
    let mut rcv_nxt = 5000;
    let mut arrive = |q: &mut RecvQueue, seq: u32| {
        let acc = q.insert_seq(SeqNumber(rcv_nxt), SeqNumber(seq), &[0; 500]);
        rcv_nxt += acc.in_order as u32;
        (rcv_nxt, blocks(q, rcv_nxt, 3))
    };
    assert_eq!(arrive(&mut q, 5000), (5500, vec![]));
    assert_eq!(arrive(&mut q, 6000), (5500, vec![(6000, 6500)]));
    assert_eq!(
        arrive(&mut q, 7000),
        (5500, vec![(7000, 7500), (6000, 6500)])
    );
    let expected = vec![(8000, 8500), (7000, 7500), (6000, 6500)];
    assert_eq!(arrive(&mut q, 8000), (5500, expected));
    // The 4th segment joins two blocks; the block it is in comes first.
    assert_eq!(
        arrive(&mut q, 6500),
        (5500, vec![(6000, 7500), (8000, 8500)])
    );
    // The 2nd segment advances the ACK; the remaining block is reported.
    assert_eq!(arrive(&mut q, 5500), (7500, vec![(8000, 8500)]));
}

/// RFC 2018 7, the second example: the first segment is dropped, the
/// other seven arrive; each ACK reports the one growing block.
#[test]
fn sack_block_grows_as_rfc_2018_example_two() {
    let mut q = RecvQueue::new(8192);
    for (i, seq) in (5500..9000).step_by(500).enumerate() {
        let acc = q.insert_seq(SeqNumber(5000), SeqNumber(seq), &[0; 500]);
        assert_eq!(acc.buffered_out_of_order, 500);
        assert_eq!(blocks(&q, 5000, 4), [(5500, 6000 + 500 * i as u32)]);
    }
}

#[test]
fn max_blocks_three_or_four_keeps_the_most_recent() {
    let mut q = RecvQueue::new(1000);
    let isn = u32::MAX - 150; // the blocks wrap past 2^32
    for offset in [100, 300, 500, 700] {
        q.insert(offset, &[7; 100]);
    }
    let at = |o: u32| isn.wrapping_add(o);
    let newest_first = [700, 500, 300, 100].map(|o| (at(o), at(o + 100)));
    assert_eq!(blocks(&q, isn, 4), newest_first);
    assert_eq!(blocks(&q, isn, 3), newest_first[..3]);
    assert_eq!(blocks(&q, isn, 9), newest_first, "more than 4 reads as 4");
    assert_eq!(blocks(&q, isn, 0), []);
    // A retransmission into the oldest block makes it the first again; the
    // block reported least recently drops out of a 3-block option.
    q.insert(150, &[7; 10]);
    let expected = [100, 700, 500].map(|o| (at(o), at(o + 100)));
    assert_eq!(blocks(&q, isn, 3), expected);
}

/// One reassembly run for the property test.
#[derive(Debug, Clone)]
struct Scenario {
    /// The byte string sent.
    data: Vec<u8>,
    /// The segments as `(start, len)`: a partition of `data`, plus
    /// overlapping extra pieces and duplicates, in random order.
    segments: Vec<(usize, usize)>,
    /// The queue's capacity.
    capacity: usize,
    /// The queue's bound on out-of-order ranges.
    max_ranges: usize,
    /// The sequence number of the first byte.
    isn: u32,
    /// The sizes of the reads made between segments, used in turn.
    reads: Vec<usize>,
}

/// Generate a [`Scenario`].
fn scenario() -> impl Strategy<Value = Scenario> {
    (1usize..400)
        .prop_flat_map(|n| {
            (
                vec(any::<u8>(), n),
                vec(1..n + 1, 0..24),
                vec((0..n, 1usize..80), 0..12),
            )
        })
        .prop_flat_map(|(data, mut cuts, extras)| {
            let n = data.len();
            cuts.extend([0, n]);
            cuts.sort_unstable();
            cuts.dedup();
            let mut segments: Vec<_> = cuts.windows(2).map(|w| (w[0], w[1] - w[0])).collect();
            segments.extend(extras.into_iter().map(|(s, l)| (s, l.min(n - s))));
            segments.extend(segments.clone().into_iter().step_by(3)); // duplicates
            let reads = vec(1usize..64, 1..8);
            let parts = (1..2 * n + 1, 1usize..40, any::<u32>(), reads);
            (Just(data), Just(segments).prop_shuffle(), parts)
        })
        .prop_map(
            |(data, segments, (capacity, max_ranges, isn, reads))| Scenario {
                data,
                segments,
                capacity,
                max_ranges,
                isn,
                reads,
            },
        )
}

proptest! {
    /// Any arrival order of overlapping, duplicated segments yields the
    /// string exactly once and in order, and the right window edge
    /// RCV.NXT + window never moves left (SHLD-14).
    #[test]
    fn any_arrival_order_reassembles_the_string(
        scenario in scenario()
    ) {
        let Scenario { data, segments, capacity, max_ranges, isn, reads } = scenario;
        let mut q = RecvQueue::with_max_ranges(capacity, max_ranges);
        let mut rcv_nxt = SeqNumber(isn);
        let mut right_edge = rcv_nxt + q.window() as u32;
        let mut out = Vec::new();
        let mut reads = reads.iter().cycle();
        let mut check_edge = |q: &RecvQueue, rcv_nxt: SeqNumber| {
            let edge = rcv_nxt + q.window() as u32;
            prop_assert!(right_edge.distance_to(edge) >= 0, "window shrank");
            right_edge = edge;
            Ok(())
        };
        // Each pass moves RCV.NXT at least one byte: a bounded loop.
        for _ in 0..=data.len() {
            for &(start, len) in &segments {
                let seq = SeqNumber(isn) + start as u32;
                let acc = q.insert_seq(rcv_nxt, seq, &data[start..start + len]);
                assert_accounted(&acc, len);
                prop_assert_eq!(acc.conflicting, 0);
                rcv_nxt += acc.in_order as u32;
                check_edge(&q, rcv_nxt)?;
                for block in q.sack_blocks(rcv_nxt, 4).iter().flat_map(|b| b.as_slice()) {
                    prop_assert!(rcv_nxt < block.left_edge && block.left_edge < block.right_edge);
                    let edge = rcv_nxt + q.window() as u32;
                    prop_assert!(block.right_edge.in_range_inclusive(rcv_nxt, edge));
                }
                let mut buf = vec![0; *reads.next().unwrap()];
                let n = q.read(&mut buf);
                out.extend_from_slice(&buf[..n]);
                check_edge(&q, rcv_nxt)?;
            }
            out.extend(drain(&mut q));
            check_edge(&q, rcv_nxt)?;
            if out.len() == data.len() {
                break;
            }
        }
        prop_assert_eq!(&out, &data);
        prop_assert_eq!(rcv_nxt, SeqNumber(isn) + data.len() as u32);
        prop_assert!(!q.has_out_of_order());
    }
}
