//! Tests of NewReno congestion control (RFC 5681, RFC 6582, RFC 6928, RFC
//! 3042), with the numbers worked out from the RFCs' formulas.

use super::*;
use proptest::prelude::*;

const SMSS: usize = 1_460;
const T0: Instant = Instant::ZERO;
const ISS: SeqNumber = SeqNumber(1_000);

/// The sequence number `n` bytes after the ISN.
fn seq(n: usize) -> SeqNumber {
    ISS + n as u32
}

/// A controller with RFC 6928's initial window and SMSS 1460 (cwnd 14600).
fn reno() -> NewReno {
    NewReno::new(CongestionConfig::default(), SMSS)
}

/// Send `n` duplicate ACKs and return the last action.
#[track_caller]
fn dups(cc: &mut NewReno, n: usize, snd_nxt: SeqNumber, flight: usize) -> DupAckAction {
    let mut last = DupAckAction::None;
    for _ in 0..n {
        last = cc.on_duplicate_ack(snd_nxt, flight);
    }
    last
}

/// A controller in fast recovery: 10 segments out (snd_nxt = seq(14600)),
/// the first lost, three duplicate ACKs: ssthresh 7300, cwnd 11680.
fn in_recovery() -> NewReno {
    let mut cc = reno();
    assert_eq!(
        dups(&mut cc, 3, seq(14_600), 14_600),
        DupAckAction::FastRetransmit
    );
    cc
}

/// A controller in congestion avoidance with cwnd = ssthresh = 14600:
/// a timeout with 29200 in flight, then slow start back up.
fn in_congestion_avoidance() -> NewReno {
    let mut cc = reno();
    cc.on_retransmit_timeout(29_200);
    for i in 1..=9 {
        cc.on_ack(T0, SMSS, seq(i * SMSS), 29_200);
    }
    assert_eq!((cc.cwnd(), cc.ssthresh()), (14_600, 14_600));
    cc
}

#[test]
fn rfc6928_initial_window_for_mss_536_1460_9000() {
    // IW = min (10*MSS, max (2*MSS, 14600)).
    for (mss, iw) in [(536, 5_360), (1_460, 14_600), (9_000, 18_000)] {
        let cc = NewReno::new(CongestionConfig::default(), mss);
        assert_eq!(cc.cwnd(), iw, "MSS {mss}");
        assert_eq!(cc.mss(), mss);
    }
    // SMSS 4380: min(43800, max(8760, 14600)) = 14600, the byte cap.
    assert_eq!(InitialWindow::Segments(10).bytes(4_380), 14_600);
}

#[test]
fn rfc5681_eq1_initial_window() {
    let iw = |smss| InitialWindow::Rfc5681.bytes(smss);
    assert_eq!(iw(536), 4 * 536);
    assert_eq!(iw(1_095), 4 * 1_095);
    assert_eq!(iw(1_096), 3 * 1_096);
    assert_eq!(iw(1_460), 3 * 1_460);
    assert_eq!(iw(2_190), 3 * 2_190);
    assert_eq!(iw(2_191), 2 * 2_191);
    assert_eq!(iw(9_000), 2 * 9_000);
}

#[test]
fn initial_window_never_below_one_segment() {
    assert_eq!(InitialWindow::Segments(0).bytes(SMSS), SMSS);
    assert_eq!(InitialWindow::Segments(1).bytes(SMSS), SMSS);
    assert_eq!(InitialWindow::Segments(4).bytes(SMSS), 4 * SMSS);
    let cc = NewReno::new(CongestionConfig::default(), 0);
    assert_eq!(cc.mss(), 1);
    assert_eq!(cc.cwnd(), 10);
}

#[test]
fn rfc5681_3_1_initial_ssthresh_arbitrarily_high() {
    let cc = reno();
    assert_eq!(cc.ssthresh(), 65_535 << 14);
    assert!(cc.in_slow_start());
    assert!(!cc.in_recovery());
    assert_eq!(cc.recover(), None);
}

#[test]
fn rfc5681_eq2_slow_start_grows_min_n_smss_per_ack() {
    let mut cc = reno();
    assert_eq!(cc.on_ack(T0, 1_460, seq(1_460), 14_600), AckAction::None);
    assert_eq!(cc.cwnd(), 16_060);
    // A delayed ACK of two segments still adds one SMSS (eq. 2).
    cc.on_ack(T0, 2_920, seq(4_380), 14_600);
    assert_eq!(cc.cwnd(), 17_520);
    // A short segment adds what it acknowledged.
    cc.on_ack(T0, 500, seq(4_880), 14_600);
    assert_eq!(cc.cwnd(), 18_020);
    assert_eq!(cc.last_ack(), Some(T0));
}

