//! TCP between two hosts over a pipe on a virtual clock: open, transfer,
//! close; refusal; TIME-WAIT through the host; 10 000 connections; and a
//! faulty link.

use core::net::SocketAddrV4;
use core::time::Duration;

use super::*;
use crate::device::{Device, FaultConfig, FaultStats, Pipe, PipeConfig};
use crate::host::sim::Pair;
use crate::host::{ConnHandle, ConnectError, ListenerHandle};
use crate::tcp::{self, Shutdown, State, TcpEvent};

const PORT: u16 = 80;
const SERVER: SocketAddrV4 = SocketAddrV4::new(IP_PEER, PORT);

fn link() -> PipeConfig {
    PipeConfig {
        latency: Duration::from_millis(1),
        ..PipeConfig::default()
    }
}

/// Host A (the client, `IP_US`) and host B (the server, `IP_PEER`) with
/// `edit` applied to both TCP configurations.
fn configs(edit: impl Fn(&mut tcp::Config)) -> (HostConfig, HostConfig) {
    let (mut a, mut b) = (HostConfig::default(), peer_config());
    edit(&mut a.tcp.defaults);
    edit(&mut b.tcp.defaults);
    (a, b)
}

fn pair() -> Pair<Pipe> {
    let (a, b) = configs(|_| {});
    Pair::new(a, b, link()).unwrap()
}

/// Accept on `l`, driving the pair until a connection is there.
fn accept<D: Device>(pair: &mut Pair<D>, l: ListenerHandle) -> ConnHandle {
    for _ in 0..1000 {
        if let Ok(conn) = pair.b.host.tcp_accept(l) {
            return conn;
        }
        pair.advance(Duration::from_millis(10)).unwrap();
    }
    panic!("nothing to accept");
}

/// Read everything `conn` has now into `got`; return whether the stream ended.
fn read_into(host: &mut Host, conn: ConnHandle, got: &mut Vec<u8>) -> bool {
    let mut buf = [0; 4096];
    loop {
        match host.tcp_recv(conn, &mut buf) {
            Ok(0) => return true,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) => {
                assert_eq!(err.errno().name(), "EAGAIN", "{err}");
                return false;
            }
        }
    }
}

/// Read everything `conn` has now; `None` at the end of the stream.
fn read_all(host: &mut Host, conn: ConnHandle) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    (!read_into(host, conn, &mut got)).then_some(got)
}

/// An established connection from A (from `local`, if given) to B.
fn connected(
    pair: &mut Pair<Pipe>,
    l: ListenerHandle,
    local: Option<SocketAddrV4>,
) -> (ConnHandle, ConnHandle) {
    let now = pair.now;
    let client = pair.a.host.tcp_connect(now, SERVER, local, None).unwrap();
    let server = accept(pair, l);
    assert_eq!(pair.a.host.tcp_state(client), Ok(State::Established));
    (client, server)
}

#[test]
fn listen_accept_connect_transfer_and_close_between_two_hosts() {
    let mut pair = pair();
    let l = pair.b.host.tcp_listen(any_port(PORT), 8).unwrap();
    let (client, server) = connected(&mut pair, l, None);
    assert_eq!(
        pair.a.host.tcp_poll_event(client),
        Ok(Some(TcpEvent::Connected))
    );
    assert_eq!(
        pair.b.host.tcp_peer_addr(server),
        pair.a.host.tcp_local_addr(client)
    );
    let now = pair.now;
    assert_eq!(pair.a.host.tcp_send(now, client, b"ping"), Ok(4));
    pair.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(read_all(&mut pair.b.host, server), Some(b"ping".to_vec()));
    let now = pair.now;
    pair.b.host.tcp_send(now, server, b"pong").unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(read_all(&mut pair.a.host, client), Some(b"pong".to_vec()));
    // The client closes first, so it waits in TIME-WAIT.
    pair.a.host.tcp_close(client).unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(read_all(&mut pair.b.host, server), None, "end of stream");
    pair.b.host.tcp_close(server).unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(pair.a.host.tcp_table_stats().time_wait, 1);
    assert_eq!(pair.b.host.tcp_table_stats().connections, 0);
    pair.drive().unwrap();
    assert_eq!(pair.a.host.tcp_table_stats().connections, 0);
    assert_eq!(pair.a.host.poll_timeout(), None);
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let mut pair = pair();
    let now = pair.now;
    let closed = SocketAddrV4::new(IP_PEER, 81);
    let client = pair.a.host.tcp_connect(now, closed, None, None).unwrap();
    pair.drive().unwrap();
    assert_eq!(pair.a.host.tcp_state(client), Ok(State::Closed));
    let err = pair.a.host.tcp_recv(client, &mut [0; 4]).unwrap_err();
    assert_eq!(err.errno().name(), "ECONNREFUSED");
    assert_eq!(pair.b.host.stats().tcp_resets_sent, 1);
    assert_eq!(pair.b.host.stats().dropped.get("tcp_no_connection"), 1);
}

