//! What happens when a timer fires: retransmission with backoff and the R1
//! and R2 thresholds (RFC 9293 3.8.3, RFC 6298), zero-window probes
//! (RFC 9293 3.8.6.1), keep-alives (3.8.4), delayed ACKs, TIME-WAIT's end.

use core::time::Duration;

use super::connection::Connection;
use super::error::ConnectionError;
use super::event::TcpEvent;
use super::state::State;
use super::timers::TcpTimer;
use crate::time::Instant;

impl Connection {
    /// Handle every timer due at `now`, in [`TcpTimer::ALL`] order.
    pub fn handle_timeout(&mut self, now: Instant) {
        for timer in TcpTimer::ALL {
            if !self.timers.take_expired(timer, now) {
                continue;
            }
            match timer {
                // RFC 9293 3.10.8: "If the time-wait timeout expires on a
                // connection, delete the TCB, enter the CLOSED state".
                TcpTimer::TimeWait => self.enter_closed(None),
                TcpTimer::Retransmit => self.on_retransmit_timeout(now),
                TcpTimer::Persist => self.on_persist_timeout(now),
                TcpTimer::DelayedAck => self.pending.ack_now = true,
                TcpTimer::Override => self.pending.sws_override = true,
                TcpTimer::Keepalive => self.on_keepalive_timeout(now),
            }
        }
        self.settle_send_timers(now);
    }

    /// Give up: R2 or the user timeout passed (MUST-20), or keep-alives
    /// went unanswered. The last soft ICMP error says why, if any.
    fn time_out(&mut self) {
        self.signal(TcpEvent::TimedOut);
        let soft_error = self.soft_error;
        self.enter_closed(Some(ConnectionError::TimedOut { soft_error }));
    }

    /// RFC 6298 5.4 to 5.6: retransmit the earliest unacknowledged segment
    /// (or the SYN), back the timer off, restart it; R1 tells the
    /// application (SHLD-9), R2 closes (MUST-20; MUST-22/23 for SYNs).
    fn on_retransmit_timeout(&mut self, now: Instant) {
        let syn = matches!(self.state, State::SynSent | State::SynReceived)
            || self.syn_unacked_in_fin_wait_1();
        if !syn && self.snd.outstanding() == 0 {
            return;
        }
        let since = self.recovery.since.unwrap_or(now);
        if now.saturating_duration_since(since) >= self.give_up_after() {
            return self.time_out();
        }
        self.recovery.count += 1;
        if self.recovery.count == self.config.r1 {
            // MUST-20: "negative advice" at R1; the application hears of it.
            let retransmissions = self.recovery.count;
            self.signal(TcpEvent::RetransmissionThreshold { retransmissions });
        }
        self.rtt.backoff();
        self.recovery.timed = None;
        if syn {
            self.recovery.syn_timed_out = true;
            self.cc.on_syn_retransmitted();
            self.recovery.total += 1;
            self.pending.syn = true;
        } else {
            // RFC 5681 3.1 eq. 4; RFC 6675 5.1: the scoreboard is forgotten
            // and everything outstanding is sent again, from SND.UNA.
            self.cc.on_retransmit_timeout(self.snd.outstanding());
            self.scoreboard.clear();
            self.pending.rtx_next = Some(self.snd.una);
        }
        let deadline = self.retransmit_deadline(now);
        self.timers.set(TcpTimer::Retransmit, deadline);
    }

    /// Return when the retransmission timer armed at `now` fires: one RTO
    /// later, but never after the user timeout has run out (RFC 9293
    /// 3.10.8: "if the user timeout expires", the connection is aborted
    /// then, not at the next retransmission; MUST-21, RFC 5482). R2 alone
    /// is a threshold (3.8.3, at least 100 s) and is checked as each
    /// retransmission falls due.
    pub(super) fn retransmit_deadline(&self, now: Instant) -> Instant {
        let at = now + self.rtt.rto();
        match (self.config.user_timeout, self.recovery.since) {
            (Some(limit), Some(since)) => at.min(since + limit),
            _ => at,
        }
    }

    /// The persist timer: send a zero-window probe and back off (SHLD-30).
    /// The window may stay shut forever while the peer answers (MUST-37);
    /// only silence for R2 or the user timeout ends the connection.
    fn on_persist_timeout(&mut self, now: Instant) {
        if !self.zero_window() {
            return;
        }
        if now.saturating_duration_since(self.last_ack) >= self.give_up_after() {
            return self.time_out();
        }
        self.pending.probe = true;
        self.recovery.persist_backoff = self.recovery.persist_backoff.saturating_add(1);
        self.timers
            .set(TcpTimer::Persist, now + self.persist_interval());
    }

    /// Return the time to the next probe: one RTO (SHLD-29), doubled per
    /// probe sent (SHLD-30), at most the largest RTO.
    fn persist_interval(&self) -> Duration {
        let max = self.config.rtt.max_rto;
        let shift = self.recovery.persist_backoff.min(16);
        self.rtt.rto().saturating_mul(1 << shift).min(max)
    }

    /// Return whether data waits behind a zero send window, unsent or
    /// sent and not taken: the persist timer then replaces the
    /// retransmission timer, so the wait can last forever (MUST-37, SHLD-17).
    pub(super) fn zero_window(&self) -> bool {
        self.snd.wnd == 0 && self.snd.una < self.data_end()
    }

    /// The keep-alive timer (RFC 9293 3.8.4): only when idle (MUST-26);
    /// `count` unanswered probes end the connection (MUST-29).
    fn on_keepalive_timeout(&mut self, now: Instant) {
        let Some(ka) = self.config.keepalive else {
            return;
        };
        if !matches!(self.state, State::Established | State::CloseWait) {
            return;
        }
        if self.snd.outstanding() > 0 || self.snd.nxt < self.data_end() {
            // Not idle: retransmission watches the connection.
            self.timers.set(TcpTimer::Keepalive, now + ka.idle);
            return;
        }
        if self.recovery.keepalive_probes >= ka.count {
            return self.time_out();
        }
        self.recovery.keepalive_probes += 1;
        self.pending.keepalive = true;
        self.timers.set(TcpTimer::Keepalive, now + ka.interval);
    }

    /// Arm or stop the retransmission and persist timers for what is
    /// outstanding and what waits (RFC 6298 5.1, RFC 9293 3.8.6.1).
    pub(super) fn settle_send_timers(&mut self, now: Instant) {
        if !self.state.is_synchronized()
            || matches!(self.state, State::SynReceived | State::TimeWait)
        {
            return;
        }
        if self.zero_window() {
            self.timers.stop(TcpTimer::Retransmit);
            if !self.timers.is_armed(TcpTimer::Persist) {
                self.timers
                    .set(TcpTimer::Persist, now + self.persist_interval());
            }
            return;
        }
        self.timers.stop(TcpTimer::Persist);
        self.recovery.persist_backoff = 0;
        if self.snd.outstanding() > 0 {
            let deadline = self.retransmit_deadline(now);
            self.timers.set_if_idle(TcpTimer::Retransmit, deadline);
        } else {
            self.timers.stop(TcpTimer::Retransmit);
        }
    }
}
