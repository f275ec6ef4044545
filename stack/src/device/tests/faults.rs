//! Tests of the fault injector: each fault at about its configured rate,
//! counters that match what the receiver sees, and bit-for-bit replay.

use super::*;
use crate::device::{Pipe, PipeConfig};

const LATENCY: Duration = Duration::from_millis(1);
const SPACING: Duration = Duration::from_millis(1);
const N: u32 = 10_000;
const SEED: u64 = 0x5eed;

/// A frame received, and when.
type Arrival = (Instant, Vec<u8>);

/// A 64-byte frame whose first four bytes are its sequence number.
fn frame(i: u32) -> Vec<u8> {
    let mut f: Vec<u8> = (0..64u8).map(|b| b ^ i as u8).collect();
    f[..4].copy_from_slice(&i.to_be_bytes());
    f
}

fn seq_of(f: &[u8]) -> u32 {
    u32::from_be_bytes([f[0], f[1], f[2], f[3]])
}

/// Deliver every event due by `until`, recording each frame at its exact ready time.
fn drain(a: &mut Faults<Pipe>, b: &mut Pipe, until: Instant, got: &mut Vec<Arrival>) {
    while let Some(t) = earliest(a.poll_at(), b.poll_at()).filter(|&t| t <= until) {
        a.release(t);
        while let Some(f) = b.recv(t).unwrap() {
            got.push((t, f));
        }
    }
}

/// Send `n` frames built by `make`, one every `spacing`, and collect what arrives.
fn run_with(
    config: FaultConfig,
    seed: u64,
    n: u32,
    spacing: Duration,
    make: fn(u32) -> Vec<u8>,
) -> (Vec<Arrival>, FaultStats) {
    let pipe = PipeConfig {
        latency: LATENCY,
        queue_limit: usize::MAX,
        ..PipeConfig::default()
    };
    let (a, mut b) = Pipe::new(pipe);
    let mut a = Faults::new(a, config, Rng::from_seed(seed)).unwrap();
    let mut got = Vec::new();
    for i in 0..n {
        let now = Instant::ZERO + spacing * i;
        drain(&mut a, &mut b, now, &mut got);
        a.send(now, &make(i)).unwrap();
    }
    drain(&mut a, &mut b, Instant::MAX, &mut got);
    assert_eq!(a.held(), 0);
    (got, *a.stats())
}

fn run(config: FaultConfig, seed: u64) -> (Vec<Arrival>, FaultStats) {
    run_with(config, seed, N, SPACING, frame)
}

/// Assert `count` is within five standard deviations of `n * p`.
#[track_caller]
fn assert_rate(count: u64, n: u32, p: f64) {
    let n = f64::from(n);
    let expected = n * p;
    let sigma = (n * p * (1.0 - p)).sqrt();
    let off = (count as f64 - expected).abs();
    assert!(
        off <= 5.0 * sigma,
        "{count} is not within 5σ ({sigma:.1}) of {expected}"
    );
}

fn sent_at(seq: u32) -> Instant {
    Instant::ZERO + SPACING * seq
}

#[test]
fn no_faults_is_transparent() {
    let (got, stats) = run(FaultConfig::default(), SEED);
    assert_eq!(got.len(), N as usize);
    for (i, (at, f)) in got.iter().enumerate() {
        assert_eq!(*f, frame(i as u32));
        assert_eq!(*at, sent_at(i as u32) + LATENCY);
    }
    let expected = FaultStats {
        frames: N.into(),
        forwarded: N.into(),
        ..FaultStats::default()
    };
    assert_eq!(stats, expected);
}

#[test]
fn drop_at_its_rate() {
    let (got, stats) = run(
        FaultConfig {
            drop: 0.1,
            ..FaultConfig::default()
        },
        SEED,
    );
    assert_rate(stats.dropped, N, 0.1);
    assert_eq!(got.len() as u64, u64::from(N) - stats.dropped);
    assert_eq!(stats.forwarded, got.len() as u64);
    // The survivors are intact and in order.
    assert!(got.windows(2).all(|w| seq_of(&w[0].1) < seq_of(&w[1].1)));
    assert!(got.iter().all(|(_, f)| *f == frame(seq_of(f))));
}

#[test]
fn duplicate_at_its_rate() {
    let (got, stats) = run(
        FaultConfig {
            duplicate: 0.1,
            ..FaultConfig::default()
        },
        SEED,
    );
    assert_rate(stats.duplicated, N, 0.1);
    assert_eq!(got.len() as u64, u64::from(N) + stats.duplicated);
    let twins = got.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(twins as u64, stats.duplicated);
}

