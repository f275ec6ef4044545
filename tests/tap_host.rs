//! The reference host on a real TAP device, talking to the Linux kernel.
//!
//! Each test makes its own namespace (`synack::netns`) from
//! `ServeConfig::default().netns()`: the kernel is 198.51.100.1 on
//! `synack0`, and the reference host, driven by `synack::realtime::Driver`
//! on a thread of its own, is 198.51.100.2 with the UDP echo service on
//! port 7. The test's thread plays the kernel's side with ordinary sockets.
//!
//! Without root or /dev/net/tun each test prints why and returns, except
//! under `CI=true`, where it fails (`netns::require_support`). Every wait is
//! bounded: kernel sockets time out after [`KERNEL_WAIT`], and the host's
//! loop stops by itself after [`HOST_DEADLINE`].

use core::net::SocketAddrV4;
use std::io::{self, Read, Write};
use std::net::UdpSocket;
use std::ops::ControlFlow;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as StdInstant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use stack::device::{Device, Direction, PcapWriter, TapDevice, Tracer};
use stack::host::{EchoReply, Host};
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::Ipv4Packet;
use stack::wire::{ChecksumPolicy, Ipv4Addr};
use synack::netns::{self, Namespace};
use synack::realtime::{Driver, DriverStats, Stopped};
use synack::serve::{
    serve, EchoService, ServeConfig, StopReason, ECHO_PORT, HOST_ADDR, HOST_MAC, KERNEL_ADDR,
    KERNEL_MAC, TAP_NAME,
};

/// How long the kernel's side waits for any one answer.
const KERNEL_WAIT: Duration = Duration::from_secs(3);
/// When the host's loop gives up on its own, however the test goes.
const HOST_DEADLINE: Duration = Duration::from_secs(20);
/// The identifier of the kernel's echo requests.
const IDENT: u16 = 0x5e1f;
/// The command CI needs for the pcap check.
const TSHARK_INSTALL: &str = "DEBIAN_FRONTEND=noninteractive apt-get install -y tshark";

/// Run `body` in a fresh namespace with the TAP device taken out of it, or
/// return `None` if namespaces are not available here (outside CI).
fn in_namespace<R: Send>(
    test: &str,
    body: impl FnOnce(&mut Namespace, TapDevice) -> R + Send,
) -> Option<R> {
    if !netns::require_support(test) {
        return None;
    }
    let run = netns::run(&ServeConfig::default().netns(), |ns| {
        // NOTE(unwrap): the namespace was built with this device.
        let tap = ns.take_tap(TAP_NAME).unwrap();
        body(ns, tap)
    });
    Some(run.unwrap())
}

/// The reference host of `ServeConfig::default()` on `tap`, through the
/// device wrappers that `wrap` puts around it.
fn reference_host<D: Device>(tap: TapDevice, wrap: impl FnOnce(TapDevice) -> D) -> Driver<D> {
    let readiness = Driver::readiness_of(&tap).unwrap();
    let host = Host::new(ServeConfig::default().host()).unwrap();
    Driver::new(host, wrap(tap), readiness)
}

/// Sets the flag when dropped, so the host's thread stops even when the
/// kernel's side panics.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What a run of the host beside the kernel's side left.
struct Run<R, D> {
    kernel: R,
    driver: Driver<D>,
    echoed: u64,
}

/// Serve (echo on port 7) with `driver` on another thread while `kernel`
/// runs on this one; stop the host when `kernel` returns.
fn beside_host<D: Device + Send, R>(
    mut driver: Driver<D>,
    kernel: impl FnOnce() -> R,
) -> Run<R, D> {
    let mut echo = EchoService::bind(driver.host_mut(), ECHO_PORT).unwrap();
    let stop = AtomicBool::new(false);
    let deadline = Some(driver.now() + HOST_DEADLINE);
    let (kernel, stopped) = std::thread::scope(|s| {
        let host = s.spawn(|| {
            driver.run(&stop, deadline, |host, now| {
                echo.poll(host, now);
                ControlFlow::<()>::Continue(())
            })
        });
        let guard = StopOnDrop(&stop);
        let kernel = kernel();
        drop(guard);
        (kernel, host.join().unwrap())
    });
    assert_eq!(stopped, Ok(Stopped::Asked), "the host's loop ended early");
    let echoed = echo.echoed();
    Run {
        kernel,
        driver,
        echoed,
    }
}

