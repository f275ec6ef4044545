//! The script's sockets as kernel sockets, inside the namespace.
//!
//! Socket ids are the script's (the first is [`FIRST_SOCKET`]); an id is a
//! fresh `socket(AF_INET, SOCK_STREAM)` on its first call, as if the script
//! had made it, and `accept()` returns the lowest id with no open socket,
//! as a Unix file descriptor would. Every socket is non-blocking, so
//! `connect` returns `EINPROGRESS`, and a call that would wait returns
//! `EAGAIN`. Sends never raise `SIGPIPE` (`MSG_NOSIGNAL`): a write after a
//! reset is `EPIPE`. Results are the kernel's own, errno and all; an errno
//! that no script can name is a target failure that quotes it.
//!
//! A socket's address pair is kept after `close()`, so that `state` still
//! finds the connection in FIN-WAIT, LAST-ACK or TIME-WAIT. A listener's
//! state is that of a connection on its port that no socket has accepted
//! yet (RFC 9293's LISTEN becomes SYN-RECEIVED), else LISTEN; the remote
//! ends to look for are those the peer has sent segments from.

use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::os::fd::AsRawFd;

use nix::errno::Errno as NixErrno;
use nix::libc;
use nix::sys::socket::{self as nixsock, sockopt, MsgFlags};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::setup::SocketSetup;
use super::state::Diag;
use crate::script::{Call, Errno, Shutdown, SockOpt, TcpState};
use crate::target::{CallOutcome, SocketId, TargetError, FIRST_SOCKET};

/// The backlog of `listen(port)` without one: Linux's `SOMAXCONN` before
/// 5.4, and what most servers pass.
const DEFAULT_BACKLOG: i32 = 128;

/// One script socket.
#[derive(Debug)]
struct Slot {
    /// The kernel socket; `None` once closed.
    socket: Option<Socket>,
    /// The port it listens on, if it is a listener.
    listening: Option<u16>,
    /// The connection's local and remote addresses, once known.
    pair: Option<(SocketAddrV4, SocketAddrV4)>,
}

/// The script's sockets.
#[derive(Debug)]
pub struct Sockets {
    setup: SocketSetup,
    local: Ipv4Addr,
    slots: BTreeMap<SocketId, Slot>,
    /// The remote ends that sent segments to each local port.
    peers: BTreeSet<(u16, SocketAddrV4)>,
}

/// Return the IPv4 address of a socket address, if it is one.
fn v4(addr: &SockAddr) -> Option<SocketAddrV4> {
    match addr.as_socket()? {
        std::net::SocketAddr::V4(a) => Some(a),
        std::net::SocketAddr::V6(_) => None,
    }
}

/// Map a kernel errno to the script's name for it.
pub fn errno(raw: i32) -> Option<Errno> {
    use NixErrno as E;
    Some(match NixErrno::from_raw(raw) {
        E::EPIPE => Errno::Epipe,
        E::ECONNREFUSED => Errno::Econnrefused,
        E::ECONNRESET => Errno::Econnreset,
        E::ECONNABORTED => Errno::Econnaborted,
        E::ETIMEDOUT => Errno::Etimedout,
        E::EAGAIN => Errno::Eagain,
        E::EINPROGRESS => Errno::Einprogress,
        E::EALREADY => Errno::Ealready,
        E::ENOTCONN => Errno::Enotconn,
        E::EISCONN => Errno::Eisconn,
        E::EADDRINUSE => Errno::Eaddrinuse,
        E::EADDRNOTAVAIL => Errno::Eaddrnotavail,
        E::EINVAL => Errno::Einval,
        E::EBADF => Errno::Ebadf,
        E::EHOSTUNREACH => Errno::Ehostunreach,
        E::ENETUNREACH => Errno::Enetunreach,
        E::EOPNOTSUPP => Errno::Eopnotsupp,
        E::EMSGSIZE => Errno::Emsgsize,
        _ => return None,
    })
}

/// Turn a call's result into its outcome: the value, the errno, or a
/// failure for an errno no script can name.
fn outcome(call: &Call, result: io::Result<u32>) -> Result<CallOutcome, TargetError> {
    match result {
        Ok(value) => Ok(CallOutcome::Value(value)),
        Err(e) => match e.raw_os_error().and_then(errno) {
            Some(errno) => Ok(CallOutcome::Errno(errno)),
            None => Err(TargetError::Failed(format!(
                "`{call}` failed with {e}, which scripts cannot name"
            ))),
        },
    }
}

