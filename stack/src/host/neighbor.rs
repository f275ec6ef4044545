//! The ARP cache and the datagrams waiting for it: plain data that takes
//! `now` (after smoltcp's `src/iface/neighbor.rs`).
//!
//! [`ArpCache`] maps IPv4 addresses to MAC addresses for
//! [`ArpConfig::entry_lifetime`](super::ArpConfig::entry_lifetime). An
//! expired entry is never returned, and [`ArpCache::flush`] removes it
//! (RFC 1122 2.3.2.1). [`Resolver`] holds, per address being resolved, the
//! datagrams that wait for it (RFC 1122 2.3.2.2) and when the next request
//! may go (RFC 1122 2.3.2.1: at most one per `request_interval`).

use core::time::Duration;
use std::collections::{BTreeMap, VecDeque};

use super::config::ArpConfig;
use super::udp::UdpHandle;
use crate::time::Instant;
use crate::wire::ipv4::Ipv4Repr;
use crate::wire::{EthernetAddress, Ipv4Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    mac: EthernetAddress,
    expires_at: Instant,
}

/// The ARP translation table: IPv4 address to MAC address, each entry with
/// an expiry time.
#[derive(Debug, Clone)]
pub struct ArpCache {
    entries: BTreeMap<Ipv4Addr, Entry>,
    capacity: usize,
    lifetime: Duration,
}

impl ArpCache {
    /// Create an empty cache of at most `capacity` entries, each living
    /// `lifetime` from its last update.
    pub fn new(capacity: usize, lifetime: Duration) -> ArpCache {
        ArpCache {
            entries: BTreeMap::new(),
            capacity: capacity.max(1),
            lifetime,
        }
    }

    /// Return the MAC address of `ip`, unless unknown or expired at `now`.
    pub fn lookup(&self, now: Instant, ip: Ipv4Addr) -> Option<EthernetAddress> {
        let entry = self.entries.get(&ip)?;
        (entry.expires_at > now).then_some(entry.mac)
    }

    /// Return whether `ip` has a live entry at `now`.
    pub fn contains(&self, now: Instant, ip: Ipv4Addr) -> bool {
        self.lookup(now, ip).is_some()
    }

    /// Update the entry of `ip` if it has a live one, restarting its
    /// lifetime: RFC 826's merge ("if the pair is already in my translation
    /// table, update the sender hardware address"). Return whether it did.
    pub fn merge(&mut self, now: Instant, ip: Ipv4Addr, mac: EthernetAddress) -> bool {
        if !self.contains(now, ip) {
            return false;
        }
        self.entries.insert(ip, self.entry(now, mac));
        true
    }

    /// Add or refresh the entry of `ip`. A full cache first flushes expired
    /// entries, then evicts the one closest to expiry.
    pub fn fill(&mut self, now: Instant, ip: Ipv4Addr, mac: EthernetAddress) {
        if !self.entries.contains_key(&ip) && self.entries.len() >= self.capacity {
            self.flush(now);
            if self.entries.len() >= self.capacity {
                let oldest = self.entries.iter().min_by_key(|(_, e)| e.expires_at);
                if let Some((&victim, _)) = oldest {
                    self.entries.remove(&victim);
                }
            }
        }
        self.entries.insert(ip, self.entry(now, mac));
    }

    /// Remove every entry expired at `now`; return how many went.
    pub fn flush(&mut self, now: Instant) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, e| e.expires_at > now);
        before - self.entries.len()
    }

    /// Return how many entries are held, expired ones included until flushed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Return whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, now: Instant, mac: EthernetAddress) -> Entry {
        Entry {
            mac,
            expires_at: now + self.lifetime,
        }
    }
}

/// Who sent a datagram, so that a failure can be reported to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A UDP socket.
    Udp(UdpHandle),
    /// The host itself (an echo reply, an ICMP error, a ping).
    Host,
}

/// A datagram waiting for its next hop's MAC address: the header with its
/// IP ID already chosen, and the payload, not yet fragmented.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The IPv4 header to send.
    pub header: Ipv4Repr,
    /// The payload.
    pub payload: Vec<u8>,
    /// Who sent it.
    pub origin: Origin,
}

