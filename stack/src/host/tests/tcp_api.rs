//! TCP socket calls on one host, the test playing the peer: active opens
//! and their ports (RFC 6056), refusals, ICMP errors delivered to the
//! connection they quote, options, handles and errno names.

use core::net::SocketAddrV4;
use core::time::Duration;

use super::tcp::{
    assert_segment, only_tcp, segment, sent_tcp, tcp_frame, tcp_frame_between, Out, IRS, PORT,
};
use super::*;
use crate::host::{
    AcceptError, CallError, ConnHandle, ConnectError, OptionError, SocketErrno, SocketOption,
};
use crate::tcp::{
    self, ConnectionError, Errno, IcmpOutcome, RecvError, ResetCause, SendError, SeqNumber,
    Shutdown, State, TcpEvent, Verdict,
};
use crate::wire::icmpv4::{DstUnreachable, Icmpv4Quote, ParamProblem, TimeExceeded};
use crate::wire::tcp::{TcpFlags, TcpRepr};

/// The peer's listening address.
const REMOTE: SocketAddrV4 = SocketAddrV4::new(IP_PEER, PORT);

/// Open a connection to `REMOTE` from a host that knows the peer; return
/// it with its SYN.
fn connecting(host: &mut Host) -> (ConnHandle, Out) {
    learn_peer(host, T0);
    let conn = host.tcp_connect(T0, REMOTE, None, None).unwrap();
    (conn, only_tcp(host, T0))
}

