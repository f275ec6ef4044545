//! synack: two reference hosts joined by the memory pipe.
//!
//! Each host is driven much as `stack::host::sim::Node::step` drives it,
//! but without the node's log of every received frame (a 1 GiB run cannot
//! keep it), and with the host's output drained after each frame it takes
//! in, not once after all of them: one frame at a time, as they would come
//! off a link. Given a whole window of segments at once, a receiver sends
//! one ACK for all (MUST-58), which no real link would show.

use core::net::SocketAddrV4;
use std::time::Duration;

use stack::device::{Device, FaultConfig, Faults, LocalPipe, PipeConfig};
use stack::host::{ConnHandle, Host, HostConfig, ListenerHandle};
use stack::random::Rng;
use stack::tcp::State;
use stack::time::Instant;
use stack::wire::{EthernetAddress, Ipv4Addr};

use super::clock::RunClock;
use super::report::{self, check, BulkParams, Conns, Transfer};
use super::GLOBAL;

const PORT: u16 = 80;

/// Host `n`: 198.51.100.n, MAC 02:00:00:00:00:0n, both TCP buffers `buffer`.
fn host(n: u8, buffer: usize) -> Host {
    let mut config = HostConfig {
        mac: EthernetAddress([0x02, 0, 0, 0, 0, n]),
        ipv4: Ipv4Addr::new(198, 51, 100, n),
        ..HostConfig::default()
    };
    config.tcp.defaults.send_buffer = buffer;
    config.tcp.defaults.recv_buffer = buffer;
    // NOTE(unwrap): the configuration is the default one with valid sizes.
    Host::new(config).unwrap()
}

/// The server's address.
fn server_addr() -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), PORT)
}

fn at(d: Duration) -> Instant {
    Instant::from_micros(d.as_micros() as u64)
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A host and its end of the link.
struct Node<D> {
    host: Host,
    dev: D,
}

impl<D: Device> Node<D> {
    /// Each frame in, and what it causes out; then timers, and what they
    /// cause out. Return whether anything happened.
    fn step(&mut self, now: Instant) -> bool {
        let mut busy = false;
        while let Some(frame) = self.dev.recv(now).expect("device recv") {
            self.host.handle_frame(now, &frame);
            self.transmit(now);
            busy = true;
        }
        if self.host.poll_timeout().is_some_and(|t| t <= now) {
            self.host.handle_timeout(now);
            busy = true;
        }
        busy | self.transmit(now)
    }

    fn transmit(&mut self, now: Instant) -> bool {
        let mut busy = false;
        // Each frame's buffer goes to the pipe, as smoltcp's loopback
        // keeps the buffer it allocates for each frame: one allocation per
        // frame on both (the host's spare buffers stay unused, as the
        // frames received are dropped, not handed back).
        while let Some(frame) = self.host.poll_transmit(now) {
            self.dev.send_owned(now, frame).expect("device send");
            busy = true;
        }
        busy
    }

    fn next_event(&self) -> Option<Instant> {
        earliest(self.host.poll_timeout(), self.dev.poll_at())
    }
}

/// What a turn of the link did.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// Something happened.
    Busy,
    /// Nothing did; the clock moved to the next deadline.
    Skipped,
    /// Nothing did, and nothing is pending.
    Quiet,
}

/// Two nodes and the clock.
struct Link<D> {
    a: Node<D>,
    b: Node<D>,
    clock: RunClock,
    idle: u32,
}

impl<D: Device> Link<D> {
    fn new(a: D, b: D, buffer: usize, clock: RunClock) -> Link<D> {
        Link {
            a: Node {
                host: host(1, buffer),
                dev: a,
            },
            b: Node {
                host: host(2, buffer),
                dev: b,
            },
            clock,
            idle: 0,
        }
    }

    fn now(&self) -> Instant {
        at(self.clock.now())
    }

    /// Run both nodes once; if nothing happened there nor in the
    /// application (`app`), move the clock to the next deadline.
    fn turn(&mut self, app: bool) -> Progress {
        let now = self.now();
        let busy = self.a.step(now) | self.b.step(now);
        if busy || app {
            self.idle = 0;
            return Progress::Busy;
        }
        self.idle += 1;
        assert!(
            self.idle < 1_000_000,
            "synack: no progress at {now}: A {:?} {:?}, B {:?} {:?}",
            self.a.host.poll_timeout(),
            self.a.dev.poll_at(),
            self.b.host.poll_timeout(),
            self.b.dev.poll_at(),
        );
        match earliest(self.a.next_event(), self.b.next_event()) {
            Some(next) => {
                self.clock.skip_to(next.since_start());
                Progress::Skipped
            }
            None => Progress::Quiet,
        }
    }

    /// Turn until nothing is pending.
    fn drive(&mut self) {
        while self.turn(false) != Progress::Quiet {}
    }

    /// Connect A to B's listener and return (client, server).
    fn connect(&mut self, l: ListenerHandle) -> (ConnHandle, ConnHandle) {
        let now = self.now();
        let addr = server_addr();
        let client = self.a.host.tcp_connect(now, addr, None, None).unwrap();
        loop {
            if let Ok(server) = self.b.host.tcp_accept(l) {
                return (client, server);
            }
            assert_ne!(self.turn(false), Progress::Quiet, "no handshake");
        }
    }

