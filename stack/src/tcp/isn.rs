//! Initial sequence numbers (RFC 6528; RFC 9293 3.4.1, MUST-8, SHLD-1, MUST-9).
//!
//! RFC 9293 3.4.1: "the generator is bound to a (possibly fictitious) 32-bit
//! clock whose low-order bit is incremented roughly every 4 microseconds"
//! (MUST-8), and a TCP SHOULD use RFC 6528's algorithm (SHLD-1):
//!
//! ```text
//! ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
//! ```
//!
//! "where M is the 4 microsecond timer, and F() is a pseudorandom function
//! (PRF) of the connection's identifying parameters ... and a secret key",
//! and "F() MUST NOT be computable from the outside" (MUST-9).
//!
//! Here F is SipHash-2-4, a keyed PRF, over the 12 octets
//! `localip ‖ localport ‖ remoteip ‖ remoteport` (addresses and ports in
//! network byte order), truncated to its low 32 bits. The 128-bit key is drawn
//! from the run's seeded [`Rng`], so a run replays exactly from its seed, yet
//! no peer can compute F without the key (RFC 6528 3: a secret key of at
//! least 128 bits, hashed with the connection-id). M is `now` in units of
//! 4 µs, modulo 2^32 (it wraps every 2^32 * 4 µs, about 4.77 hours).

use core::fmt;
use core::net::Ipv4Addr;

use siphasher::sip::SipHasher24;

use crate::random::Rng;
use crate::tcp::SeqNumber;
use crate::time::Instant;

/// The period of the ISN clock M in microseconds (RFC 9293 3.4.1, RFC 6528 3).
pub const CLOCK_TICK_MICROS: u64 = 4;

/// The ISN generator of one host: RFC 6528's F with its secret key.
///
/// Its `Debug` output hides the key (MUST-9).
#[derive(Clone)]
pub struct IsnGenerator {
    prf: SipHasher24,
}

impl IsnGenerator {
    /// Create a generator whose 128-bit secret key is drawn from `rng` (pass a
    /// stream of its own, e.g. `rng.derive("isn")`).
    pub fn new(rng: &mut Rng) -> Self {
        let mut key = [0; 16];
        rng.fill_bytes(&mut key);
        IsnGenerator {
            prf: SipHasher24::new_with_key(&key),
        }
    }

    /// ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M = a
    /// 4 µs clock from `now` (RFC 6528 3; RFC 9293 3.4.1, MUST-8, SHLD-1).
    pub fn isn(&self, now: Instant, local: (Ipv4Addr, u16), remote: (Ipv4Addr, u16)) -> SeqNumber {
        SeqNumber(Self::clock(now).wrapping_add(self.offset(local, remote)))
    }

    /// Return M, the 4 µs clock, at `now` (modulo 2^32).
    pub fn clock(now: Instant) -> u32 {
        // Truncation to u32 is the clock's wrap-around.
        (now.total_micros() / CLOCK_TICK_MICROS) as u32
    }

    /// Return F(localip, localport, remoteip, remoteport, secretkey): the ISN
    /// at time zero, which depends only on the connection and the key.
    pub fn offset(&self, local: (Ipv4Addr, u16), remote: (Ipv4Addr, u16)) -> u32 {
        let mut id = [0; 12];
        id[0..4].copy_from_slice(&local.0.octets());
        id[4..6].copy_from_slice(&local.1.to_be_bytes());
        id[6..10].copy_from_slice(&remote.0.octets());
        id[10..12].copy_from_slice(&remote.1.to_be_bytes());
        // Keep the low 32 bits of the 64-bit PRF output.
        self.prf.hash(&id) as u32
    }
}

impl fmt::Debug for IsnGenerator {
    /// Print the type only: the key must stay secret (RFC 9293 3.4.1, MUST-9).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IsnGenerator").finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "tests/isn.rs"]
mod tests;
