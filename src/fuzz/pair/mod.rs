//! The stateful `pair` target: two reference hosts ([`stack::host::Host`])
//! joined by a fault-injecting link ([`Pair::with_faults`]), one TCP
//! connection between them, and an application workload, all chosen by
//! the input.
//!
//! # Input
//!
//! A [`Setup`]: the fault injector's seed and rates (drop, duplicate and
//! reorder up to 40%, corrupt up to 20%, delay up to 50 ms, jitter up to
//! 20 ms), the MSS, the buffers, timestamps, SACK, window scaling, Nagle.
//! Then at most [`MAX_OPS`](ops::MAX_OPS) [`Op`]s: a write of some octets
//! at either end, a shutdown, a close, an abort, a wait. Each op is
//! followed by a few milliseconds of the link running, and both
//! applications read everything that arrived after every op.
//!
//! Host A (198.51.100.1) connects to host B (198.51.100.2) port 80 at the
//! start; B accepts as soon as it can. After the ops both applications
//! shut writing down and read until the stream ends, then close; B's
//! listener closes, and the link runs until nothing is left to
//! do or [`END_LIMIT`] of virtual time has passed. Both hosts use a user
//! timeout of 30 s (RFC 9293 MUST-21: it replaces R2) and an MSL of 1 s,
//! so every connection can end well within the limit.
//!
//! # Invariants
//!
//! 1. Every octet read is the next octet the other end wrote: each end
//!    writes its own numbered stream, so a lost, duplicated or reordered
//!    octet shows at once (TCP's reliable, in-order delivery, RFC 9293 3.1).
//! 2. An end that reads the end of the stream (the peer's FIN) has read
//!    exactly what the other end wrote, every octet once.
//! 3. Every connection ends within [`END_LIMIT`]: both hosts' tables are
//!    empty, except one exception RFC 9293 allows: a connection in
//!    FIN-WAIT-2 whose peer is gone (the RFC has no FIN-WAIT-2 timer; the
//!    peer's FIN, or its RST, was lost before it gave up).
//! 4. The link never livelocks ([`stack::host::sim::MAX_STEPS`]).
//! 5. On a link that drops and corrupts nothing, if no application closed
//!    or aborted during the workload, both ends read the whole stream and
//!    its end: the workload ends with shutdown(SHUT_WR) at both ends and
//!    reading until the FIN, before the final close.
//!
//! A TCP [`Sabotage`] in both hosts' connection defaults breaks one of
//! these on purpose, to show that the target notices (see `tests.rs`).

pub mod ops;
pub mod seeds;

#[cfg(test)]
mod tests;

use core::net::SocketAddrV4;
use core::time::Duration;

use stack::device::{FaultConfig, Faults, LocalPipe, PipeConfig};
use stack::host::sim::Pair;
use stack::host::{ConnHandle, HostConfig, ListenerHandle};
use stack::tcp::{Sabotage, Shutdown, State};
use stack::wire::{EthernetAddress, Ipv4Addr};

pub use ops::{Op, Scenario, Setup};

use crate::fuzz::tcp_connection::build::{app_byte, buffer};
use ops::End;

/// The most virtual time the connections get to end after the ops.
pub const END_LIMIT: Duration = Duration::from_secs(600);

/// How long the link runs after each op that is not a wait.
const STEP: Duration = Duration::from_millis(5);

/// The least time the link runs between two attempts to settle the
/// connections at the end.
const SETTLE_TICK: Duration = Duration::from_millis(200);

/// The server's port.
const PORT: u16 = 80;
/// Host B's address.
const IP_B: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// Run fuzz input through the target: decode it, then run it.
pub fn run(data: &[u8]) {
    run_scenario(&Scenario::decode(data), None);
}

/// What a run did, for tests that check a scenario reached its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Octets each end wrote (client, server).
    pub written: [u64; 2],
    /// Octets each end read.
    pub read: [u64; 2],
    /// Whether each end read the end of the stream.
    pub eof: [bool; 2],
    /// Whether the server accepted the connection.
    pub accepted: bool,
}

