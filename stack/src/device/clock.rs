//! Real time at the edge: map `std::time::Instant` onto the stack's [`Instant`].

use crate::time::Instant;

/// A real clock whose origin is the stack's [`Instant::ZERO`].
///
/// Only the edge reads it (a TAP loop, a benchmark); the stack is handed the
/// [`Instant`] it returns. It also converts back, so a caller can sleep until
/// a device's or a host's `poll_at`.
#[derive(Debug, Clone, Copy)]
pub struct RealClock {
    origin: std::time::Instant,
}

impl RealClock {
    /// Start a clock whose zero is now.
    pub fn start() -> RealClock {
        RealClock::with_origin(std::time::Instant::now())
    }

    /// Start a clock whose zero is `origin`.
    pub fn with_origin(origin: std::time::Instant) -> RealClock {
        RealClock { origin }
    }

    /// Return the current time as a stack instant.
    pub fn now(&self) -> Instant {
        self.from_std(std::time::Instant::now())
    }

    /// Map a real instant to a stack instant (`ZERO` if it is before the origin).
    pub fn from_std(&self, at: std::time::Instant) -> Instant {
        Instant::ZERO + at.saturating_duration_since(self.origin)
    }

    /// Map a stack instant back to a real instant, e.g. to sleep until it.
    ///
    /// Returns `None` if the instant is beyond what `std::time::Instant` holds.
    pub fn to_std(&self, at: Instant) -> Option<std::time::Instant> {
        self.origin.checked_add(at.since_start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn maps_both_ways() {
        let origin = std::time::Instant::now();
        let clock = RealClock::with_origin(origin);
        let later = origin + Duration::from_micros(1_500);
        assert_eq!(clock.from_std(later), Instant::from_micros(1_500));
        assert_eq!(clock.to_std(Instant::from_micros(1_500)), Some(later));
    }

    #[test]
    fn before_origin_is_zero_and_now_advances() {
        let clock = RealClock::start();
        if let Some(earlier) = clock.origin.checked_sub(Duration::from_millis(1)) {
            assert_eq!(clock.from_std(earlier), Instant::ZERO);
        }
        let a = clock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert!(clock.now() >= a + Duration::from_millis(2));
    }
}
