//! Tests of the SACK scoreboard: Update, IsLost, SetPipe and NextSeg
//! (RFC 6675 4), checked on worked cases and against a per-octet model.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// The sender's maximum segment size in the worked cases.
const SMSS: usize = 100;

/// Return a block from raw edges.
fn block(left: u32, right: u32) -> SackBlock {
    SackBlock::new(left, right)
}

/// Return the ranges as `(left, right)` pairs of raw sequence numbers.
fn ranges(sb: &Scoreboard) -> Vec<(u32, u32)> {
    sb.ranges()
        .iter()
        .map(|r| (r.left_edge.0, r.right_edge.0))
        .collect()
}

/// Return the recovery variables of the worked cases, from SND.UNA,
/// SND.NXT and HighRxt + 1.
fn vars(snd_una: u32, snd_nxt: u32, high_rxt: u32) -> RecoveryVars {
    RecoveryVars {
        snd_una: SeqNumber(snd_una),
        snd_nxt: SeqNumber(snd_nxt),
        high_rxt: SeqNumber(high_rxt),
        rescue_rxt: None,
        smss: SMSS,
        new_data: false,
    }
}

#[test]
fn single_loss_with_three_sacked_segments_is_lost() {
    let (una, nxt) = (SeqNumber(1000), SeqNumber(2000));
    let mut sb = Scoreboard::new();
    assert_eq!(sb.on_ack(una, nxt, &[block(1100, 1200)]), 100);
    assert!(!sb.is_lost(una, SMSS));
    sb.on_ack(una, nxt, &[block(1200, 1300), block(1100, 1200)]);
    assert!(!sb.is_lost(una, SMSS), "two segments above are not enough");
    sb.on_ack(una, nxt, &[block(1100, 1400)]);
    assert!(sb.is_lost(una, SMSS), "three SACKed segments above");
    assert!(sb.is_lost(una + 99, SMSS));
    assert!(
        !sb.is_lost(SeqNumber(1100), SMSS),
        "SACKed octets are not lost"
    );
    assert!(!sb.is_lost(SeqNumber(1400), SMSS), "nothing SACKed above");
    assert!(!sb.is_lost(SeqNumber(999), SMSS), "already acknowledged");
    assert_eq!(ranges(&sb), [(1100, 1400)]);
}

#[test]
fn two_discontiguous_sacks_are_not_enough() {
    let (una, nxt) = (SeqNumber(1000), SeqNumber(2000));
    let mut sb = Scoreboard::new();
    sb.on_ack(una, nxt, &[block(1100, 1200), block(1300, 1400)]);
    assert!(!sb.is_lost(una, SMSS), "2 ranges and 2 * SMSS octets");
    // A third discontiguous range, one octet long: DupThresh ranges above.
    sb.on_ack(una, nxt, &[block(1500, 1501)]);
    assert!(sb.is_lost(una, SMSS));
    assert!(
        !sb.is_lost(SeqNumber(1200), SMSS),
        "only two ranges above 1200"
    );
}

#[test]
fn bytes_rule_needs_more_than_two_smss() {
    let (una, nxt) = (SeqNumber(0), SeqNumber(1000));
    let mut sb = Scoreboard::new();
    sb.on_ack(una, nxt, &[block(100, 300)]);
    assert!(!sb.is_lost(una, SMSS), "exactly (DupThresh - 1) * SMSS");
    sb.on_ack(una, nxt, &[block(300, 301)]);
    assert!(sb.is_lost(una, SMSS), "one octet more");
    assert!(!sb.is_lost(una, SMSS + 1), "a larger SMSS needs more");
}

