//! The SACK sender's scoreboard (RFC 6675 3 and 4): which octets between
//! SND.UNA and SND.NXT the receiver has selectively acknowledged, and the
//! loss-recovery routines built on it: IsLost, SetPipe and NextSeg.
//!
//! # Names
//!
//! RFC 6675 2 names octets inclusively: HighACK is "the highest byte of data
//! that has been cumulatively ACKed", HighData "the highest sequence number
//! transmitted", HighRxt "the highest sequence number which has been
//! retransmitted during the current loss recovery phase". This module takes
//! the RFC 9293 style, one past the octet, so that nothing is off by one:
//!
//! | here       | RFC 6675      |
//! |------------|---------------|
//! | `snd_una`  | HighACK + 1   |
//! | `snd_nxt`  | HighData + 1  |
//! | `high_rxt` | HighRxt + 1 (`snd_una` when nothing was retransmitted) |
//! | `rescue_rxt` | RescueRxt + 1 |
//!
//! # Policy
//!
//! - **Valid blocks only.** A SACK block is used only for the part of it in
//!   `[SND.UNA, SND.NXT)`: a block ending at or below SND.UNA (old, or a
//!   D-SACK, RFC 2883) is dropped, as is a block that is empty or inverted or
//!   reaches past SND.NXT (it would SACK data never sent). A block straddling
//!   SND.UNA (an ACK overtaken by a later one) keeps its part above SND.UNA.
//! - **Bounded.** At most [`MAX_RANGES`] disjoint ranges are kept. A block
//!   that would need another is ignored: forgetting a SACK is always safe
//!   (the data is at worst retransmitted), whereas allocating is not allowed.
//! - **Advisory.** SACKed data stays in the send queue until cumulatively
//!   ACKed (RFC 6675 4, Update(): "SACKed data MUST NOT be removed from the
//!   TCP's retransmission buffer until the data is cumulatively
//!   acknowledged"); the scoreboard only records it.
//! - **Reset on RTO.** RFC 2018 8, which RFC 6675 5.1 keeps: "after a
//!   retransmit timeout the data sender SHOULD turn off all of the SACKed
//!   bits, since the timeout might indicate that the data receiver has
//!   reneged". The engine calls [`Scoreboard::clear`] then.
//! - **NextSeg rules.** Rules 1 to 4 of RFC 6675 4 are all implemented by
//!   [`Scoreboard::next_seg_rules`]; [`Scoreboard::next_seg`] is rule 1 alone
//!   and leaves rule 2 (new data) to the caller.

use crate::tcp::SeqNumber;
use crate::wire::tcp::SackBlock;

/// DupThresh (RFC 6675 2): the number of duplicate ACKs, or of SACKed
/// segments above a hole, that mark the hole lost (RFC 5681 3.2).
pub const DUP_THRESH: usize = 3;

/// The most SACKed ranges a [`Scoreboard`] keeps.
pub const MAX_RANGES: usize = 32;

/// What NextSeg() chose to send (RFC 6675 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextSeg {
    /// Rule 1: retransmit `len` octets from `seq`, the lowest octets not
    /// SACKed, at or above `high_rxt`, below the highest SACKed octet, and
    /// lost (IsLost). The caller then sets `high_rxt` to `seq + len` (RFC 6675
    /// 5, step C.3).
    Lost {
        /// The first octet to retransmit.
        seq: SeqNumber,
        /// How many octets (at most SMSS, never into SACKed data).
        len: usize,
    },
    /// Rule 2: send up to SMSS octets of new data from SND.NXT.
    NewData,
    /// Rule 3: retransmit `len` octets from `seq`, the lowest octets not
    /// SACKed, at or above `high_rxt` and below the highest SACKed octet,
    /// though not yet lost. The caller then sets `high_rxt` to `seq + len`.
    Unsacked {
        /// The first octet to retransmit.
        seq: SeqNumber,
        /// How many octets (at most SMSS, never into SACKed data).
        len: usize,
    },
    /// Rule 4: the rescue retransmission, `len` octets ending with the
    /// highest octet not SACKed. The caller then sets `rescue_rxt` to the
    /// recovery point (`snd_nxt` when recovery began) and leaves `high_rxt`
    /// alone ("HighRxt MUST NOT be updated").
    Rescue {
        /// The first octet to retransmit.
        seq: SeqNumber,
        /// How many octets (at most SMSS, never into SACKed data).
        len: usize,
    },
}

