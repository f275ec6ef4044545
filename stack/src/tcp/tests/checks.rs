//! The synchronized states' checks (RFC 9293 3.10.7.4 first to fifth,
//! RFC 5961, RFC 7323 PAWS).

use core::time::Duration;

use super::harness::{plain, Harness};
use crate::tcp::{Config, ConnectionError, Errno, ResetCause, State, TcpEvent, Verdict, Why};

/// 3.10.7.4 case 1: SEG.LEN = 0, RCV.WND = 0: acceptable iff SEG.SEQ = RCV.NXT.
#[test]
fn established_zero_window_empty_segment_acceptable_only_at_rcv_nxt() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 1000,
        ..plain()
    });
    h.send(b"x");
    h.expect("P. 1:2(1) ack 1 win 1000");
    h.inject("P. 1:1001(1000) ack 2");
    h.advance(Duration::from_millis(200)); // the delayed ACK
    h.expect(". 2:2(0) ack 1001 win 0");
    h.inject_expect(". 1001:1001(0) ack 2", Verdict::Accepted);
    h.inject_expect(". 1002:1002(0) ack 2", Verdict::Acked(Why::Unacceptable));
    h.expect(". 2:2(0) ack 1001 win 0");
}

/// 3.10.7.4 case 2: SEG.LEN = 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND.
#[test]
fn established_empty_segment_acceptable_inside_window() {
    let mut h = Harness::established();
    h.inject_expect(". 65535:65535(0) ack 1", Verdict::Accepted);
    h.inject_expect(". 65536:65536(0) ack 1", Verdict::Acked(Why::Unacceptable));
    h.expect(". 1:1(0) ack 1");
    // Bare ACKs out of the window are answered at most once per 500 ms
    // (`OOW_ACK_INTERVAL`, against ACK loops).
    h.inject_expect(
        ". 0:0(0) ack 1",
        Verdict::ChallengeAckLimited(Why::Unacceptable),
    );
    h.expect_nothing();
    h.advance(Duration::from_millis(500));
    h.inject_expect(". 0:0(0) ack 1", Verdict::Acked(Why::Unacceptable));
    h.expect(". 1:1(0) ack 1");
}

/// 3.10.7.4 case 3: SEG.LEN > 0, RCV.WND = 0: not acceptable, but the ACK
/// and URG are still processed at RCV.NXT (MUST-66); the data is not taken.
#[test]
fn established_zero_window_takes_ack_not_data() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 1000,
        ..plain()
    });
    h.send(b"abc");
    h.expect("P. 1:4(3) ack 1 win 1000");
    h.inject("P. 1:1001(1000) ack 1");
    h.advance(Duration::from_millis(200));
    h.expect(". 4:4(0) ack 1001 win 0");
    h.inject_expect("P. 1001:1002(1) ack 4", Verdict::Accepted);
    assert_eq!(
        h.conn.status().snd_una,
        h.conn.status().snd_nxt,
        "ACK taken"
    );
    h.expect(". 4:4(0) ack 1001 win 0");
    assert_eq!(h.conn.recv_queued(), 1000);
    h.inject_expect("P. 1002:1003(1) ack 4", Verdict::Acked(Why::Unacceptable));
    h.expect(". 4:4(0) ack 1001 win 0");
}

/// 3.10.7.4 case 4: SEG.LEN > 0, RCV.WND > 0: either end in the window;
/// "only the new parts are processed".
#[test]
fn established_data_straddling_the_left_edge_keeps_the_new_part() {
    let mut h = Harness::established();
    h.inject("P. 1:11(10) ack 1");
    h.inject_expect("P. 6:21(15) ack 1", Verdict::Accepted);
    assert_eq!(h.read_all(), super::harness::peer_data(1, 20));
    h.inject_expect("P. 1:21(20) ack 1", Verdict::Acked(Why::Unacceptable));
}

/// 3.10.7.4 case 4 at the right edge: the part beyond the window is trimmed.
#[test]
fn established_data_beyond_the_window_is_trimmed() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 100,
        ..plain()
    });
    h.inject_expect("P. 1:151(150) ack 1", Verdict::Accepted);
    h.expect(". 1:1(0) ack 101 win 0");
    assert_eq!(h.conn.recv_queued(), 100);
}

/// RFC 5961 3.2: a RST outside the window is dropped silently.
#[test]
fn established_rst_out_of_window_is_dropped() {
    let mut h = Harness::established();
    h.inject_expect("R 70000:70000(0)", Verdict::Dropped(Why::RstOutOfWindow));
    h.expect_nothing();
    assert_eq!(h.state(), State::Established);
}

