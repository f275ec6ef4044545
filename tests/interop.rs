//! Interop over TAP: the Linux kernel and the reference host, two real
//! TCP/IP stacks, talking through a TAP device.
//!
//! Each test makes its own namespace from `ServeConfig::default().netns()`:
//! the kernel is 198.51.100.1 on `synack0`, and the reference host is
//! 198.51.100.2 behind it, driven in real time by `synack::realtime::Driver`
//! on a thread of its own. The host's application is a list of [`Phase`]s
//! (accept, connect, receive, send, shutdown, close, abort) run once per
//! driver turn; the test's thread plays the kernel's side with std's
//! sockets.
//!
//! - 100 MiB each way on one connection, in both directions of open, each
//!   stream checked with a running hash; the sender half-closes before the
//!   other side sends, so half-close is exercised both ways. The
//!   throughput each way is printed (on stderr, past the test harness).
//! - 100 concurrent connections from the kernel, echoed by the host.
//! - An abort's RST, seen as `ECONNRESET` on either side.
//! - Ping and UDP both ways.
//!
//! Without root or /dev/net/tun each test prints why and returns, except
//! under `CI=true`, where it fails (`netns::require_support`). Every wait
//! is bounded: kernel sockets time out after [`KERNEL_WAIT`], and the
//! host's loop gives up after [`HOST_DEADLINE`].

use core::net::SocketAddrV4;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as StdInstant};

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};
use stack::device::TapDevice;
use stack::host::{CallError, ConnHandle, EchoReply, Host, HostConfig, ListenerHandle};
use stack::tcp::{ConnectionError, RecvError, SendError, Shutdown as TcpShutdown, State};
use stack::time::Instant;
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::Ipv4Packet;
use stack::wire::ChecksumPolicy;
use synack::netns;
use synack::realtime::{Driver, Stopped};
use synack::serve::{EchoService, ServeConfig, ECHO_PORT, HOST_ADDR, KERNEL_ADDR, TAP_NAME};

/// The bytes each way in the bulk tests.
const BULK_BYTES: u64 = 100 << 20;
/// How much the sender generates at a time.
const CHUNK: usize = 64 * 1024;
/// The host's TCP buffers in the bulk tests: room for a window scale.
const HOST_BUFFER: usize = 1 << 20;
/// The host's listening port.
const HOST_PORT: u16 = 5001;
/// The kernel's listening port.
const KERNEL_PORT: u16 = 5002;
/// How long the kernel's side waits for any one read or write.
const KERNEL_WAIT: Duration = Duration::from_secs(10);
/// When the host's loop gives up on its own, however the test goes.
const HOST_DEADLINE: Duration = Duration::from_secs(120);

// --- streams ---------------------------------------------------------------

/// A running hash of a byte stream: the same however the stream is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RunningHash {
    state: u64,
    tail: u64,
    tail_len: u32,
    len: u64,
}

impl RunningHash {
    fn new() -> RunningHash {
        RunningHash {
            state: 0xcbf2_9ce4_8422_2325,
            tail: 0,
            tail_len: 0,
            len: 0,
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while self.tail_len != 0 && !bytes.is_empty() {
            self.push(bytes[0]);
            bytes = &bytes[1..];
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            // NOTE(unwrap): chunks_exact(8) gives 8 bytes.
            self.mix(u64::from_le_bytes(word.try_into().unwrap()));
        }
        for &byte in words.remainder() {
            self.push(byte);
        }
    }

    fn push(&mut self, byte: u8) {
        self.tail |= u64::from(byte) << (8 * self.tail_len);
        self.tail_len += 1;
        if self.tail_len == 8 {
            let word = self.tail;
            (self.tail, self.tail_len) = (0, 0);
            self.mix(word);
        }
    }

    fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(23);
    }

