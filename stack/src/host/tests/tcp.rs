//! TCP input on one host, the test playing the peer frame by frame: RSTs
//! for segments with no connection (RFC 9293 3.10.7.1), listeners and their
//! backlogs, MUST-11/42/44/57/63, and TIME-WAIT (RFC 6191).

use core::net::SocketAddrV4;
use core::time::Duration;

use super::*;
use crate::host::{ConnHandle, ListenOptions, ListenerHandle};
use crate::tcp::{self, SeqNumber, State, Verdict};
use crate::wire::tcp::{TcpFlags, TcpOption, TcpOptions, TcpRepr, TcpSegment};

/// The port our listeners use.
pub(super) const PORT: u16 = 80;
/// The peer's port.
pub(super) const PEER_PORT: u16 = 40000;
/// The peer's initial sequence number.
pub(super) const IRS: u32 = 1000;

/// A segment from `PEER_PORT` to `PORT`, window 65535, no options.
pub(super) fn segment(flags: TcpFlags, seq: u32, ack: u32) -> TcpRepr<'static> {
    TcpRepr {
        src_port: PEER_PORT,
        dst_port: PORT,
        seq_number: SeqNumber(seq),
        ack_number: SeqNumber(ack),
        flags,
        window: 65535,
        ..TcpRepr::default()
    }
}

/// The peer's SYN with `<mss 1460>`.
pub(super) fn syn(seq: u32) -> TcpRepr<'static> {
    let mut options = TcpOptions::new();
    options.push(TcpOption::MaxSegmentSize(1460)).unwrap();
    TcpRepr {
        options,
        ..segment(TcpFlags::SYN, seq, 0)
    }
}

/// The frame carrying `seg` from `src` to `dst`, with TOS `tos`.
pub(super) fn tcp_frame_between(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    tos: u8,
    seg: &TcpRepr<'_>,
) -> Vec<u8> {
    let mut bytes = vec![0; seg.buffer_len()];
    seg.emit(
        &mut TcpSegment::new_unchecked(&mut bytes[..]),
        src,
        dst,
        ChecksumPolicy::Verify,
    );
    let mut header = Ipv4Repr::new(src, dst, IpProtocol::Tcp, bytes.len());
    header.tos = tos;
    ip_frame(&header, &bytes)
}

/// The frame carrying `seg` from the peer to us.
pub(super) fn tcp_frame(seg: &TcpRepr<'_>) -> Vec<u8> {
    tcp_frame_between(IP_PEER, IP_US, 0, seg)
}

/// A TCP datagram the host sent.
#[derive(Debug)]
pub(super) struct Out {
    pub header: Ipv4Repr,
    pub bytes: Vec<u8>,
}

impl Out {
    /// Parse the segment, checking its checksum.
    #[track_caller]
    pub fn tcp(&self) -> TcpRepr<'_> {
        let seg = TcpSegment::new_checked(&self.bytes[..]).unwrap();
        let (src, dst) = (self.header.src_addr, self.header.dst_addr);
        TcpRepr::parse(&seg, src, dst, ChecksumPolicy::Verify).unwrap()
    }
}

/// Every TCP datagram the host has to send; each has DF set (RFC 1191).
#[track_caller]
pub(super) fn sent_tcp(host: &mut Host, now: Instant) -> Vec<Out> {
    drain(host, now)
        .iter()
        .map(|frame| {
            let (_, header, bytes) = parse_ipv4(frame);
            assert_eq!(header.protocol, IpProtocol::Tcp, "{header:?}");
            assert!(header.dont_frag, "TCP sets DF for path MTU discovery");
            Out { header, bytes }
        })
        .collect()
}

/// The one TCP datagram the host has to send.
#[track_caller]
pub(super) fn only_tcp(host: &mut Host, now: Instant) -> Out {
    let mut out = sent_tcp(host, now);
    assert_eq!(out.len(), 1, "expected one segment, got {out:?}");
    out.remove(0)
}

