//! A SYN for a 4-tuple in TIME-WAIT: a new incarnation or an old duplicate
//! (RFC 9293 3.6.1, MAY-2; RFC 6191, SHLD-4).

use super::connection::Connection;
use super::state::State;
use crate::wire::tcp::{TcpFlags, TcpRepr};

impl Connection {
    /// Return whether the host may end this TIME-WAIT and open a new
    /// connection from `syn` (RFC 6191 2). The host asks before handing
    /// the SYN in; if not, [`handle_segment`](Self::handle_segment) answers
    /// the SYN with an ACK (RFC 5961 4.2) and the 2MSL wait goes on.
    ///
    /// If the old connection used timestamps: a SYN with timestamps (they
    /// "would be enabled for the new incarnation") is honoured when its TSval
    /// is greater than TS.Recent, or equal with a sequence number beyond
    /// RCV.NXT; a SYN without them only when its sequence number is beyond
    /// RCV.NXT. If it did not: a SYN with timestamps is honoured, one
    /// without only when its sequence number is beyond RCV.NXT ("greater
    /// than the last sequence number seen", MAY-2).
    pub fn accepts_new_incarnation(&self, syn: &TcpRepr<'_>) -> bool {
        let only_syn = syn.flags & (TcpFlags::SYN | TcpFlags::ACK | TcpFlags::RST | TcpFlags::FIN);
        if self.state != State::TimeWait || only_syn != TcpFlags::SYN {
            return false;
        }
        let seq_newer = syn.seq_number > self.rcv.nxt;
        let new_ts = syn.timestamps().filter(|_| self.config.timestamps);
        match (self.ts.enabled, new_ts) {
            (true, Some(ts)) => {
                let delta = ts.tsval.wrapping_sub(self.ts.recent) as i32;
                delta > 0 || (delta == 0 && seq_newer)
            }
            (true, None) | (false, None) => seq_newer,
            (false, Some(_)) => true,
        }
    }
}
