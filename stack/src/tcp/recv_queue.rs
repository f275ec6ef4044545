//! The receive queue: in-order data waiting for the application, and
//! out-of-order data held until the holes before it fill (RFC 9293 3.10.7.4,
//! SHLD-31), with the SACK blocks that describe what is held (RFC 2018).
//!
//! A [`RecvQueue`] is one ring buffer of `capacity` bytes. The bytes from the
//! first unread one up to RCV.NXT are in order and readable; any byte held out
//! of order sits in the same ring at its distance from RCV.NXT, so when a hole
//! fills nothing is copied: RCV.NXT simply moves over the bytes already there.
//! Which out-of-order bytes are held is a short sorted list of disjoint,
//! non-adjacent ranges (RFC 815's hole list seen from the other side).
//!
//! # Policy
//!
//! - **What the caller trims, what the queue trims.** RFC 9293 3.10.7.4
//!   processes "the idealized segment that begins at RCV.NXT and does not
//!   exceed the window", trimming off "any portions that lie outside the
//!   window". [`RecvQueue::insert`] takes data at an offset at or after
//!   RCV.NXT and trims its right end to the window ([`Accepted::trimmed`]);
//!   [`RecvQueue::insert_seq`] also trims the left end, the part before
//!   RCV.NXT, which is counted as [`Accepted::duplicate`]. SYN and FIN are
//!   the caller's: only data reaches the queue.
//! - **Out-of-order segments are held** (SHLD-31: "Segments with higher
//!   beginning sequence numbers SHOULD be held for later processing"), so the
//!   engine can ACK them at once (MAY-13) with SACK blocks.
//! - **Duplicates are counted, not stored twice.** Bytes already held are
//!   never overwritten: where a retransmission overlaps held data, the first
//!   copy is kept, and the bytes that differ from it are counted in
//!   [`Accepted::conflicting`] so the engine can report them.
//! - **Bounded bookkeeping.** The range list holds at most `max_ranges`
//!   entries ([`DEFAULT_MAX_RANGES`] unless set). A segment that would need a
//!   new entry when the list is full is refused whole ([`Accepted::refused`]);
//!   one that overlaps or adjoins a held range, or lands at RCV.NXT, always
//!   fits. Held data is never dropped (no reneging, RFC 2018 8), so every
//!   byte the queue has SACKed is still there.
//! - **Two allocations at most**: the ring when the queue is made, the range
//!   list (all `max_ranges` entries) when the first segment arrives out of
//!   order, so an in-order connection carries none.
//!
//! # The window
//!
//! [`RecvQueue::window`] is `capacity - readable`: the bytes not yet read
//! leave the rest of the ring free for data at or after RCV.NXT. Out-of-order
//! bytes held do **not** shrink it: they lie inside
//! `[RCV.NXT, RCV.NXT + window)`, in room the window already offered. Counting
//! them would move the right edge `RCV.NXT + window` to the left each time a
//! segment lands above a hole, and "a TCP receiver SHOULD NOT shrink the
//! window, i.e., move the right window edge to the left" (RFC 9293 3.8.6,
//! SHLD-14). With this definition the right edge is always
//! `bytes read so far + capacity` in stream terms: it moves right when the
//! application reads, and never moves left. Receiver SWS avoidance (MUST-39)
//! and window scaling are applied on top of it by the engine.

use crate::tcp::SeqNumber;
use crate::wire::tcp::{SackBlock, SackBlocks};

/// The default bound on out-of-order ranges held at once.
///
/// RFC 2018 can report at most four per ACK; 32 ranges let a receiver hold
/// one loss in every other segment of a 64-segment window.
pub const DEFAULT_MAX_RANGES: usize = 32;

/// What [`RecvQueue::insert`] did with a segment's bytes.
///
/// Every byte of the segment is counted once:
/// `data.len() == (in_order - reassembled) + buffered_out_of_order +
/// duplicate + trimmed + refused`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accepted {
    /// How far RCV.NXT advanced: this segment's new bytes that landed at
    /// RCV.NXT, plus the held bytes they joined up with
    /// ([`Accepted::reassembled`]).
    pub in_order: usize,
    /// Of `in_order`, the bytes held out of order before this segment that
    /// it made contiguous (they are not bytes of this segment, unless the
    /// segment also carried them, in which case they count as `duplicate`).
    pub reassembled: usize,
    /// This segment's new bytes now held out of order.
    pub buffered_out_of_order: usize,
    /// This segment's bytes that were already received (before RCV.NXT, or
    /// held out of order); they were not stored again.
    pub duplicate: usize,
    /// Of `duplicate`, the bytes that differ from the copy held (the held,
    /// first copy is kept).
    pub conflicting: usize,
    /// This segment's bytes beyond the window (RFC 9293 3.10.7.4), dropped.
    pub trimmed: usize,
    /// This segment's bytes refused because the list of out-of-order ranges
    /// was full and the segment would have needed a new one.
    pub refused: usize,
}

