//! The application's commands (RFC 9293 3.10.2 to 3.10.6: SEND, RECEIVE,
//! CLOSE, ABORT, STATUS) and socket options.

use core::time::Duration;

use super::config::Keepalive;
use super::connection::{Connection, RstReply};
use super::error::{CloseError, ConnectionError, RecvError, SendError};
use super::state::State;
use super::status::Status;
use super::timers::TcpTimer;
use super::TcpEvent;
use crate::time::Instant;

/// Which direction [`Connection::shutdown`] closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Stop reading: queued and later data is acknowledged and discarded.
    Read,
    /// Stop writing: RFC 9293 CLOSE, a FIN after the queued data (MAY-1:
    /// data still flows the other way).
    Write,
    /// Both.
    Both,
}

/// How [`Connection::send_with`] queues data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SendFlags {
    /// PUSH (MAY-15): send promptly and set PSH on the last segment.
    /// Un-pushed data waits at most the SWS override time (MUST-60).
    pub push: bool,
    /// URGENT: the data is urgent; SND.UP moves past it (MUST-30, MUST-31).
    pub urgent: bool,
}

impl Connection {
    /// SEND with PUSH: queue as much of `data` as fits in the send buffer and
    /// return how much. Data queued in SYN-SENT or SYN-RECEIVED waits for
    /// ESTABLISHED (RFC 9293 3.10.2).
    pub fn send(&mut self, now: Instant, data: &[u8]) -> Result<usize, SendError> {
        self.send_with(
            now,
            data,
            SendFlags {
                push: true,
                urgent: false,
            },
        )
    }

    /// SEND with explicit PUSH and URGENT flags (RFC 9293 3.10.2).
    pub fn send_with(
        &mut self,
        now: Instant,
        data: &[u8],
        flags: SendFlags,
    ) -> Result<usize, SendError> {
        if let Some(error) = self.error {
            return Err(SendError::Connection(error));
        }
        if self.fin_queued {
            return Err(SendError::Closed);
        }
        if !self.state.can_send() {
            return Err(match self.state {
                State::Closed | State::Listen => SendError::NotConnected,
                _ => SendError::Closed,
            });
        }
        let n = self.send_queue.write(data);
        if n < data.len() {
            self.write_blocked = true;
        }
        if n == 0 && !data.is_empty() {
            return Err(SendError::WouldBlock);
        }
        let end = self.data_end();
        if flags.push {
            self.push_end = end;
        }
        if flags.urgent && n > 0 {
            // RFC 9293 3.8.5, MUST-62: the urgent pointer points at the
            // octet following the urgent data.
            self.snd.up = end;
            self.snd.up_valid = true;
        }
        if !flags.push {
            // MUST-60: un-pushed data may not wait forever.
            self.timers
                .set_if_idle(TcpTimer::Override, now + self.config.sws_override);
        }
        self.idle_restart(now);
        Ok(n)
    }

    /// Restart from a long idle period with a smaller cwnd (RFC 5681 4.1).
    fn idle_restart(&mut self, now: Instant) {
        if self.snd.outstanding() == 0 && self.state.is_synchronized() {
            self.cc.on_idle(
                now.saturating_duration_since(self.last_send),
                self.rtt.rto(),
            );
        }
    }

    /// RECEIVE: copy in-order data into `buf`. `Ok(0)` for a non-empty
    /// `buf` means the end of the stream (the peer's FIN, or shutdown(Read)).
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize, RecvError> {
        if self.read_closed {
            return Ok(0);
        }
        if self.recv_queue.readable() > 0 {
            let n = self.recv_queue.read(buf);
            self.after_read(n);
            return Ok(n);
        }
        if let Some(error) = self.error {
            return Err(RecvError::Connection(error));
        }
        if self.fin_received {
            return Ok(0);
        }
        match self.state {
            State::Closed if self.tuple_never_connected() => Err(RecvError::NotConnected),
            State::Closed => Ok(0),
            State::Listen => Err(RecvError::NotConnected),
            _ => Err(RecvError::WouldBlock),
        }
    }

    fn tuple_never_connected(&self) -> bool {
        self.rcv.nxt == self.rcv.irs && !self.fin_received
    }

    /// Return the in-order bytes ready to read.
    pub fn recv_queued(&self) -> usize {
        self.recv_queue.readable()
    }

    /// Return the room left in the send buffer.
    pub fn send_room(&self) -> usize {
        if self.fin_queued || !self.state.can_send() {
            return 0;
        }
        self.send_queue.room()
    }

    /// Return how many unread octets lie before the urgent pointer
    /// (RFC 9293 3.8.5, MUST-33), 0 when there is no urgent data.
    pub fn urgent_pending(&self) -> usize {
        if !self.rcv.up_valid {
            return 0;
        }
        let read_pos = self.rcv.nxt - self.recv_queue.readable() as u32;
        (self.rcv.up - read_pos).max(0) as usize
    }

    /// After the application read `n` bytes: move past urgent data and
    /// send a window update if the window opened enough.
    fn after_read(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        if self.rcv.up_valid && self.urgent_pending() == 0 {
            self.rcv.up_valid = false;
        }
        if self.window_update_due() {
            self.pending.ack_now = true;
        }
    }

