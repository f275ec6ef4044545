//! Bulk TCP over a TAP device, synack against smoltcp in the same run:
//! the Linux kernel's `TcpStream` on one side, the user-space stack on the
//! other, both directions.
//!
//! ```text
//! cargo bench --bench tap                      # 256 MiB each way, 3 runs per case
//! cargo bench --bench tap -- --bytes 1G --runs 5
//! ```
//!
//! **Setup, the same for both stacks.** Each run makes a private network
//! namespace (`synack::netns`, the one `tests/interop` and `synack serve`
//! use): one TAP device `synack0`, MTU 1500, the kernel at 198.51.100.1 with
//! MAC 02:00:00:00:00:01, the user-space stack at 198.51.100.2 with MAC
//! 02:00:00:00:00:02 behind it. synack's reference host runs on synack's
//! `TapDevice` under `synack::realtime::Driver` (poll(2) on the TAP, a
//! bounded batch of frames per turn); smoltcp runs on its own
//! `phy::TunTapInterface` (the device is made again under the same name,
//! addresses and MAC) with `Interface::poll` and `phy::wait`, as smoltcp's
//! examples do. Each stack thread is in the namespace, the kernel's side on
//! another thread of the same namespace. Every checksum is computed and
//! verified by both stacks; the kernel's TAP has no offloads (no vnet
//! header), so it computes its own. Both stacks' sockets have 1 MiB send
//! and receive buffers (room for a window scale) and their defaults
//! otherwise, so both offer the kernel the same receive window; the
//! kernel's socket keeps its default (autotuned) buffers against either
//! stack; Nagle off on the kernel's socket and both stacks'. synack's
//! driver keeps its default limits (64 frames each way per turn, then the
//! application, then a wait only when a turn found nothing more to do);
//! smoltcp's `poll` runs until idle, then `phy::wait` for at most 10 ms.
//!
//! **What is timed.** From the kernel's `connect` to the end of the stream
//! on the kernel's side: kernel -> stack, the kernel writes the bytes,
//! shuts down writing and reads until the stack, having read everything,
//! closes; stack -> kernel, the kernel reads until the stack, having sent
//! everything, closes. Wall time (the stacks' work is real I/O through the
//! kernel): the machines are shared, so the figures are lower bounds of
//! what each stack can do, and the two stacks alternate run by run so
//! that both see the same load. The median of `--runs` runs is reported,
//! with every run.
//!
//! Needs root (`CAP_NET_ADMIN`, `CAP_SYS_ADMIN`) and `/dev/net/tun`;
//! without them it says why and exits with status 0.

use core::net::SocketAddrV4;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::ops::ControlFlow;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as StdInstant};

use stack::device::TapDevice;
use stack::host::{CallError, Host, HostConfig};
use stack::tcp::{RecvError, SendError};
use synack::netns::{self, Namespace};
use synack::realtime::{Driver, Stopped};
use synack::serve::{ServeConfig, HOST_ADDR, HOST_MAC, KERNEL_ADDR, KERNEL_MAC, TAP_NAME};

/// Each stack's TCP buffers.
const BUFFER: usize = 1 << 20;
/// How much an application writes or reads at a time.
const CHUNK: usize = 64 * 1024;
/// The stack's listening port.
const PORT: u16 = 5001;
/// When a run gives up.
const DEADLINE: Duration = Duration::from_secs(120);

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// The kernel sends, the stack receives.
    ToStack,
    /// The stack sends, the kernel receives.
    ToKernel,
}

/// The user-space stack under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    Synack,
    Smoltcp,
}

/// What the stack's application does, and how far it got.
struct App {
    direction: Direction,
    /// Bytes still to send (`ToKernel`).
    to_send: u64,
    /// Bytes read (`ToStack`).
    received: u64,
    pattern: Vec<u8>,
    buffer: Vec<u8>,
    closed: bool,
}

impl App {
    fn new(direction: Direction, bytes: u64) -> App {
        App {
            direction,
            to_send: bytes,
            received: 0,
            pattern: (0..CHUNK).map(|i| (i * 7 + 3) as u8).collect(),
            buffer: vec![0; CHUNK],
            closed: false,
        }
    }

