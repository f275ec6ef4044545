//! What to send next: RSTs, SYNs, retransmissions, new data under the send
//! window, cwnd, Nagle and sender SWS avoidance, FIN, probes and ACKs.

use super::config::Sabotage;
use super::connection::Connection;
use super::input::rst_segment;
use super::options::{segment_options, SynOffer};
use super::scoreboard::{NextSeg, RecoveryVars};
use super::state::State;
use super::timers::TcpTimer;
use super::SeqNumber;
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpOptions, TcpRepr};

/// The length of `nop, nop, TS` (RFC 7323 Appendix A), a multiple of 4.
const TIMESTAMPS_LEN: usize = 12;

/// The one octet of a keep-alive that carries garbage (MAY-6).
static GARBAGE_OCTET: [u8; 1] = [0];

/// Where a segment's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payload {
    /// No data.
    None,
    /// `len` octets of the send queue from sequence number `seq`.
    Queue { len: usize },
    /// The keep-alive's garbage octet.
    Garbage,
}

/// A segment decided on, before the ACK, window and options are filled in.
#[derive(Debug, Clone, Copy)]
struct Plan {
    seq: SeqNumber,
    flags: TcpFlags,
    payload: Payload,
}

impl Plan {
    fn ack(seq: SeqNumber) -> Plan {
        Plan {
            seq,
            flags: TcpFlags::ACK,
            payload: Payload::None,
        }
    }
}

