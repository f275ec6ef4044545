//! The [`Connection`]: one connection's whole state, sans-IO (quinn-proto
//! `connection/mod.rs` style).
//!
//! # Driving a connection
//!
//! The host calls, in any order:
//! - [`Connection::handle_segment`] with each segment for this 4-tuple;
//! - [`Connection::handle_timeout`] once [`Connection::poll_timeout`]'s instant passed;
//!
//! and after any of those (or an application command) drains the outputs in
//! this order: [`Connection::poll_segment`] until `None` (each segment to
//! wrap in IPv4 and send), then [`Connection::poll_event`] until `None`, then
//! [`Connection::poll_timeout`] for the next wake-up. Several segments may be
//! handed in before polling: ACKs are aggregated (MUST-58), and every queued
//! segment is processed before an ACK goes out (MUST-59).

use core::net::SocketAddrV4;
use core::time::Duration;
use std::collections::VecDeque;

use super::config::{Config, ConfigError};
use super::congestion::NewReno;
use super::error::ConnectionError;
use super::event::TcpEvent;
use super::icmp::IcmpError;
use super::isn::IsnGenerator;
use super::options::{TimestampState, DEFAULT_MSS};
use super::recv_queue::RecvQueue;
use super::rtt::RttEstimator;
use super::scoreboard::Scoreboard;
use super::send_queue::SendQueue;
use super::state::State;
use super::tcb::{RecvVars, SendVars};
use super::timers::{TcpTimer, TimerTable};
use super::SeqNumber;
use crate::time::Instant;

/// The two ends of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourTuple {
    /// Our address and port.
    pub local: SocketAddrV4,
    /// The peer's address and port.
    pub remote: SocketAddrV4,
}

/// The secret starting values the host draws for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds {
    /// ISS, from [`IsnGenerator::isn`](super::isn::IsnGenerator::isn) (RFC 6528, MUST-8, SHLD-1).
    pub iss: SeqNumber,
    /// The random offset of the TSval clock (RFC 7323 7.1), from the host's `Rng`.
    pub ts_offset: u32,
}

/// A RST to send in reply to a segment (RFC 9293 3.10.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RstReply {
    pub seq: SeqNumber,
    /// The ACK field, with the ACK bit set, when the reply carries one.
    pub ack: Option<SeqNumber>,
}

/// What the output side owes the peer, beyond new data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Pending {
    /// A RST reply or an abort's RST.
    pub rst: Option<RstReply>,
    /// Our SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) is due.
    pub syn: bool,
    /// An ACK is due now.
    pub ack_now: bool,
    /// Retransmit the first unacknowledged segment (fast retransmit, partial ACK).
    pub rtx_first: bool,
    /// Go-back-N after a timeout: the next sequence number to retransmit.
    pub rtx_next: Option<SeqNumber>,
    /// A zero-window probe is due.
    pub probe: bool,
    /// A keep-alive probe is due.
    pub keepalive: bool,
    /// The silly-window override timer fired: send what the window allows.
    pub sws_override: bool,
}

/// Loss-recovery and timing bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Recovery {
    /// The segment being timed for an RTT sample (its end, and when it left),
    /// forgotten when anything is retransmitted (Karn, MUST-18).
    pub timed: Option<(SeqNumber, Instant)>,
    /// When the oldest unacknowledged data (or SYN) was first sent, for R2.
    pub since: Option<Instant>,
    /// Retransmissions of the current oldest segment (R1, R2).
    pub count: u32,
    /// Retransmissions over the connection's life.
    pub total: u64,
    /// RFC 6675 HighRxt (one past): the highest sequence number retransmitted.
    pub high_rxt: SeqNumber,
    /// RFC 6675 RescueRxt (one past), once the rescue retransmission went.
    pub rescue_rxt: Option<SeqNumber>,
    /// Zero-window probes sent since the window closed (backoff).
    pub persist_backoff: u32,
    /// Unanswered keep-alive probes.
    pub keepalive_probes: u32,
    /// The SYN timed out: RFC 6298 5.7 asks for a 3 s RTO afterwards.
    pub syn_timed_out: bool,
}