#[test]
fn rfc5681_slow_start_doubles_per_round_trip() {
    // One ACK per segment: a window of 10 segments acknowledged gives 20.
    let mut cc = reno();
    for i in 1..=10 {
        cc.on_ack(T0, SMSS, seq(i * SMSS), 14_600);
    }
    assert_eq!(cc.cwnd(), 29_200);
}

#[test]
fn rfc5681_3_1_switch_to_congestion_avoidance_at_ssthresh() {
    let mut cc = reno();
    // Timeout with 29200 in flight: ssthresh 14600, cwnd 1460.
    cc.on_retransmit_timeout(29_200);
    for i in 1..=8 {
        cc.on_ack(T0, SMSS, seq(i * SMSS), 29_200);
        assert!(cc.in_slow_start());
    }
    assert_eq!(cc.cwnd(), 13_140);
    cc.on_ack(T0, SMSS, seq(9 * SMSS), 29_200);
    assert_eq!(cc.cwnd(), 14_600);
    assert!(!cc.in_slow_start());
    // The next ACK is counted, not added: congestion avoidance.
    cc.on_ack(T0, SMSS, seq(10 * SMSS), 29_200);
    assert_eq!(cc.cwnd(), 14_600);
}

#[test]
fn rfc5681_congestion_avoidance_one_smss_per_round_trip() {
    let mut cc = in_congestion_avoidance();
    // A window of 14600 is 10 ACKs of one segment: 9 leave cwnd alone, the
    // 10th brings bytes_acked to cwnd and adds SMSS (RFC 3465 2.1).
    for _ in 0..9 {
        cc.on_ack(T0, SMSS, seq(0), 14_600);
    }
    assert_eq!(cc.cwnd(), 14_600);
    cc.on_ack(T0, SMSS, seq(0), 14_600);
    assert_eq!(cc.cwnd(), 16_060);
    // Next round trip: 16060 / 1460 = 11 ACKs.
    for _ in 0..10 {
        cc.on_ack(T0, SMSS, seq(0), 16_060);
    }
    assert_eq!(cc.cwnd(), 16_060);
    cc.on_ack(T0, SMSS, seq(0), 16_060);
    assert_eq!(cc.cwnd(), 17_520);
}

#[test]
fn rfc3465_delayed_acks_still_grow_one_smss_per_round_trip() {
    let mut cc = in_congestion_avoidance();
    // 14600 acknowledged by 5 delayed ACKs of 2920.
    for _ in 0..4 {
        cc.on_ack(T0, 2 * SMSS, seq(0), 14_600);
    }
    assert_eq!(cc.cwnd(), 14_600);
    cc.on_ack(T0, 2 * SMSS, seq(0), 14_600);
    assert_eq!(cc.cwnd(), 16_060);
}

#[test]
fn rfc3042_limited_transmit_on_first_two_duplicates() {
    let mut cc = reno();
    assert_eq!(
        cc.on_duplicate_ack(seq(14_600), 14_600),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.window(), 14_600 + SMSS);
    assert_eq!(
        cc.on_duplicate_ack(seq(16_060), 16_060),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.window(), 14_600 + 2 * SMSS);
    // RFC 3042 2: "The congestion window (cwnd) MUST NOT be changed".
    assert_eq!(cc.cwnd(), 14_600);
    assert_eq!(cc.duplicate_acks(), 2);
    // Any ACK of new data ends the run.
    cc.on_ack(T0, SMSS, seq(1_460), 17_520);
    assert_eq!(cc.duplicate_acks(), 0);
    assert_eq!(cc.window(), cc.cwnd());
}

#[test]
fn rfc5681_3_2_third_duplicate_fast_retransmit() {
    let mut cc = reno();
    assert_eq!(
        dups(&mut cc, 2, seq(14_600), 14_600),
        DupAckAction::SendNewData
    );
    assert_eq!(
        cc.on_duplicate_ack(seq(14_600), 14_600),
        DupAckAction::FastRetransmit
    );
    // ssthresh = max (FlightSize / 2, 2*SMSS) = max(7300, 2920) = 7300;
    // cwnd = ssthresh + 3*SMSS = 7300 + 4380 = 11680.
    assert_eq!(cc.ssthresh(), 7_300);
    assert_eq!(cc.cwnd(), 11_680);
    assert!(cc.in_recovery());
    assert_eq!(cc.recover(), Some(seq(14_600)));
    assert_eq!(cc.window(), 11_680);
}

