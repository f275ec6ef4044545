//! Time as the stack sees it: an [`Instant`] that starts at zero.
//!
//! The stack never reads a clock. Whoever drives it passes `now` into every
//! call: a virtual clock in tests (so a 2MSL wait costs nothing), or a real
//! one at the edge ([`crate::device::RealClock`] maps `std::time::Instant`
//! onto this type). Spans of time are plain [`core::time::Duration`]s.
//!
//! The resolution is one microsecond, held in a `u64` (about 584 000 years),
//! as in smoltcp's `src/time.rs`. Arithmetic saturates instead of panicking:
//! an `Instant` never wraps and a difference is never negative.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};
use core::time::Duration;

/// A point in time, in microseconds since the run started.
///
/// `Instant::ZERO` is the start of the run, not a wall-clock epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    micros: u64,
}

/// Convert a duration to whole microseconds, saturating at `u64::MAX`.
fn duration_micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Instant {
    /// The start of the run.
    pub const ZERO: Instant = Instant { micros: 0 };
    /// The latest representable instant.
    pub const MAX: Instant = Instant { micros: u64::MAX };

    /// Create an instant `micros` microseconds after the start.
    pub const fn from_micros(micros: u64) -> Instant {
        Instant { micros }
    }

    /// Create an instant `millis` milliseconds after the start (saturating).
    pub const fn from_millis(millis: u64) -> Instant {
        Instant::from_micros(millis.saturating_mul(1_000))
    }

    /// Create an instant `secs` seconds after the start (saturating).
    pub const fn from_secs(secs: u64) -> Instant {
        Instant::from_micros(secs.saturating_mul(1_000_000))
    }

    /// Return the microseconds since the start.
    pub const fn total_micros(self) -> u64 {
        self.micros
    }

    /// Return the whole milliseconds since the start.
    pub const fn total_millis(self) -> u64 {
        self.micros / 1_000
    }

    /// Return the time since the start as a `Duration`.
    pub const fn since_start(self) -> Duration {
        Duration::from_micros(self.micros)
    }

    /// Return `self + d`, or `None` if it is not representable.
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let d = u64::try_from(d.as_micros()).ok()?;
        self.micros.checked_add(d).map(Instant::from_micros)
    }

    /// Return `self - d`, or `None` if it would fall before the start.
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        let d = u64::try_from(d.as_micros()).ok()?;
        self.micros.checked_sub(d).map(Instant::from_micros)
    }

    /// Return the time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        self.micros
            .checked_sub(earlier.micros)
            .map(Duration::from_micros)
    }

    /// Return the time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_micros(self.micros.saturating_sub(earlier.micros))
    }
}

/// Add a duration, saturating at [`Instant::MAX`]; sub-microsecond parts are dropped.
impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, d: Duration) -> Instant {
        Instant::from_micros(self.micros.saturating_add(duration_micros(d)))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

/// Subtract a duration, saturating at [`Instant::ZERO`].
impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, d: Duration) -> Instant {
        Instant::from_micros(self.micros.saturating_sub(duration_micros(d)))
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

/// The time between two instants, zero if `rhs` is later (as `std::time::Instant` does).
impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

/// Print seconds with milliseconds (`1.250s`), or with microseconds when the
/// instant is not a whole millisecond (`0.000125s`), so a trace loses nothing.
impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.micros / 1_000_000;
        let sub = self.micros % 1_000_000;
        if sub.is_multiple_of(1_000) {
            write!(f, "{secs}.{:03}s", sub / 1_000)
        } else {
            write!(f, "{secs}.{sub:06}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_agree() {
        assert_eq!(Instant::from_secs(2), Instant::from_millis(2_000));
        assert_eq!(Instant::from_millis(3), Instant::from_micros(3_000));
        assert_eq!(Instant::from_millis(1_250).total_millis(), 1_250);
        assert_eq!(
            Instant::from_micros(7).since_start(),
            Duration::from_micros(7)
        );
        assert_eq!(Instant::default(), Instant::ZERO);
        assert_eq!(Instant::from_secs(u64::MAX), Instant::MAX);
    }

    #[test]
    fn add_and_sub_durations() {
        let t = Instant::from_millis(1_000);
        assert_eq!(t + Duration::from_millis(250), Instant::from_millis(1_250));
        assert_eq!(t - Duration::from_millis(250), Instant::from_millis(750));
        let mut u = t;
        u += Duration::from_micros(5);
        u -= Duration::from_micros(2);
        assert_eq!(u.total_micros(), 1_000_003);
        // Sub-microsecond parts are dropped, never rounded up.
        assert_eq!(t + Duration::from_nanos(999), t);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Instant::ZERO - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::ZERO + Duration::MAX, Instant::MAX);
        assert_eq!(Instant::ZERO.checked_sub(Duration::from_micros(1)), None);
        assert_eq!(Instant::MAX.checked_add(Duration::from_micros(1)), None);
        assert_eq!(
            Instant::ZERO.checked_add(Duration::from_micros(9)),
            Some(Instant::from_micros(9))
        );
    }

    #[test]
    fn difference_of_instants() {
        let a = Instant::from_millis(1_500);
        let b = Instant::from_millis(250);
        assert_eq!(a - b, Duration::from_millis(1_250));
        assert_eq!(b - a, Duration::ZERO);
        assert_eq!(b.checked_duration_since(a), None);
        assert_eq!(
            a.checked_duration_since(b),
            Some(Duration::from_millis(1_250))
        );
        assert!(b < a);
    }

    #[test]
    fn display() {
        assert_eq!(Instant::from_millis(1_250).to_string(), "1.250s");
        assert_eq!(Instant::ZERO.to_string(), "0.000s");
        assert_eq!(Instant::from_micros(125).to_string(), "0.000125s");
        assert_eq!(Instant::from_secs(61).to_string(), "61.000s");
    }
}