#[test]
fn corrupt_flips_exactly_one_bit() {
    let (got, stats) = run(
        FaultConfig {
            corrupt: 0.1,
            ..FaultConfig::default()
        },
        SEED,
    );
    assert_rate(stats.corrupted, N, 0.1);
    assert_eq!(got.len(), N as usize);
    let mut damaged = 0;
    for (i, (_, f)) in got.iter().enumerate() {
        let flipped: u32 = f
            .iter()
            .zip(frame(i as u32))
            .map(|(x, y)| (x ^ y).count_ones())
            .sum();
        assert!(flipped <= 1, "frame {i} has {flipped} bits flipped");
        damaged += u64::from(flipped);
    }
    assert_eq!(damaged, stats.corrupted);
}

#[test]
fn reorder_lets_later_frames_overtake() {
    let config = FaultConfig {
        reorder: 0.1,
        ..FaultConfig::default()
    };
    let (got, stats) = run(config, SEED);
    assert_rate(stats.reordered, N, 0.1);
    assert_eq!(got.len(), N as usize);
    // A held frame arrives after a later-numbered one (the hold is 10 sends long).
    let mut highest = None;
    let mut late = 0;
    for (at, f) in &got {
        let seq = seq_of(f);
        if highest.is_some_and(|h| seq < h) {
            late += 1;
            assert_eq!(*at, sent_at(seq) + LATENCY + Duration::from_millis(10));
        }
        highest = highest.max(Some(seq));
    }
    assert_eq!(late, stats.reordered);
}

#[test]
fn delay_and_jitter_stay_in_bounds() {
    let delay = Duration::from_millis(5);
    let jitter = Duration::from_millis(2);
    let (got, stats) = run(
        FaultConfig {
            delay,
            jitter,
            ..FaultConfig::default()
        },
        SEED,
    );
    assert_eq!(stats.delayed, u64::from(N));
    assert_eq!(got.len(), N as usize);
    let extras: Vec<u64> = got
        .iter()
        .map(|(at, f)| (*at - sent_at(seq_of(f)) - LATENCY).as_micros() as u64)
        .collect();
    assert!(extras.iter().all(|&e| (5_000..=7_000).contains(&e)));
    let mean = extras.iter().sum::<u64>() as f64 / extras.len() as f64;
    assert!((mean - 6_000.0).abs() < 50.0, "mean extra delay {mean}µs");
    assert!(*extras.iter().min().unwrap() < 5_100 && *extras.iter().max().unwrap() > 6_900);
}

/// 1000-byte frames, so a 100 kB/s link takes 10 ms per frame.
fn big_frame(i: u32) -> Vec<u8> {
    let mut f = vec![0; 1000];
    f[..4].copy_from_slice(&i.to_be_bytes());
    f
}

#[test]
fn rate_limit_queues_then_drops() {
    // Offered: one frame every 5 ms, twice what the link carries.
    let rate = RateLimit {
        bytes_per_second: 100_000,
        queue_bytes: 3_000,
    };
    let config = FaultConfig {
        rate: Some(rate),
        ..FaultConfig::default()
    };
    let n = 1_000;
    let (got, stats) = run_with(config, SEED, n, Duration::from_millis(5), big_frame);
    assert_eq!(stats.rate_dropped + got.len() as u64, u64::from(n));
    assert!(stats.rate_queued > 0);
    // The link never goes faster than its rate...
    assert!(got
        .windows(2)
        .all(|w| w[1].0 - w[0].0 >= Duration::from_millis(10)));
    // ...and stays busy: 5 s of offered load carry ~500 frames, plus the queue.
    let carried = got.len() as u64;
    assert!((500..=505).contains(&carried), "carried {carried}");
}

#[test]
fn rate_limit_below_capacity_adds_only_transmission_time() {
    let rate = RateLimit {
        bytes_per_second: 100_000,
        queue_bytes: 0,
    };
    let config = FaultConfig {
        rate: Some(rate),
        ..FaultConfig::default()
    };
    let (got, stats) = run_with(config, SEED, 100, Duration::from_millis(20), big_frame);
    assert_eq!((stats.rate_dropped, stats.rate_queued), (0, 0));
    for (at, f) in &got {
        let sent = Instant::ZERO + Duration::from_millis(20) * seq_of(f);
        assert_eq!(*at, sent + Duration::from_millis(10) + LATENCY);
    }
}

