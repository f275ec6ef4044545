//! A token bucket: plain data that takes `now`.
//!
//! RFC 1122 3.2.2 asks a host to limit the rate of its ICMP errors; RFC 1812
//! 4.3.2.8 names the token bucket. The bucket holds up to `capacity`
//! tokens, starts full, and regains one every `interval`; each error takes
//! one, and none is sent from an empty bucket.

use core::time::Duration;

use crate::time::Instant;

/// A token bucket that refills one token per interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    capacity: u32,
    interval: Duration,
    tokens: u32,
    refilled_at: Instant,
}

impl TokenBucket {
    /// Create a full bucket of `capacity` tokens regaining one per
    /// `interval` (a zero interval never runs dry unless `capacity` is 0).
    pub fn new(capacity: u32, interval: Duration) -> TokenBucket {
        TokenBucket {
            capacity,
            interval,
            tokens: capacity,
            refilled_at: Instant::ZERO,
        }
    }

    /// Return how many tokens are left at `now`.
    pub fn tokens(&self, now: Instant) -> u32 {
        self.refilled(now).0
    }

    /// Take a token at `now`; return whether there was one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let (tokens, refilled_at) = self.refilled(now);
        self.refilled_at = refilled_at;
        self.tokens = tokens;
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }

    /// Return the tokens at `now` and the instant the last one was gained.
    fn refilled(&self, now: Instant) -> (u32, Instant) {
        if self.interval.is_zero() {
            return (self.capacity, now);
        }
        let elapsed = now.saturating_duration_since(self.refilled_at);
        let gained = elapsed.as_micros() / self.interval.as_micros().max(1);
        let tokens = u128::from(self.tokens) + gained;
        if tokens >= u128::from(self.capacity) {
            return (self.capacity, now.max(self.refilled_at));
        }
        // `gained` < capacity here, so the casts cannot truncate.
        let at = self.refilled_at + self.interval * gained as u32;
        (tokens as u32, at)
    }
}
