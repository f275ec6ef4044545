//! Tests of the pcap writer: files read back by pcap-file's reader, and by
//! tshark when it is installed.

use std::process::Command;

use pcap_file::pcap::PcapReader;

use super::*;
use crate::device::{Direction, Pipe, PipeConfig, Tracer};

/// An Ethernet II frame of `len` bytes (at least 14) carrying IPv4's ethertype.
fn ethernet_frame(len: usize, tag: u8) -> Vec<u8> {
    let mut f = vec![tag; len];
    f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 2]); // destination
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]); // source
    f[12..14].copy_from_slice(&[0x08, 0x00]); // EtherType IPv4
    f
}

/// Read a pcap file back as (timestamp in µs, original length, data).
fn read_back(bytes: &[u8]) -> Vec<(u128, u32, Vec<u8>)> {
    let mut reader = PcapReader::new(bytes).unwrap();
    let h = reader.header();
    assert_eq!((h.version_major, h.version_minor), (2, 4));
    assert_eq!(h.datalink, DataLink::ETHERNET);
    assert_eq!(h.ts_resolution, TsResolution::MicroSecond);
    let mut packets = Vec::new();
    while let Some(p) = reader.next_packet() {
        let p = p.unwrap();
        packets.push((p.timestamp.as_micros(), p.orig_len, p.data.to_vec()));
    }
    packets
}

/// Three frames a→b and one b→a, captured on a's side.
fn capture_exchange() -> (Vec<u8>, Vec<(Instant, Vec<u8>)>) {
    let config = PipeConfig {
        latency: core::time::Duration::from_micros(250),
        ..PipeConfig::default()
    };
    let (a, mut b) = Pipe::new(config);
    let mut a = PcapWriter::new(a, Vec::new()).unwrap();
    let mut expected = Vec::new();
    for (i, len) in [60usize, 1514, 98].into_iter().enumerate() {
        let at = Instant::from_micros(1_000_000 + 1_001 * i as u64);
        let f = ethernet_frame(len, i as u8);
        a.send(at, &f).unwrap();
        expected.push((at, f));
    }
    let reply = ethernet_frame(64, 0xee);
    b.send(Instant::from_millis(1_500), &reply).unwrap();
    let got_at = Instant::from_micros(1_500_250);
    assert_eq!(a.recv(got_at), Ok(Some(reply.clone())));
    expected.push((got_at, reply));
    assert_eq!(a.frames(), 4);
    let (_pipe, bytes) = a.finish().unwrap();
    (bytes, expected)
}

#[test]
fn written_file_reads_back() {
    let (bytes, expected) = capture_exchange();
    // Classic header: magic a1b2c3d4, 24 bytes; then 16 bytes per record.
    assert_eq!(bytes[..4], [0xa1, 0xb2, 0xc3, 0xd4]);
    let data: usize = expected.iter().map(|(_, f)| 16 + f.len()).sum();
    assert_eq!(bytes.len(), 24 + data);
    let packets = read_back(&bytes);
    assert_eq!(packets.len(), expected.len());
    for ((ts, orig_len, data), (at, frame)) in packets.into_iter().zip(expected) {
        assert_eq!(ts, u128::from(at.total_micros()));
        assert_eq!(orig_len as usize, frame.len());
        assert_eq!(data, frame);
    }
}

#[test]
fn trace_writes_as_pcap() {
    let entry = |us, direction, frame| TraceEntry {
        at: Instant::from_micros(us),
        direction,
        frame,
    };
    let entries = [
        entry(7, Direction::Tx, ethernet_frame(60, 1)),
        entry(3_000_042, Direction::Rx, ethernet_frame(70, 2)),
    ];
    let bytes = write_pcap(Vec::new(), &entries).unwrap();
    let packets = read_back(&bytes);
    let expected: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                u128::from(e.at.total_micros()),
                e.frame.len() as u32,
                e.frame.clone(),
            )
        })
        .collect();
    assert_eq!(packets, expected);
}

#[test]
fn stacks_with_a_tracer() {
    let (a, _b) = Pipe::new(PipeConfig::default());
    let mut dev = Tracer::new(PcapWriter::new(a, Vec::new()).unwrap());
    dev.send(Instant::ZERO, &ethernet_frame(60, 0)).unwrap();
    assert_eq!(dev.entries().len(), 1);
    assert_eq!(dev.inner().frames(), 1);
}

/// A sink that fails after `room` bytes.
#[derive(Debug)]
struct Full {
    room: usize,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room < buf.len() {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        self.room -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn capture_errors_do_not_stop_traffic() {
    let (a, mut b) = Pipe::new(PipeConfig::default());
    let mut a = PcapWriter::new(
        a,
        Full {
            room: 24 + 16 + 60 + 10,
        },
    )
    .unwrap();
    for i in 0..3 {
        a.send(Instant::ZERO, &ethernet_frame(60, i)).unwrap();
    }
    assert_eq!(a.frames(), 1);
    for _ in 0..3 {
        assert!(b.recv(Instant::ZERO).unwrap().is_some());
    }
    let err = a.finish().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::StorageFull);
}

/// tshark opens the file and counts its frames. Skips (saying why) only
/// when tshark is not installed.
#[test]
fn tshark_reads_the_file() {
    let (bytes, expected) = capture_exchange();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exchange.pcap");
    std::fs::write(&path, &bytes).unwrap();
    let output = match Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-T", "fields", "-e", "frame.len"])
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Straight to stderr, past the test harness's output capture.
            let why = "tshark is not installed (apt-get install tshark)";
            let _ = writeln!(io::stderr(), "skipping tshark_reads_the_file: {why}");
            return;
        }
        Err(e) => panic!("could not run tshark: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "tshark failed: {stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lengths: Vec<usize> = stdout.lines().map(|l| l.trim().parse().unwrap()).collect();
    let expected: Vec<usize> = expected.iter().map(|(_, f)| f.len()).collect();
    assert_eq!(lengths, expected);
}