/// A raw ICMP socket (root only), as `ping` uses.
fn raw_icmp_socket() -> Socket {
    let socket = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)).unwrap();
    socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    socket
}

/// Send an echo request from the kernel to the reference host.
fn kernel_pings(socket: &Socket, seq_no: u16, data: &[u8]) {
    let request = Icmpv4Repr::EchoRequest {
        ident: IDENT,
        seq_no,
        data,
    };
    let mut bytes = vec![0; request.buffer_len()];
    request.emit(
        &mut Icmpv4Packet::new_unchecked(&mut bytes[..]),
        ChecksumPolicy::Verify,
    );
    let to = SockAddr::from(SocketAddrV4::new(HOST_ADDR, 0));
    assert_eq!(socket.send_to(&bytes, &to).unwrap(), bytes.len());
}

/// Wait for the echo reply with our identifier and `seq_no`; return its data
/// and the length of the whole datagram the kernel handed up.
fn kernel_gets_reply(socket: &Socket, seq_no: u16) -> (Vec<u8>, usize) {
    let deadline = StdInstant::now() + KERNEL_WAIT;
    let mut buffer = vec![0; 70_000];
    while StdInstant::now() < deadline {
        let len = match (&*socket).read(&mut buffer) {
            Ok(len) => len,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("no echo reply for seq {seq_no}: {e}"),
        };
        let ip = Ipv4Packet::new_checked(&buffer[..len]).unwrap();
        if ip.src_addr() != HOST_ADDR {
            continue;
        }
        let icmp = Icmpv4Packet::new_unchecked(ip.payload());
        let reply = Icmpv4Repr::parse(&icmp, ChecksumPolicy::Verify).unwrap();
        if let Icmpv4Repr::EchoReply {
            ident: IDENT,
            seq_no: seq,
            data,
        } = reply
        {
            if seq == seq_no {
                return (data.to_vec(), len);
            }
        }
    }
    panic!("no echo reply for seq {seq_no} within {KERNEL_WAIT:?}");
}

/// Data that shows reordering or truncation: bytes numbered mod 251.
fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ salt).collect()
}

/// Check that `got` is `want`, saying where they part (not printing 64 KiB).
#[track_caller]
fn assert_same(got: &[u8], want: &[u8], what: &str) {
    let first_difference = got.iter().zip(want).position(|(g, w)| g != w);
    assert!(
        got == want,
        "{what}: got {} bytes, want {}; first difference at {first_difference:?}",
        got.len(),
        want.len()
    );
}

/// What `ip neigh` in the namespace says about `addr` on the TAP device.
fn kernel_neighbour(ns: &Namespace, addr: Ipv4Addr) -> String {
    ns.ip(&["neigh", "show", &addr.to_string(), "dev", TAP_NAME])
        .unwrap()
}

#[test]
fn kernel_pings_the_host_and_tshark_reads_the_capture() {
    let sizes = [0, 56, 1472];
    let run = in_namespace(
        "kernel_pings_the_host_and_tshark_reads_the_capture",
        |_, tap| {
            let driver = reference_host(tap, |t| PcapWriter::new(t, Vec::new()).unwrap());
            beside_host(driver, || {
                let socket = raw_icmp_socket();
                for (seq, &size) in (1..).zip(&sizes) {
                    let data = pattern(size, seq as u8);
                    kernel_pings(&socket, seq, &data);
                    let (echoed, _) = kernel_gets_reply(&socket, seq);
                    assert_same(&echoed, &data, &format!("echo reply {seq}"));
                }
            })
        },
    );
    let Some(run) = run else { return };
    let host = run.driver.host().stats().clone();
    assert_eq!(host.dropped.total(), 0, "{host:?}");
    let stats = run.driver.stats().clone();
    let (_, pcap) = run.driver.into_parts().1.finish().unwrap();
    check_capture(&pcap, &stats, sizes.len());
}

