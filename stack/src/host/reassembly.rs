//! IPv4 reassembly (RFC 791 3.2; RFC 815; RFC 1122 3.3.2): bounded in memory,
//! driven by the caller's clock.
//!
//! A [`Reassembler`] gathers the fragments of each datagram under its key
//! (source, destination, protocol, identification: RFC 791 3.2) into one
//! buffer, and keeps the extents it has received as a sorted list of disjoint
//! ranges, which is RFC 815's hole list seen from the other side.
//!
//! # Policy
//!
//! - **Order and duplicates.** Fragments may come in any order. A fragment
//!   with exactly the extent of one already held is a duplicate: dropped alone
//!   ([`DropReason::Duplicate`]), the datagram is kept. Its bytes are not
//!   compared; the first copy wins, as in Linux.
//! - **Overlaps discard the datagram.** A fragment that overlaps held data
//!   with a different extent (partly, or inside it, or around it) discards the
//!   whole datagram ([`DropReason::Overlap`]). This is RFC 5722 4 (with
//!   erratum 3089) for IPv6, "the entire datagram (and any constituent
//!   fragments) MUST be silently discarded", and what Linux does for IPv4
//!   (`inet_frag_queue_insert` returns `IPFRAG_OVERLAP`). Overlaps are how
//!   fragment attacks hide data from middleboxes; no honest sender makes them.
//! - **Lengths.** A datagram whose header and data would pass 65,535 octets
//!   is discarded ([`DropReason::TooLong`], the "ping of death"). A last
//!   fragment (MF clear) that ends before data already held, a second last
//!   fragment with another end, and a fragment past a known end, discard the
//!   datagram ([`DropReason::InconsistentLength`]), as Linux's `ip_frag_queue`
//!   does. A fragment with MF set must carry a non-zero multiple of eight
//!   octets (RFC 791 3.2); one that does not is dropped alone
//!   ([`DropReason::Empty`], [`DropReason::Misaligned`]).
//! - **Timers.** Each datagram expires [`ReassemblyConfig::timeout`] after
//!   its first fragment arrived; later fragments do not restart the timer.
//!   RFC 1122 3.3.2: "If this timeout expires, the partially-reassembled
//!   datagram MUST be discarded and an ICMP Time Exceeded message sent to the
//!   source host (if fragment zero has been received)". So
//!   [`Reassembler::handle_timeout`] returns the expired datagrams whose
//!   fragment 0 had arrived, for the host's Time Exceeded, code 1 (RFC 792).
//! - **Memory: evict the oldest.** Every buffered byte (a datagram's buffer
//!   runs to its furthest fragment's end, holes included), plus a fixed
//!   charge per datagram and per fragment for bookkeeping, counts against
//!   [`ReassemblyConfig::max_bytes`], and the number of datagrams against
//!   [`ReassemblyConfig::max_datagrams`]. When a fragment would pass either
//!   bound, the datagrams started longest ago are evicted until it fits
//!   (a datagram that has waited longest is the least likely to complete,
//!   and a flood cannot lock reassembly for a whole timeout, as refusing new
//!   fragments would). A datagram that alone would pass `max_bytes` is
//!   discarded ([`DropReason::MemoryLimit`]). So a flood of fragments that
//!   never complete can never hold more than `max_bytes`.
//!
//! The datagram last completed is lent to the caller and kept, still counted
//! against `max_bytes`, until the next call.

use core::fmt;
use core::ops::Range;
use core::time::Duration;
use std::collections::BTreeMap;

use super::fragment::MAX_DATAGRAM_LEN;
use crate::time::Instant;
use crate::wire::ipv4::{Ipv4FragKey, Ipv4Repr, HEADER_LEN};

/// The default reassembly timeout: 30 s, as Linux's `ipfrag_time`, so that
/// differential runs against Linux agree. RFC 1122 3.3.2 recommends "between
/// 60 seconds and 120 seconds"; set [`ReassemblyConfig::timeout`] for that.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default memory bound over all buffers: 256 KiB, room for four
/// datagrams of the largest size.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;
/// The default bound on datagrams being reassembled at once.
pub const DEFAULT_MAX_DATAGRAMS: usize = 64;

/// The bookkeeping charge for each fragment held: one extent.
const EXTENT_COST: usize = size_of::<Range<usize>>();
/// The bookkeeping charge for each datagram held.
const DATAGRAM_COST: usize = size_of::<Datagram>() + size_of::<Ipv4FragKey>();

