//! Wire-layer benchmarks, side by side with etherparse and smoltcp.
//!
//! Run with `cargo bench --bench wire` and print the table with
//! `python3 benches/table.py` (see that script for the layout it reads).
//!
//! Every peer parses the same five frames, built once below with
//! etherparse's `PacketBuilder` (which fills in valid checksums):
//!
//! | frame      | bytes | contents                                                   |
//! |------------|-------|------------------------------------------------------------|
//! | `syn74`    | 74    | TCP SYN, options MSS, SACK-permitted, timestamps, NOP, WS  |
//! | `tcp1514`  | 1514  | TCP ACK+PSH, options NOP, NOP, timestamps; 1448 data bytes |
//! | `arp60`    | 60    | ARP request, 18 bytes of Ethernet padding                  |
//! | `udp106`   | 106   | UDP, 64 data bytes                                         |
//! | `udp1514`  | 1514  | UDP, 1472 data bytes                                       |
//!
//! Two modes, like with like:
//!
//! - `headers`: Ethernet, then IPv4 and TCP/UDP (or ARP), every header read
//!   into its owned form, TCP options parsed, **no checksum**:
//!   - synack: `EthernetFrame::new_checked` + `EthernetRepr::parse`, then
//!     `Ipv4Packet::new_checked` + `Ipv4Repr::parse(.., Ignore)` (options
//!     validated and kept) and `TcpSegment::new_checked` + `TcpRepr::parse(..,
//!     Ignore)` (every option's length checked, the options area kept), or
//!     `UdpPacket`/`UdpRepr`, or `ArpPacket::new_checked` + `ArpRepr::parse`.
//!   - smoltcp: the same `new_checked` + `Repr::parse` chain with
//!     `ChecksumCapabilities::ignored()`. Its `TcpRepr::parse` walks the
//!     options into MSS, window scale, SACK-permitted, SACK ranges and
//!     timestamps. Its `UdpRepr` holds the ports only, so the UDP data is
//!     read with `UdpPacket::payload` as well: both peers yield the same.
//!   - etherparse: `SlicedPacket::from_ethernet`, which checks the lengths and
//!     versions of every header (lazily: fields are read on access), plus a
//!     walk of the TCP options with `TcpSlice::options_iterator`, each option
//!     decoded into a `TcpOptionElement`. It reads no other field.
//! - `checksums`: the same plus the IPv4 header checksum and the TCP/UDP
//!   checksum over pseudo-header and data: synack with
//!   `ChecksumPolicy::Verify`, smoltcp with `ChecksumCapabilities::default()`.
//!   etherparse verifies no checksum when slicing, so it is not in this mode.
//!   (ARP has no checksum; its row repeats the `headers` work.)
//!
//! `checksum_1480` times the Internet checksum alone over 1480 bytes.
//!
//! Each sample is the fastest of ten slices of its iterations ([`timed`]):
//! the machines this runs on are shared, and a slice another process
//! interrupted would otherwise decide the median.
//!
//! Every result a parser returns is handed to `black_box` by reference, as
//! returned ([`seen`]): it must exist, so no work is optimised away, and no
//! copy of it is timed (a copy of a 100-byte `Result` right after it was
//! written costs store-forwarding stalls that would swamp the parse). Each
//! timed call returns only whether the frame parsed.
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

use etherparse::{
    ArpHardwareId, ArpOperation, ArpPacket as EpArp, EtherType as EpEtherType, PacketBuilder,
    SlicedPacket, TcpOptionElement, TransportSlice,
};
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire as sm;
use stack::wire::arp::{ArpPacket, ArpRepr};
use stack::wire::ethernet::{EthernetFrame, EthernetRepr};
use stack::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use stack::wire::tcp::{TcpRepr, TcpSegment};
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, EtherType, IpProtocol, WireError};

const SRC_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const DST_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const SRC_IP: [u8; 4] = [192, 168, 0, 1];
const DST_IP: [u8; 4] = [192, 168, 0, 2];