/// Return a nix errno as an I/O error.
fn io_error(e: NixErrno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// Convert a count to a call's return value.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Sockets {
    /// Start with no socket; each gets `setup`, and binds to `local`.
    pub fn new(setup: SocketSetup, local: Ipv4Addr) -> Sockets {
        Sockets {
            setup,
            local,
            slots: BTreeMap::new(),
            peers: BTreeSet::new(),
        }
    }

    /// Note that `remote` sent a segment to local port `port`.
    pub fn note_peer(&mut self, port: u16, remote: SocketAddrV4) {
        self.peers.insert((port, remote));
    }

    /// Make a non-blocking TCP socket with the script's options.
    fn open(&self) -> io::Result<Socket> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        socket.set_tcp_nodelay(self.setup.nodelay)?;
        socket.set_tcp_mss(u32::from(self.setup.mss))?;
        if let Some(clamp) = self.setup.window_clamp {
            set_window_clamp(&socket, clamp)?;
        }
        Ok(socket)
    }

    /// Return socket `id`'s kernel socket, opening it on first use.
    fn socket(&mut self, id: SocketId) -> Result<io::Result<&Socket>, TargetError> {
        if !self.slots.contains_key(&id) {
            let socket = self
                .open()
                .map_err(|e| TargetError::Failed(format!("cannot open a TCP socket: {e}")))?;
            let slot = Slot {
                socket: Some(socket),
                listening: None,
                pair: None,
            };
            self.slots.insert(id, slot);
        }
        // NOTE(unwrap): the slot was inserted above if it was missing.
        let slot = self.slots.get(&id).unwrap();
        Ok(slot
            .socket
            .as_ref()
            .ok_or_else(|| io_error(NixErrno::EBADF)))
    }

    /// Make a socket call on socket `id`.
    pub fn call(&mut self, id: SocketId, call: &Call) -> Result<CallOutcome, TargetError> {
        match *call {
            Call::Listen { port, backlog } => return self.listen(id, call, port, backlog),
            Call::Connect(remote) => return self.connect(id, call, remote),
            Call::Accept => return self.accept(id, call),
            Call::Close => return Ok(self.close(id, false)),
            Call::Abort => return Ok(self.close(id, true)),
            _ => {}
        }
        let local = self.local;
        let result = self.socket(id)?.and_then(|socket| match *call {
            Call::Bind { addr, port } => {
                let addr = SocketAddrV4::new(addr.unwrap_or(local), port);
                socket.bind(&addr.into()).map(|()| 0)
            }
            Call::Write { len, oob } => write(socket, &vec![0u8; len as usize], oob),
            Call::Read { len, oob } => read(socket, len, oob).map(|bytes| bytes.len()),
            Call::Shutdown(how) => socket
                .shutdown(match how {
                    Shutdown::Read => std::net::Shutdown::Read,
                    Shutdown::Write => std::net::Shutdown::Write,
                    Shutdown::Both => std::net::Shutdown::Both,
                })
                .map(|()| 0),
            Call::SetSockOpt(opt, value) => set_option(socket, opt, value).map(|()| 0),
            Call::GetSockOpt(opt) => get_option(socket, opt),
            Call::Listen { .. } | Call::Connect(_) | Call::Accept | Call::Close | Call::Abort => {
                Ok(0)
            }
        });
        outcome(call, result.map(count))
    }

    /// Make a `write` that sends `data`, or a `read` that returns its bytes
    /// in `data`; any other call goes the usual way.
    pub fn call_with_data(
        &mut self,
        id: SocketId,
        call: &Call,
        data: &mut Vec<u8>,
    ) -> Result<CallOutcome, TargetError> {
        let (Call::Write { oob, .. } | Call::Read { oob, .. }) = *call else {
            return self.call(id, call);
        };
        let result = self.socket(id)?.and_then(|socket| match *call {
            Call::Read { len, .. } => read(socket, len, oob).map(|bytes| {
                *data = bytes;
                data.len()
            }),
            _ => write(socket, data, oob),
        });
        outcome(call, result.map(count))
    }

    /// `listen(port)`: bind to the configured address and listen.
    fn listen(
        &mut self,
        id: SocketId,
        call: &Call,
        port: u16,
        backlog: Option<u32>,
    ) -> Result<CallOutcome, TargetError> {
        let local = self.local;
        let result = self.socket(id)?.and_then(|s| {
            // A socket already bound to this port is only put to listening.
            let bound = s.local_addr().ok().as_ref().and_then(v4);
            if bound.is_none_or(|a| a.port() != port) {
                s.bind(&SocketAddrV4::new(local, port).into())?;
            }
            let backlog = backlog.map_or(DEFAULT_BACKLOG, |b| b.min(i32::MAX as u32) as i32);
            s.listen(backlog)
        });
        if result.is_ok() {
            if let Some(slot) = self.slots.get_mut(&id) {
                slot.listening = Some(port);
            }
        }
        outcome(call, result.map(|()| 0))
    }

    /// `connect(remote)`: a non-blocking active open; usually `EINPROGRESS`.
    fn connect(
        &mut self,
        id: SocketId,
        call: &Call,
        remote: SocketAddrV4,
    ) -> Result<CallOutcome, TargetError> {
        let (result, local) = match self.socket(id)? {
            Ok(s) => {
                let result = s.connect(&remote.into());
                // The kernel picks the port before the SYN leaves.
                (result, s.local_addr().ok().as_ref().and_then(v4))
            }
            Err(e) => (Err(e), None),
        };
        if let (Some(local), Some(slot)) = (local, self.slots.get_mut(&id)) {
            if local.port() != 0 {
                slot.pair = Some((local, remote));
                self.peers.insert((local.port(), remote));
            }
        }
        outcome(call, result.map(|()| 0))
    }

    /// `accept()`: the new socket gets the lowest id with no open socket.
    fn accept(&mut self, id: SocketId, call: &Call) -> Result<CallOutcome, TargetError> {
        let accepted = self.socket(id)?.and_then(|s| {
            let (socket, peer) = s.accept()?;
            socket.set_nonblocking(true)?;
            let local = socket.local_addr()?;
            Ok((socket, v4(&local).zip(v4(&peer))))
        });
        let (socket, pair) = match accepted {
            Ok(found) => found,
            Err(e) => return outcome(call, Err(e)),
        };
        let new_id = (FIRST_SOCKET..)
            .find(|i| self.slots.get(i).is_none_or(|s| s.socket.is_none()))
            .unwrap_or(SocketId::MAX);
        let slot = Slot {
            socket: Some(socket),
            listening: None,
            pair,
        };
        self.slots.insert(new_id, slot);
        Ok(CallOutcome::Value(new_id))
    }

    /// `close()`, or `abort()` (`SO_LINGER` 0: the kernel sends a RST).
    fn close(&mut self, id: SocketId, abort: bool) -> CallOutcome {
        let Some(slot) = self.slots.get_mut(&id) else {
            return CallOutcome::Errno(Errno::Ebadf);
        };
        let Some(socket) = slot.socket.take() else {
            return CallOutcome::Errno(Errno::Ebadf);
        };
        if abort {
            if let Err(e) = socket.set_linger(Some(Duration::ZERO)) {
                slot.socket = Some(socket);
                return e
                    .raw_os_error()
                    .and_then(errno)
                    .map_or(CallOutcome::Errno(Errno::Einval), CallOutcome::Errno);
            }
        }
        slot.listening = None;
        drop(socket);
        CallOutcome::Value(0)
    }

    /// Return socket `id`'s TCP state, asking the kernel with `diag`.
    pub fn state(&self, diag: &mut Diag, id: SocketId) -> Result<TcpState, TargetError> {
        self.state_with(id, |local, remote| diag.state(local, remote))
            .map_err(|e| TargetError::Failed(format!("sock_diag: {e}")))
    }

    /// Return socket `id`'s state, with `lookup` giving the state of one
    /// connection (see the [module docs](self)).
    fn state_with(
        &self,
        id: SocketId,
        mut lookup: impl FnMut(SocketAddrV4, SocketAddrV4) -> io::Result<TcpState>,
    ) -> io::Result<TcpState> {
        let Some(slot) = self.slots.get(&id) else {
            return Ok(TcpState::Closed);
        };
        if let (Some(port), Some(_)) = (slot.listening, &slot.socket) {
            let local = SocketAddrV4::new(self.local, port);
            let owned =
                |remote: SocketAddrV4| self.slots.values().any(|s| s.pair == Some((local, remote)));
            for &(_, remote) in self.peers.iter().filter(|(p, _)| *p == port) {
                if owned(remote) {
                    continue;
                }
                match lookup(local, remote)? {
                    TcpState::Closed => {}
                    state => return Ok(state),
                }
            }
            return Ok(TcpState::Listen);
        }
        match slot.pair {
            Some((local, remote)) => lookup(local, remote),
            None => Ok(TcpState::Closed),
        }
    }
}