    /// Return the hash and the length of the stream so far.
    fn finish(&self) -> (u64, u64) {
        let mut last = *self;
        last.mix(self.tail ^ u64::from(self.tail_len));
        (last.state, self.len)
    }
}

/// SplitMix64: the stream's content, word by word.
fn splitmix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A generated stream of `total` bytes, hashed as it is taken.
struct Source {
    word: u64,
    remaining: u64,
    buffer: Vec<u8>,
    at: usize,
    hash: RunningHash,
}

impl Source {
    fn new(total: u64, salt: u64) -> Source {
        Source {
            word: salt << 40,
            remaining: total,
            buffer: Vec::with_capacity(CHUNK),
            at: 0,
            hash: RunningHash::new(),
        }
    }

    /// Return the bytes not yet taken (empty at the end of the stream).
    fn pending(&mut self) -> &[u8] {
        if self.at == self.buffer.len() && self.remaining > 0 {
            let len = (CHUNK as u64).min(self.remaining) as usize;
            self.buffer.clear();
            while self.buffer.len() < len {
                self.word += 1;
                let word = splitmix(self.word).to_le_bytes();
                let take = (len - self.buffer.len()).min(8);
                self.buffer.extend_from_slice(&word[..take]);
            }
            self.at = 0;
            self.remaining -= len as u64;
        }
        &self.buffer[self.at..]
    }

    /// Mark `n` pending bytes as sent.
    fn take(&mut self, n: usize) {
        self.hash.update(&self.buffer[self.at..self.at + n]);
        self.at += n;
    }
}

/// What a receiver saw: the hash of the stream and when it came.
#[derive(Debug, Clone, Copy)]
struct Sink {
    hash: RunningHash,
    first: Option<StdInstant>,
    last: Option<StdInstant>,
}

impl Sink {
    fn new() -> Sink {
        Sink {
            hash: RunningHash::new(),
            first: None,
            last: None,
        }
    }

    fn take(&mut self, bytes: &[u8]) {
        let now = StdInstant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.hash.update(bytes);
    }

    /// Return the throughput in Gbit/s from the first byte to the last.
    fn gbit_per_s(&self) -> f64 {
        let (Some(first), Some(last)) = (self.first, self.last) else {
            return 0.0;
        };
        let secs = last.duration_since(first).as_secs_f64().max(1e-9);
        self.hash.len as f64 * 8.0 / secs / 1e9
    }
}

/// Send all of `source` on a kernel socket.
fn kernel_send(stream: &mut TcpStream, source: &mut Source) {
    loop {
        let data = source.pending();
        if data.is_empty() {
            return;
        }
        let n = stream.write(data).expect("the kernel's write");
        source.take(n);
    }
}

/// Read a kernel socket to the end of the stream.
fn kernel_receive(stream: &mut TcpStream) -> Sink {
    let mut sink = Sink::new();
    let mut buffer = vec![0; CHUNK];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return sink,
            Ok(n) => sink.take(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("the kernel's read after {} bytes: {e}", sink.hash.len),
        }
    }
}

// --- the host's application ----------------------------------------------

/// One thing the host's application does on its connection, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Take a connection from the listener.
    Accept(ListenerHandle),
    /// Connect and wait for ESTABLISHED.
    Connect(SocketAddrV4),
    /// Read to the end of the stream.
    Receive,
    /// Send the whole source.
    Send,
    /// shutdown(Write): a FIN after the data.
    ShutdownWrite,
    /// close().
    Close,
    /// abort(): a RST.
    Abort,
}

/// The host's side of one connection.
struct HostConn {
    phases: VecDeque<Phase>,
    conn: Option<ConnHandle>,
    source: Source,
    sink: Sink,
    /// The states the connection went through, each once.
    states: Vec<State>,
    /// The error that ended a phase early, if any.
    error: Option<String>,
    buffer: Vec<u8>,
}

