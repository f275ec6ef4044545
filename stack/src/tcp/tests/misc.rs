//! Keep-alives, urgent data, ICMP errors, options on data segments, window
//! scaling, shutdown(Read) (RFC 9293 3.8.4, 3.8.5, 3.9, 3.7.1; RFC 7323).

use core::time::Duration;

use super::harness::{peer_data, plain, Harness};
use crate::tcp::{
    Config, ConnectionError, Errno, IcmpError, IcmpOutcome, Keepalive, RecvError, SendFlags,
    SeqNumber, Shutdown, State, TcpEvent,
};
use crate::wire::icmpv4::{DstUnreachable, TimeExceeded};

/// MUST-25: no keep-alives unless asked for.
#[test]
fn established_idle_sends_no_keepalive_by_default() {
    let mut h = Harness::established();
    assert_eq!(h.conn.poll_timeout(), None, "nothing to wait for");
    h.advance(Duration::from_secs(3 * 60 * 60));
    h.expect_nothing();
}

/// MUST-24, MUST-26..28, SHLD-12: keep-alives after two idle hours,
/// <SEQ=SND.NXT-1> without data; an answer rearms the idle timer.
#[test]
fn established_keepalive_probes_after_two_idle_hours() {
    let mut h = Harness::established();
    h.conn.set_keepalive(h.now, Some(Keepalive::default()));
    h.advance(Duration::from_secs(2 * 60 * 60 - 1));
    h.expect_nothing();
    h.advance(Duration::from_secs(1));
    h.expect(". 0:0(0) ack 1");
    h.inject(". 1:1(0) ack 1");
    h.advance(Duration::from_secs(75));
    h.expect_nothing();
    h.advance(Duration::from_secs(2 * 60 * 60));
    h.expect(". 0:0(0) ack 1");
}

/// MUST-29: keep-alive tolerates lost ACKs; only `count` unanswered probes
/// end the connection.
#[test]
fn established_unanswered_keepalives_time_out() {
    let mut h = Harness::established();
    let ka = Keepalive {
        idle: Duration::from_secs(60),
        interval: Duration::from_secs(10),
        count: 3,
        garbage_octet: false,
    };
    h.conn.set_keepalive(h.now, Some(ka));
    h.advance(Duration::from_secs(60));
    h.expect(". 0:0(0) ack 1");
    h.advance(Duration::from_secs(20));
    h.expect(". 0:0(0) ack 1");
    h.expect(". 0:0(0) ack 1");
    assert_eq!(
        h.state(),
        State::Established,
        "two lost answers are tolerated"
    );
    h.advance(Duration::from_secs(10));
    assert_eq!(h.state(), State::Closed);
    assert_eq!(
        h.conn.error().map(ConnectionError::errno),
        Some(Errno::ETIMEDOUT)
    );
}

/// MAY-6: a keep-alive may carry one garbage octet.
#[test]
fn established_keepalive_with_garbage_octet() {
    let mut h = Harness::established();
    let ka = Keepalive {
        idle: Duration::from_secs(60),
        garbage_octet: true,
        ..Keepalive::default()
    };
    h.conn.set_keepalive(h.now, Some(ka));
    h.advance(Duration::from_secs(60));
    h.expect(". 0:1(1) ack 1");
}

/// MUST-30, MUST-31, MUST-62: urgent data of any length; the pointer is
/// the offset of the first octet after it.
#[test]
fn established_send_urgent_sets_pointer_past_the_data() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    let urgent = SendFlags {
        push: true,
        urgent: true,
    };
    h.conn.send_with(h.now, &[7; 3000], urgent).unwrap();
    h.expect("U. 1:1461(1460) ack 1 urg 3000");
    h.expect("U. 1461:2921(1460) ack 1 urg 1540");
    h.expect("PU. 2921:3001(80) ack 1 urg 80");
    h.inject(". 1:1(0) ack 3001");
    h.send(b"plain");
    h.expect("P. 3001:3006(5) ack 1");
}

