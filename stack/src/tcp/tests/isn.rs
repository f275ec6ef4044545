//! Tests of RFC 6528 ISN generation (MUST-8, SHLD-1, MUST-9).

use super::*;
use crate::random::Rng;
use core::time::Duration;
use proptest::prelude::*;

const LOCAL: (Ipv4Addr, u16) = (Ipv4Addr::new(192, 0, 2, 1), 8080);
const REMOTE: (Ipv4Addr, u16) = (Ipv4Addr::new(198, 51, 100, 7), 40_000);

fn generator(seed: u64) -> IsnGenerator {
    IsnGenerator::new(&mut Rng::from_seed(seed).derive("isn"))
}

/// The ISNs of `n` connections to REMOTE from consecutive local ports.
fn by_port(isn: &IsnGenerator, now: Instant, n: u16) -> Vec<u32> {
    (0..n)
        .map(|i| isn.isn(now, (LOCAL.0, 1_000 + i), REMOTE).value())
        .collect()
}

#[test]
fn deterministic_for_one_seed() {
    let now = Instant::from_millis(1_234);
    let a = generator(7);
    let b = generator(7);
    assert_eq!(a.isn(now, LOCAL, REMOTE), b.isn(now, LOCAL, REMOTE));
    assert_eq!(by_port(&a, now, 64), by_port(&b, now, 64));
}

#[test]
fn shld_1_different_four_tuples_give_unrelated_isns() {
    let isn = generator(1);
    let now = Instant::from_secs(5);
    let base = isn.isn(now, LOCAL, REMOTE);
    // Each component of the 4-tuple changes the ISN.
    let moved = [
        ((Ipv4Addr::new(192, 0, 2, 2), LOCAL.1), REMOTE),
        ((LOCAL.0, LOCAL.1 + 1), REMOTE),
        (LOCAL, (Ipv4Addr::new(198, 51, 100, 8), REMOTE.1)),
        (LOCAL, (REMOTE.0, REMOTE.1 + 1)),
        (REMOTE, LOCAL), // the same pair, seen from the other side
    ];
    for (local, remote) in moved {
        assert_ne!(isn.isn(now, local, remote), base, "{local:?} {remote:?}");
    }
    // Consecutive ports: all distinct, and not a linear function of the port
    // (the steps between neighbours differ).
    let isns = by_port(&isn, now, 256);
    let mut sorted = isns.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), isns.len());
    let steps: Vec<u32> = isns.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    assert!(steps.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn shld_1_neighbouring_tuples_differ_in_about_half_the_bits() {
    // A PRF's outputs for inputs one bit apart differ in 16 of 32 bits on
    // average; over 1000 pairs the mean lands well within 15..17.
    let isn = generator(2);
    let now = Instant::ZERO;
    let total: u32 = (0..1_000u16)
        .map(|p| {
            let a = isn.isn(now, (LOCAL.0, 2 * p), REMOTE).value();
            let b = isn.isn(now, (LOCAL.0, 2 * p + 1), REMOTE).value();
            (a ^ b).count_ones()
        })
        .sum();
    let mean = f64::from(total) / 1_000.0;
    assert!((15.0..17.0).contains(&mean), "mean flipped bits {mean}");
}

#[test]
fn must_8_clock_advances_by_one_every_4_us() {
    let isn = generator(3);
    let t0 = Instant::from_micros(1_000_000);
    let at = |t: Instant| isn.isn(t, LOCAL, REMOTE);
    assert_eq!(at(t0 + Duration::from_micros(4)), at(t0) + 1);
    assert_eq!(at(t0 + Duration::from_micros(3)), at(t0)); // not a tick yet
    assert_eq!(at(t0 + Duration::from_micros(40)), at(t0) + 10);
    // One second is 250,000 ticks.
    assert_eq!(at(t0 + Duration::from_secs(1)), at(t0) + 250_000);
    // At time zero, the ISN is F alone.
    assert_eq!(
        isn.isn(Instant::ZERO, LOCAL, REMOTE).value(),
        isn.offset(LOCAL, REMOTE)
    );
}

#[test]
fn must_8_clock_wraps_modulo_2_32() {
    // 2^32 ticks of 4 µs (about 4.77 h) bring M back to 0.
    let isn = generator(4);
    let wrap = Instant::from_micros(CLOCK_TICK_MICROS << 32);
    assert_eq!(IsnGenerator::clock(wrap), 0);
    assert_eq!(
        isn.isn(wrap, LOCAL, REMOTE),
        isn.isn(Instant::ZERO, LOCAL, REMOTE)
    );
    assert_eq!(
        IsnGenerator::clock(wrap - Duration::from_micros(4)),
        u32::MAX
    );
}

#[test]
fn must_9_generators_from_different_seeds_differ() {
    let now = Instant::from_secs(1);
    let a = generator(10);
    let b = generator(11);
    assert_ne!(a.isn(now, LOCAL, REMOTE), b.isn(now, LOCAL, REMOTE));
    let (xs, ys) = (by_port(&a, now, 64), by_port(&b, now, 64));
    assert!(xs.iter().zip(&ys).all(|(x, y)| x != y));
}

#[test]
fn must_9_debug_hides_the_key() {
    assert_eq!(format!("{:?}", generator(12)), "IsnGenerator { .. }");
}

proptest! {
    #[test]
    fn must_8_isn_advances_by_elapsed_ticks(
        seed in any::<u64>(),
        start in 0u64..(1 << 40),
        elapsed in 0u64..(1 << 40),
        local_port in any::<u16>(),
        remote_port in any::<u16>(),
    ) {
        let isn = generator(seed);
        let local = (LOCAL.0, local_port);
        let remote = (REMOTE.0, remote_port);
        let t0 = Instant::from_micros(start);
        let t1 = Instant::from_micros(start + elapsed);
        let ticks = (start + elapsed) / 4 - start / 4;
        let advance = isn.isn(t1, local, remote).value().wrapping_sub(isn.isn(t0, local, remote).value());
        prop_assert_eq!(advance, ticks as u32);
    }
}