/// The five frames, by name.
fn frames() -> Vec<(&'static str, Vec<u8>)> {
    let eth = || PacketBuilder::ethernet2(SRC_MAC, DST_MAC);
    let ip = || eth().ipv4(SRC_IP, DST_IP, 64);
    let mut out = Vec::new();

    let syn_options = [
        TcpOptionElement::MaximumSegmentSize(1460),
        TcpOptionElement::SelectiveAcknowledgementPermitted,
        TcpOptionElement::Timestamp(0x0102_0304, 0),
        TcpOptionElement::Noop,
        TcpOptionElement::WindowScale(7),
    ];
    let syn = ip().tcp(40000, 80, 0x1234_5678, 64240).syn();
    let syn = syn.options(&syn_options).expect("20 option bytes fit");
    let mut frame = Vec::new();
    syn.write(&mut frame, &[]).expect("write to a Vec");
    out.push(("syn74", frame));

    let data_options = [
        TcpOptionElement::Noop,
        TcpOptionElement::Noop,
        TcpOptionElement::Timestamp(0x0102_0304, 0x0506_0708),
    ];
    let data = ip().tcp(40000, 80, 0x1234_5679, 502).ack(0x9abc_def0).psh();
    let data = data.options(&data_options).expect("12 option bytes fit");
    let payload: Vec<u8> = (0..1448u32).map(|i| (i * 13 + 5) as u8).collect();
    let mut frame = Vec::new();
    data.write(&mut frame, &payload).expect("write to a Vec");
    out.push(("tcp1514", frame));

    let arp = EpArp::new(
        ArpHardwareId::ETHERNET,
        EpEtherType::IPV4,
        ArpOperation::REQUEST,
        &SRC_MAC,
        &SRC_IP,
        &[0; 6],
        &DST_IP,
    )
    .expect("Ethernet/IPv4 sizes");
    let mut frame = Vec::new();
    eth().arp(arp).write(&mut frame).expect("write to a Vec");
    frame.resize(60, 0); // Ethernet padding
    out.push(("arp60", frame));

    for (name, len) in [("udp106", 64u32), ("udp1514", 1472)] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
        let mut frame = Vec::new();
        let udp = ip().udp(5353, 53);
        udp.write(&mut frame, &payload).expect("write to a Vec");
        out.push((name, frame));
    }
    out
}

/// Slices per criterion sample; see [`timed`].
const SLICES: u64 = 10;

/// Time `routine` for criterion, robustly on a shared machine: each sample's
/// iterations run in [`SLICES`] equal slices, and the sample is the fastest
/// slice scaled to the whole count. Another process can only add time to a
/// slice, so a sample it interrupted is not counted; every peer is timed the
/// same way. Set `SYNACK_BENCH_PLAIN=1` for criterion's plain `iter`.
fn timed<O>(b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
    if std::env::var_os("SYNACK_BENCH_PLAIN").is_some() {
        return b.iter(routine);
    }
    b.iter_custom(|iters| {
        let per_slice = (iters / SLICES).max(1);
        let mut fastest = Duration::MAX;
        for _ in 0..SLICES {
            let start = Instant::now();
            for _ in 0..per_slice {
                black_box(routine());
            }
            fastest = fastest.min(start.elapsed());
        }
        fastest.mul_f64(iters as f64 / per_slice as f64)
    })
}

/// Hand a parser's result to `black_box` by reference, as it was returned,
/// so that it must exist in memory (no work can be optimised away) without
/// timing a copy of it; then pass it on.
#[inline(always)]
fn seen<T>(result: T) -> T {
    black_box(&result);
    result
}

/// Parse a frame through every layer with synack, each `Repr` [`seen`].
fn synack(frame: &[u8], policy: ChecksumPolicy) -> Result<(), WireError> {
    let eth = EthernetFrame::new_checked(frame)?;
    let eth_repr = seen(EthernetRepr::parse(&eth))?;
    if eth_repr.ethertype == EtherType::Arp {
        let arp = ArpPacket::new_checked(eth.payload())?;
        return seen(ArpRepr::parse(&arp)).map(drop);
    }
    let ip = Ipv4Packet::new_checked(eth.payload())?;
    let ip_repr = seen(Ipv4Repr::parse(&ip, policy))?;
    let (src, dst) = (ip_repr.src_addr, ip_repr.dst_addr);
    match ip_repr.protocol {
        IpProtocol::Tcp => {
            let seg = TcpSegment::new_checked(ip.payload())?;
            seen(TcpRepr::parse(&seg, src, dst, policy))?;
        }
        IpProtocol::Udp => {
            let udp = UdpPacket::new_checked(ip.payload())?;
            seen(UdpRepr::parse(&udp, src, dst, policy))?;
        }
        _ => {}
    }
    Ok(())
}