/// The reassembler's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblyConfig {
    /// How long a datagram may take to complete, from its first fragment's
    /// arrival (RFC 1122 3.3.2, "the reassembly timeout value").
    pub timeout: Duration,
    /// The bound on memory over all buffers, bookkeeping included. It must
    /// be at least 65,535 plus a little for the largest datagrams to complete.
    pub max_bytes: usize,
    /// The bound on datagrams being reassembled at once.
    pub max_datagrams: usize,
}

impl Default for ReassemblyConfig {
    fn default() -> Self {
        ReassemblyConfig {
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            max_datagrams: DEFAULT_MAX_DATAGRAMS,
        }
    }
}

/// Why a fragment was dropped. Some reasons drop the fragment alone; the
/// others discard its whole datagram too ([`discards_datagram`](Self::discards_datagram)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The fragment has exactly the extent of one already held (fragment
    /// alone).
    Duplicate,
    /// The fragment has MF set and no data (fragment alone).
    Empty,
    /// The fragment has MF set and data that is not a multiple of eight
    /// octets (RFC 791 3.2; fragment alone).
    Misaligned,
    /// The fragment overlaps held data with a different extent (datagram
    /// discarded; RFC 5722 4, as Linux does for IPv4).
    Overlap,
    /// The datagram would be longer than 65,535 octets (datagram discarded).
    TooLong,
    /// The fragment contradicts the datagram's end: a last fragment ending
    /// before held data or at another end than an earlier last fragment, or a
    /// fragment past the known end (datagram discarded).
    InconsistentLength,
    /// The datagram alone would pass the memory bound, or no datagram may be
    /// held at all (datagram discarded).
    MemoryLimit,
}

impl DropReason {
    /// Return whether the whole datagram was discarded with the fragment.
    pub fn discards_datagram(self) -> bool {
        !matches!(
            self,
            DropReason::Duplicate | DropReason::Empty | DropReason::Misaligned
        )
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Duplicate => "duplicate fragment",
            DropReason::Empty => "empty non-final fragment",
            DropReason::Misaligned => "non-final fragment not a multiple of 8 octets",
            DropReason::Overlap => "overlapping fragments",
            DropReason::TooLong => "reassembled datagram longer than 65535 octets",
            DropReason::InconsistentLength => "fragments disagree on the datagram's length",
            DropReason::MemoryLimit => "reassembly memory limit",
        })
    }
}

impl std::error::Error for DropReason {}

/// What became of a fragment handed to [`Reassembler::handle_fragment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Reassembly<'a> {
    /// The fragment is held; its datagram is not complete yet.
    Incomplete,
    /// The fragment completed its datagram.
    Complete {
        /// Fragment 0's header with MF clear, offset 0 and the payload length
        /// of the whole datagram.
        header: Ipv4Repr,
        /// The whole datagram's payload.
        payload: &'a [u8],
    },
    /// The fragment was dropped, and maybe its datagram with it.
    Dropped(DropReason),
}

/// A datagram whose reassembly timer expired after its fragment 0 arrived:
/// what the host quotes in an ICMP Time Exceeded, code 1 (RFC 792).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// Fragment 0's header, as it arrived (MF set, its own payload length).
    pub header: Ipv4Repr,
    /// All the data fragment 0 carried (at least eight octets, unless the
    /// sender broke RFC 791); the host cuts what it quotes.
    pub first_bytes: Vec<u8>,
    /// Fragment 0 came as a link-layer broadcast, which RFC 1122 3.2.2
    /// forbids an ICMP error about (see [`Reassembler::mark_link_broadcast`]).
    pub link_broadcast: bool,
}

/// Counters since the reassembler was made, and what it holds now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Fragments handed in.
    pub fragments: u64,
    /// Datagrams completed.
    pub completed: u64,
    /// Duplicate fragments dropped.
    pub duplicates: u64,
    /// Fragments dropped for being empty or misaligned.
    pub malformed: u64,
    /// Datagrams discarded for overlapping fragments.
    pub overlaps: u64,
    /// Datagrams discarded for being longer than 65,535 octets.
    pub too_long: u64,
    /// Datagrams discarded for inconsistent lengths.
    pub inconsistent: u64,
    /// Datagrams discarded because alone they pass the memory bound.
    pub memory_limit: u64,
    /// Datagrams evicted to make room for others.
    pub evicted: u64,
    /// Datagrams whose timer expired.
    pub timeouts: u64,
    /// Bytes held now, bookkeeping included; never more than `max_bytes`.
    pub bytes_held: usize,
    /// Datagrams being reassembled now.
    pub datagrams_held: usize,
}

