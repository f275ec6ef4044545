//! TCP on the host: what the engine ([`crate::tcp`]) leaves to it.
//!
//! The engine is one [`Connection`]; the host owns everything around it,
//! as quinn-proto's `Endpoint` owns its connections:
//!
//! - **Input** (`Host::handle_tcp`): verify the checksum (MUST-3), drop
//!   any segment not sent to our unicast address (a SYN to a broadcast or
//!   multicast address above all, MUST-57) or from an address that names
//!   no single host (MUST-63), then demultiplex on the 4-tuple to a
//!   connection ([`table`]), else to a [`listener`], else answer with the
//!   RST of RFC 9293 3.10.7.1 (never a RST for a RST).
//! - **Listeners** make a connection per SYN with
//!   [`Connection::accept`], whose local address is the SYN's destination
//!   (MUST-44), and keep it in a bounded SYN queue, then a bounded accept
//!   queue ([`listener`]). A connection that returns to LISTEN (MUST-11)
//!   simply leaves: the listener goes on.
//! - **TIME-WAIT**: an ended connection stays in the table for 2MSL. A SYN
//!   for its 4-tuple that a listener would take goes to
//!   [`Connection::accepts_new_incarnation`] (RFC 6191, MAY-2, SHLD-4): if
//!   it says yes the old connection is dropped and the listener makes a new
//!   one; otherwise the engine answers it with an ACK. An active open
//!   never picks a 4-tuple in the table ([`ports`]).
//! - **Output** ([`Host::poll_transmit`] pulls from `output`): segments
//!   go out in IPv4 with an ID, the host's TTL (MUST-49), the connection's
//!   TOS (MUST-48), and **DF set**: TCP does path MTU discovery (RFC 1191;
//!   RFC 9293 3.7.2), so a router that cannot forward a segment says so with
//!   a "fragmentation needed" that lowers the MSS, rather than fragmenting.
//! - **ICMP errors** quoting one of our segments go to the connection of
//!   the quoted 4-tuple, with the quoted sequence number
//!   ([`Connection::handle_icmp_error`]; MUST-54, MUST-56, SHLD-26).
//!   Source Quench never reaches it: the ICMP layer ignores it (MUST-55).
//! - **Socket calls** (`api`): `tcp_listen`, `tcp_accept`, `tcp_connect`,
//!   `tcp_send`, `tcp_recv`, `tcp_shutdown`, `tcp_close`, `tcp_abort`,
//!   `tcp_status`, `tcp_state`, `tcp_poll_event` and options; after any of
//!   them, drain [`Host::poll_transmit`].

mod api;
pub mod config;
pub mod error;
pub mod listener;
mod output;
pub mod ports;
pub mod table;

use core::net::SocketAddrV4;

pub use config::{OptionError, SocketOption, TcpHostConfig};
pub use error::{AcceptError, CallError, ConnectError, ListenError, SocketErrno};
pub use listener::{ListenOptions, ListenerHandle};
pub use table::{ConnHandle, TcpTableStats};

use super::ipv4::RxMeta;
use super::{Action, FrameVerdict, Host, Layer, Why};
use crate::random::Rng;
use crate::tcp::isn::IsnGenerator;
use crate::tcp::{self as engine, Connection, FourTuple, IcmpError, SeqNumber, State, Verdict};
use crate::time::Instant;
use crate::wire::icmpv4::Icmpv4Quote;
use crate::wire::ipv4::Ipv4Repr;
use crate::wire::tcp::{TcpFlags, TcpRepr, TcpSegment};
use crate::wire::Ipv4Addr;
use listener::{Listener, Listeners};
use ports::HashedPorts;
use table::{Owner, Table};

/// The host's TCP state: the connection table, the listeners, and the
/// secrets connections are seeded from.
#[derive(Debug)]
pub(crate) struct TcpState {
    config: TcpHostConfig,
    table: Table,
    listeners: Listeners,
    /// RFC 6528's F with its key: one generator for every connection.
    isn: IsnGenerator,
    /// The TSval offsets: a keyed hash of the 4-tuple (RFC 7323 7.1), with
    /// a key of its own.
    ts_offsets: IsnGenerator,
    ports: HashedPorts,
}

