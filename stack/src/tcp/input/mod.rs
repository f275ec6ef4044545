//! SEGMENT ARRIVES (RFC 9293 3.10.7): one arm per subsection.
//!
//! - CLOSED (3.10.7.1) and LISTEN (3.10.7.2) and SYN-SENT (3.10.7.3) here;
//! - the synchronized states (3.10.7.4) run the chain of [`sync`]:
//!   `check_sequence -> check_rst -> check_syn -> check_ack -> process_text
//!   (+URG) -> check_fin`, each returning `ControlFlow<Verdict>`.

mod ack;
mod sync;
mod text;

use core::ops::ControlFlow;

use super::connection::{Connection, RstReply};
use super::error::ConnectionError;
use super::event::{ResetCause, TcpEvent};
use super::isn::IsnGenerator;
use super::options::PeerSyn;
use super::state::State;
use super::timers::TcpTimer;
use super::verdict::{Verdict, Why};
use super::SeqNumber;
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpOptions, TcpRepr};

/// Return the RST that answers `seg` when no connection exists
/// (RFC 9293 3.10.7.1), or `None` for a RST (never a RST for a RST):
///
/// - ACK off: `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`;
/// - ACK on: `<SEQ=SEG.ACK><CTL=RST>`.
///
/// The ports are swapped; the host swaps the addresses.
pub fn reset_for(seg: &TcpRepr<'_>) -> Option<TcpRepr<'static>> {
    if seg.flags.contains(TcpFlags::RST) {
        return None;
    }
    let reply = rst_reply(seg);
    Some(rst_segment(seg.dst_port, seg.src_port, reply))
}

/// The RST of 3.10.7.1 and 3.10.7.2/3 for `seg`.
fn rst_reply(seg: &TcpRepr<'_>) -> RstReply {
    if seg.flags.contains(TcpFlags::ACK) {
        RstReply {
            seq: seg.ack_number,
            ack: None,
        }
    } else {
        RstReply {
            seq: SeqNumber(0),
            ack: Some(seg.seq_number + seg.segment_len() as u32),
        }
    }
}

/// Build a RST segment: no options, no data, window 0 (RFC 7323 5.3
/// recommends no timestamps on RSTs).
pub(super) fn rst_segment(src_port: u16, dst_port: u16, reply: RstReply) -> TcpRepr<'static> {
    let mut flags = TcpFlags::RST;
    if reply.ack.is_some() {
        flags |= TcpFlags::ACK;
    }
    TcpRepr {
        src_port,
        dst_port,
        seq_number: reply.seq,
        ack_number: reply.ack.unwrap_or_default(),
        flags,
        window: 0,
        urgent_pointer: 0,
        options: TcpOptions::new(),
        payload: &[],
    }
}

impl Connection {
    /// Process one segment for this connection (RFC 9293 3.10.7) and say
    /// what was done with it. Replies are queued for [`poll_segment`](Self::poll_segment).
    pub fn handle_segment(&mut self, now: Instant, seg: &TcpRepr<'_>) -> Verdict {
        if seg.dst_port != self.tuple.local.port() || seg.src_port != self.tuple.remote.port() {
            return Verdict::Dropped(Why::WrongPorts);
        }
        let verdict = match self.state {
            State::Closed => self.arrives_closed(seg),
            State::Listen => self.arrives_listen(now, seg),
            State::SynSent => self.arrives_syn_sent(now, seg),
            _ => match self.arrives_synchronized(now, seg) {
                ControlFlow::Break(verdict) | ControlFlow::Continue(verdict) => verdict,
            },
        };
        if self.state.is_synchronized() && !matches!(verdict, Verdict::Dropped(_)) {
            self.recovery.keepalive_probes = 0;
            self.arm_keepalive(now);
        }
        self.after_input(now);
        verdict
    }