/// Check a segment's flags, sequence and acknowledgment numbers.
#[track_caller]
pub(super) fn assert_segment(seg: &TcpRepr<'_>, flags: TcpFlags, seq: u32, ack: u32) {
    assert_eq!(
        (seg.flags, seg.seq_number, seg.ack_number),
        (flags, SeqNumber(seq), SeqNumber(ack)),
        "{seg}"
    );
}

/// A host that knows the peer's MAC and listens on 0.0.0.0:`PORT`.
pub(super) fn listening(backlog: usize) -> (Host, ListenerHandle) {
    let mut host = host();
    learn_peer(&mut host, T0);
    let l = host.tcp_listen(any_port(PORT), backlog).unwrap();
    (host, l)
}

/// Send the peer's SYN from `port`; return the new connection and our ISS.
#[track_caller]
pub(super) fn handshake_syn(host: &mut Host, l: ListenerHandle, port: u16) -> (ConnHandle, u32) {
    let seg = TcpRepr {
        src_port: port,
        ..syn(IRS)
    };
    let conn = match host.handle_frame(T0, &tcp_frame(&seg)) {
        FrameVerdict::Accepted(Action::TcpSynQueued(got, conn)) if got == l => conn,
        other => panic!("SYN not queued: {other:?}"),
    };
    let out = only_tcp(host, T0);
    let syn_ack = out.tcp();
    assert_eq!(syn_ack.flags, TcpFlags::SYN | TcpFlags::ACK);
    assert_eq!(syn_ack.ack_number, SeqNumber(IRS + 1));
    (conn, syn_ack.seq_number.0)
}

/// Complete the peer's handshake from `port` after its SYN.
#[track_caller]
pub(super) fn handshake_ack(
    host: &mut Host,
    conn: ConnHandle,
    port: u16,
    iss: u32,
) -> FrameVerdict {
    let ack = TcpRepr {
        src_port: port,
        ..segment(TcpFlags::ACK, IRS + 1, iss + 1)
    };
    let verdict = host.handle_frame(T0, &tcp_frame(&ack));
    assert!(sent_tcp(host, T0).is_empty());
    let _ = conn;
    verdict
}

/// A connection accepted from `PEER_PORT`: its handle and our ISS.
pub(super) fn accepted(host: &mut Host, l: ListenerHandle) -> (ConnHandle, u32) {
    let (conn, iss) = handshake_syn(host, l, PEER_PORT);
    let verdict = handshake_ack(host, conn, PEER_PORT, iss);
    assert_accepted(verdict, Action::TcpSegment(conn, Verdict::Accepted));
    assert_eq!(host.tcp_accept(l), Ok(conn));
    (conn, iss)
}

#[test]
fn closed_port_syn_gets_rst_ack_with_seq_zero() {
    let mut host = host();
    learn_peer(&mut host, T0);
    // A SYN carrying 3 octets: SEG.LEN = 4.
    let seg = TcpRepr {
        payload: b"abc",
        ..syn(IRS)
    };
    let verdict = host.handle_frame(T0, &tcp_frame(&seg));
    assert_dropped(verdict, Why::TcpNoConnection(PORT));
    let out = only_tcp(&mut host, T0);
    assert_eq!((out.header.src_addr, out.header.dst_addr), (IP_US, IP_PEER));
    assert_eq!(
        out.header.ttl,
        HostConfig::default().ttl,
        "MUST-49: the host's TTL"
    );
    let rst = out.tcp();
    // RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    assert_segment(&rst, TcpFlags::RST | TcpFlags::ACK, 0, IRS + 4);
    assert_eq!((rst.src_port, rst.dst_port), (PORT, PEER_PORT));
    assert!(rst.options.is_empty() && rst.payload.is_empty());
    assert_eq!(host.stats().tcp_resets_sent, 1);
    assert_eq!(host.stats().dropped.get("tcp_no_connection"), 1);
}