/// The peer's segment to our connection (ports from `ours`, its SYN).
fn to_us(ours: &TcpRepr<'_>, flags: TcpFlags, seq: u32, ack: u32) -> TcpRepr<'static> {
    TcpRepr {
        src_port: ours.dst_port,
        dst_port: ours.src_port,
        ..segment(flags, seq, ack)
    }
}

/// An established active connection: its handle, its SYN's ports and our ISS.
fn established(host: &mut Host) -> (ConnHandle, TcpRepr<'static>, u32) {
    let (conn, out) = connecting(host);
    let sent = out.tcp();
    let syn = TcpRepr {
        options: Default::default(),
        payload: &[],
        ..sent
    };
    let iss = syn.seq_number.0;
    let syn_ack = to_us(&syn, TcpFlags::SYN | TcpFlags::ACK, IRS, iss + 1);
    host.handle_frame(T0, &tcp_frame(&syn_ack));
    assert_segment(&only_tcp(host, T0).tcp(), TcpFlags::ACK, iss + 1, IRS + 1);
    assert_eq!(host.tcp_state(conn), Ok(State::Established));
    (conn, syn, iss)
}

/// An ICMP error from the peer quoting `out`.
fn icmp_about(out: &Out, make: impl FnOnce(Icmpv4Quote<'_>) -> Icmpv4Repr<'_>) -> Vec<u8> {
    let quoted = datagram(&out.header, &out.bytes);
    let quote = Icmpv4Quote::parse(&quoted).unwrap();
    icmp_frame(&make(quote))
}

fn unreachable(code: DstUnreachable, mtu: u16) -> impl FnOnce(Icmpv4Quote<'_>) -> Icmpv4Repr<'_> {
    move |quote| Icmpv4Repr::DstUnreachable {
        reason: code,
        unused: 0,
        next_hop_mtu: mtu,
        quote,
    }
}

#[test]
fn connect_sends_a_syn_with_the_link_mss_must_67() {
    let mut host = host_with(|c| c.mtu = 1000);
    let (conn, out) = connecting(&mut host);
    let syn = out.tcp();
    assert_eq!(syn.flags, TcpFlags::SYN);
    assert_eq!(syn.options.mss(), Some(960), "MTU 1000 less 40");
    assert_eq!((out.header.src_addr, out.header.dst_addr), (IP_US, IP_PEER));
    assert_eq!(syn.dst_port, PORT);
    assert!(crate::host::config::EPHEMERAL_PORTS.contains(&syn.src_port));
    assert_eq!(
        host.tcp_local_addr(conn),
        Ok(SocketAddrV4::new(IP_US, syn.src_port))
    );
    assert_eq!(host.tcp_state(conn), Ok(State::SynSent));
    assert_eq!(host.tcp_status(conn).unwrap().iss, syn.seq_number);
    // The SYN's retransmission timer is the host's next wake-up.
    assert_eq!(host.poll_timeout(), Some(T0 + Duration::from_secs(1)));
}

#[test]
fn poll_timeout_is_at_once_while_a_segment_waits() {
    let mut host = host();
    learn_peer(&mut host, T0);
    host.tcp_connect(T0, REMOTE, None, None).unwrap();
    assert_eq!(host.poll_timeout(), Some(Instant::ZERO));
    assert_eq!(sent_tcp(&mut host, T0).len(), 1);
    assert_eq!(host.poll_timeout(), Some(T0 + Duration::from_secs(1)));
}

#[test]
fn poll_timeout_is_the_earliest_connection_deadline() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let first = host.tcp_connect(T0, REMOTE, None, None).unwrap();
    drain(&mut host, T0);
    let half = T0 + Duration::from_millis(500);
    let second = host.tcp_connect(half, REMOTE, None, None).unwrap();
    drain(&mut host, half);
    assert_eq!(host.tcp_table_stats().timers, 2);
    let rto = Duration::from_secs(1);
    assert_eq!(host.poll_timeout(), Some(T0 + rto));
    // The first SYN's timer fires: it is sent again, with a doubled RTO.
    host.handle_timeout(T0 + rto);
    let out = only_tcp(&mut host, T0 + rto);
    let again = out.tcp();
    assert_eq!(again.flags, TcpFlags::SYN);
    assert_eq!(
        Ok(again.src_port),
        host.tcp_local_addr(first).map(|a| a.port())
    );
    assert_eq!(host.poll_timeout(), Some(half + rto));
    host.tcp_abort(second).unwrap();
    assert_eq!(host.poll_timeout(), Some(Instant::ZERO), "until drained");
    drain(&mut host, half);
    assert_eq!(host.poll_timeout(), Some(T0 + 3 * rto));
}

#[test]
fn connect_refuses_invalid_remotes_must_46() {
    let mut host = host();
    let invalid = [
        Ipv4Addr::BROADCAST,
        IP_SUBNET_BROADCAST,
        Ipv4Addr::new(224, 0, 0, 1),
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::LOCALHOST,
        IP_US,
    ];
    for ip in invalid {
        let remote = SocketAddrV4::new(ip, PORT);
        assert_eq!(
            host.tcp_connect(T0, remote, None, None),
            Err(ConnectError::InvalidRemote),
            "{ip}"
        );
    }
    let port_zero = SocketAddrV4::new(IP_PEER, 0);
    let err = host.tcp_connect(T0, port_zero, None, None).unwrap_err();
    assert_eq!(err.errno(), SocketErrno::Tcp(Errno::EINVAL));
    let far = SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 1), PORT);
    let err = host.tcp_connect(T0, far, None, None).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::NoRoute, "ENETUNREACH")
    );
    let not_ours = Some(SocketAddrV4::new(IP_OTHER, 0));
    let err = host.tcp_connect(T0, REMOTE, not_ours, None).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::AddrNotAvailable, "EADDRNOTAVAIL")
    );
    let bad_config = tcp::Config {
        mss: 10,
        ..tcp::Config::default()
    };
    let err = host
        .tcp_connect(T0, REMOTE, None, Some(bad_config))
        .unwrap_err();
    assert_eq!(err, ConnectError::Config(tcp::ConfigError::MssTooSmall));
    assert_eq!(host.tcp_table_stats().connections, 0);
    assert!(drain(&mut host, T0).is_empty());
}

