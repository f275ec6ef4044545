//! Seeded randomness: every random choice in a run replays from one `u64`.
//!
//! The stack never asks the OS for entropy. A run starts from a seed
//! ([`Rng::from_seed`]), and each component takes its own child stream with
//! [`Rng::derive`] (`"ip-id"`, `"ephemeral-port"`, `"isn"`, `"faults/drop"`,
//! ...), as quinn-proto derives per-connection seeds from
//! `EndpointConfig::rng_seed`. A child depends only on its parent's seed and
//! its label, never on how much the parent or a sibling has drawn, so adding
//! a draw in one component does not shift the values another one sees.
//!
//! The generator is ChaCha8 (rand's `chacha` feature, the RustCrypto `chacha20`
//! crate): portable, value-stable across platforms, with 2^64 independent
//! streams per key. A run's own draws use stream 0; [`Rng::derive`] makes a
//! child key from the parent key's stream `fnv1a64(label) | 1 << 63`, which
//! can never be stream 0.

use core::convert::Infallible;
use core::hash::Hasher;
use core::ops::RangeInclusive;

use rand::distr::uniform::SampleUniform;
use rand::rngs::ChaCha8Rng;
use rand::{Rng as _, RngExt, SeedableRng, TryRng};

/// The top bit marks derivation streams, so they never meet stream 0.
const DERIVE_STREAM_BIT: u64 = 1 << 63;

/// A seeded pseudo-random generator with labelled child streams.
///
/// It implements `rand::TryRng` (and so `rand::Rng` and `rand::RngExt`), so
/// any `rand` API can draw from it. It is deliberately not `Clone`: two
/// copies would repeat each other's draws; take a [`Rng::derive`] instead.
#[derive(Debug)]
pub struct Rng {
    key: [u8; 32],
    inner: ChaCha8Rng,
}

impl Rng {
    /// Create the root generator of a run from its seed.
    pub fn from_seed(seed: u64) -> Rng {
        Rng::from_key(ChaCha8Rng::seed_from_u64(seed).get_seed())
    }

    fn from_key(key: [u8; 32]) -> Rng {
        Rng {
            key,
            inner: ChaCha8Rng::from_seed(key),
        }
    }

    /// Return an independent child generator named by `label`.
    ///
    /// The child depends only on this generator's seed and `label`: it is the
    /// same whatever this generator has drawn so far, and children with
    /// different labels (or of different parents) give unrelated streams.
    /// Labels nest: `rng.derive("tcp").derive("isn")`.
    pub fn derive(&self, label: &str) -> Rng {
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(label.as_bytes());
        let mut source = ChaCha8Rng::from_seed(self.key);
        source.set_stream(hasher.finish() | DERIVE_STREAM_BIT);
        let mut key = [0; 32];
        source.fill_bytes(&mut key);
        Rng::from_key(key)
    }

    /// Return the next random `u32`.
    pub fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }

    /// Return the next random `u64`.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Fill `dst` with random bytes.
    pub fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.inner.fill_bytes(dst)
    }

    /// Return a uniform value in `range` (inclusive, without modulo bias).
    ///
    /// An empty range (`start > end`) returns its start instead of panicking.
    pub fn in_range<T>(&mut self, range: RangeInclusive<T>) -> T
    where
        T: SampleUniform + PartialOrd + Clone,
    {
        if range.is_empty() {
            return range.start().clone();
        }
        self.inner.random_range(range)
    }

    /// Return `true` with probability `p`.
    ///
    /// `p` is clamped to `[0, 1]`; NaN counts as 0. `p == 0` never draws, so a
    /// disabled fault leaves its stream untouched.
    pub fn chance(&mut self, p: f64) -> bool {
        if p.is_nan() || p <= 0.0 {
            return false;
        }
        self.inner.random_bool(p.min(1.0))
    }
}

impl TryRng for Rng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.inner.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.inner.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.inner.fill_bytes(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(rng: &mut Rng, n: usize) -> Vec<u64> {
        (0..n).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_seed_same_stream() {
        let a = draws(&mut Rng::from_seed(42), 64);
        let b = draws(&mut Rng::from_seed(42), 64);
        assert_eq!(a, b);
        assert_ne!(a, draws(&mut Rng::from_seed(43), 64));
    }

    #[test]
    fn labels_give_different_streams() {
        let root = Rng::from_seed(7);
        let ip_id = draws(&mut root.derive("ip-id"), 16);
        let port = draws(&mut root.derive("ephemeral-port"), 16);
        assert_ne!(ip_id, port);
        assert_ne!(ip_id, draws(&mut Rng::from_seed(7), 16));
        // Same label under another seed differs too.
        assert_ne!(ip_id, draws(&mut Rng::from_seed(8).derive("ip-id"), 16));
    }

    #[test]
    fn derive_ignores_what_the_parent_drew() {
        let mut root = Rng::from_seed(1);
        let before = draws(&mut root.derive("isn"), 8);
        draws(&mut root, 1000);
        let after = draws(&mut root.derive("isn"), 8);
        assert_eq!(before, after);
    }

    #[test]
    fn nested_labels_replay_and_differ() {
        let root = Rng::from_seed(9);
        let a = draws(&mut root.derive("tcp").derive("isn"), 8);
        assert_eq!(a, draws(&mut root.derive("tcp").derive("isn"), 8));
        assert_ne!(a, draws(&mut root.derive("isn").derive("tcp"), 8));
    }

    #[test]
    fn in_range_stays_in_range() {
        let mut rng = Rng::from_seed(3);
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..10_000 {
            let v = rng.in_range(10u16..=13);
            assert!((10..=13).contains(&v));
            seen_low |= v == 10;
            seen_high |= v == 13;
        }
        assert!(seen_low && seen_high);
        #[allow(clippy::reversed_empty_ranges)]
        let empty = rng.in_range(5u32..=4);
        assert_eq!(empty, 5);
    }

    #[test]
    fn chance_edges_and_rate() {
        let mut rng = Rng::from_seed(5);
        assert!(!rng.chance(0.0));
        assert!(!rng.chance(f64::NAN));
        assert!(!rng.chance(-1.0));
        assert!(rng.chance(1.0));
        assert!(rng.chance(2.0));
        let hits = (0..20_000).filter(|_| rng.chance(0.25)).count();
        assert!((4_500..5_500).contains(&hits), "hits = {hits}");
    }

    #[test]
    fn works_with_rand_apis() {
        use rand::seq::SliceRandom;
        let mut a: Vec<u32> = (0..32).collect();
        let mut b = a.clone();
        a.shuffle(&mut Rng::from_seed(11));
        b.shuffle(&mut Rng::from_seed(11));
        assert_eq!(a, b);
        assert_ne!(a, (0..32).collect::<Vec<u32>>());
    }
}
