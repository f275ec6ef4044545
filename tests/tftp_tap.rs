//! TFTP over TAP: the reference stack's read-only TFTP server
//! (`apps::tftp::server`) serves the Linux kernel's UDP sockets in a
//! namespace of their own (see `tests/common`).
//!
//! - A std `UdpSocket` client reads a 30 000-byte file in lock step, with
//!   the blksize option (RFC 2348: an OACK, then 1024-byte blocks) and
//!   without it (512-byte blocks, RFC 1350); each block's size and the
//!   whole file's bytes are checked. A missing file gets ERROR 1.
//! - curl, run in the namespace, fetches the same file with
//!   `--tftp-blksize 1024` and with `--tftp-no-options`, and fails on the
//!   missing file with curl's "TFTP: file not found" exit status (68).

mod common;

use core::net::SocketAddrV4;
use std::net::{SocketAddr, UdpSocket};

use apps::tftp::server::{Server, ServerConfig, ServerEvent};
use apps::tftp::{ErrorCode, Packet, PORT};
use common::{beside_host, curl, have_curl, host_driver, in_namespace, KERNEL_WAIT};
use synack::serve::{HOST_ADDR, KERNEL_ADDR};

/// The file's length: 58 blocks of 512 bytes, 29 of 1024, neither exact.
const FILE_LEN: usize = 30_000;

/// A file that shows where each byte came from.
fn file() -> Vec<u8> {
    (0..FILE_LEN).map(|i| (i % 251) as u8).collect()
}

/// Serve `boot.img` from the reference host while `kernel` runs; return
/// what it returned and the server's events.
fn with_server<K: Send>(
    test: &str,
    kernel: impl FnOnce() -> K + Send,
) -> Option<(K, Vec<ServerEvent>)> {
    in_namespace(test, |tap| {
        let mut driver = host_driver(tap);
        let local = SocketAddrV4::new(HOST_ADDR, PORT);
        let mut server = Server::bind(driver.host_mut(), local, ServerConfig::default()).unwrap();
        server.add_file("boot.img", file());
        let mut events = Vec::new();
        let kernel = beside_host(
            &mut driver,
            |host, now| {
                server.poll(now, host);
                events.extend(std::iter::from_fn(|| server.poll_event()));
                server.transfers() == 0
            },
            kernel,
        );
        (kernel, events)
    })
}

/// What the kernel's lock-step client read.
#[derive(Debug, Default)]
struct Read {
    /// The OACK's options, as `name value`.
    oack: Vec<String>,
    /// The size of each DATA block, in order.
    blocks: Vec<usize>,
    data: Vec<u8>,
    /// The ERROR that ended the transfer, if one did.
    error: Option<(ErrorCode, String)>,
}

/// Read `name` from the reference server with a kernel UDP socket, asking
/// for `blksize` if given: RRQ, then ACK each block (and block 0 for an
/// OACK) until a short block.
fn kernel_reads(name: &str, blksize: Option<u16>) -> Read {
    let socket = UdpSocket::bind((KERNEL_ADDR, 0)).unwrap();
    socket.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    let mut rrq = vec![0, 1];
    rrq.extend_from_slice(name.as_bytes());
    rrq.extend_from_slice(b"\0octet\0");
    if let Some(size) = blksize {
        rrq.extend_from_slice(format!("blksize\0{size}\0").as_bytes());
    }
    socket.send_to(&rrq, (HOST_ADDR, PORT)).unwrap();
    let block_size = usize::from(blksize.unwrap_or(512));
    let mut read = Read::default();
    let mut buf = vec![0u8; 70_000];
    let mut tid: Option<SocketAddr> = None;
    loop {
        let (n, from) = socket.recv_from(&mut buf).expect("a TFTP packet in time");
        // RFC 1350 4: the server's port is its transfer ID from now on.
        assert_eq!(*tid.get_or_insert(from), from, "a packet from another TID");
        let ack = match Packet::parse(&buf[..n]).unwrap() {
            Packet::Oack(options) => {
                read.oack.extend(options.iter().map(|o| o.to_string()));
                0
            }
            Packet::Data { block, data } => {
                assert_eq!(usize::from(block), read.blocks.len() + 1, "blocks in order");
                read.blocks.push(data.len());
                read.data.extend_from_slice(data);
                block
            }
            Packet::Error { code, message } => {
                read.error = Some((code, String::from_utf8_lossy(message).into_owned()));
                return read;
            }
            other => panic!("unexpected packet {other:?}"),
        };
        let mut packet = vec![0, 4];
        packet.extend_from_slice(&ack.to_be_bytes());
        socket.send_to(&packet, from).unwrap();
        if read.blocks.last().is_some_and(|&len| len < block_size) {
            return read;
        }
    }
}