/// The state of one TCP connection (RFC 9293's TCB and its queues).
#[derive(Debug)]
pub struct Connection {
    pub(super) config: Config,
    pub(super) tuple: FourTuple,
    pub(super) state: State,
    /// Whether the connection came from a passive OPEN (MUST-11).
    pub(super) passive: bool,
    pub(super) snd: SendVars,
    pub(super) rcv: RecvVars,
    /// F() of RFC 6528 for this 4-tuple: ISS less the ISN clock, to choose
    /// a fresh ISS after a return to LISTEN.
    pub(super) isn_key: u32,
    pub(super) ts: TimestampState,
    pub(super) sack_ok: bool,
    /// Both sides sent Window Scale (RFC 7323 2.2).
    pub(super) wscale_ok: bool,
    /// The effective send MSS before options (MUST-16).
    pub(super) snd_mss: usize,
    pub(super) send_queue: SendQueue,
    /// The sequence number of the send queue's first byte.
    pub(super) data_base: SeqNumber,
    /// The application closed its sending side: a FIN follows the data.
    pub(super) fin_queued: bool,
    /// The end of the data the application pushed (MAY-15, MUST-60).
    pub(super) push_end: SeqNumber,
    pub(super) recv_queue: RecvQueue,
    /// The sequence number of a FIN received out of order.
    pub(super) peer_fin: Option<SeqNumber>,
    /// The peer's FIN was processed.
    pub(super) fin_received: bool,
    /// shutdown(Read): data is acknowledged and discarded.
    pub(super) read_closed: bool,
    /// close(): data arriving afterwards is answered with RST (SHLD-3).
    pub(super) app_closed: bool,
    /// A send could not queue everything: signal Writable.
    pub(super) write_blocked: bool,
    pub(super) timers: TimerTable,
    pub(super) rtt: RttEstimator,
    pub(super) cc: NewReno,
    pub(super) scoreboard: Scoreboard,
    pub(super) recovery: Recovery,
    pub(super) pending: Pending,
    /// Bytes received in order since our last ACK (SHLD-19).
    pub(super) rcv_unacked: usize,
    /// The last time a segment was sent with data, for idle restart.
    pub(super) last_send: Instant,
    /// The last time an ACK was received, for zero-window patience.
    pub(super) last_ack: Instant,
    /// RFC 5961 7: the current one-second window and the challenge ACKs in it.
    pub(super) challenge: (Instant, u32),
    /// When we last answered a bare ACK that failed the acceptability test
    /// or PAWS (see `Connection::oow_ack_limited`).
    pub(super) last_oow_ack: Option<Instant>,
    pub(super) error: Option<ConnectionError>,
    pub(super) soft_error: Option<IcmpError>,
    pub(super) events: VecDeque<TcpEvent>,
}

impl Connection {
    fn new(
        now: Instant,
        config: Config,
        tuple: FourTuple,
        seeds: Seeds,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let snd_mss = usize::from(DEFAULT_MSS.min(config.mss));
        let iss = seeds.iss;
        Ok(Connection {
            snd: SendVars {
                iss,
                una: iss,
                nxt: iss,
                wl2: iss,
                up: iss,
                ..SendVars::default()
            },
            rcv: RecvVars::default(),
            isn_key: iss.0.wrapping_sub(IsnGenerator::clock(now)),
            ts: TimestampState {
                offset: seeds.ts_offset,
                ..TimestampState::default()
            },
            sack_ok: false,
            wscale_ok: false,
            snd_mss,
            send_queue: SendQueue::new(config.send_buffer),
            data_base: iss + 1,
            fin_queued: false,
            push_end: iss + 1,
            recv_queue: RecvQueue::new(config.recv_buffer),
            peer_fin: None,
            fin_received: false,
            read_closed: false,
            app_closed: false,
            write_blocked: false,
            timers: TimerTable::default(),
            rtt: RttEstimator::new(config.rtt),
            cc: NewReno::new(config.congestion, snd_mss),
            scoreboard: Scoreboard::new(),
            recovery: Recovery::default(),
            pending: Pending::default(),
            rcv_unacked: 0,
            last_send: now,
            last_ack: now,
            challenge: (now, 0),
            last_oow_ack: None,
            error: None,
            soft_error: None,
            events: VecDeque::new(),
            state: State::Closed,
            passive: false,
            tuple,
            config,
        })
    }

    /// Open actively (RFC 9293 3.10.1 OPEN, active): queue our SYN and
    /// enter SYN-SENT. The SYN leaves at the next [`poll_segment`](Self::poll_segment).
    pub fn connect(
        now: Instant,
        config: Config,
        tuple: FourTuple,
        seeds: Seeds,
    ) -> Result<Self, ConfigError> {
        let mut conn = Connection::new(now, config, tuple, seeds)?;
        conn.snd.nxt = conn.snd.iss + 1;
        conn.state = State::SynSent;
        conn.pending.syn = true;
        Ok(conn)
    }

    /// Open passively with the peer fully specified (RFC 9293 3.10.1 OPEN,
    /// passive): LISTEN for a SYN from `tuple.remote`.
    ///
    /// A host with wildcard listeners creates a connection per SYN with
    /// [`accept`](Self::accept) instead, and owns its backlog.
    pub fn listen(
        now: Instant,
        config: Config,
        tuple: FourTuple,
        seeds: Seeds,
    ) -> Result<Self, ConfigError> {
        let mut conn = Connection::new(now, config, tuple, seeds)?;
        conn.state = State::Listen;
        conn.passive = true;
        Ok(conn)
    }

