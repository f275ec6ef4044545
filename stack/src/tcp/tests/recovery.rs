//! Retransmission and congestion control (RFC 9293 3.8, RFC 6298, RFC
//! 5681, RFC 6582, RFC 6675).

use core::time::Duration;

use super::harness::{plain, Harness};
use crate::tcp::{Config, ConnectionError, Errno, State, TcpEvent};

fn nodelay() -> Harness {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h
}

/// RFC 6298 5.4-5.6, MUST-19: the oldest segment is retransmitted on
/// timeout, and the RTO doubles each time.
#[test]
fn established_timeout_retransmits_with_exponential_backoff() {
    let mut h = nodelay();
    h.send(&[9; 100]);
    h.expect("P. 1:101(100) ack 1");
    let start = h.now;
    let mut at = Vec::new();
    for _ in 0..5 {
        h.next_timer();
        h.expect("P. 1:101(100) ack 1");
        at.push((h.now - start).as_secs());
    }
    assert_eq!(at, vec![1, 3, 7, 15, 31]);
    assert_eq!(h.conn.status().retransmissions, 5);
}

/// MUST-18 (Karn): an ACK of retransmitted data gives no RTT sample; a
/// segment sent once does.
#[test]
fn established_ack_of_retransmission_is_not_sampled() {
    let mut h = nodelay();
    let srtt = h.conn.status().srtt;
    h.send(b"once");
    h.expect("P. 1:5(4) ack 1");
    h.advance(Duration::from_secs(1));
    h.expect("P. 1:5(4) ack 1");
    h.advance(Duration::from_millis(300));
    h.inject(". 1:1(0) ack 5");
    assert_eq!(
        h.conn.status().srtt,
        srtt,
        "Karn: no sample from a retransmission"
    );
    h.send(b"twice");
    h.expect("P. 5:10(5) ack 1");
    h.advance(Duration::from_millis(300));
    h.inject(". 1:1(0) ack 10");
    assert_ne!(h.conn.status().srtt, srtt, "a clean segment is sampled");
}

/// RFC 7323 4.1: with timestamps, the RTT comes from the echoed TSval.
#[test]
fn established_rtt_sampled_from_timestamps() {
    let mut h = Harness::connect(Config {
        timestamps: true,
        ..plain()
    });
    let syn = h.expect("S 0:0(0) <mss 1460,nop,nop,TS val * ecr 0>");
    let tsval = syn.options.timestamps().unwrap().tsval;
    h.advance(Duration::from_millis(250));
    h.inject(&format!(
        "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 7 ecr {tsval}>"
    ));
    h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 7>");
    assert_eq!(h.conn.status().srtt, Some(Duration::from_millis(250)));
}

/// MUST-20, SHLD-9/10/11: R1 = 3 retransmissions tells the application;
/// R2 = 100 s ends the connection with ETIMEDOUT.
#[test]
fn established_unacknowledged_data_hits_r1_then_r2() {
    let mut h = nodelay();
    h.send(b"lost");
    h.expect("P. 1:5(4) ack 1");
    let start = h.now;
    while h.state() == State::Established {
        h.next_timer();
        h.out.clear();
    }
    let events = h.drain_events();
    assert!(events.contains(&TcpEvent::RetransmissionThreshold { retransmissions: 3 }));
    assert!(events.contains(&TcpEvent::TimedOut));
    let elapsed = h.now - start;
    assert!(
        elapsed >= Duration::from_secs(100) && elapsed < Duration::from_secs(200),
        "{elapsed:?}"
    );
    assert_eq!(
        h.conn.error(),
        Some(ConnectionError::TimedOut { soft_error: None })
    );
    assert_eq!(
        h.conn.recv(&mut [0; 4]).unwrap_err().errno(),
        Errno::ETIMEDOUT
    );
}

/// MUST-21: the application sets R2 through the user timeout.
#[test]
fn established_user_timeout_replaces_r2() {
    let mut h = nodelay();
    h.conn.set_user_timeout(Some(Duration::from_secs(10)));
    h.send(b"lost");
    h.expect("P. 1:5(4) ack 1");
    h.advance(Duration::from_secs(9));
    assert_eq!(h.state(), State::Established);
    h.advance(Duration::from_secs(10));
    assert_eq!(h.state(), State::Closed);
    assert!(h.drain_events().contains(&TcpEvent::TimedOut));
}

