//! A read-only TFTP server on the reference host's UDP sockets (RFC 1350,
//! options RFC 2347–2349), sans-IO like the host itself.
//!
//! The server listens on port 69. Each read request gets its own socket on
//! an ephemeral port, the server's transfer identifier (RFC 1350 4), and a
//! [`Transfer`] that runs the lock-step exchange. [`Server::poll`] does all
//! the work at `now`: requests, packets of running transfers, their
//! timeouts and what they send; [`Server::poll_timeout`] says when to call
//! it next, and [`Server::poll_event`] reports what happened.
//!
//! - A packet on a transfer's socket from another address or port is
//!   answered with ERROR 5 and does not disturb the transfer (RFC 1350 4).
//! - A request from a client address and port that already has a transfer
//!   running is a retransmitted (or duplicated) request, and is ignored.
//! - Requests are refused with an ERROR sent from a fresh socket: 1 for an
//!   unknown file, 2 for a write request (the server is read-only), 8 for a
//!   bad option value (RFC 2347), 4 for a malformed request or mail mode,
//!   0 when [`ServerConfig::max_transfers`] are running. A packet on port 69
//!   that is not a request is dropped.

use core::net::SocketAddrV4;
use std::collections::{BTreeMap, VecDeque};

use stack::host::{BindError, Host, RecvError, UdpDatagram, UdpHandle};
use stack::time::Instant;
use stack::wire::Ipv4Addr;

use super::transfer::{Failure, Transfer, TransferConfig, TransferState};
use super::{ErrorCode, Packet, TftpError};

/// The server's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// What each transfer accepts, and its retransmission policy.
    pub transfer: TransferConfig,
    /// The most transfers running at once.
    pub max_transfers: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            transfer: TransferConfig::default(),
            max_transfers: 16,
        }
    }
}

/// What the server did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A read request was accepted.
    Started {
        /// The client.
        peer: SocketAddrV4,
        /// The file requested.
        filename: Vec<u8>,
        /// The block size negotiated.
        blksize: usize,
        /// The number of bytes to send.
        len: usize,
    },
    /// A request was refused with an ERROR.
    Refused {
        /// The client.
        peer: SocketAddrV4,
        /// The error code sent.
        code: ErrorCode,
    },
    /// A packet came to a transfer's socket from another TID; ERROR 5 went
    /// back to it.
    UnknownTid {
        /// The stray sender.
        from: SocketAddrV4,
    },
    /// A transfer ended: done, or failed.
    Finished {
        /// The client.
        peer: SocketAddrV4,
        /// How it ended.
        state: TransferState,
    },
}

/// One running transfer and its socket.
#[derive(Debug)]
struct Session {
    socket: UdpHandle,
    peer: SocketAddrV4,
    transfer: Transfer,
}

/// A read-only TFTP server over a [`Host`].
#[derive(Debug)]
pub struct Server {
    listener: UdpHandle,
    config: ServerConfig,
    files: BTreeMap<Vec<u8>, Vec<u8>>,
    sessions: Vec<Session>,
    events: VecDeque<ServerEvent>,
}

impl Server {
    /// Open the listening socket on `host` at `local` (port 69 usually).
    pub fn bind(
        host: &mut Host,
        local: SocketAddrV4,
        config: ServerConfig,
    ) -> Result<Server, BindError> {
        Ok(Server {
            listener: host.udp_bind(local)?,
            config,
            files: BTreeMap::new(),
            sessions: Vec::new(),
            events: VecDeque::new(),
        })
    }

    /// Serve `contents` under `name` (matched byte for byte).
    pub fn add_file(&mut self, name: impl Into<Vec<u8>>, contents: impl Into<Vec<u8>>) {
        self.files.insert(name.into(), contents.into());
    }

    /// Return the number of transfers running.
    pub fn transfers(&self) -> usize {
        self.sessions.len()
    }