/// MUST-30, MUST-32, MUST-33: received urgent data is signalled, and the
/// application learns how much is pending; the data stays inline.
#[test]
fn established_receive_urgent_signals_the_application() {
    let mut h = Harness::established();
    h.inject("PU. 1:11(10) ack 1 urg 5");
    assert!(h.drain_events().contains(&TcpEvent::Urgent));
    assert_eq!(h.conn.urgent_pending(), 5);
    let mut buf = [0; 3];
    h.conn.recv(&mut buf).unwrap();
    assert_eq!(h.conn.urgent_pending(), 2);
    assert_eq!(h.read_all(), peer_data(4, 7));
    assert_eq!(h.conn.urgent_pending(), 0);
}

/// MUST-65: no MSS option on a data segment, with every option negotiated;
/// MUST-16: the timestamps' 12 octets come out of each segment's data.
#[test]
fn established_data_segments_carry_only_timestamps() {
    let mut h = Harness::connect(Config {
        window_scaling: true,
        timestamps: true,
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,sackOK,TS val * ecr 0,nop,wscale 0>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1 ecr 1,nop,wscale 3>");
    h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 1>");
    h.conn.set_nodelay(true);
    h.send(&[1; 2000]);
    h.expect(". 1:1449(1448) ack 1 <nop,nop,TS val * ecr 1>");
    h.expect("P. 1449:2001(552) ack 1 <nop,nop,TS val * ecr 1>");
}

/// RFC 7323 2.3: the peer's window is scaled by its shift; ours by ours.
#[test]
fn established_windows_are_scaled() {
    let config = Config {
        window_scaling: true,
        recv_buffer: 1 << 20,
        ..plain()
    };
    let mut h = Harness::connect(config);
    h.expect("S 0:0(0) win 65535 <mss 1460,nop,wscale 5>");
    h.inject("S. 0:0(0) ack 1 win 1000 <mss 1460,nop,wscale 7>");
    h.expect(". 1:1(0) ack 1 win 32768");
    assert_eq!(
        h.conn.status().snd_wnd,
        1000,
        "RFC 7323 2.2: the SYN's window is not scaled"
    );
    h.inject(". 1:1(0) ack 1 win 1000");
    assert_eq!(h.conn.status().snd_wnd, 128_000);
}

/// MUST-55: Source Quench is ignored.
#[test]
fn established_source_quench_is_ignored() {
    let mut h = Harness::established();
    let una = h.conn.status().snd_una;
    assert_eq!(
        h.conn
            .handle_icmp_error(h.now, IcmpError::SourceQuench, una),
        IcmpOutcome::Ignored
    );
    assert!(h.drain_events().is_empty());
}

/// SHLD-26: port unreachable aborts a connection being opened (ECONNREFUSED).
#[test]
fn syn_sent_port_unreachable_aborts() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    let iss = h.conn.status().iss;
    let port = IcmpError::DstUnreachable {
        code: DstUnreachable::PortUnreachable,
        next_hop_mtu: 0,
    };
    assert_eq!(
        h.conn.handle_icmp_error(h.now, port, iss),
        IcmpOutcome::Aborted
    );
    assert_eq!(h.state(), State::Closed);
    assert_eq!(
        h.conn.recv(&mut [0]).unwrap_err(),
        RecvError::Connection(ConnectionError::Unreachable(port))
    );
    assert_eq!(h.conn.error().unwrap().errno(), Errno::ECONNREFUSED);
}

/// MUST-56, SHLD-25: soft errors do not abort; they are reported, and
/// named if the connection later times out (RFC 1122 4.2.3.9).
#[test]
fn established_soft_icmp_errors_are_reported_not_fatal() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(b"data");
    h.expect("P. 1:5(4) ack 1");
    let una = h.conn.status().snd_una;
    let host = IcmpError::DstUnreachable {
        code: DstUnreachable::HostUnreachable,
        next_hop_mtu: 0,
    };
    for error in [host, IcmpError::TimeExceeded(TimeExceeded::TtlExpired)] {
        assert_eq!(
            h.conn.handle_icmp_error(h.now, error, una),
            IcmpOutcome::Soft
        );
        assert!(h.drain_events().contains(&TcpEvent::SoftError(error)));
    }
    assert_eq!(
        h.conn.handle_icmp_error(h.now, host, una),
        IcmpOutcome::Soft
    );
    assert_eq!(h.state(), State::Established);
    h.conn.set_user_timeout(Some(Duration::from_secs(5)));
    h.advance(Duration::from_secs(10));
    assert_eq!(h.conn.error().unwrap().errno(), Errno::EHOSTUNREACH);
}

