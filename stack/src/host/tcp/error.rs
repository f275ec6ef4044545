//! The errors of the host's TCP socket calls, each mapped to an errno name.
//!
//! The engine's errors ([`tcp::SendError`](crate::tcp::SendError), ...)
//! already map to [`Errno`]; the host adds the names only a host can
//! produce (a port in use, a stale handle) in [`SocketErrno`].

use core::fmt;

use crate::tcp::{CloseError, ConfigError, Errno, RecvError, SendError};

/// The errno a host TCP call reports: the engine's, or one of the host's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum SocketErrno {
    /// An errno the engine names.
    Tcp(Errno),
    /// Address already in use.
    EADDRINUSE,
    /// Cannot assign the requested address (not ours, or no port left).
    EADDRNOTAVAIL,
    /// Not a valid socket.
    EBADF,
    /// The connection is already open.
    EISCONN,
    /// No buffer space: the connection table is full.
    ENOBUFS,
    /// Too many open sockets: the listener table is full.
    EMFILE,
}

impl SocketErrno {
    /// Return the errno's name, e.g. `"EADDRINUSE"`.
    pub fn name(self) -> &'static str {
        match self {
            SocketErrno::Tcp(errno) => errno.name(),
            SocketErrno::EADDRINUSE => "EADDRINUSE",
            SocketErrno::EADDRNOTAVAIL => "EADDRNOTAVAIL",
            SocketErrno::EBADF => "EBADF",
            SocketErrno::EISCONN => "EISCONN",
            SocketErrno::ENOBUFS => "ENOBUFS",
            SocketErrno::EMFILE => "EMFILE",
        }
    }
}

impl fmt::Display for SocketErrno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a listener could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenError {
    /// A listener with the same local address, port and remote filter
    /// exists (`EADDRINUSE`). Connections on the port, TIME-WAIT ones
    /// included, never clash (`SO_REUSEADDR` semantics).
    AddrInUse,
    /// The local address is neither ours nor 0.0.0.0 (`EADDRNOTAVAIL`).
    AddrNotAvailable,
    /// Port 0 was asked for and every ephemeral port is taken (`EADDRNOTAVAIL`).
    NoEphemeralPort,
    /// [`TcpHostConfig::max_listeners`](super::TcpHostConfig::max_listeners)
    /// are open (`EMFILE`).
    TooManyListeners,
    /// The listener's connection configuration is invalid (`EINVAL`).
    Config(ConfigError),
}

impl ListenError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> SocketErrno {
        match self {
            ListenError::AddrInUse => SocketErrno::EADDRINUSE,
            ListenError::AddrNotAvailable | ListenError::NoEphemeralPort => {
                SocketErrno::EADDRNOTAVAIL
            }
            ListenError::TooManyListeners => SocketErrno::EMFILE,
            ListenError::Config(_) => SocketErrno::Tcp(Errno::EINVAL),
        }
    }
}

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenError::AddrInUse => f.write_str("address in use"),
            ListenError::AddrNotAvailable => f.write_str("address not available"),
            ListenError::NoEphemeralPort => f.write_str("no ephemeral port free"),
            ListenError::TooManyListeners => f.write_str("too many listeners"),
            ListenError::Config(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for ListenError {}

/// Why an active OPEN failed at once (later failures come as
/// [`ConnectionError`](crate::tcp::ConnectionError)s on the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectError {
    /// The remote address cannot name one host: 0.0.0.0, a broadcast,
    /// multicast, loopback or our own address, or port 0 (RFC 9293 3.9.1.1,
    /// MUST-46; `EINVAL`).
    InvalidRemote,
    /// No route: off the subnet without a gateway (`ENETUNREACH`).
    NoRoute,
    /// The local address is neither ours nor 0.0.0.0 (`EADDRNOTAVAIL`).
    AddrNotAvailable,
    /// The 4-tuple is in use, TIME-WAIT included, or the explicit local port
    /// belongs to a listener (`EADDRINUSE`).
    AddrInUse,
    /// Every ephemeral port is in use towards this remote (`EADDRNOTAVAIL`,
    /// RFC 6056 3.3.3 "return ERROR").
    NoEphemeralPort,
    /// The connection table is full (`ENOBUFS`).
    TooManyConnections,
    /// The configuration is invalid (`EINVAL`).
    Config(ConfigError),
}

impl ConnectError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> SocketErrno {
        match self {
            ConnectError::InvalidRemote | ConnectError::Config(_) => {
                SocketErrno::Tcp(Errno::EINVAL)
            }
            ConnectError::NoRoute => SocketErrno::Tcp(Errno::ENETUNREACH),
            ConnectError::AddrNotAvailable | ConnectError::NoEphemeralPort => {
                SocketErrno::EADDRNOTAVAIL
            }
            ConnectError::AddrInUse => SocketErrno::EADDRINUSE,
            ConnectError::TooManyConnections => SocketErrno::ENOBUFS,
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::InvalidRemote => f.write_str("invalid remote address"),
            ConnectError::NoRoute => f.write_str("no route to the remote"),
            ConnectError::AddrNotAvailable => f.write_str("address not available"),
            ConnectError::AddrInUse => f.write_str("4-tuple in use"),
            ConnectError::NoEphemeralPort => f.write_str("no ephemeral port free"),
            ConnectError::TooManyConnections => f.write_str("connection table full"),
            ConnectError::Config(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// Why [`Host::tcp_accept`](crate::host::Host::tcp_accept) returned no connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptError {
    /// The handle names no open listener (`EBADF`).
    BadHandle,
    /// No connection has completed its handshake yet (`EAGAIN`).
    WouldBlock,
}

impl AcceptError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> SocketErrno {
        match self {
            AcceptError::BadHandle => SocketErrno::EBADF,
            AcceptError::WouldBlock => SocketErrno::Tcp(Errno::EAGAIN),
        }
    }
}

impl fmt::Display for AcceptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AcceptError::BadHandle => "no such listener",
            AcceptError::WouldBlock => "no connection ready",
        })
    }
}

impl std::error::Error for AcceptError {}

/// An engine error that names its errno.
pub trait EngineError: Copy + fmt::Display {
    /// Return the engine's errno for this error.
    fn engine_errno(self) -> Errno;
}

impl EngineError for SendError {
    fn engine_errno(self) -> Errno {
        self.errno()
    }
}

impl EngineError for RecvError {
    fn engine_errno(self) -> Errno {
        self.errno()
    }
}

impl EngineError for CloseError {
    fn engine_errno(self) -> Errno {
        self.errno()
    }
}

/// Why a call on a connection failed: a stale handle, or the engine's error
/// (`E` is [`SendError`], [`RecvError`] or [`CloseError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError<E> {
    /// The handle names no connection of the application (`EBADF`).
    BadHandle,
    /// The engine refused the call.
    Tcp(E),
}

impl<E: EngineError> CallError<E> {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> SocketErrno {
        match self {
            CallError::BadHandle => SocketErrno::EBADF,
            CallError::Tcp(err) => SocketErrno::Tcp(err.engine_errno()),
        }
    }
}

impl<E: EngineError> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::BadHandle => f.write_str("no such connection"),
            CallError::Tcp(err) => write!(f, "{err}"),
        }
    }
}

impl<E: EngineError + fmt::Debug> std::error::Error for CallError<E> {}

impl<E> From<E> for CallError<E>
where
    E: EngineError,
{
    fn from(err: E) -> CallError<E> {
        CallError::Tcp(err)
    }
}
