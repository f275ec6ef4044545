//! Tests of the RFC 6298 retransmission timer, with the numbers worked out
//! from the RFC's formulas in each test's comments.

use super::*;
use proptest::prelude::*;

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);

/// A configuration with no floor (min_rto = 0), so the RFC 6298 2.2/2.3
/// formulas show through unclamped.
fn unclamped() -> RttEstimator {
    RttEstimator::new(RttConfig {
        min_rto: Duration::ZERO,
        ..RttConfig::default()
    })
}

#[test]
fn defaults_are_rfc6298() {
    let config = RttConfig::default();
    assert_eq!(config.initial_rto, SEC); // 2.1
    assert_eq!(config.min_rto, SEC); // 2.4
    assert_eq!(config.max_rto, 60 * SEC); // 2.5
    assert_eq!(config.granularity, MS);
}

#[test]
fn rule_2_1_initial_rto_before_any_sample() {
    let rtt = RttEstimator::default();
    assert_eq!(rtt.rto(), SEC);
    assert_eq!(rtt.srtt(), None);
    assert_eq!(rtt.rttvar(), None);
    assert_eq!(rtt.backoff_count(), 0);
}

#[test]
fn rule_2_2_first_sample() {
    let mut rtt = unclamped();
    rtt.on_sample(100 * MS);
    // SRTT = R = 100 ms, RTTVAR = R/2 = 50 ms,
    // RTO = SRTT + max(G, 4*RTTVAR) = 100 + max(1, 200) = 300 ms.
    assert_eq!(rtt.srtt(), Some(100 * MS));
    assert_eq!(rtt.rttvar(), Some(50 * MS));
    assert_eq!(rtt.rto(), 300 * MS);
}

#[test]
fn rule_2_3_subsequent_samples_alpha_eighth_beta_quarter() {
    let mut rtt = unclamped();
    rtt.on_sample(100 * MS);
    rtt.on_sample(200 * MS);
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 37.5 + 25 = 62.5 ms (old SRTT),
    // SRTT = 7/8 * 100 + 1/8 * 200 = 87.5 + 25 = 112.5 ms,
    // RTO = 112.5 + 4 * 62.5 = 362.5 ms.
    assert_eq!(rtt.rttvar(), Some(Duration::from_micros(62_500)));
    assert_eq!(rtt.srtt(), Some(Duration::from_micros(112_500)));
    assert_eq!(rtt.rto(), Duration::from_micros(362_500));
    rtt.on_sample(80 * MS);
    // RTTVAR = 3/4 * 62.5 + 1/4 * |112.5 - 80| = 46.875 + 8.125 = 55 ms,
    // SRTT = 7/8 * 112.5 + 1/8 * 80 = 98.4375 + 10 = 108.4375 ms,
    // RTO = 108.4375 + 220 = 328.4375 ms.
    assert_eq!(rtt.rttvar(), Some(55 * MS));
    assert_eq!(
        rtt.srtt(),
        Some(Duration::from_micros(108_437) + Duration::from_nanos(500))
    );
    assert_eq!(
        rtt.rto(),
        Duration::from_micros(328_437) + Duration::from_nanos(500)
    );
}

#[test]
fn rule_2_3_rttvar_uses_the_old_srtt() {
    // R = 0 after R = 800 ms: the old SRTT gives |800 - 0| = 800 and
    // RTTVAR = 3/4 * 400 + 800/4 = 500 ms; the new SRTT (700) would give 475.
    let mut rtt = unclamped();
    rtt.on_sample(800 * MS);
    rtt.on_sample(Duration::ZERO);
    assert_eq!(rtt.rttvar(), Some(500 * MS));
    assert_eq!(rtt.srtt(), Some(700 * MS));
}

#[test]
fn rule_2_2_granularity_when_rttvar_is_small() {
    let mut rtt = unclamped();
    // R = 0: SRTT = 0, RTTVAR = 0, RTO = 0 + max(G, 0) = G = 1 ms.
    rtt.on_sample(Duration::ZERO);
    assert_eq!(rtt.rto(), MS);
    // R = 1.6 ms after 0: RTTVAR = 0 + 0.4 = 0.4 ms, SRTT = 0.2 ms,
    // 4*RTTVAR = 1.6 ms > G, so RTO = 0.2 + 1.6 = 1.8 ms.
    rtt.on_sample(Duration::from_micros(1_600));
    assert_eq!(rtt.rto(), Duration::from_micros(1_800));
}

#[test]
fn rule_2_4_rto_rounded_up_to_min() {
    let mut rtt = RttEstimator::default();
    rtt.on_sample(100 * MS);
    // 300 ms computed, rounded up to 1 s.
    assert_eq!(rtt.rto(), SEC);
    // Linux's 200 ms floor lets the 300 ms through.
    let mut linux = RttEstimator::new(RttConfig {
        min_rto: 200 * MS,
        ..RttConfig::default()
    });
    linux.on_sample(100 * MS);
    assert_eq!(linux.rto(), 300 * MS);
    linux.on_sample(10 * MS);
    // RTTVAR = 37.5 + 22.5 = 60, SRTT = 87.5 + 1.25 = 88.75, RTO = 328.75 ms.
    assert_eq!(linux.rto(), Duration::from_micros(328_750));
}

#[test]
fn rule_2_5_rto_capped_at_max() {
    let mut rtt = RttEstimator::default();
    // 30 s: RTO = 30 + 4 * 15 = 90 s, capped at 60 s.
    rtt.on_sample(30 * SEC);
    assert_eq!(rtt.rto(), 60 * SEC);
    assert_eq!(rtt.srtt(), Some(30 * SEC));
}

