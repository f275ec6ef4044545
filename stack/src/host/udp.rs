//! UDP (RFC 768; RFC 1122 4.1): handle-based sockets on the host.
//!
//! A socket is named by a [`UdpHandle`] (a slot and a generation, so a
//! handle kept after [`Host::udp_close`] never reaches a socket opened
//! later in the same slot). The calls are the BSD ones, sans-IO:
//! [`Host::udp_bind`] (an explicit port, or 0 for an ephemeral one from
//! [`EphemeralPorts`]), [`Host::udp_send_to`], [`Host::udp_recv_from`],
//! [`Host::udp_take_error`] and [`Host::udp_close`].
//!
//! # Decisions
//!
//! - **Checksums** are verified (RFC 1122 4.1.3.4: a bad one is silently
//!   discarded, and counted); a zero checksum means none was sent (RFC 768).
//!   Every datagram sent carries one.
//! - **Demultiplexing**: a socket bound to our address gets the datagrams
//!   sent to it; a socket bound to 0.0.0.0 also gets broadcasts. No socket:
//!   ICMP port unreachable (RFC 1122 4.1.3.1), within RFC 1122 3.2.2's rules.
//! - **Errors** are asynchronous, as in BSD: an ICMP error quoting one of
//!   the socket's datagrams, or a failed ARP resolution, leaves a pending
//!   [`SocketError`], returned once by the next `udp_recv_from` (or
//!   `udp_take_error`, which is `SO_ERROR`).
//! - **Bounds**: at most [`UdpConfig::max_sockets`] sockets and
//!   [`UdpConfig::rx_queue`] datagrams waiting on each; a datagram beyond
//!   it is dropped and counted.

use core::fmt;
use core::net::SocketAddrV4;
use std::collections::VecDeque;

use super::config::UdpConfig;
use super::icmp::IcmpError;
use super::ipv4::{RxMeta, SendError};
use super::neighbor::Origin;
use super::ports::EphemeralPorts;
use super::{Action, FrameVerdict, Host, Layer, Sabotage, Why};
use crate::random::Rng;
use crate::time::Instant;
use crate::wire::icmpv4::DstUnreachable;
use crate::wire::ipv4::Ipv4Repr;
use crate::wire::udp::{UdpPacket, UdpRepr};
use crate::wire::{IpProtocol, Ipv4Addr};

/// The largest UDP payload: 65,535 minus the IPv4 and UDP headers.
pub const MAX_PAYLOAD: usize = 65_507;

/// The name of a UDP socket on a [`Host`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpHandle {
    slot: u32,
    generation: u32,
}

impl fmt::Display for UdpHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "udp#{}.{}", self.slot, self.generation)
    }
}

/// An error left pending on a socket by the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketError {
    /// ARP resolution of the next hop failed, or ICMP host unreachable
    /// (`EHOSTUNREACH`).
    HostUnreachable,
    /// ICMP net unreachable (`ENETUNREACH`).
    NetUnreachable,
    /// ICMP protocol unreachable (`ENOPROTOOPT`).
    ProtocolUnreachable,
    /// ICMP port unreachable: nobody listens there (`ECONNREFUSED`).
    PortUnreachable,
    /// ICMP fragmentation needed with DF set (`EMSGSIZE`).
    MessageTooLong,
    /// ICMP communication administratively prohibited (`EACCES`).
    Prohibited,
    /// ICMP time exceeded (TTL, or reassembly at the receiver).
    TimeExceeded,
    /// ICMP parameter problem (`EPROTO`).
    ParameterProblem,
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SocketError::HostUnreachable => "host unreachable",
            SocketError::NetUnreachable => "network unreachable",
            SocketError::ProtocolUnreachable => "protocol unreachable",
            SocketError::PortUnreachable => "connection refused (port unreachable)",
            SocketError::MessageTooLong => "message too long",
            SocketError::Prohibited => "administratively prohibited",
            SocketError::TimeExceeded => "time exceeded",
            SocketError::ParameterProblem => "parameter problem",
        })
    }
}

impl std::error::Error for SocketError {}

/// Why a socket could not be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// Another socket holds the address and port (`EADDRINUSE`).
    AddrInUse,
    /// The address is neither ours nor 0.0.0.0 (`EADDRNOTAVAIL`).
    AddrNotAvailable,
    /// Every ephemeral port is taken.
    NoEphemeralPort,
    /// [`UdpConfig::max_sockets`] are open (`EMFILE`).
    TooManySockets,
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BindError::AddrInUse => "address in use",
            BindError::AddrNotAvailable => "address not available",
            BindError::NoEphemeralPort => "no ephemeral port free",
            BindError::TooManySockets => "too many sockets",
        })
    }
}

impl std::error::Error for BindError {}

/// Why a receive failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// The socket handle is closed or was never open.
    BadHandle,
    /// The network left this error pending; it is now cleared.
    Failed(SocketError),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::BadHandle => f.write_str("no such socket"),
            RecvError::Failed(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for RecvError {}

/// A handle that names no open socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadHandle;

impl fmt::Display for BadHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no such socket")
    }
}

