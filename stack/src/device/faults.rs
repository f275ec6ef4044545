//! A seeded fault injector: drop, duplicate, corrupt, delay, reorder and
//! rate-limit the frames sent through any [`Device`].
//!
//! Faults apply on the way out: [`Faults::send`] decides each frame's fate
//! and holds it until its release time, then hands it to the inner device
//! with that time as `now` (so a [`super::Pipe`] adds its latency to the
//! exact release time). Wrap each end of a pipe to disturb both directions.
//!
//! Each frame goes through the stages in this fixed order:
//!
//! 1. **rate limit**: the link serialises `bytes_per_second`; a frame leaves
//!    when the frames before it have left plus its own transmission time. If
//!    more than `queue_bytes` are still waiting when it comes, it is dropped
//!    (tail drop, like a router's buffer), so a sender beyond the rate sees
//!    queueing delay first and then loss;
//! 2. **drop** with probability `drop`;
//! 3. **duplicate** with probability `duplicate`: the copy leaves right after
//!    the original and goes through the stages below on its own;
//! 4. **corrupt** with probability `corrupt`: one uniformly chosen bit flips;
//! 5. **delay**: `delay` plus a uniform jitter in `[0, jitter]` (jitter alone
//!    can reorder frames);
//! 6. **reorder** with probability `reorder`: the frame is held back a further
//!    `reorder_hold`, so the frames sent after it overtake it.
//!
//! Every stage draws from its own stream derived from the injector's [`Rng`]
//! (`"drop"`, `"duplicate"`, ...) and only when its probability is above
//! zero, so a run replays bit for bit from the seed, and enabling one fault
//! does not change the decisions of another.

use core::cmp::{Ordering, Reverse};
use core::fmt;
use core::time::Duration;
use std::collections::BinaryHeap;

use super::{check_mtu, earliest, Device, DeviceError};
use crate::random::Rng;
use crate::time::Instant;

/// A link's capacity, for [`FaultConfig::rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The bytes per second the link serialises (whole frames, header included).
    pub bytes_per_second: u64,
    /// The bytes that may wait for the link; a frame arriving when more than
    /// this is waiting is dropped. 0 drops any frame that finds the link busy.
    pub queue_bytes: u64,
}

/// What the injector does to frames; see the [module docs](self) for the order.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Probability of dropping a frame, in `[0, 1]`.
    pub drop: f64,
    /// Probability of sending a frame twice, in `[0, 1]`.
    pub duplicate: f64,
    /// Probability of flipping one bit of a frame, in `[0, 1]`.
    pub corrupt: f64,
    /// Probability of holding a frame back by `reorder_hold`, in `[0, 1]`.
    pub reorder: f64,
    /// How long a reordered frame is held back; must be non-zero if `reorder > 0`.
    pub reorder_hold: Duration,
    /// Extra latency added to every frame.
    pub delay: Duration,
    /// Upper bound of a uniform random latency added on top of `delay`.
    pub jitter: Duration,
    /// The link's capacity, or `None` for an infinitely fast link.
    pub rate: Option<RateLimit>,
}

impl Default for FaultConfig {
    /// No faults at all; `reorder_hold` is 10 ms, ready for a `reorder` rate.
    fn default() -> FaultConfig {
        FaultConfig {
            drop: 0.0,
            duplicate: 0.0,
            corrupt: 0.0,
            reorder: 0.0,
            reorder_hold: Duration::from_millis(10),
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            rate: None,
        }
    }
}

impl FaultConfig {
    /// Check that every probability is in `[0, 1]` and every parameter usable.
    pub fn validate(&self) -> Result<(), FaultConfigError> {
        let probabilities = [
            ("drop", self.drop),
            ("duplicate", self.duplicate),
            ("corrupt", self.corrupt),
            ("reorder", self.reorder),
        ];
        for (field, p) in probabilities {
            if !(0.0..=1.0).contains(&p) {
                let why = "a probability must be within [0, 1]";
                return Err(FaultConfigError { field, why });
            }
        }
        if self.reorder > 0.0 && self.reorder_hold.is_zero() {
            let why = "must be non-zero when reorder > 0, or nothing is reordered";
            return Err(FaultConfigError {
                field: "reorder_hold",
                why,
            });
        }
        if self.rate.is_some_and(|r| r.bytes_per_second == 0) {
            let why = "bytes_per_second must be non-zero (use drop = 1 to cut the link)";
            return Err(FaultConfigError { field: "rate", why });
        }
        Ok(())
    }
}

