//! STAND-IN (replaced by the tcp-sack branch): receive queue.
#![allow(missing_docs)]
use std::collections::{BTreeMap, VecDeque};

use crate::tcp::SeqNumber;
use crate::wire::tcp::{SackBlock, SackBlocks};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accepted {
    pub in_order: usize,
    pub buffered_out_of_order: usize,
    pub duplicate: usize,
    pub trimmed: usize,
}

#[derive(Debug, Clone)]
pub struct RecvQueue {
    capacity: usize,
    data: VecDeque<u8>,
    ooo: BTreeMap<usize, Vec<u8>>,
    latest: Option<usize>,
}

impl RecvQueue {
    pub fn new(capacity: usize) -> Self {
        RecvQueue {
            capacity,
            data: VecDeque::new(),
            ooo: BTreeMap::new(),
            latest: None,
        }
    }
    pub fn insert(&mut self, offset: usize, data: &[u8]) -> Accepted {
        let mut acc = Accepted::default();
        let room = self.capacity - self.data.len();
        if offset >= room {
            acc.trimmed = data.len();
            return acc;
        }
        let keep = data.len().min(room - offset);
        acc.trimmed = data.len() - keep;
        let data = &data[..keep];
        if offset == 0 {
            self.data.extend(data);
            acc.in_order = data.len();
            // shift ooo
            let old = core::mem::take(&mut self.ooo);
            let mut extra = 0;
            for (o, d) in old {
                let rel = o as isize - data.len() as isize;
                let end = rel + d.len() as isize;
                if end <= extra as isize {
                    continue;
                }
                if rel <= extra as isize {
                    let skip = (extra as isize - rel) as usize;
                    self.data.extend(&d[skip..]);
                    extra += d.len() - skip;
                } else {
                    self.ooo.insert(rel as usize - extra, d);
                }
            }
            // re-shift remaining by extra already applied above
            acc.in_order += extra;
            self.latest = None;
        } else {
            self.ooo.insert(offset, data.to_vec());
            acc.buffered_out_of_order = data.len();
            self.latest = Some(offset);
        }
        acc
    }
    pub fn readable(&self) -> usize {
        self.data.len()
    }
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.data.len());
        for (i, b) in self.data.drain(..n).enumerate() {
            buf[i] = b;
        }
        n
    }
    pub fn peek(&self, len: usize) -> (&[u8], &[u8]) {
        let (a, b) = self.data.as_slices();
        let la = a.len().min(len);
        let lb = b.len().min(len - la);
        (&a[..la], &b[..lb])
    }
    pub fn window(&self) -> usize {
        self.capacity - self.data.len()
    }
    pub fn has_out_of_order(&self) -> bool {
        !self.ooo.is_empty()
    }
    pub fn sack_blocks(&self, rcv_nxt: SeqNumber, max_blocks: usize) -> SackBlocks {
        let mut v: Vec<SackBlock> = Vec::new();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for (&o, d) in &self.ooo {
            if let Some(last) = ranges.last_mut() {
                if o <= last.1 {
                    last.1 = last.1.max(o + d.len());
                    continue;
                }
            }
            ranges.push((o, o + d.len()));
        }
        if let Some(l) = self.latest {
            if let Some(i) = ranges.iter().position(|r| r.0 <= l && l < r.1) {
                let r = ranges.remove(i);
                ranges.insert(0, r);
            }
        }
        for r in ranges.iter().take(max_blocks) {
            v.push(SackBlock {
                left_edge: rcv_nxt + r.0 as u32,
                right_edge: rcv_nxt + r.1 as u32,
            });
        }
        SackBlocks::new(&v).unwrap_or(SackBlocks::new(&[SackBlock::default()]).unwrap())
    }
}