impl Connection {
    /// Return the next segment to send, if any (see the module docs of
    /// [`connection`](super::connection) for the polling order). The data
    /// borrows the send buffer.
    pub fn poll_segment(&mut self, now: Instant) -> Option<TcpRepr<'_>> {
        let (local, remote) = (self.tuple.local.port(), self.tuple.remote.port());
        if let Some(rst) = self.pending.rst.take() {
            return Some(rst_segment(local, remote, rst));
        }
        // The options of the segment, worked out once (planning needs their
        // length only when there is data to send) and reused by `build`:
        // nothing between the two changes them.
        let mut options = None;
        let plan = match self.state {
            State::Closed | State::Listen => return None,
            // In FIN-WAIT-1 only while the SYN is unacknowledged (see
            // `syn_unacked_in_fin_wait_1`).
            State::SynSent | State::SynReceived | State::FinWait1 if self.pending.syn => {
                return Some(self.syn_segment(now))
            }
            State::SynSent => return None,
            State::SynReceived | State::TimeWait => self.ack_plan(),
            _ => self.data_plan(now, &mut options),
        };
        // Data may have been queued since the last call: arm what it needs.
        self.settle_send_timers(now);
        let plan = plan?;
        let options = options.unwrap_or_else(|| self.next_options(now));
        Some(self.build(now, plan, options))
    }

    /// Our SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED): `<SEQ=ISS><CTL=SYN>`
    /// or `<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>`, with the options offered
    /// or agreed (RFC 7323 2.2, 3.2; RFC 2018 2), the MSS always (MAY-3).
    fn syn_segment(&mut self, now: Instant) -> TcpRepr<'_> {
        self.pending.syn = false;
        let active = self.state == State::SynSent;
        let offer = SynOffer {
            mss: self.config.mss,
            sack: if active {
                self.config.sack
            } else {
                self.sack_ok
            },
            timestamps: if active {
                self.config
                    .timestamps
                    .then(|| crate::wire::tcp::Timestamps {
                        tsval: self.ts.tsval(now),
                        tsecr: 0,
                    })
            } else {
                self.ts.option(now)
            },
            window_shift: if active {
                self.config
                    .window_scaling
                    .then(|| self.config.window_shift())
            } else {
                self.wscale_ok.then_some(self.rcv.shift)
            },
        };
        let mut flags = TcpFlags::SYN;
        let mut ack = SeqNumber(0);
        if !active {
            flags |= TcpFlags::ACK;
            ack = self.rcv.nxt;
            self.ts.last_ack_sent = ack;
            self.pending.ack_now = false;
        }
        if self.recovery.count == 0 {
            self.recovery.timed = Some((self.snd.iss + 1, now));
        }
        self.recovery.since.get_or_insert(now);
        let deadline = self.retransmit_deadline(now);
        self.timers.set_if_idle(TcpTimer::Retransmit, deadline);
        TcpRepr {
            src_port: self.tuple.local.port(),
            dst_port: self.tuple.remote.port(),
            seq_number: self.snd.iss,
            ack_number: ack,
            flags,
            window: self.syn_window(),
            urgent_pointer: 0,
            options: offer.to_options(),
            payload: &[],
        }
    }

    /// Only an ACK, if one is owed.
    fn ack_plan(&mut self) -> Option<Plan> {
        (self.pending.ack_now || self.window_update_due()).then(|| Plan::ack(self.snd.nxt))
    }

    /// The synchronized states: retransmissions first, then new data and
    /// FIN, then probes, then a bare ACK.
    fn data_plan(&mut self, now: Instant, options: &mut Option<TcpOptions>) -> Option<Plan> {
        if let Some(plan) = self.retransmit_plan(now, options) {
            return Some(plan);
        }
        if let Some(plan) = self.new_data_plan(now, options) {
            return Some(plan);
        }
        if self.pending.probe {
            self.pending.probe = false;
            if let Some(plan) = self.probe_plan() {
                return Some(plan);
            }
        }
        if self.pending.keepalive {
            self.pending.keepalive = false;
            // RFC 9293 3.8.4: "SEG.SEQ = SND.NXT-1", no data (SHLD-12) or one
            // garbage octet (MAY-6).
            let garbage = self.config.keepalive.is_some_and(|ka| ka.garbage_octet);
            let payload = if garbage {
                Payload::Garbage
            } else {
                Payload::None
            };
            return Some(Plan {
                seq: self.snd.nxt - 1,
                flags: TcpFlags::ACK,
                payload,
            });
        }
        self.ack_plan()
    }

    /// Return the payload room of a segment with `options`: Eff.snd.MSS less
    /// the options (RFC 9293 3.7.1, MUST-16; RFC 6691).
    fn room_for(&self, options: &TcpOptions) -> usize {
        self.snd_mss.saturating_sub(options.padded_len()).max(1)
    }

    /// Return the payload room of our next segment, working its options
    /// out into `options` unless they already are.
    fn room(&self, now: Instant, options: &mut Option<TcpOptions>) -> usize {
        if options.is_none() && !(self.sack_ok && self.recv_queue.has_out_of_order()) {
            // No SACK blocks to send: the options are `nop, nop, TS` or
            // none, whose length is known without building them (which
            // `poll_segment` then does once, for the segment).
            let len = if self.ts.enabled { TIMESTAMPS_LEN } else { 0 };
            return self.snd_mss.saturating_sub(len).max(1);
        }
        let options = options.get_or_insert_with(|| self.next_options(now));
        self.room_for(options)
    }

    /// Return the options of our next non-SYN segment (never MSS, MUST-65).
    fn next_options(&self, now: Instant) -> TcpOptions {
        let sack = if self.sack_ok && self.recv_queue.has_out_of_order() {
            let max = if self.ts.enabled { 3 } else { 4 };
            self.recv_queue.sack_blocks(self.rcv.nxt, max)
        } else {
            None
        };
        segment_options(self.ts.option(now), sack)
    }

    /// Return the bytes in flight for cwnd: after a timeout, what was
    /// retransmitted so far (the rest is presumed lost); in SACK recovery,
    /// RFC 6675's pipe; else SND.NXT - SND.UNA.
    pub(super) fn in_flight(&self) -> usize {
        if let Some(next) = self.pending.rtx_next {
            return (next - self.snd.una).max(0) as usize;
        }
        if self.sack_recovery() {
            let (una, nxt, high) = (self.snd.una, self.snd.nxt, self.recovery.high_rxt);
            return self.scoreboard.pipe(una, nxt, high, self.smss());
        }
        self.snd.outstanding()
    }

    /// Return whether RFC 6675 loss recovery drives retransmissions.
    pub(super) fn sack_recovery(&self) -> bool {
        self.sack_ok && self.cc.in_recovery() && self.scoreboard.sacked_bytes() > 0
    }

    /// Retransmissions: the first unacknowledged segment (fast retransmit,
    /// partial ACK), RFC 6675 NextSeg() holes, or go-back-N after a timeout.
    /// Like new data, each leaves room for the options it will carry, SACK
    /// blocks included (MUST-16).
    fn retransmit_plan(&mut self, now: Instant, options: &mut Option<TcpOptions>) -> Option<Plan> {
        if !self.pending.rtx_first && self.pending.rtx_next.is_none() && !self.sack_recovery() {
            return None;
        }
        let limit = self.room(now, options);
        if self.pending.rtx_first {
            self.pending.rtx_first = false;
            if let Some(plan) = self.segment_at(self.snd.una, limit) {
                let end = self.snd.una + plan_len(&plan) as u32;
                self.recovery.high_rxt = self.recovery.high_rxt.max(end);
                if self.cc.in_recovery() && self.recovery.rescue_rxt.is_none() {
                    // RFC 6675 5 (4.3): "To prevent repeated retransmission
                    // of the same data or a premature rescue retransmission,
                    // set both HighRxt and RescueRxt to the highest sequence
                    // number in the retransmitted segment."
                    self.recovery.rescue_rxt = Some(end);
                }
                return Some(self.retransmitted(plan));
            }
        }
        if self.sack_recovery() {
            return self.sack_plan(limit);
        }
        let next = self.pending.rtx_next?;
        let flight = self.in_flight();
        if flight > 0 && flight + self.smss() > self.congestion_window() {
            return None;
        }
        let Some(plan) = self.segment_at(next, limit) else {
            self.pending.rtx_next = None;
            return None;
        };
        let end = next + plan_len(&plan) as u32 + u32::from(plan.flags.contains(TcpFlags::FIN));
        self.pending.rtx_next = (end < self.snd.nxt).then_some(end);
        Some(self.retransmitted(plan))
    }

    /// RFC 6675 5 (C): while cwnd - pipe is at least one SMSS, NextSeg()
    /// chooses: a lost hole (rule 1), new data (rule 2, left to the new-data
    /// path), a hole below SACKed data (rule 3) or the rescue retransmission
    /// (rule 4).
    fn sack_plan(&mut self, limit: usize) -> Option<Plan> {
        let smss = self.smss();
        if self.in_flight() + smss > self.congestion_window() {
            return None;
        }
        let vars = RecoveryVars {
            snd_una: self.snd.una,
            snd_nxt: self.snd.nxt,
            high_rxt: self.recovery.high_rxt.max(self.snd.una),
            rescue_rxt: self.recovery.rescue_rxt,
            smss,
            new_data: self.snd.nxt < self.data_end() && self.snd.nxt < self.snd.una + self.snd.wnd,
        };
        let (seq, len, rescue) = match self.scoreboard.next_seg_rules(&vars)? {
            NextSeg::Lost { seq, len } | NextSeg::Unsacked { seq, len } => (seq, len, false),
            NextSeg::Rescue { seq, len } => (seq, len, true),
            NextSeg::NewData => return None,
        };
        let plan = self.segment_at(seq, len.min(limit))?;
        if rescue {
            // "RescueRxt MUST be set to RecoveryPoint. HighRxt MUST NOT be updated."
            self.recovery.rescue_rxt = self.cc.recover();
        } else {
            self.recovery.high_rxt = seq + plan_len(&plan) as u32;
        }
        Some(self.retransmitted(plan))
    }

    /// Return the window that bounds what is in flight: NewReno's (cwnd, or
    /// more for limited transmit); in SACK recovery, ssthresh, since pipe
    /// already counts what left the network (RFC 6675 5 step 4.2: "cwnd =
    /// ssthresh", no inflation).
    pub(super) fn congestion_window(&self) -> usize {
        if self.sack_recovery() {
            self.cc.ssthresh()
        } else {
            self.cc.window()
        }
    }

    /// Return the already-sent segment starting at `seq`: up to `len` octets
    /// of data below SND.NXT, and the FIN if it follows them and was sent.
    fn segment_at(&self, seq: SeqNumber, len: usize) -> Option<Plan> {
        let sent_data_end = self.snd.nxt.min(self.data_end());
        let len = len.min((sent_data_end - seq).max(0) as usize);
        let fin = self.fin_sent() && seq + len as u32 == self.data_end();
        if len == 0 && !fin {
            return None;
        }
        let mut flags = TcpFlags::ACK;
        if fin {
            flags |= TcpFlags::FIN;
        }
        if len > 0 && seq + len as u32 == self.data_end() {
            flags |= TcpFlags::PSH;
        }
        Some(Plan {
            seq,
            flags,
            payload: if len > 0 {
                Payload::Queue { len }
            } else {
                Payload::None
            },
        })
    }

    /// Count a retransmission and forget the RTT timing (Karn, MUST-18).
    fn retransmitted(&mut self, plan: Plan) -> Plan {
        self.recovery.total += 1;
        self.recovery.timed = None;
        plan
    }

    /// Zero-window probe: one octet, the first unacknowledged one if any is
    /// outstanding, else the first unsent one (RFC 9293 3.8.6.1, MUST-36).
    fn probe_plan(&mut self) -> Option<Plan> {
        if self.snd.una < self.snd.nxt.min(self.data_end()) {
            return self.segment_at(self.snd.una, 1);
        }
        if self.snd.nxt < self.data_end() {
            let plan = Plan {
                seq: self.snd.nxt,
                flags: TcpFlags::ACK,
                payload: Payload::Queue { len: 1 },
            };
            self.snd.nxt += 1;
            self.recovery.since.get_or_insert(self.last_ack);
            return Some(plan);
        }
        None
    }
}

