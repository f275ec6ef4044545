//! The runner's clock: virtual (time is a number the runner moves) or real
//! (time passes, and the runner sleeps until a deadline).

use core::time::Duration;

use stack::device::RealClock;
use stack::time::Instant;

use crate::target::ClockKind;

/// How finely a real-clock run polls a target whose `poll_timeout` cannot
/// see frames coming (a TAP device).
pub const REAL_POLL_SLICE: Duration = Duration::from_millis(1);

/// The runner's clock.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// Virtual time: [`Clock::sleep_until`] returns at once.
    Virtual,
    /// Real time, from the start of the run.
    Real(RealClock),
}

impl Clock {
    /// Start a clock of `kind` at [`Instant::ZERO`].
    pub fn start(kind: ClockKind) -> Clock {
        match kind {
            ClockKind::Virtual => Clock::Virtual,
            ClockKind::Real => Clock::Real(RealClock::start()),
        }
    }

    /// Return whether the clock is virtual.
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual)
    }

    /// Return the real time now, or `virtual_now` on a virtual clock.
    pub fn now(&self, virtual_now: Instant) -> Instant {
        match self {
            Clock::Virtual => virtual_now,
            Clock::Real(clock) => clock.now().max(virtual_now),
        }
    }

    /// Sleep until `at` on a real clock; do nothing on a virtual one.
    pub fn sleep_until(&self, at: Instant) {
        if let Clock::Real(clock) = self {
            let wait = at.saturating_duration_since(clock.now());
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
        }
    }
}
