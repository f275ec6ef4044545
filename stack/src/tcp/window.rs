//! The window we offer: receiver silly-window avoidance (RFC 9293
//! 3.8.6.2.2, MUST-39), never shrinking from the right (SHLD-14), window
//! scaling (RFC 7323 2.3).

use super::connection::Connection;
use super::State;

impl Connection {
    /// Return the right edge the free receive room would allow now.
    fn possible_edge(&self) -> super::SeqNumber {
        let max = usize::from(u16::MAX) << self.rcv.shift;
        self.rcv.nxt + self.recv_queue.window().min(max) as u32
    }

    /// Return the receiver-SWS threshold: the right edge moves only by at
    /// least min(Fr * RCV.BUFF, Eff.rcv.MSS), Fr = 1/2 (RFC 9293 3.8.6.2.2).
    fn sws_threshold(&self) -> usize {
        (self.config.recv_buffer / 2).min(usize::from(self.config.mss))
    }

    /// Return the window field for a non-SYN segment and record the new
    /// right edge. The edge moves right only by a receiver-SWS step, and never
    /// left (SHLD-14): a scaled window rounds up when rounding down would
    /// shrink it, at the cost of under 2^shift octets of buffer.
    pub(super) fn advertise_window(&mut self) -> u16 {
        let possible = self.possible_edge();
        if self.rcv.adv < self.rcv.nxt
            || (possible - self.rcv.adv) as i64 >= self.sws_threshold() as i64
        {
            self.rcv.adv = possible;
        }
        let wnd = self.rcv.wnd();
        let shift = self.rcv.shift;
        let mut field = (wnd >> shift).min(u32::from(u16::MAX));
        if (field << shift) < wnd {
            field = wnd.div_ceil(1 << shift).min(u32::from(u16::MAX));
        }
        self.rcv.adv = self.rcv.adv.max(self.rcv.nxt + (field << shift));
        field as u16
    }

    /// Return the window field of our SYN or SYN,ACK: never scaled (RFC 7323 2.2).
    pub(super) fn syn_window(&mut self) -> u16 {
        let wnd = self.recv_queue.window().min(usize::from(u16::MAX));
        if self.state == super::State::SynReceived {
            self.rcv.adv = self.rcv.adv.max(self.rcv.nxt + wnd as u32);
        }
        wnd as u16
    }

    /// Return whether a window update is worth a segment of its own (after
    /// the application read): the edge can move by a receiver-SWS step, the
    /// offered window is at most half the buffer, and it would at least
    /// double (Linux's rule in `tcp_cleanup_rbuf`), so a steady reader does
    /// not add an ACK per read to the ACK every second segment.
    /// In SYN-RECEIVED the SYN,ACK said all there is to say: its window
    /// is capped at 65535 (never scaled, RFC 7323 2.2), and the scaled
    /// window goes out with the first segment after the handshake (RFC 9293
    /// 3.10.7.2: "form a SYN,ACK segment ... and return").
    pub(super) fn window_update_due(&self) -> bool {
        if !self.state.can_receive() || self.fin_received || self.state == State::SynReceived {
            return false;
        }
        let gain = (self.possible_edge() - self.rcv.adv).max(0) as usize;
        let wnd = self.rcv.wnd() as usize;
        gain >= self.sws_threshold() && 2 * wnd <= self.config.recv_buffer && gain >= wnd
    }
}
