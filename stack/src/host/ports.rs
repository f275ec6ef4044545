//! Ephemeral ports (RFC 6056).
//!
//! The host uses RFC 6056 3.3.1, **Algorithm 1, "Simple Port
//! Randomization"**: start at a uniformly random port of the range and walk
//! up (wrapping) to the first free one. The hash-based algorithms (3 to 5)
//! key on the remote endpoint, which an unconnected UDP socket does not have
//! when it binds. The random draws come from the host's seeded
//! [`Rng`] (stream `"ephemeral-port"`), so a run replays.

use core::ops::RangeInclusive;

use crate::random::Rng;

/// A source of ephemeral ports.
#[derive(Debug)]
pub struct EphemeralPorts {
    range: RangeInclusive<u16>,
    rng: Rng,
}

impl EphemeralPorts {
    /// Draw ports from `range` (RFC 6056 3.2: by default the IANA dynamic
    /// range 49152-65535, [`EPHEMERAL_PORTS`](super::config::EPHEMERAL_PORTS)).
    pub fn new(range: RangeInclusive<u16>, rng: Rng) -> EphemeralPorts {
        EphemeralPorts { range, rng }
    }

    /// Return a port for which `in_use` is false, or `None` if the whole
    /// range is in use (RFC 6056 3.3.1: "return ERROR").
    pub fn pick(&mut self, in_use: impl Fn(u16) -> bool) -> Option<u16> {
        let (min, max) = (*self.range.start(), *self.range.end());
        if min > max {
            return None;
        }
        // next_ephemeral = min_ephemeral + (random() % num_ephemeral)
        let mut port = self.rng.in_range(min..=max);
        for _ in 0..=u32::from(max - min) {
            if !in_use(port) {
                return Some(port);
            }
            port = if port == max { min } else { port + 1 };
        }
        None
    }
}
