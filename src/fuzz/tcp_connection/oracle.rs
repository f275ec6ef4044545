//! The invariants of one connection, checked after every step (see the
//! module docs of [`super`] for the list and the RFC reasons).
//!
//! The oracle keeps only what the peer did (the sequence ranges it sent,
//! whether its last segment was a RST) and what our application did (how
//! many octets it wrote and read); everything else is read from the
//! connection's [`Status`], its timers and the segments it sends.

use stack::tcp::timers::TcpTimer;
use stack::tcp::{Connection, SeqNumber, State, Status};
use stack::time::Instant;
use stack::wire::tcp::{TcpFlags, TcpRepr};

use super::build::{app_byte, peer_byte};

/// What made the connection move: the transitions each may cause differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A segment arrived.
    Segment,
    /// `handle_timeout` ran.
    Timer,
    /// A socket call that may close: CLOSE, close(), ABORT.
    Close,
    /// A socket call that does not change the state: SEND, RECEIVE,
    /// shutdown(SHUT_RD).
    Call,
}

/// Return the states RFC 9293's diagram (3.3.2, Figure 5, with the
/// transitions of 3.10) goes to from `from` in one move.
///
/// Beyond the figure: any state but CLOSED goes to CLOSED on ABORT, a RST
/// or a time-out (3.10.5, 3.10.7.4, 3.8.3); a passive SYN-RECEIVED returns
/// to LISTEN on a RST or a SYN (3.10.7.4, MUST-11).
pub fn moves(from: State) -> &'static [State] {
    use State::*;
    match from {
        Closed => &[],
        Listen => &[SynReceived, Closed],
        SynSent => &[SynReceived, Established, Closed],
        SynReceived => &[Established, FinWait1, Listen, Closed],
        Established => &[FinWait1, CloseWait, Closed],
        FinWait1 => &[FinWait2, Closing, TimeWait, Closed],
        FinWait2 => &[TimeWait, Closed],
        CloseWait => &[LastAck, Closed],
        Closing => &[TimeWait, Closed],
        LastAck => &[Closed],
        TimeWait => &[Closed],
    }
}

/// Return whether a trigger may take the connection from `from` to `to`.
///
/// One segment may make several moves (a SYN,ACK carrying a FIN takes
/// SYN-SENT to ESTABLISHED, then CLOSE-WAIT), so a segment may reach any
/// state the diagram reaches from `from`, except through LISTEN (a return
/// to LISTEN ends the segment's processing). A timer only ever closes
/// (R2, the user timeout, 2MSL, keep-alives). A close moves along one
/// CLOSE edge (to FIN-WAIT-1, LAST-ACK or CLOSED), or to CLOSED when
/// close() resets a connection with unread data (SHLD-3).
pub fn allowed(trigger: Trigger, from: State, to: State) -> bool {
    if from == to {
        return true;
    }
    match trigger {
        Trigger::Call => false,
        Trigger::Timer => to == State::Closed,
        Trigger::Close => {
            matches!(to, State::FinWait1 | State::LastAck | State::Closed)
                && moves(from).contains(&to)
        }
        Trigger::Segment => reachable(from, to),
    }
}

fn reachable(from: State, to: State) -> bool {
    let mut stack = [State::Closed; 16];
    let mut seen = [false; 11];
    let mut len = 1;
    stack[0] = from;
    while len > 0 {
        len -= 1;
        let at = stack[len];
        for &next in moves(at) {
            if next == to {
                return true;
            }
            let i = index(next);
            if !seen[i] && next != State::Listen {
                seen[i] = true;
                stack[len] = next;
                len += 1;
            }
        }
    }
    false
}

fn index(state: State) -> usize {
    use State::*;
    match state {
        Closed => 0,
        Listen => 1,
        SynSent => 2,
        SynReceived => 3,
        Established => 4,
        FinWait1 => 5,
        FinWait2 => 6,
        CloseWait => 7,
        Closing => 8,
        LastAck => 9,
        TimeWait => 10,
    }
}