impl HostConn {
    fn new(phases: &[Phase], source: Source) -> HostConn {
        HostConn {
            phases: phases.iter().copied().collect(),
            conn: None,
            source,
            sink: Sink::new(),
            states: Vec::new(),
            error: None,
            buffer: vec![0; CHUNK],
        }
    }

    fn done(&self) -> bool {
        self.phases.is_empty() || self.error.is_some()
    }

    /// Run the current phase as far as it goes this turn.
    fn poll(&mut self, host: &mut Host, now: Instant) {
        while let Some(&phase) = self.phases.front() {
            if let Some(conn) = self.conn {
                let state = host.tcp_state(conn).unwrap_or(State::Closed);
                if self.states.last() != Some(&state) {
                    self.states.push(state);
                }
            }
            match self.step(phase, host, now) {
                Ok(true) => {
                    self.phases.pop_front();
                }
                Ok(false) => return,
                Err(e) => {
                    self.error = Some(format!("{phase:?}: {e}"));
                    return;
                }
            }
        }
    }

    /// Run `phase`; return whether it is complete.
    fn step(&mut self, phase: Phase, host: &mut Host, now: Instant) -> Result<bool, String> {
        let conn = self.conn;
        let need = || conn.ok_or_else(|| "no connection".to_owned());
        match phase {
            Phase::Accept(listener) => Ok(match host.tcp_accept(listener) {
                Ok(conn) => {
                    self.conn = Some(conn);
                    true
                }
                Err(_) => false,
            }),
            Phase::Connect(remote) => {
                let conn = match conn {
                    Some(conn) => conn,
                    None => {
                        let conn = host.tcp_connect(now, remote, None, None);
                        *self.conn.insert(conn.map_err(|e| format!("{e:?}"))?)
                    }
                };
                match host.tcp_state(conn) {
                    Ok(State::SynSent | State::SynReceived) => Ok(false),
                    Ok(State::Established) => Ok(true),
                    other => Err(format!("connect ended in {other:?}")),
                }
            }
            Phase::Receive => self.receive(host, need()?),
            Phase::Send => self.send(host, now, need()?),
            Phase::ShutdownWrite => host
                .tcp_shutdown(need()?, TcpShutdown::Write)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
            Phase::Close => host
                .tcp_close(need()?)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
            Phase::Abort => host
                .tcp_abort(need()?)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
        }
    }

