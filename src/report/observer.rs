//! TCP states inferred from the segments one end sends and receives, as
//! an observer on the wire would: for the ladder diagram's peer side (the
//! script has no TCP engine to ask), and for a target that cannot report
//! its states.
//!
//! The inference follows the RFC 9293 3.3.2 state diagram, with the ACK of
//! a FIN told by sequence numbers. It is a picture, not a judge: the runner
//! never fails a script on an inferred state.

use stack::tcp::SeqNumber;
use stack::wire::tcp::{TcpFlags, TcpRepr};

use crate::script::TcpState;

/// The state of one end, inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observer {
    state: TcpState,
    /// The sequence number just past this end's FIN, once sent.
    fin_end: Option<SeqNumber>,
}

impl Default for Observer {
    fn default() -> Observer {
        Observer {
            state: TcpState::Closed,
            fin_end: None,
        }
    }
}

impl Observer {
    /// Return the inferred state.
    pub fn state(&self) -> TcpState {
        self.state
    }

    /// Take in a segment this end sent; return the new state if it changed.
    pub fn sent(&mut self, segment: &TcpRepr<'_>) -> Option<TcpState> {
        use TcpState::*;
        let flags = segment.flags;
        let before = self.state;
        if flags.contains(TcpFlags::RST) {
            self.state = Closed;
        } else if flags.contains(TcpFlags::SYN) {
            self.state = match (self.state, flags.contains(TcpFlags::ACK)) {
                (Closed | Listen, false) => SynSent,
                (Closed | Listen | SynSent, true) => SynReceived,
                (state, _) => state,
            };
        } else if flags.contains(TcpFlags::ACK) && self.state == SynSent {
            self.state = Established;
        }
        if flags.contains(TcpFlags::FIN) {
            let len = segment.payload.len() as u32 + 1;
            self.fin_end = Some(segment.seq_number + len);
            self.state = match self.state {
                SynReceived | Established => FinWait1,
                CloseWait => LastAck,
                state => state,
            };
        }
        (self.state != before).then_some(self.state)
    }

    /// Take in a segment this end received; return the new state if it
    /// changed.
    pub fn received(&mut self, segment: &TcpRepr<'_>) -> Option<TcpState> {
        use TcpState::*;
        let flags = segment.flags;
        let before = self.state;
        let fin_acked = flags.contains(TcpFlags::ACK)
            && self
                .fin_end
                .is_some_and(|end| segment.ack_number.distance_to(end) <= 0);
        if flags.contains(TcpFlags::RST) {
            self.state = match self.state {
                Listen | TimeWait => self.state,
                _ => Closed,
            };
            return (self.state != before).then_some(self.state);
        }
        if flags.contains(TcpFlags::SYN) && self.state == Closed {
            self.state = Listen;
        }
        if flags.contains(TcpFlags::ACK) && matches!(self.state, SynReceived) {
            self.state = Established;
        }
        if fin_acked {
            self.state = match self.state {
                FinWait1 => FinWait2,
                Closing => TimeWait,
                LastAck => Closed,
                state => state,
            };
        }
        if flags.contains(TcpFlags::FIN) {
            self.state = match self.state {
                SynReceived | Established => CloseWait,
                FinWait1 => Closing,
                FinWait2 => TimeWait,
                state => state,
            };
        }
        (self.state != before).then_some(self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack::wire::tcp::TcpOptions;

    fn seg(flags: TcpFlags, seq: u32, ack: u32, len: usize) -> TcpRepr<'static> {
        static DATA: [u8; 16] = [0; 16];
        TcpRepr {
            src_port: 1,
            dst_port: 2,
            seq_number: SeqNumber(seq),
            ack_number: SeqNumber(ack),
            flags,
            window: 1000,
            urgent_pointer: 0,
            options: TcpOptions::default(),
            payload: &DATA[..len],
        }
    }

    #[test]
    fn a_whole_connection_active_close() {
        use TcpState::*;
        let (s, a, f) = (TcpFlags::SYN, TcpFlags::ACK, TcpFlags::FIN);
        let mut peer = Observer::default();
        assert_eq!(peer.sent(&seg(s, 100, 0, 0)), Some(SynSent));
        assert_eq!(peer.received(&seg(s | a, 500, 101, 0)), None);
        assert_eq!(peer.sent(&seg(a, 101, 501, 0)), Some(Established));
        assert_eq!(peer.sent(&seg(f | a, 101, 501, 4)), Some(FinWait1));
        assert_eq!(
            peer.received(&seg(a, 501, 105, 0)),
            None,
            "data not yet acked"
        );
        assert_eq!(peer.received(&seg(a, 501, 106, 0)), Some(FinWait2));
        assert_eq!(peer.received(&seg(f | a, 501, 106, 0)), Some(TimeWait));
    }

    #[test]
    fn passive_close_and_simultaneous_close_and_reset() {
        use TcpState::*;
        let (s, a, f, r) = (TcpFlags::SYN, TcpFlags::ACK, TcpFlags::FIN, TcpFlags::RST);
        let mut target = Observer::default();
        assert_eq!(target.received(&seg(s, 100, 0, 0)), Some(Listen));
        assert_eq!(target.sent(&seg(s | a, 500, 101, 0)), Some(SynReceived));
        assert_eq!(target.received(&seg(a, 101, 501, 0)), Some(Established));
        assert_eq!(target.received(&seg(f | a, 101, 501, 0)), Some(CloseWait));
        assert_eq!(target.sent(&seg(f | a, 501, 102, 0)), Some(LastAck));
        assert_eq!(target.received(&seg(a, 102, 502, 0)), Some(Closed));
        let mut both = Observer {
            state: Established,
            fin_end: None,
        };
        assert_eq!(both.sent(&seg(f | a, 10, 20, 0)), Some(FinWait1));
        assert_eq!(both.received(&seg(f | a, 20, 10, 0)), Some(Closing));
        assert_eq!(both.received(&seg(a, 21, 11, 0)), Some(TimeWait));
        assert_eq!(
            both.received(&seg(r, 21, 0, 0)),
            None,
            "TIME-WAIT ignores RST"
        );
        let mut open = Observer {
            state: Established,
            fin_end: None,
        };
        assert_eq!(open.received(&seg(r, 0, 0, 0)), Some(Closed));
    }
}
