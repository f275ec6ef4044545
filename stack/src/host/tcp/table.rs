//! The connection table: every [`Connection`] the host holds, named by a
//! generation-checked [`ConnHandle`], found by its 4-tuple, woken by an
//! ordered index of deadlines, and drained through a round-robin queue.
//!
//! - **Demultiplexing** (quinn-proto's `Endpoint::handle`): a `HashMap`
//!   from the 4-tuple to the slot, holding only connections that can still
//!   take segments. A connection that reached CLOSED (or went back to
//!   LISTEN, MUST-11) leaves the map at once, so a new SYN for its 4-tuple
//!   finds the listener.
//! - **Timers**: a `BTreeSet` of `(deadline, slot)`, one entry per
//!   connection with a timer set, updated whenever the connection's
//!   `poll_timeout` changes. The host's next wake-up is its first element:
//!   nothing scans 10 000 connections per poll.
//! - **Output**: a queue of the connections that may have something to
//!   send (each at most once), drained one segment per connection per turn.
//! - **Freeing**: a slot is freed when its connection has ended (CLOSED,
//!   TIME-WAIT over), nobody holds it (the application closed its handle,
//!   or never had one), and it had nothing left to send. The slot's
//!   generation moves on, so an old handle never reaches its successor.

use core::fmt;
use std::collections::{BTreeSet, HashMap, VecDeque};

use super::listener::ListenerHandle;
use crate::tcp::{Connection, FourTuple, State};
use crate::time::Instant;

/// The name of a TCP connection on a [`Host`](crate::host::Host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnHandle {
    slot: u32,
    generation: u32,
}

impl fmt::Display for ConnHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tcp#{}.{}", self.slot, self.generation)
    }
}

/// Who holds a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// The application: it connected, or accepted it.
    App,
    /// A listener, while the handshake is under way (SYN-RECEIVED).
    SynQueue(ListenerHandle),
    /// A listener, until the application accepts it.
    AcceptQueue(ListenerHandle),
    /// Nobody: the application closed its handle, or the connection left a
    /// SYN queue without completing. It lives on until it has ended.
    Nobody,
}

/// One connection and what the host keeps beside it.
#[derive(Debug)]
pub(crate) struct Entry {
    pub conn: Connection,
    pub owner: Owner,
    /// The Type of Service octet of its datagrams (MUST-48, SHLD-21).
    pub tos: u8,
    /// The Type of Service octet of the last datagram received (MAY-9).
    pub rx_tos: Option<u8>,
    deadline: Option<Instant>,
    dirty: bool,
    mapped: bool,
}

impl Entry {
    /// Return whether the connection has ended: CLOSED, or back in LISTEN
    /// after a passive open (MUST-11), where the listener takes over.
    pub fn finished(&self) -> bool {
        matches!(self.conn.state(), State::Closed | State::Listen)
    }
}

/// A slot of the table. The entry is boxed: the slot vector grows by
/// doubling, and unused capacity then costs a pointer a slot, not a
/// connection's whole state.
#[derive(Debug, Default)]
struct Slot {
    generation: u32,
    entry: Option<Box<Entry>>,
}

/// What the table holds, for tests and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpTableStats {
    /// Connections held, in any state (TIME-WAIT and ended ones included).
    pub connections: usize,
    /// Connections in TIME-WAIT.
    pub time_wait: usize,
    /// Connections reachable by their 4-tuple.
    pub mapped: usize,
    /// Connections with a timer set.
    pub timers: usize,
    /// Slots allocated: the most connections ever held at once.
    pub slots: usize,
    /// Listeners open.
    pub listeners: usize,
}

/// The connection table (see the [module docs](self)).
#[derive(Debug, Default)]
pub(crate) struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    by_tuple: HashMap<FourTuple, u32>,
    /// The last entry of `by_tuple` found: a bulk transfer looks up the
    /// same 4-tuple for every segment. Cleared when `by_tuple` changes.
    last_found: Option<(FourTuple, u32)>,
    deadlines: BTreeSet<(Instant, u32)>,
    dirty: VecDeque<u32>,
}