    fn receive(&mut self, host: &mut Host, conn: ConnHandle) -> Result<bool, String> {
        for _ in 0..64 {
            match host.tcp_recv(conn, &mut self.buffer) {
                Ok(0) => return Ok(true),
                Ok(n) => self.sink.take(&self.buffer[..n]),
                Err(CallError::Tcp(RecvError::WouldBlock)) => return Ok(false),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
        Ok(false)
    }

    fn send(&mut self, host: &mut Host, now: Instant, conn: ConnHandle) -> Result<bool, String> {
        for _ in 0..64 {
            let data = self.source.pending();
            if data.is_empty() {
                return Ok(true);
            }
            match host.tcp_send(now, conn, data) {
                Ok(0) | Err(CallError::Tcp(SendError::WouldBlock)) => return Ok(false),
                Ok(n) => self.source.take(n),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
        Ok(false)
    }
}

/// Sets the flag when dropped, so the host's loop stops even when the
/// kernel's side panics.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Run `body` in a fresh namespace with the TAP device, or return `None`
/// if namespaces are not available here (outside CI).
fn in_namespace<R: Send>(test: &str, body: impl FnOnce(TapDevice) -> R + Send) -> Option<R> {
    if !netns::require_support(test) {
        return None;
    }
    let run = netns::run(&ServeConfig::default().netns(), |ns| {
        // NOTE(unwrap): the namespace was built with this device.
        body(ns.take_tap(TAP_NAME).unwrap())
    });
    Some(run.unwrap())
}

/// The reference host of `ServeConfig::default()` with `buffer`-byte TCP
/// buffers, on `tap`.
fn host_driver(tap: TapDevice, buffer: usize) -> Driver<TapDevice> {
    let mut config: HostConfig = ServeConfig::default().host();
    config.tcp.defaults.send_buffer = buffer;
    config.tcp.defaults.recv_buffer = buffer;
    Driver::on_tap(Host::new(config).unwrap(), tap).unwrap()
}

/// Run the host's `app` on its own thread while `kernel` runs on this one.
/// The host's loop ends when `app` says it is done and `kernel` has
/// returned (or at [`HOST_DEADLINE`], or when `kernel` panics).
fn beside_host<K>(
    driver: &mut Driver<TapDevice>,
    mut app: impl FnMut(&mut Host, Instant) -> bool + Send,
    kernel: impl FnOnce() -> K,
) -> K {
    let kernel_done = AtomicBool::new(false);
    let panicked = AtomicBool::new(false);
    let deadline = Some(driver.now() + HOST_DEADLINE);
    std::thread::scope(|s| {
        let host = s.spawn(|| {
            driver.run(&panicked, deadline, |host, now| {
                let done = app(host, now);
                if done && kernel_done.load(Ordering::Relaxed) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
        });
        let guard = SetOnDrop(&panicked);
        let result = kernel();
        std::mem::forget(guard);
        kernel_done.store(true, Ordering::Relaxed);
        let stopped = host.join().unwrap();
        assert_eq!(stopped, Ok(Stopped::App(())), "the host's loop ended early");
        result
    })
}

/// Print a figure past the test harness's capture.
fn figure(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// A kernel socket with both timeouts set.
fn bounded(stream: TcpStream) -> TcpStream {
    stream.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    stream.set_write_timeout(Some(KERNEL_WAIT)).unwrap();
    stream
}

// --- bulk ----------------------------------------------------------------

#[test]
fn kernel_connects_and_100_mib_cross_each_way() {
    let run = in_namespace("kernel_connects_and_100_mib_cross_each_way", |tap| {
        let mut driver = host_driver(tap, HOST_BUFFER);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 8).unwrap();
        let phases = [
            Phase::Accept(listener),
            Phase::Receive,
            Phase::Send,
            Phase::Close,
        ];
        let mut host = HostConn::new(&phases, Source::new(BULK_BYTES, 2));
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                host.poll(h, now);
                host.done()
            },
            || {
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
                let stream = TcpStream::connect_timeout(&addr.into(), KERNEL_WAIT).unwrap();
                let mut stream = bounded(stream);
                let mut source = Source::new(BULK_BYTES, 1);
                kernel_send(&mut stream, &mut source);
                // Half-close: the host still sends its 100 MiB after this.
                stream.shutdown(Shutdown::Write).unwrap();
                (source.hash.finish(), kernel_receive(&mut stream))
            },
        );
        (kernel, host)
    });
    let Some(((sent, received), host)) = run else {
        return;
    };
    assert_eq!(host.error, None);
    assert_eq!(sent, (sent.0, BULK_BYTES));
    assert_eq!(host.sink.hash.finish(), sent, "kernel -> reference stream");
    assert_eq!(received.hash.finish(), host.source.hash.finish());
    assert_eq!(received.hash.len, BULK_BYTES, "reference -> kernel stream");
    // The kernel's FIN came before the host sent a byte: CLOSE-WAIT.
    assert!(host.states.contains(&State::CloseWait), "{:?}", host.states);
    figure(&format!(
        "interop, kernel connects: kernel -> reference {:.2} Gbit/s, reference -> kernel {:.2} Gbit/s",
        host.sink.gbit_per_s(),
        received.gbit_per_s()
    ));
}

#[test]
fn reference_connects_and_100_mib_cross_each_way() {
    let run = in_namespace("reference_connects_and_100_mib_cross_each_way", |tap| {
        let listener = TcpListener::bind((KERNEL_ADDR, KERNEL_PORT)).unwrap();
        let mut driver = host_driver(tap, HOST_BUFFER);
        let remote = SocketAddrV4::new(KERNEL_ADDR, KERNEL_PORT);
        let phases = [
            Phase::Connect(remote),
            Phase::Send,
            Phase::ShutdownWrite,
            Phase::Receive,
            Phase::Close,
        ];
        let mut host = HostConn::new(&phases, Source::new(BULK_BYTES, 3));
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                host.poll(h, now);
                host.done()
            },
            || {
                let (stream, _) = listener.accept().unwrap();
                let mut stream = bounded(stream);
                let received = kernel_receive(&mut stream);
                // The host half-closed; the kernel still sends.
                let mut source = Source::new(BULK_BYTES, 4);
                kernel_send(&mut stream, &mut source);
                drop(stream);
                (received, source.hash.finish())
            },
        );
        (kernel, host)
    });
    let Some(((received, sent), host)) = run else {
        return;
    };
    assert_eq!(host.error, None);
    assert_eq!(received.hash.finish(), host.source.hash.finish());
    assert_eq!(received.hash.len, BULK_BYTES, "reference -> kernel stream");
    assert_eq!(host.sink.hash.finish(), sent, "kernel -> reference stream");
    assert_eq!(sent.1, BULK_BYTES);
    // The host's FIN was acknowledged while the kernel still sent.
    assert!(host.states.contains(&State::FinWait2), "{:?}", host.states);
    figure(&format!(
        "interop, reference connects: reference -> kernel {:.2} Gbit/s, kernel -> reference {:.2} Gbit/s",
        received.gbit_per_s(),
        host.sink.gbit_per_s()
    ));
}

// --- many connections --------------------------------------------------------

/// The kernel's connections in [`a_hundred_concurrent_connections_are_echoed`].
const CONNECTIONS: usize = 100;
/// The bytes each of them sends.
const ECHO_BYTES: u64 = 20_000;

/// The host's echo of many connections: each one reads to the end of the
/// stream, sends back what it read, and closes.
struct EchoMany {
    listener: ListenerHandle,
    conns: Vec<(ConnHandle, Vec<u8>, bool)>,
    closed: usize,
    errors: Vec<String>,
}

impl EchoMany {
    fn poll(&mut self, host: &mut Host, now: Instant) {
        while let Ok(conn) = host.tcp_accept(self.listener) {
            self.conns.push((conn, Vec::new(), false));
        }
        let mut buffer = [0; 4096];
        for (conn, pending, closed) in self.conns.iter_mut().filter(|c| !c.2) {
            loop {
                match host.tcp_recv(*conn, &mut buffer) {
                    Ok(0) => break,
                    Ok(n) => pending.extend_from_slice(&buffer[..n]),
                    Err(CallError::Tcp(RecvError::WouldBlock)) => break,
                    Err(e) => {
                        self.errors.push(format!("{e:?}"));
                        break;
                    }
                }
            }
            if let Ok(n) = host.tcp_send(now, *conn, pending) {
                pending.drain(..n);
            }
            let eof = host.tcp_state(*conn) == Ok(State::CloseWait);
            if eof && pending.is_empty() {
                let _ = host.tcp_close(*conn);
                *closed = true;
                self.closed += 1;
            }
        }
    }
}

#[test]
fn a_hundred_concurrent_connections_are_echoed() {
    let run = in_namespace("a_hundred_concurrent_connections_are_echoed", |tap| {
        let mut driver = host_driver(tap, 64 * 1024);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 128).unwrap();
        let mut echo = EchoMany {
            listener,
            conns: Vec::new(),
            closed: 0,
            errors: Vec::new(),
        };
        let echoed = beside_host(
            &mut driver,
            |h, now| {
                echo.poll(h, now);
                echo.closed == CONNECTIONS
            },
            || {
                // Every connection is open before any sends: all at once.
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT).into();
                let streams: Vec<TcpStream> = (0..CONNECTIONS)
                    .map(|_| bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap()))
                    .collect();
                std::thread::scope(|s| {
                    let each = streams.into_iter().enumerate().map(|(i, mut stream)| {
                        s.spawn(move || {
                            let mut source = Source::new(ECHO_BYTES, 100 + i as u64);
                            kernel_send(&mut stream, &mut source);
                            stream.shutdown(Shutdown::Write).unwrap();
                            let sink = kernel_receive(&mut stream);
                            sink.hash.finish() == source.hash.finish()
                        })
                    });
                    let each: Vec<_> = each.collect();
                    each.into_iter()
                        .map(|t| t.join().unwrap())
                        .collect::<Vec<bool>>()
                })
            },
        );
        (echoed, echo.errors, echo.conns.len())
    });
    let Some((echoed, errors, accepted)) = run else {
        return;
    };
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(accepted, CONNECTIONS);
    assert!(echoed.iter().all(|&ok| ok), "{echoed:?}");
    assert_eq!(echoed.len(), CONNECTIONS);
}