#[test]
fn closed_port_ack_gets_rst_at_its_ack_number() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let seg = TcpRepr {
        payload: b"data",
        ..segment(TcpFlags::ACK | TcpFlags::PSH | TcpFlags::FIN, 5, 777)
    };
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&seg)),
        Why::TcpNoConnection(PORT),
    );
    // RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST>.
    assert_segment(&only_tcp(&mut host, T0).tcp(), TcpFlags::RST, 777, 0);
}

#[test]
fn closed_port_rst_is_never_answered() {
    let mut host = host();
    learn_peer(&mut host, T0);
    for flags in [
        TcpFlags::RST,
        TcpFlags::RST | TcpFlags::ACK,
        TcpFlags::RST | TcpFlags::SYN,
    ] {
        let verdict = host.handle_frame(T0, &tcp_frame(&segment(flags, 1, 2)));
        assert_dropped(verdict, Why::TcpRstToNoConnection);
    }
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.stats().tcp_resets_sent, 0);
}

#[test]
fn syn_to_a_broadcast_is_silently_discarded_must_57() {
    let (mut host, l) = listening(8);
    for dst in [IP_SUBNET_BROADCAST, Ipv4Addr::BROADCAST] {
        let frame = tcp_frame_between(IP_PEER, dst, 0, &syn(IRS));
        assert_dropped(host.handle_frame(T0, &frame), Why::TcpNotUnicast(dst));
    }
    // Our address, but a link-layer broadcast.
    let mut frame = tcp_frame(&syn(IRS));
    frame[..6].copy_from_slice(&EthernetAddress::BROADCAST.0);
    assert_dropped(host.handle_frame(T0, &frame), Why::TcpNotUnicast(IP_US));
    // A multicast destination never gets past IPv4.
    let group = Ipv4Addr::new(224, 0, 0, 1);
    let frame = tcp_frame_between(IP_PEER, group, 0, &syn(IRS));
    assert_dropped(host.handle_frame(T0, &frame), Why::NotForUs(group));
    assert!(drain(&mut host, T0).is_empty(), "no SYN,ACK, no RST");
    assert_eq!(host.tcp_listener_queues(l), Ok((0, 0)));
}

#[test]
fn syn_from_an_invalid_source_is_rejected_must_63() {
    let (mut host, l) = listening(8);
    for src in [Ipv4Addr::UNSPECIFIED, IP_US, Ipv4Addr::new(240, 0, 0, 1)] {
        let frame = tcp_frame_between(src, IP_US, 0, &syn(IRS));
        assert_dropped(host.handle_frame(T0, &frame), Why::TcpBadSource(src));
    }
    // Broadcast and multicast sources never get past IPv4 (RFC 1122 3.2.1.3).
    for src in [IP_SUBNET_BROADCAST, Ipv4Addr::new(224, 0, 0, 9)] {
        let frame = tcp_frame_between(src, IP_US, 0, &syn(IRS));
        assert_dropped(host.handle_frame(T0, &frame), Why::BadSource(src));
    }
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.tcp_listener_queues(l), Ok((0, 0)));
}

#[test]
fn wildcard_listener_answers_from_the_syn_destination_must_44() {
    let (mut host, l) = listening(8);
    let (conn, iss) = handshake_syn(&mut host, l, PEER_PORT);
    assert_eq!(
        host.tcp_local_addr(conn),
        Ok(SocketAddrV4::new(IP_US, PORT))
    );
    assert_eq!(host.tcp_state(conn), Ok(State::SynReceived));
    assert_eq!(host.tcp_listener_queues(l), Ok((1, 0)));
    assert_eq!(
        host.tcp_accept(l),
        Err(crate::host::AcceptError::WouldBlock)
    );
    let verdict = handshake_ack(&mut host, conn, PEER_PORT, iss);
    assert_accepted(verdict, Action::TcpSegment(conn, Verdict::Accepted));
    assert_eq!(host.tcp_listener_queues(l), Ok((0, 1)));
    assert_eq!(host.tcp_accept(l), Ok(conn));
    assert_eq!(host.tcp_state(conn), Ok(State::Established));
    assert_eq!(
        host.tcp_peer_addr(conn),
        Ok(SocketAddrV4::new(IP_PEER, PEER_PORT))
    );
    assert_eq!(
        host.tcp_accept(l),
        Err(crate::host::AcceptError::WouldBlock)
    );
}