    /// Connect `n` more clients to B's listener `l`, and drive the link
    /// until B has accepted as many connections as there are clients.
    fn open_batch(
        &mut self,
        l: ListenerHandle,
        n: usize,
        clients: &mut Vec<ConnHandle>,
        servers: &mut Vec<ConnHandle>,
    ) {
        let now = self.now();
        for _ in 0..n {
            let client = self.a.host.tcp_connect(now, server_addr(), None, None);
            clients.push(client.unwrap());
        }
        while servers.len() < clients.len() {
            while let Ok(server) = self.b.host.tcp_accept(l) {
                servers.push(server);
            }
            self.turn(false);
        }
    }

    fn frames(&self) -> u64 {
        self.a.host.stats().tx_frames + self.b.host.stats().tx_frames
    }
}

/// Move `p.bytes` from host A to host B over a clean pipe, or through a
/// `Faults` drop on each end when `p.drop > 0`.
pub fn bulk(p: &BulkParams) -> Transfer {
    let (a, b) = LocalPipe::new(PipeConfig::default());
    if p.drop == 0.0 {
        return transfer(Link::new(a, b, p.buffer, RunClock::realtime()), p, |_| 0);
    }
    // As `stack::host::sim::Pair::with_faults`: streams "a" and "b".
    let rng = Rng::from_seed(p.seed);
    let faults = FaultConfig {
        drop: p.drop,
        ..FaultConfig::default()
    };
    let a = Faults::new(a, faults.clone(), rng.derive("a")).unwrap();
    let b = Faults::new(b, faults, rng.derive("b")).unwrap();
    let link = Link::new(a, b, p.buffer, RunClock::realtime());
    transfer(link, p, |dev| dev.stats().dropped)
}

fn transfer<D: Device>(mut link: Link<D>, p: &BulkParams, dropped: fn(&D) -> u64) -> Transfer {
    let l = link.b.host.tcp_listen(server_addr(), 1).unwrap();
    let (client, server) = link.connect(l);
    // The last, short segment leaves without waiting for an ACK.
    let now = link.now();
    link.a.host.tcp_set_nodelay(now, client, true).unwrap();
    let pattern = report::pattern();
    let mut buf = vec![0; report::PATTERN_LEN];
    let (frames, allocations) = (link.frames(), report::allocations(GLOBAL));
    let mark = link.clock.mark();
    let (mut sent, mut got) = (0u64, 0u64);
    while got < p.bytes {
        let now = link.now();
        let mut app = false;
        // Call the socket only when it can take or give data, as an
        // application woken by readiness would: every call settles the
        // connection, which then polls for a segment.
        let room = |host: &Host| host.tcp_send_room(client).unwrap();
        if sent < p.bytes && room(&link.a.host) > 0 {
            app = true;
            loop {
                let off = (sent % report::PATTERN_LEN as u64) as usize;
                let len = (report::PATTERN_LEN - off).min((p.bytes - sent) as usize);
                let n = link.a.host.tcp_send(now, client, &pattern[off..off + len]);
                let n = n.unwrap_or(0);
                sent += n as u64;
                if n < len || sent == p.bytes {
                    break;
                }
            }
        }
        if link.b.host.tcp_recv_queued(server).unwrap() > 0 {
            app = true;
            loop {
                let n = link.b.host.tcp_recv(server, &mut buf).unwrap_or(0);
                if p.verify {
                    check(&pattern, got, &buf[..n]);
                }
                got += n as u64;
                if n < buf.len() {
                    break;
                }
            }
        }
        link.turn(app);
    }
    Transfer {
        bytes: got,
        span: mark.span(&link.clock),
        frames: link.frames() - frames,
        dropped: dropped(&link.a.dev) + dropped(&link.b.dev),
        allocations: report::allocations(GLOBAL) - allocations,
    }
}

/// Open `count` connections from A to B (in batches of `batch`), all open
/// at once, then close them all and let TIME-WAIT expire (2MSL, the default
/// MSL of 2 minutes, on a virtual clock).
pub fn conns(count: usize, batch: usize, buffer: usize) -> Conns {
    let (a, b) = LocalPipe::new(PipeConfig {
        queue_limit: 1 << 20,
        ..PipeConfig::default()
    });
    let mut link = Link::new(a, b, buffer, RunClock::virtual_time());
    let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT);
    let l = link.b.host.tcp_listen(any, batch).unwrap();
    // ARP first, as the two-host test does.
    let now = link.now();
    let peer = *server_addr().ip();
    link.a.host.ping(now, peer, 1, 1, b"").unwrap();
    link.drive();
    let (mut clients, mut servers) = (Vec::with_capacity(count), Vec::with_capacity(count));
    let before = report::live_bytes(GLOBAL);
    let mark = link.clock.mark();
    while clients.len() < count {
        let n = batch.min(count - clients.len());
        link.open_batch(l, n, &mut clients, &mut servers);
    }
    let open = mark.span(&link.clock);
    let state = report::live_bytes(GLOBAL) - before;
    for &c in &clients {
        assert_eq!(link.a.host.tcp_state(c), Ok(State::Established));
    }
    let mark = link.clock.mark();
    for &c in &clients {
        link.a.host.tcp_close(c).unwrap();
    }
    link.drive();
    for &s in &servers {
        link.b.host.tcp_close(s).unwrap();
    }
    link.drive();
    let close = mark.span(&link.clock);
    for host in [&link.a.host, &link.b.host] {
        assert_eq!(
            host.tcp_table_stats().connections,
            0,
            "all closed and freed"
        );
    }
    Conns {
        count,
        // The receive ring is allocated with the connection; the send
        // buffer only once data is queued (none here).
        state_bytes: state as f64 / (2 * count) as f64 - buffer as f64,
        struct_bytes: size_of::<stack::tcp::Connection>(),
        buffer_bytes: buffer,
        open,
        close,
    }
}