#[test]
fn ephemeral_ports_walk_the_range_and_skip_listeners() {
    let mut host = host_with(|c| c.tcp.ephemeral_ports = 50000..=50003);
    learn_peer(&mut host, T0);
    host.tcp_listen(any_port(50002), 1).unwrap();
    let ports: Vec<u16> = (0..3)
        .map(|_| {
            let conn = host.tcp_connect(T0, REMOTE, None, None).unwrap();
            host.tcp_local_addr(conn).unwrap().port()
        })
        .collect();
    // RFC 6056 Algorithm 3: one remote walks the range in sequence.
    let mut walk = ports.iter().map(|p| p - 50000).collect::<Vec<_>>();
    walk.sort_unstable();
    assert_eq!(walk, [0, 1, 3], "every port but the listener's: {ports:?}");
    let err = host.tcp_connect(T0, REMOTE, None, None).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::NoEphemeralPort, "EADDRNOTAVAIL")
    );
    // Another remote port makes other 4-tuples from the same local ports.
    let other = SocketAddrV4::new(IP_PEER, PORT + 1);
    assert!(host.tcp_connect(T0, other, None, None).is_ok());
    // An explicit port a listener holds is refused.
    let held = Some(SocketAddrV4::new(IP_US, 50002));
    let err = host.tcp_connect(T0, other, held, None).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::AddrInUse, "EADDRINUSE")
    );
}

#[test]
fn connect_never_picks_a_tuple_in_time_wait_until_2msl_passed() {
    let mut host = host_with(|c| c.tcp.ephemeral_ports = 50000..=50000);
    let (conn, syn, iss) = established(&mut host);
    // We close first, the peer acknowledges with its FIN: TIME-WAIT here.
    host.tcp_close(conn).unwrap();
    assert_segment(
        &only_tcp(&mut host, T0).tcp(),
        TcpFlags::FIN | TcpFlags::ACK,
        iss + 1,
        IRS + 1,
    );
    let fin_ack = to_us(&syn, TcpFlags::FIN | TcpFlags::ACK, IRS + 1, iss + 2);
    host.handle_frame(T0, &tcp_frame(&fin_ack));
    drain(&mut host, T0);
    assert_eq!(host.tcp_table_stats().time_wait, 1);
    assert_eq!(
        host.tcp_connect(T0, REMOTE, None, None),
        Err(ConnectError::NoEphemeralPort)
    );
    let same_tuple = Some(SocketAddrV4::new(IP_US, 50000));
    assert_eq!(
        host.tcp_connect(T0, REMOTE, same_tuple, None),
        Err(ConnectError::AddrInUse)
    );
    let two_msl = T0 + 2 * tcp::Config::default().msl;
    host.handle_timeout(two_msl);
    drain(&mut host, two_msl);
    assert_eq!(host.tcp_table_stats().connections, 0);
    learn_peer(&mut host, two_msl);
    let again = host.tcp_connect(two_msl, REMOTE, same_tuple, None).unwrap();
    assert_eq!(
        host.tcp_local_addr(again),
        Ok(SocketAddrV4::new(IP_US, 50000))
    );
}

#[test]
fn rst_answering_our_syn_is_econnrefused() {
    let mut host = host();
    let (conn, out) = connecting(&mut host);
    let syn = out.tcp();
    let iss = syn.seq_number.0;
    let rst = to_us(&syn, TcpFlags::RST | TcpFlags::ACK, 0, iss + 1);
    let verdict = host.handle_frame(T0, &tcp_frame(&rst));
    assert_accepted(
        verdict,
        Action::TcpSegment(conn, Verdict::Closed(tcp::Why::Refused)),
    );
    assert_eq!(host.tcp_state(conn), Ok(State::Closed));
    let err = host.tcp_recv(conn, &mut [0; 8]).unwrap_err();
    assert_eq!(
        err,
        CallError::Tcp(RecvError::Connection(ConnectionError::Refused))
    );
    assert_eq!(err.errno().name(), "ECONNREFUSED");
    let events: Vec<_> = std::iter::from_fn(|| host.tcp_poll_event(conn).unwrap()).collect();
    assert!(
        events.contains(&TcpEvent::Reset(ResetCause::Refused)),
        "{events:?}"
    );
    // The 4-tuple is free at once; the handle lives until closed.
    assert_eq!(host.tcp_table_stats().mapped, 0);
    host.tcp_close(conn).unwrap();
    drain(&mut host, T0);
    assert_eq!(host.tcp_table_stats().connections, 0);
}