/// Parse a frame through every layer with smoltcp, as [`synack`] does.
fn smoltcp(frame: &[u8], caps: &ChecksumCapabilities) -> sm::Result<()> {
    let eth = sm::EthernetFrame::new_checked(frame)?;
    let eth_repr = seen(sm::EthernetRepr::parse(&eth))?;
    if eth_repr.ethertype == sm::EthernetProtocol::Arp {
        let arp = sm::ArpPacket::new_checked(eth.payload())?;
        return seen(sm::ArpRepr::parse(&arp)).map(drop);
    }
    let ip = sm::Ipv4Packet::new_checked(eth.payload())?;
    let ip_repr = seen(sm::Ipv4Repr::parse(&ip, caps))?;
    let src = sm::IpAddress::Ipv4(ip_repr.src_addr);
    let dst = sm::IpAddress::Ipv4(ip_repr.dst_addr);
    match ip_repr.next_header {
        sm::IpProtocol::Tcp => {
            let seg = sm::TcpPacket::new_checked(ip.payload())?;
            seen(sm::TcpRepr::parse(&seg, &src, &dst, caps))?;
        }
        sm::IpProtocol::Udp => {
            let udp = sm::UdpPacket::new_checked(ip.payload())?;
            seen(sm::UdpRepr::parse(&udp, &src, &dst, caps))?;
            // Its `UdpRepr` holds the ports only; synack's holds the data too.
            seen(udp.payload());
        }
        _ => {}
    }
    Ok(())
}

/// Slice a frame with etherparse and decode its TCP options, handing the
/// slices and each option to `black_box` by reference.
fn etherparse(frame: &[u8]) -> Result<(), etherparse::err::packet::SliceError> {
    let sliced = seen(SlicedPacket::from_ethernet(frame))?;
    if let Some(TransportSlice::Tcp(tcp)) = &sliced.transport {
        for option in tcp.options_iterator() {
            let _ = seen(option);
        }
    }
    Ok(())
}

fn headers(c: &mut Criterion) {
    let ignored = ChecksumCapabilities::ignored();
    let mut g = c.benchmark_group("headers");
    for (name, frame) in frames() {
        let frame = &frame[..];
        g.bench_function(BenchmarkId::new("synack", name), |b| {
            timed(b, || {
                synack(black_box(frame), ChecksumPolicy::Ignore).is_ok()
            })
        });
        g.bench_function(BenchmarkId::new("smoltcp", name), |b| {
            timed(b, || smoltcp(black_box(frame), &ignored).is_ok())
        });
        g.bench_function(BenchmarkId::new("etherparse", name), |b| {
            timed(b, || etherparse(black_box(frame)).is_ok())
        });
    }
    g.finish();
}

fn checksums(c: &mut Criterion) {
    let verify = ChecksumCapabilities::default();
    let mut g = c.benchmark_group("checksums");
    for (name, frame) in frames() {
        let frame = &frame[..];
        g.bench_function(BenchmarkId::new("synack", name), |b| {
            timed(b, || {
                synack(black_box(frame), ChecksumPolicy::Verify).is_ok()
            })
        });
        g.bench_function(BenchmarkId::new("smoltcp", name), |b| {
            timed(b, || smoltcp(black_box(frame), &verify).is_ok())
        });
    }
    g.finish();
}

fn checksum(c: &mut Criterion) {
    let data: Vec<u8> = (0..1480u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut g = c.benchmark_group("checksum_1480");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(BenchmarkId::new("synack", 1480), |b| {
        timed(b, || stack::wire::checksum::data(black_box(&data)))
    });
    g.bench_function(BenchmarkId::new("smoltcp", 1480), |b| {
        timed(b, || smoltcp::wire::checksum::data(black_box(&data)))
    });
    g.finish();
}

/// Check once, before timing, that every peer reads every frame.
fn frames_parse(_: &mut Criterion) {
    for (name, frame) in frames() {
        let len: usize = name
            .trim_start_matches(char::is_alphabetic)
            .parse()
            .expect("name ends in its length");
        assert_eq!(frame.len(), len, "{name} has the length its name says");
        for policy in [ChecksumPolicy::Ignore, ChecksumPolicy::Verify] {
            if let Err(err) = synack(&frame, policy) {
                panic!("synack cannot read {name} ({policy:?}): {err}");
            }
        }
        for caps in [
            ChecksumCapabilities::ignored(),
            ChecksumCapabilities::default(),
        ] {
            assert!(smoltcp(&frame, &caps).is_ok(), "smoltcp cannot read {name}");
        }
        let sliced = SlicedPacket::from_ethernet(&frame).expect("etherparse slices every frame");
        assert!(sliced.net.is_some(), "etherparse sliced {name}");
    }
}

criterion_group!(benches, frames_parse, headers, checksums, checksum);
criterion_main!(benches);
