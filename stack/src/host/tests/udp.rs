//! UDP sockets: bind rules, ephemeral ports, checksums, queues and handles.

use core::net::SocketAddrV4;

use super::*;
use crate::host::config::EPHEMERAL_PORTS;
use crate::host::{BadHandle, BindError, Layer, RecvError, SendError};

#[test]
fn bind_explicit_ephemeral_and_conflicts() {
    let mut host = host();
    let a = bind(&mut host, 7);
    assert_eq!(host.udp_local_addr(a), Ok(any_port(7)));
    assert_eq!(host.udp_bind(any_port(7)), Err(BindError::AddrInUse));
    assert_eq!(
        host.udp_bind(SocketAddrV4::new(IP_US, 7)),
        Err(BindError::AddrInUse)
    );
    assert_eq!(
        host.udp_bind(SocketAddrV4::new(IP_PEER, 8)),
        Err(BindError::AddrNotAvailable)
    );
    let ephemeral = bind(&mut host, 0);
    let port = host.udp_local_addr(ephemeral).unwrap().port();
    assert!(EPHEMERAL_PORTS.contains(&port));
    host.udp_close(a).unwrap();
    let again = bind(&mut host, 7);
    assert_ne!(again, a, "a reused slot gets a new generation");
    assert_eq!(host.udp_local_addr(a), Err(BadHandle));
    assert_eq!(host.udp_recv_from(a), Err(RecvError::BadHandle));
    assert_eq!(
        host.udp_send_to(T0, a, b"x", SocketAddrV4::new(IP_PEER, 7)),
        Err(SendError::BadHandle)
    );
    assert_eq!(host.udp_close(a), Err(BadHandle));
}

#[test]
fn ephemeral_ports_run_out_and_sockets_are_bounded() {
    let mut host = host_with(|c| c.udp.ephemeral_ports = 5000..=5002);
    let ports: Vec<u16> = (0..3)
        .map(|_| {
            let h = bind(&mut host, 0);
            host.udp_local_addr(h).unwrap().port()
        })
        .collect();
    let mut sorted = ports.clone();
    sorted.sort();
    assert_eq!(sorted, [5000, 5001, 5002]);
    assert_eq!(host.udp_bind(any_port(0)), Err(BindError::NoEphemeralPort));

    let mut host = host_with(|c| c.udp.max_sockets = 1);
    bind(&mut host, 1);
    assert_eq!(host.udp_bind(any_port(2)), Err(BindError::TooManySockets));
}

#[test]
fn ephemeral_ports_replay_from_the_seed() {
    let pick = |seed| {
        let mut host = host_with(|c| c.seed = seed);
        (0..4)
            .map(|_| {
                let h = bind(&mut host, 0);
                host.udp_local_addr(h).unwrap().port()
            })
            .collect::<Vec<u16>>()
    };
    assert_eq!(pick(1), pick(1));
    assert_ne!(pick(1), pick(2));
}

#[test]
fn bad_checksums_are_silently_dropped_and_zero_means_none() {
    let mut host = host();
    let socket = bind(&mut host, 9);
    let mut frame = udp_frame(IP_US, 9, b"data");
    let last = 14 + 20 + 8 + 3;
    frame[last] ^= 0x40;
    assert_dropped(host.handle_frame(T0, &frame), Why::BadChecksum(Layer::Udp));
    assert!(
        drain(&mut host, T0).is_empty(),
        "no ICMP for a bad checksum"
    );
    assert_eq!(host.stats().dropped.get("bad_checksum_udp"), 1);
    assert_eq!(host.udp_recv_from(socket), Ok(None));
    // A zero checksum: the sender computed none (RFC 768).
    let mut frame = udp_frame(IP_US, 9, b"data");
    frame[14 + 20 + 6..14 + 20 + 8].fill(0);
    assert_accepted(host.handle_frame(T0, &frame), Action::UdpDelivered(socket));
}

#[test]
fn datagram_fields_reach_the_socket_and_replies_verify() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 9);
    host.handle_frame(T0, &udp_frame(IP_US, 9, b"ask"));
    let got = host.udp_recv_from(socket).unwrap().unwrap();
    assert_eq!(got.from, SocketAddrV4::new(IP_PEER, 5000));
    assert_eq!(got.to, IP_US);
    host.udp_send_to(T0, socket, b"answer", got.from).unwrap();
    let (eth, header, bytes) = parse_ipv4(&drain(&mut host, T0)[0]);
    assert_eq!(
        (eth.dst_addr, header.src_addr, header.dst_addr),
        (MAC_PEER, IP_US, IP_PEER)
    );
    let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
    let udp = UdpRepr::parse(&packet, IP_US, IP_PEER, ChecksumPolicy::Verify).unwrap();
    assert_eq!(
        (udp.src_port, udp.dst_port, udp.payload),
        (9, 5000, &b"answer"[..])
    );
}

#[test]
fn receive_queue_is_bounded() {
    let mut host = host_with(|c| c.udp.rx_queue = 2);
    let socket = bind(&mut host, 9);
    for _ in 0..2 {
        assert_accepted(
            host.handle_frame(T0, &udp_frame(IP_US, 9, b"x")),
            Action::UdpDelivered(socket),
        );
    }
    assert_dropped(
        host.handle_frame(T0, &udp_frame(IP_US, 9, b"x")),
        Why::SocketQueueFull(socket),
    );
}

#[test]
fn a_socket_bound_to_our_address_wins_and_misses_broadcasts() {
    let mut host = host();
    let exact = host.udp_bind(SocketAddrV4::new(IP_US, 9)).unwrap();
    assert_accepted(
        host.handle_frame(T0, &udp_frame(IP_US, 9, b"x")),
        Action::UdpDelivered(exact),
    );
    assert_dropped(
        host.handle_frame(T0, &udp_frame(Ipv4Addr::BROADCAST, 9, b"x")),
        Why::PortUnreachable(9),
    );
}

#[test]
fn send_arguments_are_checked() {
    let mut host = host();
    let socket = bind(&mut host, 9);
    let bad = [
        SocketAddrV4::new(IP_PEER, 0),
        SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 7),
    ];
    for dst in bad {
        assert_eq!(
            host.udp_send_to(T0, socket, b"x", dst),
            Err(SendError::InvalidDestination)
        );
    }
    let to = SocketAddrV4::new(IP_PEER, 7);
    assert_eq!(
        host.udp_send_to(T0, socket, &vec![0; 65_508], to),
        Err(SendError::TooLong { max: 65_507 })
    );
}
