//! RFC 9293 3.10.7.4, the synchronized states: the first to fourth checks.

use core::ops::ControlFlow;

use crate::tcp::connection::Connection;
use crate::tcp::error::ConnectionError;
use crate::tcp::event::{ResetCause, TcpEvent};
use crate::tcp::options::timestamps_of;
use crate::tcp::state::State;
use crate::tcp::timers::TcpTimer;
use crate::tcp::verdict::{Verdict, Why};
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpRepr};

/// The least time between two ACKs that answer bare ACKs which failed the
/// acceptability test or PAWS (Linux's `tcp_invalid_ratelimit` default).
pub const OOW_ACK_INTERVAL: core::time::Duration = core::time::Duration::from_millis(500);

impl Connection {
    /// SYN-RECEIVED to TIME-WAIT: the checks, in the RFC's order. The third
    /// (security) is not applicable: no IP security option is in use.
    pub(super) fn arrives_synchronized(
        &mut self,
        now: Instant,
        seg: &TcpRepr<'_>,
    ) -> ControlFlow<Verdict, Verdict> {
        let trimmed = self.crossed_syn_ack(seg);
        let seg = trimmed.as_ref().unwrap_or(seg);
        self.check_sequence(now, seg)?; // first: PAWS and the acceptability test
        self.check_rst(now, seg)?; // second: RFC 5961 3.2
        self.check_syn(now, seg)?; // fourth: RFC 5961 4.2
        self.check_ack(now, seg)?; // fifth
        self.process_text(now, seg)?; // sixth (URG) and seventh
        self.check_fin(now, seg) // eighth
    }

