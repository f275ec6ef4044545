//! Closing: FIN-WAIT-1/2, CLOSING, CLOSE-WAIT, LAST-ACK, TIME-WAIT
//! (RFC 9293 3.6, 3.10.4, 3.10.5, 3.10.7.4 eighth).

use core::time::Duration;

use super::harness::{peer_data, plain, Harness, PEER_ISS};
use crate::tcp::{Config, Errno, SendError, Shutdown, State, TcpEvent, Verdict, Why};
use crate::wire::tcp::{TcpFlags, TcpOptions, TcpRepr, Timestamps};

fn short_msl() -> Config {
    Config {
        msl: Duration::from_secs(5),
        ..plain()
    }
}

/// The active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 2MSL with the
/// configured MSL (MUST-13), then CLOSED.
#[test]
fn established_close_goes_through_time_wait_for_2msl() {
    let mut h = Harness::established_with(short_msl());
    h.conn.close().unwrap();
    assert_eq!(h.state(), State::FinWait1);
    h.expect("F. 1:1(0) ack 1");
    h.inject(". 1:1(0) ack 2");
    assert_eq!(h.state(), State::FinWait2);
    h.inject("F. 1:1(0) ack 2");
    h.expect(". 2:2(0) ack 2");
    assert_eq!(h.state(), State::TimeWait);
    let entered = h.now;
    h.advance(Duration::from_millis(9_999));
    assert_eq!(h.state(), State::TimeWait);
    h.advance(Duration::from_millis(1));
    assert_eq!(h.state(), State::Closed);
    assert_eq!(h.now - entered, Duration::from_secs(10));
    assert!(h.drain_events().contains(&TcpEvent::Closed));
    h.expect_nothing();
}

/// RFC 9293 3.10.7.4: a retransmitted FIN in TIME-WAIT is ACKed and restarts 2MSL.
#[test]
fn time_wait_retransmitted_fin_restarts_2msl() {
    let mut h = Harness::established_with(short_msl());
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject("F. 1:1(0) ack 2");
    h.expect(". 2:2(0) ack 2");
    assert_eq!(h.state(), State::TimeWait);
    h.advance(Duration::from_secs(8));
    h.inject_expect("F. 1:1(0) ack 2", Verdict::Acked(Why::RetransmittedFin));
    h.expect(". 2:2(0) ack 2");
    h.advance(Duration::from_secs(9));
    assert_eq!(h.state(), State::TimeWait, "2MSL restarted by the FIN");
    h.advance(Duration::from_secs(1));
    assert_eq!(h.state(), State::Closed);
}

/// Simultaneous close: FIN-WAIT-1, the peer's FIN, CLOSING, our FIN ACKed, TIME-WAIT.
#[test]
fn fin_wait_1_fin_is_simultaneous_close_through_closing() {
    let mut h = Harness::established_with(short_msl());
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject_expect("F. 1:1(0) ack 1", Verdict::Accepted);
    assert_eq!(h.state(), State::Closing);
    h.expect(". 2:2(0) ack 2");
    h.inject_expect(". 2:2(0) ack 2", Verdict::Accepted);
    assert_eq!(h.state(), State::TimeWait);
}

/// The passive close: CLOSE-WAIT, our close, LAST-ACK, CLOSED.
#[test]
fn close_wait_close_goes_through_last_ack() {
    let mut h = Harness::established();
    h.inject("F. 1:1(0) ack 1");
    h.expect(". 1:1(0) ack 2");
    assert_eq!(h.state(), State::CloseWait);
    assert!(h.drain_events().contains(&TcpEvent::PeerClosed));
    assert_eq!(h.conn.recv(&mut [0; 8]), Ok(0), "end of stream");
    h.conn.close().unwrap();
    assert_eq!(h.state(), State::LastAck);
    h.expect("F. 1:1(0) ack 2");
    h.inject(". 2:2(0) ack 2");
    assert_eq!(h.state(), State::Closed);
}

