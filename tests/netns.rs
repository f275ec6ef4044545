//! Integration tests of `synack::netns`: real namespaces, real TAP devices.
//!
//! Each test that needs root and /dev/net/tun starts with
//! `netns::require_support`: without them it prints why and returns, except
//! under `CI=true`, where it fails.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, UdpSocket};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::sync::{mpsc, Barrier};
use std::time::{Duration, Instant};

use stack::device::{Device, DeviceError, TapDevice};
use stack::time::Instant as StackInstant;
use stack::wire::EthernetAddress;
use synack::netns::{self, NetnsConfig, NetnsError, TapConfig};

const OURS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const PEER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
const ETHERTYPE_IPV4: [u8; 2] = [0x08, 0x00];
const ETHERTYPE_ARP: [u8; 2] = [0x08, 0x06];
const TTL_KEY: &str = "net.ipv4.ip_default_ttl";

/// The interfaces of the host's namespace (the test thread's), by name.
fn host_links() -> BTreeSet<String> {
    std::fs::read_dir("/sys/class/net")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Whether `ip` run from the test thread (the host's namespace) knows `name`.
fn host_ip_knows(name: &str) -> bool {
    let status = Command::new("ip")
        .args(["link", "show", "dev", name])
        .output()
        .unwrap()
        .status;
    status.success()
}

/// The host's value of the TTL sysctl, read from the test thread.
fn host_ttl() -> String {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_default_ttl")
        .unwrap()
        .trim()
        .to_owned()
}

/// How many threads of any process are in the namespace `id` (`net:[...]`).
fn tasks_in_namespace(id: &str) -> usize {
    let mut count = 0;
    for proc_entry in std::fs::read_dir("/proc").unwrap().flatten() {
        // Processes only: `self` and `thread-self` would count ours twice.
        if !proc_entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(tasks) = std::fs::read_dir(proc_entry.path().join("task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let link = std::fs::read_link(task.path().join("ns/net"));
            count += usize::from(link.is_ok_and(|l| l.to_string_lossy() == id));
        }
    }
    count
}

/// Wait (up to 2 s) until no thread is left in the namespace `id`: a joined
/// thread may still be finishing its exit in the kernel for a moment.
fn namespace_emptied(id: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while tasks_in_namespace(id) > 0 {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Read frames from `tap` until one satisfies `want`, for at most 3 s.
/// Returns it with the frames seen before it.
fn wait_for(tap: &mut TapDevice, want: impl Fn(&[u8]) -> bool) -> (Vec<u8>, Vec<Vec<u8>>) {
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut before = Vec::new();
    while Instant::now() < deadline {
        match tap.recv(StackInstant::ZERO).unwrap() {
            Some(frame) if want(&frame) => return (frame, before),
            Some(frame) => before.push(frame),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    panic!("no matching frame within 3 s; saw {} others", before.len());
}

fn ethertype(frame: &[u8]) -> [u8; 2] {
    [frame[12], frame[13]]
}

/// Send a UDP datagram to the peer from a kernel socket in the namespace.
fn kernel_sends_udp() {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
    socket.send_to(b"hello", (PEER, 9)).unwrap();
}

#[test]
fn kernel_sends_an_arp_request_on_the_tap() {
    if !netns::require_support("kernel_sends_an_arp_request_on_the_tap") {
        return;
    }
    let name = "snk-arp0";
    let config = NetnsConfig::new().tap(TapConfig::new(name).address(OURS, 24));
    let frame = netns::run(&config, |ns| {
        let addrs = ns.ip(&["-4", "-o", "addr", "show", "dev", name]).unwrap();
        assert!(addrs.contains("inet 198.51.100.1/24"), "{addrs}");
        let tap = ns.tap(name).unwrap();
        assert_eq!(tap.mtu(), 1514);
        kernel_sends_udp();
        wait_for(tap, |f| ethertype(f) == ETHERTYPE_ARP).0
    })
    .unwrap();
    // RFC 826: a request (op 1) from 198.51.100.1 for 198.51.100.2, broadcast.
    assert_eq!(frame[..6], EthernetAddress::BROADCAST.0);
    assert_eq!(frame[14..22], [0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    assert_eq!(frame[28..32], OURS.octets());
    assert_eq!(frame[38..42], PEER.octets());
    assert!(!host_links().contains(name));
    assert!(!host_ip_knows(name));
}

/// An ARP request (RFC 826) from the peer asking who has 198.51.100.1.
fn arp_request_from_peer() -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend_from_slice(&EthernetAddress::BROADCAST.0);
    f.extend_from_slice(&PEER_MAC.0);
    f.extend_from_slice(&ETHERTYPE_ARP);
    f.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]); // Ethernet/IPv4, request
    f.extend_from_slice(&PEER_MAC.0);
    f.extend_from_slice(&PEER.octets());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&OURS.octets());
    f
}

#[test]
fn kernel_answers_a_frame_written_to_the_tap() {
    if !netns::require_support("kernel_answers_a_frame_written_to_the_tap") {
        return;
    }
    let name = "snk-rep0";
    let config = NetnsConfig::new().tap(TapConfig::new(name).address(OURS, 24).mac(OUR_MAC));
    let reply = netns::run(&config, |ns| {
        let tap = ns.tap(name).unwrap();
        let too_long = vec![0; tap.mtu() + 1];
        let refused = tap.send(StackInstant::ZERO, &too_long);
        assert_eq!(
            refused,
            Err(DeviceError::TooLong {
                len: 1515,
                mtu: 1514
            })
        );
        tap.send(StackInstant::ZERO, &arp_request_from_peer())
            .unwrap();
        wait_for(tap, |f| {
            ethertype(f) == ETHERTYPE_ARP && f[20..22] == [0, 2]
        })
        .0
    })
    .unwrap();
    // The kernel's reply: from its MAC and address, to the peer's.
    assert_eq!(reply[..6], PEER_MAC.0);
    assert_eq!(reply[22..28], OUR_MAC.0);
    assert_eq!(reply[28..32], OURS.octets());
    assert_eq!(reply[32..38], PEER_MAC.0);
    assert_eq!(reply[38..42], PEER.octets());
}

#[test]
fn static_neighbour_mtu_and_mac_are_applied() {
    if !netns::require_support("static_neighbour_mtu_and_mac_are_applied") {
        return;
    }
    let name = "snk-nb0";
    let tap = TapConfig::new(name)
        .address(OURS, 24)
        .mtu(1280)
        .mac(OUR_MAC)
        .neighbour(PEER, PEER_MAC);
    let config = NetnsConfig::new().tap(tap);
    let (frame, before) = netns::run(&config, |ns| {
        let link = ns.ip(&["-o", "link", "show", "dev", name]).unwrap();
        assert!(
            link.contains("mtu 1280") && link.contains("02:00:00:00:00:01"),
            "{link}"
        );
        let neigh = ns.ip(&["neigh", "show", "dev", name]).unwrap();
        assert!(
            neigh.contains("198.51.100.2 lladdr 02:00:00:00:00:02 PERMANENT"),
            "{neigh}"
        );
        let tap = ns.tap(name).unwrap();
        assert_eq!(tap.mtu(), 1280 + 14);
        kernel_sends_udp();
        wait_for(tap, |f| ethertype(f) == ETHERTYPE_IPV4)
    })
    .unwrap();
    // The datagram went straight to the static entry's MAC, with no ARP.
    assert!(before.iter().all(|f| ethertype(f) != ETHERTYPE_ARP));
    assert_eq!(frame[..6], PEER_MAC.0);
    assert_eq!(frame[6..12], OUR_MAC.0);
    assert_eq!(frame[23], 17, "IPv4 protocol UDP");
    assert_eq!(frame[26..30], OURS.octets());
    assert_eq!(frame[30..34], PEER.octets());
}

#[test]
fn sysctl_is_set_inside_and_unchanged_outside() {
    if !netns::require_support("sysctl_is_set_inside_and_unchanged_outside") {
        return;
    }
    let name = "snk-sys0";
    let host_before = host_ttl();
    let inside = if host_before == "33" { "34" } else { "33" };
    let tap = TapConfig::new(name)
        .address(OURS, 24)
        .neighbour(PEER, PEER_MAC);
    let config = NetnsConfig::new().tap(tap).sysctl(TTL_KEY, inside);
    let (to_main, from_ns) = mpsc::channel();
    let (to_ns, from_main) = mpsc::channel::<()>();
    let links_before = host_links();
    std::thread::scope(|s| {
        // Owned here, so a failed assertion below drops it and frees the worker.
        let to_ns = to_ns;
        let worker = s.spawn(move || {
            netns::run(&config, move |ns| {
                assert_eq!(ns.sysctl(TTL_KEY).unwrap(), inside);
                kernel_sends_udp();
                let (frame, _) =
                    wait_for(ns.tap(name).unwrap(), |f| ethertype(f) == ETHERTYPE_IPV4);
                to_main.send(netns::current_namespace().unwrap()).unwrap();
                from_main.recv().unwrap();
                frame
            })
        });
        // While the namespace lives, the host's namespace is untouched.
        let id = from_ns.recv().unwrap();
        assert_ne!(id, netns::current_namespace().unwrap());
        assert_eq!(tasks_in_namespace(&id), 1);
        assert_eq!(host_ttl(), host_before);
        assert!(!host_ip_knows(name));
        assert_eq!(host_links(), links_before);
        to_ns.send(()).unwrap();
        let frame = worker.join().unwrap().unwrap();
        // The kernel inside used the namespace's TTL (IPv4 byte 8).
        assert_eq!(frame[14 + 8].to_string(), inside);
        // The namespace ended with the closure: no thread is left in it.
        assert!(namespace_emptied(&id));
    });
    assert_eq!(host_ttl(), host_before);
}

#[test]
fn nothing_is_left_after_a_panic() {
    if !netns::require_support("nothing_is_left_after_a_panic") {
        return;
    }
    let name = "snk-pan0";
    let config = NetnsConfig::new().tap(TapConfig::new(name).address(OURS, 24));
    let links_before = host_links();
    let (to_main, from_ns) = mpsc::channel();
    let result = catch_unwind(AssertUnwindSafe(|| {
        netns::run(&config, |ns| {
            assert!(ns.tap(name).is_some());
            to_main.send(netns::current_namespace().unwrap()).unwrap();
            panic!("closure panicked on purpose");
        })
    }));
    let payload = result.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"closure panicked on purpose")
    );
    let id = from_ns.recv().unwrap();
    assert!(namespace_emptied(&id));
    assert_eq!(host_links(), links_before);
    assert!(!host_ip_knows(name));
}

#[test]
fn child_process_runs_in_the_namespace() {
    if !netns::require_support("child_process_runs_in_the_namespace") {
        return;
    }
    let name = "snk-cmd0";
    let config = NetnsConfig::new().tap(TapConfig::new(name).address(OURS, 24));
    let mut show = Command::new("ip");
    show.args(["-o", "-4", "addr", "show", "dev", name]);
    let status = netns::run_command(&config, show.stdout(std::process::Stdio::null())).unwrap();
    assert!(status.success());
    // A closure can also collect a child's output; its namespace is the thread's.
    let out = netns::run(&config, |_| {
        Command::new("ip").args(["-o", "link", "show"]).output()
    })
    .unwrap()
    .unwrap();
    let links = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        links.lines().count(),
        2,
        "only lo and the TAP device:\n{links}"
    );
    assert!(links.contains(": lo:") && links.contains(name));
    assert!(!host_ip_knows(name));
}

#[test]
fn namespaces_run_side_by_side_with_the_same_tap_name() {
    if !netns::require_support("namespaces_run_side_by_side_with_the_same_tap_name") {
        return;
    }
    let config = NetnsConfig::new().tap(TapConfig::new("snk-par0").address(OURS, 24));
    let both_alive = Barrier::new(2);
    let ids: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    netns::run(&config, |ns| {
                        assert!(ns.tap("snk-par0").is_some());
                        both_alive.wait();
                        netns::current_namespace().unwrap()
                    })
                    .unwrap()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_ne!(ids[0], ids[1]);
}

/// Runs without root: a bad configuration is refused before anything is made.
#[test]
fn addresses_outside_test_net_2_are_refused() {
    let tap = TapConfig::new("snk-bad0").address(Ipv4Addr::new(192, 0, 2, 1), 24);
    let config = NetnsConfig::new().tap(tap);
    let mut called = false;
    let err = netns::run(&config, |_| called = true).unwrap_err();
    assert!(matches!(err, NetnsError::Config(_)), "{err}");
    assert!(err.to_string().contains("outside TEST-NET-2"), "{err}");
    assert!(!called);
    let sysctl = NetnsConfig::new().sysctl("kernel.hostname", "x");
    assert!(matches!(
        netns::run(&sysctl, |_| ()),
        Err(NetnsError::Config(_))
    ));
}
