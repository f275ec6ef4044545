//! Two connections back to back through a lossy, reordering, duplicating
//! in-memory link on a virtual clock (quinn-proto `tests/util.rs` `Pair`):
//! the data arrives exactly once and in order, and both connections end.

use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use crate::device::{Device, FaultConfig, Faults, Pipe, PipeConfig};
use crate::random::Rng;
use crate::tcp::isn::IsnGenerator;
use crate::tcp::{Config, Connection, FourTuple, Seeds, Shutdown, State};
use crate::time::Instant;
use crate::wire::tcp::{TcpRepr, TcpSegment};
use crate::wire::ChecksumPolicy;

const A: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), 49152);
const B: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), 80);

/// One end: its connection, its side of the link, and its data.
struct End {
    conn: Connection,
    link: Faults<Pipe>,
    tuple: FourTuple,
    outgoing: Vec<u8>,
    sent: usize,
    received: Vec<u8>,
    eof: bool,
    scratch: Vec<u8>,
    history: Vec<(Instant, State)>,
    log: Vec<String>,
}

impl End {
    /// Take what arrived and the timers due, queue data (shutting the write
    /// side once it is all queued), read, then send what the connection
    /// wants to send: the polling order of the connection's docs.
    fn step(&mut self, now: Instant) {
        while let Ok(Some(frame)) = self.link.recv(now) {
            let (src, dst) = (*self.tuple.remote.ip(), *self.tuple.local.ip());
            let seg = TcpSegment::new_checked(&frame[..]).unwrap();
            let repr = TcpRepr::parse(&seg, src, dst, ChecksumPolicy::Verify).unwrap();
            let verdict = self.conn.handle_segment(now, &repr);
            if std::env::var("PAIR_DEBUG").is_ok() {
                self.log.push(format!("{now} in  {repr} -> {verdict}"));
            }
        }
        if self.conn.poll_timeout().is_some_and(|t| t <= now) {
            self.conn.handle_timeout(now);
        }
        if self.sent < self.outgoing.len() {
            if let Ok(n) = self.conn.send(now, &self.outgoing[self.sent..]) {
                self.sent += n;
                if self.sent == self.outgoing.len() {
                    self.conn.shutdown(Shutdown::Write).unwrap();
                }
            }
        }
        let mut buf = [0u8; 8192];
        while let Ok(n) = self.conn.recv(&mut buf) {
            if n == 0 {
                self.eof = true;
                break;
            }
            self.received.extend_from_slice(&buf[..n]);
        }
        while let Some(seg) = self.conn.poll_segment(now) {
            self.scratch.resize(seg.buffer_len(), 0);
            let (src, dst) = (*self.tuple.local.ip(), *self.tuple.remote.ip());
            seg.emit(
                &mut TcpSegment::new_unchecked(&mut self.scratch[..]),
                src,
                dst,
                ChecksumPolicy::Verify,
            );
            if std::env::var("PAIR_DEBUG").is_ok() {
                self.log.push(format!("{now} out {seg}"));
            }
            self.link.send(now, &self.scratch).unwrap();
        }
        if self.history.last().map(|h| h.1) != Some(self.conn.state()) {
            self.history.push((now, self.conn.state()));
        }
    }

    fn next_wakeup(&self) -> Option<Instant> {
        [self.conn.poll_timeout(), self.link.poll_at()]
            .into_iter()
            .flatten()
            .min()
    }
}

fn data(len: usize, salt: u8) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + i / 251) as u8) ^ salt).collect()
}