    /// The peer's SYN,ACK of a simultaneous open (RFC 9293 3.5, figure 8,
    /// MUST-10), crossing ours: it repeats the SYN we took in SYN-SENT, and
    /// its ACK covers our SYN. Return it with that old SYN trimmed off, as
    /// 3.10.7.4 allows ("trimming off any portions that lie outside the
    /// window (including SYN and FIN) and only processing further if the
    /// segment then begins at RCV.NXT"): an ACK at RCV.NXT that takes the
    /// connection to ESTABLISHED, as the figure shows, where the segment
    /// whole would fail the acceptability test. As a whole it repeats old
    /// sequence space, which the first check answers with an ACK: one is
    /// sent (as Linux and the BSDs do). The same after a CLOSE in
    /// SYN-RECEIVED, while our SYN is unacknowledged in FIN-WAIT-1.
    fn crossed_syn_ack<'a>(&mut self, seg: &TcpRepr<'a>) -> Option<TcpRepr<'a>> {
        let flags = seg.flags;
        let crossing = (self.state == State::SynReceived || self.syn_unacked_in_fin_wait_1())
            && flags.contains(TcpFlags::SYN | TcpFlags::ACK)
            && !flags.contains(TcpFlags::RST)
            && seg.seq_number == self.rcv.irs
            && self.snd.acks_new(seg.ack_number);
        if !crossing {
            return None;
        }
        self.pending.ack_now = true;
        Some(TcpRepr {
            seq_number: seg.seq_number + 1,
            flags: flags - TcpFlags::SYN,
            ..*seg
        })
    }

    /// First: PAWS (RFC 7323 5.3), then the four cases of the acceptability
    /// test (RFC 9293 3.10.7.4):
    ///
    /// | SEG.LEN | RCV.WND | test |
    /// |---|---|---|
    /// | 0 | 0 | SEG.SEQ = RCV.NXT |
    /// | 0 | >0 | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND |
    /// | >0 | 0 | not acceptable |
    /// | >0 | >0 | either end of the segment in the window |
    ///
    /// A zero window still takes valid ACKs, URGs and RSTs (MUST-66): a
    /// segment at RCV.NXT passes, and its data is trimmed away later.
    pub(super) fn check_sequence(
        &mut self,
        now: Instant,
        seg: &TcpRepr<'_>,
    ) -> ControlFlow<Verdict> {
        let rst = seg.flags.contains(TcpFlags::RST);
        // Read once: finding the option walks the options area.
        let timestamps = if self.ts.enabled {
            timestamps_of(seg)
        } else {
            None
        };
        if self.ts.enabled && !rst {
            // RFC 7323 5.3: RSTs are acceptable whatever their timestamp.
            match timestamps {
                // RFC 7323 3.2: "If a non-<RST> segment is received without a
                // TSopt, a TCP SHOULD silently drop the segment."
                None => return ControlFlow::Break(Verdict::Dropped(Why::MissingTimestamp)),
                Some(ts) if self.ts.paws_rejects(ts.tsval, now) => {
                    if self.oow_ack_limited(now, seg) {
                        let why = Why::PawsRejected;
                        return ControlFlow::Break(Verdict::ChallengeAckLimited(why));
                    }
                    self.pending.ack_now = true;
                    return ControlFlow::Break(Verdict::Acked(Why::PawsRejected));
                }
                Some(_) => {}
            }
        }
        if !self.acceptable(seg) {
            return ControlFlow::Break(self.unacceptable(now, seg));
        }
        if let Some(ts) = timestamps {
            self.ts.update_recent(seg.seq_number, ts.tsval, now);
        }
        ControlFlow::Continue(())
    }

    /// Return whether `seg` passes the acceptability test (see [`Self::check_sequence`]).
    fn acceptable(&self, seg: &TcpRepr<'_>) -> bool {
        let len = seg.segment_len() as u32;
        let (nxt, wnd, seq) = (self.rcv.nxt, self.rcv.wnd(), seg.seq_number);
        match (len, wnd) {
            (0, 0) => seq == nxt,
            (0, _) => seq.in_window(nxt, wnd),
            // MUST-66: RST and URG processed even with a zero window.
            (_, 0) => seq == nxt,
            (_, _) => seq.in_window(nxt, wnd) || (seq + (len - 1)).in_window(nxt, wnd),
        }
    }

    /// "If an incoming segment is not acceptable, an acknowledgment should be
    /// sent in reply (unless the RST bit is set, if so drop the segment and
    /// return)".
    fn unacceptable(&mut self, now: Instant, seg: &TcpRepr<'_>) -> Verdict {
        let flags = seg.flags;
        if flags.contains(TcpFlags::RST) {
            // RFC 5961 3.2 1: a RST outside the window is silently dropped.
            return Verdict::Dropped(Why::RstOutOfWindow);
        }
        if (self.state == State::SynReceived || self.syn_unacked_in_fin_wait_1())
            && flags.contains(TcpFlags::SYN)
            && seg.seq_number == self.rcv.irs
        {
            // The peer did not get our SYN,ACK: our "acknowledgment" in
            // SYN-RECEIVED is the SYN,ACK itself.
            self.pending.syn = true;
            return Verdict::Acked(Why::DuplicateSyn);
        }
        let fin_end = seg.seq_number + seg.segment_len() as u32;
        if self.state == State::TimeWait && flags.contains(TcpFlags::FIN) && fin_end == self.rcv.nxt
        {
            // "The only thing that can arrive in this state is a retransmission
            // of the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
            self.timers
                .set(TcpTimer::TimeWait, now + 2 * self.config.msl);
            self.pending.ack_now = true;
            return Verdict::Acked(Why::RetransmittedFin);
        }
        if self.oow_ack_limited(now, seg) {
            return Verdict::ChallengeAckLimited(Why::Unacceptable);
        }
        self.pending.ack_now = true;
        Verdict::Acked(Why::Unacceptable)
    }

    /// Return whether to hold back the ACK that answers `seg`, a segment
    /// that failed the acceptability test or PAWS: only a bare ACK (no
    /// data, SYN, FIN or RST), and only within [`OOW_ACK_INTERVAL`] of the
    /// last such answer.
    ///
    /// Two ends can each find the other's ACKs unacceptable: our FIN went
    /// into the peer's zero window, so our ACKs carry SND.NXT past it, and
    /// the peer's answers, reordered, fail PAWS here (RFC 7323 5.3). Each
    /// side answering every such ACK (RFC 9293 3.10.7.4: "an
    /// acknowledgment should be sent in reply") makes a loop, and the
    /// `pair` fuzz target found it growing into an ACK storm on a link that
    /// duplicates. "Should" leaves room; Linux limits the same answers the
    /// same way (`tcp_invalid_ratelimit`, 500 ms, after RFC 5961 7's
    /// throttling of challenge ACKs).
    pub(super) fn oow_ack_limited(&mut self, now: Instant, seg: &TcpRepr<'_>) -> bool {
        let bare = seg.payload.is_empty()
            && !seg
                .flags
                .intersects(TcpFlags::SYN | TcpFlags::FIN | TcpFlags::RST);
        if !bare {
            return false;
        }
        let recent = self
            .last_oow_ack
            .is_some_and(|at| now.saturating_duration_since(at) < OOW_ACK_INTERVAL);
        if !recent {
            self.last_oow_ack = Some(now);
        }
        recent
    }

    /// Second: the RST bit (RFC 5961 3.2). A RST exactly at RCV.NXT resets
    /// the connection; one elsewhere in the window draws a challenge ACK.
    pub(super) fn check_rst(&mut self, now: Instant, seg: &TcpRepr<'_>) -> ControlFlow<Verdict> {
        if !seg.flags.contains(TcpFlags::RST) {
            return ControlFlow::Continue(());
        }
        if seg.seq_number != self.rcv.nxt {
            return ControlFlow::Break(self.challenge_ack(now, Why::RstInWindowNotExact));
        }
        ControlFlow::Break(match self.state {
            State::SynReceived if self.passive => {
                // MUST-11: "If this connection was initiated with a passive
                // OPEN (i.e., came from the LISTEN state), then return this
                // connection to the LISTEN state and return."
                self.return_to_listen();
                Verdict::ReturnToListen(Why::ResetByPeer)
            }
            State::SynReceived => {
                // "...initiated with an active OPEN ... the connection was refused".
                self.signal(TcpEvent::Reset(ResetCause::Refused));
                self.enter_closed(Some(ConnectionError::Refused));
                Verdict::Closed(Why::Refused)
            }
            State::TimeWait if self.config.ignore_rst_in_time_wait => {
                Verdict::Dropped(Why::RstInTimeWait)
            }
            State::Closing | State::LastAck | State::TimeWait => {
                // "enter the CLOSED state, delete the TCB, and return".
                self.enter_closed(None);
                Verdict::Closed(Why::ResetByPeer)
            }
            _ => {
                // "any outstanding RECEIVEs and SEND should receive 'reset'
                // responses. All segment queues should be flushed." (SHLD-3)
                self.signal(TcpEvent::Reset(ResetCause::ByPeer));
                self.enter_closed(Some(ConnectionError::Reset));
                Verdict::Closed(Why::ResetByPeer)
            }
        })
    }

    /// Fourth: the SYN bit. A passive SYN-RECEIVED returns to LISTEN;
    /// anywhere else it draws a challenge ACK (RFC 5961 4.2), whatever its
    /// sequence number.
    pub(super) fn check_syn(&mut self, now: Instant, seg: &TcpRepr<'_>) -> ControlFlow<Verdict> {
        if !seg.flags.contains(TcpFlags::SYN) {
            return ControlFlow::Continue(());
        }
        if self.state == State::SynReceived && self.passive {
            self.return_to_listen();
            return ControlFlow::Break(Verdict::ReturnToListen(Why::SynInSynReceived));
        }
        ControlFlow::Break(self.challenge_ack(now, Why::SynInSynchronized))
    }

    /// Go back to LISTEN, forgetting the peer's SYN (MUST-11).
    fn return_to_listen(&mut self) {
        self.state = State::Listen;
        self.timers.stop_all();
        self.send_queue.clear();
        self.pending = Default::default();
        self.recovery = Default::default();
        self.fin_queued = false;
        self.signal(TcpEvent::ReturnedToListen);
    }
}