/// The sender's loss-recovery variables that NextSeg() reads besides the
/// scoreboard (RFC 6675 2; see the module docs for the one-past convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryVars {
    /// SND.UNA (HighACK + 1).
    pub snd_una: SeqNumber,
    /// SND.NXT (HighData + 1).
    pub snd_nxt: SeqNumber,
    /// One past the highest octet retransmitted in this recovery episode
    /// (HighRxt + 1); `snd_una` when none was.
    pub high_rxt: SeqNumber,
    /// One past RescueRxt, or `None` while it is undefined (rule 4 may fire).
    pub rescue_rxt: Option<SeqNumber>,
    /// The sender's maximum segment size.
    pub smss: usize,
    /// Whether rule 2 applies: there is unsent data and the peer's window
    /// allows sending some.
    pub new_data: bool,
}

/// One stretch of octets not SACKed, as offsets from SND.UNA.
#[derive(Debug, Clone, Copy, Default)]
struct Hole {
    /// The offset of the hole's first octet.
    start: u32,
    /// The offset just past the hole's last octet.
    end: u32,
    /// Whether IsLost() holds for the hole's octets (it is the same for every
    /// octet of a hole: the SACKed ranges above them are the same).
    lost: bool,
    /// Whether some octet above the hole is SACKed (rule 1.b / 3).
    sacked_above: bool,
}

/// The holes between SND.UNA and SND.NXT, in ascending order.
struct Holes {
    /// The holes; only `list[..len]` is in use.
    list: [Hole; MAX_RANGES + 1],
    /// How many holes there are.
    len: usize,
}

impl Holes {
    /// Return the holes in use.
    fn as_slice(&self) -> &[Hole] {
        &self.list[..self.len]
    }
}

/// The SACK scoreboard: sorted, merged ranges of SACKed sequence space.
#[derive(Debug, Clone)]
pub struct Scoreboard {
    /// The SACKed ranges, sorted, disjoint and not adjacent; only
    /// `ranges[..len]` is in use. All lie in `[snd_una, SND.NXT)`. Empty
    /// until the first SACK block arrives, then [`MAX_RANGES`] entries: a
    /// connection that never sees one carries none.
    ranges: Box<[SackBlock]>,
    /// How many entries of `ranges` are in use.
    len: usize,
    /// SND.UNA as of the last [`Scoreboard::on_ack`].
    snd_una: SeqNumber,
}

impl Default for Scoreboard {
    fn default() -> Self {
        Self::new()
    }
}

impl Scoreboard {
    /// Create an empty scoreboard.
    pub fn new() -> Self {
        Scoreboard {
            ranges: Box::default(),
            len: 0,
            snd_una: SeqNumber(0),
        }
    }

    /// Record an ACK: forget what SND.UNA has passed, then merge in the SACK
    /// blocks it carried, ignoring the parts outside `[snd_una, snd_nxt)`
    /// (RFC 2018 3, RFC 6675 4 Update()). Return how many octets became
    /// SACKed that were not before, which tells whether the ACK is a
    /// duplicate in RFC 6675 2's sense ("carrying a SACK block that
    /// identifies previously unacknowledged and un-SACKed octets").
    pub fn on_ack(
        &mut self,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        blocks: &[SackBlock],
    ) -> usize {
        self.advance(snd_una);
        let before = self.sacked_bytes();
        let flight = i64::from(snd_una.distance_to(snd_nxt).max(0));
        for block in blocks {
            let left = i64::from(snd_una.distance_to(block.left_edge));
            let right = i64::from(snd_una.distance_to(block.right_edge));
            if left >= right || right <= 0 || right > flight {
                continue;
            }
            let left = snd_una + left.max(0) as u32;
            self.merge(left, block.right_edge);
        }
        self.sacked_bytes() - before
    }

    /// Return whether the octet `seq` has been SACKed.
    pub fn is_sacked(&self, seq: SeqNumber) -> bool {
        self.as_slice()
            .iter()
            .any(|r| seq.in_window(r.left_edge, len(r) as u32))
    }

    /// Return IsLost(seq) (RFC 6675 4) with DupThresh = [`DUP_THRESH`]:
    /// whether "either DupThresh discontiguous SACKed sequences have arrived
    /// above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with sequence
    /// numbers greater than 'SeqNum' have been SACKed".
    ///
    /// A SACKed octet, or one below SND.UNA, has arrived and is never lost.
    pub fn is_lost(&self, seq: SeqNumber, smss: usize) -> bool {
        if self.is_sacked(seq) || seq < self.snd_una {
            return false;
        }
        let above = self.as_slice().iter().filter(|r| r.left_edge > seq);
        let (count, bytes) = above.fold((0, 0), |(n, b), r| (n + 1, b + len(r)));
        lost(count, bytes, smss)
    }