/// One fragment's place in its datagram, in octets of the datagram's data.
#[derive(Debug, Clone, Copy)]
struct Piece {
    offset: usize,
    end: usize,
    /// MF is clear: this piece ends the datagram.
    last: bool,
}

impl Piece {
    /// Place a fragment, or drop it alone if it is malformed.
    fn new(header: &Ipv4Repr, len: usize) -> Result<Piece, DropReason> {
        let last = !header.more_frags;
        // RFC 791 3.2: every fragment but the last carries "an integral
        // number of 8-octet blocks", and an empty one says nothing.
        if !last && len == 0 {
            return Err(DropReason::Empty);
        }
        if !last && !len.is_multiple_of(8) {
            return Err(DropReason::Misaligned);
        }
        let offset = header.frag_offset_bytes();
        let end = offset.saturating_add(len);
        Ok(Piece { offset, end, last })
    }

    fn len(&self) -> usize {
        self.end - self.offset
    }
}

/// A datagram being reassembled.
#[derive(Debug)]
struct Datagram {
    /// Creation order, for evicting the oldest.
    serial: u64,
    /// When the reassembly timer expires.
    deadline: Instant,
    /// Fragment 0's header, once it has arrived.
    first: Option<Ipv4Repr>,
    /// Fragment 0 came as a link-layer broadcast.
    first_link_broadcast: bool,
    /// The data length, once the last fragment (MF clear) has arrived.
    total: Option<usize>,
    /// The extents received: sorted, disjoint and non-empty.
    extents: Vec<Range<usize>>,
    /// The octets received: the sum of the extents' lengths.
    received: usize,
    /// The data, as long as the furthest extent's end.
    data: Vec<u8>,
}

impl Datagram {
    fn new(serial: u64, deadline: Instant) -> Datagram {
        Datagram {
            serial,
            deadline,
            first: None,
            first_link_broadcast: false,
            total: None,
            extents: Vec::new(),
            received: 0,
            data: Vec::new(),
        }
    }

    /// Return what this datagram is charged against the memory bound.
    fn cost(&self) -> usize {
        DATAGRAM_COST + self.data.len() + self.extents.len() * EXTENT_COST
    }

    /// Return how much [`add`](Self::add)ing `piece` would raise the cost.
    fn growth(&self, piece: &Piece) -> usize {
        let extent = if piece.len() == 0 { 0 } else { EXTENT_COST };
        piece.end.saturating_sub(self.data.len()) + extent
    }

    /// Check `piece` against what is held; return where its extent goes.
    fn place(&self, header: &Ipv4Repr, piece: &Piece) -> Result<usize, DropReason> {
        let first = self.first.as_ref();
        let header_len = match (first, piece.offset) {
            (Some(first), _) => first.header_len(),
            (None, 0) => header.header_len(),
            (None, _) => HEADER_LEN,
        };
        let end = piece.end.max(self.data.len());
        if header_len.saturating_add(end) > MAX_DATAGRAM_LEN {
            return Err(DropReason::TooLong);
        }
        let known_end = |end: usize| self.total.is_some_and(|total| total != end);
        let past_end = self.total.is_some_and(|total| piece.end > total);
        if piece.last && (piece.end < self.data.len() || known_end(piece.end)) || past_end {
            return Err(DropReason::InconsistentLength);
        }
        if piece.len() == 0 {
            // An empty last fragment only sets the end.
            let again = self.total == Some(piece.end);
            return if again {
                Err(DropReason::Duplicate)
            } else {
                Ok(0)
            };
        }
        let at = self.extents.partition_point(|e| e.end <= piece.offset);
        match self.extents.get(at) {
            Some(e) if *e == (piece.offset..piece.end) => Err(DropReason::Duplicate),
            Some(e) if e.start < piece.end => Err(DropReason::Overlap),
            _ => Ok(at),
        }
    }