#[test]
fn listener_ignores_rst_answers_ack_with_rst_and_drops_the_rest() {
    let (mut host, l) = listening(8);
    let rst = segment(TcpFlags::RST, 1, 0);
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&rst)),
        Why::TcpListen(l, tcp::Why::RstIgnored),
    );
    assert!(drain(&mut host, T0).is_empty());
    let ack = segment(TcpFlags::ACK, 1, 555);
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&ack)),
        Why::TcpListen(l, tcp::Why::AckInListen),
    );
    // RFC 9293 3.10.7.2: <SEQ=SEG.ACK><CTL=RST>.
    assert_segment(&only_tcp(&mut host, T0).tcp(), TcpFlags::RST, 555, 0);
    let fin = segment(TcpFlags::FIN, 1, 0);
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&fin)),
        Why::TcpListen(l, tcp::Why::NoSynInListen),
    );
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.tcp_table_stats().connections, 0);
}

#[test]
fn full_syn_queue_drops_syns_silently() {
    let (mut host, l) = listening(2);
    handshake_syn(&mut host, l, 1);
    handshake_syn(&mut host, l, 2);
    let third = TcpRepr {
        src_port: 3,
        ..syn(IRS)
    };
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&third)),
        Why::SynQueueFull(l),
    );
    assert!(
        drain(&mut host, T0).is_empty(),
        "dropped, not reset (no syncookies)"
    );
    assert_eq!(host.tcp_listener_queues(l), Ok((2, 0)));
    assert_eq!(host.stats().dropped.get("syn_queue_full"), 1);
}

#[test]
fn full_accept_queue_drops_syns_and_completing_acks() {
    let (mut host, l) = listening(2);
    let (a, iss_a) = handshake_syn(&mut host, l, 1);
    let (b, iss_b) = handshake_syn(&mut host, l, 2);
    handshake_ack(&mut host, a, 1, iss_a);
    let (c, iss_c) = handshake_syn(&mut host, l, 3);
    handshake_ack(&mut host, b, 2, iss_b);
    assert_eq!(host.tcp_listener_queues(l), Ok((1, 2)));
    // The ACK completing c's handshake finds the accept queue full.
    assert_dropped(
        handshake_ack(&mut host, c, 3, iss_c),
        Why::AcceptQueueFull(l),
    );
    assert_eq!(host.tcp_state(c), Ok(State::SynReceived));
    let fourth = TcpRepr {
        src_port: 4,
        ..syn(IRS)
    };
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&fourth)),
        Why::AcceptQueueFull(l),
    );
    assert_eq!(host.tcp_accept(l), Ok(a));
    // c's SYN,ACK goes again after its RTO; the peer's ACK now gets in.
    let rto = host.poll_timeout().unwrap();
    host.handle_timeout(rto);
    let again = only_tcp(&mut host, rto).tcp().flags;
    assert_eq!(again, TcpFlags::SYN | TcpFlags::ACK);
    let verdict = handshake_ack(&mut host, c, 3, iss_c);
    assert_accepted(verdict, Action::TcpSegment(c, Verdict::Accepted));
    assert_eq!(host.tcp_accept(l), Ok(b));
    assert_eq!(host.tcp_accept(l), Ok(c));
}