/// Return the data length of a plan.
fn plan_len(plan: &Plan) -> usize {
    match plan.payload {
        Payload::Queue { len } => len,
        Payload::Garbage => 1,
        Payload::None => 0,
    }
}

impl Connection {
    /// New data at SND.NXT, as much as the send window, cwnd and one segment
    /// allow, if sender SWS avoidance and Nagle agree; the FIN after the data.
    fn new_data_plan(&mut self, now: Instant, options: &mut Option<TcpOptions>) -> Option<Plan> {
        if self.pending.rtx_next.is_some() {
            return None;
        }
        let seq = self.snd.nxt;
        let unsent = (self.data_end() - seq).max(0) as usize;
        if unsent == 0 {
            // The FIN does not wait for the window: it carries no data.
            let fin_due = self.fin_queued && seq == self.data_end();
            if fin_due {
                self.snd.nxt += 1;
                self.recovery.since.get_or_insert(now);
            }
            return fin_due.then_some(Plan {
                seq,
                flags: TcpFlags::ACK | TcpFlags::FIN,
                payload: Payload::None,
            });
        }
        let mut usable = ((self.snd.una + self.snd.wnd) - seq).max(0) as usize;
        if self.config.sabotage == Some(Sabotage::IgnorePeerWindow) {
            usable = unsent;
        }
        let flight = self.in_flight();
        let cwnd = self.congestion_window();
        let allowed = unsent.min(usable).min(cwnd.saturating_sub(flight));
        if allowed == 0 {
            return None;
        }
        let limit = self.room(now, options);
        let len = allowed.min(limit);
        if !self.worth_sending(seq, len, unsent, flight, limit) {
            if flight == 0 {
                self.timers
                    .set_if_idle(TcpTimer::Override, now + self.config.sws_override);
            }
            return None;
        }
        self.pending.sws_override = false;
        self.timers.stop(TcpTimer::Override);
        let end = seq + len as u32;
        let mut flags = TcpFlags::ACK;
        // MUST-61: PSH on the segment that carries the last pushed octet or
        // empties the buffer; successive pushes collapse into one (SHLD-27).
        if (self.push_end > seq && self.push_end <= end) || end == self.data_end() {
            flags |= TcpFlags::PSH;
        }
        let fin = self.fin_queued && end == self.data_end();
        if fin {
            flags |= TcpFlags::FIN;
        }
        self.snd.nxt = end + u32::from(fin);
        if self.recovery.timed.is_none() {
            self.recovery.timed = Some((end, now));
        }
        self.recovery.since.get_or_insert(now);
        Some(Plan {
            seq,
            flags,
            payload: Payload::Queue { len },
        })
    }