fn everything() -> FaultConfig {
    FaultConfig {
        drop: 0.05,
        duplicate: 0.05,
        corrupt: 0.05,
        reorder: 0.05,
        reorder_hold: Duration::from_millis(3),
        delay: Duration::from_millis(2),
        jitter: Duration::from_micros(1_500),
        rate: Some(RateLimit {
            bytes_per_second: 1_000_000,
            queue_bytes: 10_000,
        }),
    }
}

#[test]
fn same_seed_replays_bit_for_bit() {
    let first = run(everything(), SEED);
    assert_eq!(first, run(everything(), SEED));
    let other = run(everything(), SEED + 1);
    assert_ne!(first.0, other.0);
    let s = first.1;
    assert!(s.dropped > 0 && s.duplicated > 0 && s.corrupted > 0 && s.reordered > 0);
}

#[test]
fn one_fault_does_not_shift_another() {
    let drop_only = FaultConfig {
        drop: 0.1,
        ..FaultConfig::default()
    };
    let with_corruption = FaultConfig {
        corrupt: 0.3,
        ..drop_only.clone()
    };
    let times = |got: &[Arrival]| got.iter().map(|x| x.0).collect::<Vec<_>>();
    let (a, plain) = run(drop_only, SEED);
    let (b, stats) = run(with_corruption, SEED);
    assert!(stats.corrupted > 0);
    assert_eq!(plain.dropped, stats.dropped);
    // The same frames survive: with no delay, the arrival time names the
    // frame (corruption may hit the sequence field itself).
    assert_eq!(times(&a), times(&b));
}

#[test]
fn poll_at_includes_held_frames() {
    let (a, b) = Pipe::new(PipeConfig {
        latency: LATENCY,
        ..PipeConfig::default()
    });
    let config = FaultConfig {
        delay: Duration::from_millis(5),
        ..FaultConfig::default()
    };
    let mut a = Faults::new(a, config, Rng::from_seed(SEED)).unwrap();
    a.send(Instant::ZERO, &frame(0)).unwrap();
    assert_eq!(a.held(), 1);
    assert_eq!(a.poll_at(), Some(Instant::from_millis(5)));
    assert_eq!(b.poll_at(), None);
    assert_eq!(a.recv(Instant::from_millis(5)), Ok(None));
    assert_eq!(a.held(), 0);
    assert_eq!(b.poll_at(), Some(Instant::from_millis(6)));
}

#[test]
fn too_long_frames_are_refused_before_any_fault() {
    let (a, _b) = Pipe::new(PipeConfig {
        mtu: 64,
        ..PipeConfig::default()
    });
    let mut a = Faults::new(a, everything(), Rng::from_seed(SEED)).unwrap();
    assert_eq!(
        a.send(Instant::ZERO, &[0; 65]),
        Err(DeviceError::TooLong { len: 65, mtu: 64 })
    );
    assert_eq!(a.stats().frames, 0);
}

#[test]
fn bad_configs_are_refused() {
    let check = |config: FaultConfig| FaultConfig::validate(&config).map_err(|e| e.field);
    assert_eq!(
        check(FaultConfig {
            drop: 1.5,
            ..FaultConfig::default()
        }),
        Err("drop")
    );
    assert_eq!(
        check(FaultConfig {
            corrupt: f64::NAN,
            ..FaultConfig::default()
        }),
        Err("corrupt")
    );
    assert_eq!(
        check(FaultConfig {
            duplicate: -0.1,
            ..FaultConfig::default()
        }),
        Err("duplicate")
    );
    let no_hold = FaultConfig {
        reorder: 0.1,
        reorder_hold: Duration::ZERO,
        ..FaultConfig::default()
    };
    assert_eq!(check(no_hold), Err("reorder_hold"));
    let no_rate = RateLimit {
        bytes_per_second: 0,
        queue_bytes: 0,
    };
    assert_eq!(
        check(FaultConfig {
            rate: Some(no_rate),
            ..FaultConfig::default()
        }),
        Err("rate")
    );
    assert_eq!(check(everything()), Ok(()));
    let (a, _b) = Pipe::new(PipeConfig::default());
    let err = Faults::new(
        a,
        FaultConfig {
            drop: 2.0,
            ..FaultConfig::default()
        },
        Rng::from_seed(1),
    );
    assert!(err.unwrap_err().to_string().contains("`drop`"));
}
