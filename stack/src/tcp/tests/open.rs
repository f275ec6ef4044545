//! Opening: CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED (RFC 9293 3.5, 3.10.7.1-3).

use core::time::Duration;

use super::harness::{peer_data, plain, Harness, PEER_ISS};
use crate::tcp::{ConnectionError, Errno, RecvError, ResetCause, State, TcpEvent, Verdict, Why};
use crate::wire::tcp::{TcpFlags, TcpRepr};

/// MUST-14, MAY-3: the SYN carries our MSS; SHLD-5 is met by always sending it.
#[test]
fn closed_connect_sends_syn_with_mss() {
    let mut h = Harness::connect(plain());
    assert_eq!(h.state(), State::SynSent);
    h.expect("S 0:0(0) win 65535 <mss 1460>");
    h.expect_nothing();
}

/// Linux's option layout with every option on (RFC 7323, RFC 2018).
#[test]
fn closed_connect_offers_all_options() {
    let mut h = Harness::connect(crate::tcp::Config::default());
    h.expect("S 0:0(0) win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 2>");
}

/// RFC 9293 3.10.7.3: SYN,ACK acknowledging our SYN: ESTABLISHED, ACK sent.
#[test]
fn syn_sent_syn_ack_establishes() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect("S. 0:0(0) ack 1 win 5000 <mss 1000>", Verdict::Accepted);
    h.expect(". 1:1(0) ack 1 win 65535");
    assert_eq!(h.state(), State::Established);
    assert_eq!(h.drain_events(), vec![TcpEvent::Connected]);
    let status = h.conn.status();
    assert_eq!(status.snd_mss, 1000, "MUST-16: the peer's MSS bounds ours");
    assert_eq!(status.snd_wnd, 5000);
}

/// MUST-15: no MSS option means 536.
#[test]
fn syn_sent_syn_ack_without_mss_uses_536() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S. 0:0(0) ack 1 win 65535");
    h.expect(". 1:1(0) ack 1");
    assert_eq!(h.conn.status().snd_mss, 536);
    h.conn.set_nodelay(true);
    h.send(&[7; 1000]);
    h.expect(". 1:537(536) ack 1");
    h.expect("P. 537:1001(464) ack 1");
}

/// RFC 9293 3.10.7.3 first: an ACK outside (ISS, SND.NXT] gets <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn syn_sent_bad_ack_gets_rst() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect(
        "S. 0:0(0) ack 5 win 65535",
        Verdict::Reset(Why::BadAckInSynSent),
    );
    h.expect("R 5:5(0) win 0");
    assert_eq!(h.state(), State::SynSent);
    h.inject_expect("R. 0:0(0) ack 5", Verdict::Dropped(Why::BadAckInSynSent));
    h.expect_nothing();
}

/// RFC 9293 3.10.7.3 second: a RST with an acceptable ACK refuses the connection.
#[test]
fn syn_sent_rst_with_ack_is_refused() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect("R. 0:0(0) ack 1 win 0", Verdict::Closed(Why::Refused));
    assert_eq!(h.state(), State::Closed);
    assert_eq!(
        h.drain_events(),
        vec![TcpEvent::Reset(ResetCause::Refused), TcpEvent::Closed]
    );
    let err = h.conn.recv(&mut [0; 4]).unwrap_err();
    assert_eq!(err, RecvError::Connection(ConnectionError::Refused));
    assert_eq!(err.errno(), Errno::ECONNREFUSED);
    h.expect_nothing();
}

/// RFC 9293 3.10.7.3 second: a RST without ACK is dropped (RFC 5961 3.2 too).
#[test]
fn syn_sent_rst_without_ack_is_dropped() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect(
        "R 0:0(0) win 0",
        Verdict::Dropped(Why::RstWithoutAckInSynSent),
    );
    assert_eq!(h.state(), State::SynSent);
}