#[test]
fn rst_in_syn_received_returns_to_listen_and_frees_the_connection_must_11() {
    let (mut host, l) = listening(8);
    let (conn, _) = handshake_syn(&mut host, l, PEER_PORT);
    let rst = segment(TcpFlags::RST, IRS + 1, 0);
    let verdict = host.handle_frame(T0, &tcp_frame(&rst));
    assert_accepted(
        verdict,
        Action::TcpSegment(conn, Verdict::ReturnToListen(tcp::Why::ResetByPeer)),
    );
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.tcp_listener_queues(l), Ok((0, 0)));
    assert_eq!(host.tcp_table_stats().connections, 0, "freed once drained");
    assert!(host.tcp_state(conn).is_err());
    // The listener goes on: the same peer may try again.
    let (again, _) = handshake_syn(&mut host, l, PEER_PORT);
    assert_ne!(again, conn);
}

#[test]
fn several_listeners_share_a_port_must_42() {
    let (mut host, wildcard) = listening(8);
    let specific = host.tcp_listen(SocketAddrV4::new(IP_US, PORT), 8).unwrap();
    let only_other = ListenOptions {
        backlog: 8,
        remote: Some(SocketAddrV4::new(IP_OTHER, 0)),
        config: None,
    };
    let filtered = host.tcp_listen_with(any_port(PORT), only_other).unwrap();
    assert_eq!(
        host.tcp_listen(SocketAddrV4::new(IP_US, PORT), 8),
        Err(crate::host::ListenError::AddrInUse)
    );
    assert_eq!(
        host.tcp_listen(SocketAddrV4::new(IP_PEER, PORT), 8),
        Err(crate::host::ListenError::AddrNotAvailable)
    );
    // The most specific listener takes each SYN.
    handshake_syn(&mut host, specific, 1);
    let from_other = tcp_frame_between(IP_OTHER, IP_US, 0, &syn(IRS));
    match host.handle_frame(T0, &from_other) {
        FrameVerdict::Accepted(Action::TcpSynQueued(l, _)) => assert_eq!(l, filtered),
        other => panic!("{other:?}"),
    }
    host.tcp_close_listener(specific).unwrap();
    drain(&mut host, T0);
    handshake_syn(&mut host, wildcard, 2);
    assert_eq!(host.tcp_listener_queues(wildcard), Ok((1, 0)));
    // Port 0: an ephemeral port.
    let any = host.tcp_listen(any_port(0), 1).unwrap();
    let port = host.tcp_listener_addr(any).unwrap().port();
    assert!(crate::host::config::EPHEMERAL_PORTS.contains(&port));
}

#[test]
fn closing_a_listener_aborts_its_queues() {
    let (mut host, l) = listening(8);
    let (a, iss_a) = handshake_syn(&mut host, l, 1);
    handshake_ack(&mut host, a, 1, iss_a);
    let (b, iss_b) = handshake_syn(&mut host, l, 2);
    host.tcp_close_listener(l).unwrap();
    let mut rsts: Vec<(u16, u32)> = sent_tcp(&mut host, T0)
        .iter()
        .map(|out| {
            let seg = out.tcp();
            assert_eq!(seg.flags, TcpFlags::RST);
            (seg.dst_port, seg.seq_number.0)
        })
        .collect();
    rsts.sort_unstable();
    assert_eq!(rsts, [(1, iss_a + 1), (2, iss_b + 1)]);
    assert_eq!(host.tcp_table_stats().connections, 0);
    assert!(host.tcp_state(b).is_err());
    assert_eq!(host.tcp_accept(l), Err(crate::host::AcceptError::BadHandle));
    // The port is closed now: a SYN gets a RST.
    assert_dropped(
        host.handle_frame(T0, &tcp_frame(&syn(IRS))),
        Why::TcpNoConnection(PORT),
    );
}