    /// CLOSE the sending side, or stop reading (RFC 9293 3.10.4; MAY-1).
    pub fn shutdown(&mut self, how: Shutdown) -> Result<(), CloseError> {
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            if self.state == State::Closed && self.error.is_none() && self.tuple_never_connected() {
                return Err(CloseError::NotConnected);
            }
            self.read_closed = true;
            self.discard_received();
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.close_sending()?;
        }
        Ok(())
    }

    /// Drop what the application will never read (after shutdown(Read)).
    pub(super) fn discard_received(&mut self) {
        self.recv_queue.consume(self.recv_queue.readable());
    }

    /// RFC 9293 3.10.4 CLOSE, state by state.
    fn close_sending(&mut self) -> Result<(), CloseError> {
        if let Some(error) = self.error {
            return Err(CloseError::Connection(error));
        }
        match self.state {
            State::Closed => return Err(CloseError::NotConnected),
            // "Delete the TCB ... return 'error: closing' responses to any queued SENDs".
            State::Listen | State::SynSent => self.enter_closed(None),
            // "If no SENDs have been issued and there is no pending data to
            // send, then form a FIN segment and send it, and enter FIN-WAIT-1
            // state" (our SYN may still be unacknowledged: see
            // `syn_unacked_in_fin_wait_1`); "otherwise, queue for processing
            // after entering ESTABLISHED state" (see `enter_established`).
            State::SynReceived if self.send_queue.is_empty() => {
                self.fin_queued = true;
                self.state = State::FinWait1;
            }
            State::SynReceived => self.fin_queued = true,
            State::Established => {
                self.fin_queued = true;
                self.state = State::FinWait1;
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.state = State::LastAck;
            }
            // "error: connection closing": already closing; not an error here.
            State::FinWait1
            | State::FinWait2
            | State::Closing
            | State::LastAck
            | State::TimeWait => {}
        }
        Ok(())
    }

    /// Close as a socket's `close()` does: CLOSE, and the application is
    /// gone. If unread data is waiting it is lost, so the peer gets a RST
    /// (RFC 9293 3.10.4, SHLD-3); later data also gets a RST.
    pub fn close(&mut self) -> Result<(), CloseError> {
        // In TIME-WAIT both FINs are acknowledged and ABORT would send no
        // RST (3.10.5): dropping the TCB would only cut TIME-WAIT short
        // (MUST-13), so close as usual there.
        let lost = self.recv_queue.readable() > 0 && self.state != State::TimeWait;
        if lost && self.state.is_synchronized() && !self.read_closed {
            self.abort();
            return Ok(());
        }
        self.app_closed = true;
        self.read_closed = true;
        self.close_sending()
    }

    /// ABORT (RFC 9293 3.10.5): send <SEQ=SND.NXT><CTL=RST> from a
    /// synchronized state, and enter CLOSED.
    pub fn abort(&mut self) {
        let rst = match self.state {
            State::SynReceived
            | State::Established
            | State::FinWait1
            | State::FinWait2
            | State::CloseWait => Some(RstReply {
                seq: self.snd.nxt,
                ack: None,
            }),
            _ => None,
        };
        if self.state != State::Closed {
            self.pending.rst = rst;
            self.enter_closed(None);
            self.error = Some(ConnectionError::Aborted);
        }
    }

    /// STATUS (RFC 9293 3.10.6).
    pub fn status(&self) -> Status {
        Status {
            state: self.state,
            snd_una: self.snd.una,
            snd_nxt: self.snd.nxt,
            snd_wnd: self.snd.wnd,
            max_snd_wnd: self.snd.max_wnd,
            snd_mss: self.snd_mss,
            rcv_nxt: self.rcv.nxt,
            rcv_wnd: self.rcv.wnd(),
            iss: self.snd.iss,
            irs: self.rcv.irs,
            cwnd: self.cc.cwnd(),
            ssthresh: self.cc.ssthresh(),
            in_recovery: self.cc.in_recovery(),
            srtt: self.rtt.srtt(),
            rttvar: self.rtt.rttvar(),
            rto: self.rtt.rto(),
            retransmissions: self.recovery.count,
            total_retransmissions: self.recovery.total,
            send_queued: self.send_queue.len(),
            recv_queued: self.recv_queue.readable(),
            window_shifts: (self.snd.shift, self.rcv.shift),
            timestamps: self.ts.enabled,
            sack: self.sack_ok,
            error: self.error,
        }
    }

    /// Turn Nagle off or on (MUST-17).
    pub fn set_nodelay(&mut self, nodelay: bool) {
        self.config.nodelay = nodelay;
    }

    /// Turn keep-alives on with `keepalive`, or off with `None` (MUST-24).
    pub fn set_keepalive(&mut self, now: Instant, keepalive: Option<Keepalive>) {
        self.config.keepalive = keepalive;
        self.recovery.keepalive_probes = 0;
        self.arm_keepalive(now);
    }

    /// Set the user timeout, which replaces R2 (MUST-21); `None` restores R2.
    pub fn set_user_timeout(&mut self, timeout: Option<Duration>) {
        self.config.user_timeout = timeout;
    }

    /// Arm the keep-alive timer `idle` from `now`, if keep-alives are on
    /// and the state carries data.
    pub(super) fn arm_keepalive(&mut self, now: Instant) {
        match self.config.keepalive {
            Some(ka) if matches!(self.state, State::Established | State::CloseWait) => {
                self.timers.set(TcpTimer::Keepalive, now + ka.idle);
            }
            _ => self.timers.stop(TcpTimer::Keepalive),
        }
    }

    /// Signal that send room came free, if a send was cut short.
    pub(super) fn signal_writable(&mut self) {
        if self.write_blocked && self.send_queue.room() > 0 {
            self.write_blocked = false;
            self.signal(TcpEvent::Writable);
        }
    }
}