/// LAST-ACK retransmits its FIN until it is acknowledged.
#[test]
fn last_ack_timeout_retransmits_fin() {
    let mut h = Harness::established();
    h.inject("F. 1:1(0) ack 1");
    h.expect(". 1:1(0) ack 2");
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 2");
    h.advance(Duration::from_secs(1));
    h.expect("F. 1:1(0) ack 2");
}

/// MAY-1: after shutdown(Write), data still flows in (FIN-WAIT-2).
#[test]
fn fin_wait_2_still_receives_data() {
    let mut h = Harness::established();
    h.conn.shutdown(Shutdown::Write).unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject(". 1:1(0) ack 2");
    assert_eq!(h.state(), State::FinWait2);
    h.inject_expect("P. 1:101(100) ack 2", Verdict::Accepted);
    assert_eq!(h.read_all(), peer_data(1, 100));
    assert_eq!(h.conn.send(h.now, b"x"), Err(SendError::Closed));
    assert_eq!(SendError::Closed.errno(), Errno::EPIPE);
}

/// MAY-1: in CLOSE-WAIT we still send.
#[test]
fn close_wait_still_sends_data() {
    let mut h = Harness::established();
    h.inject("F. 1:1(0) ack 1");
    h.expect(". 1:1(0) ack 2");
    h.send(b"late reply");
    h.expect("P. 1:11(10) ack 2");
}

/// A FIN carrying data: the data, then the end of stream.
#[test]
fn established_fin_with_data_delivers_then_closes() {
    let mut h = Harness::established();
    h.inject_expect("FP. 1:51(50) ack 1", Verdict::Accepted);
    h.expect(". 1:1(0) ack 52");
    assert_eq!(h.state(), State::CloseWait);
    assert_eq!(h.read_all(), peer_data(1, 50));
    assert_eq!(h.conn.recv(&mut [0; 8]), Ok(0));
}

/// Our FIN rides on the last data segment.
#[test]
fn established_close_with_queued_data_piggybacks_fin() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(b"bye");
    h.conn.close().unwrap();
    h.expect("FP. 1:4(3) ack 1");
}

/// A FIN that arrives out of order waits for the hole to fill.
#[test]
fn established_out_of_order_fin_waits_for_the_hole() {
    let mut h = Harness::established();
    h.inject("F. 11:11(0) ack 1");
    assert_eq!(h.state(), State::Established);
    h.expect(". 1:1(0) ack 1");
    h.inject("P. 1:11(10) ack 1");
    assert_eq!(h.state(), State::CloseWait);
    h.expect(". 1:1(0) ack 12");
}

/// RFC 9293 3.10.7.4 eighth: an in-order FIN ends the stream even when
/// bytes past it were held out of order (a peer sending data beyond its
/// own FIN): they are dropped, the FIN is taken, and only the data before
/// it is delivered. Found by the random differential against Linux.
#[test]
fn established_in_order_fin_drops_held_bytes_past_it() {
    let mut h = Harness::established();
    h.inject("P. 101:102(1) ack 1");
    h.expect(". 1:1(0) ack 1");
    h.inject_expect("F. 1:101(100) ack 1", Verdict::Accepted);
    h.expect(". 1:1(0) ack 102");
    assert_eq!(h.state(), State::CloseWait);
    assert_eq!(h.read_all(), peer_data(1, 100));
    assert_eq!(h.conn.recv(&mut [0; 8]), Ok(0));
}

