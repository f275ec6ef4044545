//! The clock both stacks are given, and what a run measured.

use std::time::{Duration, Instant};

use nix::time::{clock_gettime, ClockId};

/// Return the CPU time this process has used.
pub fn cpu_time() -> Duration {
    // The process CPU clock exists on every Linux; a zero only spoils the
    // CPU column of the report, never a result.
    clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID)
        .map(Duration::from)
        .unwrap_or_default()
}

/// The time a run's stacks see.
///
/// A real-time clock follows the wall clock (a vDSO call; the process CPU
/// clock is a system call, too slow to read once per turn); a virtual one
/// stands still.
/// Either moves ahead to the next deadline when both stacks wait for a
/// timer (nothing in flight, nothing to send), and counts the time it
/// skipped: a retransmission timeout costs its whole length, as it would on
/// a real link, without the run sleeping through it.
pub struct RunClock {
    start: Instant,
    realtime: bool,
    skipped: Duration,
}

impl RunClock {
    /// A clock that follows the wall clock.
    pub fn realtime() -> RunClock {
        RunClock {
            start: Instant::now(),
            realtime: true,
            skipped: Duration::ZERO,
        }
    }

    /// A clock that moves only when told to skip.
    pub fn virtual_time() -> RunClock {
        RunClock {
            realtime: false,
            ..RunClock::realtime()
        }
    }

    /// Return the time since the clock started.
    pub fn now(&self) -> Duration {
        let run = if self.realtime {
            self.start.elapsed()
        } else {
            Duration::ZERO
        };
        run + self.skipped
    }

    /// Move to `at` if it is later than now.
    pub fn skip_to(&mut self, at: Duration) {
        let now = self.now();
        if at > now {
            self.skipped += at - now;
        }
    }

    /// Return a mark to measure a span from.
    pub fn mark(&self) -> Mark {
        Mark {
            wall: Instant::now(),
            cpu: cpu_time(),
            skipped: self.skipped,
        }
    }
}

/// The state of the clocks at the start of a span.
#[derive(Clone, Copy)]
pub struct Mark {
    wall: Instant,
    cpu: Duration,
    skipped: Duration,
}

impl Mark {
    /// Return the span from this mark to now.
    pub fn span(&self, clock: &RunClock) -> Span {
        Span {
            wall: self.wall.elapsed(),
            cpu: cpu_time().saturating_sub(self.cpu),
            skipped: clock.skipped - self.skipped,
        }
    }
}

/// A span of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU time of the process.
    pub cpu: Duration,
    /// Time skipped while both stacks waited for a timer.
    pub skipped: Duration,
}

impl Span {
    /// Return the time the run took: CPU time plus the time skipped. On a
    /// machine shared with other work the wall clock counts the time other
    /// processes ran; the CPU time of this one-thread process does not. On
    /// an idle machine the two agree.
    pub fn elapsed(&self) -> Duration {
        self.cpu + self.skipped
    }
}
