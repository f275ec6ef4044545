//! The eleven connection states of RFC 9293 3.3.2.

use core::fmt;

/// A connection state (RFC 9293 3.3.2, Figure 5).
///
/// CLOSED is "fictional because it represents the state when there is no TCB";
/// a [`Connection`](super::Connection) reports it once it has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No connection: never opened, or ended.
    Closed,
    /// Waiting for a connection request from the remote socket.
    Listen,
    /// A SYN was sent; waiting for a matching SYN.
    SynSent,
    /// A SYN was received and one sent; waiting for the ACK of ours.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// We closed; waiting for the ACK of our FIN or the peer's FIN.
    FinWait1,
    /// Our FIN is acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// The peer closed; waiting for the local application to close.
    CloseWait,
    /// Both closed at once (simultaneous close); waiting for the ACK of our FIN.
    Closing,
    /// The peer closed, then we did; waiting for the ACK of our FIN.
    LastAck,
    /// Both closed; waiting 2MSL so the peer surely received our ACK of its FIN.
    TimeWait,
}

impl State {
    /// Return whether the state is synchronized (RFC 9293 3.5.2): both sides
    /// have exchanged and acknowledged their initial sequence numbers, or
    /// SYN-RECEIVED, which RFC 5961 and 3.10.7.4 treat the same way.
    pub fn is_synchronized(self) -> bool {
        !matches!(self, State::Closed | State::Listen | State::SynSent)
    }

    /// Return whether the peer's data may still arrive (no FIN received yet).
    pub fn can_receive(self) -> bool {
        matches!(
            self,
            State::SynReceived | State::Established | State::FinWait1 | State::FinWait2
        )
    }

    /// Return whether the local application may still queue data to send.
    pub fn can_send(self) -> bool {
        matches!(
            self,
            State::SynSent | State::SynReceived | State::Established | State::CloseWait
        )
    }

    /// Return whether our FIN has been queued (the local side closed).
    pub fn fin_queued(self) -> bool {
        matches!(
            self,
            State::FinWait1 | State::FinWait2 | State::Closing | State::LastAck | State::TimeWait
        )
    }

    /// Return the RFC's upper-case name of the state.
    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