// --- aborts --------------------------------------------------------------

#[test]
fn an_abort_is_a_reset_on_either_side() {
    let run = in_namespace("an_abort_is_a_reset_on_either_side", |tap| {
        let mut driver = host_driver(tap, 64 * 1024);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 8).unwrap();
        // First connection: the host aborts once the kernel's 5 bytes and
        // FIN are in. Second: the host reads until the kernel's RST.
        let first = [Phase::Accept(listener), Phase::Receive, Phase::Abort];
        let second = [Phase::Accept(listener), Phase::Receive];
        let mut hosts = [
            HostConn::new(&first, Source::new(0, 0)),
            HostConn::new(&second, Source::new(0, 0)),
        ];
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                hosts[0].poll(h, now);
                if hosts[0].done() {
                    hosts[1].poll(h, now);
                }
                hosts.iter().all(HostConn::done)
            },
            || {
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT).into();
                let mut stream = bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap());
                stream.write_all(b"hello").unwrap();
                stream.shutdown(Shutdown::Write).unwrap();
                let kernel_sees = stream.read(&mut [0; 16]).map_err(|e| e.kind());
                let mut second = bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap());
                second.write_all(b"bye").unwrap();
                // Wait until the host has read it, then abort: SO_LINGER 0.
                std::thread::sleep(Duration::from_millis(100));
                SockRef::from(&second)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
                drop(second);
                kernel_sees
            },
        );
        (kernel, hosts)
    });
    let Some((kernel_sees, [first, second])) = run else {
        return;
    };
    assert_eq!(first.error, None);
    assert_eq!(first.sink.hash.len, 5);
    assert_eq!(kernel_sees, Err(io::ErrorKind::ConnectionReset));
    assert_eq!(second.sink.hash.len, 3);
    let reset = format!(
        "{:?}",
        CallError::<RecvError>::Tcp(RecvError::Connection(ConnectionError::Reset))
    );
    assert_eq!(second.error, Some(format!("Receive: {reset}")));
}