/// RFC 9293 3.10.7.3 fifth: neither SYN nor RST: dropped.
#[test]
fn syn_sent_plain_ack_is_dropped() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect(". 0:0(0) ack 1", Verdict::Dropped(Why::NoSynInSynSent));
    h.expect_nothing();
}

/// MUST-10: simultaneous open through SYN-RECEIVED.
#[test]
fn syn_sent_syn_is_simultaneous_open() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject_expect("S 0:0(0) win 65535 <mss 1000>", Verdict::Accepted);
    assert_eq!(h.state(), State::SynReceived);
    h.expect("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.inject_expect(". 1:1(0) ack 1 win 65535", Verdict::Accepted);
    assert_eq!(h.state(), State::Established);
    assert_eq!(h.conn.status().snd_mss, 1000);
    assert!(!h.conn.is_passive());
}

/// MUST-10, RFC 9293 figure 8: in a simultaneous open the peer's SYN,ACK
/// crosses ours. It repeats the SYN we already took, but its ACK covers our
/// SYN: with the old SYN trimmed off (3.10.7.4: "trimming off any portions
/// that lie outside the window (including SYN and FIN)") it is an
/// acceptable ACK at RCV.NXT, and we enter ESTABLISHED. The repeated SYN
/// is acknowledged, as the first check answers old sequence space.
#[test]
fn must_10_crossing_syn_ack_in_simultaneous_open_establishes() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1000>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect("S. 0:0(0) ack 1 win 65535 <mss 1000>", Verdict::Accepted);
    assert_eq!(h.state(), State::Established);
    h.expect(". 1:1(0) ack 1");
    h.expect_nothing();
    // A SYN,ACK whose ACK does not cover our SYN is still a duplicate SYN.
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1000>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect(
        "S. 0:0(0) ack 0 win 65535 <mss 1000>",
        Verdict::Acked(Why::DuplicateSyn),
    );
    assert_eq!(h.state(), State::SynReceived);
}

/// MUST-11: in an active SYN-RECEIVED a RST refuses the connection.
#[test]
fn syn_received_active_rst_is_refused() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1000>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect("R 1:1(0) win 0", Verdict::Closed(Why::Refused));
    assert_eq!(h.state(), State::Closed);
    assert_eq!(h.conn.error(), Some(ConnectionError::Refused));
}

/// RFC 9293 3.10.7.3: data on a SYN,ACK is delivered ("continue processing at the sixth step").
#[test]
fn syn_sent_syn_ack_with_data_delivers_it() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S.P 0:10(10) ack 1 win 65535 <mss 1460>");
    h.expect(". 1:1(0) ack 11");
    assert_eq!(h.read_all(), peer_data(1, 10));
}

/// MUST-22, MUST-23: the SYN is retransmitted with backoff from a 1 s RTO
/// (RFC 6298 2.1); R1 tells the application; R2 for a SYN is 3 minutes.
#[test]
fn syn_sent_timeout_retransmits_then_gives_up_at_r2() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    let mut times = Vec::new();
    while h.state() == State::SynSent {
        h.next_timer();
        if let Some(out) = h.out.pop_front() {
            assert_eq!(out.flags, TcpFlags::SYN);
            times.push(h.now.total_millis());
        }
    }
    assert_eq!(&times[..6], &[1_000, 3_000, 7_000, 15_000, 31_000, 63_000]);
    assert!(
        h.now.total_millis() >= 180_000,
        "R2 for a SYN: at least 3 minutes"
    );
    let events = h.drain_events();
    assert!(events.contains(&TcpEvent::RetransmissionThreshold { retransmissions: 3 }));
    assert!(events.contains(&TcpEvent::TimedOut));
    assert_eq!(h.conn.error().map(|e| e.errno()), Some(Errno::ETIMEDOUT));
}

/// RFC 6298 5.7: after a SYN timeout the RTO starts from 3 s once established.
#[test]
fn syn_sent_timeout_then_established_uses_3s_rto() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.advance(Duration::from_millis(1000));
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.expect(". 1:1(0) ack 1");
    assert_eq!(h.conn.status().rto, Duration::from_secs(3));
}