impl TcpState {
    /// Create the state, drawing every secret from child streams of `rng`.
    pub(crate) fn new(config: &TcpHostConfig, rng: &Rng) -> TcpState {
        let rng = rng.derive("tcp");
        TcpState {
            table: Table::default(),
            listeners: Listeners::new(config.ephemeral_ports.clone(), rng.derive("listen-port")),
            isn: IsnGenerator::new(&mut rng.derive("isn")),
            ts_offsets: IsnGenerator::new(&mut rng.derive("ts-offset")),
            ports: HashedPorts::new(config.ephemeral_ports.clone(), rng.derive("ephemeral-port")),
            config: config.clone(),
        }
    }

    /// After anything touched a connection: move it between its listener's
    /// queues as its state says, then let the table settle it.
    fn settle(&mut self, handle: ConnHandle) {
        let Some(entry) = self.table.get_mut(handle) else {
            return;
        };
        if let Owner::SynQueue(l) = entry.owner {
            let state = entry.conn.state();
            if state != State::SynReceived {
                entry.owner = Owner::Nobody;
                if let Some(listener) = self.listeners.get_mut(l) {
                    listener.syn_queue.retain(|&h| h != handle);
                    if !entry.finished() {
                        if listener.accept_queue_full() {
                            // Not reached: a completing ACK is dropped while
                            // the accept queue is full (see `to_connection`).
                            entry.conn.abort();
                        } else {
                            listener.accept_queue.push_back(handle);
                            entry.owner = Owner::AcceptQueue(l);
                        }
                    }
                }
            }
        }
        self.table.settle(handle);
    }

    /// Return the seeds of a new connection on `tuple`: the RFC 6528 ISS,
    /// and a TSval offset no outsider can compute (RFC 7323 7.1) that is
    /// the same each time the 4-tuple is used, so that TSval grows from one
    /// incarnation to the next as RFC 6191 and PAWS need.
    fn seeds(&self, now: Instant, tuple: FourTuple) -> engine::Seeds {
        let (l, r) = (tuple.local, tuple.remote);
        let (local, remote) = ((*l.ip(), l.port()), (*r.ip(), r.port()));
        engine::Seeds {
            iss: self.isn.isn(now, local, remote),
            ts_offset: self.ts_offsets.offset(local, remote),
        }
    }
}

/// Return whether `addr` can be a single host's address: not 0.0.0.0,
/// loopback, multicast, class E or the limited broadcast.
fn names_a_host(addr: Ipv4Addr) -> bool {
    !(addr.is_unspecified() || addr.is_loopback() || addr.is_multicast() || addr.octets()[0] >= 240)
}

impl Host {
    /// Take in a TCP segment (a whole IPv4 payload).
    pub(super) fn handle_tcp(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        bytes: &[u8],
    ) -> FrameVerdict {
        let (src, dst) = (header.src_addr, header.dst_addr);
        let packet = TcpSegment::new_unchecked(bytes);
        let seg = match TcpRepr::parse(&packet, src, dst, self.config.checksums) {
            Ok(seg) => seg,
            // RFC 9293 3.1, MUST-3: a segment whose checksum fails is discarded.
            Err(err) => return FrameVerdict::Dropped(Why::unparsed(Layer::Tcp, err)),
        };
        // RFC 9293 3.9.2.1, MUST-57: "A TCP implementation MUST silently
        // discard an incoming SYN segment that is addressed to a broadcast or
        // multicast address." TCP is unicast: so is every other segment.
        if rx.ip_broadcast || rx.link_broadcast || dst != self.config.ipv4 {
            return FrameVerdict::Dropped(Why::TcpNotUnicast(dst));
        }
        // RFC 9293 3.10.7.2, MUST-63: reject a SYN (and, so, any segment)
        // whose source does not name one host, or names us.
        if !names_a_host(src) || self.is_broadcast(src) || src == self.config.ipv4 {
            return FrameVerdict::Dropped(Why::TcpBadSource(src));
        }
        let tuple = FourTuple {
            local: SocketAddrV4::new(dst, seg.dst_port),
            remote: SocketAddrV4::new(src, seg.src_port),
        };
        match self.tcp.table.lookup(&tuple) {
            Some(conn) => self.tcp_to_connection(now, header.tos, conn, &seg),
            None => self.tcp_no_connection(now, header.tos, tuple, &seg),
        }
    }

