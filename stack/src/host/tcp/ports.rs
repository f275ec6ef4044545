//! Ephemeral ports for active opens: RFC 6056 3.3.3, **Algorithm 3,
//! "Simple Hash-Based Port Selection Algorithm"**.
//!
//! ```text
//! offset = F(local_IP, remote_IP, remote_port, secret_key);
//! do {
//!     port = min_ephemeral + (next_ephemeral + offset) % num_ephemeral;
//!     next_ephemeral++;
//!     if (check_suitable_port(port)) return port;
//! } while (--count > 0);
//! ```
//!
//! A TCP connection has its remote endpoint when it picks a port, so the
//! search starts at a point of the range that depends on where it goes:
//! connections to one remote walk the range in sequence (their 4-tuples are
//! reused as late as possible, which keeps clear of TIME-WAIT), while no
//! outsider can guess the ports used towards another remote. F is
//! SipHash-2-4 keyed with 128 bits drawn from the host's seeded `Rng`, and
//! `next_ephemeral` starts at a random value ("Initialization value could
//! be random"), so a run replays from its seed. `check_suitable_port`
//! refuses a port whose 4-tuple is in the table in any state, TIME-WAIT
//! included, and a port a listener holds.

use core::net::SocketAddrV4;
use core::ops::RangeInclusive;

use siphasher::sip::SipHasher24;

use crate::random::Rng;
use crate::wire::Ipv4Addr;

/// RFC 6056 Algorithm 3's state: the key of F and the shared counter.
pub(crate) struct HashedPorts {
    range: RangeInclusive<u16>,
    prf: SipHasher24,
    next_ephemeral: u32,
}

impl core::fmt::Debug for HashedPorts {
    /// Print the range only: the key must stay secret (RFC 6056 3.3.3).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HashedPorts")
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

impl HashedPorts {
    /// Draw the key and the first `next_ephemeral` from `rng`.
    pub(crate) fn new(range: RangeInclusive<u16>, mut rng: Rng) -> HashedPorts {
        let mut key = [0; 16];
        rng.fill_bytes(&mut key);
        HashedPorts {
            range,
            prf: SipHasher24::new_with_key(&key),
            next_ephemeral: rng.next_u32(),
        }
    }

    /// F(local_IP, remote_IP, remote_port, secret_key).
    fn offset(&self, local: Ipv4Addr, remote: SocketAddrV4) -> u32 {
        let mut id = [0; 10];
        id[0..4].copy_from_slice(&local.octets());
        id[4..8].copy_from_slice(&remote.ip().octets());
        id[8..10].copy_from_slice(&remote.port().to_be_bytes());
        // The low 32 bits of the 64-bit PRF output.
        self.prf.hash(&id) as u32
    }

    /// Return a port from `local` to `remote` for which `suitable` holds,
    /// or `None` when none is (RFC 6056: "return ERROR").
    pub(crate) fn pick(
        &mut self,
        local: Ipv4Addr,
        remote: SocketAddrV4,
        suitable: impl Fn(u16) -> bool,
    ) -> Option<u16> {
        let (min, max) = (*self.range.start(), *self.range.end());
        if min > max {
            return None;
        }
        let num_ephemeral = u32::from(max - min) + 1;
        let offset = self.offset(local, remote);
        for _ in 0..num_ephemeral {
            let step = self.next_ephemeral.wrapping_add(offset) % num_ephemeral;
            self.next_ephemeral = self.next_ephemeral.wrapping_add(1);
            // `step < num_ephemeral <= 65536`, so the sum stays a port of the range.
            let port = (u32::from(min) + step) as u16;
            if suitable(port) {
                return Some(port);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), port)
    }

    const LOCAL: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

    #[test]
    fn one_remote_walks_the_range_in_sequence() {
        let mut ports = HashedPorts::new(49152..=65535, Rng::from_seed(1));
        let a = ports.pick(LOCAL, remote(80), |_| true).unwrap();
        let b = ports.pick(LOCAL, remote(80), |_| true).unwrap();
        let expected = if a == 65535 { 49152 } else { a + 1 };
        assert_eq!(b, expected);
    }

    #[test]
    fn different_remotes_start_at_unrelated_points() {
        let starts: Vec<u16> = (0..8)
            .map(|i| {
                let mut ports = HashedPorts::new(49152..=65535, Rng::from_seed(1));
                ports.pick(LOCAL, remote(80 + i), |_| true).unwrap()
            })
            .collect();
        let mut distinct = starts.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            distinct.len() >= 7,
            "offsets depend on the remote: {starts:?}"
        );
    }

    #[test]
    fn unsuitable_ports_are_skipped_and_exhaustion_is_an_error() {
        let mut ports = HashedPorts::new(40000..=40003, Rng::from_seed(2));
        let got = ports.pick(LOCAL, remote(80), |p| p == 40002);
        assert_eq!(got, Some(40002));
        assert_eq!(ports.pick(LOCAL, remote(80), |_| false), None);
    }

    #[test]
    fn the_key_decides_the_ports() {
        let pick = |seed| {
            let mut ports = HashedPorts::new(1024..=65535, Rng::from_seed(seed));
            ports.pick(LOCAL, remote(80), |_| true).unwrap()
        };
        assert_eq!(pick(3), pick(3), "a run replays from its seed");
        assert_ne!(pick(3), pick(4));
        let debug = format!("{:?}", HashedPorts::new(1..=2, Rng::from_seed(3)));
        assert!(!debug.contains("prf"), "{debug}");
    }
}