/// A FIN alone at RCV.NXT drops the bytes held past it: its ACK reports
/// no SACK block for them.
#[test]
fn established_in_order_bare_fin_drops_held_bytes_past_it() {
    let mut h = Harness::connect(Config {
        sack: true,
        ..plain()
    });
    h.expect("S 0:0(0) <mss 1460,nop,nop,sackOK>");
    h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>");
    h.expect(". 1:1(0) ack 1");
    h.inject("P. 11:21(10) ack 1");
    h.expect(". 1:1(0) ack 1 <nop,nop,sack 11:21>");
    h.inject("F. 1:1(0) ack 1");
    h.expect(". 1:1(0) ack 2");
    assert_eq!(h.state(), State::CloseWait);
    assert_eq!(h.read_all(), Vec::<u8>::new());
}

/// SHLD-3: close() with unread data sends a RST: the data is lost.
#[test]
fn established_close_with_unread_data_sends_rst() {
    let mut h = Harness::established();
    h.inject("P. 1:11(10) ack 1");
    h.conn.close().unwrap();
    h.expect("R 1:1(0) win 0");
    assert_eq!(h.state(), State::Closed);
}

/// MUST-13: close() with unread data in TIME-WAIT keeps TIME-WAIT; there
/// is no RST to send (RFC 9293 3.10.5), and the 2MSL wait stays.
#[test]
fn time_wait_close_with_unread_data_keeps_time_wait() {
    let mut h = Harness::established();
    h.inject("P. 1:11(10) ack 1");
    h.conn.shutdown(Shutdown::Write).unwrap();
    h.expect("F. 1:1(0) ack 11");
    h.inject("F. 11:11(0) ack 2");
    h.expect(". 2:2(0) ack 12");
    assert_eq!(h.state(), State::TimeWait);
    h.conn.close().unwrap();
    h.expect_nothing();
    assert_eq!(h.state(), State::TimeWait);
}

/// SHLD-3: data arriving after close() is answered with a RST.
#[test]
fn fin_wait_2_data_after_close_gets_rst() {
    let mut h = Harness::established();
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject(". 1:1(0) ack 2");
    h.inject_expect("P. 1:11(10) ack 2", Verdict::Reset(Why::DataAfterClose));
    h.expect("R 2:2(0) win 0");
    assert_eq!(h.state(), State::Closed);
}

/// RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>, queues flushed.
#[test]
fn established_abort_sends_rst() {
    let mut h = Harness::established();
    h.conn.set_nodelay(true);
    h.send(b"abc");
    h.expect("P. 1:4(3) ack 1");
    h.conn.abort();
    h.expect("R 4:4(0) win 0");
    assert_eq!(h.state(), State::Closed);
    assert_eq!(
        h.conn.send(h.now, b"x").unwrap_err().errno(),
        Errno::ECONNABORTED
    );
}

/// RFC 9293 3.10.7.4 second: a RST in TIME-WAIT closes (RFC 1337 optional).
#[test]
fn time_wait_rst_closes_unless_rfc1337() {
    for (ignore, state) in [(false, State::Closed), (true, State::TimeWait)] {
        let mut h = Harness::established_with(Config {
            ignore_rst_in_time_wait: ignore,
            ..short_msl()
        });
        h.conn.close().unwrap();
        h.expect("F. 1:1(0) ack 1");
        h.inject("F. 1:1(0) ack 2");
        h.expect(". 2:2(0) ack 2");
        h.inject("R 2:2(0)");
        assert_eq!(h.state(), state);
    }
}

fn syn(seq: u32, ts: Option<u32>) -> (TcpOptions, u32) {
    let mut options = TcpOptions::new();
    if let Some(tsval) = ts {
        options
            .push(crate::wire::tcp::TcpOption::Timestamps(Timestamps {
                tsval,
                tsecr: 0,
            }))
            .unwrap();
    }
    (options, PEER_ISS.wrapping_add(seq))
}

