//! Data transfer and flow control: segment sizes, Nagle, sender and receiver
//! SWS avoidance, delayed ACKs, out-of-order data, window probes
//! (RFC 9293 3.7, 3.8.6).

use core::time::Duration;

use super::harness::{peer_data, plain, Harness};
use crate::tcp::{Config, State, TcpEvent, Verdict};

/// SHLD-28: full-sized segments; with Nagle (SHLD-7) the small tail waits
/// for the ACK of what is outstanding.
#[test]
fn established_send_uses_full_segments_and_nagle_holds_the_tail() {
    let mut h = Harness::established();
    assert_eq!(h.send(&[1; 3000]), 3000);
    h.expect(". 1:1461(1460) ack 1");
    h.expect(". 1461:2921(1460) ack 1");
    h.expect_nothing();
    h.inject(". 1:1(0) ack 2921");
    h.expect("P. 2921:3001(80) ack 1");
}

/// SHLD-7: a second small write waits while the first is unacknowledged.
#[test]
fn established_nagle_holds_small_segment_until_ack() {
    let mut h = Harness::established();
    h.send(b"0123456789");
    h.expect("P. 1:11(10) ack 1");
    h.send(b"abcdefghij");
    h.expect_nothing();
    h.advance(Duration::from_millis(500));
    h.expect_nothing();
    h.inject(". 1:1(0) ack 11");
    h.expect("P. 11:21(10) ack 1");
}

/// MUST-17: with Nagle off, small writes go at once.
#[test]
fn established_nodelay_sends_small_segments_at_once() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(b"0123456789");
    h.expect("P. 1:11(10) ack 1");
    h.send(b"abcdefghij");
    h.expect("P. 11:21(10) ack 1");
}

/// MUST-38 (RFC 9293 3.8.6.2.1): a usable window smaller than a segment and
/// than half the largest window is not used until the override timer fires.
#[test]
fn established_sender_sws_waits_for_a_useful_window() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.inject(". 1:1(0) ack 1 win 100");
    h.send(&[5; 1000]);
    h.expect_nothing();
    h.advance(Duration::from_millis(199));
    h.expect_nothing();
    h.advance(Duration::from_millis(1));
    h.expect(". 1:101(100) ack 1");
}

/// MUST-60 (MAY-15): un-pushed data is not held indefinitely.
#[test]
fn established_unpushed_data_leaves_after_the_override_timeout() {
    let mut h = Harness::established();
    let flags = crate::tcp::SendFlags {
        push: false,
        urgent: false,
    };
    h.conn.send_with(h.now, b"not pushed", flags).unwrap();
    h.expect_nothing();
    h.advance(Duration::from_millis(200));
    h.expect("P. 1:11(10) ack 1");
}

/// SHLD-18, MUST-40: the ACK of one segment is delayed 200 ms, under 0.5 s.
#[test]
fn established_data_is_acked_after_the_delay() {
    let mut h = Harness::established();
    h.inject_expect("P. 1:101(100) ack 1", Verdict::Accepted);
    h.expect_nothing();
    h.advance(Duration::from_millis(199));
    h.expect_nothing();
    h.advance(Duration::from_millis(1));
    h.expect(". 1:1(0) ack 101");
    assert!(h.drain_events().contains(&TcpEvent::Readable));
}

/// SHLD-19: at least every second full-sized segment is ACKed at once;
/// MUST-58/59: one ACK covers both segments handed in before polling.
#[test]
fn established_second_full_segment_is_acked_at_once() {
    let mut h = Harness::established();
    h.inject("P. 1:1461(1460) ack 1");
    h.expect_nothing();
    h.inject("P. 1461:2921(1460) ack 1");
    h.expect(". 1:1(0) ack 2921");
    h.inject("P. 2921:4381(1460) ack 1");
    h.inject("P. 4381:5841(1460) ack 1");
    h.expect(". 1:1(0) ack 5841");
    h.expect_nothing();
}

/// SHLD-31, MAY-13: an out-of-order segment is held and ACKed at once, and
/// the segment filling the hole is ACKed at once too.
#[test]
fn established_out_of_order_segment_is_queued_and_acked() {
    let mut h = Harness::established();
    h.inject("P. 1461:2921(1460) ack 1");
    h.expect(". 1:1(0) ack 1");
    assert_eq!(h.conn.recv_queued(), 0);
    h.inject("P. 1:1461(1460) ack 1");
    h.expect(". 1:1(0) ack 2921");
    assert_eq!(h.read_all(), peer_data(1, 2920));
}