impl Table {
    /// Return how many connections are held.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn get(&self, handle: ConnHandle) -> Option<&Entry> {
        let slot = self.slots.get(handle.slot as usize)?;
        (slot.generation == handle.generation).then_some(slot.entry.as_deref()?)
    }

    pub fn get_mut(&mut self, handle: ConnHandle) -> Option<&mut Entry> {
        let slot = self.slots.get_mut(handle.slot as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.entry.as_deref_mut()
    }

    fn handle(&self, slot: u32) -> ConnHandle {
        ConnHandle {
            slot,
            generation: self.slots[slot as usize].generation,
        }
    }

    /// Return the connection that takes segments for `tuple`.
    pub fn lookup(&mut self, tuple: &FourTuple) -> Option<ConnHandle> {
        if let Some((last, slot)) = self.last_found {
            if last == *tuple {
                return Some(self.handle(slot));
            }
        }
        let slot = *self.by_tuple.get(tuple)?;
        self.last_found = Some((*tuple, slot));
        Some(self.handle(slot))
    }

    /// Take `tuple` out of the map if it maps to `slot`.
    fn unmap(&mut self, tuple: &FourTuple, slot: u32) {
        if self.by_tuple.get(tuple) == Some(&slot) {
            self.by_tuple.remove(tuple);
            self.last_found = None;
        }
    }

    /// Return whether `tuple` is in use: by a connection still in the map
    /// (TIME-WAIT included).
    pub fn holds(&self, tuple: &FourTuple) -> bool {
        self.by_tuple.contains_key(tuple)
    }

    /// Add a connection; its 4-tuple must be free. Call
    /// [`settle`](Self::settle) after.
    pub fn insert(&mut self, conn: Connection, owner: Owner, tos: u8) -> ConnHandle {
        let tuple = conn.tuple();
        let entry = Entry {
            conn,
            owner,
            tos,
            rx_tos: None,
            deadline: None,
            dirty: false,
            mapped: true,
        };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot::default());
                (self.slots.len() - 1) as u32
            }
        };
        self.slots[slot as usize].entry = Some(Box::new(entry));
        self.live += 1;
        self.by_tuple.insert(tuple, slot);
        self.last_found = None;
        self.handle(slot)
    }

    /// After anything touched the connection: index its new deadline,
    /// queue it for output, and take it out of the map if it has ended.
    pub fn settle(&mut self, handle: ConnHandle) {
        let Some(entry) = self.get_mut(handle) else {
            return;
        };
        let (old, new) = (entry.deadline, entry.conn.poll_timeout());
        entry.deadline = new;
        let queue = !entry.dirty;
        entry.dirty = true;
        let unmap = entry.mapped && entry.finished();
        if unmap {
            entry.mapped = false;
        }
        let tuple = entry.conn.tuple();
        if old != new {
            if let Some(at) = old {
                self.deadlines.remove(&(at, handle.slot));
            }
            if let Some(at) = new {
                self.deadlines.insert((at, handle.slot));
            }
        }
        if queue {
            self.dirty.push_back(handle.slot);
        }
        if unmap {
            self.unmap(&tuple, handle.slot);
        }
    }

    /// Re-index the connection's deadline only (after `poll_segment`).
    pub fn reindex(&mut self, handle: ConnHandle) {
        let Some(entry) = self.get_mut(handle) else {
            return;
        };
        let (old, new) = (entry.deadline, entry.conn.poll_timeout());
        if old == new {
            return;
        }
        entry.deadline = new;
        if let Some(at) = old {
            self.deadlines.remove(&(at, handle.slot));
        }
        if let Some(at) = new {
            self.deadlines.insert((at, handle.slot));
        }
    }

    /// Return the earliest deadline of any connection.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|&(at, _)| at)
    }

    /// Return whether a connection may have something to send.
    pub fn has_output(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Take out of the index every connection whose deadline is at or
    /// before `now`, into `due`.
    pub fn take_expired(&mut self, now: Instant, due: &mut Vec<ConnHandle>) {
        while let Some(&(at, slot)) = self.deadlines.first() {
            if at > now {
                break;
            }
            self.deadlines.pop_first();
            if let Some(entry) = self.slots[slot as usize].entry.as_deref_mut() {
                entry.deadline = None;
            }
            due.push(self.handle(slot));
        }
    }

    /// Take the next connection that may have output off the queue.
    pub fn pop_dirty(&mut self) -> Option<ConnHandle> {
        let slot = self.dirty.pop_front()?;
        if let Some(entry) = self.slots[slot as usize].entry.as_deref_mut() {
            entry.dirty = false;
        }
        Some(self.handle(slot))
    }

    /// Put a connection that just sent back at the end of the queue.
    pub fn push_dirty(&mut self, handle: ConnHandle) {
        if let Some(entry) = self.get_mut(handle) {
            if !entry.dirty {
                entry.dirty = true;
                self.dirty.push_back(handle.slot);
            }
        }
    }

    /// Free the connection's slot if it has ended, nobody holds it and it
    /// has nothing queued to send. Return whether it did.
    pub fn reap(&mut self, handle: ConnHandle) -> bool {
        let Some(entry) = self.get(handle) else {
            return false;
        };
        if !entry.finished() || entry.owner != Owner::Nobody || entry.dirty {
            return false;
        }
        let slot = &mut self.slots[handle.slot as usize];
        // NOTE(unwrap): `get` just found the entry.
        let entry = slot.entry.take().unwrap();
        slot.generation = slot.generation.wrapping_add(1);
        if let Some(at) = entry.deadline {
            self.deadlines.remove(&(at, handle.slot));
        }
        let tuple = entry.conn.tuple();
        self.unmap(&tuple, handle.slot);
        self.free.push(handle.slot);
        self.live -= 1;
        true
    }

    /// Return what the table holds.
    pub fn stats(&self) -> TcpTableStats {
        let entries = self.slots.iter().filter_map(|s| s.entry.as_deref());
        TcpTableStats {
            connections: self.live,
            time_wait: entries
                .filter(|e| e.conn.state() == State::TimeWait)
                .count(),
            mapped: self.by_tuple.len(),
            timers: self.deadlines.len(),
            slots: self.slots.len(),
            listeners: 0,
        }
    }
}