    /// The next bytes to send.
    fn pending(&self) -> &[u8] {
        let n = self.to_send.min(CHUNK as u64) as usize;
        &self.pattern[..n]
    }
}

/// The kernel's side of one transfer: connect, move the bytes, wait for
/// the stack's close; return the time it took and the bytes read.
fn kernel_side(direction: Direction, bytes: u64) -> (Duration, u64) {
    let start = StdInstant::now();
    let addr = SocketAddrV4::new(HOST_ADDR, PORT);
    let mut stream = TcpStream::connect_timeout(&addr.into(), Duration::from_secs(10))
        .expect("the stack accepts");
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buffer = vec![0u8; CHUNK];
    if direction == Direction::ToStack {
        let pattern: Vec<u8> = (0..CHUNK).map(|i| (i * 7 + 3) as u8).collect();
        let mut left = bytes;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            stream.write_all(&pattern[..n]).expect("the kernel writes");
            left -= n as u64;
        }
        stream.shutdown(Shutdown::Write).unwrap();
    }
    let mut read = 0u64;
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => read += n as u64,
            Err(e) => panic!(
                "the kernel's read failed after {read} bytes, {:?}: {e}",
                start.elapsed()
            ),
        }
    }
    (start.elapsed(), read)
}

/// Run the kernel's side on a thread of its own (in the same namespace)
/// while the stack's loop runs on this one (smoltcp's TAP interface cannot
/// move between threads); `stack_loop` gets a flag that says the kernel is
/// done.
fn beside<S>(
    stack_loop: impl FnOnce(&AtomicBool) -> S,
    direction: Direction,
    bytes: u64,
) -> ((Duration, u64), S) {
    let kernel_done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let kernel = s.spawn(|| {
            let result = kernel_side(direction, bytes);
            kernel_done.store(true, Ordering::Relaxed);
            result
        });
        let stack = stack_loop(&kernel_done);
        (kernel.join().expect("the kernel's side"), stack)
    })
}

// --- synack -----------------------------------------------------------------

/// One turn of synack's application.
fn synack_app(
    app: &mut App,
    host: &mut Host,
    now: stack::time::Instant,
    conn: Option<stack::host::ConnHandle>,
) {
    let Some(conn) = conn else { return };
    if app.closed {
        // The handle goes with the close.
        return;
    }
    match app.direction {
        Direction::ToStack => loop {
            match host.tcp_recv(conn, &mut app.buffer) {
                Ok(0) => {
                    if !app.closed {
                        host.tcp_close(conn).expect("close");
                        app.closed = true;
                    }
                    return;
                }
                Ok(n) => app.received += n as u64,
                Err(CallError::Tcp(RecvError::WouldBlock)) => return,
                Err(e) => panic!("synack's receive: {e:?}"),
            }
        },
        Direction::ToKernel => {
            while app.to_send > 0 {
                match host.tcp_send(now, conn, app.pending()) {
                    Ok(0) | Err(CallError::Tcp(SendError::WouldBlock)) => return,
                    Ok(n) => app.to_send -= n as u64,
                    Err(e) => panic!("synack's send: {e:?}"),
                }
            }
            if !app.closed {
                host.tcp_close(conn).expect("close");
                app.closed = true;
            }
        }
    }
}

/// One transfer with synack's reference host on synack's TAP device.
fn synack_run(tap: TapDevice, direction: Direction, bytes: u64) -> Duration {
    let mut config: HostConfig = ServeConfig::default().host();
    config.tcp.defaults.send_buffer = BUFFER;
    config.tcp.defaults.recv_buffer = BUFFER;
    config.tcp.defaults.nodelay = true;
    let mut driver = Driver::on_tap(Host::new(config).expect("host"), tap).expect("driver");
    let listener = driver
        .host_mut()
        .tcp_listen(SocketAddrV4::new(HOST_ADDR, PORT), 8)
        .expect("listen");
    let deadline = Some(driver.now() + DEADLINE);
    let mut app = App::new(direction, bytes);
    let ((took, read), stopped) = beside(
        |kernel_done| {
            let mut conn = None;
            let stop = AtomicBool::new(false);
            driver.run(&stop, deadline, |host, now| {
                if conn.is_none() {
                    conn = host.tcp_accept(listener).ok();
                }
                synack_app(&mut app, host, now, conn);
                if app.closed && kernel_done.load(Ordering::Relaxed) {
                    ControlFlow::Break(app.received)
                } else {
                    ControlFlow::Continue(())
                }
            })
        },
        direction,
        bytes,
    );
    check(
        direction,
        bytes,
        read,
        stopped
            .map(|s| match s {
                Stopped::App(received) => received,
                other => panic!("synack's loop stopped: {other:?}"),
            })
            .expect("synack's loop"),
    );
    took
}

