//! What the engine did with a segment, and why: every drop and every reply
//! carries its reason, so tests and reports can see it (smoltcp only logs).

use core::fmt;

/// The outcome of [`Connection::handle_segment`](super::Connection::handle_segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The segment was processed (its ACK, data, controls taken).
    Accepted,
    /// The segment was discarded without a reply.
    Dropped(Why),
    /// The segment was discarded and answered with an ACK
    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>` (or our SYN,ACK again in SYN-RECEIVED).
    Acked(Why),
    /// The segment was discarded and answered with an RFC 5961 challenge ACK.
    ChallengeAck(Why),
    /// A challenge ACK was due, but the rate limit (RFC 5961 7) held it back.
    ChallengeAckLimited(Why),
    /// The segment was discarded and answered with a RST.
    Reset(Why),
    /// The segment ended the connection (an acceptable RST).
    Closed(Why),
    /// A connection from a passive OPEN went back to LISTEN (RFC 9293 3.10.7.4,
    /// MUST-11): the host keeps its listener and may forget this connection.
    ReturnToListen(Why),
}

impl Verdict {
    /// Return the reason, if the segment was not simply accepted.
    pub fn why(self) -> Option<Why> {
        match self {
            Verdict::Accepted => None,
            Verdict::Dropped(why)
            | Verdict::Acked(why)
            | Verdict::ChallengeAck(why)
            | Verdict::ChallengeAckLimited(why)
            | Verdict::Reset(why)
            | Verdict::Closed(why)
            | Verdict::ReturnToListen(why) => Some(why),
        }
    }
}

/// Why a segment was dropped or answered, with the clause that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// The ports are not this connection's.
    WrongPorts,
    /// The connection is CLOSED: answered per RFC 9293 3.10.7.1.
    NoConnection,
    /// A RST to a CLOSED connection or a LISTEN: never a RST for a RST.
    RstIgnored,
    /// An ACK-bearing segment in LISTEN (RFC 9293 3.10.7.2 second).
    AckInListen,
    /// A segment with neither SYN, ACK nor RST in LISTEN (3.10.7.2 fourth).
    NoSynInListen,
    /// An ACK in SYN-SENT outside (ISS, SND.NXT] (RFC 9293 3.10.7.3 first).
    BadAckInSynSent,
    /// A RST in SYN-SENT without an acceptable ACK (3.10.7.3 second).
    RstWithoutAckInSynSent,
    /// A segment in SYN-SENT with neither SYN nor RST (3.10.7.3 fifth).
    NoSynInSynSent,
    /// The connection was refused: a RST answered our SYN.
    Refused,
    /// Failed the acceptability test (RFC 9293 3.10.7.4 first, four cases).
    Unacceptable,
    /// The peer retransmitted its SYN in SYN-RECEIVED: our SYN,ACK is sent again.
    DuplicateSyn,
    /// The peer's FIN again in TIME-WAIT: ACKed, 2MSL restarted (RFC 9293 3.10.7.4).
    RetransmittedFin,
    /// PAWS: an older timestamp than TS.Recent (RFC 7323 5.3 R1).
    PawsRejected,
    /// No Timestamps option though negotiated (RFC 7323 3.2: "SHOULD silently drop").
    MissingTimestamp,
    /// A RST outside the receive window (RFC 5961 3.2 1).
    RstOutOfWindow,
    /// A RST in the window but not at RCV.NXT (RFC 5961 3.2 3).
    RstInWindowNotExact,
    /// An acceptable RST: the connection is reset (ECONNRESET).
    ResetByPeer,
    /// A RST in TIME-WAIT ignored (RFC 1337, when configured).
    RstInTimeWait,
    /// A SYN in a synchronized state (RFC 5961 4.2).
    SynInSynchronized,
    /// A SYN in SYN-RECEIVED after a passive OPEN (RFC 9293 3.10.7.4 fourth).
    SynInSynReceived,
    /// A segment without ACK in a synchronized state (3.10.7.4 fifth).
    NoAck,
    /// An ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] (RFC 5961 5.2).
    AckOutsideWindow,
    /// An ACK in SYN-RECEIVED outside (SND.UNA, SND.NXT] (3.10.7.4 fifth).
    BadAckInSynReceived,
    /// Data after the application closed the connection: RST (SHLD-3).
    DataAfterClose,
}

impl Why {
    /// Return a short description, naming the clause.
    pub fn describe(self) -> &'static str {
        match self {
            Why::WrongPorts => "ports do not match the connection",
            Why::NoConnection => "no connection (RFC 9293 3.10.7.1)",
            Why::RstIgnored => "RST never answered",
            Why::AckInListen => "ACK in LISTEN (RFC 9293 3.10.7.2)",
            Why::NoSynInListen => "no SYN in LISTEN (RFC 9293 3.10.7.2)",
            Why::BadAckInSynSent => "unacceptable ACK in SYN-SENT (RFC 9293 3.10.7.3)",
            Why::RstWithoutAckInSynSent => "RST without ACK in SYN-SENT (RFC 9293 3.10.7.3)",
            Why::NoSynInSynSent => "neither SYN nor RST in SYN-SENT (RFC 9293 3.10.7.3)",
            Why::Refused => "connection refused",
            Why::Unacceptable => "not acceptable (RFC 9293 3.10.7.4)",
            Why::DuplicateSyn => "retransmitted SYN in SYN-RECEIVED",
            Why::RetransmittedFin => "retransmitted FIN in TIME-WAIT: 2MSL restarted",
            Why::PawsRejected => "PAWS: old timestamp (RFC 7323 5.3)",
            Why::MissingTimestamp => "no timestamp though negotiated (RFC 7323 3.2)",
            Why::RstOutOfWindow => "RST outside the window (RFC 5961 3.2)",
            Why::RstInWindowNotExact => "RST in window, not at RCV.NXT (RFC 5961 3.2)",
            Why::ResetByPeer => "connection reset by peer",
            Why::RstInTimeWait => "RST in TIME-WAIT ignored (RFC 1337)",
            Why::SynInSynchronized => "SYN in a synchronized state (RFC 5961 4.2)",
            Why::SynInSynReceived => "SYN in SYN-RECEIVED after passive OPEN (MUST-11)",
            Why::NoAck => "no ACK bit (RFC 9293 3.10.7.4)",
            Why::AckOutsideWindow => "ACK outside [SND.UNA-MAX.SND.WND, SND.NXT] (RFC 5961 5.2)",
            Why::BadAckInSynReceived => "unacceptable ACK in SYN-RECEIVED (RFC 9293 3.10.7.4)",
            Why::DataAfterClose => "data after close (RFC 9293 3.10.4, SHLD-3)",
        }
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, why) = match self {
            Verdict::Accepted => return f.write_str("accepted"),
            Verdict::Dropped(why) => ("dropped", why),
            Verdict::Acked(why) => ("acked", why),
            Verdict::ChallengeAck(why) => ("challenge ACK", why),
            Verdict::ChallengeAckLimited(why) => ("challenge ACK rate-limited", why),
            Verdict::Reset(why) => ("reset", why),
            Verdict::Closed(why) => ("closed", why),
            Verdict::ReturnToListen(why) => ("back to LISTEN", why),
        };
        write!(f, "{what}: {why}")
    }
}