    /// Store a fragment that [`place`](Self::place) accepted at `at`.
    fn add(&mut self, header: &Ipv4Repr, piece: &Piece, payload: &[u8], at: usize) {
        if self.data.len() < piece.end {
            self.data.reserve_exact(piece.end - self.data.len());
            self.data.resize(piece.end, 0);
        }
        // NOTE: `piece.end - piece.offset == payload.len()`, and the buffer
        // was just made at least `piece.end` long.
        self.data[piece.offset..piece.end].copy_from_slice(payload);
        if piece.len() != 0 {
            self.extents.insert(at, piece.offset..piece.end);
            self.received += piece.len();
        }
        if piece.offset == 0 && self.first.is_none() {
            self.first = Some(Ipv4Repr {
                payload_len: payload.len(),
                ..*header
            });
        }
        if piece.last {
            self.total = Some(piece.end);
        }
    }

    /// Return the reassembled header once every octet has arrived.
    fn complete_header(&self) -> Option<Ipv4Repr> {
        let total = self.total.filter(|&total| total == self.received)?;
        self.first.map(|first| Ipv4Repr {
            more_frags: false,
            frag_offset: 0,
            payload_len: total,
            ..first
        })
    }
}

/// Reassembles IPv4 datagrams from their fragments; see the
/// [module docs](self) for the policy.
#[derive(Debug)]
pub struct Reassembler {
    config: ReassemblyConfig,
    datagrams: BTreeMap<Ipv4FragKey, Datagram>,
    /// The datagram last completed, lent out until the next call.
    completed: Vec<u8>,
    /// The bytes charged: every datagram's cost, plus `completed`.
    bytes_held: usize,
    next_serial: u64,
    stats: ReassemblyStats,
}

impl Reassembler {
    /// Make an empty reassembler with the given limits.
    pub fn new(config: ReassemblyConfig) -> Self {
        Reassembler {
            config,
            datagrams: BTreeMap::new(),
            completed: Vec::new(),
            bytes_held: 0,
            next_serial: 0,
            stats: ReassemblyStats::default(),
        }
    }

    /// Return the limits.
    pub fn config(&self) -> &ReassemblyConfig {
        &self.config
    }