/// RFC 9293 3.10.7.2 third: a SYN in LISTEN gets a SYN,ACK; SYN-RECEIVED.
#[test]
fn listen_syn_gets_syn_ack() {
    let mut h = Harness::listen(plain());
    h.inject_expect("S 0:0(0) win 4000 <mss 1200>", Verdict::Accepted);
    assert_eq!(h.state(), State::SynReceived);
    h.expect("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.inject_expect(". 1:1(0) ack 1 win 4000", Verdict::Accepted);
    assert_eq!(h.state(), State::Established);
    assert!(h.conn.is_passive());
    assert_eq!(h.drain_events(), vec![TcpEvent::Connected]);
}

/// The SYN,ACK offers an option only when the SYN did (RFC 7323 2.2, 3.2; RFC 2018 2).
#[test]
fn listen_syn_gets_only_the_options_it_offered() {
    let mut h = Harness::listen(crate::tcp::Config::default());
    h.inject("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 20>");
    h.expect("S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 100,nop,wscale 2>");
    assert_eq!(
        h.conn.status().window_shifts.0,
        14,
        "RFC 7323 2.3: a shift above 14 is used as 14"
    );
    let mut h = Harness::listen(crate::tcp::Config::default());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
}

/// RFC 9293 3.10.7.2 second: an ACK in LISTEN gets <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn listen_ack_gets_rst() {
    let mut h = Harness::listen(plain());
    h.inject_expect(". 0:0(0) ack 77", Verdict::Reset(Why::AckInListen));
    h.expect("R 77:77(0) win 0");
    assert_eq!(h.state(), State::Listen);
}

/// RFC 9293 3.10.7.2 first: a RST in LISTEN is ignored.
#[test]
fn listen_rst_is_ignored() {
    let mut h = Harness::listen(plain());
    h.inject_expect("R 0:0(0)", Verdict::Dropped(Why::RstIgnored));
    h.inject_expect("F 0:0(0)", Verdict::Dropped(Why::NoSynInListen));
    h.expect_nothing();
}

/// MUST-11: a RST in a passive SYN-RECEIVED returns to LISTEN.
#[test]
fn syn_received_passive_rst_returns_to_listen() {
    let mut h = Harness::listen(plain());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect("R 1:1(0)", Verdict::ReturnToListen(Why::ResetByPeer));
    assert_eq!(h.state(), State::Listen);
    assert!(h.drain_events().contains(&TcpEvent::ReturnedToListen));
    h.advance(Duration::from_secs(10));
    h.expect_nothing();
    // The listener takes a new SYN.
    h.inject_expect("S 1000:1000(0) win 65535 <mss 1460>", Verdict::Accepted);
    h.expect("S. 0:0(0) ack 1001 <mss 1460>");
    assert_ne!(
        h.conn.status().iss.0,
        super::harness::OUR_ISS,
        "a fresh ISS (RFC 6528 clock moved)"
    );
}

/// RFC 9293 3.10.7.4 fourth: a SYN in a passive SYN-RECEIVED returns to LISTEN.
#[test]
fn syn_received_passive_syn_in_window_returns_to_listen() {
    let mut h = Harness::listen(plain());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect(
        "S 5:5(0) win 65535",
        Verdict::ReturnToListen(Why::SynInSynReceived),
    );
    assert_eq!(h.state(), State::Listen);
}

/// A retransmitted SYN in SYN-RECEIVED gets our SYN,ACK again.
#[test]
fn syn_received_duplicate_syn_resends_syn_ack() {
    let mut h = Harness::listen(plain());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect(
        "S 0:0(0) win 65535 <mss 1460>",
        Verdict::Acked(Why::DuplicateSyn),
    );
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
}

