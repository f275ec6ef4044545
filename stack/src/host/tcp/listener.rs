//! Listeners and their backlogs (RFC 9293 3.10.1 passive OPEN; MUST-41,
//! MUST-42): plain data, owned by the host, never connections themselves.
//!
//! A listener is a local address (ours or 0.0.0.0) and port, an optional
//! remote filter (RFC 9293's "fully specified" or partly specified passive
//! OPEN: an address, a port, or both), a backlog and the configuration its
//! connections start from. Several listeners may share a port (MUST-42) as
//! long as they differ in local address or remote filter; a SYN goes to the
//! most specific one that matches, as BSD's `in_pcblookup` picks the match
//! with the fewest wildcards.
//!
//! Each listener holds two bounded queues, as Linux does:
//! - the **SYN queue**: connections it made that are still SYN-RECEIVED;
//! - the **accept queue**: connections that completed the handshake and
//!   wait for [`Host::tcp_accept`](crate::host::Host::tcp_accept).
//!
//! Both are bounded by the backlog. A SYN that finds either full is
//! dropped with a [`Why`](crate::host::Why), which is what Linux does with
//! syncookies off (`tcp_conn_request`: "drop" when the request queue or the
//! accept queue is full); the peer's SYN retransmission tries again later.

use core::fmt;
use core::net::SocketAddrV4;
use std::collections::VecDeque;

use super::table::ConnHandle;
use crate::host::ports::EphemeralPorts;
use crate::random::Rng;
use crate::tcp::Config;
use crate::wire::Ipv4Addr;

/// The name of a listener on a [`Host`](crate::host::Host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerHandle {
    slot: u32,
    generation: u32,
}

impl fmt::Display for ListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "listener#{}.{}", self.slot, self.generation)
    }
}

/// How a listener is opened, beyond its local address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListenOptions {
    /// The most connections waiting in each queue (SYN and accept). 0 is
    /// taken as 1, and values above
    /// [`TcpHostConfig::max_backlog`](super::TcpHostConfig::max_backlog) are cut.
    pub backlog: usize,
    /// Accept SYNs only from this remote: address 0.0.0.0 means any
    /// address, port 0 any port (RFC 9293 3.10.1: "the foreign socket"
    /// of a passive OPEN).
    pub remote: Option<SocketAddrV4>,
    /// The configuration of the connections it accepts, instead of the
    /// host's defaults.
    pub config: Option<Config>,
}

/// A listener: its addresses, its queues, and what its connections start from.
#[derive(Debug)]
pub(crate) struct Listener {
    pub local: SocketAddrV4,
    pub remote: Option<SocketAddrV4>,
    pub backlog: usize,
    pub config: Config,
    /// The Type of Service octet its connections start with.
    pub tos: u8,
    /// Connections still in SYN-RECEIVED.
    pub syn_queue: Vec<ConnHandle>,
    /// Connections that completed the handshake, oldest first.
    pub accept_queue: VecDeque<ConnHandle>,
}

impl Listener {
    /// Return whether a SYN from `src` to `dst` is for this listener.
    fn matches(&self, dst: SocketAddrV4, src: SocketAddrV4) -> bool {
        let local_ip = *self.local.ip();
        if self.local.port() != dst.port() || !(local_ip.is_unspecified() || local_ip == *dst.ip())
        {
            return false;
        }
        self.remote.is_none_or(|r| {
            (r.ip().is_unspecified() || r.ip() == src.ip())
                && (r.port() == 0 || r.port() == src.port())
        })
    }

    /// Return how few wildcards the listener has: the most specific match wins.
    fn specificity(&self) -> u8 {
        let remote = self.remote.map_or(0, |r| {
            u8::from(!r.ip().is_unspecified()) + u8::from(r.port() != 0)
        });
        2 * remote + u8::from(!self.local.ip().is_unspecified())
    }

    /// Return whether a new connection would overflow a queue (Linux:
    /// `inet_csk_reqsk_queue_is_full`, `sk_acceptq_is_full`).
    pub fn syn_queue_full(&self) -> bool {
        self.syn_queue.len() >= self.backlog
    }