#[derive(Debug)]
struct Resolution {
    queue: VecDeque<Queued>,
    requests_sent: u8,
    next_request: Instant,
}

/// What [`Resolver::enqueue`] did.
#[derive(Debug)]
pub enum Enqueued {
    /// The first datagram for this address: send a request now, then call
    /// [`Resolver::requested`].
    StartResolving,
    /// Queued behind others; a request is already on its way.
    Waiting,
    /// Queued, but the queue was full and its oldest datagram was dropped.
    DroppedOldest(Queued),
    /// Not queued: too many addresses are being resolved already.
    Refused(Queued),
}

/// What [`Resolver::poll`] asks of the host.
#[derive(Debug)]
pub enum ResolveStep {
    /// Send another request for this address, then call [`Resolver::requested`].
    Request(Ipv4Addr),
    /// Give up on this address: the last request went unanswered. These
    /// datagrams are dropped and their senders told.
    GiveUp(Ipv4Addr, VecDeque<Queued>),
}

/// The addresses being resolved and the datagrams waiting for each.
#[derive(Debug)]
pub struct Resolver {
    pending: BTreeMap<Ipv4Addr, Resolution>,
    config: ArpConfig,
}

impl Resolver {
    /// Create a resolver with nothing pending.
    pub fn new(config: ArpConfig) -> Resolver {
        Resolver {
            pending: BTreeMap::new(),
            config,
        }
    }

    /// Queue a datagram for `hop` (RFC 1122 2.3.2.2: at least one per
    /// destination; when full, drop the oldest, as Linux does).
    pub fn enqueue(&mut self, now: Instant, hop: Ipv4Addr, datagram: Queued) -> Enqueued {
        if let Some(resolution) = self.pending.get_mut(&hop) {
            let mut outcome = Enqueued::Waiting;
            if resolution.queue.len() >= self.config.queue_per_destination {
                if let Some(oldest) = resolution.queue.pop_front() {
                    outcome = Enqueued::DroppedOldest(oldest);
                }
            }
            resolution.queue.push_back(datagram);
            return outcome;
        }
        if self.pending.len() >= self.config.max_resolving {
            return Enqueued::Refused(datagram);
        }
        let resolution = Resolution {
            queue: VecDeque::from([datagram]),
            requests_sent: 0,
            next_request: now,
        };
        self.pending.insert(hop, resolution);
        Enqueued::StartResolving
    }

    /// Record that a request for `hop` went out at `now`.
    pub fn requested(&mut self, now: Instant, hop: Ipv4Addr) {
        if let Some(resolution) = self.pending.get_mut(&hop) {
            resolution.requests_sent = resolution.requests_sent.saturating_add(1);
            resolution.next_request = now + self.config.request_interval;
        }
    }

    /// Return the datagrams waiting for `hop`, now resolved.
    pub fn resolved(&mut self, hop: Ipv4Addr) -> Option<VecDeque<Queued>> {
        self.pending.remove(&hop).map(|r| r.queue)
    }

    /// Return whether `hop` is being resolved.
    pub fn is_resolving(&self, hop: Ipv4Addr) -> bool {
        self.pending.contains_key(&hop)
    }

    /// Return the next thing due at `now`, one at a time, or `None`.
    pub fn poll(&mut self, now: Instant) -> Option<ResolveStep> {
        let (&hop, resolution) = self.pending.iter().find(|(_, r)| r.next_request <= now)?;
        if resolution.requests_sent < self.config.max_requests {
            return Some(ResolveStep::Request(hop));
        }
        let queue = self.pending.remove(&hop).map(|r| r.queue);
        Some(ResolveStep::GiveUp(hop, queue.unwrap_or_default()))
    }

    /// Return when [`poll`](Self::poll) next has something to do.
    pub fn poll_at(&self) -> Option<Instant> {
        self.pending.values().map(|r| r.next_request).min()
    }
}