/// `write`: send `data` (zero bytes for `write(len)`), urgent with `oob`.
fn write(socket: &Socket, data: &[u8], oob: bool) -> io::Result<usize> {
    let mut flags = MsgFlags::MSG_NOSIGNAL;
    if oob {
        flags |= MsgFlags::MSG_OOB;
    }
    nixsock::send(socket.as_raw_fd(), data, flags).map_err(io_error)
}

/// `read(len)`: receive at most `len` bytes, urgent with `oob`; return them.
fn read(socket: &Socket, len: u32, oob: bool) -> io::Result<Vec<u8>> {
    let flags = if oob {
        MsgFlags::MSG_OOB
    } else {
        MsgFlags::empty()
    };
    let mut buffer = vec![0u8; len as usize];
    let n = nixsock::recv(socket.as_raw_fd(), &mut buffer, flags).map_err(io_error)?;
    buffer.truncate(n);
    Ok(buffer)
}

/// Set `TCP_WINDOW_CLAMP`, which neither socket2 nor nix wraps.
fn set_window_clamp(socket: &Socket, clamp: u32) -> io::Result<()> {
    let value = libc::c_int::try_from(clamp).unwrap_or(libc::c_int::MAX);
    // SAFETY: the pointer and length describe `value`, a c_int that lives
    // across the call; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_WINDOW_CLAMP,
            (&raw const value).cast(),
            core::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `setsockopt(opt, value)`.
fn set_option(socket: &Socket, opt: SockOpt, value: u32) -> io::Result<()> {
    let on = value != 0;
    let result = match opt {
        SockOpt::NoDelay => nixsock::setsockopt(socket, sockopt::TcpNoDelay, &on),
        SockOpt::KeepAlive => nixsock::setsockopt(socket, sockopt::KeepAlive, &on),
        SockOpt::KeepIdle => nixsock::setsockopt(socket, sockopt::TcpKeepIdle, &value),
        SockOpt::KeepIntvl => nixsock::setsockopt(socket, sockopt::TcpKeepInterval, &value),
        SockOpt::KeepCnt => nixsock::setsockopt(socket, sockopt::TcpKeepCount, &value),
        SockOpt::UserTimeout => nixsock::setsockopt(socket, sockopt::TcpUserTimeout, &value),
        SockOpt::RcvBuf => nixsock::setsockopt(socket, sockopt::RcvBuf, &(value as usize)),
        SockOpt::SndBuf => nixsock::setsockopt(socket, sockopt::SndBuf, &(value as usize)),
        SockOpt::Linger => {
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: libc::c_int::try_from(value).unwrap_or(libc::c_int::MAX),
            };
            nixsock::setsockopt(socket, sockopt::Linger, &linger)
        }
        SockOpt::OobInline => nixsock::setsockopt(socket, sockopt::OobInline, &on),
        SockOpt::ReuseAddr => nixsock::setsockopt(socket, sockopt::ReuseAddr, &on),
    };
    result.map_err(io_error)
}