/// RFC 5927 4.1: an ICMP error quoting a sequence number not in flight is dropped.
#[test]
fn established_icmp_error_out_of_window_is_dropped() {
    let mut h = Harness::established();
    let port = IcmpError::DstUnreachable {
        code: DstUnreachable::PortUnreachable,
        next_hop_mtu: 0,
    };
    assert_eq!(
        h.conn.handle_icmp_error(h.now, port, SeqNumber(12345)),
        IcmpOutcome::OutOfWindow
    );
    assert_eq!(h.state(), State::Established);
}

/// SHLD-6 (RFC 1191): fragmentation needed shrinks the segments.
#[test]
fn established_frag_needed_lowers_the_mss() {
    let mut h = Harness::established();
    h.send(&[2; 1460]);
    h.expect("P. 1:1461(1460) ack 1");
    let una = h.conn.status().snd_una;
    let frag = IcmpError::DstUnreachable {
        code: DstUnreachable::FragRequired,
        next_hop_mtu: 1000,
    };
    assert_eq!(
        h.conn.handle_icmp_error(h.now, frag, una),
        IcmpOutcome::MssReduced(960)
    );
    h.expect(". 1:961(960) ack 1");
}

/// shutdown(Read): queued and later data is discarded, `recv` returns 0.
#[test]
fn established_shutdown_read_discards_data() {
    let mut h = Harness::established();
    h.inject("P. 1:11(10) ack 1");
    h.conn.shutdown(Shutdown::Read).unwrap();
    assert_eq!(h.conn.recv(&mut [0; 8]), Ok(0));
    h.inject("P. 11:21(10) ack 1");
    h.advance(Duration::from_millis(200));
    h.expect(". 1:1(0) ack 21");
    assert_eq!(h.conn.recv_queued(), 0);
}

/// ENOTCONN before any connection; EAGAIN when nothing is there yet.
#[test]
fn listen_calls_are_not_connected() {
    let mut h = Harness::listen(plain());
    assert_eq!(
        h.conn.send(h.now, b"x").unwrap_err().errno(),
        Errno::ENOTCONN
    );
    assert_eq!(h.conn.recv(&mut [0]).unwrap_err().errno(), Errno::ENOTCONN);
    let mut h = Harness::established();
    assert_eq!(h.conn.recv(&mut [0]).unwrap_err().errno(), Errno::EAGAIN);
}

/// The send buffer is bounded: a full buffer says EAGAIN, and Writable
/// comes when an ACK frees room.
#[test]
fn established_full_send_buffer_would_block_until_acked() {
    let mut h = Harness::established_with(Config {
        send_buffer: 2000,
        ..plain()
    });
    assert_eq!(h.send(&[1; 5000]), 2000);
    assert_eq!(h.conn.send(h.now, b"x").unwrap_err().errno(), Errno::EAGAIN);
    h.expect(". 1:1461(1460) ack 1");
    h.expect_nothing(); // Nagle holds the tail
    h.inject(". 1:1(0) ack 1461");
    assert!(h.drain_events().contains(&TcpEvent::Writable));
    assert_eq!(h.conn.send_room(), 1460);
    h.expect("P. 1461:2001(540) ack 1");
}

/// MUST-26: no keep-alive while data is outstanding (retransmission watches
/// the connection then).
#[test]
fn established_keepalive_waits_while_data_is_outstanding() {
    let mut h = Harness::established_with(Config {
        r2: Duration::from_secs(600),
        ..plain()
    });
    let ka = Keepalive {
        idle: Duration::from_secs(60),
        ..Keepalive::default()
    };
    h.conn.set_keepalive(h.now, Some(ka));
    h.send(b"x");
    h.expect("P. 1:2(1) ack 1");
    h.advance(Duration::from_secs(200));
    let sent: Vec<_> = h.out.drain(..).collect();
    assert!(
        !sent.is_empty() && sent.iter().all(|s| s.payload == b"x"),
        "only retransmissions"
    );
    h.inject(". 1:1(0) ack 2");
    h.advance(Duration::from_secs(60));
    h.expect(". 1:1(0) ack 1");
}