fn time_wait(config: Config, ts: bool) -> Harness {
    let mut h = Harness::connect(config);
    if ts {
        h.expect("S 0:0(0) <mss 1460,nop,nop,TS val * ecr 0>");
        h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 500 ecr 1>");
        h.expect(". 1:1(0) ack 1 <nop,nop,TS val * ecr 500>");
        h.conn.close().unwrap();
        h.expect("F. 1:1(0) ack 1 <nop,nop,TS val * ecr 500>");
        h.inject("F. 1:1(0) ack 2 <nop,nop,TS val 600 ecr 1>");
        h.expect(". 2:2(0) ack 2 <nop,nop,TS val * ecr 600>");
    } else {
        h.expect("S 0:0(0) <mss 1460>");
        h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460>");
        h.expect(". 1:1(0) ack 1");
        h.conn.close().unwrap();
        h.expect("F. 1:1(0) ack 1");
        h.inject("F. 1:1(0) ack 2");
        h.expect(". 2:2(0) ack 2");
    }
    assert_eq!(h.state(), State::TimeWait);
    h
}

fn accepts(h: &Harness, seq: u32, ts: Option<u32>) -> bool {
    let (options, seq_number) = syn(seq, ts);
    let repr = TcpRepr {
        src_port: super::harness::REMOTE.port(),
        dst_port: super::harness::LOCAL.port(),
        seq_number: crate::tcp::SeqNumber(seq_number),
        flags: TcpFlags::SYN,
        window: 65535,
        options,
        ..TcpRepr::default()
    };
    h.conn.accepts_new_incarnation(&repr)
}

/// RFC 6191 (SHLD-4) with timestamps: a newer TSval, or an equal one with a
/// higher sequence number, opens a new incarnation.
#[test]
fn time_wait_syn_with_newer_timestamp_is_new_incarnation() {
    let h = time_wait(
        Config {
            timestamps: true,
            ..plain()
        },
        true,
    );
    assert!(accepts(&h, 1, Some(601)));
    assert!(!accepts(&h, 1, Some(599)));
    assert!(!accepts(&h, 1, Some(600)));
    assert!(accepts(&h, 100, Some(600)));
    assert!(
        !accepts(&h, 1, None),
        "no timestamps: the sequence number must be newer"
    );
    assert!(accepts(&h, 100, None));
}

/// MAY-2 without timestamps: only a SYN beyond RCV.NXT; otherwise the SYN
/// gets an ACK (RFC 5961 4.2) and TIME-WAIT goes on.
#[test]
fn time_wait_syn_without_timestamps_needs_higher_sequence() {
    let mut h = time_wait(plain(), false);
    assert!(!accepts(&h, 1, None));
    assert!(!accepts(&h, 2, None));
    assert!(accepts(&h, 50, None));
    h.inject_expect(
        "S 2:2(0) win 65535",
        Verdict::ChallengeAck(Why::SynInSynchronized),
    );
    h.expect(". 2:2(0) ack 2");
    assert_eq!(h.state(), State::TimeWait);
}

/// RFC 9293 3.10.4 CLOSE, SYN-RECEIVED: "If no SENDs have been issued and
/// there is no pending data to send, then form a FIN segment and send it,
/// and enter FIN-WAIT-1 state". Our SYN is still unacknowledged: a timeout
/// sends the SYN,ACK again, and the ACK of SYN and FIN ends in FIN-WAIT-2.
#[test]
fn syn_received_close_sends_fin_at_once() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    assert_eq!(h.state(), State::SynReceived);
    h.conn.close().unwrap();
    assert_eq!(h.state(), State::FinWait1);
    h.expect("F. 1:1(0) ack 1");
    h.expect_nothing();
    // The SYN,ACK is what the retransmission timer sends again.
    h.advance(Duration::from_secs(1));
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.expect_nothing();
    h.inject_expect(". 1:1(0) ack 1 win 65535", Verdict::Accepted);
    assert_eq!(
        h.state(),
        State::FinWait1,
        "the SYN is acknowledged, the FIN not yet"
    );
    assert!(h.drain_events().contains(&TcpEvent::Connected));
    // The FIN is retransmitted on its own timer (RFC 6298 5.7: 3 s after a SYN timeout).
    h.advance(Duration::from_secs(3));
    h.expect("F. 1:1(0) ack 1");
    h.inject_expect(". 1:1(0) ack 2 win 65535", Verdict::Accepted);
    assert_eq!(h.state(), State::FinWait2);
}

