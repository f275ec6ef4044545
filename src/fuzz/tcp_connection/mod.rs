//! The stateful `tcp_connection` target: two reference connections
//! ([`stack::tcp::Connection`], driven directly: no host, no frames), one
//! active (our SYN to the peer's port 80) and one passive (LISTEN on port
//! 80 for the peer's port 50000). The input plays the peer and the
//! application; the invariants are checked after every step.
//!
//! # Input
//!
//! A [`Setup`] (ISS, the peer's ISS, MSS, buffer sizes, timestamps, SACK,
//! window scaling, Nagle, delayed ACKs, MSL, user timeout), then at most
//! [`MAX_OPS`](ops::MAX_OPS) (48) [`Op`]s:
//!
//! - a segment for one connection, built from fields: flags; SEG.SEQ and
//!   SEG.ACK relative to RCV.NXT, the right edge of the receive window,
//!   SND.UNA, SND.NXT, the right edge of the send window, ISS, IRS or the
//!   peer's ISS (±1, ± n, ± a window) or raw; the window; the urgent
//!   pointer; options (MSS, window scale, SACK-permitted, SACK blocks laid
//!   out from a point, timestamps fresh, old or raw); a payload of the
//!   peer's stream bytes at those sequence numbers;
//! - a socket call: send (pushed, not pushed, urgent), receive, shutdown,
//!   close, abort;
//! - a wait, timer by timer.
//!
//! # Invariants
//!
//! After every step, for each connection ([`Oracle`]):
//!
//! 1. SND.UNA =< SND.NXT =< the highest SND.UNA + SND.WND seen, plus one
//!    octet each for our unacknowledged SYN, a zero-window probe
//!    (MUST-36) and our FIN, which the window does not govern. (The highest
//!    edge, since the peer may shrink its window: 3.8.6.)
//! 2. Nothing is acknowledged that did not arrive: every ACK we send, and
//!    RCV.NXT, lie within the sequence space the peer sent without a gap
//!    from IRS; every SACK block we send covers octets the peer sent.
//! 3. No new data goes past the peer's window (SND.UNA + SND.WND when it
//!    is sent), except a one-octet probe of a closed window; every octet
//!    sent is the one the application wrote at that place in its stream.
//! 4. A RST is never sent in reply to a RST (RFC 9293 3.10.7).
//! 5. Only the moves of RFC 9293's state diagram ([`oracle::moves`]), and
//!    only those the step's kind can cause ([`oracle::allowed`]).
//! 6. TIME-WAIT lasts at least 2MSL (MUST-13): its timer is at least 2MSL
//!    after entry, and a timer never ends it sooner.
//! 7. A retransmission or persist timer runs whenever data (or a SYN or
//!    FIN) is outstanding (RFC 6298 5.1); after `handle_timeout(now)`, no
//!    timer is due at or before `now`.
//! 8. What the application reads is exactly the peer's octets in order
//!    from IRS + 1, never past what arrived without a gap; when the peer's
//!    FIN has been taken, the stream ends exactly at it.
//!
//! Besides: one poll loop gives at most [`MAX_SEGMENTS_PER_POLL`]
//! segments, and a wait until quiet ends within [`MAX_WAKEUPS`] timers.
//!
//! A [`Sabotage`] in the connections' configuration breaks one of these on
//! purpose, to show that the target notices (see `tests.rs`).

pub mod build;
pub mod ops;
pub mod oracle;
pub mod seeds;

#[cfg(test)]
mod tests;

use core::time::Duration;

use stack::tcp::{Connection, RecvError, Sabotage, Seeds, SeqNumber, Shutdown, State};
use stack::tcp::{SendError, SendFlags};
use stack::time::Instant;

pub use ops::{Op, Scenario, Setup};
pub use oracle::Oracle;

use build::{app_byte, Peer};
use ops::{Call, CallOp, SegmentOp, Side, Wait};
use oracle::Trigger;

/// The most segments one poll loop may give: more is a runaway sender.
pub const MAX_SEGMENTS_PER_POLL: usize = 256;

/// The most timers one wait runs through.
pub const MAX_WAKEUPS: usize = 200;