// --- ping and UDP --------------------------------------------------------------

/// The identifier of the kernel's echo requests.
const IDENT: u16 = 0x5e1f;
/// The kernel's UDP port that the host sends to.
const KERNEL_UDP_PORT: u16 = 9999;

/// Ping the host from a raw ICMP socket and return the reply's data.
fn kernel_pings_host(data: &[u8]) -> Vec<u8> {
    let socket = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)).unwrap();
    socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    let request = Icmpv4Repr::EchoRequest {
        ident: IDENT,
        seq_no: 1,
        data,
    };
    let mut bytes = vec![0; request.buffer_len()];
    request.emit(
        &mut Icmpv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    let to = SockAddr::from(SocketAddrV4::new(HOST_ADDR, 0));
    socket.send_to(&bytes, &to).unwrap();
    let mut buffer = vec![0; 2048];
    loop {
        let len = (&socket).read(&mut buffer).expect("an echo reply");
        let ip = Ipv4Packet::new_checked(&buffer[..len]).unwrap();
        let icmp = Icmpv4Packet::new_unchecked(ip.payload());
        if let Ok(Icmpv4Repr::EchoReply {
            ident: IDENT, data, ..
        }) = Icmpv4Repr::parse(&icmp, ChecksumPolicy::Verify)
        {
            return data.to_vec();
        }
    }
}