#[test]
fn icmp_port_unreachable_aborts_a_syn_sent_connection_shld_26() {
    let mut host = host();
    let (conn, syn) = connecting(&mut host);
    let frame = icmp_about(&syn, unreachable(DstUnreachable::PortUnreachable, 0));
    assert_accepted(
        host.handle_frame(T0, &frame),
        Action::TcpIcmpError(conn, IcmpOutcome::Aborted),
    );
    assert_eq!(host.tcp_state(conn), Ok(State::Closed));
    let err = host.tcp_send(T0, conn, b"x").unwrap_err();
    assert_eq!(err.errno().name(), "ECONNREFUSED");
    assert!(
        drain(&mut host, T0).is_empty(),
        "no RST after an ICMP abort"
    );
}

#[test]
fn icmp_errors_reach_the_connection_they_quote_must_54_must_56() {
    let mut host = host();
    let (conn, _, _) = established(&mut host);
    host.tcp_send(T0, conn, &[7; 1000]).unwrap();
    let data = only_tcp(&mut host, T0);
    // Fragmentation needed with a next-hop MTU: the MSS (536, the peer sent
    // none) shrinks to the MTU less 40 (RFC 1191).
    let frame = icmp_about(&data, unreachable(DstUnreachable::FragRequired, 400));
    assert_accepted(
        host.handle_frame(T0, &frame),
        Action::TcpIcmpError(conn, IcmpOutcome::MssReduced(360)),
    );
    assert_eq!(host.tcp_status(conn).unwrap().snd_mss, 360);
    // MUST-56: time exceeded, parameter problem, host unreachable are soft.
    let soft = [
        icmp_about(&data, |quote| Icmpv4Repr::TimeExceeded {
            reason: TimeExceeded::TtlExpired,
            unused: 0,
            quote,
        }),
        icmp_about(&data, |quote| Icmpv4Repr::ParamProblem {
            reason: ParamProblem::AtPointer,
            pointer: 0,
            unused: [0; 3],
            quote,
        }),
        icmp_about(&data, unreachable(DstUnreachable::HostUnreachable, 0)),
    ];
    for frame in soft {
        assert_accepted(
            host.handle_frame(T0, &frame),
            Action::TcpIcmpError(conn, IcmpOutcome::Soft),
        );
    }
    assert_eq!(host.tcp_state(conn), Ok(State::Established));
    // MUST-55: source quench is discarded before it reaches TCP.
    let quench = icmp_about(&data, |quote| Icmpv4Repr::SourceQuench { unused: 0, quote });
    assert!(matches!(
        host.handle_frame(T0, &quench),
        FrameVerdict::Dropped(Why::IcmpIgnored(_))
    ));
    assert_eq!(host.tcp_state(conn), Ok(State::Established));
}

#[test]
fn icmp_errors_for_no_connection_or_an_old_segment_are_dropped() {
    let mut host = host();
    let (conn, syn, iss) = established(&mut host);
    // A quote of a segment whose sequence number is not in flight (RFC 5927).
    let old = TcpRepr {
        seq_number: SeqNumber(iss.wrapping_sub(5000)),
        ..syn
    };
    let forged = |seg: &TcpRepr<'_>| {
        let frame = tcp_frame_between(IP_US, IP_PEER, 0, seg);
        let (_, header, bytes) = parse_ipv4_unchecked(&frame);
        Out { header, bytes }
    };
    let frame = icmp_about(
        &forged(&old),
        unreachable(DstUnreachable::PortUnreachable, 0),
    );
    assert_accepted(
        host.handle_frame(T0, &frame),
        Action::TcpIcmpError(conn, IcmpOutcome::OutOfWindow),
    );
    assert_eq!(host.tcp_state(conn), Ok(State::Established));
    let elsewhere = TcpRepr { src_port: 1, ..syn };
    let frame = icmp_about(
        &forged(&elsewhere),
        unreachable(DstUnreachable::PortUnreachable, 0),
    );
    assert_dropped(host.handle_frame(T0, &frame), Why::IcmpErrorUnmatched);
}