    /// Return SetPipe() (RFC 6675 4): the octets in flight. Each octet in
    /// `[snd_una, snd_nxt)` not SACKed counts once if it is not lost (a) and
    /// once more if it was retransmitted, below `high_rxt` (b).
    pub fn pipe(
        &self,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        high_rxt: SeqNumber,
        smss: usize,
    ) -> usize {
        let rxt = clamp_offset(snd_una, high_rxt, snd_nxt);
        let holes = self.holes(snd_una, snd_nxt, smss);
        let mut pipe = 0;
        for hole in holes.as_slice() {
            if !hole.lost {
                pipe += (hole.end - hole.start) as usize; // (a)
            }
            pipe += rxt.min(hole.end).saturating_sub(hole.start) as usize; // (b)
        }
        pipe
    }

    /// Return NextSeg() rule 1 (RFC 6675 4): the lowest lost octets not
    /// SACKed, at or above `high_rxt` and below the highest SACKed octet, up
    /// to `smss` of them (and not into SACKed data).
    ///
    /// `None` means rule 1 found nothing, and rule 2 is the caller's: send
    /// new data from SND.NXT if there is some and the peer's window allows.
    /// When it cannot, [`Scoreboard::next_seg_rules`] with `new_data: false`
    /// goes on to rules 3 and 4.
    pub fn next_seg(
        &self,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        high_rxt: SeqNumber,
        smss: usize,
    ) -> Option<(SeqNumber, usize)> {
        let vars = RecoveryVars {
            snd_una,
            snd_nxt,
            high_rxt,
            rescue_rxt: None,
            smss,
            new_data: false,
        };
        self.rule_below_sacked(&vars, true)
    }

    /// Return NextSeg() (RFC 6675 4) with all four rules in their order:
    /// (1) lost octets, (2) new data if `vars.new_data`, (3) octets not
    /// SACKed below the highest SACKed octet, (4) the rescue retransmission,
    /// once per recovery: allowed while `rescue_rxt` is `None` or SND.UNA is
    /// above it. `None` when nothing should be sent.
    pub fn next_seg_rules(&self, vars: &RecoveryVars) -> Option<NextSeg> {
        if let Some((seq, len)) = self.rule_below_sacked(vars, true) {
            return Some(NextSeg::Lost { seq, len });
        }
        if vars.new_data {
            return Some(NextSeg::NewData);
        }
        if let Some((seq, len)) = self.rule_below_sacked(vars, false) {
            return Some(NextSeg::Unsacked { seq, len });
        }
        self.rescue(vars)
            .map(|(seq, len)| NextSeg::Rescue { seq, len })
    }

    /// Return the number of octets SACKed.
    pub fn sacked_bytes(&self) -> usize {
        self.as_slice().iter().map(len).sum()
    }

    /// Return the sequence number just past the highest SACKed octet.
    pub fn highest_sacked(&self) -> Option<SeqNumber> {
        self.as_slice().last().map(|r| r.right_edge)
    }

    /// Return the SACKed ranges, in ascending order.
    pub fn ranges(&self) -> &[SackBlock] {
        self.as_slice()
    }

    /// Forget every SACK (after a retransmission timeout: RFC 2018 8,
    /// RFC 6675 5.1).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Return the ranges in use.
    fn as_slice(&self) -> &[SackBlock] {
        &self.ranges[..self.len]
    }

    /// Move SND.UNA to `snd_una`: drop the ranges it passed, clip the one it
    /// entered.
    fn advance(&mut self, snd_una: SeqNumber) {
        let passed = self
            .as_slice()
            .iter()
            .take_while(|r| snd_una.distance_to(r.right_edge) <= 0)
            .count();
        self.ranges.copy_within(passed..self.len, 0);
        self.len -= passed;
        if let Some(first) = self.ranges[..self.len].first_mut() {
            if snd_una.distance_to(first.left_edge) < 0 {
                first.left_edge = snd_una;
            }
        }
        self.snd_una = snd_una;
    }

    /// Merge `[left, right)`, which lies in `[snd_una, SND.NXT)`, into the
    /// ranges; ignore it when it would need a range beyond [`MAX_RANGES`].
    fn merge(&mut self, left: SeqNumber, right: SeqNumber) {
        if self.ranges.is_empty() {
            self.ranges = vec![SackBlock::default(); MAX_RANGES].into_boxed_slice();
        }
        let off = |s: SeqNumber| s.0.wrapping_sub(self.snd_una.0);
        let (lo, hi) = (off(left), off(right));
        let ranges = &self.ranges[..self.len];
        let first = ranges.partition_point(|r| off(r.right_edge) < lo);
        let last = first + ranges[first..].partition_point(|r| off(r.left_edge) <= hi);
        if first == last && self.len == MAX_RANGES {
            return;
        }
        // The run touching [lo, hi] is sorted: its first range holds the
        // lowest left edge, its last the highest right edge.
        let run = &ranges[first..last];
        let merged_lo = run.first().map_or(lo, |r| off(r.left_edge).min(lo));
        let merged_hi = run.last().map_or(hi, |r| off(r.right_edge).max(hi));
        let merged = SackBlock {
            left_edge: self.snd_una + merged_lo,
            right_edge: self.snd_una + merged_hi,
        };
        self.ranges.copy_within(last..self.len, first + 1);
        self.len = self.len + 1 - (last - first);
        self.ranges[first] = merged;
    }

