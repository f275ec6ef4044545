//! The stateful `host` target: a reference [`Host`] with two open UDP
//! sockets, driven by a list of [`Op`]s on a virtual clock, with its
//! invariants checked after every step.
//!
//! # Input
//!
//! A [`Scenario`]: a [`Setup`] (MTU, queue sizes, ICMP rate, reassembly
//! bounds, a gateway or not), then ops until the bytes run out: a raw frame;
//! an ARP frame built from fields; an IPv4 datagram built from fields (UDP,
//! ICMP echo or error, TCP bytes, any protocol; chosen TTL, ID, flags and
//! options), whole or cut into fragments sent in some order, one maybe
//! duplicated, dropped, poisoned, overlapping or link-broadcast, its first
//! frame maybe corrupted; a wait; a UDP send or a ping; a read; a socket
//! closed and opened again. The bytes are `arbitrary`'s encoding of those
//! types, which [`Scenario::encode`] writes (see [`encode`]), so seeds are
//! op lists (`cargo run --example host_seeds`).
//!
//! The sockets: one bound to 0.0.0.0:7, one to 198.51.100.1 and an
//! ephemeral port. Peers live at 198.51.100.2 to .5, the gateway at .254,
//! and off-link hosts at 203.0.113.0/24 behind it.
//!
//! # Driving
//!
//! As a real driver does: each frame goes into `handle_frame`, then a poll
//! loop runs `handle_timeout` if `poll_timeout` has come and drains
//! `poll_transmit`. A wait walks the clock from timer to timer up to its end.
//!
//! # Invariants
//!
//! After every step, every frame out and everything read is checked
//! ([`Oracle`] keeps what was sent in):
//!
//! 1. Every frame out parses through [`FrameRepr`](stack::wire::frame::FrameRepr)
//!    with `ChecksumPolicy::Verify`; it comes from our MAC, is 60 bytes or
//!    more, and fits the MTU. The host's fragments go out back to back, in
//!    order, multiples of 8 octets, and reassemble to a datagram whose
//!    transport checksum verifies too.
//! 2. IPv4 out: from our address, with the configured TTL, never 0
//!    (RFC 1122 3.2.1.7); never to 0.0.0.0, 127/8, multicast or ourselves
//!    (3.2.1.3); a broadcast goes to the broadcast MAC, anything else to
//!    the MAC an ARP packet gave for the next hop.
//! 3. ICMP errors out (RFC 1122 3.2.2): never about an ICMP error, a
//!    datagram to a broadcast or multicast address, a datagram that came only
//!    as link-layer broadcasts, a non-initial fragment, or a source that is
//!    not one host; always about a datagram that arrived, quoting its bytes;
//!    only port unreachable (about UDP), protocol unreachable (about a
//!    protocol the host lacks) and reassembly time exceeded (about a first
//!    fragment); within the token bucket's rate.
//! 4. Echo replies out answer an echo request that arrived (same identifier,
//!    sequence number and data; to a broadcast only if allowed); echo
//!    requests out and UDP datagrams out are exactly what the application
//!    sent.
//! 5. ARP out: requests are broadcast, for a neighbour, at most one per
//!    `request_interval` per address (RFC 1122 2.3.2.1); replies answer a
//!    request that arrived, sent to its sender.
//! 6. What the application reads is exactly what some datagram (or
//!    fragments of it) carried: UDP payloads with their ports and addresses,
//!    on a socket whose binding allows it; echo replies with their data.
//! 7. Timers: after `handle_timeout(now)`, `poll_timeout()` is `None` or
//!    later than `now`; a timer is armed while reassembly holds anything;
//!    `Wait::Quiet` reaches no timer at all within 1000 wake-ups.
//! 8. Bounds: reassembly holds at most its configured bytes and datagrams;
//!    one poll loop gives at most `tx_queue` frames; our handles stay valid.
//!
//! A [`Sabotage`] in the host's configuration breaks one of these on
//! purpose, to show that the target notices (see `tests.rs`).

pub mod build;
pub mod encode;
pub mod ops;
pub mod oracle;
pub mod seeds;

#[cfg(test)]
mod tests;

use core::cell::Cell;
use core::net::SocketAddrV4;
use core::time::Duration;