/// Check the pcap of the ping run: every frame that crossed, readable by
/// the `pcap-file` crate and by tshark (if installed).
fn check_capture(pcap: &[u8], stats: &DriverStats, pings: usize) {
    let mut reader = pcap_file::pcap::PcapReader::new(pcap).unwrap();
    let mut frames = Vec::new();
    while let Some(packet) = reader.next_packet() {
        frames.push(packet.unwrap().data.into_owned());
    }
    assert_eq!(frames.len() as u64, stats.frames_in + stats.frames_out);
    // First the kernel's ARP request (EtherType 0x0806, op 1) for our address.
    assert_eq!(frames[0][12..14], [0x08, 0x06]);
    assert_eq!(frames[0][20..22], [0, 1]);
    assert_eq!(frames[0][38..42], HOST_ADDR.octets());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pcap).unwrap();
    let fields = [
        "frame.protocols",
        "icmp.type",
        "icmp.seq",
        "ip.checksum.status",
        "icmp.checksum.status",
    ];
    let Some(lines) = tshark_fields(file.path(), &fields) else {
        return;
    };
    assert_eq!(
        lines.len(),
        frames.len(),
        "tshark read every frame:\n{lines:#?}"
    );
    let rows: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    let arp = rows.iter().filter(|r| r[0] == "eth:ethertype:arp").count();
    assert_eq!(
        arp, 2,
        "the kernel's request and the host's reply:\n{lines:#?}"
    );
    let icmp: Vec<_> = rows
        .iter()
        .filter(|r| r[0].starts_with("eth:ethertype:ip:icmp"))
        .collect();
    let seqs = |kind: &str| {
        icmp.iter()
            .filter(|r| r[1] == kind)
            .map(|r| r[2])
            .collect::<Vec<_>>()
    };
    let expected: Vec<String> = (1..=pings).map(|seq| seq.to_string()).collect();
    assert_eq!(seqs("8"), expected, "echo requests:\n{lines:#?}");
    assert_eq!(seqs("0"), expected, "echo replies:\n{lines:#?}");
    // Wireshark's checksum status 1 is "Good", for IPv4 and for ICMP.
    assert!(
        icmp.iter().all(|r| r[3..] == ["1", "1"]),
        "checksums:\n{lines:#?}"
    );
}