/// Run fuzz input through the target: decode it, then run it.
pub fn run(data: &[u8]) {
    run_scenario(&Scenario::decode(data), None);
}

/// Run a scenario, with the engine broken on purpose if `sabotage` says so.
///
/// # Panics
/// Panics, naming the invariant, when a connection breaks one.
pub fn run_scenario(scenario: &Scenario, sabotage: Option<Sabotage>) -> [State; 2] {
    let mut harness = Harness::new(&scenario.setup, sabotage);
    for op in &scenario.ops {
        harness.step(op);
    }
    [0, 1].map(|i| harness.ends[i].conn.state())
}

/// One connection, the peer's view of it, and its oracle.
struct End {
    conn: Connection,
    peer: Peer,
    oracle: Oracle,
}

/// The two connections and the clock.
struct Harness {
    now: Instant,
    ends: [End; 2],
    /// The payload of the segment being built, reused.
    payload: Vec<u8>,
    /// The application's data for a send, reused.
    data: Vec<u8>,
}

impl Harness {
    fn new(setup: &Setup, sabotage: Option<Sabotage>) -> Harness {
        let mut config = build::config(setup);
        config.sabotage = sabotage;
        let now = Instant::ZERO;
        let seeds = |salt: u32| Seeds {
            iss: SeqNumber(setup.iss.wrapping_add(salt)),
            ts_offset: setup.iss.rotate_left(7) ^ salt,
        };
        let peer = |salt: u32| Peer {
            iss: SeqNumber(setup.peer_iss.wrapping_add(salt)),
            ts_clock: setup.peer_iss.rotate_left(11),
            last_tsval: 0,
        };
        let tuple = build::tuple;
        // NOTE(unwrap): `build::config` stays within what `validate` takes.
        let client =
            Connection::connect(now, config.clone(), tuple(&Side::Client), seeds(0)).unwrap();
        let server =
            Connection::listen(now, config, tuple(&Side::Server), seeds(0x8000_0000)).unwrap();
        let end = |conn: Connection, peer, name| End {
            oracle: Oracle::new(name, conn.state()),
            conn,
            peer,
        };
        let mut harness = Harness {
            now,
            ends: [
                end(client, peer(0), "client"),
                end(server, peer(0x4000_0000), "server"),
            ],
            payload: Vec::with_capacity(build::MAX_PAYLOAD),
            data: Vec::new(),
        };
        harness.poll_all();
        harness
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Segment(seg) => self.segment(seg),
            Op::Call(call) => self.call(call),
            Op::Wait(wait) => self.wait(wait),
        }
    }

    fn segment(&mut self, op: &SegmentOp) {
        let now = self.now;
        let end = &mut self.ends[side_index(&op.side)];
        let st = end.conn.status();
        let seg = build::segment(op, &st, &mut end.peer, &mut self.payload);
        end.oracle.record_injected(&seg);
        end.conn.handle_segment(now, &seg);
        Self::poll(end, now);
        end.oracle.check_after(&end.conn, now, Trigger::Segment);
    }

    fn call(&mut self, op: &CallOp) {
        let now = self.now;
        let end = &mut self.ends[side_index(&op.side)];
        let trigger = match op.call {
            Call::Send(n) => Self::send(
                end,
                &mut self.data,
                now,
                n,
                SendFlags {
                    push: true,
                    urgent: false,
                },
            ),
            Call::SendNoPush(n) => Self::send(end, &mut self.data, now, n, SendFlags::default()),
            Call::SendUrgent(n) => Self::send(
                end,
                &mut self.data,
                now,
                n,
                SendFlags {
                    push: true,
                    urgent: true,
                },
            ),
            Call::Recv(n) => {
                Self::recv(end, &mut self.data, usize::from(n) % 4097 + 1);
                Trigger::Call
            }
            Call::RecvAll => {
                while Self::recv(end, &mut self.data, 4096) {}
                Trigger::Call
            }
            Call::ShutdownRead => {
                if end.conn.shutdown(Shutdown::Read).is_ok() {
                    end.oracle.record_read_shut();
                }
                Trigger::Call
            }
            Call::ShutdownWrite => {
                let _ = end.conn.shutdown(Shutdown::Write);
                Trigger::Close
            }
            Call::ShutdownBoth => {
                if end.conn.shutdown(Shutdown::Both).is_ok() {
                    end.oracle.record_read_shut();
                }
                Trigger::Close
            }
            Call::Close => {
                end.oracle.record_read_shut();
                let _ = end.conn.close();
                Trigger::Close
            }
            Call::Abort => {
                end.conn.abort();
                Trigger::Close
            }
        };
        Self::poll(end, now);
        end.oracle.check_after(&end.conn, now, trigger);
    }

    fn send(end: &mut End, data: &mut Vec<u8>, now: Instant, n: u16, flags: SendFlags) -> Trigger {
        let len = usize::from(n) % 8193;
        let start = end.oracle.written();
        data.clear();
        data.extend((0..len as u64).map(|i| app_byte(start + i)));
        match end.conn.send_with(now, data, flags) {
            Ok(n) => end.oracle.record_written(n),
            Err(SendError::WouldBlock) => {
                assert!(end.conn.send_room() == 0, "WouldBlock with room")
            }
            Err(_) => {}
        }
        Trigger::Call
    }

    /// Read once into a buffer of `len`; return whether anything came.
    fn recv(end: &mut End, buf: &mut Vec<u8>, len: usize) -> bool {
        buf.clear();
        buf.resize(len, 0);
        let st = end.conn.status();
        match end.conn.recv(buf) {
            Ok(0) => {
                end.oracle.check_end_of_stream(&st);
                false
            }
            Ok(n) => {
                end.oracle.check_read(&buf[..n], &st);
                true
            }
            Err(RecvError::WouldBlock | RecvError::NotConnected | RecvError::Connection(_)) => {
                false
            }
        }
    }

    /// Drain both connections' segments (after setup).
    fn poll_all(&mut self) {
        let now = self.now;
        for end in &mut self.ends {
            Self::poll(end, now);
        }
    }

    /// Drain one connection's segments and events, checking each segment.
    /// Polling moves only SND.NXT, so one status serves the whole loop.
    fn poll(end: &mut End, now: Instant) {
        let st = end.conn.status();
        end.oracle.note_window(&st);
        let mut sent = 0;
        while let Some(seg) = end.conn.poll_segment(now) {
            sent += 1;
            assert!(
                sent <= MAX_SEGMENTS_PER_POLL,
                "more than {MAX_SEGMENTS_PER_POLL} segments in one poll loop"
            );
            if let Some(ts) = seg.options.timestamps() {
                end.peer.last_tsval = ts.tsval;
            }
            end.oracle.check_out(&seg, &st);
        }
        while end.conn.poll_event().is_some() {}
    }

    fn wait(&mut self, wait: &Wait) {
        let until = match *wait {
            Wait::Micros(n) => self.now + Duration::from_micros(u64::from(n)),
            Wait::Millis(n) => self.now + Duration::from_millis(u64::from(n)),
            Wait::Secs(n) => self.now + Duration::from_secs(u64::from(n)),
            Wait::NextTimer => self.next_timeout().unwrap_or(self.now).max(self.now),
            Wait::Quiet => Instant::MAX,
        };
        for _ in 0..MAX_WAKEUPS {
            let Some(at) = self.next_timeout().filter(|&at| at <= until) else {
                break;
            };
            self.now = self.now.max(at);
            self.fire_timers();
        }
        if until != Instant::MAX {
            self.now = self.now.max(until);
        }
    }

    fn next_timeout(&self) -> Option<Instant> {
        self.ends.iter().filter_map(|e| e.conn.poll_timeout()).min()
    }

    /// Run `handle_timeout` on each connection that has a timer due.
    fn fire_timers(&mut self) {
        let now = self.now;
        for end in &mut self.ends {
            if end.conn.poll_timeout().is_none_or(|at| at > now) {
                continue;
            }
            end.conn.handle_timeout(now);
            if let Some(at) = end.conn.poll_timeout() {
                assert!(
                    at > now,
                    "poll_timeout() is {at} after handle_timeout({now})"
                );
            }
            Self::poll(end, now);
            end.oracle.check_after(&end.conn, now, Trigger::Timer);
        }
    }
}

fn side_index(side: &Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}