/// Bring an accepted connection to TIME-WAIT: we close first, the peer
/// acknowledges our FIN with its own. Return the connection and our ISS.
fn in_time_wait(host: &mut Host, l: ListenerHandle) -> (ConnHandle, u32) {
    let (conn, iss) = accepted(host, l);
    host.tcp_close(conn).unwrap();
    let fin = only_tcp(host, T0);
    assert_segment(&fin.tcp(), TcpFlags::FIN | TcpFlags::ACK, iss + 1, IRS + 1);
    let fin_ack = segment(TcpFlags::FIN | TcpFlags::ACK, IRS + 1, iss + 2);
    host.handle_frame(T0, &tcp_frame(&fin_ack));
    assert_segment(&only_tcp(host, T0).tcp(), TcpFlags::ACK, iss + 2, IRS + 2);
    assert_eq!(host.tcp_state(conn), Ok(State::TimeWait));
    (conn, iss)
}

#[test]
fn time_wait_syn_with_a_higher_sequence_is_a_new_incarnation_may_2() {
    let (mut host, l) = listening(8);
    let (old, _) = in_time_wait(&mut host, l);
    let new_syn = syn(IRS + 100_000);
    let new = match host.handle_frame(T0, &tcp_frame(&new_syn)) {
        FrameVerdict::Accepted(Action::TcpSynQueued(got, new)) if got == l => new,
        other => panic!("not a new incarnation: {other:?}"),
    };
    let out = only_tcp(&mut host, T0);
    let syn_ack = out.tcp();
    assert_eq!(syn_ack.flags, TcpFlags::SYN | TcpFlags::ACK);
    assert_eq!(syn_ack.ack_number, SeqNumber(IRS + 100_001));
    assert_ne!(new, old);
    assert!(host.tcp_state(old).is_err(), "the old incarnation is gone");
    assert_eq!(host.tcp_table_stats().connections, 1);
}

#[test]
fn time_wait_old_duplicate_syn_gets_an_ack_and_2msl_goes_on() {
    let (mut host, l) = listening(8);
    let (old, iss) = in_time_wait(&mut host, l);
    let deadline = host.poll_timeout();
    let verdict = host.handle_frame(T0, &tcp_frame(&syn(IRS)));
    // Below RCV.NXT: not acceptable, so acknowledged (RFC 9293 3.10.7.4).
    assert_accepted(
        verdict,
        Action::TcpSegment(old, Verdict::Acked(tcp::Why::Unacceptable)),
    );
    assert_segment(
        &only_tcp(&mut host, T0).tcp(),
        TcpFlags::ACK,
        iss + 2,
        IRS + 2,
    );
    assert_eq!(host.tcp_state(old), Ok(State::TimeWait));
    assert_eq!(host.poll_timeout(), deadline);
}

#[test]
fn time_wait_ends_after_2msl_and_frees_the_connection_must_13() {
    let (mut host, l) = listening(8);
    let (old, _) = in_time_wait(&mut host, l);
    // A listener may still bind the port TIME-WAIT holds (SO_REUSEADDR).
    host.tcp_close_listener(l).unwrap();
    let l = host.tcp_listen(any_port(PORT), 8).unwrap();
    let two_msl = 2 * tcp::Config::default().msl;
    assert_eq!(host.poll_timeout(), Some(T0 + two_msl));
    host.handle_timeout(T0 + two_msl - Duration::from_millis(1));
    assert_eq!(host.tcp_state(old), Ok(State::TimeWait));
    host.handle_timeout(T0 + two_msl);
    assert!(drain(&mut host, T0 + two_msl).is_empty());
    assert!(host.tcp_state(old).is_err());
    let stats = host.tcp_table_stats();
    assert_eq!((stats.connections, stats.mapped, stats.timers), (0, 0, 0));
    assert_eq!(host.poll_timeout(), None);
    let later = T0 + two_msl;
    match host.handle_frame(later, &tcp_frame(&syn(IRS))) {
        FrameVerdict::Accepted(Action::TcpSynQueued(got, _)) => assert_eq!(got, l),
        other => panic!("{other:?}"),
    }
}