/// The oracle of one connection.
#[derive(Debug, Clone)]
pub struct Oracle {
    /// Which connection, for the messages.
    name: &'static str,
    /// Every sequence range the peer sent: `(start, length)`, SYN and FIN
    /// included.
    ranges: Vec<(SeqNumber, u32)>,
    /// The end of the highest data we sent, in this incarnation.
    high_data: Option<SeqNumber>,
    /// The highest SND.UNA + SND.WND seen: the peer may shrink its window
    /// (RFC 9293 3.8.6, SHLD-14 asks it not to), so data sent earlier may
    /// lie past the current edge, never past the highest.
    right_edge: Option<SeqNumber>,
    /// Our FIN went out.
    fin_sent: bool,
    /// The state after the last step.
    state: State,
    /// When TIME-WAIT was entered (or its timer restarted).
    time_wait_since: Option<Instant>,
    /// The application's stream offset of the octet at ISS + 1.
    origin: u64,
    /// Octets the application wrote, in all.
    written: u64,
    /// Octets the application read in this incarnation.
    read: u64,
    /// The application shut reading down (what arrives is discarded).
    read_shut: bool,
    /// The peer's last segment to us was a RST.
    rst_in: bool,
    /// The octets expected, for comparisons (reused).
    scratch: Vec<u8>,
}

impl Oracle {
    /// Start the oracle of a connection in `state`.
    pub fn new(name: &'static str, state: State) -> Oracle {
        Oracle {
            name,
            ranges: Vec::with_capacity(32),
            high_data: None,
            right_edge: None,
            fin_sent: false,
            state,
            time_wait_since: None,
            origin: 0,
            written: 0,
            read: 0,
            read_shut: false,
            rst_in: false,
            scratch: Vec::new(),
        }
    }

    /// Record a segment handed to the connection.
    pub fn record_injected(&mut self, seg: &TcpRepr<'_>) {
        let len = seg.segment_len() as u32;
        if len > 0 {
            self.ranges.push((seg.seq_number, len));
        }
        self.rst_in = seg.flags.contains(TcpFlags::RST);
    }

    /// Record octets the application queued.
    pub fn record_written(&mut self, n: usize) {
        self.written += n as u64;
    }

    /// Return the octets the application wrote, in all.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Record that the application shut reading down.
    pub fn record_read_shut(&mut self) {
        self.read_shut = true;
    }

    /// Return the end of the sequence space the peer sent without a gap
    /// from `from` on.
    pub fn covered_from(&self, from: SeqNumber) -> SeqNumber {
        let mut end = from;
        loop {
            let mut grew = false;
            for &(start, len) in &self.ranges {
                let off = end - start;
                if off >= 0 && (off as u32) < len {
                    end = start + len;
                    grew = true;
                }
            }
            if !grew {
                return end;
            }
        }
    }

    /// Note the peer's window before a poll: the highest right edge.
    pub fn note_window(&mut self, st: &Status) {
        let edge = st.snd_una + st.snd_wnd;
        self.right_edge = Some(match self.right_edge {
            Some(old) => old.max(edge),
            None => edge,
        });
    }

    /// Check a segment the connection sent; `st` is its status just before.
    pub fn check_out(&mut self, seg: &TcpRepr<'_>, st: &Status) {
        let name = self.name;
        let rst = seg.flags.contains(TcpFlags::RST);
        // RFC 9293 3.10.7 (and 3.5.2): "An incoming segment containing a RST
        // is discarded"; a RST is never answered with a RST.
        assert!(
            !(rst && self.rst_in),
            "{name}: sent a RST in reply to a RST ({} in {})",
            seg.seq_number,
            st.state
        );
        if rst {
            return;
        }
        if seg.flags.contains(TcpFlags::ACK) && st.state.is_synchronized() {
            // RFC 9293 3.4: an ACK says every octet before it arrived.
            let covered = self.covered_from(st.irs);
            assert!(
                seg.ack_number <= covered,
                "{name}: ACK {} acknowledges past what arrived (up to {covered}) in {}",
                seg.ack_number,
                st.state
            );
            self.check_sack(seg);
        }
        self.check_data(seg, st);
        if seg.flags.contains(TcpFlags::FIN) {
            self.fin_sent = true;
        }
    }