/// RFC 5681 3.1 (MUST-19): slow start grows cwnd by one SMSS per ACK.
#[test]
fn established_ack_grows_cwnd_in_slow_start() {
    let mut h = nodelay();
    let before = h.conn.status().cwnd;
    assert_eq!(before, 10 * 1460, "RFC 6928 initial window");
    h.send(&[0; 1460]);
    h.expect("P. 1:1461(1460) ack 1");
    h.inject(". 1:1(0) ack 1461");
    assert_eq!(h.conn.status().cwnd, before + 1460);
}

fn send_segments(h: &mut Harness, n: u32) {
    h.send(&vec![3; (n * 1460) as usize]);
    for i in 0..n {
        let out = h.next_out();
        assert_eq!((out.seq, out.payload.len()), (1 + i * 1460, 1460));
    }
}

/// RFC 5681 3.2: the third duplicate ACK retransmits at once (fast
/// retransmit) and enters fast recovery.
#[test]
fn established_third_duplicate_ack_fast_retransmits() {
    let mut h = nodelay();
    send_segments(&mut h, 5);
    h.inject(". 1:1(0) ack 1");
    h.inject(". 1:1(0) ack 1");
    h.expect_nothing();
    h.inject(". 1:1(0) ack 1");
    h.expect(". 1:1461(1460) ack 1");
    let status = h.conn.status();
    assert!(status.in_recovery);
    assert_eq!(status.ssthresh, 5 * 1460 / 2);
}

/// RFC 3042: the first two duplicate ACKs each let one new segment out.
#[test]
fn established_duplicate_acks_allow_limited_transmit() {
    let mut h = nodelay();
    h.inject(". 1:1(0) ack 1 win 65535");
    let iw = h.conn.status().cwnd as u32 / 1460;
    h.send(&vec![1; ((iw + 2) * 1460) as usize]);
    for _ in 0..iw {
        h.next_out();
    }
    h.expect_nothing();
    h.inject(". 1:1(0) ack 1");
    let out = h.next_out();
    assert_eq!(out.seq, 1 + iw * 1460);
    h.inject(". 1:1(0) ack 1");
    assert_eq!(h.next_out().seq, 1 + (iw + 1) * 1460);
}

/// RFC 6582 3.2 step 5: a partial ACK retransmits the next hole at once.
#[test]
fn fast_recovery_partial_ack_retransmits_next_hole() {
    let mut h = nodelay();
    send_segments(&mut h, 5);
    for _ in 0..3 {
        h.inject(". 1:1(0) ack 1");
    }
    h.expect(". 1:1461(1460) ack 1");
    h.inject(". 1:1(0) ack 2921");
    h.expect(". 2921:4381(1460) ack 1");
    h.inject(". 1:1(0) ack 7301");
    assert!(!h.conn.status().in_recovery, "a full ACK ends recovery");
}

