//! The server on the reference host, fetched from by a test client on a
//! second host across a simulated link (`stack::host::sim::Pair`).

use super::*;
use crate::tftp::server::{Server, ServerConfig, ServerEvent};
use core::net::SocketAddrV4;
use core::time::Duration;
use stack::device::{Device, FaultConfig, PipeConfig};
use stack::host::sim::Pair;
use stack::host::{Host, HostConfig, UdpHandle};
use stack::time::Instant;
use stack::wire::{EthernetAddress, Ipv4Addr};

const SERVER_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
const SERVER: SocketAddrV4 = SocketAddrV4::new(SERVER_IP, PORT);

/// A lock-step client: sends an RRQ (again every second until answered),
/// ACKs what comes, re-ACKs duplicates.
struct Client {
    socket: UdpHandle,
    rrq: Vec<u8>,
    tid: Option<SocketAddrV4>,
    blksize: usize,
    next: u16,
    data: Vec<u8>,
    data_packets: usize,
    oack: Option<Vec<u8>>,
    error: Option<ErrorCode>,
    done: bool,
    resend_at: Option<Instant>,
}

impl Client {
    /// Send `rrq` (a request's bytes) from a new socket on host a.
    fn start(pair: &mut Pair<impl Device>, rrq: &[u8]) -> Client {
        let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
        let socket = pair.a.host.udp_bind(any).unwrap();
        let bytes = rrq.to_vec();
        pair.a
            .host
            .udp_send_to(pair.now, socket, &bytes, SERVER)
            .unwrap();
        Client {
            socket,
            rrq: bytes,
            tid: None,
            blksize: DEFAULT_BLKSIZE,
            next: 1,
            data: Vec::new(),
            data_packets: 0,
            oack: None,
            error: None,
            done: false,
            resend_at: Some(pair.now + Duration::from_secs(1)),
        }
    }

    fn port(&self, pair: &Pair<impl Device>) -> u16 {
        pair.a.host.udp_local_addr(self.socket).unwrap().port()
    }

    fn ack(&self, now: Instant, host: &mut Host, block: u16) {
        let mut bytes = [0; 4];
        Packet::Ack { block }.emit(&mut bytes).unwrap();
        let _ = host.udp_send_to(now, self.socket, &bytes, self.tid.unwrap());
    }

    fn poll(&mut self, now: Instant, host: &mut Host) {
        while let Ok(Some(datagram)) = host.udp_recv_from(self.socket) {
            let tid = *self.tid.get_or_insert(datagram.from);
            if datagram.from != tid {
                continue;
            }
            self.resend_at = None;
            match Packet::parse(&datagram.payload).unwrap() {
                Packet::Oack(options) => {
                    self.blksize = options.blksize().map_or(DEFAULT_BLKSIZE, usize::from);
                    self.oack = Some(datagram.payload.clone());
                    self.ack(now, host, 0);
                }
                Packet::Data { block, data } => {
                    self.data_packets += 1;
                    if block == self.next && !self.done {
                        self.data.extend_from_slice(data);
                        self.done = data.len() < self.blksize;
                        self.next = self.next.wrapping_add(1);
                    }
                    // Duplicates, the last block's included, are ACKed again.
                    if block == self.next.wrapping_sub(1) {
                        self.ack(now, host, block);
                    }
                }
                Packet::Error { code, .. } => {
                    self.error = Some(code);
                    self.done = true;
                }
                other => panic!("client got {other}"),
            }
        }
        if self.resend_at.is_some_and(|at| at <= now) {
            let _ = host.udp_send_to(now, self.socket, &self.rrq, SERVER);
            self.resend_at = Some(now + Duration::from_secs(1));
        }
    }
}

fn hosts() -> (HostConfig, HostConfig) {
    let server = HostConfig {
        mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
        ipv4: SERVER_IP,
        seed: 2,
        ..HostConfig::default()
    };
    (HostConfig::default(), server)
}

fn link() -> PipeConfig {
    PipeConfig {
        latency: Duration::from_millis(1),
        ..PipeConfig::default()
    }
}

