//! The IPv4 Identification field (RFC 6864).
//!
//! RFC 6864 4.1: a source "MUST NOT repeat the ID within one MSL for a given
//! source address/destination address/protocol tuple" of datagrams that may
//! be fragmented, and IDs should not be predictable across tuples (RFC 7739
//! 5). [`IpIds`] is RFC 7739's hash-based generator (section 5.3, the one
//! Linux uses): a table of counters, each starting at a random value; a
//! keyed hash of (source, destination, protocol) picks the counter, which
//! gives the ID and steps by one. Each tuple thus sees a counter (unique for
//! 65,536 datagrams), tuples sharing a bucket only make each other's steps
//! larger, and the table has a fixed size, however many peers there are.
//! Atomic datagrams (DF set, unfragmented) take IDs the same way, which
//! RFC 6864 4.1 allows.

use core::hash::Hasher;

use crate::random::Rng;
use crate::wire::{IpProtocol, Ipv4Addr};

/// The number of counters in the table.
pub const IP_ID_BUCKETS: usize = 256;

/// A hash-based IP ID generator (RFC 7739 5.3), seeded.
#[derive(Debug, Clone)]
pub struct IpIds {
    key: u64,
    counters: Vec<u16>,
    /// The last tuple hashed and its bucket: a connection's datagrams come
    /// in runs, and the hash is a chain of nine multiplications.
    last: Option<(Ipv4Addr, Ipv4Addr, IpProtocol, usize)>,
}

impl IpIds {
    /// Draw the hash key and the counters' starting values from `rng`.
    pub fn new(mut rng: Rng) -> IpIds {
        let key = rng.next_u64();
        let counters = (0..IP_ID_BUCKETS).map(|_| rng.next_u32() as u16).collect();
        IpIds {
            key,
            counters,
            last: None,
        }
    }

    /// Return the ID of the next datagram from `src` to `dst` carrying `protocol`.
    pub fn next(&mut self, src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol) -> u16 {
        let bucket = match self.last {
            Some((s, d, p, bucket)) if (s, d, p) == (src, dst, protocol) => bucket,
            _ => {
                let bucket = self.bucket(src, dst, protocol);
                self.last = Some((src, dst, protocol, bucket));
                bucket
            }
        };
        let id = self.counters[bucket];
        self.counters[bucket] = id.wrapping_add(1);
        id
    }

    /// Return the counter of a tuple: a keyed hash of it.
    fn bucket(&self, src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol) -> usize {
        let mut hasher = fnv::FnvHasher::with_key(self.key);
        hasher.write(&src.octets());
        hasher.write(&dst.octets());
        hasher.write_u8(protocol.into());
        (hasher.finish() % IP_ID_BUCKETS as u64) as usize
    }
}