impl std::error::Error for BadHandle {}

/// A datagram received on a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram {
    /// The sender.
    pub from: SocketAddrV4,
    /// The destination address: ours, or a broadcast.
    pub to: Ipv4Addr,
    /// The data.
    pub payload: Vec<u8>,
}

#[derive(Debug)]
struct UdpSocket {
    local: SocketAddrV4,
    rx: VecDeque<UdpDatagram>,
    error: Option<SocketError>,
    dont_frag: bool,
}

#[derive(Debug, Default)]
struct Slot {
    generation: u32,
    socket: Option<UdpSocket>,
}

/// The host's UDP sockets: plain data, no I/O.
#[derive(Debug)]
pub(super) struct UdpSockets {
    slots: Vec<Slot>,
    open: usize,
    config: UdpConfig,
    ports: EphemeralPorts,
}

impl UdpSockets {
    pub(super) fn new(config: &UdpConfig, rng: Rng) -> UdpSockets {
        UdpSockets {
            slots: Vec::new(),
            open: 0,
            ports: EphemeralPorts::new(config.ephemeral_ports.clone(), rng),
            config: config.clone(),
        }
    }

    fn get(&self, handle: UdpHandle) -> Option<&UdpSocket> {
        let slot = self.slots.get(handle.slot as usize)?;
        (slot.generation == handle.generation).then_some(slot.socket.as_ref()?)
    }

