//! smoltcp: one `Interface` on its `Loopback` device, two TCP sockets (or
//! many), as in smoltcp's `examples/loopback_benchmark.rs`.
//!
//! `Loopback` announces a 65,535-byte MTU and no checksums, so [`Link`]
//! wraps it to announce what synack's hosts have: a 1514-byte frame (1500
//! bytes of IP) and every checksum computed and verified
//! (`ChecksumCapabilities::default()`). When a run asks for loss, the link
//! drops each frame sent with that probability, drawn from the same kind of
//! seeded stream synack's `Faults` uses. smoltcp's own `FaultInjector`
//! would drop on receive and on transmit (twice the rate on one loopback)
//! and copy every frame.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use smoltcp::iface::{Config, Interface, PollResult, SocketHandle, SocketSet};
use smoltcp::phy::{self, ChecksumCapabilities, Device, DeviceCapabilities, Loopback, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, IpAddress, IpCidr};
use stack::random::Rng;

use super::clock::RunClock;
use super::report::{self, check, BulkParams, Conns, Transfer};
use super::GLOBAL;

const PORT: u16 = 80;
const ADDR: IpAddress = IpAddress::v4(127, 0, 0, 1);
/// The first client port (smoltcp's connect needs one).
const FIRST_PORT: u16 = 49152;

/// The drop decisions and counters of a [`Link`].
struct Drops {
    p: f64,
    rng: Rng,
    /// Where a dropped frame is built.
    scratch: Vec<u8>,
    frames: u64,
    dropped: u64,
}

/// smoltcp's `Loopback` with an Ethernet NIC's MTU and checksums, and drops.
///
/// It hands the interface at most `rx_budget` frames per poll: the driver
/// polls once per frame, so that each frame is processed, and what it
/// causes sent, before the next (as synack's driver does).
pub struct Link {
    inner: Loopback,
    drops: Drops,
    rx_budget: usize,
    received: u64,
}

impl Link {
    fn new(p: f64, seed: u64) -> Link {
        Link {
            inner: Loopback::new(Medium::Ethernet),
            drops: Drops {
                p,
                // The stream synack's `Faults` on host A's end draws from.
                rng: Rng::from_seed(seed).derive("a").derive("drop"),
                scratch: vec![0; 1514],
                frames: 0,
                dropped: 0,
            },
            rx_budget: 0,
            received: 0,
        }
    }

    /// Return the frames waiting in the loopback queue.
    fn queued(&self) -> u64 {
        self.drops.frames - self.drops.dropped - self.received
    }
}

impl Device for Link {
    type RxToken<'a> = <Loopback as Device>::RxToken<'a>;
    type TxToken<'a> = LinkTx<'a>;

    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        if self.rx_budget == 0 {
            return None;
        }
        let (rx, inner) = self.inner.receive(now)?;
        self.rx_budget -= 1;
        self.received += 1;
        let drops = &mut self.drops;
        Some((rx, LinkTx { inner, drops }))
    }

    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>> {
        let inner = self.inner.transmit(now)?;
        let drops = &mut self.drops;
        Some(LinkTx { inner, drops })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps.checksum = ChecksumCapabilities::default();
        caps
    }
}

/// A transmit token of [`Link`].
pub struct LinkTx<'a> {
    inner: <Loopback as Device>::TxToken<'a>,
    drops: &'a mut Drops,
}

impl phy::TxToken for LinkTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let drops = self.drops;
        drops.frames += 1;
        if drops.rng.chance(drops.p) {
            drops.dropped += 1;
            drops.scratch.resize(len, 0);
            return f(&mut drops.scratch[..len]);
        }
        self.inner.consume(len, f)
    }
}

fn at(d: Duration) -> Instant {
    Instant::from_micros(d.as_micros() as i64)
}

/// The run's clock in milliseconds, as [`Stack::turn`] last saw it.
static CLOCK_MS: AtomicU32 = AtomicU32::new(0);

/// The TSval clock of smoltcp's sockets: the run's clock in milliseconds
/// (RFC 7323 5.4: a tick between 1 ms and 1 s). smoltcp takes a plain
/// `fn() -> u32`, so the driver leaves the time in a static for it, as it
/// hands synack's hosts the time on each call: no clock read per segment.
fn tsval() -> u32 {
    CLOCK_MS.load(Ordering::Relaxed)
}

fn socket(buffer: usize) -> tcp::Socket<'static> {
    let rx = tcp::SocketBuffer::new(vec![0; buffer]);
    let tx = tcp::SocketBuffer::new(vec![0; buffer]);
    tcp::Socket::new(rx, tx)
}

/// What a turn did.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    Busy,
    Skipped,
    Quiet,
}

/// The interface, its device, its sockets and the clock.
struct Stack {
    iface: Interface,
    dev: Link,
    sockets: SocketSet<'static>,
    clock: RunClock,
    idle: u32,
}