/// Ten segments of 100 octets; the 1st and the 6th are lost. Pipe follows
/// RFC 6675 SetPipe through the ACKs, the retransmissions and the end.
#[test]
fn pipe_across_a_recovery_episode() {
    let (una, nxt) = (SeqNumber(0), SeqNumber(1000));
    let mut sb = Scoreboard::new();
    let mut high_rxt = una;
    let ack = |sb: &mut Scoreboard, una: SeqNumber, blocks: &[SackBlock], high_rxt| {
        sb.on_ack(una, nxt, blocks);
        sb.pipe(una, nxt, high_rxt, SMSS)
    };
    assert_eq!(sb.pipe(una, nxt, high_rxt, SMSS), 1000);
    assert_eq!(ack(&mut sb, una, &[block(100, 200)], high_rxt), 900);
    assert_eq!(ack(&mut sb, una, &[block(100, 300)], high_rxt), 800);
    // Three segments SACKed: the first is lost and leaves the pipe.
    assert_eq!(ack(&mut sb, una, &[block(100, 400)], high_rxt), 600);
    assert_eq!(sb.next_seg(una, nxt, high_rxt, SMSS), Some((una, 100)));
    high_rxt = SeqNumber(100); // retransmitted: back in the pipe
    assert_eq!(sb.pipe(una, nxt, high_rxt, SMSS), 700);
    assert_eq!(ack(&mut sb, una, &[block(100, 500)], high_rxt), 600);
    // The 6th segment is missing; SACKs above it do not yet make it lost.
    assert_eq!(
        ack(&mut sb, una, &[block(600, 700), block(100, 500)], high_rxt),
        500
    );
    assert_eq!(ack(&mut sb, una, &[block(600, 800)], high_rxt), 400);
    assert!(!sb.is_lost(SeqNumber(500), SMSS));
    assert_eq!(sb.next_seg(una, nxt, high_rxt, SMSS), None);
    assert_eq!(ack(&mut sb, una, &[block(600, 900)], high_rxt), 200);
    assert_eq!(
        sb.next_seg(una, nxt, high_rxt, SMSS),
        Some((SeqNumber(500), 100))
    );
    high_rxt = SeqNumber(600);
    assert_eq!(sb.pipe(una, nxt, high_rxt, SMSS), 300);
    // The first retransmission arrives: SND.UNA moves to 500.
    let una = SeqNumber(500);
    assert_eq!(ack(&mut sb, una, &[block(600, 900)], high_rxt), 200);
    assert_eq!(ranges(&sb), [(600, 900)]);
    // Everything arrives.
    assert_eq!(ack(&mut sb, nxt, &[], high_rxt), 0);
    assert_eq!((sb.sacked_bytes(), sb.highest_sacked()), (0, None));
}

#[test]
fn retransmitted_octets_not_yet_lost_count_twice() {
    let (una, nxt) = (SeqNumber(0), SeqNumber(400));
    let mut sb = Scoreboard::new();
    sb.on_ack(una, nxt, &[block(100, 200)]);
    // Octets 0..100 are not lost (one segment above) but were retransmitted.
    assert_eq!(sb.pipe(una, nxt, SeqNumber(100), SMSS), 300 + 100);
    // A HighRxt below SND.UNA or above SND.NXT is clamped.
    assert_eq!(sb.pipe(una, nxt, SeqNumber(u32::MAX), SMSS), 300);
    assert_eq!(sb.pipe(una, nxt, SeqNumber(5000), SMSS), 600);
}

/// Ten segments of 100; the 1st and the 4th are lost, the 2nd, 3rd and 5th
/// to 8th SACKed, the 9th and 10th not (yet). NextSeg walks the rules in
/// RFC 6675 4's order.
#[test]
fn next_seg_rules_in_order() {
    let mut sb = Scoreboard::new();
    sb.on_ack(
        SeqNumber(0),
        SeqNumber(1000),
        &[block(100, 300), block(400, 800)],
    );
    let mut v = vars(0, 1000, 0);
    // Rule 1: the lost holes, lowest first, above HighRxt.
    assert_eq!(
        sb.next_seg_rules(&v),
        Some(NextSeg::Lost {
            seq: SeqNumber(0),
            len: 100
        })
    );
    v.high_rxt = SeqNumber(50); // half of it was retransmitted already
    assert_eq!(
        sb.next_seg(v.snd_una, v.snd_nxt, v.high_rxt, SMSS),
        Some((SeqNumber(50), 50))
    );
    v.high_rxt = SeqNumber(100);
    assert_eq!(
        sb.next_seg_rules(&v),
        Some(NextSeg::Lost {
            seq: SeqNumber(300),
            len: 100
        })
    );
    // Rule 2: no lost octet above HighRxt; new data comes next if allowed.
    v.high_rxt = SeqNumber(400);
    assert_eq!(sb.next_seg(v.snd_una, v.snd_nxt, v.high_rxt, SMSS), None);
    v.new_data = true;
    assert_eq!(sb.next_seg_rules(&v), Some(NextSeg::NewData));
    // Rule 3 finds nothing (nothing SACKed above 800); rule 4 rescues the
    // highest octets not SACKed, once.
    v.new_data = false;
    let rescue = NextSeg::Rescue {
        seq: SeqNumber(900),
        len: 100,
    };
    assert_eq!(sb.next_seg_rules(&v), Some(rescue), "RescueRxt undefined");
    v.rescue_rxt = Some(SeqNumber(100)); // step 4.3: the first retransmission
    assert_eq!(sb.next_seg_rules(&v), None);
    // HighACK passes RescueRxt: 0..300 is acknowledged.
    sb.on_ack(SeqNumber(300), SeqNumber(1000), &[block(400, 800)]);
    v.snd_una = SeqNumber(300);
    assert_eq!(sb.next_seg_rules(&v), Some(rescue));
    v.rescue_rxt = Some(SeqNumber(1000)); // rule 4: RescueRxt = RecoveryPoint
    assert_eq!(sb.next_seg_rules(&v), None);
}