    /// RFC 9293 3.10.7.1: "all data in the incoming segment is discarded.
    /// An incoming segment containing a RST is discarded. An incoming segment
    /// not containing a RST causes a RST to be sent in response."
    fn arrives_closed(&mut self, seg: &TcpRepr<'_>) -> Verdict {
        let sabotaged = self.config.sabotage == Some(super::Sabotage::RstForRst);
        if seg.flags.contains(TcpFlags::RST) && !sabotaged {
            return Verdict::Dropped(Why::RstIgnored);
        }
        self.pending.rst = Some(rst_reply(seg));
        Verdict::Reset(Why::NoConnection)
    }

    /// RFC 9293 3.10.7.2: LISTEN.
    fn arrives_listen(&mut self, now: Instant, seg: &TcpRepr<'_>) -> Verdict {
        // First, check for a RST: "An incoming RST segment could not be valid ... ignored".
        if seg.flags.contains(TcpFlags::RST) {
            return Verdict::Dropped(Why::RstIgnored);
        }
        // Second, an ACK: "<SEQ=SEG.ACK><CTL=RST>".
        if seg.flags.contains(TcpFlags::ACK) {
            self.pending.rst = Some(rst_reply(seg));
            return Verdict::Reset(Why::AckInListen);
        }
        // Third, a SYN (the third step's security check does not apply).
        if !seg.flags.contains(TcpFlags::SYN) {
            return Verdict::Dropped(Why::NoSynInListen);
        }
        // A fresh ISS: RFC 6528's F() for this 4-tuple plus the clock.
        let iss = SeqNumber(self.isn_key.wrapping_add(IsnGenerator::clock(now)));
        self.snd.iss = iss;
        self.snd.una = iss;
        self.snd.nxt = iss + 1;
        self.snd.up = iss;
        self.data_base = iss + 1;
        self.push_end = iss + 1;
        self.take_peer_syn(now, seg);
        // "Note that any other incoming control or data (combined with SYN)
        // will be processed in the SYN-RECEIVED state": data on the SYN is
        // not acknowledged here, so the peer sends it again.
        self.state = State::SynReceived;
        self.pending.syn = true;
        Verdict::Accepted
    }

    /// Take the peer's SYN: IRS, RCV.NXT, its window and options.
    fn take_peer_syn(&mut self, now: Instant, seg: &TcpRepr<'_>) {
        self.rcv.irs = seg.seq_number;
        self.rcv.nxt = seg.seq_number + 1;
        // The window on our SYN or SYN,ACK, never scaled (RFC 7323 2.2).
        self.rcv.adv = self.rcv.nxt + self.recv_queue.window().min(usize::from(u16::MAX)) as u32;
        self.negotiate(now, PeerSyn::parse(seg));
        // RFC 7323 2.2: "The window field in a SYN (i.e., a <SYN> or
        // <SYN,ACK>) segment itself is never scaled."
        self.snd.wnd = u32::from(seg.window);
        self.snd.max_wnd = self.snd.wnd;
        self.snd.wl1 = seg.seq_number;
        self.snd.wl2 = seg.ack_number;
    }

    /// Settle the options from the peer's SYN (RFC 9293 3.7.1, RFC 7323, RFC 2018).
    fn negotiate(&mut self, now: Instant, peer: PeerSyn) {
        // MUST-16: the effective send MSS is bounded by the peer's MSS (536
        // when absent, MUST-15) and by what our own link carries.
        self.snd_mss = usize::from(peer.mss.min(self.config.mss)).max(1);
        self.wscale_ok = false;
        match peer.window_shift {
            Some(shift) if self.config.window_scaling => {
                self.wscale_ok = true;
                self.snd.shift = shift;
                self.rcv.shift = self.config.window_shift();
            }
            _ => {
                self.snd.shift = 0;
                self.rcv.shift = 0;
            }
        }
        self.sack_ok = self.config.sack && peer.sack;
        self.ts.enabled = false;
        if let (true, Some(ts)) = (self.config.timestamps, peer.timestamps) {
            self.ts.enabled = true;
            self.ts.set_recent(ts.tsval, now);
        }
        self.cc.set_mss(self.smss());
    }