    /// Return the holes in `[snd_una, snd_nxt)`, each marked with IsLost().
    fn holes(&self, snd_una: SeqNumber, snd_nxt: SeqNumber, smss: usize) -> Holes {
        let mut holes = Holes {
            list: [Hole::default(); MAX_RANGES + 1],
            len: 0,
        };
        let clip = |r: &SackBlock| {
            let lo = clamp_offset(snd_una, r.left_edge, snd_nxt);
            (lo, clamp_offset(snd_una, r.right_edge, snd_nxt).max(lo))
        };
        let clipped = || self.as_slice().iter().map(clip).filter(|(lo, hi)| hi > lo);
        let (mut count, mut bytes) =
            clipped().fold((0, 0), |(n, b), (lo, hi)| (n + 1, b + (hi - lo) as usize));
        let mut cursor = 0;
        let mut push = |start: u32, end: u32, count: usize, bytes: usize| {
            holes.list[holes.len] = Hole {
                start,
                end,
                lost: lost(count, bytes, smss),
                sacked_above: count > 0,
            };
            holes.len += 1;
        };
        for (lo, hi) in clipped() {
            if lo > cursor {
                push(cursor, lo, count, bytes);
            }
            count -= 1;
            bytes -= (hi - lo) as usize;
            cursor = hi;
        }
        let flight = clamp_offset(snd_una, snd_nxt, snd_nxt);
        if flight > cursor {
            push(cursor, flight, 0, 0);
        }
        holes
    }

    /// Rules 1 (`need_lost`) and 3 of NextSeg(): the lowest octets not SACKed,
    /// at or above `high_rxt`, below the highest SACKed octet (and lost, for
    /// rule 1), at most SMSS of them, within their hole.
    fn rule_below_sacked(
        &self,
        vars: &RecoveryVars,
        need_lost: bool,
    ) -> Option<(SeqNumber, usize)> {
        let from = clamp_offset(vars.snd_una, vars.high_rxt, vars.snd_nxt);
        let holes = self.holes(vars.snd_una, vars.snd_nxt, vars.smss);
        let hole = holes
            .as_slice()
            .iter()
            .filter(|h| h.end > from && h.sacked_above)
            .find(|h| h.lost || !need_lost)?;
        let start = hole.start.max(from);
        let len = ((hole.end - start) as usize).min(vars.smss);
        (len > 0).then(|| (vars.snd_una + start, len))
    }

    /// Rule 4 of NextSeg(): up to SMSS octets ending with the highest octet
    /// not SACKed, once per recovery (while HighACK > RescueRxt, or RescueRxt
    /// is undefined).
    fn rescue(&self, vars: &RecoveryVars) -> Option<(SeqNumber, usize)> {
        // RescueRxt + 1 >= HighACK + 1: HighACK has not passed RescueRxt.
        if vars
            .rescue_rxt
            .is_some_and(|r| vars.snd_una.distance_to(r) >= 0)
        {
            return None;
        }
        let holes = self.holes(vars.snd_una, vars.snd_nxt, vars.smss);
        let hole = holes.as_slice().last()?;
        let len = ((hole.end - hole.start) as usize).min(vars.smss);
        (len > 0).then(|| (vars.snd_una + (hole.end - len as u32), len))
    }
}

/// Return the length of a range.
fn len(r: &SackBlock) -> usize {
    (r.right_edge - r.left_edge).max(0) as usize
}

/// IsLost's test (RFC 6675 4), given the SACKed ranges and octets above.
fn lost(ranges_above: usize, bytes_above: usize, smss: usize) -> bool {
    ranges_above >= DUP_THRESH || bytes_above > (DUP_THRESH - 1) * smss
}

/// Return `seq`'s offset from `snd_una`, clamped to `[0, snd_nxt - snd_una]`.
fn clamp_offset(snd_una: SeqNumber, seq: SeqNumber, snd_nxt: SeqNumber) -> u32 {
    let flight = snd_una.distance_to(snd_nxt).max(0);
    snd_una.distance_to(seq).clamp(0, flight) as u32
}

#[cfg(test)]
#[path = "tests/scoreboard.rs"]
mod tests;