#[test]
fn rule_three_retransmits_unsacked_octets_not_yet_lost() {
    let mut sb = Scoreboard::new();
    sb.on_ack(SeqNumber(0), SeqNumber(1000), &[block(250, 300)]);
    let v = vars(0, 1000, 0);
    assert_eq!(sb.next_seg(v.snd_una, v.snd_nxt, v.high_rxt, SMSS), None);
    assert_eq!(
        sb.next_seg_rules(&v),
        Some(NextSeg::Unsacked {
            seq: SeqNumber(0),
            len: 100
        })
    );
    let v = vars(0, 1000, 200);
    assert_eq!(
        sb.next_seg_rules(&v),
        Some(NextSeg::Unsacked {
            seq: SeqNumber(200),
            len: 50
        })
    );
    let v = RecoveryVars {
        smss: 30,
        ..vars(0, 1000, 240)
    };
    assert_eq!(
        sb.next_seg_rules(&v),
        Some(NextSeg::Unsacked {
            seq: SeqNumber(240),
            len: 10
        })
    );
}

#[test]
fn blocks_outside_snd_una_snd_nxt_are_ignored() {
    let (una, nxt) = (SeqNumber(1000), SeqNumber(2000));
    let mut sb = Scoreboard::new();
    let junk = [
        block(500, 1000),  // at or below SND.UNA (a D-SACK, RFC 2883)
        block(1900, 2001), // past SND.NXT: data never sent
        block(2100, 2200), // entirely past SND.NXT
        block(1500, 1400), // inverted
        block(1500, 1500), // empty
    ];
    assert_eq!(sb.on_ack(una, nxt, &junk), 0);
    assert_eq!(sb.sacked_bytes(), 0);
    // A block straddling SND.UNA keeps its part above it; one ending at
    // SND.NXT is valid.
    assert_eq!(
        sb.on_ack(una, nxt, &[block(900, 1100), block(1900, 2000)]),
        200
    );
    assert_eq!(ranges(&sb), [(1000, 1100), (1900, 2000)]);
    assert!(sb.is_sacked(SeqNumber(1000)) && !sb.is_sacked(SeqNumber(999)));
    assert!(sb.is_sacked(SeqNumber(1999)) && !sb.is_sacked(SeqNumber(2000)));
}

#[test]
fn on_ack_trims_what_snd_una_passed() {
    let nxt = SeqNumber(2000);
    let mut sb = Scoreboard::new();
    sb.on_ack(
        SeqNumber(1000),
        nxt,
        &[block(1100, 1200), block(1300, 1400), block(1500, 1600)],
    );
    assert_eq!(sb.sacked_bytes(), 300);
    sb.on_ack(SeqNumber(1350), nxt, &[]);
    assert_eq!(ranges(&sb), [(1350, 1400), (1500, 1600)]);
    assert_eq!(sb.sacked_bytes(), 150);
    assert_eq!(sb.highest_sacked(), Some(SeqNumber(1600)));
    sb.on_ack(SeqNumber(1600), nxt, &[]);
    assert_eq!(ranges(&sb), []);
}

#[test]
fn blocks_merge_and_their_number_is_bounded() {
    let (una, nxt) = (SeqNumber(0), SeqNumber(10_000));
    let mut sb = Scoreboard::new();
    for i in 0..MAX_RANGES as u32 {
        sb.on_ack(una, nxt, &[block(10 + 20 * i, 20 + 20 * i)]);
    }
    assert_eq!(sb.ranges().len(), MAX_RANGES);
    // A new disjoint range is ignored; touching ones still merge.
    assert_eq!(sb.on_ack(una, nxt, &[block(5000, 5100)]), 0);
    assert_eq!(sb.on_ack(una, nxt, &[block(20, 30), block(5, 10)]), 15);
    assert_eq!(sb.ranges()[0], block(5, 40));
    assert_eq!(sb.on_ack(una, nxt, &[block(0, 1000)]), 1000 - 15 - 320);
    assert_eq!(ranges(&sb), [(0, 1000)]);
    // RFC 2018 8 / RFC 6675 5.1: forget everything on RTO.
    sb.clear();
    assert_eq!((sb.sacked_bytes(), sb.ranges().len()), (0, 0));
    assert!(!sb.is_sacked(SeqNumber(500)));
}

/// The RFC's per-octet definitions, on offsets from SND.UNA, with the same
/// block validity rules.
struct Model {
    sacked: Vec<bool>,
    smss: usize,
}

impl Model {
    fn new(flight: usize, smss: usize, blocks: &[(i64, i64)]) -> Model {
        let mut sacked = vec![false; flight];
        for &(l, r) in blocks {
            if l < r && r > 0 && r <= flight as i64 {
                sacked[l.max(0) as usize..r as usize].fill(true);
            }
        }
        Model { sacked, smss }
    }