    fn get_mut(&mut self, handle: UdpHandle) -> Option<&mut UdpSocket> {
        let slot = self.slots.get_mut(handle.slot as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.socket.as_mut()
    }

    fn sockets(&self) -> impl Iterator<Item = (UdpHandle, &UdpSocket)> {
        sockets(&self.slots)
    }

    fn bind(&mut self, local: SocketAddrV4) -> Result<UdpHandle, BindError> {
        if self.open >= self.config.max_sockets {
            return Err(BindError::TooManySockets);
        }
        let addr = *local.ip();
        let port = match local.port() {
            0 => {
                let slots = &self.slots;
                let taken = |p| port_taken(slots, addr, p);
                self.ports.pick(taken).ok_or(BindError::NoEphemeralPort)?
            }
            port if port_taken(&self.slots, addr, port) => return Err(BindError::AddrInUse),
            port => port,
        };
        let socket = UdpSocket {
            local: SocketAddrV4::new(addr, port),
            rx: VecDeque::new(),
            error: None,
            dont_frag: false,
        };
        let slot = match self.slots.iter().position(|s| s.socket.is_none()) {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        self.slots[slot].socket = Some(socket);
        self.open += 1;
        let generation = self.slots[slot].generation;
        Ok(UdpHandle {
            slot: slot as u32,
            generation,
        })
    }

    fn close(&mut self, handle: UdpHandle) -> Result<(), BadHandle> {
        self.get(handle).ok_or(BadHandle)?;
        let slot = &mut self.slots[handle.slot as usize];
        slot.socket = None;
        slot.generation = slot.generation.wrapping_add(1);
        self.open -= 1;
        Ok(())
    }

    /// Return the socket that receives datagrams for `dst`:`port`: one
    /// bound to that very address first, then one bound to 0.0.0.0.
    pub(super) fn lookup(&self, dst: Ipv4Addr, port: u16) -> Option<UdpHandle> {
        let on_port = || self.sockets().filter(move |(_, s)| s.local.port() == port);
        let exact = on_port().find(|(_, s)| *s.local.ip() == dst);
        exact
            .or_else(|| on_port().find(|(_, s)| s.local.ip().is_unspecified()))
            .map(|(h, _)| h)
    }

    /// Leave `error` pending on the socket (the latest one wins, as BSD's
    /// `so_error` does).
    pub(super) fn set_error(&mut self, handle: UdpHandle, error: SocketError) {
        if let Some(socket) = self.get_mut(handle) {
            socket.error = Some(error);
        }
    }
}

/// Return the open sockets in `slots`, with their handles.
fn sockets(slots: &[Slot]) -> impl Iterator<Item = (UdpHandle, &UdpSocket)> {
    slots.iter().enumerate().filter_map(|(i, slot)| {
        let handle = UdpHandle {
            slot: i as u32,
            generation: slot.generation,
        };
        slot.socket.as_ref().map(|s| (handle, s))
    })
}

/// Return whether a socket in `slots` on `port` clashes with binding `addr`
/// (no `SO_REUSEADDR`: 0.0.0.0 clashes with every address).
fn port_taken(slots: &[Slot], addr: Ipv4Addr, port: u16) -> bool {
    sockets(slots).any(|(_, s)| {
        let ip = *s.local.ip();
        s.local.port() == port && (ip == addr || ip.is_unspecified() || addr.is_unspecified())
    })
}

impl Host {
    /// Open a UDP socket bound to `local`: our address or 0.0.0.0, and a
    /// port, or 0 for an ephemeral one (RFC 6056 Algorithm 1, see
    /// [`EphemeralPorts`]).
    pub fn udp_bind(&mut self, local: SocketAddrV4) -> Result<UdpHandle, BindError> {
        let addr = *local.ip();
        if !addr.is_unspecified() && addr != self.config.ipv4 {
            return Err(BindError::AddrNotAvailable);
        }
        self.udp.bind(local)
    }

    /// Return the address a socket is bound to.
    pub fn udp_local_addr(&self, handle: UdpHandle) -> Result<SocketAddrV4, BadHandle> {
        self.udp.get(handle).map(|s| s.local).ok_or(BadHandle)
    }

    /// Set or clear Don't Fragment on the socket's datagrams (off by default).
    pub fn udp_set_dont_fragment(&mut self, handle: UdpHandle, on: bool) -> Result<(), BadHandle> {
        self.udp.get_mut(handle).ok_or(BadHandle)?.dont_frag = on;
        Ok(())
    }

    /// Close a socket; datagrams waiting on it are discarded.
    pub fn udp_close(&mut self, handle: UdpHandle) -> Result<(), BadHandle> {
        self.udp.close(handle)
    }

    /// Return and clear the socket's pending error (`SO_ERROR`).
    pub fn udp_take_error(&mut self, handle: UdpHandle) -> Result<Option<SocketError>, BadHandle> {
        Ok(self.udp.get_mut(handle).ok_or(BadHandle)?.error.take())
    }

    /// Send `payload` to `dst` from the socket. Success means queued: an
    /// ARP failure comes back later as a pending [`SocketError`].
    pub fn udp_send_to(
        &mut self,
        now: Instant,
        handle: UdpHandle,
        payload: &[u8],
        dst: SocketAddrV4,
    ) -> Result<(), SendError> {
        let socket = self.udp.get(handle).ok_or(SendError::BadHandle)?;
        if dst.ip().is_unspecified() || dst.port() == 0 {
            return Err(SendError::InvalidDestination);
        }
        if payload.len() > MAX_PAYLOAD {
            return Err(SendError::TooLong { max: MAX_PAYLOAD });
        }
        let (src, dont_frag) = (self.config.ipv4, socket.dont_frag);
        let udp = UdpRepr {
            src_port: socket.local.port(),
            dst_port: dst.port(),
            payload,
        };
        // A spare frame buffer, handed back once the frames are queued.
        let mut bytes = self.frame_buffer();
        bytes.clear();
        bytes.resize(udp.buffer_len(), 0);
        let policy = self.config.checksums;
        udp.emit(
            &mut UdpPacket::new_unchecked(&mut bytes[..]),
            src,
            *dst.ip(),
            policy,
        );
        if self.config.sabotage == Some(Sabotage::CorruptUdpChecksum) {
            bytes[6] ^= 0xff;
            bytes[7] ^= 0xff;
        }
        let mut header = Ipv4Repr::new(src, *dst.ip(), IpProtocol::Udp, bytes.len());
        header.dont_frag = dont_frag;
        let sent = self.send_datagram(now, header, &bytes, Origin::Udp(handle));
        self.recycle(bytes);
        sent
    }

    /// Return the oldest datagram waiting on the socket, `Ok(None)` if none,
    /// or the pending error (which this clears) before any datagram.
    pub fn udp_recv_from(&mut self, handle: UdpHandle) -> Result<Option<UdpDatagram>, RecvError> {
        let socket = self.udp.get_mut(handle).ok_or(RecvError::BadHandle)?;
        if let Some(error) = socket.error.take() {
            return Err(RecvError::Failed(error));
        }
        Ok(socket.rx.pop_front())
    }

    /// Take in a UDP datagram (a whole IPv4 payload).
    pub(super) fn handle_udp(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        bytes: &[u8],
    ) -> FrameVerdict {
        let (src, dst) = (header.src_addr, header.dst_addr);
        let packet = UdpPacket::new_unchecked(bytes);
        let udp = match UdpRepr::parse(&packet, src, dst, self.config.checksums) {
            Ok(udp) => udp,
            // RFC 1122 4.1.3.4: silently discard a bad checksum.
            Err(err) => return FrameVerdict::Dropped(Why::unparsed(Layer::Udp, err)),
        };
        let Some(handle) = self.udp.lookup(dst, udp.dst_port) else {
            let error = IcmpError::DstUnreachable(DstUnreachable::PortUnreachable);
            self.send_icmp_error(now, rx, header, bytes, error);
            return FrameVerdict::Dropped(Why::PortUnreachable(udp.dst_port));
        };
        let limit = self.config.udp.rx_queue;
        // NOTE(unwrap): `lookup` just returned this open socket.
        let socket = self.udp.get_mut(handle).unwrap();
        if socket.rx.len() >= limit {
            return FrameVerdict::Dropped(Why::SocketQueueFull(handle));
        }
        socket.rx.push_back(UdpDatagram {
            from: SocketAddrV4::new(src, udp.src_port),
            to: dst,
            payload: udp.payload.to_vec(),
        });
        FrameVerdict::Accepted(Action::UdpDelivered(handle))
    }
}