    /// Sender SWS avoidance (RFC 9293 3.8.6.2.1, MUST-38) with Nagle
    /// (RFC 9293 3.7.4, SHLD-7; off with `nodelay`, MUST-17). Send when
    /// (1) a full segment can go; or, with nothing unacknowledged (Nagle)
    /// or Nagle off, (2) the data is pushed and all of it can go, or (3) at
    /// least Fs = 1/2 of the largest window can go, or (4) the override
    /// timer fired (which also bounds un-pushed data, MUST-60).
    fn worth_sending(
        &self,
        seq: SeqNumber,
        len: usize,
        unsent: usize,
        flight: usize,
        limit: usize,
    ) -> bool {
        if len >= limit {
            return true;
        }
        if !self.config.nodelay && flight > 0 {
            return false;
        }
        let pushed = self.push_end > seq || self.fin_queued;
        (pushed && len == unsent)
            || 2 * len >= self.snd.max_wnd as usize
            || self.pending.sws_override
    }

    /// Fill in the ACK, window, options and urgent pointer, note that an ACK
    /// went out, and borrow the data.
    fn build(&mut self, now: Instant, plan: Plan, options: TcpOptions) -> TcpRepr<'_> {
        let window = self.advertise_window();
        let mut flags = plan.flags | TcpFlags::ACK;
        let mut urgent_pointer = 0;
        if self.snd.up_valid && self.snd.up > plan.seq {
            // MUST-62: the pointer is the offset of the first non-urgent octet.
            flags |= TcpFlags::URG;
            urgent_pointer = (self.snd.up - plan.seq).min(i32::from(u16::MAX)) as u16;
        }
        self.pending.ack_now = false;
        self.rcv_unacked = 0;
        self.timers.stop(TcpTimer::DelayedAck);
        self.ts.last_ack_sent = self.rcv.nxt;
        let payload: &[u8] = match plan.payload {
            Payload::None => &[],
            Payload::Garbage => &GARBAGE_OCTET,
            Payload::Queue { len } => {
                self.last_send = now;
                let offset = (plan.seq - self.data_base).max(0) as usize;
                self.send_queue.slice(offset, len)
            }
        };
        let mut ack_number = self.rcv.nxt;
        if self.config.sabotage == Some(Sabotage::AckBeyondReceived) {
            ack_number += 1;
        }
        TcpRepr {
            src_port: self.tuple.local.port(),
            dst_port: self.tuple.remote.port(),
            seq_number: plan.seq,
            ack_number,
            flags,
            window,
            urgent_pointer,
            options,
            payload,
        }
    }
}
