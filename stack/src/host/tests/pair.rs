//! Two hosts over a pipe: UDP through a faulty link, a 10,000-byte ping,
//! and replay determinism.

use core::net::SocketAddrV4;
use core::time::Duration;
use std::collections::BTreeSet;

use super::*;
use crate::device::{FaultConfig, Faults, Pipe, PipeConfig, Tracer};
use crate::host::sim::Pair;
use crate::random::Rng;

fn link() -> PipeConfig {
    PipeConfig {
        latency: Duration::from_millis(2),
        ..PipeConfig::default()
    }
}

fn faults() -> FaultConfig {
    FaultConfig {
        drop: 0.2,
        duplicate: 0.1,
        reorder: 0.2,
        reorder_hold: Duration::from_millis(5),
        jitter: Duration::from_millis(1),
        ..FaultConfig::default()
    }
}

/// A datagram numbered `i`, long enough for some to be fragmented.
fn numbered(i: u32) -> Vec<u8> {
    let len = 10 + (i as usize * 97) % 3000;
    (0..len).map(|j| (i as usize * 31 + j) as u8).collect()
}

#[test]
fn udp_through_a_faulty_link_arrives_intact_or_not_at_all() {
    let mut pair =
        Pair::with_faults(HostConfig::default(), peer_config(), link(), faults(), 7).unwrap();
    let server = bind(&mut pair.b.host, 7);
    let client = bind(&mut pair.a.host, 0);
    let to = SocketAddrV4::new(IP_PEER, 7);
    let sent: BTreeSet<Vec<u8>> = (0..60).map(numbered).collect();
    for i in 0..60 {
        let now = pair.now;
        pair.a
            .host
            .udp_send_to(now, client, &numbered(i), to)
            .unwrap();
        pair.advance(Duration::from_millis(3)).unwrap();
    }
    pair.drive().unwrap();
    let mut got = Vec::new();
    while let Some(d) = pair.b.host.udp_recv_from(server).unwrap() {
        got.push(d.payload);
    }
    assert!(got.len() > 10, "most get through: {}", got.len());
    assert!(
        got.iter().all(|d| sent.contains(d)),
        "every arrival is a whole sent datagram"
    );
    let distinct: BTreeSet<_> = got.iter().collect();
    assert!(
        distinct.len() < sent.len(),
        "some were lost at a 20% drop rate"
    );
    let stats = pair.a.device.stats();
    assert!(stats.dropped > 0 && stats.duplicated > 0 && stats.reordered > 0);
}

#[test]
fn ping_of_10000_bytes_between_two_hosts() {
    let mut pair = Pair::new(HostConfig::default(), peer_config(), link()).unwrap();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 253) as u8).collect();
    let now = pair.now;
    pair.a.host.ping(now, IP_PEER, 1, 1, &data).unwrap();
    pair.drive().unwrap();
    let reply = pair.a.host.poll_echo_reply().expect("a reply");
    assert_eq!((reply.from, reply.ident, reply.seq_no), (IP_PEER, 1, 1));
    assert_eq!(reply.data, data);
    assert_eq!(pair.a.host.stats().reassembled, 1);
    assert_eq!(pair.b.host.stats().reassembled, 1);
    let echoed = pair
        .b
        .verdicts()
        .filter(|v| *v == FrameVerdict::Accepted(Action::EchoReplied));
    assert_eq!(echoed.count(), 1);
}

#[test]
fn arp_failure_reaches_the_socket_through_the_driver() {
    let mut pair = Pair::new(HostConfig::default(), peer_config(), link()).unwrap();
    let socket = bind(&mut pair.a.host, 0);
    let now = pair.now;
    let absent = SocketAddrV4::new(IP_OTHER, 7);
    pair.a
        .host
        .udp_send_to(now, socket, b"anyone?", absent)
        .unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.now,
        ms(3000),
        "three requests a second apart, then give up"
    );
    let error = pair.a.host.udp_take_error(socket).unwrap();
    assert_eq!(error, Some(crate::host::SocketError::HostUnreachable));
    assert_eq!(
        pair.b
            .verdicts()
            .filter(|v| *v == FrameVerdict::Dropped(Why::ArpNotForUs))
            .count(),
        3
    );
}

/// Run a fixed exchange over a faulty link and return every frame seen.
fn run(seed: u64) -> Vec<(Instant, Vec<u8>)> {
    let config = |c: HostConfig| HostConfig { seed, ..c };
    let rng = Rng::from_seed(seed);
    let (a, b) = Pipe::new(link());
    let a = Tracer::new(Faults::new(a, faults(), rng.derive("a")).unwrap());
    let b = Tracer::new(Faults::new(b, faults(), rng.derive("b")).unwrap());
    let host_a = Host::new(config(HostConfig::default())).unwrap();
    let host_b = Host::new(config(peer_config())).unwrap();
    let mut pair = Pair::from_parts(host_a, a, host_b, b);
    let server = bind(&mut pair.b.host, 7);
    let client = bind(&mut pair.a.host, 0);
    for i in 0..20 {
        let now = pair.now;
        let to = SocketAddrV4::new(IP_PEER, 7);
        pair.a
            .host
            .udp_send_to(now, client, &numbered(i), to)
            .unwrap();
        pair.a
            .host
            .ping(now, IP_PEER, 9, i as u16, &numbered(i))
            .unwrap();
        pair.advance(Duration::from_millis(4)).unwrap();
        while let Some(d) = pair.b.host.udp_recv_from(server).unwrap() {
            let now = pair.now;
            pair.b
                .host
                .udp_send_to(now, server, &d.payload, d.from)
                .unwrap();
        }
    }
    pair.drive().unwrap();
    let mut trace: Vec<_> = pair
        .a
        .device
        .entries()
        .iter()
        .map(|e| (e.at, e.frame.clone()))
        .collect();
    trace.extend(
        pair.b
            .device
            .entries()
            .iter()
            .map(|e| (e.at, e.frame.clone())),
    );
    trace
}

#[test]
fn same_seed_same_frames() {
    let first = run(11);
    assert!(first.len() > 40);
    assert_eq!(first, run(11));
    assert_ne!(first, run(12), "IDs, ports and faults follow the seed");
}