// --- smoltcp ----------------------------------------------------------------

/// One transfer with smoltcp on its own TAP interface, made again in the
/// namespace under the same name, MAC and addresses.
fn smoltcp_run(ns: &mut Namespace, direction: Direction, bytes: u64) -> Duration {
    use smoltcp::iface::{Config, Interface, SocketSet};
    use smoltcp::phy::{wait as phy_wait, Medium, TunTapInterface};
    use smoltcp::socket::tcp;
    use smoltcp::time::Instant;
    use smoltcp::wire::{EthernetAddress, IpAddress, IpCidr};

    // NOTE(unwrap): the namespace was built with this device; dropping it
    // removes it, so that smoltcp's own interface can take the name.
    drop(ns.take_tap(TAP_NAME).unwrap());
    let mut device = TunTapInterface::new(TAP_NAME, Medium::Ethernet).expect("smoltcp's TAP");
    let mac = KERNEL_MAC.to_string();
    let kernel = format!("{KERNEL_ADDR}/24");
    ns.ip(&[
        "link", "set", "dev", TAP_NAME, "address", &mac, "mtu", "1500",
    ])
    .unwrap();
    if ns.sysctl("net/ipv6/conf/all/disable_ipv6").is_ok() {
        let key = format!("net/ipv6/conf/{TAP_NAME}/disable_ipv6");
        ns.set_sysctl(&key, "1").unwrap();
    }
    ns.ip(&["addr", "add", &kernel, "dev", TAP_NAME]).unwrap();
    ns.ip(&["link", "set", "dev", TAP_NAME, "up"]).unwrap();

    let config = Config::new(EthernetAddress(HOST_MAC.0).into());
    let mut iface = Interface::new(config, &mut device, Instant::now());
    iface.update_ip_addrs(|addrs| {
        let [a, b, c, d] = HOST_ADDR.octets();
        addrs
            .push(IpCidr::new(IpAddress::v4(a, b, c, d), 24))
            .unwrap();
    });
    let mut socket = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; BUFFER]),
        tcp::SocketBuffer::new(vec![0; BUFFER]),
    );
    socket.set_nagle_enabled(false);
    socket.listen(PORT).expect("listen");
    let mut sockets = SocketSet::new(vec![]);
    let handle = sockets.add(socket);
    let mut app = App::new(direction, bytes);
    let fd = device.as_raw_fd();
    let ((took, read), received) = beside(
        |kernel_done| {
            let start = StdInstant::now();
            loop {
                let now = Instant::now();
                iface.poll(now, &mut device, &mut sockets);
                let socket = sockets.get_mut::<tcp::Socket>(handle);
                match direction {
                    Direction::ToStack => {
                        while socket.can_recv() {
                            let n = socket
                                .recv_slice(&mut app.buffer)
                                .expect("smoltcp's receive");
                            app.received += n as u64;
                        }
                        // The kernel's FIN, after everything it sent.
                        if socket.state() == tcp::State::CloseWait && !app.closed {
                            socket.close();
                            app.closed = true;
                        }
                    }
                    Direction::ToKernel => {
                        while app.to_send > 0 && socket.can_send() {
                            let n = socket.send_slice(app.pending()).expect("smoltcp's send");
                            app.to_send -= n as u64;
                        }
                        if app.to_send == 0 && !app.closed {
                            socket.close();
                            app.closed = true;
                        }
                    }
                }
                if app.closed && kernel_done.load(Ordering::Relaxed) {
                    return app.received;
                }
                assert!(start.elapsed() < DEADLINE, "smoltcp's loop ran out of time");
                let delay = iface.poll_delay(Instant::now(), &sockets);
                let delay = delay.map_or(smoltcp::time::Duration::from_millis(10), |d| {
                    d.min(smoltcp::time::Duration::from_millis(10))
                });
                phy_wait(fd, Some(delay)).expect("wait");
            }
        },
        direction,
        bytes,
    );
    check(direction, bytes, read, received);
    took
}

