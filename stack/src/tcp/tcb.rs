//! The send and receive sequence variables of the TCB (RFC 9293 3.3.1).
//!
//! ```text
//!      1         2          3          4
//! ----------|----------|----------|----------
//!        SND.UNA    SND.NXT    SND.UNA
//!                             +SND.WND
//! 1 - old sequence numbers that have been acknowledged
//! 2 - sequence numbers of unacknowledged data
//! 3 - sequence numbers allowed for new data transmission
//! 4 - future sequence numbers that are not yet allowed
//! ```

use super::SeqNumber;

/// The send sequence variables (RFC 9293 3.3.1, Figure 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendVars {
    /// ISS: our initial sequence number.
    pub iss: SeqNumber,
    /// SND.UNA: the oldest unacknowledged sequence number.
    pub una: SeqNumber,
    /// SND.NXT: the next new sequence number to send; everything below it has
    /// been sent at least once (retransmissions go below it).
    pub nxt: SeqNumber,
    /// SND.WND: the peer's offered window, scaled (RFC 7323 2.3), 32 bits
    /// (REC-1).
    pub wnd: u32,
    /// MAX.SND.WND: the largest window the peer ever offered (RFC 5961 5.2).
    pub max_wnd: u32,
    /// SND.UP: the sequence number just past our urgent data (MUST-62),
    /// meaningful while `up_valid`.
    pub up: SeqNumber,
    /// Whether urgent data is being sent.
    pub up_valid: bool,
    /// SND.WL1: the segment sequence number of the last window update.
    pub wl1: SeqNumber,
    /// SND.WL2: the segment acknowledgment number of the last window update.
    pub wl2: SeqNumber,
    /// Snd.Wind.Shift: the peer's window scale (RFC 7323 2.3).
    pub shift: u8,
}

impl SendVars {
    /// Return the unacknowledged octets: SND.NXT - SND.UNA.
    pub fn outstanding(&self) -> usize {
        (self.nxt - self.una).max(0) as usize
    }

    /// Return whether `ack` acknowledges something new: SND.UNA < ack =< SND.NXT.
    pub fn acks_new(&self, ack: SeqNumber) -> bool {
        self.una < ack && ack <= self.nxt
    }
}

/// The receive sequence variables (RFC 9293 3.3.1, Figure 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvVars {
    /// IRS: the peer's initial sequence number.
    pub irs: SeqNumber,
    /// RCV.NXT: the next sequence number expected.
    pub nxt: SeqNumber,
    /// The right edge of the window last advertised: RCV.NXT + RCV.WND at
    /// the last segment sent. It never moves left (SHLD-14).
    pub adv: SeqNumber,
    /// RCV.UP: the sequence number just past the peer's urgent data,
    /// meaningful while `up_valid`.
    pub up: SeqNumber,
    /// Whether the peer sent urgent data not yet read past.
    pub up_valid: bool,
    /// Rcv.Wind.Shift: our window scale (RFC 7323 2.3).
    pub shift: u8,
}

impl RecvVars {
    /// Return RCV.WND: the window offered from RCV.NXT to the advertised right edge.
    pub fn wnd(&self) -> u32 {
        (self.adv - self.nxt).max(0) as u32
    }
}