impl Accepted {
    /// Return whether the segment brought any byte the queue did not have.
    pub fn is_new_data(&self) -> bool {
        self.in_order > self.reassembled || self.buffered_out_of_order > 0
    }
}

/// One range of out-of-order bytes held, in stream offsets.
#[derive(Debug, Clone, Copy, Default)]
struct Held {
    /// The stream offset of the first byte held.
    start: u64,
    /// The stream offset just past the last byte held.
    end: u64,
    /// The arrival counter when a segment last landed in this range (for the
    /// order of SACK blocks, RFC 2018 4).
    last_arrival: u64,
}

/// A receive buffer with out-of-order reassembly and SACK block generation.
///
/// Positions inside are *stream offsets*: the number of bytes of the stream
/// before a byte, counted from the queue's creation (a `u64`, which no
/// connection can exhaust). The ring index of a byte is its stream offset
/// modulo the capacity.
#[derive(Debug, Clone)]
pub struct RecvQueue {
    /// The ring of `capacity` bytes.
    ring: Box<[u8]>,
    /// The stream offset of the first unread byte.
    read_at: u64,
    /// The stream offset of RCV.NXT: the first byte not yet received in order.
    rcv_nxt: u64,
    /// The out-of-order ranges: sorted, disjoint, not adjacent to each other
    /// nor to RCV.NXT. Only `held[..held_len]` is in use. Empty until the
    /// first range is needed, then `max_ranges` entries.
    held: Box<[Held]>,
    /// How many entries of `held` are in use.
    held_len: usize,
    /// The bound on ranges held at once.
    max_ranges: usize,
    /// Counts the inserts that stored or matched bytes; stamps `last_arrival`.
    arrivals: u64,
}

impl RecvQueue {
    /// Create a queue of `capacity` bytes that holds up to
    /// [`DEFAULT_MAX_RANGES`] out-of-order ranges.
    pub fn new(capacity: usize) -> Self {
        Self::with_max_ranges(capacity, DEFAULT_MAX_RANGES)
    }

    /// Create a queue of `capacity` bytes that holds up to `max_ranges`
    /// out-of-order ranges (0 disables out-of-order queueing: only in-order
    /// data is kept).
    pub fn with_max_ranges(capacity: usize, max_ranges: usize) -> Self {
        RecvQueue {
            ring: vec![0; capacity].into_boxed_slice(),
            read_at: 0,
            rcv_nxt: 0,
            held: Box::default(),
            held_len: 0,
            max_ranges,
            arrivals: 0,
        }
    }

    /// Return the capacity in bytes (in-order unread plus out-of-order held).
    pub fn capacity(&self) -> usize {
        self.ring.len()
    }

    /// Return the bound on out-of-order ranges held at once.
    pub fn max_ranges(&self) -> usize {
        self.max_ranges
    }

    /// Return the number of bytes in order and ready for the application.
    pub fn readable(&self) -> usize {
        // The readable bytes never exceed the capacity, a usize.
        (self.rcv_nxt - self.read_at) as usize
    }

    /// Return the free room for data at or after RCV.NXT: the capacity minus
    /// the unread in-order bytes. Held out-of-order bytes lie inside this
    /// window and do not shrink it (SHLD-14; see the module docs).
    pub fn window(&self) -> usize {
        self.capacity() - self.readable()
    }

    /// Return whether any out-of-order data is held.
    pub fn has_out_of_order(&self) -> bool {
        self.held_len > 0
    }

    /// Return the number of out-of-order bytes held.
    pub fn out_of_order_bytes(&self) -> usize {
        self.ranges()
            .iter()
            .map(|h| (h.end - h.start) as usize)
            .sum()
    }

