//! STAND-IN (replaced by the tcp-algos branch): RFC 6528 ISNs.
#![allow(missing_docs)]
use core::net::Ipv4Addr;

use crate::random::Rng;
use crate::tcp::SeqNumber;
use crate::time::Instant;

#[derive(Debug, Clone)]
pub struct IsnGenerator {
    key: u64,
}

impl IsnGenerator {
    pub fn new(rng: &mut Rng) -> Self {
        IsnGenerator {
            key: rng.next_u64(),
        }
    }
    pub fn isn(&self, now: Instant, local: (Ipv4Addr, u16), remote: (Ipv4Addr, u16)) -> SeqNumber {
        let mut h = self.key;
        for v in [
            u32::from(local.0),
            u32::from(local.1),
            u32::from(remote.0),
            u32::from(remote.1),
        ] {
            h = (h ^ u64::from(v)).wrapping_mul(0x100000001b3);
        }
        SeqNumber(((now.total_micros() / 4) as u32).wrapping_add(h as u32))
    }
}