/// RFC 5961 3.2, MAY-12: a RST in the window but not at RCV.NXT draws a challenge ACK.
#[test]
fn established_rst_in_window_not_exact_gets_challenge_ack() {
    let mut h = Harness::established();
    h.inject_expect(
        "R 100:100(0)",
        Verdict::ChallengeAck(Why::RstInWindowNotExact),
    );
    h.expect(". 1:1(0) ack 1");
    assert_eq!(h.state(), State::Established);
}

/// RFC 5961 3.2: a RST at RCV.NXT resets: ECONNRESET, unread data lost (SHLD-3).
#[test]
fn established_rst_at_rcv_nxt_resets() {
    let mut h = Harness::established();
    h.inject("P. 1:11(10) ack 1");
    h.inject_expect("R 11:11(0)", Verdict::Closed(Why::ResetByPeer));
    assert_eq!(h.state(), State::Closed);
    assert!(h
        .drain_events()
        .contains(&TcpEvent::Reset(ResetCause::ByPeer)));
    let err = h.conn.recv(&mut [0; 16]).unwrap_err();
    assert_eq!(
        err.errno(),
        Errno::ECONNRESET,
        "unread data is lost with the reset"
    );
    assert_eq!(
        h.conn.send(h.now, b"x").unwrap_err().errno(),
        Errno::ECONNRESET
    );
    h.expect_nothing();
}

/// RFC 5961 4.2: any SYN in a synchronized state draws a challenge ACK.
#[test]
fn established_syn_gets_challenge_ack() {
    let mut h = Harness::established();
    h.inject_expect(
        "S 1:1(0) win 65535",
        Verdict::ChallengeAck(Why::SynInSynchronized),
    );
    h.expect(". 1:1(0) ack 1");
    h.inject_expect(
        "S 900000:900000(0) win 65535",
        Verdict::Acked(Why::Unacceptable),
    );
    h.expect(". 1:1(0) ack 1");
    assert_eq!(h.state(), State::Established);
}

/// RFC 5961 5.2: an ACK of data never sent is dropped and answered.
#[test]
fn established_ack_of_unsent_data_gets_challenge_ack() {
    let mut h = Harness::established();
    h.send(b"hello");
    h.expect("P. 1:6(5) ack 1");
    h.inject_expect(
        ". 1:1(0) ack 100",
        Verdict::ChallengeAck(Why::AckOutsideWindow),
    );
    h.expect(". 6:6(0) ack 1");
    assert_eq!(
        h.conn.status().snd_una.0,
        super::harness::OUR_ISS.wrapping_add(1)
    );
}

/// RFC 5961 5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped and answered.
#[test]
fn established_ack_too_old_gets_challenge_ack() {
    let mut h = Harness::established_with(Config {
        send_buffer: 200_000,
        ..plain()
    });
    h.inject(". 1:1(0) ack 1 win 100");
    h.send(&[1; 10]);
    h.expect("P. 1:11(10) ack 1");
    h.inject(". 1:1(0) ack 11 win 100");
    h.inject_expect(
        ". 1:1(0) ack 4294901760",
        Verdict::ChallengeAck(Why::AckOutsideWindow),
    );
    h.expect(". 11:11(0) ack 1");
    // Within MAX.SND.WND behind SND.UNA: an old duplicate, taken quietly.
    h.inject_expect(". 1:1(0) ack 2", Verdict::Accepted);
    h.expect_nothing();
}

/// RFC 5961 7: challenge ACKs are rate-limited.
#[test]
fn established_challenge_acks_are_rate_limited() {
    let mut h = Harness::established_with(Config {
        challenge_ack_limit: Some(2),
        ..plain()
    });
    h.inject_expect(
        "R 100:100(0)",
        Verdict::ChallengeAck(Why::RstInWindowNotExact),
    );
    h.inject_expect("S 1:1(0)", Verdict::ChallengeAck(Why::SynInSynchronized));
    h.inject_expect(
        "R 100:100(0)",
        Verdict::ChallengeAckLimited(Why::RstInWindowNotExact),
    );
    h.expect(". 1:1(0) ack 1");
    h.expect_nothing();
    h.advance(Duration::from_secs(1));
    h.inject_expect(
        "R 100:100(0)",
        Verdict::ChallengeAck(Why::RstInWindowNotExact),
    );
}

/// 3.10.7.4 fifth: "if the ACK bit is off drop the segment".
#[test]
fn established_segment_without_ack_is_dropped() {
    let mut h = Harness::established();
    h.inject_expect("P 1:11(10)", Verdict::Dropped(Why::NoAck));
    h.expect_nothing();
    assert_eq!(h.conn.recv_queued(), 0);
}