#[test]
fn ping_and_udp_cross_both_ways() {
    let run = in_namespace("ping_and_udp_cross_both_ways", |tap| {
        let kernel_udp = UdpSocket::bind((KERNEL_ADDR, KERNEL_UDP_PORT)).unwrap();
        kernel_udp.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
        let mut driver = host_driver(tap, 64 * 1024);
        let mut echo = EchoService::bind(driver.host_mut(), ECHO_PORT).unwrap();
        let any = SocketAddrV4::new(HOST_ADDR, 0);
        let udp = driver.host_mut().udp_bind(any).unwrap();
        let mut started = false;
        let (mut pong, mut answer) = (None::<EchoReply>, None);
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                if !started {
                    h.ping(now, KERNEL_ADDR, 0x0a7b, 1, b"host pings").unwrap();
                    let to = SocketAddrV4::new(KERNEL_ADDR, KERNEL_UDP_PORT);
                    h.udp_send_to(now, udp, b"host to kernel", to).unwrap();
                    started = true;
                }
                echo.poll(h, now);
                pong = pong.take().or_else(|| h.poll_echo_reply());
                if let Ok(Some(datagram)) = h.udp_recv_from(udp) {
                    answer = Some(datagram.payload);
                }
                pong.is_some() && answer.is_some()
            },
            || {
                let pinged = kernel_pings_host(b"kernel pings");
                let socket = UdpSocket::bind((KERNEL_ADDR, 0)).unwrap();
                socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
                socket
                    .send_to(b"kernel to host", (HOST_ADDR, ECHO_PORT))
                    .unwrap();
                let mut buffer = [0; 64];
                let (n, from) = socket.recv_from(&mut buffer).unwrap();
                assert_eq!(from, (HOST_ADDR, ECHO_PORT).into());
                let echoed = buffer[..n].to_vec();
                let (n, from) = kernel_udp.recv_from(&mut buffer).unwrap();
                kernel_udp.send_to(b"kernel answers", from).unwrap();
                (pinged, echoed, buffer[..n].to_vec())
            },
        );
        (kernel, pong, answer)
    });
    let Some(((pinged, echoed, from_host), pong, answer)) = run else {
        return;
    };
    assert_eq!(pinged, b"kernel pings");
    assert_eq!(echoed, b"kernel to host");
    assert_eq!(from_host, b"host to kernel");
    let pong = pong.unwrap();
    assert_eq!(
        (pong.from, &pong.data[..]),
        (KERNEL_ADDR, &b"host pings"[..])
    );
    assert_eq!(answer.as_deref(), Some(&b"kernel answers"[..]));
}

#[test]
fn running_hash_is_the_same_however_the_stream_is_split() {
    let mut source = Source::new(100_003, 9);
    let mut whole = Vec::new();
    loop {
        let data = source.pending().to_vec();
        if data.is_empty() {
            break;
        }
        source.take(data.len());
        whole.extend_from_slice(&data);
    }
    assert_eq!(whole.len(), 100_003);
    let mut split = RunningHash::new();
    for piece in whole.chunks(1_337) {
        split.update(piece);
    }
    assert_eq!(split.finish(), source.hash.finish());
    let mut other = RunningHash::new();
    whole[50_000] ^= 1;
    other.update(&whole);
    assert_ne!(other.finish(), source.hash.finish());
}