#[test]
fn rfc6582_step_2_recover_is_the_highest_sent_with_limited_transmit() {
    let mut cc = reno();
    cc.on_duplicate_ack(seq(14_600), 14_600);
    cc.on_duplicate_ack(seq(16_060), 16_060); // one new segment sent
    cc.on_duplicate_ack(seq(17_520), 17_520); // and another
                                              // ssthresh = max(17520 / 2, 2920) = 8760, cwnd = 8760 + 4380.
    assert_eq!(cc.ssthresh(), 8_760);
    assert_eq!(cc.cwnd(), 13_140);
    assert_eq!(cc.recover(), Some(seq(17_520)));
}

#[test]
fn rfc5681_eq4_ssthresh_at_least_two_smss_after_fast_retransmit() {
    let mut cc = reno();
    // Only 3000 in flight: max(1500, 2920) = 2920, cwnd = 2920 + 4380.
    dups(&mut cc, 3, seq(3_000), 3_000);
    assert_eq!(cc.ssthresh(), 2 * SMSS);
    assert_eq!(cc.cwnd(), 7_300);
}

#[test]
fn rfc5681_3_2_step_4_inflation_per_further_duplicate() {
    let mut cc = in_recovery();
    assert_eq!(
        cc.on_duplicate_ack(seq(14_600), 14_600),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.cwnd(), 13_140);
    assert_eq!(
        cc.on_duplicate_ack(seq(14_600), 14_600),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.cwnd(), 14_600);
    assert_eq!(cc.ssthresh(), 7_300);
    assert_eq!(cc.duplicate_acks(), 5);
}

#[test]
fn rfc6582_step_5_partial_ack_retransmits_and_deflates() {
    let mut cc = in_recovery();
    dups(&mut cc, 2, seq(14_600), 14_600); // cwnd 14600
                                           // Partial ACK of 2920 (>= SMSS): cwnd = 14600 - 2920 + 1460 = 13140.
    let action = cc.on_ack(T0, 2_920, seq(2_920), 14_600);
    assert_eq!(action, AckAction::RetransmitFirstUnacked);
    assert_eq!(cc.cwnd(), 13_140);
    assert!(cc.in_recovery());
    // Partial ACK of 500 (< SMSS): deflated by 500, nothing added back.
    let action = cc.on_ack(T0, 500, seq(3_420), 11_680);
    assert_eq!(action, AckAction::RetransmitFirstUnacked);
    assert_eq!(cc.cwnd(), 12_640);
    // Duplicate ACKs after a partial ACK still inflate (step 4).
    assert_eq!(
        cc.on_duplicate_ack(seq(14_600), 11_180),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.cwnd(), 14_100);
    assert_eq!(cc.ssthresh(), 7_300);
}

#[test]
fn rfc6582_step_5_partial_ack_never_below_one_smss() {
    let mut cc = in_recovery(); // cwnd 11680
    let action = cc.on_ack(T0, 12_000, seq(12_000), 14_600);
    assert_eq!(action, AckAction::RetransmitFirstUnacked);
    // 11680 - 12000 saturates at 0, + 1460 (a full SMSS acknowledged).
    assert_eq!(cc.cwnd(), SMSS);
}

#[test]
fn rfc6582_step_5_full_ack_exits_with_flight_plus_smss() {
    let mut cc = in_recovery();
    cc.on_ack(T0, 2_920, seq(2_920), 14_600);
    // Full ACK at recover with nothing left outstanding:
    // cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) = min(7300, 2920).
    let action = cc.on_ack(T0, 11_680, seq(14_600), 11_680);
    assert_eq!(action, AckAction::None);
    assert!(!cc.in_recovery());
    assert_eq!(cc.cwnd(), 2_920);
    assert_eq!(cc.ssthresh(), 7_300);
}

#[test]
fn rfc6582_step_5_full_ack_exits_with_ssthresh() {
    let mut cc = in_recovery();
    // New data sent during recovery: 8760 still outstanding after the ACK,
    // which covers more than recover. cwnd = min(7300, 8760 + 1460) = 7300.
    let action = cc.on_ack(T0, 16_000, seq(16_000), 24_760);
    assert_eq!(action, AckAction::None);
    assert!(!cc.in_recovery());
    assert_eq!(cc.cwnd(), 7_300);
    // Back in congestion avoidance (cwnd = ssthresh).
    assert!(!cc.in_slow_start());
}