/// Run a transfer of `len` bytes each way; return the virtual time it took.
fn transfer(seed: u64, loss: f64, len: usize) -> Duration {
    let rng = Rng::from_seed(seed);
    let isn = IsnGenerator::new(&mut rng.derive("isn"));
    let (pa, pb) = Pipe::new(PipeConfig {
        latency: Duration::from_millis(5),
        queue_limit: 1 << 16,
        ..PipeConfig::default()
    });
    let faults = FaultConfig {
        drop: loss,
        duplicate: 0.01,
        reorder: 0.02,
        reorder_hold: Duration::from_millis(3),
        jitter: Duration::from_micros(500),
        ..FaultConfig::default()
    };
    let config = Config {
        rtt: crate::tcp::rtt::RttConfig {
            min_rto: Duration::from_millis(200),
            ..Default::default()
        },
        ..Config::default()
    };
    let ta = FourTuple {
        local: A,
        remote: B,
    };
    let tb = FourTuple {
        local: B,
        remote: A,
    };
    let seeds = |t: FourTuple, label: &str| Seeds {
        iss: isn.isn(
            Instant::ZERO,
            (*t.local.ip(), t.local.port()),
            (*t.remote.ip(), t.remote.port()),
        ),
        ts_offset: rng.derive(label).next_u32(),
    };
    let end = |conn, pipe, label: &str, tuple, salt| End {
        conn,
        link: Faults::new(pipe, faults.clone(), rng.derive(label)).unwrap(),
        tuple,
        outgoing: data(len, salt),
        sent: 0,
        received: Vec::new(),
        eof: false,
        scratch: Vec::new(),
        history: Vec::new(),
        log: Vec::new(),
    };
    let a = Connection::connect(Instant::ZERO, config.clone(), ta, seeds(ta, "ts/a")).unwrap();
    let b = Connection::listen(Instant::ZERO, config, tb, seeds(tb, "ts/b")).unwrap();
    let mut ends = [
        end(a, pa, "faults/a", ta, 0x00),
        end(b, pb, "faults/b", tb, 0x5a),
    ];
    let mut now = Instant::ZERO;
    let limit = Instant::from_secs(3600);
    while ends.iter().any(|e| e.conn.state() != State::Closed) {
        for e in &mut ends {
            e.step(now);
        }
        let next = ends.iter().filter_map(End::next_wakeup).min();
        let Some(next) = next else {
            if std::env::var("PAIR_DEBUG").is_ok() {
                for e in &ends {
                    let c = &e.conn;
                    eprintln!("{:?} base {:?} end {:?} pending {:?} timers {:?} fin {} snd {:?} rec {:?} cc {:?}", c.state, c.data_base, c.data_end(), c.pending, c.timers, c.fin_queued, c.snd, c.recovery, c.cc);
                }
            }
            break;
        };
        now = now.max(next);
        assert!(
            now < limit,
            "seed {seed}, loss {loss}: stuck in {:?} / {:?}",
            ends[0].conn.status(),
            ends[1].conn.status()
        );
    }
    for (e, other) in [(&ends[0], &ends[1]), (&ends[1], &ends[0])] {
        if e.conn.error().is_some() {
            for line in &e.log[e.log.len().saturating_sub(30)..] {
                eprintln!("A {line}");
            }
            for line in &other.log[other.log.len().saturating_sub(30)..] {
                eprintln!("B {line}");
            }
        }
        assert!(e.eof, "seed {seed}: end of stream seen");
        assert_eq!(
            e.received.len(),
            other.outgoing.len(),
            "seed {seed}, loss {loss}: length"
        );
        assert!(
            e.received == other.outgoing,
            "seed {seed}, loss {loss}: data differs"
        );
        assert_eq!(e.conn.state(), State::Closed);
        assert_eq!(
            e.conn.error(),
            None,
            "seed {seed}: a clean end: {:?} / other {:?}",
            e.history,
            other.history
        );
    }
    let drops: u64 = ends.iter().map(|e| e.link.stats().dropped).sum();
    if std::env::var("PAIR_DEBUG").is_ok() {
        let rtx: Vec<u64> = ends
            .iter()
            .map(|e| e.conn.status().total_retransmissions)
            .collect();
        eprintln!(
            "seed {seed} loss {loss}: {:?} drops {drops} rtx {rtx:?}",
            now - Instant::ZERO
        );
    }
    assert!(loss == 0.0 || drops > 0, "the link dropped frames");
    now - Instant::ZERO
}

#[test]
fn pair_transfers_1mb_each_way_without_loss() {
    transfer(1, 0.0, 1 << 20);
}

#[test]
fn pair_transfers_1mb_each_way_at_1_percent_loss() {
    for seed in [2, 3] {
        transfer(seed, 0.01, 1 << 20);
    }
}

#[test]
fn pair_transfers_1mb_each_way_at_5_percent_loss() {
    for seed in [4, 5] {
        transfer(seed, 0.05, 1 << 20);
    }
}

/// Many seeds, smaller transfers, up to 10 % loss (`PAIR_DEBUG=1` prints
/// each run and, on failure, the last segments of each end).
#[test]
fn pair_transfers_256kb_each_way_over_many_seeds() {
    for seed in 10..30 {
        for loss in [0.01, 0.05, 0.1] {
            transfer(seed, loss, 1 << 18);
        }
    }
}