/// Parse a frame we built as if the host had sent it (its source MAC is
/// the peer's).
fn parse_ipv4_unchecked(frame: &[u8]) -> (EthernetRepr, Ipv4Repr, Vec<u8>) {
    let eth_frame = EthernetFrame::new_checked(frame).unwrap();
    let eth = EthernetRepr::parse(&eth_frame).unwrap();
    let packet = Ipv4Packet::new_checked(eth_frame.payload()).unwrap();
    let header = Ipv4Repr::parse(&packet, ChecksumPolicy::Verify).unwrap();
    (eth, header, packet.payload().to_vec())
}

#[test]
fn handles_are_generation_checked_and_errors_name_their_errno() {
    let mut host = host();
    let (conn, _, iss) = established(&mut host);
    host.tcp_shutdown(conn, Shutdown::Write).unwrap();
    assert_segment(
        &only_tcp(&mut host, T0).tcp(),
        TcpFlags::FIN | TcpFlags::ACK,
        iss + 1,
        IRS + 1,
    );
    let err = host.tcp_send(T0, conn, b"late").unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (CallError::Tcp(SendError::Closed), "EPIPE")
    );
    assert_eq!(
        host.tcp_recv(conn, &mut [0; 4]).unwrap_err().errno().name(),
        "EAGAIN"
    );
    host.tcp_abort(conn).unwrap();
    assert_segment(&only_tcp(&mut host, T0).tcp(), TcpFlags::RST, iss + 2, 0);
    let err = host.tcp_send(T0, conn, b"x").unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (CallError::BadHandle, SocketErrno::EBADF)
    );
    assert!(host.tcp_close(conn).is_err());
    assert!(host.tcp_state(conn).is_err(), "aborted and freed");
    let again = host.tcp_connect(T0, REMOTE, None, None).unwrap();
    assert_ne!(again, conn, "a reused slot gets a new generation");
    let l = host.tcp_listen(any_port(PORT), 1).unwrap();
    host.tcp_close_listener(l).unwrap();
    assert_eq!(host.tcp_accept(l).unwrap_err().errno(), SocketErrno::EBADF);
    assert_eq!(AcceptError::WouldBlock.errno().name(), "EAGAIN");
}

#[test]
fn connections_in_a_listener_queue_are_not_the_applications_yet() {
    let (mut host, l) = super::tcp::listening(4);
    let (conn, _) = super::tcp::handshake_syn(&mut host, l, 1);
    assert_eq!(host.tcp_send(T0, conn, b"x"), Err(CallError::BadHandle));
    assert_eq!(host.tcp_close(conn), Err(crate::host::BadHandle));
    assert_eq!(host.tcp_state(conn), Ok(State::SynReceived), "queries work");
}

#[test]
fn options_fixed_at_the_handshake_are_refused_once_open() {
    let mut host = host();
    let (conn, _, _) = established(&mut host);
    assert_eq!(
        host.tcp_set_option(T0, conn, SocketOption::RecvBuffer(4096)),
        Err(OptionError::FixedWhenOpen)
    );
    assert_eq!(
        host.tcp_set_option(
            T0,
            conn,
            SocketOption::Keepalive(Some(tcp::Keepalive {
                count: 0,
                ..tcp::Keepalive::default()
            }))
        ),
        Err(OptionError::Invalid(tcp::ConfigError::Keepalive))
    );
    host.tcp_set_nodelay(T0, conn, true).unwrap();
    assert!(host
        .tcp_set_keepalive(T0, conn, Some(tcp::Keepalive::default()))
        .is_ok());
    host.tcp_set_user_timeout(T0, conn, Some(Duration::from_secs(30)))
        .unwrap();
    // Keep-alive on: its timer (2 h idle) is now among the host's deadlines.
    assert_eq!(host.tcp_table_stats().timers, 1);
}

