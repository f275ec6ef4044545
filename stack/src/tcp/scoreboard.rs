//! STAND-IN (replaced by the tcp-sack branch): RFC 6675 scoreboard.
#![allow(missing_docs)]
use crate::tcp::SeqNumber;
use crate::wire::tcp::SackBlock;

#[derive(Debug, Clone, Default)]
pub struct Scoreboard {
    ranges: Vec<(SeqNumber, SeqNumber)>,
}

impl Scoreboard {
    pub fn new() -> Self {
        Scoreboard::default()
    }
    pub fn on_ack(&mut self, snd_una: SeqNumber, snd_nxt: SeqNumber, blocks: &[SackBlock]) {
        self.ranges.retain(|r| r.1 > snd_una);
        for b in blocks {
            if b.left_edge >= snd_una && b.right_edge <= snd_nxt && b.left_edge < b.right_edge {
                self.ranges.push((b.left_edge, b.right_edge));
            }
        }
    }
    pub fn is_sacked(&self, seq: SeqNumber) -> bool {
        self.ranges.iter().any(|r| r.0 <= seq && seq < r.1)
    }
    pub fn is_lost(&self, seq: SeqNumber, smss: usize) -> bool {
        let above: usize = self
            .ranges
            .iter()
            .filter(|r| r.0 > seq)
            .map(|r| (r.1 - r.0) as usize)
            .sum();
        above >= 3 * smss
    }
    pub fn pipe(
        &self,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        _high_rxt: SeqNumber,
        _smss: usize,
    ) -> usize {
        ((snd_nxt - snd_una).max(0) as usize).saturating_sub(self.sacked_bytes())
    }
    pub fn next_seg(
        &self,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        high_rxt: SeqNumber,
        smss: usize,
    ) -> Option<(SeqNumber, usize)> {
        let mut s = high_rxt.max(snd_una);
        while s < snd_nxt {
            if !self.is_sacked(s) && self.is_lost(s, smss) {
                let mut len = 0;
                while len < smss && s + (len as u32) < snd_nxt && !self.is_sacked(s + len as u32) {
                    len += 1;
                }
                return Some((s, len));
            }
            s += 1;
            if s - snd_una > 1 << 20 {
                break;
            }
        }
        None
    }
    pub fn sacked_bytes(&self) -> usize {
        self.ranges.iter().map(|r| (r.1 - r.0) as usize).sum()
    }
    pub fn clear(&mut self) {
        self.ranges.clear();
    }
}
