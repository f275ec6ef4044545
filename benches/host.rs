//! Frames per second through the reference host over the memory pipe.
//!
//! Two hosts on a `stack::host::sim::Pair` (a `Pipe` with no latency, the
//! virtual clock): host A sends a UDP datagram to the `EchoService` on host
//! B, which sends it back. One iteration is one whole round trip: A's
//! `udp_send_to`, both hosts driven until quiet, B's echo, driven again,
//! A's `udp_recv_from`. ARP is resolved before measuring. Criterion's
//! throughput is in frames (elements), counted from the hosts' own
//! counters; the line printed at the end gives round trips and frames per
//! second for the 64-byte case, measured for one second.
//!
//! ```text
//! cargo bench --bench host
//! ```

use core::net::SocketAddrV4;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use stack::device::Pipe;
use stack::host::sim::Pair;
use stack::host::{HostConfig, UdpHandle};
use synack::serve::{EchoService, ServeConfig, ECHO_PORT, HOST_ADDR, KERNEL_ADDR, KERNEL_MAC};

/// A client host (A) and the echo service's host (B) on one pipe.
struct EchoPair {
    pair: Pair<Pipe>,
    client: UdpHandle,
    echo: EchoService,
    service: SocketAddrV4,
    payload: Vec<u8>,
}

impl EchoPair {
    /// Build the pair, and make one round trip so that ARP is resolved.
    fn new(payload_len: usize) -> EchoPair {
        let client = HostConfig {
            mac: KERNEL_MAC,
            ipv4: KERNEL_ADDR,
            ..HostConfig::default()
        };
        let mut pair =
            Pair::new(client, ServeConfig::default().host(), Default::default()).unwrap();
        let echo = EchoService::bind(&mut pair.b.host, ECHO_PORT).unwrap();
        let client = pair
            .a
            .host
            .udp_bind(SocketAddrV4::new(KERNEL_ADDR, 0))
            .unwrap();
        let payload = (0..payload_len).map(|i| i as u8).collect();
        let service = SocketAddrV4::new(HOST_ADDR, ECHO_PORT);
        let mut this = EchoPair {
            pair,
            client,
            echo,
            service,
            payload,
        };
        this.round_trip();
        this
    }

    /// Send the payload to the echo service and take the echo back.
    fn round_trip(&mut self) {
        let pair = &mut self.pair;
        pair.a
            .host
            .udp_send_to(pair.now, self.client, &self.payload, self.service)
            .unwrap();
        pair.drive().unwrap();
        assert_eq!(self.echo.poll(&mut pair.b.host, pair.now), 1);
        pair.drive().unwrap();
        let echoed = pair.a.host.udp_recv_from(self.client).unwrap().unwrap();
        assert_eq!(echoed.payload.len(), self.payload.len());
        black_box(echoed);
        // Keep the per-node logs of received frames from growing without end.
        pair.a.received.clear();
        pair.b.received.clear();
    }

    /// Return the frames both hosts have sent so far.
    fn frames(&self) -> u64 {
        self.pair.a.host.stats().tx_frames + self.pair.b.host.stats().tx_frames
    }

    /// Return the frames one round trip takes (after ARP).
    fn frames_per_round_trip(&mut self) -> u64 {
        let before = self.frames();
        self.round_trip();
        self.frames() - before
    }
}

fn udp_echo(c: &mut Criterion) {
    let mut group = c.benchmark_group("host_udp_echo_round_trip");
    // 64 bytes; the largest unfragmented datagram; one fragmented in six.
    for payload_len in [64, 1472, 8000] {
        let mut echo = EchoPair::new(payload_len);
        group.throughput(Throughput::Elements(echo.frames_per_round_trip()));
        group.bench_function(BenchmarkId::from_parameter(payload_len), |b| {
            b.iter(|| echo.round_trip())
        });
    }
    group.finish();
}

/// Print one line: round trips and frames per second, 64-byte payloads.
fn summary(span: Duration) {
    let mut echo = EchoPair::new(64);
    let (frames_before, started) = (echo.frames(), Instant::now());
    let mut trips = 0u64;
    while started.elapsed() < span {
        for _ in 0..100 {
            echo.round_trip();
        }
        trips += 100;
    }
    let seconds = started.elapsed().as_secs_f64();
    let frames = echo.frames() - frames_before;
    println!(
        "host: {:.0} UDP echo round trips/s, {:.0} frames/s (64-byte payload, two hosts on the memory pipe, {trips} round trips in {seconds:.2} s)",
        trips as f64 / seconds,
        frames as f64 / seconds,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut criterion = Criterion::default().configure_from_args();
    udp_echo(&mut criterion);
    criterion.final_summary();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // A short run under `cargo test --benches` (criterion's `--test`).
    let quick = args.iter().any(|a| a == "--test");
    summary(if quick {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    });
}