    /// Return the next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Return when [`poll`](Self::poll) next has a timeout to handle.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sessions
            .iter()
            .filter_map(|s| s.transfer.poll_timeout())
            .min()
    }

    /// Do everything due at `now`: take requests, feed each transfer what
    /// arrived for it and its timeout, send what it has to send, and close
    /// the transfers that ended.
    pub fn poll(&mut self, now: Instant, host: &mut Host) {
        loop {
            match host.udp_recv_from(self.listener) {
                Ok(Some(datagram)) => self.request(now, host, &datagram),
                Ok(None) | Err(RecvError::BadHandle) => break,
                // An ICMP error about an earlier reply: nothing to do.
                Err(RecvError::Failed(_)) => continue,
            }
        }
        for session in &mut self.sessions {
            drive(session, now, host, &mut self.events);
        }
        let events = &mut self.events;
        self.sessions.retain(|session| {
            let state = session.transfer.state();
            if state == TransferState::Running {
                return true;
            }
            // NOTE: the handle is open, and closing cannot fail otherwise.
            let _ = host.udp_close(session.socket);
            events.push_back(ServerEvent::Finished {
                peer: session.peer,
                state,
            });
            false
        });
    }

    /// Take in a datagram sent to the listening socket.
    fn request(&mut self, now: Instant, host: &mut Host, datagram: &UdpDatagram) {
        let peer = datagram.from;
        let request = match Packet::parse(&datagram.payload) {
            Ok(Packet::Rrq(request)) => request,
            Ok(Packet::Wrq(_)) => {
                return self.refuse(
                    now,
                    host,
                    peer,
                    ErrorCode::AccessViolation,
                    "read-only server",
                )
            }
            Ok(_) => return,
            Err(TftpError::BadOptionValue { .. } | TftpError::DuplicateOption { .. }) => {
                return self.refuse(now, host, peer, ErrorCode::OptionNegotiation, "bad option")
            }
            Err(_) => {
                return self.refuse(
                    now,
                    host,
                    peer,
                    ErrorCode::IllegalOperation,
                    "malformed request",
                )
            }
        };
        // The client's TID is taken: this is its request again, sent before
        // our first reply reached it (or duplicated on the way). Answering
        // would start a second transfer to the same port.
        if self.sessions.iter().any(|session| session.peer == peer) {
            return;
        }
        if self.sessions.len() >= self.config.max_transfers {
            return self.refuse(now, host, peer, ErrorCode::NotDefined, "too many transfers");
        }
        let Some(file) = self.files.get(request.filename) else {
            return self.refuse(now, host, peer, ErrorCode::FileNotFound, "file not found");
        };
        let transfer = match Transfer::start(&request, file, &self.config.transfer) {
            Ok(transfer) => transfer,
            Err(refusal) => return self.refuse(now, host, peer, refusal.code, refusal.message),
        };
        let Ok(socket) = host.udp_bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)) else {
            return self.refuse(now, host, peer, ErrorCode::NotDefined, "no socket");
        };
        self.events.push_back(ServerEvent::Started {
            peer,
            filename: request.filename.to_vec(),
            blksize: transfer.blksize(),
            len: transfer.len(),
        });
        let mut session = Session {
            socket,
            peer,
            transfer,
        };
        drive(&mut session, now, host, &mut self.events);
        self.sessions.push(session);
    }

    /// Answer a request with an ERROR from a fresh socket, the TID a
    /// transfer would have had.
    fn refuse(
        &mut self,
        now: Instant,
        host: &mut Host,
        peer: SocketAddrV4,
        code: ErrorCode,
        message: &str,
    ) {
        self.events.push_back(ServerEvent::Refused { peer, code });
        let socket = host
            .udp_bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0))
            .unwrap_or(self.listener);
        send_error(now, host, socket, peer, code, message);
        if socket != self.listener {
            let _ = host.udp_close(socket);
        }
    }
}

/// Feed a transfer what arrived on its socket and its timeout, and send
/// what it has to send.
fn drive(session: &mut Session, now: Instant, host: &mut Host, events: &mut VecDeque<ServerEvent>) {
    loop {
        match host.udp_recv_from(session.socket) {
            Ok(Some(datagram)) if datagram.from != session.peer => {
                // RFC 1350 4: another TID gets ERROR 5; the transfer goes on.
                let message = "unknown transfer ID";
                send_error(
                    now,
                    host,
                    session.socket,
                    datagram.from,
                    ErrorCode::UnknownTransferId,
                    message,
                );
                events.push_back(ServerEvent::UnknownTid {
                    from: datagram.from,
                });
            }
            // A malformed packet is dropped: the timer recovers.
            Ok(Some(datagram)) => {
                if let Ok(packet) = Packet::parse(&datagram.payload) {
                    session.transfer.handle_packet(&packet);
                }
            }
            Ok(None) | Err(RecvError::BadHandle) => break,
            // ICMP port unreachable and the like: the client is gone.
            Err(RecvError::Failed(error)) => session.transfer.abort(Failure::Network(error)),
        }
    }
    session.transfer.handle_timeout(now);
    while let Some(bytes) = session.transfer.poll_transmit(now) {
        // A failed send is a lost packet: the timer resends it.
        let _ = host.udp_send_to(now, session.socket, bytes, session.peer);
    }
}

/// Send an ERROR packet.
fn send_error(
    now: Instant,
    host: &mut Host,
    socket: UdpHandle,
    to: SocketAddrV4,
    code: ErrorCode,
    message: &str,
) {
    let packet = Packet::Error {
        code,
        message: message.as_bytes(),
    };
    let mut bytes = [0; 64];
    if let Ok(len) = packet.emit(&mut bytes) {
        let _ = host.udp_send_to(now, socket, &bytes[..len], to);
    }
}
