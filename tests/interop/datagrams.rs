//! Ping and UDP both ways.

use core::net::SocketAddrV4;
use std::io::Read;
use std::net::UdpSocket;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use stack::host::EchoReply;
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::Ipv4Packet;
use stack::wire::ChecksumPolicy;
use synack::serve::{EchoService, ECHO_PORT, HOST_ADDR, KERNEL_ADDR};

use crate::host::*;
use crate::streams::*;
use crate::*;

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
