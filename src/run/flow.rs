//! The TCP connections of a script, one per socket: their ports and the
//! two initial sequence numbers that relative numbers are counted from.
//!
//! The peer's ISN is drawn from the run's seed; the target's is learned from
//! the first segment it sends on the connection (its SYN, or a RST
//! answering the peer's first segment): `ISN = seq - relative seq`.

use core::net::Ipv4Addr;

use stack::random::Rng;
use stack::tcp::SeqNumber;
use stack::wire::tcp::TcpRepr;

use super::{DEFAULT_LOCAL_PORT, DEFAULT_PEER_PORT};
use crate::notation::Isns;
use crate::script::Config;
use crate::target::SocketId;

/// One connection as the script sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The script's socket.
    pub socket: SocketId,
    /// The target's port: from `listen`/`bind`, learned from the target's
    /// first segment after `connect`, else [`DEFAULT_LOCAL_PORT`].
    pub local_port: Option<u16>,
    /// The peer's port: from `connect`, else [`DEFAULT_PEER_PORT`].
    pub remote_port: u16,
    /// The peer's address: from `connect`, else `config.remote`.
    pub remote_addr: Ipv4Addr,
    /// The target's ISN, once learned.
    pub target_isn: Option<SeqNumber>,
    /// The peer's (the script's) ISN.
    pub peer_isn: SeqNumber,
}

impl Flow {
    /// Return the ISNs of a segment the peer sends (the target's is taken
    /// as 0 until learned).
    pub fn inbound(&self) -> Isns {
        Isns {
            sender: self.peer_isn,
            receiver: self.target_isn.unwrap_or_default(),
        }
    }

    /// Return the ISNs of a segment the target sends.
    pub fn outbound(&self) -> Isns {
        Isns {
            sender: self.target_isn.unwrap_or_default(),
            receiver: self.peer_isn,
        }
    }

    /// Return the target's port, [`DEFAULT_LOCAL_PORT`] if not yet known.
    pub fn local_port(&self) -> u16 {
        self.local_port.unwrap_or(DEFAULT_LOCAL_PORT)
    }
}

/// The connections of one run.
#[derive(Debug)]
pub struct Flows {
    flows: Vec<Flow>,
    rng: Rng,
    remote: Ipv4Addr,
    /// Each target ISN replaced by a new incarnation's (`*:*`), oldest
    /// first, so that a trace prints the frames before it with the old one.
    renewals: Vec<Renewal>,
}

/// A target ISN replaced by a new incarnation's.
#[derive(Debug, Clone, Copy)]
struct Renewal {
    /// The connection's ports (the target's, the peer's).
    ports: (u16, u16),
    /// The trace event (the new SYN) from which the new ISN holds.
    from_event: usize,
    /// The ISN before it.
    old: Option<SeqNumber>,
}

impl Flows {
    /// Start with no connection; peer ISNs come from `seed`.
    pub fn new(config: &Config, seed: u64) -> Flows {
        Flows {
            flows: Vec::new(),
            rng: Rng::from_seed(seed).derive("peer-isn"),
            remote: config.remote,
            renewals: Vec::new(),
        }
    }

    /// Return socket `socket`'s connection, made on first use.
    pub fn get(&mut self, socket: SocketId) -> &mut Flow {
        let index = match self.flows.iter().position(|f| f.socket == socket) {
            Some(i) => i,
            None => {
                let flow = Flow {
                    socket,
                    local_port: None,
                    remote_port: DEFAULT_PEER_PORT,
                    remote_addr: self.remote,
                    target_isn: None,
                    peer_isn: SeqNumber(self.rng.next_u32()),
                };
                self.flows.push(flow);
                self.flows.len() - 1
            }
        };
        &mut self.flows[index]
    }

    /// Give socket `accepted` (from `accept()` on `listener`) the
    /// listener's connection.
    pub fn accept(&mut self, listener: SocketId, accepted: SocketId) {
        let flow = Flow {
            socket: accepted,
            ..*self.get(listener)
        };
        self.flows.retain(|f| f.socket != accepted);
        self.flows.push(flow);
    }

    /// Take `isn` as socket `socket`'s target ISN from trace event
    /// `event` on: a new incarnation whose SYN an `out` step wrote `*:*`.
    pub fn renew_target_isn(&mut self, socket: SocketId, isn: SeqNumber, event: usize) {
        let flow = self.get(socket);
        let renewal = Renewal {
            ports: (flow.local_port(), flow.remote_port),
            from_event: event,
            old: flow.target_isn,
        };
        flow.target_isn = Some(isn);
        self.renewals.push(renewal);
    }

    /// Return the ISNs that make a segment's numbers relative: those of
    /// the connection its ports belong to, or zeros (absolute numbers).
    pub fn isns(&self, segment: &TcpRepr<'_>, inbound: bool) -> Isns {
        self.isns_at(segment, inbound, usize::MAX)
    }

    /// Return the ISNs as [`Flows::isns`] does, as they were at trace
    /// event `event`: before a new incarnation, its connection's old ISN.
    pub fn isns_at(&self, segment: &TcpRepr<'_>, inbound: bool, event: usize) -> Isns {
        let ports = if inbound {
            (segment.dst_port, segment.src_port)
        } else {
            (segment.src_port, segment.dst_port)
        };
        let Some(mut flow) = self
            .flows
            .iter()
            .find(|f| (f.local_port(), f.remote_port) == ports)
            .copied()
        else {
            return Isns::default();
        };
        if let Some(renewal) = self
            .renewals
            .iter()
            .find(|r| r.ports == ports && event < r.from_event)
        {
            flow.target_isn = renewal.old;
        }
        if inbound {
            flow.inbound()
        } else {
            flow.outbound()
        }
    }
}