/// Run a scenario, with TCP broken on purpose if `sabotage` says so.
///
/// # Panics
/// Panics, naming the invariant, when the pair breaks one.
pub fn run_scenario(scenario: &Scenario, sabotage: Option<Sabotage>) -> Outcome {
    let mut harness = Harness::new(&scenario.setup, sabotage);
    for op in &scenario.ops {
        harness.step(op);
    }
    harness.finish();
    Outcome {
        written: harness.apps.each(|a| a.written),
        read: harness.apps.each(|a| a.read),
        eof: harness.apps.each(|a| a.eof),
        accepted: harness.apps.0[1].handle.is_some(),
    }
}

/// What one end's application did.
#[derive(Debug, Clone, Copy, Default)]
struct App {
    /// Its connection, once it has one.
    handle: Option<ConnHandle>,
    /// Octets written (taken by the send buffer).
    written: u64,
    /// Octets read.
    read: u64,
    /// It read the end of the stream.
    eof: bool,
    /// It gave the handle up (close or abort).
    released: bool,
}

/// The two applications, client first.
struct Apps([App; 2]);

impl Apps {
    fn each<T>(&self, f: impl Fn(&App) -> T) -> [T; 2] {
        [f(&self.0[0]), f(&self.0[1])]
    }
}

/// Return the stream offset `offset`'s octet written by end `index`: the
/// two ends write different streams.
fn stream_byte(index: usize, offset: u64) -> u8 {
    app_byte(offset.wrapping_add((index as u64) << 40))
}

struct Harness {
    /// The hosts on a lock-free pipe: the target drives both on one thread.
    pair: Pair<Faults<LocalPipe>>,
    listener: ListenerHandle,
    apps: Apps,
    buf: Vec<u8>,
    /// The octets an application writes, or expects to read, reused.
    expected: Vec<u8>,
    /// The link drops and corrupts nothing.
    lossless: bool,
    /// An application closed or aborted during the workload.
    app_closed: bool,
}

/// Return the hosts' configurations.
fn configs(setup: &Setup, sabotage: Option<Sabotage>) -> (HostConfig, HostConfig) {
    let mut a = HostConfig {
        seed: u64::from(setup.seed),
        ..HostConfig::default()
    };
    let tcp = &mut a.tcp.defaults;
    tcp.mss = 200 + setup.mss % 1261;
    tcp.send_buffer = buffer(setup.buffer);
    tcp.recv_buffer = buffer(setup.buffer);
    tcp.timestamps = setup.timestamps;
    tcp.sack = setup.sack;
    tcp.window_scaling = setup.window_scaling;
    tcp.nodelay = setup.nodelay;
    tcp.msl = Duration::from_secs(1);
    tcp.user_timeout = Some(Duration::from_secs(30));
    tcp.sabotage = sabotage;
    let b = HostConfig {
        mac: EthernetAddress([0x02, 0, 0, 0, 0, 0x02]),
        ipv4: IP_B,
        seed: u64::from(setup.seed).wrapping_add(1),
        ..a.clone()
    };
    (a, b)
}

/// Return the fault injector's configuration.
fn faults(setup: &Setup) -> FaultConfig {
    let percent = |n: u8, max: u8| f64::from(n % (max + 1)) / 100.0;
    FaultConfig {
        drop: percent(setup.drop, 40),
        duplicate: percent(setup.duplicate, 40),
        reorder: percent(setup.reorder, 40),
        corrupt: percent(setup.corrupt, 20),
        delay: Duration::from_millis(u64::from(setup.delay % 50)),
        jitter: Duration::from_millis(u64::from(setup.jitter % 20)),
        ..FaultConfig::default()
    }
}