#[test]
fn listener_options_shape_the_connections_it_makes() {
    let (mut host, l) = super::tcp::listening(4);
    host.tcp_set_listener_option(l, SocketOption::RecvBuffer(1000))
        .unwrap();
    host.tcp_set_listener_option(l, SocketOption::Tos(0xb8))
        .unwrap();
    assert_eq!(
        host.tcp_set_listener_option(l, SocketOption::Mss(10)),
        Err(OptionError::Invalid(tcp::ConfigError::MssTooSmall))
    );
    let seg = super::tcp::syn(IRS);
    let frame = tcp_frame_between(IP_PEER, IP_US, 0x20, &seg);
    assert!(matches!(
        host.handle_frame(T0, &frame),
        FrameVerdict::Accepted(Action::TcpSynQueued(..))
    ));
    let out = only_tcp(&mut host, T0);
    assert_eq!(out.tcp().window, 1000, "the listener's receive buffer");
    assert_eq!(out.header.tos, 0xb8, "MUST-48: the TOS the application set");
}

#[test]
fn tos_is_set_per_connection_and_received_tos_passed_up_shld_21_may_9() {
    let mut host = host();
    let (conn, syn, iss) = established(&mut host);
    host.tcp_set_option(T0, conn, SocketOption::Tos(0x28))
        .unwrap();
    host.tcp_send(T0, conn, b"hello").unwrap();
    assert_eq!(only_tcp(&mut host, T0).header.tos, 0x28, "SHLD-21, SHLD-22");
    assert_eq!(host.tcp_received_tos(conn), Ok(Some(0)));
    let ack = to_us(&syn, TcpFlags::ACK, IRS + 1, iss + 6);
    host.handle_frame(T0, &tcp_frame_between(IP_PEER, IP_US, 0x10, &ack));
    assert_eq!(host.tcp_received_tos(conn), Ok(Some(0x10)));
}

#[test]
fn the_tables_are_bounded_by_the_config() {
    let mut host = host_with(|c| {
        c.tcp.max_connections = 1;
        c.tcp.max_listeners = 1;
    });
    learn_peer(&mut host, T0);
    let l = host.tcp_listen(any_port(PORT), 4).unwrap();
    let err = host.tcp_listen(any_port(PORT + 1), 4).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (crate::host::ListenError::TooManyListeners, "EMFILE")
    );
    host.tcp_connect(T0, REMOTE, None, None).unwrap();
    let err = host.tcp_connect(T0, REMOTE, None, None).unwrap_err();
    assert_eq!(
        (err, err.errno().name()),
        (ConnectError::TooManyConnections, "ENOBUFS")
    );
    drain(&mut host, T0);
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&super::tcp::syn(IRS))),
        Why::TcpTableFull,
    );
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.tcp_listener_queues(l), Ok((0, 0)));
    let bad = HostConfig {
        tcp: crate::host::TcpHostConfig {
            ephemeral_ports: 0..=10,
            ..Default::default()
        },
        ..HostConfig::default()
    };
    assert_eq!(Host::new(bad).unwrap_err().field, "tcp.ephemeral_ports");
}

#[test]
fn poll_transmit_takes_one_segment_per_connection_in_turn() {
    let mut host = host();
    let (a, _, _) = established(&mut host);
    let (b, _, _) = established(&mut host);
    for conn in [a, b] {
        host.tcp_set_nodelay(T0, conn, true).unwrap();
        // Three segments of the peer's MSS (536: its SYN,ACK carried none).
        host.tcp_send(T0, conn, &[1; 3 * 536]).unwrap();
    }
    let port = |conn| host.tcp_local_addr(conn).unwrap().port();
    let (pa, pb) = (port(a), port(b));
    let order: Vec<u16> = sent_tcp(&mut host, T0)
        .iter()
        .map(|out| out.tcp().src_port)
        .collect();
    assert_eq!(order, [pa, pb, pa, pb, pa, pb]);
}