#[test]
fn max_wins_when_min_and_max_cross() {
    let rtt = RttEstimator::new(RttConfig {
        min_rto: 10 * SEC,
        max_rto: 5 * SEC,
        ..RttConfig::default()
    });
    assert_eq!(rtt.rto(), 5 * SEC);
}

#[test]
fn rule_5_5_backoff_doubles_and_caps_at_60s() {
    let mut rtt = RttEstimator::default();
    let mut seen = vec![rtt.rto()];
    for _ in 0..8 {
        rtt.backoff();
        seen.push(rtt.rto());
    }
    let secs: Vec<u64> = seen.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]); // MUST-19
    assert_eq!(rtt.backoff_count(), 8);
}

#[test]
fn rule_5_5_backoff_doubles_the_clamped_rto() {
    // Computed 300 ms, floored at 1 s: the backoff doubles the 1 s.
    let mut rtt = RttEstimator::default();
    rtt.on_sample(100 * MS);
    rtt.backoff();
    assert_eq!(rtt.rto(), 2 * SEC);
    // Unfloored, 300 ms doubles to 600 ms, then 1.2 s.
    let mut bare = unclamped();
    bare.on_sample(100 * MS);
    bare.backoff();
    assert_eq!(bare.rto(), 600 * MS);
    bare.backoff();
    assert_eq!(bare.rto(), 1_200 * MS);
}

#[test]
fn backoff_never_overflows() {
    let mut rtt = RttEstimator::default();
    for _ in 0..100 {
        rtt.backoff();
    }
    assert_eq!(rtt.rto(), 60 * SEC);
    assert_eq!(rtt.backoff_count(), 100);
}

#[test]
fn reset_backoff_keeps_the_estimate() {
    let mut rtt = unclamped();
    rtt.on_sample(100 * MS);
    rtt.backoff();
    rtt.backoff();
    assert_eq!(rtt.rto(), 1_200 * MS);
    rtt.reset_backoff();
    assert_eq!(rtt.backoff_count(), 0);
    assert_eq!(rtt.rto(), 300 * MS);
    assert_eq!(rtt.srtt(), Some(100 * MS));
}

#[test]
fn rule_5_note_new_sample_collapses_backoff() {
    let mut rtt = unclamped();
    rtt.on_sample(100 * MS);
    rtt.backoff();
    rtt.backoff();
    rtt.backoff();
    assert_eq!(rtt.rto(), 2_400 * MS);
    rtt.on_sample(100 * MS);
    // RTTVAR = 37.5 + 0 = 37.5 ms, SRTT = 100 ms, RTO = 250 ms, no backoff.
    assert_eq!(rtt.backoff_count(), 0);
    assert_eq!(rtt.rto(), 250 * MS);
}

#[test]
fn rule_5_7_syn_timeout_reinitialises_rto_to_3s() {
    let mut rtt = RttEstimator::default();
    rtt.backoff(); // the SYN timed out once
    rtt.restart_after_syn_timeout();
    assert_eq!(rtt.rto(), 3 * SEC);
    assert_eq!(rtt.backoff_count(), 0);
    // An RTO already above 3 s is kept.
    let mut slow = RttEstimator::default();
    slow.on_sample(2 * SEC); // 2 + 4 = 6 s
    slow.restart_after_syn_timeout();
    assert_eq!(slow.rto(), 6 * SEC);
    // A later sample recomputes as usual: RTTVAR = 3/4 * 1 + 1/4 * |2 - 1| = 1 s,
    // SRTT = 7/8 * 2 + 1/8 * 1 = 1.875 s, RTO = 1.875 + 4 = 5.875 s.
    slow.on_sample(SEC);
    assert_eq!(slow.rto(), Duration::from_millis(5_875));
}

#[test]
fn absurd_samples_saturate() {
    let mut rtt = RttEstimator::default();
    rtt.on_sample(Duration::MAX);
    assert_eq!(rtt.rto(), 60 * SEC);
    rtt.on_sample(Duration::MAX);
    rtt.on_sample(Duration::ZERO);
    assert_eq!(rtt.rto(), 60 * SEC);
}

proptest! {
    #[test]
    fn rto_always_within_min_and_max(
        min_ms in 0u64..2_000,
        extra_ms in 0u64..120_000,
        ops in proptest::collection::vec(prop_oneof![
            (0u64..200_000_000).prop_map(Some),
            Just(None),
        ], 0..40),
    ) {
        let config = RttConfig {
            min_rto: Duration::from_millis(min_ms),
            max_rto: Duration::from_millis(min_ms + extra_ms),
            ..RttConfig::default()
        };
        let mut rtt = RttEstimator::new(config);
        for op in ops {
            match op {
                Some(us) => rtt.on_sample(Duration::from_micros(us)),
                None => rtt.backoff(),
            }
            prop_assert!(rtt.rto() >= config.min_rto);
            prop_assert!(rtt.rto() <= config.max_rto);
        }
    }

    #[test]
    fn constant_rtt_converges(r_ms in 1u64..10_000) {
        // With R fixed, SRTT stays R and RTTVAR decays to about 0, so the RTO
        // falls to about R + G (RFC 6298 2.3).
        let r = Duration::from_millis(r_ms);
        let mut rtt = unclamped();
        for _ in 0..200 {
            rtt.on_sample(r);
        }
        prop_assert_eq!(rtt.srtt(), Some(r));
        prop_assert!(rtt.rto() >= r + MS);
        prop_assert!(rtt.rto() <= r + 2 * MS);
    }
}