/// A file of `len` bytes that shows where each byte came from.
fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Run the pair, the server (on host b) and the client (on host a) until
/// the client is done and the server idle; return the server's events.
fn run(pair: &mut Pair<impl Device>, server: &mut Server, client: &mut Client) -> Vec<ServerEvent> {
    for _ in 0..100_000 {
        server.poll(pair.now, &mut pair.b.host);
        client.poll(pair.now, &mut pair.a.host);
        // Frames moved: the hosts may hold datagrams for the apps now.
        if pair.step().unwrap() {
            continue;
        }
        if client.done && server.transfers() == 0 {
            return std::iter::from_fn(|| server.poll_event()).collect();
        }
        let timers = [pair.next_event(), server.poll_timeout(), client.resend_at];
        let next = timers.into_iter().flatten().min().expect("stalled");
        assert!(
            next < Instant::ZERO + Duration::from_secs(600),
            "ran too long"
        );
        pair.now = pair.now.max(next);
    }
    panic!("no end after 100000 rounds")
}

fn server(pair: &mut Pair<impl Device>) -> Server {
    let local = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT);
    let mut server = Server::bind(&mut pair.b.host, local, ServerConfig::default()).unwrap();
    server.add_file("boot.img", file(10_000));
    server.add_file("exact.bin", file(1024));
    server.add_file("notes.txt", "line one\nline two\r\n");
    server
}

/// Return the bytes of a read request.
fn rrq(filename: &str, mode: Mode, options: &[TftpOption<'_>]) -> Vec<u8> {
    let packet = Packet::Rrq(Request {
        filename: filename.as_bytes(),
        mode,
        options: Options::from_list(options),
    });
    let mut bytes = vec![0; packet.buffer_len()];
    packet.emit(&mut bytes).unwrap();
    bytes
}

#[test]
fn serves_a_file_with_blksize_and_tsize() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let options = [TftpOption::Blksize(1024), TftpOption::Tsize(0)];
    let mut client = Client::start(&mut pair, &rrq("boot.img", Mode::Octet, &options));
    let events = run(&mut pair, &mut server, &mut client);
    assert_eq!(client.data, file(10_000));
    let oack = client.oack.unwrap();
    assert_eq!(
        Packet::parse(&oack).unwrap().to_string(),
        "TFTP OACK blksize 1024 tsize 10000"
    );
    // 9 blocks of 1024 bytes and one of 784.
    assert_eq!(client.data_packets, 10);
    assert!(matches!(
        events[0],
        ServerEvent::Started {
            blksize: 1024,
            len: 10_000,
            ..
        }
    ));
    assert!(matches!(
        events[1],
        ServerEvent::Finished {
            state: TransferState::Done,
            ..
        }
    ));
}

#[test]
fn a_blksize_above_the_limit_is_lowered_and_fits_the_mtu() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let options = [TftpOption::Blksize(65464)];
    let mut client = Client::start(&mut pair, &rrq("boot.img", Mode::Octet, &options));
    run(&mut pair, &mut server, &mut client);
    assert_eq!(client.blksize, 1468);
    assert_eq!(client.data, file(10_000));
    assert_eq!(client.data_packets, 7);
    // 1468 bytes of data, 4 of TFTP, 8 of UDP, 20 of IPv4, 14 of Ethernet:
    // no frame exceeds 1514 bytes, so nothing was fragmented.
    let longest = pair.a.received.iter().map(|r| r.frame.len()).max().unwrap();
    assert_eq!(longest, 1514);
}

#[test]
fn without_options_blocks_are_512_bytes_and_a_full_last_block_is_followed_by_an_empty_one() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let mut client = Client::start(&mut pair, &rrq("exact.bin", Mode::Octet, &[]));
    run(&mut pair, &mut server, &mut client);
    assert!(client.oack.is_none());
    assert_eq!(client.data, file(1024));
    assert_eq!(client.data_packets, 3);
}

#[test]
fn netascii_mode_sends_cr_lf_and_cr_nul() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let mut client = Client::start(&mut pair, &rrq("notes.txt", Mode::Netascii, &[]));
    run(&mut pair, &mut server, &mut client);
    assert_eq!(client.data, b"line one\r\nline two\r\0\r\n");
}