/// `getsockopt(opt)`: the kernel's value (Linux reports `SO_RCVBUF` and
/// `SO_SNDBUF` doubled, socket(7)); `linger` is its timeout, 0 when off.
fn get_option(socket: &Socket, opt: SockOpt) -> io::Result<usize> {
    let flag = |b: bool| usize::from(b);
    let result = match opt {
        SockOpt::NoDelay => nixsock::getsockopt(socket, sockopt::TcpNoDelay).map(flag),
        SockOpt::KeepAlive => nixsock::getsockopt(socket, sockopt::KeepAlive).map(flag),
        SockOpt::KeepIdle => nixsock::getsockopt(socket, sockopt::TcpKeepIdle).map(|v| v as usize),
        SockOpt::KeepIntvl => {
            nixsock::getsockopt(socket, sockopt::TcpKeepInterval).map(|v| v as usize)
        }
        SockOpt::KeepCnt => nixsock::getsockopt(socket, sockopt::TcpKeepCount).map(|v| v as usize),
        SockOpt::UserTimeout => {
            nixsock::getsockopt(socket, sockopt::TcpUserTimeout).map(|v| v as usize)
        }
        SockOpt::RcvBuf => nixsock::getsockopt(socket, sockopt::RcvBuf),
        SockOpt::SndBuf => nixsock::getsockopt(socket, sockopt::SndBuf),
        SockOpt::Linger => nixsock::getsockopt(socket, sockopt::Linger).map(|l| {
            if l.l_onoff != 0 {
                l.l_linger.max(0) as usize
            } else {
                0
            }
        }),
        SockOpt::OobInline => nixsock::getsockopt(socket, sockopt::OobInline).map(flag),
        SockOpt::ReuseAddr => nixsock::getsockopt(socket, sockopt::ReuseAddr).map(flag),
    };
    result.map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_errno_is_a_kernel_errno() {
        for &name in Errno::ALL {
            let raw = match name {
                Errno::Epipe => libc::EPIPE,
                Errno::Econnrefused => libc::ECONNREFUSED,
                Errno::Econnreset => libc::ECONNRESET,
                Errno::Econnaborted => libc::ECONNABORTED,
                Errno::Etimedout => libc::ETIMEDOUT,
                Errno::Eagain => libc::EAGAIN,
                Errno::Einprogress => libc::EINPROGRESS,
                Errno::Ealready => libc::EALREADY,
                Errno::Enotconn => libc::ENOTCONN,
                Errno::Eisconn => libc::EISCONN,
                Errno::Eaddrinuse => libc::EADDRINUSE,
                Errno::Eaddrnotavail => libc::EADDRNOTAVAIL,
                Errno::Einval => libc::EINVAL,
                Errno::Ebadf => libc::EBADF,
                Errno::Ehostunreach => libc::EHOSTUNREACH,
                Errno::Enetunreach => libc::ENETUNREACH,
                Errno::Eopnotsupp => libc::EOPNOTSUPP,
                Errno::Emsgsize => libc::EMSGSIZE,
            };
            assert_eq!(errno(raw), Some(name), "{name}");
        }
        assert_eq!(errno(libc::EWOULDBLOCK), Some(Errno::Eagain));
        assert_eq!(errno(libc::ENOMEM), None);
    }

    #[test]
    fn unnamed_errno_is_a_failure_that_quotes_it() {
        let call = Call::Accept;
        let err = outcome(&call, Err(io::Error::from_raw_os_error(libc::ENOMEM))).unwrap_err();
        assert!(
            matches!(err, TargetError::Failed(ref m) if m.contains("accept()")),
            "{err}"
        );
        assert_eq!(
            outcome(&call, Err(io::Error::from_raw_os_error(libc::EAGAIN))),
            Ok(CallOutcome::Errno(Errno::Eagain))
        );
        assert_eq!(outcome(&call, Ok(7)), Ok(CallOutcome::Value(7)));
    }

    #[test]
    fn listener_reports_its_unaccepted_connection() {
        let setup = SocketSetup {
            nodelay: false,
            mss: 1460,
            window_clamp: None,
        };
        let addr = |last: u8, port: u16| SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, last), port);
        let mut sockets = Sockets::new(setup, Ipv4Addr::new(198, 51, 100, 1));
        let listener = Slot {
            socket: Some(Socket::new(Domain::IPV4, Type::STREAM, None).unwrap()),
            listening: Some(8080),
            pair: None,
        };
        sockets.slots.insert(3, listener);
        let mut kernel: BTreeMap<(SocketAddrV4, SocketAddrV4), TcpState> = BTreeMap::new();
        let state = |sockets: &Sockets, kernel: &BTreeMap<_, _>, id| {
            let lookup = |l, r| Ok(kernel.get(&(l, r)).copied().unwrap_or(TcpState::Closed));
            sockets.state_with(id, lookup).unwrap()
        };
        assert_eq!(state(&sockets, &kernel, 3), TcpState::Listen);
        // A SYN from 40000 makes a connection in the SYN queue.
        sockets.note_peer(8080, addr(2, 40000));
        sockets.note_peer(9, addr(2, 40001));
        kernel.insert((addr(1, 8080), addr(2, 40000)), TcpState::SynReceived);
        assert_eq!(state(&sockets, &kernel, 3), TcpState::SynReceived);
        // Once accepted as socket 4, the connection is 4's, not the listener's.
        let accepted = Slot {
            socket: None,
            listening: None,
            pair: Some((addr(1, 8080), addr(2, 40000))),
        };
        sockets.slots.insert(4, accepted);
        kernel.insert((addr(1, 8080), addr(2, 40000)), TcpState::TimeWait);
        assert_eq!(state(&sockets, &kernel, 3), TcpState::Listen);
        assert_eq!(state(&sockets, &kernel, 4), TcpState::TimeWait);
        assert_eq!(state(&sockets, &kernel, 9), TcpState::Closed);
    }
}