/// RFC 9293 3.10.4: with data queued in SYN-RECEIVED the CLOSE waits for
/// ESTABLISHED, and the FIN follows the data.
#[test]
fn syn_received_close_after_send_waits_for_established() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.send(b"hello");
    h.conn.close().unwrap();
    assert_eq!(h.state(), State::SynReceived);
    h.expect_nothing();
    h.inject(". 1:1(0) ack 1 win 65535");
    assert_eq!(h.state(), State::FinWait1);
    h.expect("FP. 1:6(5) ack 1");
}

/// A FIN sent from SYN-RECEIVED, acknowledged together with the SYN.
#[test]
fn syn_received_close_fin_and_syn_acked_together() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject_expect("F. 1:1(0) ack 2 win 65535", Verdict::Accepted);
    h.expect(". 2:2(0) ack 2");
    assert_eq!(h.state(), State::TimeWait);
}

/// A CLOSE in SYN-RECEIVED, then the peer's SYN,ACK crossing ours (RFC 9293
/// 3.5 figure 8): its ACK of our SYN is taken as in SYN-RECEIVED, an ACK
/// answers the repeated SYN, and FIN-WAIT-1 waits for the ACK of the FIN.
#[test]
fn syn_received_close_then_crossing_syn_ack() {
    let mut h = Harness::connect(plain());
    h.expect("S 0:0(0) <mss 1460>");
    h.inject("S 0:0(0) win 65535 <mss 1460>");
    h.expect("S. 0:0(0) ack 1 <mss 1460>");
    h.conn.close().unwrap();
    h.expect("F. 1:1(0) ack 1");
    h.inject_expect("S. 0:0(0) ack 1 win 65535 <mss 1460>", Verdict::Accepted);
    h.expect(". 2:2(0) ack 1");
    assert_eq!(h.state(), State::FinWait1);
    assert_eq!(h.conn.status().snd_una, h.conn.status().iss + 1);
    h.inject_expect(". 1:1(0) ack 2 win 65535", Verdict::Accepted);
    assert_eq!(h.state(), State::FinWait2);
}

/// RFC 9293 3.10.7.4 answers an unacceptable segment with an ACK; for a
/// bare ACK (no data, SYN or FIN) at most one answer goes per 500 ms, so
/// that two ends finding each other's ACKs unacceptable cannot keep an ACK
/// loop going. The `pair` fuzz target found one growing into a storm: our
/// FIN went into a zero window, our ACKs at SND.NXT were past it.
#[test]
fn fin_wait_1_unacceptable_bare_acks_are_answered_once_per_500_ms() {
    let mut h = Harness::established();
    h.inject(". 1:1(0) ack 1 win 0");
    h.conn.shutdown(Shutdown::Write).unwrap();
    h.expect("F. 1:1(0) ack 1");
    assert_eq!(h.state(), State::FinWait1);
    // Out of our window: the first bare ACK is answered, the next are not.
    h.inject(". 70001:70001(0) ack 1 win 0");
    h.expect(". 2:2(0) ack 1");
    h.inject(". 70001:70001(0) ack 1 win 0");
    h.expect_nothing();
    h.inject(". 80001:80001(0) ack 1 win 0");
    h.expect_nothing();
    // Data is always answered (RFC 5681 4.2: a duplicate ACK at once).
    h.inject("P. 70001:70011(10) ack 1 win 0");
    h.expect(". 2:2(0) ack 1");
    h.advance(Duration::from_millis(500));
    h.inject(". 70001:70001(0) ack 1 win 0");
    h.expect(". 2:2(0) ack 1");
}