    /// SACK blocks report octets that arrived (RFC 2018 3).
    fn check_sack(&self, seg: &TcpRepr<'_>) {
        if let Some(blocks) = seg.options.sack_blocks() {
            for block in blocks.as_slice() {
                let covered = self.covered_from(block.left_edge);
                assert!(
                    block.right_edge <= covered,
                    "{}: SACK block {}-{} reports octets that never arrived",
                    self.name,
                    block.left_edge,
                    block.right_edge
                );
            }
        }
    }

    /// Data out is what the application wrote, at its place; new data stays
    /// within the peer's window (RFC 9293 3.8.6: "the sender ... should not
    /// send more data than the window allows"), except a one-octet
    /// zero-window probe (3.8.6.1, MUST-36: "at least one octet of new data
    /// ... even if the send window is zero").
    fn check_data(&mut self, seg: &TcpRepr<'_>, st: &Status) {
        let name = self.name;
        if seg.payload.is_empty() {
            return;
        }
        // One comparison of the whole payload: per-octet asserts cost
        // exec/s under the fuzzer's comparison tracing.
        let first = self.origin + u64::from((seg.seq_number - (st.iss + 1)) as u32);
        self.scratch.clear();
        let len = seg.payload.len() as u64;
        self.scratch.extend((0..len).map(|i| app_byte(first + i)));
        assert!(
            seg.payload == &self.scratch[..],
            "{name}: the segment at {} carries octets the application did not write there",
            seg.seq_number
        );
        let end = seg.seq_number + seg.payload.len() as u32;
        let new = self.high_data.is_none_or(|high| end > high);
        if new {
            let edge = st.snd_una + st.snd_wnd;
            let probe = seg.payload.len() == 1 && seg.seq_number >= edge;
            assert!(
                end <= edge || probe,
                "{name}: new data {}..{end} past the peer's window edge {edge} (SND.UNA {}, SND.WND {})",
                seg.seq_number,
                st.snd_una,
                st.snd_wnd
            );
            self.high_data = Some(end);
        }
    }

    /// Check what read returned: the peer's octets, in order.
    pub fn check_read(&mut self, data: &[u8], st: &Status) {
        let name = self.name;
        let start = st.irs + 1 + self.read as u32;
        self.scratch.clear();
        self.scratch
            .extend((0..data.len() as u32).map(|i| peer_byte((start + i).0)));
        assert!(
            data == &self.scratch[..],
            "{name}: read octets {}.. are not the peer's stream",
            self.read
        );
        self.read += data.len() as u64;
        let covered = self.covered_from(st.irs + 1);
        assert!(
            start + data.len() as u32 <= covered,
            "{name}: read up to {} past what arrived in order ({covered})",
            start + data.len() as u32
        );
    }

    /// Check the end of the stream: every octet before the peer's FIN was
    /// handed over, unless reading was shut down.
    pub fn check_end_of_stream(&self, st: &Status) {
        if self.read_shut || st.error.is_some() {
            return;
        }
        if matches!(
            st.state,
            State::CloseWait | State::LastAck | State::Closing | State::TimeWait
        ) {
            let fin = st.rcv_nxt - 1;
            let expected = (fin - (st.irs + 1)).max(0) as u64;
            assert_eq!(
                self.read, expected,
                "{}: the stream ended after {} octets, the peer's FIN came after {expected}",
                self.name, self.read
            );
        }
    }

