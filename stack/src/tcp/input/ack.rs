//! RFC 9293 3.10.7.4 fifth: the ACK field. SND.UNA, the retransmission
//! queue, RTT samples (RFC 6298, Karn), congestion control (RFC 5681,
//! RFC 6582), SACK (RFC 2018, RFC 6675) and the send window.

use core::ops::ControlFlow;
use core::time::Duration;

use crate::tcp::congestion::{AckAction, DupAckAction};
use crate::tcp::connection::Connection;
use crate::tcp::state::State;
use crate::tcp::timers::TcpTimer;
use crate::tcp::verdict::{Verdict, Why};
use crate::tcp::SeqNumber;
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpRepr};

impl Connection {
    /// Fifth: "if the ACK bit is off, drop the segment and return"; RFC 5961
    /// 5.2's range check; then the state's own rules.
    pub(super) fn check_ack(&mut self, now: Instant, seg: &TcpRepr<'_>) -> ControlFlow<Verdict> {
        if !seg.flags.contains(TcpFlags::ACK) {
            return ControlFlow::Break(Verdict::Dropped(Why::NoAck));
        }
        let ack = seg.ack_number;
        // A CLOSE in SYN-RECEIVED sent the FIN before our SYN was
        // acknowledged: its ACK completes the handshake as SYN-RECEIVED's
        // would, and `enter_established` returns to FIN-WAIT-1.
        let syn_acked_late = self.syn_unacked_in_fin_wait_1() && self.snd.acks_new(ack);
        if self.state == State::SynReceived || syn_acked_late {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
            // ... If the segment acknowledgment is not acceptable, form a
            // reset segment <SEQ=SEG.ACK><CTL=RST>".
            if !self.snd.acks_new(ack) {
                self.pending.rst = Some(crate::tcp::connection::RstReply {
                    seq: ack,
                    ack: None,
                });
                return ControlFlow::Break(Verdict::Reset(Why::BadAckInSynReceived));
            }
            self.syn_acked(now, seg);
            self.enter_established();
            self.snd.wl1 = seg.seq_number - 1; // so the window below is taken
        }
        // RFC 5961 5.2: acceptable only if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
        let oldest = self.snd.una - self.snd.max_wnd;
        if !ack.in_range_inclusive(oldest, self.snd.nxt) {
            return ControlFlow::Break(self.challenge_ack(now, Why::AckOutsideWindow));
        }
        self.process_ack(now, seg);
        match self.state {
            State::FinWait1 if self.fin_acked() => self.state = State::FinWait2,
            State::Closing => {
                if !self.fin_acked() {
                    // "otherwise, ignore the segment".
                    return ControlFlow::Break(Verdict::Accepted);
                }
                self.enter_time_wait(now);
            }
            State::LastAck if self.fin_acked() => {
                // "delete the TCB, enter the CLOSED state, and return".
                self.enter_closed(None);
                return ControlFlow::Break(Verdict::Accepted);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    /// The ESTABLISHED rules for an acceptable ACK: new data acknowledged,
    /// duplicate ACKs counted, SACK blocks recorded, the window updated.
    fn process_ack(&mut self, now: Instant, seg: &TcpRepr<'_>) {
        let ack = seg.ack_number;
        let old_wnd = self.snd.wnd;
        if self.sack_ok {
            if let Some(blocks) = seg.sack_blocks() {
                self.scoreboard
                    .on_ack(self.snd.una, self.snd.nxt, blocks.as_slice());
            }
        }
        if self.snd.acks_new(ack) {
            self.new_ack(now, seg);
        } else if ack == self.snd.una && self.is_duplicate_ack(seg, old_wnd) {
            self.duplicate_ack();
        }
        self.last_ack = now;
        self.update_window(seg);
        if old_wnd == 0
            && self.snd.wnd > 0
            && self.snd.outstanding() == 1
            && self.snd.una < self.data_end()
        {
            // The window opened and the one outstanding octet is a probe the
            // peer did not take: send it again at the head of the data, not
            // alone (Nagle would hold the rest behind it for an RTO).
            self.snd.nxt = self.snd.una;
            self.recovery.timed = None;
        }
    }

    /// RFC 5681 2's DUPLICATE ACKNOWLEDGMENT: outstanding data, no data, no
    /// SYN or FIN, SEG.ACK = SND.UNA, and the same window. A zero window is
    /// not counted: those ACKs answer window probes, not losses.
    fn is_duplicate_ack(&self, seg: &TcpRepr<'_>, old_wnd: u32) -> bool {
        let wnd = u32::from(seg.window) << self.snd.shift;
        self.snd.outstanding() > 0
            && seg.payload.is_empty()
            && !seg.flags.intersects(TcpFlags::SYN | TcpFlags::FIN)
            && wnd == old_wnd
            && wnd > 0
    }

    /// SND.UNA < SEG.ACK =< SND.NXT: release acknowledged data, sample the
    /// RTT, grow cwnd, restart or stop the retransmission timer.
    fn new_ack(&mut self, now: Instant, seg: &TcpRepr<'_>) {
        let ack = seg.ack_number;
        let flight = self.snd.outstanding();
        let acked = (ack - self.snd.una) as usize;
        // Data bytes acknowledged: the FIN, if acknowledged, is not data.
        let data_acked = ((ack.min(self.data_end()) - self.data_base).max(0)) as usize;
        self.send_queue.release(data_acked);
        self.data_base += data_acked as u32;
        self.snd.una = ack;
        if self.snd.up_valid && self.snd.up <= ack {
            self.snd.up_valid = false;
        }
        // Karn's algorithm (MUST-18; RFC 6298 5, the note after 5.7): only
        // a valid sample collapses a backed-off RTO (`on_sample` clears the
        // backoff); the ACK of a retransmission keeps it for the next segment.
        self.take_rtt_sample(now, seg, ack);
        self.recovery.count = 0;
        self.recovery.persist_backoff = 0;
        self.recovery.high_rxt = self.recovery.high_rxt.max(ack);
        if let Some(next) = self.pending.rtx_next {
            self.pending.rtx_next = (next.max(ack) < self.snd.nxt).then(|| next.max(ack));
        }
        let action = self.cc.on_ack(now, acked, ack, flight);
        if action == AckAction::RetransmitFirstUnacked && !self.sack_recovery() {
            // RFC 6582 3.2 step 5: a partial ACK retransmits the first
            // unacknowledged segment (with SACK, NextSeg() chooses instead).
            self.pending.rtx_first = true;
        }
        // RFC 6298 5.2/5.3: stop the timer when all is acknowledged, else restart it.
        if self.snd.outstanding() == 0 {
            self.timers.stop(TcpTimer::Retransmit);
            self.recovery.since = None;
        } else {
            self.recovery.since = Some(now);
            let deadline = self.retransmit_deadline(now);
            self.timers.set(TcpTimer::Retransmit, deadline);
        }
        self.signal_writable();
    }

    /// A duplicate ACK: fast retransmit on the third; before it, limited
    /// transmit (RFC 3042) through [`NewReno::window`](crate::tcp::congestion::NewReno::window).
    fn duplicate_ack(&mut self) {
        let flight = self.snd.outstanding();
        if self.cc.on_duplicate_ack(self.snd.nxt, flight) == DupAckAction::FastRetransmit {
            // RFC 5681 3.2 step 2 / RFC 6675 5 step 4: retransmit the first
            // unacknowledged segment; SACK recovery starts from SND.UNA.
            self.pending.rtx_first = true;
            self.recovery.high_rxt = self.snd.una;
            self.recovery.rescue_rxt = None;
        }
    }

    /// RFC 6298 with Karn (MUST-18): sample from the echoed timestamp when
    /// timestamps are on (RFC 7323 4.1, valid even for retransmissions), or
    /// from the one timed segment, forgotten on any retransmission.
    pub(in crate::tcp) fn take_rtt_sample(
        &mut self,
        now: Instant,
        seg: &TcpRepr<'_>,
        ack: SeqNumber,
    ) {
        if self.ts.enabled {
            if let Some(ts) = seg.timestamps().filter(|ts| ts.tsecr != 0) {
                let ms = self.ts.tsval(now).wrapping_sub(ts.tsecr);
                if (ms as i32) >= 0 {
                    self.rtt.on_sample(Duration::from_millis(u64::from(ms)));
                    return;
                }
            }
        }
        if let Some((end, sent)) = self.recovery.timed {
            if ack >= end {
                self.rtt.on_sample(now.saturating_duration_since(sent));
                self.recovery.timed = None;
            }
        }
    }

    /// "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated.
    /// If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK))".
    fn update_window(&mut self, seg: &TcpRepr<'_>) {
        let (seq, ack) = (seg.seq_number, seg.ack_number);
        let in_range = ack.in_range_inclusive(self.snd.una, self.snd.nxt);
        if in_range && (self.snd.wl1 < seq || (self.snd.wl1 == seq && self.snd.wl2 <= ack)) {
            // RFC 7323 2.3: the window of a non-SYN segment is scaled (REC-1: 32 bits).
            self.snd.wnd = u32::from(seg.window) << self.snd.shift;
            self.snd.wl1 = seq;
            self.snd.wl2 = ack;
            self.snd.max_wnd = self.snd.max_wnd.max(self.snd.wnd);
        }
    }
}