#[test]
fn rfc5681_3_1_timeout_sets_loss_window_and_halves_ssthresh() {
    let mut cc = reno();
    cc.on_retransmit_timeout(14_600);
    // ssthresh = max(14600 / 2, 2920) = 7300; cwnd = LW = 1 SMSS.
    assert_eq!(cc.ssthresh(), 7_300);
    assert_eq!(cc.cwnd(), SMSS);
    assert!(cc.in_slow_start());
    // Little in flight: ssthresh still 2*SMSS at least.
    let mut small = reno();
    small.on_retransmit_timeout(1_000);
    assert_eq!(small.ssthresh(), 2 * SMSS);
}

#[test]
fn rfc5681_3_1_second_timeout_keeps_ssthresh() {
    let mut cc = reno();
    cc.on_retransmit_timeout(14_600);
    // The same segment times out again: ssthresh is not recomputed.
    cc.on_retransmit_timeout(4_000);
    assert_eq!(cc.ssthresh(), 7_300);
    assert_eq!(cc.cwnd(), SMSS);
    // Once new data is acknowledged, a new timeout halves again.
    cc.on_ack(T0, SMSS, seq(SMSS), 14_600);
    cc.on_retransmit_timeout(4_000);
    assert_eq!(cc.ssthresh(), 2 * SMSS);
}

#[test]
fn rfc6582_step_6_timeout_ends_fast_recovery() {
    let mut cc = in_recovery();
    cc.on_ack(T0, 2_920, seq(2_920), 14_600); // partial
    cc.on_retransmit_timeout(11_680);
    assert!(!cc.in_recovery());
    assert_eq!(cc.cwnd(), SMSS);
    assert_eq!(cc.ssthresh(), 5_840);
    // recover = SND.UNA + FlightSize = 2920 + 11680 = the old recover.
    assert_eq!(cc.recover(), Some(seq(14_600)));
    assert_eq!(cc.duplicate_acks(), 0);
}

#[test]
fn rfc6582_step_2_no_fast_retransmit_below_recover() {
    let mut cc = reno();
    cc.on_ack(T0, SMSS, seq(1_460), 14_600); // cwnd 16060
                                             // 16060 outstanding up to seq(17520) when the timer fires.
    cc.on_retransmit_timeout(16_060);
    assert_eq!(cc.ssthresh(), 8_030);
    assert_eq!(cc.recover(), Some(seq(17_520)));
    // Going back, the retransmission is acknowledged, then duplicates arrive
    // for segments the receiver already had.
    cc.on_ack(T0, SMSS, seq(2_920), 16_060);
    assert_eq!(
        dups(&mut cc, 2, seq(17_520), 14_600),
        DupAckAction::SendNewData
    );
    assert_eq!(cc.on_duplicate_ack(seq(17_520), 14_600), DupAckAction::None);
    assert_eq!(cc.on_duplicate_ack(seq(17_520), 14_600), DupAckAction::None);
    assert!(!cc.in_recovery());
    assert_eq!(cc.ssthresh(), 8_030); // "does not reset ssthresh"
    assert_eq!(cc.cwnd(), 2_920);
}

#[test]
fn rfc6582_step_2_fast_retransmit_only_once_ack_covers_more_than_recover() {
    let mut cc = in_recovery(); // recover = seq(14600)
    cc.on_ack(T0, 14_600, seq(14_600), 14_600); // full ACK, exactly at recover
    assert!(!cc.in_recovery());
    // The ACK field equals recover: it covers recover, not more.
    assert_eq!(dups(&mut cc, 3, seq(17_520), 2_920), DupAckAction::None);
    assert_eq!(cc.ssthresh(), 7_300);
    // Once SND.UNA passes recover, a new loss is fast-retransmitted.
    cc.on_ack(T0, SMSS, seq(16_060), 2_920);
    assert_eq!(
        dups(&mut cc, 3, seq(20_440), 4_380),
        DupAckAction::FastRetransmit
    );
    assert_eq!(cc.ssthresh(), 2 * SMSS);
    assert_eq!(cc.recover(), Some(seq(20_440)));
}

