//! The plain-data parts: ARP cache, resolver, token bucket, ephemeral
//! ports and IP IDs, each driven with explicit times.

use core::time::Duration;
use std::collections::BTreeSet;

use super::*;
use crate::host::ip_id::IpIds;
use crate::host::neighbor::{Enqueued, Origin, Queued, ResolveStep, Resolver};
use crate::host::ports::EphemeralPorts;
use crate::host::ratelimit::TokenBucket;
use crate::host::{ArpCache, ArpConfig};
use crate::random::Rng;

#[test]
fn cache_entries_live_for_their_lifetime() {
    let mut cache = ArpCache::new(4, Duration::from_secs(60));
    cache.fill(T0, IP_PEER, MAC_PEER);
    assert_eq!(cache.lookup(ms(59_999), IP_PEER), Some(MAC_PEER));
    assert_eq!(cache.lookup(ms(60_000), IP_PEER), None);
    assert!(
        !cache.merge(ms(60_000), IP_PEER, MAC_OTHER),
        "an expired entry is not merged"
    );
    assert_eq!(cache.flush(ms(60_000)), 1);
    assert!(cache.is_empty());
}

#[test]
fn merge_refreshes_and_full_cache_evicts_the_oldest() {
    let mut cache = ArpCache::new(2, Duration::from_secs(10));
    assert!(!cache.merge(T0, IP_PEER, MAC_PEER), "merge never adds");
    cache.fill(T0, IP_PEER, MAC_PEER);
    cache.fill(ms(1), IP_OTHER, MAC_OTHER);
    assert!(cache.merge(ms(5), IP_PEER, MAC_OTHER));
    assert_eq!(
        cache.lookup(ms(10_003), IP_PEER),
        Some(MAC_OTHER),
        "refreshed at 5 ms"
    );
    cache.fill(ms(6), IP_US, MAC_US);
    assert_eq!(cache.len(), 2);
    assert_eq!(
        cache.lookup(ms(6), IP_OTHER),
        None,
        "closest to expiry went"
    );
}

fn queued(tag: u8) -> Queued {
    Queued {
        header: Ipv4Repr::new(IP_US, IP_PEER, IpProtocol::Udp, 1),
        payload: vec![tag],
        origin: Origin::Host,
    }
}

#[test]
fn resolver_paces_requests_and_gives_up() {
    let config = ArpConfig {
        max_requests: 2,
        queue_per_destination: 1,
        ..ArpConfig::default()
    };
    let mut resolver = Resolver::new(config);
    assert!(matches!(
        resolver.enqueue(T0, IP_PEER, queued(1)),
        Enqueued::StartResolving
    ));
    resolver.requested(T0, IP_PEER);
    match resolver.enqueue(T0, IP_PEER, queued(2)) {
        Enqueued::DroppedOldest(old) => assert_eq!(old.payload, [1]),
        other => panic!("{other:?}"),
    }
    assert!(resolver.poll(ms(999)).is_none());
    assert_eq!(resolver.poll_at(), Some(ms(1000)));
    assert!(matches!(resolver.poll(ms(1000)), Some(ResolveStep::Request(ip)) if ip == IP_PEER));
    resolver.requested(ms(1000), IP_PEER);
    match resolver.poll(ms(2000)) {
        Some(ResolveStep::GiveUp(ip, queue)) => {
            assert_eq!(ip, IP_PEER);
            assert_eq!(queue.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(!resolver.is_resolving(IP_PEER));
    assert_eq!(resolver.poll_at(), None);
}

#[test]
fn token_bucket_bursts_then_refills() {
    let mut bucket = TokenBucket::new(3, Duration::from_millis(100));
    assert!((0..3).all(|_| bucket.try_take(T0)));
    assert!(!bucket.try_take(ms(99)));
    assert!(bucket.try_take(ms(100)));
    assert!(!bucket.try_take(ms(150)));
    assert_eq!(bucket.tokens(ms(10_000)), 3, "never above capacity");
    assert!(!TokenBucket::new(0, Duration::ZERO).try_take(T0));
}

#[test]
fn ephemeral_ports_skip_ports_in_use() {
    let mut ports = EphemeralPorts::new(100..=103, Rng::from_seed(1));
    let taken = BTreeSet::from([100, 101, 102]);
    assert_eq!(ports.pick(|p| taken.contains(&p)), Some(103));
    assert_eq!(ports.pick(|_| true), None);
    let mut spread = BTreeSet::new();
    let mut ports = EphemeralPorts::new(49152..=65535, Rng::from_seed(2));
    for _ in 0..50 {
        spread.insert(ports.pick(|_| false).unwrap());
    }
    assert!(spread.len() > 45, "random, not sequential from the start");
}

#[test]
fn ip_ids_count_per_tuple_from_random_starts() {
    let mut ids = IpIds::new(Rng::from_seed(3));
    let a = ids.next(IP_US, IP_PEER, IpProtocol::Udp);
    let b = ids.next(IP_US, IP_PEER, IpProtocol::Udp);
    assert_eq!(b, a.wrapping_add(1));
    let mut again = IpIds::new(Rng::from_seed(3));
    assert_eq!(again.next(IP_US, IP_PEER, IpProtocol::Udp), a);
    let mut other_seed = IpIds::new(Rng::from_seed(4));
    let starts: BTreeSet<u16> = [IP_PEER, IP_OTHER, IP_SUBNET_BROADCAST]
        .iter()
        .map(|&dst| other_seed.next(IP_US, dst, IpProtocol::Icmp))
        .collect();
    assert_eq!(starts.len(), 3, "tuples start at unrelated values");
}