/// A [`FaultConfig`] field that is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultConfigError {
    /// The offending field.
    pub field: &'static str,
    /// What the field must satisfy.
    pub why: &'static str,
}

impl fmt::Display for FaultConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault config `{}`: {}", self.field, self.why)
    }
}

impl std::error::Error for FaultConfigError {}

/// What the injector has done so far, frame by frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Frames given to [`Faults::send`] that fit the MTU.
    pub frames: u64,
    /// Frames dropped by the `drop` probability.
    pub dropped: u64,
    /// Extra copies made by the `duplicate` probability.
    pub duplicated: u64,
    /// Frames (copies included) with a bit flipped.
    pub corrupted: u64,
    /// Frames (copies included) given a non-zero `delay` + jitter.
    pub delayed: u64,
    /// Frames (copies included) held back by `reorder`.
    pub reordered: u64,
    /// Frames that waited for the rate-limited link.
    pub rate_queued: u64,
    /// Frames dropped because the rate limiter's queue was full.
    pub rate_dropped: u64,
    /// Frames handed to the inner device successfully.
    pub forwarded: u64,
    /// Frames the inner device refused when they were released.
    pub inner_errors: u64,
}

/// A frame waiting for its release time; ordered by (release, seq).
#[derive(Debug)]
struct Held {
    release: Instant,
    seq: u64,
    frame: Vec<u8>,
}

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Held {
    fn cmp(&self, other: &Held) -> Ordering {
        (self.release, self.seq).cmp(&(other.release, other.seq))
    }
}

/// One random stream per fault kind.
#[derive(Debug)]
struct Streams {
    drop: Rng,
    duplicate: Rng,
    corrupt: Rng,
    jitter: Rng,
    reorder: Rng,
}

impl Streams {
    fn new(rng: &Rng) -> Streams {
        Streams {
            drop: rng.derive("drop"),
            duplicate: rng.derive("duplicate"),
            corrupt: rng.derive("corrupt"),
            jitter: rng.derive("jitter"),
            reorder: rng.derive("reorder"),
        }
    }
}

/// A [`Device`] wrapper that injects seeded faults into the frames it sends.
///
/// Received frames pass through untouched; wrap the other end to disturb
/// them. Held frames leave during any later `send` or `recv` whose `now` has
/// reached their release time, and [`Device::poll_at`] includes them, so a
/// caller that polls at `poll_at` releases each frame exactly on time.
#[derive(Debug)]
pub struct Faults<D> {
    inner: D,
    config: FaultConfig,
    streams: Streams,
    held: BinaryHeap<Reverse<Held>>,
    next_seq: u64,
    link_free: Instant,
    stats: FaultStats,
}

impl<D: Device> Faults<D> {
    /// Wrap `inner`, drawing every decision from streams derived from `rng`.
    pub fn new(inner: D, config: FaultConfig, rng: Rng) -> Result<Faults<D>, FaultConfigError> {
        config.validate()?;
        Ok(Faults {
            inner,
            streams: Streams::new(&rng),
            config,
            held: BinaryHeap::new(),
            next_seq: 0,
            link_free: Instant::ZERO,
            stats: FaultStats::default(),
        })
    }

    /// Return the counters of what the injector did.
    pub fn stats(&self) -> &FaultStats {
        &self.stats
    }

    /// Return the configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Return how many frames are held, waiting for their release time.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Return the wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// Return the wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Unwrap the inner device; frames still held are discarded.
    pub fn into_inner(self) -> D {
        self.inner
    }