impl Stack {
    fn new(drop: f64, seed: u64, clock: RunClock) -> Stack {
        let mut dev = Link::new(drop, seed);
        let mut config = Config::new(EthernetAddress([0x02, 0, 0, 0, 0, 1]).into());
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut dev, at(clock.now()));
        iface.update_ip_addrs(|addrs| addrs.push(IpCidr::new(ADDR, 8)).unwrap());
        Stack {
            iface,
            dev,
            sockets: SocketSet::new(vec![]),
            clock,
            idle: 0,
        }
    }

    fn now(&self) -> Instant {
        at(self.clock.now())
    }

    fn tcp(&mut self, handle: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(handle)
    }

    /// Add a listening socket and a socket connecting to it from `port`.
    fn pair(&mut self, buffer: usize, port: u16) -> (SocketHandle, SocketHandle) {
        let server = self.sockets.add(socket(buffer));
        self.tcp(server).listen(PORT).unwrap();
        let client = self.sockets.add(socket(buffer));
        let cx = self.iface.context();
        let socket = self.sockets.get_mut::<tcp::Socket>(client);
        socket.connect(cx, (ADDR, PORT), port).unwrap();
        (client, server)
    }

    /// Poll once; if nothing happened there nor in the application (`app`),
    /// move the clock to the next deadline.
    fn turn(&mut self, app: bool) -> Progress {
        let now = self.now();
        CLOCK_MS.store(now.total_millis() as u32, Ordering::Relaxed);
        let received = self.dev.received;
        let mut changed = false;
        // One poll per frame waiting (one at least, for timers and output).
        for _ in 0..self.dev.queued().max(1) {
            self.dev.rx_budget = 1;
            let polled = self.iface.poll(now, &mut self.dev, &mut self.sockets);
            changed |= polled == PollResult::SocketStateChanged;
        }
        if app || changed || self.dev.received != received || self.dev.queued() > 0 {
            self.idle = 0;
            return Progress::Busy;
        }
        self.idle += 1;
        assert!(self.idle < 1_000_000, "smoltcp: no progress");
        match self.iface.poll_at(now, &self.sockets) {
            Some(next) => {
                let next = Duration::from_micros(next.total_micros().max(0) as u64);
                self.clock.skip_to(next);
                Progress::Skipped
            }
            None => Progress::Quiet,
        }
    }

    fn drive(&mut self) {
        while self.turn(false) != Progress::Quiet {}
    }

    fn established(&mut self, handle: SocketHandle) -> bool {
        self.tcp(handle).state() == tcp::State::Established
    }
}

/// Move `p.bytes` from one socket to the other.
pub fn bulk(p: &BulkParams) -> Transfer {
    let mut stack = Stack::new(p.drop, p.seed, RunClock::realtime());
    let (client, server) = stack.pair(p.buffer, FIRST_PORT);
    // RFC 7323 timestamps on both sockets, as synack's hosts have them: the
    // same options on every segment, so the same 1448 bytes of data in each
    // (1460 without), and the same number of segments on both sides.
    for handle in [client, server] {
        stack.tcp(handle).set_tsval_generator(Some(tsval));
    }
    // The last, short segment leaves without waiting for an ACK.
    stack.tcp(client).set_nagle_enabled(false);
    while !(stack.established(client) && stack.established(server)) {
        assert_ne!(stack.turn(false), Progress::Quiet, "no handshake");
    }
    let pattern = report::pattern();
    let mut buf = vec![0; report::PATTERN_LEN];
    let (frames, allocations) = (stack.dev.drops.frames, report::allocations(GLOBAL));
    let mark = stack.clock.mark();
    let (mut sent, mut got) = (0u64, 0u64);
    while got < p.bytes {
        let mut app = false;
        let socket = stack.tcp(client);
        if sent < p.bytes && socket.can_send() {
            app = true;
            loop {
                let off = (sent % report::PATTERN_LEN as u64) as usize;
                let len = (report::PATTERN_LEN - off).min((p.bytes - sent) as usize);
                let n = socket.send_slice(&pattern[off..off + len]).unwrap_or(0);
                sent += n as u64;
                if n < len || sent == p.bytes {
                    break;
                }
            }
        }
        let socket = stack.tcp(server);
        if socket.can_recv() {
            app = true;
            loop {
                let n = socket.recv_slice(&mut buf).unwrap_or(0);
                if p.verify {
                    check(&pattern, got, &buf[..n]);
                }
                got += n as u64;
                if n < buf.len() {
                    break;
                }
            }
        }
        stack.turn(app);
    }
    Transfer {
        bytes: got,
        span: mark.span(&stack.clock),
        frames: stack.dev.drops.frames - frames,
        dropped: stack.dev.drops.dropped,
        allocations: report::allocations(GLOBAL) - allocations,
    }
}

/// Open `count` connections (in batches of `batch`: a listening socket and
/// a connecting one each, as smoltcp has no backlog), all open at once,
/// then close them all, let TIME-WAIT expire (smoltcp's fixed 10 s, on a
/// virtual clock) and remove the sockets.
pub fn conns(count: usize, batch: usize, buffer: usize) -> Conns {
    let mut stack = Stack::new(0.0, 1, RunClock::virtual_time());
    let mut handles = Vec::with_capacity(count);
    let before = report::live_bytes(GLOBAL);
    let mark = stack.clock.mark();
    while handles.len() < count {
        let first = handles.len();
        for i in first..count.min(first + batch) {
            handles.push(stack.pair(buffer, FIRST_PORT + i as u16));
        }
        while !handles[first..]
            .iter()
            .all(|&(c, s)| stack.established(c) && stack.established(s))
        {
            assert_ne!(stack.turn(false), Progress::Quiet, "no handshake");
        }
    }
    let open = mark.span(&stack.clock);
    let state = report::live_bytes(GLOBAL) - before;
    let mark = stack.clock.mark();
    for &(c, _) in &handles {
        stack.tcp(c).close();
    }
    stack.drive();
    for &(_, s) in &handles {
        stack.tcp(s).close();
    }
    stack.drive();
    for (c, s) in handles {
        for handle in [c, s] {
            assert_eq!(stack.tcp(handle).state(), tcp::State::Closed);
            stack.sockets.remove(handle);
        }
    }
    let close = mark.span(&stack.clock);
    Conns {
        count,
        // Both buffers are the application's, allocated with the socket.
        state_bytes: state as f64 / (2 * count) as f64 - (2 * buffer) as f64,
        struct_bytes: size_of::<tcp::Socket>(),
        buffer_bytes: 2 * buffer,
        open,
        close,
    }
}