impl Harness {
    fn new(setup: &Setup, sabotage: Option<Sabotage>) -> Harness {
        let (a, b) = configs(setup, sabotage);
        let link = PipeConfig {
            latency: Duration::from_millis(1),
            queue_limit: 1 << 16,
            ..PipeConfig::default()
        };
        let seed = u64::from(setup.seed);
        // NOTE(unwrap): the configurations and rates above are all valid.
        let mut pair =
            Pair::with_faults_on(a, b, LocalPipe::new(link), faults(setup), seed).unwrap();
        // The invariants read the applications' streams, not the frames.
        pair.keep_frames(false);
        let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT);
        let listener = pair.b.host.tcp_listen(any, 4).unwrap();
        let server = SocketAddrV4::new(IP_B, PORT);
        let client = pair
            .a
            .host
            .tcp_connect(pair.now, server, None, None)
            .unwrap();
        let mut apps = Apps([App::default(); 2]);
        apps.0[0].handle = Some(client);
        Harness {
            pair,
            listener,
            apps,
            buf: vec![0; 4096],
            expected: Vec::with_capacity(4096),
            lossless: setup.drop.is_multiple_of(41) && setup.corrupt.is_multiple_of(21),
            app_closed: false,
        }
    }

    fn step(&mut self, op: &Op) {
        let span = match op {
            Op::Write(w) => {
                self.write(end_index(&w.end), usize::from(w.len) % 4097);
                STEP
            }
            Op::Shutdown(end) => {
                let i = end_index(end);
                // CLOSE in SYN-SENT deletes the connection (RFC 9293 3.10.4):
                // an early close, as far as invariant 5 is concerned.
                self.app_closed |= self.state(i) == Some(State::SynSent);
                if let Some((host, handle)) = self.live(i) {
                    let _ = host.tcp_shutdown(handle, Shutdown::Write);
                }
                STEP
            }
            Op::Close(end) => {
                self.app_closed = true;
                self.release(end_index(end), false);
                STEP
            }
            Op::Abort(end) => {
                self.app_closed = true;
                self.release(end_index(end), true);
                STEP
            }
            Op::Wait(ms) => Duration::from_millis(u64::from(ms % 2001)),
        };
        self.advance(span);
    }

    /// Return end `i`'s host and handle, while its application holds it.
    fn live(&mut self, i: usize) -> Option<(&mut stack::host::Host, ConnHandle)> {
        let app = &self.apps.0[i];
        let handle = app.handle.filter(|_| !app.released)?;
        let host = if i == 0 {
            &mut self.pair.a.host
        } else {
            &mut self.pair.b.host
        };
        Some((host, handle))
    }

    fn write(&mut self, i: usize, len: usize) {
        let start = self.apps.0[i].written;
        let mut data = core::mem::take(&mut self.expected);
        data.clear();
        data.extend((0..len as u64).map(|k| stream_byte(i, start + k)));
        let now = self.pair.now;
        if let Some((host, handle)) = self.live(i) {
            if let Ok(n) = host.tcp_send(now, handle, &data) {
                self.apps.0[i].written += n as u64;
            }
        }
        self.expected = data;
    }

    /// Read everything end `i` has, checking it against the other's stream.
    fn read(&mut self, i: usize) {
        let mut buf = core::mem::take(&mut self.buf);
        while let Some((host, handle)) = self.live(i) {
            match host.tcp_recv(handle, &mut buf) {
                Ok(0) => {
                    self.end_of_stream(i);
                    break;
                }
                Ok(n) => self.check_read(i, &buf[..n]),
                Err(_) => break,
            }
        }
        self.buf = buf;
    }

    /// Invariant 1: the octets are the other end's, in order, once.
    fn check_read(&mut self, i: usize, data: &[u8]) {
        let app = &mut self.apps.0[i];
        assert!(
            !app.eof,
            "end {i} read {} octets after the end of the stream",
            data.len()
        );
        // Compared whole (one memcmp), not octet by octet: under the fuzzer
        // every comparison is a traced call. The offset is looked for only
        // on a mismatch.
        let expected = &mut self.expected;
        expected.clear();
        expected.extend((0..data.len() as u64).map(|k| stream_byte(1 - i, app.read + k)));
        if data != &expected[..] {
            let k = (data.iter().zip(expected.iter()))
                .position(|(a, b)| a != b)
                .unwrap_or_default();
            panic!(
                "end {i} read octet {} wrong: lost, duplicated or reordered data",
                app.read + k as u64
            );
        }
        app.read += data.len() as u64;
        let written = self.apps.0[1 - i].written;
        assert!(
            self.apps.0[i].read <= written,
            "end {i} read more octets ({}) than end {} wrote ({written})",
            self.apps.0[i].read,
            1 - i
        );
    }

    /// Invariant 2: the end of the stream comes after every octet written.
    fn end_of_stream(&mut self, i: usize) {
        let (read, written) = (self.apps.0[i].read, self.apps.0[1 - i].written);
        assert_eq!(
            read,
            written,
            "end {i} read the end of the stream after {read} octets; end {} wrote {written}",
            1 - i
        );
        self.apps.0[i].eof = true;
    }

    /// Close (reading what arrived first) or abort end `i`.
    fn release(&mut self, i: usize, abort: bool) {
        self.read(i);
        if let Some((host, handle)) = self.live(i) {
            let _ = if abort {
                host.tcp_abort(handle)
            } else {
                host.tcp_close(handle)
            };
            self.apps.0[i].released = true;
        }
    }

    /// Let `span` pass, then accept and read at both ends.
    fn advance(&mut self, span: Duration) {
        if let Err(e) = self.pair.advance(span) {
            panic!("the link did not settle: {e}");
        }
        if self.apps.0[1].handle.is_none() {
            if let Ok(handle) = self.pair.b.host.tcp_accept(self.listener) {
                self.apps.0[1].handle = Some(handle);
            }
        }
        self.read(0);
        self.read(1);
    }

    /// End the workload: shut both ends' writing down and read until both
    /// streams end (or [`END_LIMIT`]), then close both ends and the
    /// listener and run the link until it is quiet; check invariants 3
    /// and 5.
    fn finish(&mut self) {
        let deadline = self.pair.now + END_LIMIT;
        let mut shut = [false; 2];
        while self.pair.now < deadline && !self.settled() {
            // Shut each end down once its connection is synchronized: a CLOSE
            // in SYN-SENT would delete it (RFC 9293 3.10.4). Once is enough:
            // a call marks the connection for output, which would make the
            // host due at once on every round.
            for (i, shut) in shut.iter_mut().enumerate() {
                let synchronized = self.state(i).is_some_and(State::is_synchronized);
                if let Some((host, handle)) = self.live(i).filter(|_| synchronized && !*shut) {
                    let _ = host.tcp_shutdown(handle, Shutdown::Write);
                    *shut = true;
                }
            }
            // Nothing changes between two events (the hosts act only on
            // frames and timers), so a quiet link stays unsettled for good,
            // and a long gap (an RTO) is skipped whole rather than walked
            // through in ticks that do nothing. The hosts first take in
            // the calls above (reads and shutdowns mark a connection for
            // output, which makes a host due at once).
            if let Err(e) = self.pair.step() {
                panic!("the link did not settle: {e}");
            }
            let Some(next) = self.pair.next_event().filter(|&at| at < deadline) else {
                break;
            };
            self.advance(SETTLE_TICK.max(next.saturating_duration_since(self.pair.now)));
        }
        self.release(0, false);
        self.release(1, false);
        let _ = self.pair.b.host.tcp_close_listener(self.listener);
        let deadline = self.pair.now + END_LIMIT;
        while self.pair.next_event().is_some_and(|at| at <= deadline) {
            if let Err(e) = self.pair.advance(Duration::from_secs(10)) {
                panic!("the link did not settle: {e}");
            }
        }
        self.check_ended();
        if self.lossless && !self.app_closed {
            // Invariant 5: nothing lost, nobody closed early: both streams
            // arrive whole, with their ends (RFC 9293 3.1, 3.6).
            for (i, app) in self.apps.0.iter().enumerate() {
                assert!(
                    app.eof,
                    "end {i} never read the end of the stream on a link that loses nothing \
                     ({} of {} octets read)",
                    app.read,
                    self.apps.0[1 - i].written
                );
            }
        }
    }

    /// Return whether both ends read the end of their stream, or have no
    /// connection left to read from.
    fn settled(&self) -> bool {
        (0..2).all(|i| self.apps.0[i].eof || self.state(i).is_none_or(|s| s == State::Closed))
    }

    /// Invariant 3: every connection ended.
    fn check_ended(&self) {
        let left = [
            self.pair.a.host.tcp_table_stats().connections,
            self.pair.b.host.tcp_table_stats().connections,
        ];
        for i in 0..2 {
            if left[i] == 0 {
                continue;
            }
            let orphan_fin_wait_2 = left[1 - i] == 0 && self.state(i) == Some(State::FinWait2);
            assert!(
                orphan_fin_wait_2,
                "end {i} still holds {} connection(s) ({:?}) {END_LIMIT:?} after both closed",
                left[i],
                self.state(i)
            );
        }
    }

    /// Return the state of end `i`'s connection, while the host holds it.
    fn state(&self, i: usize) -> Option<State> {
        let handle = self.apps.0[i].handle?;
        let host = if i == 0 {
            &self.pair.a.host
        } else {
            &self.pair.b.host
        };
        host.tcp_state(handle).ok()
    }
}

fn end_index(end: &End) -> usize {
    match end {
        End::Client => 0,
        End::Server => 1,
    }
}