/// RFC 6675: with SACK, recovery retransmits every lost hole NextSeg() finds.
#[test]
fn sack_recovery_retransmits_the_holes() {
    let mut h = Harness::connect(Config {
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,nop,nop,sackOK>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
    h.expect(". 1:1(0) ack 1");
    h.conn.set_nodelay(true);
    send_segments(&mut h, 6);
    // Segments 1 and 3 are lost; 2, 4, 5, 6 arrive.
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 1461:2921>");
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 4381:5841 1461:2921>");
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 4381:8761 1461:2921>");
    h.expect(". 1:1461(1460) ack 1");
    h.expect(". 2921:4381(1460) ack 1");
    // RFC 6675 5 (4.3): RescueRxt is the first retransmission's last octet,
    // so no rescue retransmission until HighACK passes it.
    h.expect_nothing();
    h.inject(". 1:1(0) ack 2921 <nop,nop,sack 4381:8761>");
    // Rule 4, once: the rescue retransmission of the highest octet not SACKed.
    h.expect(". 2921:4381(1460) ack 1");
    h.expect_nothing();
    h.inject(". 1:1(0) ack 8761");
    assert!(!h.conn.status().in_recovery);
    assert_eq!(h.conn.status().total_retransmissions, 3);
}

/// RFC 5681 3.1 eq. 4 and RFC 6298 5.5: after a timeout cwnd is one
/// segment; what was outstanding is sent again in slow start.
#[test]
fn established_timeout_restarts_in_slow_start() {
    let mut h = nodelay();
    send_segments(&mut h, 3);
    h.advance(Duration::from_secs(1));
    h.expect(". 1:1461(1460) ack 1");
    h.expect_nothing();
    assert_eq!(h.conn.status().cwnd, 1460);
    h.inject(". 1:1(0) ack 1461");
    h.expect(". 1461:2921(1460) ack 1");
    h.expect("P. 2921:4381(1460) ack 1");
}

/// RFC 9293 3.7.1, MUST-16: a retransmission's data and options together fit
/// the send MSS. Regression: retransmissions left room for the timestamps
/// only, so one carrying SACK blocks overflowed the MSS by the SACK option
/// and a DF datagram no longer fit the MTU.
#[test]
fn established_retransmission_leaves_room_for_sack_blocks() {
    let mut h = Harness::connect(Config {
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,nop,nop,sackOK>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
    h.expect(". 1:1(0) ack 1");
    h.conn.set_nodelay(true);
    send_segments(&mut h, 1);
    // The peer's first 100 octets are lost; the next 100 arrive.
    h.inject(". 101:201(100) ack 1 win 65535");
    h.expect(". 1461:1461(0) ack 1 <nop,nop,sack 101:201>");
    h.advance(Duration::from_secs(1));
    // 1460 less the 12 octets of <nop,nop,sack>.
    h.expect(". 1:1449(1448) ack 1 <nop,nop,sack 101:201>");
}

/// RFC 6675 5 (4.3): entering SACK recovery sets RescueRxt to the last octet
/// of the first retransmission, so NextSeg() rule 4 sends no rescue
/// retransmission while HighACK has not passed it. Regression: RescueRxt
/// was left undefined, and the rescue went out with the fast retransmit.
#[test]
fn rfc6675_4_3_no_premature_rescue_retransmission() {
    let mut h = Harness::connect(Config {
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,nop,nop,sackOK>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
    h.expect(". 1:1(0) ack 1");
    h.conn.set_nodelay(true);
    send_segments(&mut h, 4);
    // The first segment is lost; the other three arrive.
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 1461:2921>");
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 1461:4381>");
    h.inject(". 1:1(0) ack 1 <nop,nop,sack 1461:5841>");
    h.expect(". 1:1461(1460) ack 1");
    h.expect_nothing();
    // The ACK of the retransmission alone: HighACK = RescueRxt, still none.
    h.inject(". 1:1(0) ack 1461 <nop,nop,sack 1461:5841>");
    h.expect_nothing();
    h.inject(". 1:1(0) ack 5841");
    assert!(!h.conn.status().in_recovery);
    assert_eq!(h.conn.status().total_retransmissions, 1);
}

/// MUST-18 (Karn's algorithm; RFC 6298 5, the note after 5.7): the ACK of a
/// retransmitted segment gives no sample and so does not collapse the
/// backed-off RTO; the next segment's timer uses it. Only a clean sample
/// brings the RTO down. Regression: any ACK of new data cleared the backoff.
#[test]
fn must_18_karn_keeps_the_backed_off_rto_until_a_valid_sample() {
    let mut h = nodelay();
    let rto = h.conn.status().rto;
    h.send(b"first");
    h.expect("P. 1:6(5) ack 1");
    h.advance(rto);
    h.expect("P. 1:6(5) ack 1");
    h.advance(Duration::from_millis(100));
    h.inject(". 1:1(0) ack 6");
    assert_eq!(h.conn.status().rto, rto * 2, "no sample: backoff kept");
    h.send(b"second");
    h.expect("P. 6:12(6) ack 1");
    h.advance(rto * 2 - Duration::from_millis(1));
    h.expect_nothing();
    h.advance(Duration::from_millis(1));
    h.expect("P. 6:12(6) ack 1");
    h.inject(". 1:1(0) ack 12");
    h.send(b"third");
    h.expect("P. 12:17(5) ack 1");
    h.advance(Duration::from_millis(10));
    h.inject(". 1:1(0) ack 17");
    assert_eq!(h.conn.status().rto, rto, "a valid sample collapses the RTO");
}

/// MUST-21 (RFC 9293 3.10.8, RFC 5482): the connection is aborted when the
/// user timeout expires, not at the retransmission due after it.
/// Regression: with a 10 s user timeout and retransmissions at 1, 3, 7 and
/// 15 s, the connection lived until 15 s.
#[test]
fn must_21_user_timeout_aborts_when_it_expires() {
    let mut h = nodelay();
    h.conn.set_user_timeout(Some(Duration::from_secs(10)));
    h.send(b"lost");
    h.expect("P. 1:5(4) ack 1");
    let start = h.now;
    while h.state() == State::Established {
        h.next_timer();
        h.out.clear();
    }
    assert_eq!(h.now - start, Duration::from_secs(10));
    assert!(h.drain_events().contains(&TcpEvent::TimedOut));
    assert_eq!(
        h.conn.recv(&mut [0; 4]).unwrap_err().errno(),
        Errno::ETIMEDOUT
    );
}