/// Run `tshark -r file -T fields` with IPv4 checksums checked; return one
/// line per frame, tab-separated, or `None` (said on
/// stderr) if tshark is not installed.
fn tshark_fields(file: &std::path::Path, fields: &[&str]) -> Option<Vec<String>> {
    let mut command = Command::new("tshark");
    command
        .arg("-r")
        .arg(file)
        .args(["-o", "ip.check_checksum:TRUE", "-T", "fields"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let out = match command.output() {
        Ok(out) => out,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Straight to stderr, past the harness's capture, so it shows.
            let why = "tshark is not installed: the pcap was checked with pcap-file only";
            let _ = writeln!(io::stderr(), "{why}; install it with `{TSHARK_INSTALL}`");
            return None;
        }
        Err(e) => panic!("cannot run tshark: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tshark failed: {stderr}");
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn a_10000_byte_ping_is_fragmented_both_ways() {
    let run = in_namespace("a_10000_byte_ping_is_fragmented_both_ways", |_, tap| {
        let driver = reference_host(tap, Tracer::new);
        beside_host(driver, || {
            let socket = raw_icmp_socket();
            let data = pattern(10_000, 0x5a);
            kernel_pings(&socket, 7, &data);
            let (echoed, datagram_len) = kernel_gets_reply(&socket, 7);
            assert_same(&echoed, &data, "the reassembled echo reply");
            datagram_len
        })
    });
    let Some(run) = run else { return };
    // The kernel handed up one datagram: 20 + 8 + 10 000 bytes.
    assert_eq!(run.kernel, 10_028);
    assert_eq!(run.driver.host().stats().reassembled, 1);
    let fragments = |direction| {
        let entries = run.driver.device().entries().iter();
        let ipv4 = entries.filter(|e| e.direction == direction && e.frame[12..14] == [0x08, 0x00]);
        let frags = ipv4.map(|e| Ipv4Packet::new_checked(&e.frame[14..]).unwrap());
        frags
            .filter(|p| p.is_fragment())
            .map(|p| p.payload().len())
            .collect::<Vec<_>>()
    };
    // 10 008 ICMP bytes in 1480-byte pieces (MTU 1500): six full and 1128.
    let expected = [1480, 1480, 1480, 1480, 1480, 1480, 1128];
    let mut from_kernel = fragments(Direction::Rx);
    from_kernel.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(from_kernel, expected, "the kernel fragmented the request");
    assert_eq!(
        fragments(Direction::Tx),
        expected,
        "the host fragmented the reply"
    );
}

#[test]
fn kernel_udp_socket_and_reference_echo_exchange_datagrams() {
    // Empty, small, the largest unfragmented (1500 - 28), one byte more,
    // jumbo-sized, and the largest UDP payload there is.
    let sizes = [0, 1, 100, 1472, 1473, 9000, 65_507];
    let run = in_namespace(
        "kernel_udp_socket_and_reference_echo_exchange_datagrams",
        |_, tap| {
            let driver = reference_host(tap, |t| t);
            beside_host(driver, || {
                let socket = UdpSocket::bind((KERNEL_ADDR, 0)).unwrap();
                socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
                let mut buffer = vec![0; 65_536];
                for (salt, &size) in (0u8..).zip(&sizes) {
                    let data = pattern(size, salt);
                    socket.send_to(&data, (HOST_ADDR, ECHO_PORT)).unwrap();
                    let (len, from) = socket.recv_from(&mut buffer).unwrap_or_else(|e| {
                        panic!("no echo of {size} bytes: {e}");
                    });
                    assert_eq!(from, (HOST_ADDR, ECHO_PORT).into());
                    assert_same(&buffer[..len], &data, &format!("the echo of {size} bytes"));
                }
            })
        },
    );
    let Some(run) = run else { return };
    assert_eq!(run.echoed, sizes.len() as u64);
    // 1473, 9000 and 65 507 bytes arrived in fragments.
    assert_eq!(run.driver.host().stats().reassembled, 3);
}

#[test]
fn udp_to_a_closed_port_is_refused_by_icmp() {
    let run = in_namespace("udp_to_a_closed_port_is_refused_by_icmp", |_, tap| {
        let driver = reference_host(tap, |t| t);
        beside_host(driver, || {
            let socket = UdpSocket::bind((KERNEL_ADDR, 0)).unwrap();
            socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
            // A connected socket reports ICMP port unreachable as ECONNREFUSED.
            socket.connect((HOST_ADDR, 9)).unwrap();
            socket.send(b"anyone?").unwrap();
            socket.recv(&mut [0; 16]).unwrap_err().kind()
        })
    });
    let Some(run) = run else { return };
    assert_eq!(run.kernel, io::ErrorKind::ConnectionRefused);
    let stats = run.driver.host().stats();
    assert_eq!(
        (
            stats.dropped.get("port_unreachable"),
            stats.icmp_errors_sent
        ),
        (1, 1)
    );
}

#[test]
fn arp_resolves_when_the_kernel_asks_first() {
    let run = in_namespace("arp_resolves_when_the_kernel_asks_first", |ns, tap| {
        let driver = reference_host(tap, |t| t);
        let run = beside_host(driver, || {
            let socket = UdpSocket::bind((KERNEL_ADDR, 0)).unwrap();
            socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
            socket
                .send_to(b"who are you", (HOST_ADDR, ECHO_PORT))
                .unwrap();
            socket.recv(&mut [0; 16]).unwrap();
        });
        (kernel_neighbour(ns, HOST_ADDR), run)
    });
    let Some((neighbour, run)) = run else { return };
    // The kernel asked, the host answered, and the kernel keeps the answer.
    assert!(
        neighbour.contains(&format!("lladdr {HOST_MAC}")),
        "{neighbour}"
    );
    assert!(
        !neighbour.contains("FAILED") && !neighbour.contains("INCOMPLETE"),
        "{neighbour}"
    );
    // The host learned the kernel's MAC from the request (RFC 826) and never asked.
    let now = run.driver.now();
    let host = run.driver.host();
    assert_eq!(host.arp_cache().lookup(now, KERNEL_ADDR), Some(KERNEL_MAC));
    assert_eq!(host.stats().arp_requests, 0);
}

#[test]
fn arp_resolves_when_the_host_asks_first() {
    let run = in_namespace("arp_resolves_when_the_host_asks_first", |ns, tap| {
        let mut driver = reference_host(tap, |t| t);
        let stop = AtomicBool::new(false);
        let deadline = Some(driver.now() + KERNEL_WAIT);
        let mut pinged = false;
        let stopped = driver.run(&stop, deadline, |host, now| {
            if !pinged {
                host.ping(now, KERNEL_ADDR, 0x0a7b, 1, b"arp first")
                    .unwrap();
                pinged = true;
            }
            host.poll_echo_reply()
                .map_or(ControlFlow::Continue(()), ControlFlow::Break)
        });
        (stopped.unwrap(), kernel_neighbour(ns, HOST_ADDR), driver)
    });
    let Some((stopped, neighbour, driver)) = run else {
        return;
    };
    let reply = EchoReply {
        from: KERNEL_ADDR,
        ident: 0x0a7b,
        seq_no: 1,
        data: b"arp first".to_vec(),
    };
    assert_eq!(stopped, Stopped::App(reply));
    // The host asked once and learned the kernel's MAC from the reply.
    let now = driver.now();
    assert_eq!(
        driver.host().arp_cache().lookup(now, KERNEL_ADDR),
        Some(KERNEL_MAC)
    );
    assert_eq!(driver.host().stats().arp_requests, 1);
    // The kernel learned the host's MAC from the request (its own reply
    // needed it), without asking back.
    assert!(
        neighbour.contains(&format!("lladdr {HOST_MAC}")),
        "{neighbour}"
    );
}

/// bash's `/dev/udp`: send "hello" to the echo service, and succeed only if
/// the same five bytes come back within two seconds.
const BASH_UDP_ECHO: &str = "exec 3<>/dev/udp/198.51.100.2/7 && printf hello >&3 \
                             && read -r -t 2 -N 5 reply <&3 && [ \"$reply\" = hello ]";

#[test]
fn serve_runs_a_command_in_its_namespace_and_captures_the_traffic() {
    if !netns::require_support("serve_runs_a_command_in_its_namespace_and_captures_the_traffic") {
        return;
    }
    let pcap = tempfile::NamedTempFile::new().unwrap();
    let config = ServeConfig {
        pcap: Some(pcap.path().to_owned()),
        duration: Some(HOST_DEADLINE),
        ..ServeConfig::default()
    };
    let mut command = Command::new("bash");
    command.args(["-c", BASH_UDP_ECHO]);
    let mut ready = None;
    let stop = AtomicBool::new(false);
    let report = serve(&config, &stop, Some(&mut command), |r| {
        ready = Some(r.clone())
    })
    .unwrap();
    let StopReason::CommandExited(status) = report.stopped else {
        panic!("the run should end with the command: {report:?}");
    };
    assert!(status.success(), "the echo came back to bash: {status}");
    assert_eq!(report.echoed, 1);
    // The namespace file named the serving thread's namespace, now gone.
    let path = ready.unwrap().netns_path;
    assert!(
        path.starts_with("/proc/") && path.ends_with("/ns/net"),
        "{path}"
    );
    // ARP request and reply, the datagram and its echo.
    assert_eq!(report.pcap_frames, Some(4));
    let bytes = std::fs::read(pcap.path()).unwrap();
    let mut reader = pcap_file::pcap::PcapReader::new(&bytes[..]).unwrap();
    let mut frames = 0;
    while let Some(packet) = reader.next_packet() {
        packet.unwrap();
        frames += 1;
    }
    assert_eq!(frames, 4);
}

#[test]
fn serve_stops_when_its_time_is_up_or_when_asked() {
    if !netns::require_support("serve_stops_when_its_time_is_up_or_when_asked") {
        return;
    }
    let config = ServeConfig {
        duration: Some(Duration::from_millis(200)),
        ..ServeConfig::default()
    };
    let report = serve(&config, &AtomicBool::new(false), None, |_| ()).unwrap();
    assert_eq!(report.stopped, StopReason::TimeUp);
    assert!(
        report.served_for >= Duration::from_millis(200),
        "{report:?}"
    );
    // Asked to stop before it starts, it stops at once, with no deadline.
    let forever = ServeConfig::default();
    let report = serve(&forever, &AtomicBool::new(true), None, |_| ()).unwrap();
    assert_eq!(report.stopped, StopReason::Asked);
    assert!(report.served_for < Duration::from_secs(1), "{report:?}");
}

/// Runs without root: nothing outside TEST-NET-2, ever.
#[test]
fn serve_refuses_addresses_outside_test_net_2() {
    let outside = ServeConfig {
        host_addr: Ipv4Addr::new(192, 0, 2, 2),
        ..ServeConfig::default()
    };
    let same = ServeConfig {
        host_addr: KERNEL_ADDR,
        ..ServeConfig::default()
    };
    let kernel_outside = ServeConfig {
        kernel_addr: Ipv4Addr::new(192, 0, 2, 1),
        ..ServeConfig::default()
    };
    for config in [outside, same, kernel_outside] {
        let mut called = false;
        let err = serve(&config, &AtomicBool::new(false), None, |_| called = true).unwrap_err();
        assert!(err.to_string().contains("TEST-NET-2"), "{err}");
        assert!(!called);
    }
}