/// RFC 2018: SACK blocks describe what is held.
#[test]
fn established_out_of_order_segment_is_sacked() {
    let mut h = Harness::connect(Config {
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,nop,nop,sackOK>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
    h.expect(". 1:1(0) ack 1");
    h.inject("P. 1461:2921(1460) ack 1");
    h.expect(". 1:1(0) ack 1 <nop,nop,sack 1461:2921>");
    h.inject("P. 4381:5841(1460) ack 1");
    h.expect(". 1:1(0) ack 1 <nop,nop,sack 4381:5841 1461:2921>");
    h.inject("P. 1:1461(1460) ack 1");
    h.expect(". 1:1(0) ack 2921 <nop,nop,sack 4381:5841>");
}

/// MUST-39 and SHLD-14: after the window closes, reading a little does not
/// reopen it; reading a segment's worth does, with a window update.
#[test]
fn established_receiver_sws_opens_the_window_by_a_segment() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 10_000,
        ..plain()
    });
    for i in 0..6 {
        let start = 1 + i * 1460;
        let len = 1460.min(10_000 - i * 1460);
        h.inject(&format!("P. {start}:{}({len}) ack 1", start + len));
    }
    h.inject("P. 8761:10001(1240) ack 1");
    h.advance(Duration::from_millis(200));
    let last = h.out.back().expect("ACKs").clone();
    assert_eq!((last.ack, last.win), (10_001, 0));
    h.out.clear();
    let mut buf = [0; 100];
    assert_eq!(h.conn.recv(&mut buf), Ok(100));
    h.expect_nothing();
    h.inject(". 10001:10001(0) ack 1");
    let mut buf = [0; 1360];
    assert_eq!(h.conn.recv(&mut buf), Ok(1360));
    h.expect(". 1:1(0) ack 10001 win 1460");
}

/// SHLD-14: the right edge never moves left, even when data fills the window.
#[test]
fn established_window_right_edge_never_moves_left() {
    let mut h = Harness::established_with(Config {
        recv_buffer: 5000,
        ..plain()
    });
    let mut edge = 0u32;
    for i in 0..4u32 {
        h.inject(&format!(
            "P. {}:{}(1000) ack 1",
            1 + i * 1000,
            1001 + i * 1000
        ));
        h.advance(Duration::from_millis(200));
        while let Some(out) = h.out.pop_front() {
            let right = out.ack + u32::from(out.win);
            assert!(right >= edge, "right edge moved left: {right} < {edge}");
            edge = right;
        }
    }
    assert_eq!(edge, 5001);
}

/// MUST-35/36, SHLD-29/30, MUST-37: a zero window is probed after one RTO,
/// then with exponential backoff up to 60 s, for as long as the peer
/// answers; when it opens, data flows.
#[test]
fn established_zero_window_is_probed_forever_with_backoff() {
    let mut h = Harness::established();
    h.inject(". 1:1(0) ack 1 win 0");
    h.send(b"hello world");
    h.expect_nothing();
    let mut gaps = Vec::new();
    let mut last = h.now;
    for _ in 0..40 {
        h.next_timer();
        let probe = h.expect(". 1:2(1) ack 1");
        assert_eq!(probe.payload, b"h");
        gaps.push((h.now - last).as_secs());
        last = h.now;
        h.inject(". 1:1(0) ack 1 win 0");
    }
    assert_eq!(&gaps[..8], &[1, 2, 4, 8, 16, 32, 60, 60]);
    assert!(
        h.now.total_millis() > 30 * 60 * 1000,
        "over half an hour of probes"
    );
    assert_eq!(h.state(), State::Established);
    h.inject(". 1:1(0) ack 1 win 1000");
    h.expect("P. 1:12(11) ack 1");
}

/// MUST-34, SHLD-15: the peer shrinks its window below what is in flight;
/// no new data goes until it opens again.
#[test]
fn established_shrunk_window_stops_new_data() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(&[4; 2000]);
    h.expect(". 1:1461(1460) ack 1");
    h.expect("P. 1461:2001(540) ack 1");
    h.inject(". 1:1(0) ack 1461 win 100");
    h.send(b"more");
    h.expect_nothing();
    // MAY-7: old data beyond SND.UNA + SND.WND is still retransmitted.
    h.advance(Duration::from_secs(1));
    h.expect(". 1461:2001(540) ack 1");
    h.inject(". 1:1(0) ack 2001 win 65535");
    h.expect("P. 2001:2005(4) ack 1");
}

/// SHLD-27: successive pushes queued before sending collapse into one PSH.
#[test]
fn established_successive_pushes_collapse() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(b"first,");
    h.send(b"second");
    h.expect("P. 1:13(12) ack 1");
}