    /// Create a connection from a SYN a listener received: LISTEN, then the
    /// SYN processed (RFC 9293 3.10.7.2), so the connection remembers its
    /// passive origin (MUST-11). The verdict tells whether the SYN was taken.
    pub fn accept(
        now: Instant,
        config: Config,
        tuple: FourTuple,
        seeds: Seeds,
        syn: &crate::wire::tcp::TcpRepr<'_>,
    ) -> Result<(Self, super::Verdict), ConfigError> {
        let mut conn = Connection::listen(now, config, tuple, seeds)?;
        let verdict = conn.handle_segment(now, syn);
        Ok((conn, verdict))
    }

    /// Return the state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Return the 4-tuple.
    pub fn tuple(&self) -> FourTuple {
        self.tuple
    }

    /// Return the configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Return whether the connection came from a passive OPEN (MUST-11).
    pub fn is_passive(&self) -> bool {
        self.passive
    }

    /// Return the error that ended the connection, if any.
    pub fn error(&self) -> Option<ConnectionError> {
        self.error
    }

    /// Return the next application event.
    pub fn poll_event(&mut self) -> Option<TcpEvent> {
        self.events.pop_front()
    }

    /// Return when `timer` is due, if it is armed (for checks from
    /// outside, as the fuzz targets' "a retransmission timer runs while data
    /// is outstanding").
    pub fn timer(&self, timer: TcpTimer) -> Option<Instant> {
        self.timers.get(timer)
    }

    /// Return the earliest instant at which [`handle_timeout`](Self::handle_timeout) must run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Queue an event unless the same one is already waiting (coalescing keeps
    /// the queue bounded by the number of kinds).
    pub(super) fn signal(&mut self, event: TcpEvent) {
        if !self.events.contains(&event) {
            self.events.push_back(event);
        }
    }

    /// Return the largest data payload of a segment carrying only our usual
    /// options (the timestamps): the "full-sized segment" of Nagle and SWS.
    pub(super) fn smss(&self) -> usize {
        let options = if self.ts.enabled { 12 } else { 0 };
        self.snd_mss.saturating_sub(options).max(1)
    }

    /// Return the sequence number just past the queued data (where a FIN goes).
    pub(super) fn data_end(&self) -> SeqNumber {
        self.data_base + self.send_queue.len() as u32
    }

    /// Return whether our FIN has been sent at least once.
    pub(super) fn fin_sent(&self) -> bool {
        self.fin_queued && self.snd.nxt == self.data_end() + 1
    }

    /// Return whether this is a FIN-WAIT-1 entered by a CLOSE in
    /// SYN-RECEIVED (RFC 9293 3.10.4) whose SYN is still unacknowledged
    /// (SND.UNA = ISS): the SYN,ACK is what a timeout or a duplicate SYN
    /// sends again, and the ACK of the SYN completes the handshake.
    pub(super) fn syn_unacked_in_fin_wait_1(&self) -> bool {
        self.state == State::FinWait1 && self.snd.una == self.snd.iss
    }

    /// Return whether our FIN has been acknowledged.
    pub(super) fn fin_acked(&self) -> bool {
        self.fin_sent() && self.snd.una == self.snd.nxt
    }

    /// Return the user timeout or R2: how long retransmission may go on.
    pub(super) fn give_up_after(&self) -> Duration {
        let r2 = if self.state.is_synchronized() && self.state != State::SynReceived {
            self.config.r2
        } else {
            self.config.r2_syn
        };
        self.config.user_timeout.unwrap_or(r2)
    }

    /// Leave for CLOSED: stop every timer, keep unread data for a graceful
    /// end and drop everything for an abnormal one (SHLD-3).
    pub(super) fn enter_closed(&mut self, error: Option<ConnectionError>) {
        self.state = State::Closed;
        self.timers.stop_all();
        self.send_queue.clear();
        self.pending = Pending {
            rst: self.pending.rst,
            ..Pending::default()
        };
        if let Some(error) = error {
            self.error = Some(error);
            self.recv_queue = RecvQueue::new(1);
        }
        self.signal(TcpEvent::Closed);
    }

    /// Enter TIME-WAIT: only the 2MSL timer runs (RFC 9293 3.10.7.4, MUST-13).
    pub(super) fn enter_time_wait(&mut self, now: Instant) {
        self.state = State::TimeWait;
        self.timers.stop_all();
        self.timers
            .set(TcpTimer::TimeWait, now + 2 * self.config.msl);
    }

    /// Enter ESTABLISHED from SYN-SENT or SYN-RECEIVED.
    pub(super) fn enter_established(&mut self) {
        self.state = State::Established;
        if self.recovery.syn_timed_out {
            // RFC 6298 5.7: "the RTO MUST be re-initialized to 3 seconds when
            // data transmission begins".
            self.rtt.restart_after_syn_timeout();
        }
        self.recovery.count = 0;
        self.recovery.since = None;
        self.signal(TcpEvent::Connected);
        if self.fin_queued {
            // A CLOSE issued in SYN-RECEIVED waited for ESTABLISHED (RFC 9293 3.10.4).
            self.state = State::FinWait1;
        }
    }
}