use stack::host::reassembly::{ReassemblyConfig, ReassemblyStats};
use stack::host::{Host, HostConfig, HostStats, RecvError, Sabotage, SendError, UdpHandle};
use stack::time::Instant;
use stack::wire::Ipv4Addr;

pub use ops::{Op, Scenario, Setup};
pub use oracle::Oracle;

use build::{Frames, BOUND_PORT, GATEWAY_IP};
use ops::{Mtu, PingOp, Read, SendOp, Socket, Wait};
use oracle::OracleBuffers;

/// The most timers one wait runs through.
const MAX_WAKEUPS: usize = 1000;

/// Run fuzz input through the target: decode it, then run it.
pub fn run(data: &[u8]) {
    with_run(&Scenario::decode(data), None, |_| ());
}

/// Run a scenario, with the host broken on purpose if `sabotage` says so.
///
/// # Panics
/// Panics, naming the invariant, when the host breaks one.
pub fn run_scenario(scenario: &Scenario, sabotage: Option<Sabotage>) -> Outcome {
    with_run(scenario, sabotage, |host| Outcome {
        stats: host.stats().clone(),
        reassembly: host.reassembly_stats(),
    })
}

/// Run a scenario, then return what `outcome` makes of the host.
fn with_run<R>(
    scenario: &Scenario,
    sabotage: Option<Sabotage>,
    outcome: impl FnOnce(&Host) -> R,
) -> R {
    let buffers = SPARE_BUFFERS.with(Cell::take);
    let mut harness = Harness::new(&scenario.setup, sabotage, buffers);
    for op in &scenario.ops {
        harness.step(op);
    }
    let outcome = outcome(&harness.host);
    SPARE_BUFFERS.with(|spare| spare.set(harness.into_buffers()));
    outcome
}

/// The harness's buffers, kept for the next run: their allocations, not
/// their contents (each is emptied or overwritten before it is read).
#[derive(Debug, Default)]
struct Buffers {
    frames: Frames,
    transmitted: Vec<u8>,
    data: Vec<u8>,
    oracle: OracleBuffers,
}

std::thread_local! {
    /// The buffers the last run on this thread left: a fuzzer runs input
    /// after input, and under a sanitizer every allocation is slow.
    static SPARE_BUFFERS: Cell<Buffers> = Cell::default();
}

/// What a run did: the host's counters at its end, for tests that check a
/// scenario reaches what it was written for.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The host's counters.
    pub stats: HostStats,
    /// The reassembler's counters.
    pub reassembly: ReassemblyStats,
}

/// Return the host configuration a [`Setup`] describes.
pub fn config(setup: &Setup, sabotage: Option<Sabotage>) -> HostConfig {
    let mut config = HostConfig {
        seed: u64::from(setup.seed),
        gateway: setup.gateway.then_some(GATEWAY_IP),
        sabotage,
        ..HostConfig::default()
    };
    config.mtu = match setup.mtu {
        Mtu::Ethernet => 1500,
        Mtu::Small => 576,
        Mtu::Least => 68,
        Mtu::Other(n) => 68 + usize::from(n % 1433),
    };
    if setup.tx_queue != 0 {
        config.tx_queue = usize::from(setup.tx_queue % 16) + 1;
    }
    config.icmp.error_burst = u32::from(setup.error_burst % 8);
    config.icmp.echo_broadcast = setup.echo_broadcast;
    config.reassembly = ReassemblyConfig {
        max_datagrams: usize::from(setup.reassembly_datagrams % 8) + 1,
        max_bytes: match setup.reassembly_kib {
            0 => ReassemblyConfig::default().max_bytes,
            n => usize::from(n) * 1024,
        },
        ..ReassemblyConfig::default()
    };
    config.arp.queue_per_destination = usize::from(setup.arp_queue % 4) + 1;
    config.udp.rx_queue = usize::from(setup.rx_queue % 8) + 1;
    config
}

/// The host, its clock and sockets, and the oracle; and buffers reused from
/// step to step, so that a run allocates little (under a sanitizer every
/// allocation is slow).
struct Harness {
    host: Host,
    now: Instant,
    bound: UdpHandle,
    sender: UdpHandle,
    oracle: Oracle,
    /// The frames an op injects.
    frames: Frames,
    /// The last frame the host transmitted (see `Host::poll_transmit_into`).
    transmitted: Vec<u8>,
    /// The data of a send or a ping.
    data: Vec<u8>,
}