/// Check that every byte arrived where it went.
fn check(direction: Direction, bytes: u64, kernel_read: u64, stack_received: u64) {
    match direction {
        Direction::ToStack => assert_eq!(stack_received, bytes, "the stack read everything"),
        Direction::ToKernel => assert_eq!(kernel_read, bytes, "the kernel read everything"),
    }
}

/// Run one transfer of `stack` in a fresh namespace.
fn run(stack: Stack, direction: Direction, bytes: u64) -> Duration {
    let config = ServeConfig::default().netns();
    netns::run(&config, |ns| match stack {
        // NOTE(unwrap): the namespace was built with this device.
        Stack::Synack => synack_run(ns.take_tap(TAP_NAME).unwrap(), direction, bytes),
        Stack::Smoltcp => smoltcp_run(ns, direction, bytes),
    })
    .expect("the namespace")
}

/// Gbit/s for `bytes` in `took`.
fn gbit(bytes: u64, took: Duration) -> f64 {
    bytes as f64 * 8.0 / took.as_secs_f64() / 1e9
}

/// Parse `--bytes 256M` / `--runs 3` / `--stack synack|smoltcp` (other
/// arguments, such as cargo's `--bench`, are ignored).
fn options() -> (u64, usize, Vec<Stack>) {
    let mut bytes = 256u64 << 20;
    let mut runs = 3;
    let mut stacks = vec![Stack::Synack, Stack::Smoltcp];
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--bytes" => {
                let text = pair[1].to_ascii_uppercase();
                let (number, shift) = match text.chars().last() {
                    Some('K') => (&text[..text.len() - 1], 10),
                    Some('M') => (&text[..text.len() - 1], 20),
                    Some('G') => (&text[..text.len() - 1], 30),
                    _ => (&text[..], 0),
                };
                bytes = number.parse::<u64>().expect("--bytes N[K|M|G]") << shift;
            }
            "--runs" => runs = pair[1].parse().expect("--runs N"),
            "--stack" => {
                stacks = match pair[1].as_str() {
                    "synack" => vec![Stack::Synack],
                    "smoltcp" => vec![Stack::Smoltcp],
                    other => panic!("--stack synack|smoltcp, not {other}"),
                }
            }
            _ => {}
        }
    }
    (bytes, runs.max(1), stacks)
}

fn main() {
    if let Err(why) = netns::check_support() {
        println!("tap bench skipped: {why}");
        return;
    }
    let (bytes, runs, stacks) = options();
    println!(
        "bulk TCP over TAP, {} MiB each way, MTU 1500, checksums on; median of {runs} runs (wall time)",
        bytes >> 20
    );
    for (direction, label) in [
        (Direction::ToStack, "kernel -> stack"),
        (Direction::ToKernel, "stack -> kernel"),
    ] {
        let mut figures: Vec<(Stack, Vec<f64>)> =
            stacks.iter().map(|&stack| (stack, Vec::new())).collect();
        for _ in 0..runs {
            for (stack, list) in &mut figures {
                list.push(gbit(bytes, run(*stack, direction, bytes)));
            }
        }
        let mut medians = Vec::new();
        for (stack, list) in &mut figures {
            let shown: Vec<String> = list.iter().map(|g| format!("{g:.2}")).collect();
            list.sort_by(f64::total_cmp);
            let median = list[list.len() / 2];
            medians.push(median);
            let name = match stack {
                Stack::Synack => "synack",
                Stack::Smoltcp => "smoltcp",
            };
            println!(
                "{label:<16} {name:<8} {median:5.2} Gbit/s   (runs: {})",
                shown.join(" ")
            );
        }
        if let [synack, smoltcp] = medians[..] {
            println!("{label:<16} ratio synack/smoltcp {:.2}", synack / smoltcp);
        }
    }
}
