//! ICMP errors handed in by the host (RFC 9293 3.9.2.2, RFC 1122 4.2.3.9,
//! RFC 5927, RFC 5461).

use super::connection::Connection;
use super::error::ConnectionError;
use super::event::TcpEvent;
use super::state::State;
use super::SeqNumber;
use crate::time::Instant;
use crate::wire::icmpv4::{DstUnreachable, ParamProblem, TimeExceeded};

/// An ICMP error about one of this connection's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcmpError {
    /// Destination Unreachable, with the Next-Hop MTU for code 4 (RFC 1191).
    DstUnreachable {
        /// The code.
        code: DstUnreachable,
        /// The Next-Hop MTU field (0 when the router did not say).
        next_hop_mtu: u16,
    },
    /// Source Quench (deprecated, RFC 6633).
    SourceQuench,
    /// Time Exceeded.
    TimeExceeded(TimeExceeded),
    /// Parameter Problem.
    ParamProblem(ParamProblem),
}

/// What [`Connection::handle_icmp_error`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcmpOutcome {
    /// Source Quench, silently discarded (MUST-55).
    Ignored,
    /// The quoted sequence number is not in flight: the message may be
    /// forged and is dropped (RFC 5927 4.1).
    OutOfWindow,
    /// A soft error: noted and reported, the connection goes on (MUST-56, SHLD-25).
    Soft,
    /// Fragmentation needed: the send MSS shrank to this (RFC 1191, SHLD-6).
    MssReduced(usize),
    /// A hard error aborted the connection (SHLD-26).
    Aborted,
}

/// The smallest MTU a router may report (RFC 791: 68 octets).
const MIN_MTU: u16 = 68;

impl Connection {
    /// Act on an ICMP error about a segment of ours whose sequence number
    /// the quote carries (MUST-54).
    ///
    /// - Source Quench: ignored (MUST-55).
    /// - The quoted sequence number must lie in [SND.UNA, SND.NXT)
    ///   (RFC 5927 4.1), else the message is dropped.
    /// - Destination Unreachable 2 and 3 (hard, SHLD-26) abort a connection
    ///   still opening (SYN-SENT, SYN-RECEIVED); in synchronized states they
    ///   are reported as soft errors, as RFC 5461 4 and the note in RFC 9293
    ///   3.9.2.2 advise ("many implementations ... do not abort").
    /// - Code 4 (fragmentation needed) lowers the send MSS to the Next-Hop
    ///   MTU less 40 and resends (RFC 1191, SHLD-6); without an MTU it is soft.
    /// - Codes 0, 1, 5, Time Exceeded, Parameter Problem: soft (MUST-56).
    pub fn handle_icmp_error(
        &mut self,
        now: Instant,
        error: IcmpError,
        quoted_seq: SeqNumber,
    ) -> IcmpOutcome {
        if error == IcmpError::SourceQuench {
            return IcmpOutcome::Ignored;
        }
        let in_flight = quoted_seq >= self.snd.una && quoted_seq < self.snd.nxt;
        if !in_flight || matches!(self.state, State::Closed | State::Listen) {
            return IcmpOutcome::OutOfWindow;
        }
        if let IcmpError::DstUnreachable { code, next_hop_mtu } = error {
            let opening = matches!(self.state, State::SynSent | State::SynReceived);
            match code {
                DstUnreachable::FragRequired if next_hop_mtu >= MIN_MTU => {
                    return self.reduce_mss(now, next_hop_mtu);
                }
                DstUnreachable::ProtoUnreachable
                | DstUnreachable::PortUnreachable
                | DstUnreachable::FragRequired
                    if opening =>
                {
                    self.signal(TcpEvent::Unreachable(error));
                    self.enter_closed(Some(ConnectionError::Unreachable(error)));
                    return IcmpOutcome::Aborted;
                }
                _ => {}
            }
        }
        self.soft_error = Some(error);
        self.signal(TcpEvent::SoftError(error));
        IcmpOutcome::Soft
    }

    /// Path MTU discovery (RFC 1191 6.1): shrink the segments to fit the
    /// next hop and resend what is outstanding, without a congestion penalty.
    fn reduce_mss(&mut self, _now: Instant, mtu: u16) -> IcmpOutcome {
        let mss = usize::from(mtu - 40).max(usize::from(MIN_MTU - 40));
        if mss < self.snd_mss {
            self.snd_mss = mss;
            self.cc.set_mss(self.smss());
            if self.state.is_synchronized() && self.snd.outstanding() > 0 {
                self.pending.rtx_next = Some(self.snd.una);
            }
        }
        IcmpOutcome::MssReduced(self.snd_mss)
    }
}