    /// RFC 9293 3.10.7.3: SYN-SENT.
    fn arrives_syn_sent(&mut self, now: Instant, seg: &TcpRepr<'_>) -> Verdict {
        let has_ack = seg.flags.contains(TcpFlags::ACK);
        let rst = seg.flags.contains(TcpFlags::RST);
        // First, the ACK: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset
        // (unless the RST bit is set, if so drop the segment and return)".
        if has_ack && (seg.ack_number <= self.snd.iss || seg.ack_number > self.snd.nxt) {
            if rst {
                return Verdict::Dropped(Why::BadAckInSynSent);
            }
            self.pending.rst = Some(rst_reply(seg));
            return Verdict::Reset(Why::BadAckInSynSent);
        }
        let ack_ok = has_ack && self.snd.acks_new(seg.ack_number);
        // Second, the RST: acceptable only with an acceptable ACK (RFC 5961 3.2 too).
        if rst {
            if !ack_ok {
                return Verdict::Dropped(Why::RstWithoutAckInSynSent);
            }
            self.signal(TcpEvent::Reset(ResetCause::Refused));
            self.enter_closed(Some(ConnectionError::Refused));
            return Verdict::Closed(Why::Refused);
        }
        // Fourth, the SYN (the third step's security check does not apply).
        if !seg.flags.contains(TcpFlags::SYN) {
            return Verdict::Dropped(Why::NoSynInSynSent);
        }
        self.take_peer_syn(now, seg);
        if ack_ok {
            self.syn_acked(now, seg);
            self.enter_established();
            self.pending.ack_now = true;
            // "If there are other controls or text in the segment, then
            // continue processing at the sixth step".
            let data_seg = TcpRepr {
                seq_number: seg.seq_number + 1,
                flags: seg.flags - TcpFlags::SYN,
                ..*seg
            };
            if let ControlFlow::Break(verdict) = self.process_text(now, &data_seg) {
                return verdict;
            }
            let (ControlFlow::Break(verdict) | ControlFlow::Continue(verdict)) =
                self.check_fin(now, &data_seg);
            return verdict;
        }
        // Simultaneous open (RFC 9293 3.5, MUST-10): "enter SYN-RECEIVED,
        // form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>".
        // Data on this SYN is not acknowledged, so the peer sends it again.
        self.state = State::SynReceived;
        self.pending.syn = true;
        self.timers.stop(TcpTimer::Retransmit);
        Verdict::Accepted
    }

    /// Our SYN was acknowledged by `seg`: SND.UNA moves past it; take an RTT
    /// sample unless the SYN was retransmitted (Karn, MUST-18).
    pub(super) fn syn_acked(&mut self, now: Instant, seg: &TcpRepr<'_>) {
        self.snd.una = seg.ack_number.min(self.snd.iss + 1);
        self.take_rtt_sample(now, seg, self.snd.una);
        self.timers.stop(TcpTimer::Retransmit);
        self.recovery.count = 0;
        self.recovery.since = None;
        self.rtt.reset_backoff();
        self.last_ack = now;
    }

    /// Answer with a challenge ACK unless the rate limit (RFC 5961 7) holds it back.
    pub(super) fn challenge_ack(&mut self, now: Instant, why: Why) -> Verdict {
        if let Some(limit) = self.config.challenge_ack_limit {
            let (start, count) = &mut self.challenge;
            if now.saturating_duration_since(*start) >= core::time::Duration::from_secs(1) {
                *start = now;
                *count = 0;
            }
            if *count >= limit {
                return Verdict::ChallengeAckLimited(why);
            }
            *count += 1;
        }
        self.pending.ack_now = true;
        Verdict::ChallengeAck(why)
    }

    /// After any segment: settle the delayed-ACK, persist and retransmission timers.
    fn after_input(&mut self, now: Instant) {
        if !self.pending.ack_now && self.rcv_unacked > 0 {
            match self.config.delayed_ack {
                Some(delay) => self.timers.set_if_idle(TcpTimer::DelayedAck, now + delay),
                None => self.pending.ack_now = true,
            }
        }
        self.settle_send_timers(now);
    }
}