    /// Return whether the accept queue is full.
    pub fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() >= self.backlog
    }
}

#[derive(Debug, Default)]
struct Slot {
    generation: u32,
    listener: Option<Listener>,
}

/// The host's listeners (few: bounded by
/// [`TcpHostConfig::max_listeners`](super::TcpHostConfig::max_listeners),
/// so a SYN's lookup scans them).
#[derive(Debug)]
pub(crate) struct Listeners {
    slots: Vec<Slot>,
    open: usize,
    /// Ports for a listener opened on port 0 (RFC 6056 Algorithm 1: a
    /// listener has no remote to hash).
    ports: EphemeralPorts,
}

impl Listeners {
    pub fn new(ports: core::ops::RangeInclusive<u16>, rng: Rng) -> Listeners {
        Listeners {
            slots: Vec::new(),
            open: 0,
            ports: EphemeralPorts::new(ports, rng),
        }
    }

    /// Return how many listeners are open.
    pub fn len(&self) -> usize {
        self.open
    }

    pub fn get(&self, handle: ListenerHandle) -> Option<&Listener> {
        let slot = self.slots.get(handle.slot as usize)?;
        (slot.generation == handle.generation).then_some(slot.listener.as_ref()?)
    }

    pub fn get_mut(&mut self, handle: ListenerHandle) -> Option<&mut Listener> {
        let slot = self.slots.get_mut(handle.slot as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.listener.as_mut()
    }

    fn iter(&self) -> impl Iterator<Item = (ListenerHandle, &Listener)> {
        self.slots.iter().enumerate().filter_map(|(i, slot)| {
            let handle = ListenerHandle {
                slot: i as u32,
                generation: slot.generation,
            };
            slot.listener.as_ref().map(|l| (handle, l))
        })
    }

    /// Return whether a listener with exactly this local address and
    /// remote filter exists on the port.
    pub fn clashes(&self, local: SocketAddrV4, remote: Option<SocketAddrV4>) -> bool {
        self.iter()
            .any(|(_, l)| l.local == local && l.remote == remote)
    }

    /// Return whether a listener holds `port` on `addr` (or on 0.0.0.0).
    pub fn holds(&self, addr: Ipv4Addr, port: u16) -> bool {
        self.iter().any(|(_, l)| {
            l.local.port() == port && (l.local.ip().is_unspecified() || *l.local.ip() == addr)
        })
    }

    /// Pick a port no listener holds on `addr`, for a listen on port 0.
    pub fn ephemeral_port(&mut self, addr: Ipv4Addr) -> Option<u16> {
        let slots = &self.slots;
        self.ports.pick(|port| {
            slots.iter().filter_map(|s| s.listener.as_ref()).any(|l| {
                let ip = *l.local.ip();
                l.local.port() == port
                    && (ip.is_unspecified() || addr.is_unspecified() || ip == addr)
            })
        })
    }

    /// Return the most specific listener for a SYN from `src` to `dst`.
    pub fn lookup(&self, dst: SocketAddrV4, src: SocketAddrV4) -> Option<ListenerHandle> {
        let mut best: Option<(u8, ListenerHandle)> = None;
        for (handle, listener) in self.iter().filter(|(_, l)| l.matches(dst, src)) {
            let score = listener.specificity();
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, handle));
            }
        }
        best.map(|(_, h)| h)
    }

    pub fn insert(&mut self, listener: Listener) -> ListenerHandle {
        let slot = match self.slots.iter().position(|s| s.listener.is_none()) {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        self.slots[slot].listener = Some(listener);
        self.open += 1;
        ListenerHandle {
            slot: slot as u32,
            generation: self.slots[slot].generation,
        }
    }

    pub fn remove(&mut self, handle: ListenerHandle) -> Option<Listener> {
        self.get(handle)?;
        let slot = &mut self.slots[handle.slot as usize];
        slot.generation = slot.generation.wrapping_add(1);
        self.open -= 1;
        slot.listener.take()
    }
}