/// RFC 9293 3.10.7.4 fifth: an unacceptable ACK in SYN-RECEIVED gets a RST.
#[test]
fn syn_received_bad_ack_gets_rst() {
    let mut h = Harness::listen(plain());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.inject_expect(". 1:1(0) ack 9", Verdict::Reset(Why::BadAckInSynReceived));
    h.expect("R 9:9(0) win 0");
    assert_eq!(h.state(), State::SynReceived);
}

/// RFC 7323 2.2, RFC 9293 3.10.7.2: with a buffer far above 65535 octets
/// and scaling agreed, the SYN,ACK's window is capped at 65535 and nothing
/// follows it in SYN-RECEIVED: no window update before the handshake ends.
/// The first ACK after it offers the scaled window.
#[test]
fn syn_received_sends_no_window_update_before_the_handshake_ends_rfc7323_2_2() {
    let config = crate::tcp::Config {
        window_scaling: true,
        recv_buffer: 1 << 20,
        ..plain()
    };
    let mut h = Harness::listen(config);
    h.inject("S 0:0(0) win 65535 <mss 1460,nop,wscale 7>");
    h.expect("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 5>");
    h.expect_nothing();
    h.inject(". 1:1(0) ack 1 win 512");
    assert_eq!(h.state(), State::Established);
    h.inject("P. 1:11(10) ack 1 win 512");
    h.advance(Duration::from_millis(200));
    h.expect(". 1:1(0) ack 11 win 32768");
}

/// The SYN,ACK is retransmitted on timeout, like the SYN (MUST-22).
#[test]
fn syn_received_timeout_resends_syn_ack() {
    let mut h = Harness::listen(plain());
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.advance(Duration::from_millis(999));
    h.expect_nothing();
    h.advance(Duration::from_millis(1));
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
}

/// RFC 9293 3.10.7.1: a CLOSED connection answers with a RST, never a RST to a RST.
#[test]
fn closed_segment_gets_rst() {
    let mut h = Harness::established();
    h.conn.abort();
    h.expect("R 1:1(0) win 0");
    h.inject_expect("P. 1:11(10) ack 1", Verdict::Reset(Why::NoConnection));
    h.expect("R 1:1(0) win 0");
    h.inject_expect("R. 1:1(0) ack 1", Verdict::Dropped(Why::RstIgnored));
    h.expect_nothing();
}

/// RFC 9293 3.10.7.1 for the host: the RST for a segment without a connection.
#[test]
fn reset_for_answers_per_3_10_7_1() {
    let syn = TcpRepr {
        src_port: 1,
        dst_port: 2,
        seq_number: crate::tcp::SeqNumber(PEER_ISS),
        flags: TcpFlags::SYN,
        payload: b"abc",
        ..TcpRepr::default()
    };
    let rst = crate::tcp::reset_for(&syn).unwrap();
    assert_eq!((rst.src_port, rst.dst_port), (2, 1));
    assert_eq!(rst.flags, TcpFlags::RST | TcpFlags::ACK);
    assert_eq!((rst.seq_number.0, rst.ack_number.0), (0, PEER_ISS + 4));
    let ack = TcpRepr {
        flags: TcpFlags::ACK,
        ack_number: crate::tcp::SeqNumber(99),
        ..syn
    };
    let rst = crate::tcp::reset_for(&ack).unwrap();
    assert_eq!((rst.flags, rst.seq_number.0), (TcpFlags::RST, 99));
    assert!(crate::tcp::reset_for(&TcpRepr {
        flags: TcpFlags::RST,
        ..syn
    })
    .is_none());
}

/// A passive open through a real handshake keeps its origin (MUST-11) and
/// carries data both ways.
#[test]
fn syn_received_ack_establishes_passive_connection() {
    let mut h = Harness::accepted();
    assert!(h.conn.is_passive());
    h.conn.set_nodelay(true);
    h.send(b"hi");
    let out = h.next_out();
    assert_eq!(
        (out.seq, out.payload.as_slice(), out.at),
        (1, &b"hi"[..], h.now)
    );
}