    /// Return the held out-of-order ranges as `(offset, len)` pairs, the
    /// offset counted from RCV.NXT, in ascending order.
    pub fn out_of_order_ranges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ranges().iter().map(|h| {
            (
                (h.start - self.rcv_nxt) as usize,
                (h.end - h.start) as usize,
            )
        })
    }

    /// Store `data` that starts `offset` bytes after RCV.NXT (offset 0 = in
    /// order). Bytes beyond the window are trimmed (RFC 9293 3.10.7.4); bytes
    /// already held are counted as duplicates and keep their first copy.
    pub fn insert(&mut self, offset: usize, data: &[u8]) -> Accepted {
        let keep = data.len().min(self.window().saturating_sub(offset));
        let mut acc = Accepted {
            trimmed: data.len() - keep,
            ..Accepted::default()
        };
        if keep == 0 {
            return acc;
        }
        let data = &data[..keep];
        let start = self.rcv_nxt + offset as u64;
        let end = start + keep as u64;
        if offset == 0 && self.held_len == 0 {
            // In order with nothing held (a bulk transfer's every segment):
            // what the general path below does with no range to touch,
            // without the searches.
            self.write(start, data);
            self.arrivals += 1;
            acc.in_order = keep;
            self.rcv_nxt = end;
            return acc;
        }
        let (first, last) = self.touching(start, end);
        let needs_entry = first == last && start > self.rcv_nxt;
        if needs_entry && self.held_len == self.max_ranges {
            acc.refused = keep;
            return acc;
        }
        if needs_entry && self.held.is_empty() {
            self.held = vec![Held::default(); self.max_ranges].into_boxed_slice();
        }
        self.store_gaps(start, data, first..last, &mut acc);
        self.arrivals += 1;
        let run = &self.ranges()[first..last];
        let merged = Held {
            start: run.first().map_or(start, |h| h.start.min(start)),
            end: run.last().map_or(end, |h| h.end.max(end)),
            last_arrival: self.arrivals,
        };
        let new_bytes = keep - acc.duplicate;
        if merged.start == self.rcv_nxt {
            // RFC 9293 3.10.7.4: the segment begins at RCV.NXT; it and the
            // held bytes it joins up with advance RCV.NXT.
            self.replace(first..last, None);
            acc.in_order = (merged.end - self.rcv_nxt) as usize;
            acc.reassembled = acc.in_order - new_bytes;
            self.rcv_nxt = merged.end;
        } else {
            self.replace(first..last, Some(merged));
            acc.buffered_out_of_order = new_bytes; // SHLD-31
        }
        acc
    }

    /// Drop every out-of-order range; return how many bytes they held.
    pub fn discard_out_of_order(&mut self) -> usize {
        let bytes = self.out_of_order_bytes();
        self.held_len = 0;
        bytes
    }

    /// Store `data` that starts at sequence number `seq`, given RCV.NXT.
    ///
    /// Bytes before `rcv_nxt` were received already: they are trimmed off the
    /// front and counted as [`Accepted::duplicate`] (RFC 9293 3.10.7.4, "only
    /// the new parts are processed"); the rest goes to [`RecvQueue::insert`].
    /// `rcv_nxt` must be the RCV.NXT this queue has reached.
    pub fn insert_seq(&mut self, rcv_nxt: SeqNumber, seq: SeqNumber, data: &[u8]) -> Accepted {
        let distance = rcv_nxt.distance_to(seq);
        if let Ok(offset) = usize::try_from(distance) {
            return self.insert(offset, data);
        }
        let old = (distance.unsigned_abs() as usize).min(data.len());
        let mut acc = self.insert(0, &data[old..]);
        acc.duplicate += old;
        acc
    }

    /// Copy up to `buf.len()` in-order bytes out, free their room, and return
    /// how many were copied.
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        let (a, b) = self.peek(buf.len());
        let n = a.len() + b.len();
        buf[..a.len()].copy_from_slice(a);
        buf[a.len()..n].copy_from_slice(b);
        self.read_at += n as u64;
        n
    }

    /// Return up to `len` in-order bytes without consuming them, as the two
    /// halves of the ring (the second is empty unless the data wraps).
    pub fn peek(&self, len: usize) -> (&[u8], &[u8]) {
        self.ring_slices(self.read_at, len.min(self.readable()))
    }

    /// Discard up to `len` in-order bytes as if read, and return how many.
    pub fn consume(&mut self, len: usize) -> usize {
        let n = len.min(self.readable());
        self.read_at += n as u64;
        n
    }

    /// Return the SACK blocks to send with an ACK (RFC 2018 4), or `None`
    /// when nothing is held out of order (or `max_blocks` is 0): then no SACK
    /// option is sent.
    ///
    /// `rcv_nxt` is RCV.NXT, which maps the queue's offsets to sequence
    /// numbers; `max_blocks` is what fits beside the other options (3 with
    /// timestamps, 4 without; more than 4 is read as 4). The blocks are the
    /// held ranges, most recently arrived first. RFC 2018 4: "The first SACK
    /// block ... MUST specify the contiguous block of data containing the
    /// segment which triggered this ACK, unless that segment advanced the
    /// Acknowledgment Number field"; the others SHOULD repeat "the most
    /// recently reported SACK blocks (based on first SACK blocks in previous
    /// SACK options)". A block was the first one reported exactly when a
    /// segment last landed in it, so ordering by last arrival does both.
    pub fn sack_blocks(&self, rcv_nxt: SeqNumber, max_blocks: usize) -> Option<SackBlocks> {
        let count = max_blocks.min(SackBlocks::MAX).min(self.held_len);
        let mut blocks = [SackBlock::default(); SackBlocks::MAX];
        // Stamps are distinct: each arrival stamps one range.
        let mut below = u64::MAX;
        for block in &mut blocks[..count] {
            let Some(h) = self
                .ranges()
                .iter()
                .filter(|h| h.last_arrival < below)
                .max_by_key(|h| h.last_arrival)
            else {
                break;
            };
            below = h.last_arrival;
            *block = SackBlock {
                left_edge: rcv_nxt + (h.start - self.rcv_nxt) as u32,
                right_edge: rcv_nxt + (h.end - self.rcv_nxt) as u32,
            };
        }
        SackBlocks::new(&blocks[..count])
    }

    /// Return the held ranges in use.
    fn ranges(&self) -> &[Held] {
        &self.held[..self.held_len]
    }

    /// Return the index range `first..last` of the held ranges that overlap
    /// or adjoin `[start, end)`; `first == last` when none does (then `first`
    /// is where a range for `[start, end)` belongs).
    fn touching(&self, start: u64, end: u64) -> (usize, usize) {
        let ranges = self.ranges();
        let first = ranges.partition_point(|h| h.end < start);
        let count = ranges[first..].partition_point(|h| h.start <= end);
        (first, first + count)
    }

    /// Write the bytes of `data` (at stream offset `start`) that no range in
    /// `run` holds; count the others as duplicates (and how many differ).
    fn store_gaps(
        &mut self,
        start: u64,
        data: &[u8],
        run: core::ops::Range<usize>,
        acc: &mut Accepted,
    ) {
        let end = start + data.len() as u64;
        let index = |at: u64| (at - start) as usize;
        let mut cursor = start;
        for i in run {
            let h = self.held[i];
            let (lap_start, lap_end) = (h.start.max(start), h.end.min(end));
            if h.start > cursor {
                self.write(cursor, &data[index(cursor)..index(h.start.min(end))]);
            }
            if lap_end > lap_start {
                let copy = &data[index(lap_start)..index(lap_end)];
                acc.duplicate += copy.len();
                acc.conflicting += self.count_differences(lap_start, copy);
            }
            cursor = cursor.max(h.end);
        }
        if cursor < end {
            self.write(cursor, &data[index(cursor)..]);
        }
    }

    /// Replace the held ranges `run` (possibly none) by `merged`, or remove
    /// them when `merged` is `None`.
    fn replace(&mut self, run: core::ops::Range<usize>, merged: Option<Held>) {
        let (first, last) = (run.start, run.end);
        let kept = usize::from(merged.is_some());
        // `insert` checked that an entry is free when `first == last` and
        // `merged` is `Some`, so `first + kept <= held.len()` here.
        self.held.copy_within(last..self.held_len, first + kept);
        self.held_len = self.held_len + kept - (last - first);
        if let Some(merged) = merged {
            self.held[first] = merged;
        }
    }

    /// Copy `bytes` into the ring at stream offset `at`.
    fn write(&mut self, at: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let pos = (at % self.ring.len() as u64) as usize;
        let first = bytes.len().min(self.ring.len() - pos);
        self.ring[pos..pos + first].copy_from_slice(&bytes[..first]);
        self.ring[..bytes.len() - first].copy_from_slice(&bytes[first..]);
    }

    /// Return the ring's `len` bytes from stream offset `at` as two slices.
    fn ring_slices(&self, at: u64, len: usize) -> (&[u8], &[u8]) {
        if len == 0 {
            return (&[], &[]);
        }
        let pos = (at % self.ring.len() as u64) as usize;
        let first = len.min(self.ring.len() - pos);
        (&self.ring[pos..pos + first], &self.ring[..len - first])
    }

    /// Return how many of `bytes` differ from the ring's bytes at `at`.
    fn count_differences(&self, at: u64, bytes: &[u8]) -> usize {
        let (a, b) = self.ring_slices(at, bytes.len());
        a.iter()
            .chain(b)
            .zip(bytes)
            .filter(|(held, new)| held != new)
            .count()
    }
}

#[cfg(test)]
#[path = "tests/recv_queue.rs"]
mod tests;