    /// Stages 1 to 3 for a frame sent at `now`: admit, drop, duplicate; then
    /// schedule each copy, the first in the buffer `own` makes of `frame`
    /// (a copy of a borrowed frame; an owned one as it is).
    fn send_with<F: AsRef<[u8]>>(
        &mut self,
        now: Instant,
        frame: F,
        own: impl FnOnce(F) -> Vec<u8>,
    ) -> Result<(), DeviceError> {
        self.release(now);
        check_mtu(frame.as_ref(), self.inner.mtu())?;
        self.stats.frames += 1;
        let Some(departure) = self.admit(now, frame.as_ref().len()) else {
            return Ok(());
        };
        if self.streams.drop.chance(self.config.drop) {
            self.stats.dropped += 1;
            return Ok(());
        }
        let twice = self.streams.duplicate.chance(self.config.duplicate);
        if twice {
            self.stats.duplicated += 1;
        }
        let frame = own(frame);
        if twice {
            self.schedule(departure, frame.clone());
        }
        self.schedule(departure, frame);
        self.release(now);
        Ok(())
    }

    /// Hand every held frame whose release time has come to the inner device.
    pub fn release(&mut self, now: Instant) {
        while self.held.peek().is_some_and(|h| h.0.release <= now) {
            // NOTE(unwrap): `peek` just returned an element.
            let Reverse(held) = self.held.pop().unwrap();
            match self.inner.send_owned(held.release, held.frame) {
                Ok(()) => self.stats.forwarded += 1,
                Err(_) => self.stats.inner_errors += 1,
            }
        }
    }

    /// Stage 1: return when the frame leaves the rate-limited link, or
    /// `None` if the link's queue is full.
    fn admit(&mut self, now: Instant, len: usize) -> Option<Instant> {
        let Some(rate) = self.config.rate else {
            return Some(now);
        };
        let per_sec = u128::from(rate.bytes_per_second);
        let backlog_us = self.link_free.saturating_duration_since(now).as_micros();
        if backlog_us * per_sec / 1_000_000 > u128::from(rate.queue_bytes) {
            self.stats.rate_dropped += 1;
            return None;
        }
        if self.link_free > now {
            self.stats.rate_queued += 1;
        }
        let tx_us = (len as u128 * 1_000_000).div_ceil(per_sec);
        let tx = Duration::from_micros(u64::try_from(tx_us).unwrap_or(u64::MAX));
        self.link_free = self.link_free.max(now) + tx;
        Some(self.link_free)
    }

    /// Stages 4 to 6 for one copy: corrupt, delay, reorder, then hold it.
    fn schedule(&mut self, departure: Instant, mut frame: Vec<u8>) {
        let streams = &mut self.streams;
        if streams.corrupt.chance(self.config.corrupt) && !frame.is_empty() {
            let bit = streams.corrupt.in_range(0..=frame.len() * 8 - 1);
            frame[bit / 8] ^= 1 << (bit % 8);
            self.stats.corrupted += 1;
        }
        let mut extra = self.config.delay;
        if !self.config.jitter.is_zero() {
            let max = u64::try_from(self.config.jitter.as_micros()).unwrap_or(u64::MAX);
            extra += Duration::from_micros(streams.jitter.in_range(0..=max));
        }
        if !extra.is_zero() {
            self.stats.delayed += 1;
        }
        if streams.reorder.chance(self.config.reorder) {
            extra += self.config.reorder_hold;
            self.stats.reordered += 1;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let release = departure + extra;
        self.held.push(Reverse(Held {
            release,
            seq,
            frame,
        }));
    }
}

impl<D: Device> Device for Faults<D> {
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        self.send_with(now, frame, <[u8]>::to_vec)
    }

    fn send_owned(&mut self, now: Instant, frame: Vec<u8>) -> Result<(), DeviceError> {
        self.send_with(now, frame, |frame| frame)
    }

    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        self.release(now);
        self.inner.recv(now)
    }

    fn poll_at(&self) -> Option<Instant> {
        let held = self.held.peek().map(|h| h.0.release);
        earliest(self.inner.poll_at(), held)
    }

    fn mtu(&self) -> usize {
        self.inner.mtu()
    }
}

#[cfg(test)]
#[path = "tests/faults.rs"]
mod tests;
