//! What a connection tells its application, through
//! [`Connection::poll_event`](super::Connection::poll_event).

use super::icmp::IcmpError;

/// Why a RST ended the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResetCause {
    /// A RST answered our SYN (ECONNREFUSED).
    Refused,
    /// The peer reset a connection that was open or closing (ECONNRESET).
    ByPeer,
}

/// An event for the application (RFC 9293 3.10's "signal the user").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpEvent {
    /// The handshake completed: ESTABLISHED.
    Connected,
    /// New in-order data (or the end of the stream) can be read.
    Readable,
    /// Room came free in the send buffer.
    Writable,
    /// The peer's FIN arrived: after the queued data, `recv` returns 0.
    PeerClosed,
    /// The urgent pointer moved past the data read (MUST-32);
    /// [`Connection::urgent_pending`](super::Connection::urgent_pending) says how much (MUST-33).
    Urgent,
    /// A segment was retransmitted R1 times: the path may be failing
    /// (RFC 9293 3.8.3, MUST-20, SHLD-9).
    RetransmissionThreshold {
        /// The retransmissions so far.
        retransmissions: u32,
    },
    /// A soft ICMP error arrived (SHLD-25, MUST-47); the connection goes on.
    SoftError(IcmpError),
    /// A passive connection went back to LISTEN (MUST-11).
    ReturnedToListen,
    /// A RST ended the connection.
    Reset(ResetCause),
    /// Retransmissions, probes or the user timeout gave up (MUST-20).
    TimedOut,
    /// A hard ICMP error ended the connection (SHLD-26).
    Unreachable(IcmpError),
    /// The connection reached CLOSED: the host may forget it.
    Closed,
}