#[test]
fn syn_in_time_wait_opens_a_new_incarnation_through_the_host_shld_4() {
    let mut pair = pair();
    let l = pair.b.host.tcp_listen(any_port(PORT), 8).unwrap();
    let local = Some(SocketAddrV4::new(IP_US, 50000));
    let (client, server) = connected(&mut pair, l, local);
    // The server closes first: TIME-WAIT is on B, the listener's side.
    pair.b.host.tcp_close(server).unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    pair.a.host.tcp_close(client).unwrap();
    pair.advance(Duration::from_secs(1)).unwrap();
    assert_eq!(pair.b.host.tcp_table_stats().time_wait, 1);
    assert_eq!(pair.a.host.tcp_table_stats().connections, 0);
    // The same 4-tuple again: a later TSval (RFC 6191), a new connection.
    let received = pair.b.received.len();
    let (client, server) = connected(&mut pair, l, local);
    let new_syn = pair.b.received[received..]
        .iter()
        .any(|r| matches!(r.verdict, FrameVerdict::Accepted(Action::TcpSynQueued(got, c)) if got == l && c == server));
    assert!(new_syn, "the first SYN was taken as a new incarnation");
    assert_eq!(pair.b.host.tcp_table_stats().time_wait, 0);
    assert_eq!(pair.b.host.tcp_state(server), Ok(State::Established));
    assert_eq!(pair.a.host.tcp_state(client), Ok(State::Established));
}

#[test]
fn two_msl_after_close_the_port_is_reused_must_13() {
    let mut pair = pair();
    let l = pair.b.host.tcp_listen(any_port(PORT), 8).unwrap();
    let port = SocketAddrV4::new(IP_US, 50000);
    let local = Some(port);
    let (client, server) = connected(&mut pair, l, local);
    pair.a.host.tcp_close(client).unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    pair.b.host.tcp_close(server).unwrap();
    pair.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(pair.a.host.tcp_table_stats().time_wait, 1);
    let now = pair.now;
    let err = pair
        .a
        .host
        .tcp_connect(now, SERVER, local, None)
        .unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::AddrInUse, "EADDRINUSE")
    );
    pair.advance(2 * tcp::Config::default().msl).unwrap();
    assert_eq!(pair.a.host.tcp_table_stats().connections, 0);
    let (client, _) = connected(&mut pair, l, local);
    assert_eq!(pair.a.host.tcp_local_addr(client), Ok(port));
}

#[test]
fn ten_thousand_connections_open_and_close_and_leave_nothing() {
    let (a, b) = configs(|c| c.msl = Duration::from_millis(100));
    let mut pair = Pair::new(a, b, link()).unwrap();
    let l = pair.b.host.tcp_listen(any_port(PORT), 128).unwrap();
    // Resolve each other's MAC first: ARP holds only 3 datagrams while it
    // resolves (RFC 1122 2.3.2.2), and 100 SYNs are about to leave at once.
    let now = pair.now;
    pair.a.host.ping(now, IP_PEER, 1, 1, b"").unwrap();
    pair.drive().unwrap();
    for _ in 0..100 {
        let now = pair.now;
        let clients: Vec<_> = (0..100)
            .map(|_| pair.a.host.tcp_connect(now, SERVER, None, None).unwrap())
            .collect();
        pair.advance(Duration::from_millis(10)).unwrap();
        for client in clients {
            assert_eq!(pair.a.host.tcp_state(client), Ok(State::Established));
            pair.a.host.tcp_close(client).unwrap();
        }
        while let Ok(server) = pair.b.host.tcp_accept(l) {
            pair.b.host.tcp_close(server).unwrap();
        }
        pair.advance(Duration::from_millis(300)).unwrap();
    }
    pair.drive().unwrap();
    for host in [&pair.a.host, &pair.b.host] {
        let stats = host.tcp_table_stats();
        assert_eq!((stats.connections, stats.mapped, stats.timers), (0, 0, 0));
        assert!(stats.slots <= 300, "memory bounded by the peak: {stats:?}");
    }
    assert_eq!(pair.b.host.tcp_listener_queues(l), Ok((0, 0)));
    assert_eq!(pair.a.host.stats().tcp_resets_sent, 0);
}