    fn is_lost(&self, o: usize) -> bool {
        let above = &self.sacked[o + 1..];
        let starts = |&(i, &s): &(usize, &bool)| s && (i == 0 || !above[i - 1]);
        let runs = above.iter().enumerate().filter(starts).count();
        let bytes = above.iter().filter(|&&s| s).count();
        !self.sacked[o] && (runs >= DUP_THRESH || bytes > (DUP_THRESH - 1) * self.smss)
    }

    fn pipe(&self, rxt: usize) -> usize {
        (0..self.sacked.len())
            .filter(|&o| !self.sacked[o])
            .map(|o| usize::from(!self.is_lost(o)) + usize::from(o < rxt))
            .sum()
    }

    fn next_seg(&self, rxt: usize, need_lost: bool) -> Option<(usize, usize)> {
        let highest = self.sacked.iter().rposition(|&s| s)?;
        let s2 = (rxt..highest).find(|&o| !self.sacked[o] && (self.is_lost(o) || !need_lost))?;
        let len = self.sacked[s2..]
            .iter()
            .take(self.smss)
            .take_while(|&&s| !s)
            .count();
        Some((s2, len))
    }

    fn rescue(&self) -> Option<(usize, usize)> {
        let highest = self.sacked.iter().rposition(|&s| !s)?;
        let len = self.sacked[..=highest]
            .iter()
            .rev()
            .take(self.smss)
            .take_while(|&&s| !s)
            .count();
        Some((highest + 1 - len, len))
    }
}

proptest! {
    /// With a random ISN (so sequence numbers wrap near 2^32), the
    /// scoreboard agrees with the RFC's per-octet definitions.
    #[test]
    fn scoreboard_matches_per_octet_model(
        isn: u32,
        smss in 1usize..20,
        segments in 1usize..24,
        blocks in vec((-40i64..520, 0i64..120), 0..14),
        rxt in 0usize..520,
        advance in 0usize..520,
    ) {
        let flight = smss * segments;
        let blocks: Vec<(i64, i64)> = blocks.into_iter().map(|(l, n)| (l, l + n)).collect();
        let model = Model::new(flight, smss, &blocks);
        let (una, nxt) = (SeqNumber(isn), SeqNumber(isn) + flight as u32);
        let to_block = |&(l, r): &(i64, i64)| SackBlock {
            left_edge: una + l as u32, // wrapping: a negative offset lies below SND.UNA
            right_edge: una + r as u32,
        };
        let mut sb = Scoreboard::new();
        for chunk in blocks.chunks(4) {
            let wire: Vec<SackBlock> = chunk.iter().map(to_block).collect();
            sb.on_ack(una, nxt, &wire);
        }
        prop_assert_eq!(sb.sacked_bytes(), model.sacked.iter().filter(|&&s| s).count());
        for o in 0..flight {
            prop_assert_eq!(sb.is_sacked(una + o as u32), model.sacked[o]);
            prop_assert_eq!(sb.is_lost(una + o as u32, smss), model.is_lost(o), "octet {}", o);
        }
        let rxt_seq = una + rxt.min(flight) as u32;
        prop_assert_eq!(sb.pipe(una, nxt, rxt_seq, smss), model.pipe(rxt));
        let v = RecoveryVars { snd_una: una, snd_nxt: nxt, high_rxt: rxt_seq, rescue_rxt: None, smss, new_data: false };
        let seq = |(o, len): (usize, usize)| (una + o as u32, len);
        prop_assert_eq!(sb.next_seg(una, nxt, rxt_seq, smss), model.next_seg(rxt, true).map(seq));
        let expected = match (model.next_seg(rxt, true), model.next_seg(rxt, false)) {
            (Some((o, len)), _) => Some(NextSeg::Lost { seq: una + o as u32, len }),
            (None, Some((o, len))) => Some(NextSeg::Unsacked { seq: una + o as u32, len }),
            (None, None) => model.rescue().map(|(o, len)| NextSeg::Rescue { seq: una + o as u32, len }),
        };
        prop_assert_eq!(sb.next_seg_rules(&v), expected);
        // SND.UNA advances: the model drops the octets it passed.
        let advance = advance.min(flight);
        let una2 = una + advance as u32;
        sb.on_ack(una2, nxt, &[]);
        let rest = &model.sacked[advance..];
        prop_assert_eq!(sb.sacked_bytes(), rest.iter().filter(|&&s| s).count());
        prop_assert!(sb.ranges().iter().all(|r| una2.distance_to(r.left_edge) >= 0));
        let model2 = Model { sacked: rest.to_vec(), smss };
        prop_assert_eq!(sb.pipe(una2, nxt, una2, smss), model2.pipe(0));
    }
}