#[test]
fn rfc5681_4_1_idle_restart() {
    let mut cc = reno();
    for i in 1..=10 {
        cc.on_ack(T0, SMSS, seq(i * SMSS), 14_600);
    }
    assert_eq!(cc.cwnd(), 29_200);
    // Idle for exactly one RTO: not "exceeding" it.
    cc.on_idle(Duration::from_secs(1), Duration::from_secs(1));
    assert_eq!(cc.cwnd(), 29_200);
    // Longer: cwnd = RW = min(IW, cwnd) = 14600; ssthresh kept.
    cc.on_idle(Duration::from_millis(1_001), Duration::from_secs(1));
    assert_eq!(cc.cwnd(), 14_600);
    assert_eq!(cc.ssthresh(), INITIAL_SSTHRESH);
    // A window already below IW stays.
    cc.on_retransmit_timeout(14_600);
    cc.on_idle(Duration::from_secs(10), Duration::from_secs(1));
    assert_eq!(cc.cwnd(), SMSS);
}

#[test]
fn set_mss_recomputes_the_unused_initial_window() {
    let mut cc = NewReno::new(CongestionConfig::default(), 536);
    assert_eq!(cc.cwnd(), 5_360);
    cc.set_mss(1_460);
    assert_eq!(cc.cwnd(), 14_600);
    cc.set_mss(9_000);
    assert_eq!(cc.cwnd(), 18_000);
    // Once data was acknowledged, cwnd stays in bytes.
    cc.on_ack(T0, 9_000, seq(9_000), 18_000);
    assert_eq!(cc.cwnd(), 27_000);
    cc.set_mss(536);
    assert_eq!(cc.cwnd(), 27_000);
    assert_eq!(cc.mss(), 536);
}

#[test]
fn set_mss_raises_cwnd_to_one_segment_and_ssthresh_to_two() {
    let mut cc = reno();
    cc.on_retransmit_timeout(14_600); // cwnd 1460
    cc.set_mss(9_000);
    assert_eq!(cc.cwnd(), 9_000);
    // ssthresh (7300) rises to 2*SMSS too.
    assert_eq!(cc.ssthresh(), 18_000);
}

#[test]
fn rfc5681_3_1_lost_syn_gives_one_segment_initial_window() {
    let mut cc = NewReno::new(CongestionConfig::default(), 536);
    cc.on_syn_retransmitted();
    assert_eq!(cc.cwnd(), 536);
    cc.set_mss(1_460);
    assert_eq!(cc.cwnd(), 1_460);
    // No effect once the connection is running.
    let mut running = reno();
    running.on_ack(T0, SMSS, seq(SMSS), 14_600);
    running.on_syn_retransmitted();
    assert_eq!(running.cwnd(), 16_060);
}

/// One step of a random sender for the invariants.
#[derive(Debug, Clone)]
enum Op {
    Send(usize),
    Ack(usize),
    Dup,
    Timeout,
    Idle(u64),
    Mss(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (1usize..20_000).prop_map(Op::Send),
        2 => (1usize..20_000).prop_map(Op::Ack),
        4 => Just(Op::Dup),
        1 => Just(Op::Timeout),
        1 => (0u64..3_000).prop_map(Op::Idle),
        1 => (1usize..9_000).prop_map(Op::Mss),
    ]
}

proptest! {
    #[test]
    fn cwnd_never_below_one_smss_and_ssthresh_at_least_two_after_loss(
        mss in 1usize..9_000,
        ops in proptest::collection::vec(op(), 0..200),
    ) {
        let mut cc = NewReno::new(CongestionConfig::default(), mss);
        let (mut una, mut nxt) = (ISS, ISS);
        for op in ops {
            let flight = (nxt - una) as usize;
            match op {
                Op::Send(n) => nxt += n as u32,
                Op::Ack(n) if flight > 0 => {
                    let acked = n.min(flight);
                    una += acked as u32;
                    cc.on_ack(T0, acked, una, flight);
                }
                Op::Ack(_) => {}
                Op::Dup => {
                    if cc.on_duplicate_ack(nxt, flight) == DupAckAction::FastRetransmit {
                        prop_assert!(cc.ssthresh() >= 2 * cc.mss());
                        prop_assert_eq!(cc.recover(), Some(nxt));
                    }
                }
                Op::Timeout => {
                    cc.on_retransmit_timeout(flight);
                    prop_assert!(cc.ssthresh() >= 2 * cc.mss());
                    prop_assert_eq!(cc.cwnd(), cc.mss());
                    prop_assert!(!cc.in_recovery());
                }
                Op::Idle(ms) => cc.on_idle(Duration::from_millis(ms), Duration::from_secs(1)),
                Op::Mss(m) => cc.set_mss(m),
            }
            prop_assert!(cc.cwnd() >= cc.mss());
            prop_assert!(cc.ssthresh() >= 2 * cc.mss());
            prop_assert!(cc.window() >= cc.cwnd());
            prop_assert!(!cc.in_recovery() || cc.recover().is_some());
        }
    }
}