/// The data one side sends: a pattern that shows any reordering.
fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ salt).collect()
}

/// One side of a transfer: what it sends, what it received.
struct Side {
    conn: Option<ConnHandle>,
    data: Vec<u8>,
    sent: usize,
    received: Vec<u8>,
    eof: bool,
}

impl Side {
    fn new(conn: Option<ConnHandle>, len: usize, salt: u8) -> Side {
        Side {
            conn,
            data: pattern(len, salt),
            sent: 0,
            received: Vec::new(),
            eof: false,
        }
    }

    /// Queue more data (shutting the write side after the last), and read.
    fn step(&mut self, host: &mut Host, now: Instant) {
        let Some(conn) = self.conn else { return };
        // Wait for the handshake: a CLOSE in SYN-SENT deletes the TCB
        // (RFC 9293 3.10.4), and all the data may fit the buffer at once.
        let open = matches!(
            host.tcp_state(conn),
            Ok(State::Established | State::CloseWait)
        );
        if open && self.sent < self.data.len() {
            if let Ok(n) = host.tcp_send(now, conn, &self.data[self.sent..]) {
                self.sent += n;
                if self.sent == self.data.len() {
                    host.tcp_shutdown(conn, Shutdown::Write).unwrap();
                }
            }
        }
        if read_into(host, conn, &mut self.received) {
            self.eof = true;
        }
    }

    fn done(&self) -> bool {
        self.eof && self.sent == self.data.len()
    }
}

/// Transfer `len` bytes each way through a faulty link, then close both
/// ends and let TIME-WAIT pass: the data arrives exactly once, in order,
/// and no connection is left. Return what the faults did to A's frames.
fn transfer_through_faults(len: usize, drop: f64, seed: u64) -> FaultStats {
    let faults = FaultConfig {
        drop,
        duplicate: 0.01,
        reorder: 0.02,
        reorder_hold: Duration::from_millis(3),
        jitter: Duration::from_micros(500),
        ..FaultConfig::default()
    };
    let (a, b) = configs(|c| c.msl = Duration::from_secs(5));
    let mut pair = Pair::with_faults(a, b, link(), faults, seed).unwrap();
    let l = pair.b.host.tcp_listen(any_port(PORT), 8).unwrap();
    let now = pair.now;
    let client = pair.a.host.tcp_connect(now, SERVER, None, None).unwrap();
    let (mut a, mut b) = (
        Side::new(Some(client), len, 0x00),
        Side::new(None, len, 0x5a),
    );
    let deadline = Instant::from_secs(600);
    while !(a.done() && b.done()) {
        let (sent, got) = ((a.sent, b.sent), (b.received.len(), a.received.len()));
        assert!(
            pair.now < deadline,
            "stuck: sent {sent:?}, received {got:?}"
        );
        if b.conn.is_none() {
            b.conn = pair.b.host.tcp_accept(l).ok();
        }
        let now = pair.now;
        a.step(&mut pair.a.host, now);
        b.step(&mut pair.b.host, now);
        pair.advance(Duration::from_millis(5)).unwrap();
    }
    assert!(
        a.received == b.data,
        "B to A: {} of {} bytes, in order",
        a.received.len(),
        b.data.len()
    );
    assert!(
        b.received == a.data,
        "A to B: {} of {} bytes, in order",
        b.received.len(),
        a.data.len()
    );
    pair.a.host.tcp_close(client).unwrap();
    pair.b.host.tcp_close(b.conn.unwrap()).unwrap();
    pair.drive().unwrap();
    for host in [&pair.a.host, &pair.b.host] {
        assert_eq!(
            host.tcp_table_stats().connections,
            0,
            "every connection ended"
        );
    }
    *pair.a.device.stats()
}

#[test]
fn one_megabyte_each_way_through_1_percent_loss() {
    let stats = transfer_through_faults(1 << 20, 0.01, 1);
    assert!(
        stats.dropped > 0 && stats.duplicated > 0 && stats.reordered > 0,
        "{stats:?}"
    );
}

#[test]
fn one_megabyte_each_way_through_5_percent_loss() {
    let stats = transfer_through_faults(1 << 20, 0.05, 2);
    assert!(
        stats.dropped > 0 && stats.duplicated > 0 && stats.reordered > 0,
        "{stats:?}"
    );
}

#[test]
fn sixty_more_seeded_runs_through_a_faulty_link() {
    for seed in 0..60 {
        let drop = [0.0, 0.01, 0.05][seed as usize % 3];
        transfer_through_faults(64 * 1024, drop, 100 + seed);
    }
}