    /// Hand a segment to the connection of its 4-tuple.
    fn tcp_to_connection(
        &mut self,
        now: Instant,
        tos: u8,
        handle: ConnHandle,
        seg: &TcpRepr<'_>,
    ) -> FrameVerdict {
        // NOTE(unwrap): `lookup` returns live connections only.
        let entry = self.tcp.table.get_mut(handle).unwrap();
        entry.rx_tos = Some(tos);
        let tuple = entry.conn.tuple();
        if entry.conn.state() == State::TimeWait && seg.flags.contains(TcpFlags::SYN) {
            if let Some(verdict) = self.tcp_reincarnate(now, tos, handle, tuple, seg) {
                return verdict;
            }
        }
        let tcp = &mut self.tcp;
        // NOTE(unwrap): as above; nothing removed it since.
        let entry = tcp.table.get_mut(handle).unwrap();
        if let Owner::SynQueue(l) = entry.owner {
            // Linux's "listen overflow": while the accept queue is full, the
            // ACK that would complete a handshake is dropped; the SYN,ACK is
            // sent again later and the peer's ACK retried.
            let full = tcp
                .listeners
                .get(l)
                .is_some_and(Listener::accept_queue_full);
            if full && seg.flags.contains(TcpFlags::ACK) && !seg.flags.contains(TcpFlags::RST) {
                return FrameVerdict::Dropped(Why::AcceptQueueFull(l));
            }
        }
        let verdict = entry.conn.handle_segment(now, seg);
        tcp.settle(handle);
        match verdict {
            Verdict::Dropped(why) => FrameVerdict::Dropped(Why::TcpDropped(why)),
            verdict => FrameVerdict::Accepted(Action::TcpSegment(handle, verdict)),
        }
    }

    /// A SYN for a 4-tuple in TIME-WAIT (RFC 9293 3.6.1, MAY-2; RFC 6191,
    /// SHLD-4): if a listener would take it and the engine calls it a new
    /// incarnation, end the old connection and let the listener open the
    /// new one. `None`: the old connection handles the SYN (an ACK).
    fn tcp_reincarnate(
        &mut self,
        now: Instant,
        tos: u8,
        old: ConnHandle,
        tuple: FourTuple,
        seg: &TcpRepr<'_>,
    ) -> Option<FrameVerdict> {
        let l = self.tcp.listeners.lookup(tuple.local, tuple.remote)?;
        let listener = self.tcp.listeners.get(l)?;
        if listener.syn_queue_full() || listener.accept_queue_full() {
            return None;
        }
        let entry = self.tcp.table.get_mut(old)?;
        if !entry.conn.accepts_new_incarnation(seg) {
            return None;
        }
        // "Delete the TCB": CLOSED without a word; the slot is freed once
        // nobody holds it.
        entry.conn.abort();
        self.tcp.settle(old);
        Some(self.tcp_syn_to_listener(now, tos, l, tuple, seg))
    }

    /// A segment with no connection: a listener's, or RFC 9293 3.10.7.1's.
    fn tcp_no_connection(
        &mut self,
        now: Instant,
        tos: u8,
        tuple: FourTuple,
        seg: &TcpRepr<'_>,
    ) -> FrameVerdict {
        if let Some(l) = self.tcp.listeners.lookup(tuple.local, tuple.remote) {
            return self.tcp_to_listener(now, tos, l, tuple, seg);
        }
        // RFC 9293 3.10.7.1: "An incoming segment containing a RST is
        // discarded. An incoming segment not containing a RST causes a RST
        // to be sent in response."
        match engine::reset_for(seg) {
            None => FrameVerdict::Dropped(Why::TcpRstToNoConnection),
            Some(rst) => {
                self.tcp_send_reset(now, tuple, &rst);
                FrameVerdict::Dropped(Why::TcpNoConnection(tuple.local.port()))
            }
        }
    }

    /// RFC 9293 3.10.7.2, LISTEN, with the listener playing the TCB.
    fn tcp_to_listener(
        &mut self,
        now: Instant,
        tos: u8,
        l: ListenerHandle,
        tuple: FourTuple,
        seg: &TcpRepr<'_>,
    ) -> FrameVerdict {
        // "First, check for a RST: An incoming RST segment could not be
        // valid ... it should be ignored."
        if seg.flags.contains(TcpFlags::RST) {
            return FrameVerdict::Dropped(Why::TcpListen(l, engine::Why::RstIgnored));
        }
        // "Second, check for an ACK: ... form a reset <SEQ=SEG.ACK><CTL=RST>".
        if seg.flags.contains(TcpFlags::ACK) {
            if let Some(rst) = engine::reset_for(seg) {
                self.tcp_send_reset(now, tuple, &rst);
            }
            return FrameVerdict::Dropped(Why::TcpListen(l, engine::Why::AckInListen));
        }
        // "Fourth, other data or control: ... drop the segment and return."
        if !seg.flags.contains(TcpFlags::SYN) {
            return FrameVerdict::Dropped(Why::TcpListen(l, engine::Why::NoSynInListen));
        }
        self.tcp_syn_to_listener(now, tos, l, tuple, seg)
    }