    /// Take one fragment with its `header` (whose `payload_len` is ignored:
    /// `payload` is the data) that arrived at `now`.
    ///
    /// An unfragmented datagram (MF clear, offset 0) is a datagram of one
    /// fragment: it completes at once unless fragments under its key are
    /// held. The host should call [`handle_timeout`](Self::handle_timeout)
    /// first when [`poll_timeout`](Self::poll_timeout) has passed.
    pub fn handle_fragment(
        &mut self,
        now: Instant,
        header: &Ipv4Repr,
        payload: &[u8],
    ) -> Reassembly<'_> {
        self.release_completed();
        self.stats.fragments += 1;
        match self.insert(now, header, payload) {
            Ok(None) => Reassembly::Incomplete,
            Ok(Some(header)) => Reassembly::Complete {
                header,
                payload: &self.completed,
            },
            Err(reason) => {
                self.count_drop(reason);
                Reassembly::Dropped(reason)
            }
        }
    }

    /// Return when the earliest reassembly timer expires.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.datagrams.values().map(|d| d.deadline).min()
    }

    /// Discard every datagram whose timer expired at or before `now`, oldest
    /// first (RFC 1122 3.3.2); return those whose fragment 0 had arrived, so
    /// that the host can send ICMP Time Exceeded, code 1, quoting it.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Expired> {
        self.release_completed();
        let mut due: Vec<_> = (self.datagrams.iter())
            .filter(|(_, d)| d.deadline <= now)
            .map(|(key, d)| (d.deadline, d.serial, *key))
            .collect();
        due.sort_unstable();
        let mut expired = Vec::new();
        for (_, _, key) in due {
            let Some(datagram) = self.remove(&key) else {
                continue;
            };
            self.stats.timeouts += 1;
            if let Some(header) = datagram.first {
                let bytes = datagram.data.get(..header.payload_len).unwrap_or_default();
                expired.push(Expired {
                    header,
                    first_bytes: bytes.to_vec(),
                    link_broadcast: datagram.first_link_broadcast,
                });
            }
        }
        expired
    }

    /// Record that the fragment 0 just held under `key` came as a
    /// link-layer broadcast: the reassembler never sees the link layer, and
    /// the host must not send an ICMP error about such a datagram when it
    /// expires (RFC 1122 3.2.2).
    pub fn mark_link_broadcast(&mut self, key: &Ipv4FragKey) {
        if let Some(datagram) = self.datagrams.get_mut(key) {
            datagram.first_link_broadcast |= datagram.first.is_some();
        }
    }

    /// Return the counters and what is held now.
    pub fn stats(&self) -> ReassemblyStats {
        ReassemblyStats {
            bytes_held: self.bytes_held,
            datagrams_held: self.datagrams.len(),
            ..self.stats
        }
    }

    /// Place and store one fragment; return the reassembled header when it
    /// completes its datagram, whose data is then in `self.completed`.
    fn insert(
        &mut self,
        now: Instant,
        header: &Ipv4Repr,
        payload: &[u8],
    ) -> Result<Option<Ipv4Repr>, DropReason> {
        let piece = Piece::new(header, payload.len())?;
        let key = header.frag_key();
        let placed = match self.datagrams.get(&key) {
            Some(datagram) => datagram.place(header, &piece),
            None => Datagram::new(0, now).place(header, &piece),
        };
        let at = placed.inspect_err(|reason| {
            if reason.discards_datagram() {
                self.remove(&key);
            }
        })?;
        self.make_room(now, key, &piece)?;
        // NOTE: `make_room` leaves the datagram in the map when it succeeds.
        let Some(datagram) = self.datagrams.get_mut(&key) else {
            return Err(DropReason::MemoryLimit);
        };
        let before = datagram.cost();
        datagram.add(header, &piece, payload, at);
        self.bytes_held += datagram.cost() - before;
        let Some(reassembled) = datagram.complete_header() else {
            return Ok(None);
        };
        if let Some(datagram) = self.remove(&key) {
            self.completed = datagram.data;
            self.bytes_held += self.completed.len();
        }
        self.stats.completed += 1;
        Ok(Some(reassembled))
    }

    /// Make room for `piece` in the datagram under `key`, evicting the
    /// oldest others, and create that datagram if it is new.
    fn make_room(
        &mut self,
        now: Instant,
        key: Ipv4FragKey,
        piece: &Piece,
    ) -> Result<(), DropReason> {
        let (fresh, own, growth) = match self.datagrams.get(&key) {
            Some(datagram) => (false, datagram.cost(), datagram.growth(piece)),
            None => {
                let datagram = Datagram::new(0, now);
                (true, 0, DATAGRAM_COST + datagram.growth(piece))
            }
        };
        if own + growth > self.config.max_bytes {
            self.remove(&key);
            return Err(DropReason::MemoryLimit);
        }
        while fresh && self.datagrams.len() >= self.config.max_datagrams {
            if !self.evict_oldest(key) {
                return Err(DropReason::MemoryLimit);
            }
        }
        while self.bytes_held + growth > self.config.max_bytes {
            if !self.evict_oldest(key) {
                self.remove(&key);
                return Err(DropReason::MemoryLimit);
            }
        }
        if fresh {
            let deadline = now + self.config.timeout;
            let datagram = Datagram::new(self.next_serial, deadline);
            self.next_serial += 1;
            self.bytes_held += datagram.cost();
            self.datagrams.insert(key, datagram);
        }
        Ok(())
    }

    /// Evict the oldest datagram other than `keep`; return whether there
    /// was one.
    fn evict_oldest(&mut self, keep: Ipv4FragKey) -> bool {
        let oldest = (self.datagrams.iter())
            .filter(|(key, _)| **key != keep)
            .min_by_key(|(_, d)| d.serial)
            .map(|(key, _)| *key);
        let Some(key) = oldest else {
            return false;
        };
        self.remove(&key);
        self.stats.evicted += 1;
        true
    }

    /// Remove a datagram and release what it was charged.
    fn remove(&mut self, key: &Ipv4FragKey) -> Option<Datagram> {
        let datagram = self.datagrams.remove(key)?;
        self.bytes_held -= datagram.cost();
        Some(datagram)
    }

    /// Free the datagram lent out by the last call.
    fn release_completed(&mut self) {
        self.bytes_held -= self.completed.len();
        self.completed = Vec::new();
    }

    fn count_drop(&mut self, reason: DropReason) {
        let counter = match reason {
            DropReason::Duplicate => &mut self.stats.duplicates,
            DropReason::Empty | DropReason::Misaligned => &mut self.stats.malformed,
            DropReason::Overlap => &mut self.stats.overlaps,
            DropReason::TooLong => &mut self.stats.too_long,
            DropReason::InconsistentLength => &mut self.stats.inconsistent,
            DropReason::MemoryLimit => &mut self.stats.memory_limit,
        };
        *counter += 1;
    }
}

#[cfg(test)]
#[path = "tests/reassembly.rs"]
mod tests;
