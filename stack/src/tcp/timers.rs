//! The timer table (quinn-proto `connection/timer.rs`): one deadline per
//! timer; `poll_timeout` is the earliest, `handle_timeout` walks the expired
//! ones in [`TcpTimer::ALL`] order.

use crate::time::Instant;

/// The connection's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpTimer {
    /// TIME-WAIT's 2MSL (RFC 9293 3.6.1, MUST-13).
    TimeWait,
    /// Retransmission of the oldest unacknowledged segment or SYN (RFC 6298).
    Retransmit,
    /// Zero-window probe (RFC 9293 3.8.6.1, MUST-35/36, SHLD-29/30).
    Persist,
    /// Delayed ACK (RFC 9293 3.8.6.3, SHLD-18, MUST-40).
    DelayedAck,
    /// Sender silly-window override (RFC 9293 3.8.6.2.1), and the bound on
    /// how long un-pushed data waits (MUST-60).
    Override,
    /// Keep-alive (RFC 9293 3.8.4).
    Keepalive,
}

impl TcpTimer {
    /// Every timer, in the order expired ones are handled.
    pub const ALL: [TcpTimer; 6] = [
        TcpTimer::TimeWait,
        TcpTimer::Retransmit,
        TcpTimer::Persist,
        TcpTimer::DelayedAck,
        TcpTimer::Override,
        TcpTimer::Keepalive,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// A deadline per timer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimerTable {
    deadlines: [Option<Instant>; TcpTimer::ALL.len()],
}

impl TimerTable {
    /// Arm `timer` to fire at `at` (replacing any earlier deadline).
    pub fn set(&mut self, timer: TcpTimer, at: Instant) {
        self.deadlines[timer.index()] = Some(at);
    }

    /// Arm `timer` at `at` unless it is already armed.
    pub fn set_if_idle(&mut self, timer: TcpTimer, at: Instant) {
        let slot = &mut self.deadlines[timer.index()];
        if slot.is_none() {
            *slot = Some(at);
        }
    }

    /// Disarm `timer`.
    pub fn stop(&mut self, timer: TcpTimer) {
        self.deadlines[timer.index()] = None;
    }

    /// Disarm every timer.
    pub fn stop_all(&mut self) {
        self.deadlines = Default::default();
    }

    /// Return `timer`'s deadline, if armed.
    pub fn get(&self, timer: TcpTimer) -> Option<Instant> {
        self.deadlines[timer.index()]
    }

    /// Return whether `timer` is armed.
    pub fn is_armed(&self, timer: TcpTimer) -> bool {
        self.get(timer).is_some()
    }

    /// Return the earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarm and return `timer` if it is due at `now`.
    pub fn take_expired(&mut self, timer: TcpTimer, now: Instant) -> bool {
        let slot = &mut self.deadlines[timer.index()];
        if slot.is_some_and(|at| at <= now) {
            *slot = None;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_and_expiry() {
        let mut t = TimerTable::default();
        assert_eq!(t.next(), None);
        t.set(TcpTimer::Keepalive, Instant::from_secs(10));
        t.set(TcpTimer::Retransmit, Instant::from_secs(3));
        t.set_if_idle(TcpTimer::Retransmit, Instant::from_secs(1));
        assert_eq!(t.next(), Some(Instant::from_secs(3)));
        assert!(!t.take_expired(TcpTimer::Retransmit, Instant::from_secs(2)));
        assert!(t.take_expired(TcpTimer::Retransmit, Instant::from_secs(3)));
        assert!(!t.is_armed(TcpTimer::Retransmit));
        assert_eq!(t.next(), Some(Instant::from_secs(10)));
        t.stop_all();
        assert_eq!(t.next(), None);
    }
}