    /// "Third, check for a SYN": make a connection for it, if the backlog
    /// and the table have room (else drop it, as Linux without syncookies).
    fn tcp_syn_to_listener(
        &mut self,
        now: Instant,
        tos: u8,
        l: ListenerHandle,
        tuple: FourTuple,
        seg: &TcpRepr<'_>,
    ) -> FrameVerdict {
        let link_mss = self.link_mss();
        let tcp = &mut self.tcp;
        // NOTE(unwrap): callers found `l` in `lookup` just now.
        let listener = tcp.listeners.get(l).unwrap();
        if listener.syn_queue_full() {
            return FrameVerdict::Dropped(Why::SynQueueFull(l));
        }
        if listener.accept_queue_full() {
            return FrameVerdict::Dropped(Why::AcceptQueueFull(l));
        }
        if tcp.table.len() >= tcp.config.max_connections {
            return FrameVerdict::Dropped(Why::TcpTableFull);
        }
        let mut config = listener.config.clone();
        config.mss = config.mss.min(link_mss);
        let listener_tos = listener.tos;
        let seeds = tcp.seeds(now, tuple);
        // MUST-44: the local address is the SYN's destination (`tuple.local`).
        let (conn, verdict) = match Connection::accept(now, config, tuple, seeds, seg) {
            Ok(made) => made,
            // Not reached: the listener's configuration was checked when it
            // opened or took an option, and the link's MSS is at least MIN_MSS.
            Err(_) => return FrameVerdict::Dropped(Why::TcpListen(l, engine::Why::NoSynInListen)),
        };
        if conn.state() != State::SynReceived {
            let why = verdict.why().unwrap_or(engine::Why::NoSynInListen);
            return FrameVerdict::Dropped(Why::TcpListen(l, why));
        }
        let handle = tcp.table.insert(conn, Owner::SynQueue(l), listener_tos);
        if let Some(entry) = tcp.table.get_mut(handle) {
            entry.rx_tos = Some(tos);
        }
        if let Some(listener) = tcp.listeners.get_mut(l) {
            listener.syn_queue.push(handle);
        }
        tcp.settle(handle);
        FrameVerdict::Accepted(Action::TcpSynQueued(l, handle))
    }

    /// Return the largest MSS the link carries without fragments (RFC 9293
    /// 3.7.1, MUST-67: MMS_R less 20, the MTU less 40).
    fn link_mss(&self) -> u16 {
        let mss = self
            .config
            .mtu
            .saturating_sub(40)
            .min(usize::from(u16::MAX));
        (mss as u16).max(engine::config::MIN_MSS)
    }

    /// Take in an ICMP error quoting a TCP segment we sent, and hand it to
    /// the connection of the quoted 4-tuple (RFC 9293 3.9.2.2, MUST-54;
    /// RFC 1122 4.2.3.9). The quote's first 8 octets carry the ports and
    /// the sequence number.
    pub(super) fn handle_tcp_icmp_error(
        &mut self,
        now: Instant,
        quote: &Icmpv4Quote<'_>,
        error: IcmpError,
    ) -> FrameVerdict {
        let quoted = quote.header();
        let (Some((src_port, dst_port)), Some(seq)) = (quote.ports(), quote.data().get(4..8))
        else {
            return FrameVerdict::Dropped(Why::IcmpErrorUnmatched);
        };
        let tuple = FourTuple {
            local: SocketAddrV4::new(quoted.src_addr, src_port),
            remote: SocketAddrV4::new(quoted.dst_addr, dst_port),
        };
        let Some(handle) = self.tcp.table.lookup(&tuple) else {
            return FrameVerdict::Dropped(Why::IcmpErrorUnmatched);
        };
        // NOTE(unwrap): `lookup` returns live connections only.
        let entry = self.tcp.table.get_mut(handle).unwrap();
        // NOTE(unwrap): `get(4..8)` gave exactly four octets.
        let seq = SeqNumber(u32::from_be_bytes(seq.try_into().unwrap()));
        let outcome = entry.conn.handle_icmp_error(now, error, seq);
        self.tcp.settle(handle);
        FrameVerdict::Accepted(Action::TcpIcmpError(handle, outcome))
    }
}