#[test]
fn refused_requests_get_the_right_error() {
    let bad_blksize = b"\x00\x01boot.img\x00octet\x00blksize\x004\x00";
    let cases: [(&[u8], ErrorCode); 4] = [
        (b"\x00\x01nothere\x00octet\x00", ErrorCode::FileNotFound),
        (b"\x00\x02boot.img\x00octet\x00", ErrorCode::AccessViolation),
        (bad_blksize, ErrorCode::OptionNegotiation),
        (b"\x00\x01boot.img\x00mail\x00", ErrorCode::IllegalOperation),
    ];
    for (request, code) in cases {
        let (a, b) = hosts();
        let mut pair = Pair::new(a, b, link()).unwrap();
        let mut server = server(&mut pair);
        let mut client = Client::start(&mut pair, request);
        let events = run(&mut pair, &mut server, &mut client);
        assert_eq!(client.error, Some(code), "{request:?}");
        let port = pair.a.host.udp_local_addr(client.socket).unwrap().port();
        let peer = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), port);
        assert_eq!(events, [ServerEvent::Refused { peer, code }]);
        assert!(client.data.is_empty());
    }
}

#[test]
fn a_packet_from_another_tid_gets_error_5_and_the_transfer_goes_on() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let mut client = Client::start(&mut pair, &rrq("boot.img", Mode::Octet, &[]));
    // Let the first block arrive, so the client knows the server's TID.
    while client.tid.is_none() {
        pair.advance(Duration::from_millis(1)).unwrap();
        server.poll(pair.now, &mut pair.b.host);
        client.poll(pair.now, &mut pair.a.host);
    }
    let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
    let stray = pair.a.host.udp_bind(any).unwrap();
    let ack = [0, 4, 0, 1];
    pair.a
        .host
        .udp_send_to(pair.now, stray, &ack, client.tid.unwrap())
        .unwrap();
    let events = run(&mut pair, &mut server, &mut client);
    assert_eq!(client.data, file(10_000));
    let reply = pair.a.host.udp_recv_from(stray).unwrap().unwrap();
    assert_eq!(
        Packet::parse(&reply.payload).unwrap(),
        Packet::Error {
            code: ErrorCode::UnknownTransferId,
            message: b"unknown transfer ID"
        }
    );
    let stray_addr = pair.a.host.udp_local_addr(stray).unwrap();
    let from = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), stray_addr.port());
    assert!(events.contains(&ServerEvent::UnknownTid { from }));
}

#[test]
fn a_lossy_link_still_delivers_the_whole_file() {
    let (a, b) = hosts();
    let faults = FaultConfig {
        drop: 0.2,
        duplicate: 0.1,
        ..FaultConfig::default()
    };
    let mut dropped = 0;
    for seed in 0..4 {
        let mut pair =
            Pair::with_faults(a.clone(), b.clone(), link(), faults.clone(), seed).unwrap();
        // Up to 10 retransmissions: six in a row lost happen at this rate.
        let mut config = ServerConfig::default();
        config.transfer.retries = 10;
        let local = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT);
        let mut server = Server::bind(&mut pair.b.host, local, config).unwrap();
        server.add_file("boot.img", file(10_000));
        let options = [TftpOption::Blksize(1024), TftpOption::Timeout(2)];
        let mut client = Client::start(&mut pair, &rrq("boot.img", Mode::Octet, &options));
        let events = run(&mut pair, &mut server, &mut client);
        assert_eq!(client.data, file(10_000), "seed {seed}");
        // A duplicated or resent RRQ does not start a second transfer.
        let peer = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), client.port(&pair));
        let done = ServerEvent::Finished {
            peer,
            state: TransferState::Done,
        };
        assert_eq!(events.last(), Some(&done), "seed {seed}");
        let started = events
            .iter()
            .filter(|e| matches!(e, ServerEvent::Started { .. }));
        assert_eq!(started.count(), 1, "seed {seed}: {events:?}");
        dropped += pair.a.device.stats().dropped + pair.b.device.stats().dropped;
    }
    assert!(dropped > 10, "{dropped} frames dropped");
}

#[test]
fn a_repeated_request_does_not_start_a_second_transfer() {
    let (a, b) = hosts();
    let mut pair = Pair::new(a, b, link()).unwrap();
    let mut server = server(&mut pair);
    let request = rrq("boot.img", Mode::Octet, &[]);
    let mut client = Client::start(&mut pair, &request);
    pair.a
        .host
        .udp_send_to(pair.now, client.socket, &request, SERVER)
        .unwrap();
    let events = run(&mut pair, &mut server, &mut client);
    assert_eq!(client.data, file(10_000));
    let started = events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Started { .. }));
    assert_eq!(started.count(), 1, "{events:?}");
    assert_eq!(events.len(), 2);
}