#[test]
fn kernel_reads_a_file_with_and_without_blksize() {
    let run = with_server("kernel_reads_a_file_with_and_without_blksize", || {
        (
            kernel_reads("boot.img", Some(1024)),
            kernel_reads("boot.img", None),
        )
    });
    let Some(((with, without), events)) = run else {
        return;
    };
    assert_eq!(with.oack, ["blksize 1024"]);
    assert!(
        with.data == file(),
        "the file read with blksize 1024 differs"
    );
    let mut expect = vec![1024; FILE_LEN / 1024];
    expect.push(FILE_LEN % 1024);
    assert_eq!(with.blocks, expect);

    assert!(without.oack.is_empty());
    assert!(
        without.data == file(),
        "the file read with 512-byte blocks differs"
    );
    let mut expect = vec![512; FILE_LEN / 512];
    expect.push(FILE_LEN % 512);
    assert_eq!(without.blocks, expect);
    let started: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Started { blksize, len, .. } => Some(*blksize + *len),
            _ => None,
        })
        .collect();
    assert_eq!(started, [1024 + FILE_LEN, 512 + FILE_LEN]);
}

#[test]
fn kernel_asks_for_a_missing_file_and_gets_error_1() {
    let run = with_server("kernel_asks_for_a_missing_file_and_gets_error_1", || {
        kernel_reads("missing.img", Some(1024))
    });
    let Some((read, events)) = run else {
        return;
    };
    assert!(read.data.is_empty() && read.oack.is_empty());
    assert_eq!(read.error.map(|e| e.0), Some(ErrorCode::FileNotFound));
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::Refused {
            code: ErrorCode::FileNotFound,
            ..
        }
    )));
}

#[test]
fn curl_reads_a_file_with_and_without_blksize() {
    let test = "curl_reads_a_file_with_and_without_blksize";
    if !have_curl(test) {
        return;
    }
    let run = with_server(test, || {
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let url = "tftp://198.51.100.2/boot.img";
        let (with, without) = (out("with"), out("without"));
        let a = curl(&["--tftp-blksize", "1024", "--output", &with, url]);
        let b = curl(&["--tftp-no-options", "--output", &without, url]);
        let missing = curl(&[
            "--output",
            &out("missing"),
            "tftp://198.51.100.2/missing.img",
        ]);
        let read = |f: &str| std::fs::read(f).unwrap_or_default();
        (
            (a.0, a.2, read(&with)),
            (b.0, b.2, read(&without)),
            missing.0,
        )
    });
    let Some(((with, without, missing), events)) = run else {
        return;
    };
    assert!(with.0.success(), "curl --tftp-blksize 1024: {}", with.1);
    assert!(
        with.2 == file(),
        "the file curl read with blksize 1024 differs"
    );
    assert!(without.0.success(), "curl --tftp-no-options: {}", without.1);
    assert!(
        without.2 == file(),
        "the file curl read without options differs"
    );
    // curl's exit status 68: "TFTP: File not found".
    assert_eq!(missing.code(), Some(68));
    let blksizes: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Started { blksize, .. } => Some(*blksize),
            _ => None,
        })
        .collect();
    assert_eq!(blksizes, [1024, 512]);
}