impl Harness {
    fn new(setup: &Setup, sabotage: Option<Sabotage>, buffers: Buffers) -> Harness {
        // NOTE(unwrap): every field `config` sets is within what `validate` takes.
        let mut host = Host::new(config(setup, sabotage)).unwrap();
        let (bound, sender) = (
            open(&mut host, Socket::Bound),
            open(&mut host, Socket::Sender),
        );
        Harness {
            host,
            now: Instant::ZERO,
            bound,
            sender,
            oracle: Oracle::with_buffers(buffers.oracle),
            frames: buffers.frames,
            transmitted: buffers.transmitted,
            data: buffers.data,
        }
    }

    /// Return the buffers, for the next run.
    fn into_buffers(self) -> Buffers {
        Buffers {
            frames: self.frames,
            transmitted: self.transmitted,
            data: self.data,
            oracle: self.oracle.into_buffers(),
        }
    }

    fn handle(&self, socket: &Socket) -> UdpHandle {
        match socket {
            Socket::Bound => self.bound,
            Socket::Sender => self.sender,
        }
    }

    fn local(&self, socket: &Socket) -> SocketAddrV4 {
        let handle = self.handle(socket);
        (self.host.udp_local_addr(handle)).unwrap_or_else(|_| panic!("{handle} closed under us"))
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Raw(bytes) => self.inject(&bytes.0),
            Op::Arp(arp) => {
                self.frames.arp(arp);
                self.inject_frames();
            }
            Op::Ipv4(ipv4) => {
                let sender = self.local(&Socket::Sender).port();
                self.frames.ipv4(ipv4, sender);
                self.inject_frames();
            }
            Op::Wait(wait) => self.wait(wait),
            Op::Send(send) => self.send(send),
            Op::Ping(ping) => self.ping(ping),
            Op::Read(read) => self.read(read),
            Op::Reopen(socket) => self.reopen(socket),
        }
        self.poll();
        self.check_state();
    }

    /// Inject the frames built last.
    fn inject_frames(&mut self) {
        let frames = core::mem::take(&mut self.frames);
        for frame in frames.iter() {
            self.inject(frame);
        }
        self.frames = frames;
    }

    fn inject(&mut self, frame: &[u8]) {
        self.oracle.record_injected(frame);
        self.host.handle_frame(self.now, frame);
        self.poll();
    }

    /// Run the poll loop once at `now`: timers if due, then every frame.
    fn poll(&mut self) {
        let now = self.now;
        if self.host.poll_timeout().is_some_and(|at| at <= now) {
            self.host.handle_timeout(now);
            if let Some(at) = self.host.poll_timeout() {
                assert!(
                    at > now,
                    "poll_timeout() is {at} after handle_timeout({now})"
                );
            }
        }
        let limit = self.host.config().tx_queue;
        let mut sent = 0;
        while self.host.poll_transmit_into(now, &mut self.transmitted) {
            sent += 1;
            assert!(
                sent <= limit,
                "one poll loop gave more than tx_queue = {limit} frames"
            );
            (self.oracle).check_transmitted(&self.host, now, &self.transmitted);
        }
        self.oracle.end_of_poll();
    }

    /// Check what must hold between steps.
    fn check_state(&self) {
        let held = self.host.reassembly_stats();
        let bounds = self.host.config().reassembly;
        assert!(
            held.bytes_held <= bounds.max_bytes,
            "reassembly holds {} bytes",
            held.bytes_held
        );
        assert!(
            held.datagrams_held <= bounds.max_datagrams,
            "reassembly holds {} datagrams",
            held.datagrams_held
        );
        if held.datagrams_held > 0 {
            assert!(
                self.host.poll_timeout().is_some(),
                "reassembly holds datagrams with no timer armed"
            );
        }
    }

    fn wait(&mut self, wait: &Wait) {
        let end = match *wait {
            Wait::Micros(n) => self.now + Duration::from_micros(u64::from(n)),
            Wait::Millis(n) => self.now + Duration::from_millis(u64::from(n)),
            Wait::Secs(n) => self.now + Duration::from_secs(u64::from(n)),
            Wait::NextTimer => self.host.poll_timeout().unwrap_or(self.now).max(self.now),
            Wait::Quiet => Instant::MAX,
        };
        for _ in 0..MAX_WAKEUPS {
            match self.host.poll_timeout() {
                Some(at) if at <= end => {
                    self.now = self.now.max(at);
                    self.poll();
                }
                _ => break,
            }
        }
        if *wait == Wait::Quiet {
            assert_eq!(
                self.host.poll_timeout(),
                None,
                "no quiet after {MAX_WAKEUPS} timers"
            );
            return;
        }
        self.now = self.now.max(end);
    }

    fn send(&mut self, send: &SendOp) {
        let handle = self.handle(&send.socket);
        let local = self.local(&send.socket);
        let sender = self.local(&Socket::Sender).port();
        // NOTE(unwrap): `local` just found the socket open.
        self.host
            .udp_set_dont_fragment(handle, send.dont_frag)
            .unwrap();
        let dst = SocketAddrV4::new(build::ip(&send.to), build::port(&send.port, sender));
        self.data.clear();
        send.data.extend_into(&mut self.data);
        match self.host.udp_send_to(self.now, handle, &self.data, dst) {
            Ok(()) => self.oracle.record_send(local.port(), dst, &self.data),
            Err(SendError::BadHandle) => panic!("{handle} closed under us"),
            Err(SendError::NoRoute(to)) => self.check_no_route(to),
            Err(_) => {}
        }
    }

    /// A neighbour, or anything when there is a gateway, always has a route.
    fn check_no_route(&self, to: Ipv4Addr) {
        let special = to.is_multicast() || to.is_loopback() || to == self.host.config().ipv4;
        let routable = self.host.on_subnet(to) || self.host.config().gateway.is_some();
        assert!(special || !routable, "no route to {to}");
    }

    fn ping(&mut self, ping: &PingOp) {
        let to = build::ip(&ping.to);
        self.data.clear();
        ping.data.extend_into(&mut self.data);
        let (ident, seq_no, data) = (ping.ident, ping.seq_no, &self.data[..]);
        if self.host.ping(self.now, to, ident, seq_no, data).is_ok() {
            self.oracle.record_ping(to, ident, seq_no, data);
        }
    }

    fn read(&mut self, read: &Read) {
        match read {
            Read::Socket(socket) => {
                self.read_socket(socket);
            }
            Read::EchoReply => self.read_echo_reply(),
            Read::All => {
                for socket in [Socket::Bound, Socket::Sender] {
                    for _ in 0..=self.host.config().udp.rx_queue {
                        if !self.read_socket(&socket) {
                            break;
                        }
                    }
                }
                for _ in 0..=self.host.config().icmp.echo_reply_queue {
                    self.read_echo_reply();
                }
            }
        }
    }

    /// Read one datagram or error; return whether there was anything.
    fn read_socket(&mut self, socket: &Socket) -> bool {
        let (handle, local) = (self.handle(socket), self.local(socket));
        match self.host.udp_recv_from(handle) {
            Ok(Some(got)) => {
                self.oracle.check_delivered(&self.host, local, &got);
                true
            }
            Ok(None) => false,
            Err(RecvError::Failed(_)) => true,
            Err(RecvError::BadHandle) => panic!("{handle} closed under us"),
        }
    }

    fn read_echo_reply(&mut self) {
        if let Some(reply) = self.host.poll_echo_reply() {
            self.oracle.check_echo_reply(&reply);
        }
    }

    fn reopen(&mut self, socket: &Socket) {
        let handle = self.handle(socket);
        if self.host.udp_close(handle).is_err() {
            panic!("{handle} closed under us");
        }
        let handle = open(&mut self.host, socket.clone());
        match socket {
            Socket::Bound => self.bound = handle,
            Socket::Sender => self.sender = handle,
        }
    }
}

/// Open one of the two sockets; binding cannot fail with two sockets open.
fn open(host: &mut Host, socket: Socket) -> UdpHandle {
    let local = match socket {
        Socket::Bound => SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, BOUND_PORT),
        Socket::Sender => SocketAddrV4::new(host.config().ipv4, 0),
    };
    host.udp_bind(local)
        .unwrap_or_else(|e| panic!("cannot bind {local}: {e}"))
}