/// RFC 7323 5.3 (PAWS): an older timestamp is ACKed and dropped; a RST is not subject.
#[test]
fn established_paws_rejects_old_timestamp() {
    let config = Config {
        timestamps: true,
        ..plain()
    };
    let mut h = Harness::connect(config);
    h.expect("S 0:0(0) <mss 1460,nop,nop,TS val * ecr 0>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 1>");
    h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 1000>");
    h.inject_expect(
        "P. 1:11(10) ack 1 <nop,nop,TS val 1005 ecr 1>",
        Verdict::Accepted,
    );
    h.inject_expect(
        "P. 11:21(10) ack 1 <nop,nop,TS val 1001 ecr 1>",
        Verdict::Acked(Why::PawsRejected),
    );
    h.expect(". 1:1(0) ack 11 <nop,nop,TS val * ecr 1005>");
    // RFC 7323 3.2: a non-RST segment without timestamps is dropped.
    h.inject_expect(
        "P. 11:21(10) ack 1",
        Verdict::Dropped(Why::MissingTimestamp),
    );
    h.inject_expect("R 11:11(0)", Verdict::Closed(Why::ResetByPeer));
}

/// RFC 7323 4.3: TS.Recent only from a segment covering Last.ACK.sent.
#[test]
fn established_ts_recent_ignores_out_of_order_segments() {
    let config = Config {
        timestamps: true,
        ..plain()
    };
    let mut h = Harness::connect(config);
    h.expect("S 0:0(0) <mss 1460,nop,nop,TS val * ecr 0>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 1>");
    h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 1000>");
    h.inject("P. 101:111(10) ack 1 <nop,nop,TS val 2000 ecr 1>");
    h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 1000>");
}

/// Connection reset events map to errnos (MUST-12: the application is told).
#[test]
fn close_wait_rst_resets_with_econnreset() {
    let mut h = Harness::established();
    h.inject("F. 1:1(0) ack 1");
    h.expect(". 1:1(0) ack 2");
    assert_eq!(h.state(), State::CloseWait);
    h.inject_expect("R 2:2(0)", Verdict::Closed(Why::ResetByPeer));
    assert_eq!(h.conn.error(), Some(ConnectionError::Reset));
}

/// MUST-66: with a zero window, a RST at RCV.NXT is still processed.
#[test]
fn established_zero_window_still_takes_rst() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 1000,
        ..plain()
    });
    h.inject("P. 1:1001(1000) ack 1");
    h.advance(Duration::from_millis(200));
    h.expect(". 1:1(0) ack 1001 win 0");
    h.inject_expect("R 1001:1001(0)", Verdict::Closed(Why::ResetByPeer));
}

/// MUST-66: with a zero window, an URG at RCV.NXT is still processed.
#[test]
fn established_zero_window_still_takes_urgent_pointer() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 1000,
        ..plain()
    });
    h.inject("P. 1:1001(1000) ack 1");
    h.drain_events();
    h.inject_expect("PU. 1001:1011(10) ack 1 urg 10", Verdict::Accepted);
    assert!(h.drain_events().contains(&TcpEvent::Urgent));
}

/// SHLD-2: a RST may carry data; it is taken as a RST.
#[test]
fn established_rst_with_data_resets() {
    let mut h = Harness::established();
    h.inject_expect("R. 1:11(10) ack 1", Verdict::Closed(Why::ResetByPeer));
}

/// MUST-6: options the engine does not know are ignored, not rejected.
#[test]
fn listen_syn_with_unknown_option_is_accepted() {
    let mut h = Harness::listen(plain());
    let (_, mut options, _) = h.segment("S 0:0(0)");
    options
        .push(crate::wire::tcp::TcpOption::Unknown {
            kind: 30,
            data: &[1, 2],
        })
        .unwrap();
    options
        .push(crate::wire::tcp::TcpOption::MaxSegmentSize(1000))
        .unwrap();
    let syn = crate::wire::tcp::TcpRepr {
        src_port: super::harness::REMOTE.port(),
        dst_port: super::harness::LOCAL.port(),
        seq_number: crate::tcp::SeqNumber(super::harness::PEER_ISS),
        flags: crate::wire::tcp::TcpFlags::SYN,
        window: 65535,
        options,
        ..Default::default()
    };
    assert_eq!(h.conn.handle_segment(h.now, &syn), Verdict::Accepted);
    assert_eq!(h.conn.status().snd_mss, 1000);
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
}
