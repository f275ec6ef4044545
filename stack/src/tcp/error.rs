//! Errors of the socket-facing commands, each mapped to the errno a POSIX
//! socket would report.

use core::fmt;

use super::icmp::IcmpError;
use crate::wire::icmpv4::DstUnreachable;

/// The POSIX error names the engine's errors map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Errno {
    /// Connection refused.
    ECONNREFUSED,
    /// Connection reset by peer.
    ECONNRESET,
    /// Connection aborted (locally).
    ECONNABORTED,
    /// Broken pipe: sending after the write side closed.
    EPIPE,
    /// Connection timed out.
    ETIMEDOUT,
    /// Not connected.
    ENOTCONN,
    /// Try again: a non-blocking call would block.
    EAGAIN,
    /// Host unreachable.
    EHOSTUNREACH,
    /// Network unreachable.
    ENETUNREACH,
    /// Protocol not available (ICMP protocol unreachable, as Linux maps it).
    ENOPROTOOPT,
    /// Message too long (ICMP fragmentation needed).
    EMSGSIZE,
    /// Invalid argument.
    EINVAL,
}

impl Errno {
    /// Return the errno's name, e.g. `"ECONNREFUSED"`.
    pub fn name(self) -> &'static str {
        match self {
            Errno::ECONNREFUSED => "ECONNREFUSED",
            Errno::ECONNRESET => "ECONNRESET",
            Errno::ECONNABORTED => "ECONNABORTED",
            Errno::EPIPE => "EPIPE",
            Errno::ETIMEDOUT => "ETIMEDOUT",
            Errno::ENOTCONN => "ENOTCONN",
            Errno::EAGAIN => "EAGAIN",
            Errno::EHOSTUNREACH => "EHOSTUNREACH",
            Errno::ENETUNREACH => "ENETUNREACH",
            Errno::ENOPROTOOPT => "ENOPROTOOPT",
            Errno::EMSGSIZE => "EMSGSIZE",
            Errno::EINVAL => "EINVAL",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a connection ended abnormally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionError {
    /// A RST answered our SYN (RFC 9293 3.10.7.3: "connection refused").
    Refused,
    /// The peer reset the connection (RFC 9293 3.10.7.4: "connection reset").
    Reset,
    /// Retransmission gave up at R2 or the user timeout (MUST-20), or
    /// keep-alive probes went unanswered; the last soft ICMP error seen, if
    /// any, says why (RFC 1122 4.2.3.9 DISCUSSION).
    TimedOut {
        /// The last soft error reported by ICMP.
        soft_error: Option<IcmpError>,
    },
    /// A hard ICMP error aborted the connection (SHLD-26).
    Unreachable(IcmpError),
    /// The local application aborted the connection.
    Aborted,
}

impl ConnectionError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> Errno {
        match self {
            ConnectionError::Refused => Errno::ECONNREFUSED,
            ConnectionError::Reset => Errno::ECONNRESET,
            ConnectionError::TimedOut { soft_error: None } => Errno::ETIMEDOUT,
            ConnectionError::TimedOut {
                soft_error: Some(icmp),
            }
            | ConnectionError::Unreachable(icmp) => icmp_errno(icmp),
            ConnectionError::Aborted => Errno::ECONNABORTED,
        }
    }
}

/// Map an ICMP error to an errno as Linux's `icmp_err_convert` does.
fn icmp_errno(icmp: IcmpError) -> Errno {
    match icmp {
        IcmpError::DstUnreachable { code, .. } => match code {
            DstUnreachable::NetUnreachable | DstUnreachable::DstNetUnknown => Errno::ENETUNREACH,
            DstUnreachable::ProtoUnreachable => Errno::ENOPROTOOPT,
            DstUnreachable::PortUnreachable => Errno::ECONNREFUSED,
            DstUnreachable::FragRequired => Errno::EMSGSIZE,
            _ => Errno::EHOSTUNREACH,
        },
        _ => Errno::EHOSTUNREACH,
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectionError::Refused => "connection refused",
            ConnectionError::Reset => "connection reset by peer",
            ConnectionError::TimedOut { .. } => "connection timed out",
            ConnectionError::Unreachable(_) => "destination unreachable",
            ConnectionError::Aborted => "connection aborted",
        })
    }
}

impl std::error::Error for ConnectionError {}

/// Why [`Connection::send`](super::Connection::send) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendError {
    /// The connection is not open (never opened, or LISTEN).
    NotConnected,
    /// The write side is closed (CLOSE or shutdown(Write) was called).
    Closed,
    /// The send buffer is full.
    WouldBlock,
    /// The connection ended abnormally.
    Connection(ConnectionError),
}

impl SendError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> Errno {
        match self {
            SendError::NotConnected => Errno::ENOTCONN,
            SendError::Closed => Errno::EPIPE,
            SendError::WouldBlock => Errno::EAGAIN,
            SendError::Connection(e) => e.errno(),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotConnected => f.write_str("not connected"),
            SendError::Closed => f.write_str("write side closed"),
            SendError::WouldBlock => f.write_str("send buffer full"),
            SendError::Connection(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SendError {}

/// Why [`Connection::recv`](super::Connection::recv) failed. The end of
/// the stream is not an error: `recv` returns `Ok(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecvError {
    /// The connection is not open (never opened, or LISTEN).
    NotConnected,
    /// No data yet.
    WouldBlock,
    /// The connection ended abnormally; unread data is lost (SHLD-3).
    Connection(ConnectionError),
}

impl RecvError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> Errno {
        match self {
            RecvError::NotConnected => Errno::ENOTCONN,
            RecvError::WouldBlock => Errno::EAGAIN,
            RecvError::Connection(e) => e.errno(),
        }
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::NotConnected => f.write_str("not connected"),
            RecvError::WouldBlock => f.write_str("no data available"),
            RecvError::Connection(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why a CLOSE, shutdown or urgent call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseError {
    /// The connection is not open.
    NotConnected,
    /// The connection ended abnormally.
    Connection(ConnectionError),
}

impl CloseError {
    /// Return the errno a socket reports for this error.
    pub fn errno(self) -> Errno {
        match self {
            CloseError::NotConnected => Errno::ENOTCONN,
            CloseError::Connection(e) => e.errno(),
        }
    }
}

impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseError::NotConnected => f.write_str("not connected"),
            CloseError::Connection(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CloseError {}
