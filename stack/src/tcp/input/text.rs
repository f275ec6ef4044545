//! RFC 9293 3.10.7.4 sixth (URG), seventh (segment text) and eighth (FIN).

use core::ops::ControlFlow;

use crate::tcp::connection::{Connection, RstReply};
use crate::tcp::error::ConnectionError;
use crate::tcp::event::TcpEvent;
use crate::tcp::state::State;
use crate::tcp::verdict::{Verdict, Why};
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpRepr};

impl Connection {
    /// Sixth and seventh: the urgent pointer, then the data, in
    /// ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2. After the peer's FIN
    /// (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT) "this should not occur
    /// ... Ignore the URG" and the text.
    pub(super) fn process_text(&mut self, now: Instant, seg: &TcpRepr<'_>) -> ControlFlow<Verdict> {
        if !self.state.can_receive() || self.fin_received {
            return ControlFlow::Continue(());
        }
        if seg.flags.contains(TcpFlags::URG) {
            self.take_urgent(seg);
        }
        if seg.payload.is_empty() {
            return ControlFlow::Continue(());
        }
        if self.app_closed {
            // RFC 9293 3.10.4 / SHLD-3: the application is gone; "send a RST
            // to show that data was lost".
            self.pending.rst = Some(RstReply {
                seq: self.snd.nxt,
                ack: None,
            });
            self.enter_closed(Some(ConnectionError::Aborted));
            return ControlFlow::Break(Verdict::Reset(Why::DataAfterClose));
        }
        self.take_text(now, seg);
        ControlFlow::Continue(())
    }

    /// RFC 9293 3.10.7.4 sixth: "set RCV.UP <- max(RCV.UP,SEG.UP), and signal
    /// the user that the remote side has urgent data if the urgent pointer
    /// (RCV.UP) is in advance of the data consumed" (MUST-30, MUST-32).
    /// SEG.UP points at the octet after the urgent data (MUST-62).
    fn take_urgent(&mut self, seg: &TcpRepr<'_>) {
        let up = seg.seq_number + u32::from(seg.urgent_pointer);
        if !self.rcv.up_valid || up > self.rcv.up {
            self.rcv.up = up;
            self.rcv.up_valid = true;
        }
        if self.urgent_pending() > 0 || self.rcv.up > self.rcv.nxt {
            self.signal(TcpEvent::Urgent);
        }
    }

    /// Seventh: "transfer the segment text to user RECEIVE buffers", in
    /// order or held out of order (SHLD-31, MAY-13); only the part inside
    /// the window is taken.
    fn take_text(&mut self, now: Instant, seg: &TcpRepr<'_>) {
        let mut data = seg.payload;
        let mut start = seg.seq_number;
        if start < self.rcv.nxt {
            // "If a segment's contents straddle the boundary between old and
            // new, only the new parts are processed."
            let skip = ((self.rcv.nxt - start) as usize).min(data.len());
            data = &data[skip..];
            start = self.rcv.nxt;
        }
        let offset = (start - self.rcv.nxt).max(0) as usize;
        if offset == 0 && seg.flags.contains(TcpFlags::FIN) {
            // Eighth: nothing follows a FIN. This segment fills everything
            // up to it, so held bytes are either the same bytes or past the
            // FIN (a peer that sent data beyond its own FIN): drop them, as
            // Linux's tcp_fin does, or they would join up and carry RCV.NXT
            // past the FIN, which would then never be taken.
            self.recv_queue.discard_out_of_order();
        }
        let room = (self.rcv.wnd() as usize).saturating_sub(offset);
        let trimmed = data.len() > room;
        data = &data[..data.len().min(room)];
        let accepted = self.recv_queue.insert(offset, data);
        self.rcv.nxt += accepted.in_order as u32;
        if accepted.in_order > 0 {
            if self.read_closed {
                self.discard_received();
            } else {
                self.signal(TcpEvent::Readable);
            }
        }
        // RFC 5681 4.2 / RFC 9293 3.8.6.3: out-of-order data, a filled hole,
        // a duplicate or data beyond the window are acknowledged at once;
        // in-order data at least every second full-sized segment (SHLD-19).
        let out_of_order =
            offset > 0 || self.recv_queue.has_out_of_order() || accepted.reassembled > 0;
        if out_of_order || trimmed || accepted.in_order == 0 {
            self.pending.ack_now = true;
        } else {
            self.rcv_unacked += accepted.in_order;
            let full = usize::from(self.config.mss) - if self.ts.enabled { 12 } else { 0 };
            if self.rcv_unacked >= 2 * full {
                self.pending.ack_now = true;
            }
        }
        let _ = now;
    }

    /// Eighth: the FIN. Taken only when every octet before it arrived; a FIN
    /// received out of order waits for the hole to fill.
    pub(super) fn check_fin(
        &mut self,
        now: Instant,
        seg: &TcpRepr<'_>,
    ) -> ControlFlow<Verdict, Verdict> {
        if seg.flags.contains(TcpFlags::FIN) && self.state.can_receive() && !self.fin_received {
            let fin_seq = seg.seq_number + seg.payload.len() as u32;
            // A FIN beyond the window was trimmed with the data (a FIN takes
            // one octet of window, as in Linux).
            if fin_seq.in_window(self.rcv.nxt, self.rcv.wnd()) {
                self.peer_fin = Some(fin_seq);
            }
            if fin_seq != self.rcv.nxt {
                // Out of order: a duplicate ACK at once (RFC 5681 4.2).
                self.pending.ack_now = true;
            }
        }
        if self.peer_fin.is_some_and(|fin| fin == self.rcv.nxt) && !self.fin_received {
            self.take_fin(now);
        }
        ControlFlow::Continue(Verdict::Accepted)
    }

    /// "advance RCV.NXT over the FIN, and send an acknowledgment for the
    /// FIN", then the state's move.
    fn take_fin(&mut self, now: Instant) {
        self.peer_fin = None;
        self.fin_received = true;
        // Nothing follows a FIN: bytes held past it are never delivered
        // nor reported in SACK blocks.
        self.recv_queue.discard_out_of_order();
        self.rcv.nxt += 1;
        self.pending.ack_now = true;
        self.signal(TcpEvent::PeerClosed);
        self.signal(TcpEvent::Readable);
        match self.state {
            State::SynReceived | State::Established => self.state = State::CloseWait,
            // "If our FIN has been ACKed ... enter TIME-WAIT ... otherwise,
            // enter the CLOSING state" (simultaneous close).
            State::FinWait1 if self.fin_acked() => self.enter_time_wait(now),
            State::FinWait1 => self.state = State::Closing,
            State::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
        self.arm_keepalive(now);
    }
}