    /// Check the connection after a step at `now` caused by `trigger`.
    pub fn check_after(&mut self, conn: &Connection, now: Instant, trigger: Trigger) {
        let name = self.name;
        // The replies to the last segment have all been polled.
        self.rst_in = false;
        let st = conn.status();
        let (from, to) = (self.state, st.state);
        assert!(
            allowed(trigger, from, to),
            "{name}: {from} -> {to} on a {trigger:?}: not a transition of RFC 9293's diagram"
        );
        if to == State::Listen && from != State::Listen {
            // A new incarnation (MUST-11): what was queued is gone.
            self.origin = self.written;
            self.read = 0;
            self.high_data = None;
            self.right_edge = None;
            self.fin_sent = false;
        }
        self.check_time_wait(conn, now, trigger, from, to);
        self.state = to;
        // RFC 9293 3.3.1: SND.UNA =< SND.NXT.
        assert!(
            st.snd_una <= st.snd_nxt,
            "{name}: SND.UNA {} beyond SND.NXT {}",
            st.snd_una,
            st.snd_nxt
        );
        self.check_send_edge(&st);
        if st.state.is_synchronized() {
            let covered = self.covered_from(st.irs);
            assert!(
                st.rcv_nxt <= covered,
                "{name}: RCV.NXT {} past what arrived ({covered})",
                st.rcv_nxt
            );
        }
        self.check_timers(conn, &st);
    }

    /// SND.NXT =< the highest SND.UNA + SND.WND seen, plus one for each
    /// octet the window does not govern: our SYN (before it is
    /// acknowledged), a zero-window probe (MUST-36) and our FIN (RFC 9293
    /// 3.10.4: the FIN is sent once the data is, a control flag).
    fn check_send_edge(&self, st: &Status) {
        let Some(edge) = self.right_edge else { return };
        let syn = u32::from(st.snd_una == st.iss);
        let slack = syn + 1 + u32::from(self.fin_sent);
        assert!(
            st.snd_nxt <= edge + slack,
            "{}: SND.NXT {} past the peer's window edge {edge} (+{slack})",
            self.name,
            st.snd_nxt
        );
    }

    /// TIME-WAIT lasts 2MSL (RFC 9293 3.3.2, MUST-13): a timer never ends
    /// it earlier (a RST may, 3.10.7.4, unless RFC 1337 applies).
    fn check_time_wait(
        &mut self,
        conn: &Connection,
        now: Instant,
        trigger: Trigger,
        from: State,
        to: State,
    ) {
        let two_msl = 2 * conn.config().msl;
        if to == State::TimeWait {
            if from != State::TimeWait {
                self.time_wait_since = Some(now);
            }
            let since = self.time_wait_since.unwrap_or(now);
            let at = conn.timer(TcpTimer::TimeWait);
            assert!(
                at.is_some_and(|at| at >= since + two_msl),
                "{}: TIME-WAIT since {since} with its timer at {at:?}, before 2MSL",
                self.name
            );
        }
        if from == State::TimeWait && to == State::Closed && trigger == Trigger::Timer {
            let since = self.time_wait_since.unwrap_or(now);
            let lasted = now.saturating_duration_since(since);
            assert!(
                lasted >= two_msl,
                "{}: TIME-WAIT lasted {lasted:?}, less than 2MSL ({two_msl:?})",
                self.name
            );
        }
    }

    /// A retransmission (or, behind a zero window, persist) timer runs
    /// whenever data is outstanding (RFC 6298 5.1; RFC 9293 3.8.6.1).
    fn check_timers(&self, conn: &Connection, st: &Status) {
        let outstanding = st.snd_nxt > st.snd_una;
        let live = !matches!(st.state, State::Closed | State::Listen | State::TimeWait);
        if outstanding && live {
            assert!(
                conn.timer(TcpTimer::Retransmit).is_some()
                    || conn.timer(TcpTimer::Persist).is_some(),
                "{}: {} octets outstanding in {} with no retransmission timer",
                self.name,
                st.snd_nxt - st.snd_una,
                st.state
            );
        }
    }
}
