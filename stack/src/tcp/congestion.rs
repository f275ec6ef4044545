//! Congestion control: slow start, congestion avoidance, fast retransmit and
//! NewReno fast recovery (RFC 5681, RFC 6582), with the RFC 6928 initial
//! window and RFC 3042 limited transmit.
//!
//! [`NewReno`] holds cwnd, ssthresh and the NewReno `recover` variable, and
//! tells the engine what each ACK calls for. It sends nothing itself and
//! never reads a clock: the engine calls it on every ACK of new data
//! ([`NewReno::on_ack`]), every duplicate ACK ([`NewReno::on_duplicate_ack`]),
//! every retransmission timeout ([`NewReno::on_retransmit_timeout`]) and
//! before sending after an idle spell ([`NewReno::on_idle`]), and it keeps
//! the data in flight within [`NewReno::window`] and the peer's window.
//! With the RTO backoff of [`crate::tcp::rtt`], this is RFC 9293 3.8.2,
//! MUST-19 (exponential backoff, slow start and congestion avoidance).
//!
//! # Choices
//!
//! - **Slow start** grows cwnd by min(N, SMSS) per ACK of N new bytes (RFC
//!   5681 3.1, eq. 2): RFC 3465's byte counting with L = 1 SMSS, not its
//!   experimental L = 2, because RFC 5681, the later standard, caps it at SMSS.
//! - **Congestion avoidance** counts bytes (RFC 5681 3.1, "the RECOMMENDED
//!   way"; RFC 3465 2.1): acknowledged bytes add up in `bytes_acked`, and
//!   each time they reach cwnd, cwnd grows by SMSS. That is exactly one SMSS
//!   per window acknowledged, with or without delayed ACKs, where eq. 3
//!   (cwnd += SMSS*SMSS/cwnd per ACK) falls short when ACKs are delayed.
//!   Congestion avoidance runs from cwnd = ssthresh on (RFC 5681 3.1 lets
//!   either run at equality).
//! - **Leaving fast recovery** on a full ACK sets cwnd = min(ssthresh,
//!   max(FlightSize, SMSS) + SMSS), the first option of RFC 6582 3.2 step 5,
//!   which needs no burst mitigation.
//! - **The floor.** cwnd never falls below one SMSS, whatever the caller
//!   passes (a partial ACK bigger than cwnd, an initial window of 0).
//! - **`recover`** (RFC 6582 3.2) is stored as the SND.NXT of the moment, one
//!   past "the highest sequence number transmitted". So a full ACK is one with
//!   SND.UNA >= recover, and a third duplicate ACK may start fast retransmit
//!   only when SND.UNA > recover ("covers more than recover"). Before any
//!   loss it is unset, which acts as RFC 6582 step 1's "recover is set to the
//!   initial send sequence number": every ACK covers more than the ISN.

use core::time::Duration;

use crate::tcp::SeqNumber;
use crate::time::Instant;

/// The initial ssthresh: the largest window a peer can advertise, 65,535 << 14
/// octets (RFC 7323 2.3). RFC 5681 3.1: "The initial value of ssthresh SHOULD
/// be set arbitrarily high (e.g., to the size of the largest possible
/// advertised window)".
pub const INITIAL_SSTHRESH: usize = 65_535 << 14;

/// The duplicate ACKs that trigger fast retransmit (RFC 5681 3.2: "the
/// arrival of three duplicate ACKs").
pub const DUP_ACK_THRESHOLD: u32 = 3;

/// RFC 6928's byte cap per initial segment: 14,600 = 10 * 1,460.
const IW_BYTES_PER_SEGMENT: usize = 1_460;

/// How the initial window (IW) is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialWindow {
    /// IW = min(n*SMSS, max(2*SMSS, n*1460)): RFC 6928 2 for n = 10,
    /// "min (10*MSS, max (2*MSS, 14600))", the same rule scaled for other n.
    Segments(usize),
    /// RFC 5681 3.1, eq. 1: 2 segments if SMSS > 2190, 3 if SMSS > 1095,
    /// 4 otherwise.
    Rfc5681,
}

impl InitialWindow {
    /// Return the initial window in bytes for this SMSS (at least one SMSS).
    pub fn bytes(self, smss: usize) -> usize {
        let iw = match self {
            InitialWindow::Segments(n) => n.saturating_mul(smss).min(
                smss.saturating_mul(2)
                    .max(n.saturating_mul(IW_BYTES_PER_SEGMENT)),
            ),
            InitialWindow::Rfc5681 if smss > 2_190 => smss.saturating_mul(2),
            InitialWindow::Rfc5681 if smss > 1_095 => smss.saturating_mul(3),
            InitialWindow::Rfc5681 => smss.saturating_mul(4),
        };
        iw.max(smss)
    }
}

impl Default for InitialWindow {
    /// Return `Segments(10)`, RFC 6928's initial window.
    fn default() -> Self {
        InitialWindow::Segments(10)
    }
}

/// The congestion controller's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CongestionConfig {
    /// The initial window; RFC 6928's ten segments by default.
    pub initial_window: InitialWindow,
}

/// What the engine must do after an ACK of new data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckAction {
    /// Nothing beyond sending what [`NewReno::window`] allows.
    None,
    /// A partial ACK in fast recovery (RFC 6582 3.2 step 5): retransmit the
    /// first unacknowledged segment, then send new data if the window allows.
    /// On the first partial ACK of a recovery, also restart the
    /// retransmission timer (RFC 6582 3.2 step 5: "For the first partial ACK
    /// that arrives during fast recovery, also reset the retransmit timer").
    RetransmitFirstUnacked,
}

/// What the engine must do after a duplicate ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupAckAction {
    /// Nothing.
    None,
    /// The third duplicate ACK: fast recovery has begun (RFC 5681 3.2 steps
    /// 2–3, RFC 6582 3.2 step 3). Retransmit the first unacknowledged segment.
    FastRetransmit,
    /// Send one segment of new data if [`NewReno::window`] and the peer's
    /// window allow: limited transmit on the first and second duplicate ACKs
    /// (RFC 3042, RFC 5681 3.2 step 1), or the inflated window in fast
    /// recovery (RFC 5681 3.2 step 4).
    SendNewData,
}

/// Whether the initial window is still to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// Nothing acknowledged or lost yet: cwnd is the initial window.
    Initial,
    /// A SYN or SYN-ACK was retransmitted: cwnd is one segment.
    SynLost,
    /// The connection has moved on; cwnd is its own.
    Running,
}

/// NewReno congestion control for one connection (RFC 5681, RFC 6582).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReno {
    config: CongestionConfig,
    /// SMSS, the sender's maximum segment size (at least 1).
    smss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// RFC 3465 2.1: bytes acknowledged in congestion avoidance, not yet
    /// turned into cwnd growth.
    bytes_acked: usize,
    /// Consecutive duplicate ACKs (RFC 5681 2).
    dup_acks: u32,
    /// In fast recovery, between the third duplicate ACK and the full ACK.
    in_recovery: bool,
    /// RFC 6582 3.2: SND.NXT when loss was last detected; `None` = the ISN.
    recover: Option<SeqNumber>,
    /// SND.UNA after the last ACK of new data, which a duplicate ACK repeats.
    snd_una: Option<SeqNumber>,
    /// The highest SND.NXT the caller has shown.
    snd_max: Option<SeqNumber>,
    /// The timer fired and no new data was acknowledged since (RFC 5681 3.1:
    /// ssthresh is set only when the segment "has not yet been resent by way
    /// of the retransmission timer").
    timed_out: bool,
    start: Start,
    last_ack: Option<Instant>,
}

/// Return `n` bytes as a sequence-space length (saturating).
fn seq_len(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Return the later of two optional sequence numbers.
fn later(a: Option<SeqNumber>, b: Option<SeqNumber>) -> Option<SeqNumber> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl NewReno {
    /// Create the controller for a connection whose SMSS is `mss` (taken as 1
    /// if 0): cwnd = IW (RFC 5681 3.1, RFC 6928 2), ssthresh =
    /// [`INITIAL_SSTHRESH`].
    pub fn new(config: CongestionConfig, mss: usize) -> Self {
        let smss = mss.max(1);
        NewReno {
            config,
            smss,
            cwnd: config.initial_window.bytes(smss),
            ssthresh: INITIAL_SSTHRESH,
            bytes_acked: 0,
            dup_acks: 0,
            in_recovery: false,
            recover: None,
            snd_una: None,
            snd_max: None,
            timed_out: false,
            start: Start::Initial,
            last_ack: None,
        }
    }

    /// Return the congestion window, cwnd, in bytes.
    pub fn cwnd(&self) -> usize {
        self.cwnd
    }

    /// Return the slow start threshold, ssthresh, in bytes.
    pub fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    /// Return SMSS, the sender's maximum segment size.
    pub fn mss(&self) -> usize {
        self.smss
    }

    /// Return whether fast recovery is under way.
    pub fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    /// Return whether slow start is in force (cwnd < ssthresh, RFC 5681 3.1).
    pub fn in_slow_start(&self) -> bool {
        self.cwnd < self.ssthresh
    }

    /// Return RFC 6582's `recover`: SND.NXT when loss was last detected, or
    /// `None` before any loss.
    pub fn recover(&self) -> Option<SeqNumber> {
        self.recover
    }

    /// Return the count of consecutive duplicate ACKs.
    pub fn duplicate_acks(&self) -> u32 {
        self.dup_acks
    }

    /// Return when new data was last acknowledged.
    pub fn last_ack(&self) -> Option<Instant> {
        self.last_ack
    }

    /// Return how many bytes may be in flight: cwnd, plus one SMSS for each
    /// of the first two duplicate ACKs outside fast recovery, for limited
    /// transmit (RFC 3042 2: "the amount of outstanding data would remain
    /// less than or equal to the congestion window plus 2 segments"; RFC
    /// 5681 3.2 step 1). The peer's window bounds it too, and limited
    /// transmit may send only new data.
    pub fn window(&self) -> usize {
        if self.in_recovery {
            return self.cwnd;
        }
        let extra = self.dup_acks.min(DUP_ACK_THRESHOLD - 1) as usize;
        self.cwnd.saturating_add(extra.saturating_mul(self.smss))
    }

    /// Set SMSS (after the MSS option is known, or the path MTU changed).
    ///
    /// While the initial window is still unused, cwnd is recomputed for the
    /// new SMSS (the RFC 5681 3.1 and RFC 6928 2 formulas depend on it).
    /// Afterwards cwnd is kept in bytes, raised to one SMSS if below. ssthresh
    /// is raised to 2*SMSS if below, the floor of RFC 5681 eq. 4 in the new
    /// unit.
    pub fn set_mss(&mut self, mss: usize) {
        self.smss = mss.max(1);
        self.ssthresh = self.ssthresh.max(self.smss.saturating_mul(2));
        self.cwnd = match self.start {
            Start::Initial => self.config.initial_window.bytes(self.smss),
            Start::SynLost => self.smss,
            Start::Running => self.cwnd.max(self.smss),
        };
    }

    /// Use a one-segment initial window, because a SYN or SYN-ACK was
    /// retransmitted. RFC 5681 3.1: "if the SYN or SYN/ACK is lost, the
    /// initial window used by a sender after a correctly transmitted SYN
    /// MUST be one segment consisting of at most SMSS bytes." No effect once
    /// data was acknowledged or lost.
    pub fn on_syn_retransmitted(&mut self) {
        if self.start != Start::Running {
            self.start = Start::SynLost;
            self.cwnd = self.smss;
        }
    }

    /// New data ACKed (SND.UNA advanced by `acked` bytes to `snd_una`);
    /// `flight_size` before the ACK (SND.NXT - SND.UNA, RFC 5681 2).
    ///
    /// Outside fast recovery, cwnd grows by slow start or congestion
    /// avoidance (RFC 5681 3.1, RFC 9293 3.8.2, MUST-19). In fast recovery, a
    /// full ACK ends it and a partial ACK asks for a retransmission (RFC 6582
    /// 3.2 step 5). Call it for every ACK that advances SND.UNA, so that
    /// duplicate ACKs are compared with the right SND.UNA.
    pub fn on_ack(
        &mut self,
        now: Instant,
        acked: usize,
        snd_una: SeqNumber,
        flight_size: usize,
    ) -> AckAction {
        let outstanding = flight_size.saturating_sub(acked);
        self.last_ack = Some(now);
        self.snd_una = Some(snd_una);
        self.snd_max = later(self.snd_max, Some(snd_una + seq_len(outstanding)));
        // RFC 5681 3.2 step 6: an ACK of new data ends the duplicate run.
        self.dup_acks = 0;
        self.timed_out = false;
        self.start = Start::Running;
        match self.recover {
            Some(recover) if self.in_recovery => {
                self.ack_in_recovery(acked, snd_una, recover, outstanding)
            }
            _ => {
                self.grow(acked);
                AckAction::None
            }
        }
    }

    /// Grow cwnd for `acked` new bytes outside fast recovery (RFC 5681 3.1).
    fn grow(&mut self, acked: usize) {
        if self.in_slow_start() {
            // RFC 5681 3.1, eq. 2: cwnd += min (N, SMSS).
            self.cwnd = self.cwnd.saturating_add(acked.min(self.smss));
        } else {
            // RFC 5681 3.1 byte counting, RFC 3465 2.1: "When bytes_acked
            // becomes greater than or equal to the value of the congestion
            // window, bytes_acked is reduced by the value of cwnd. Next, cwnd
            // is incremented by a full-sized segment (SMSS)."
            self.bytes_acked = self.bytes_acked.saturating_add(acked);
            if self.bytes_acked >= self.cwnd {
                self.bytes_acked -= self.cwnd;
                self.cwnd = self.cwnd.saturating_add(self.smss);
            }
        }
    }

    /// Handle an ACK of new data in fast recovery (RFC 6582 3.2 step 5);
    /// `outstanding` is the FlightSize after the ACK.
    fn ack_in_recovery(
        &mut self,
        acked: usize,
        snd_una: SeqNumber,
        recover: SeqNumber,
        outstanding: usize,
    ) -> AckAction {
        if snd_una >= recover {
            // Full acknowledgment: "Set cwnd to either (1) min (ssthresh,
            // max(FlightSize, SMSS) + SMSS) or (2) ssthresh ... where
            // FlightSize in (1) is the amount of data presently outstanding
            // ... Exit the fast recovery procedure." We take (1).
            let deflated = outstanding.max(self.smss).saturating_add(self.smss);
            self.cwnd = self.ssthresh.min(deflated).max(self.smss);
            self.in_recovery = false;
            self.bytes_acked = 0;
            return AckAction::None;
        }
        // Partial acknowledgment: "Deflate the congestion window by the amount
        // of new data acknowledged by the Cumulative Acknowledgment field. If
        // the partial ACK acknowledges at least one SMSS of new data, then add
        // back SMSS bytes to the congestion window." Stay in fast recovery.
        let mut cwnd = self.cwnd.saturating_sub(acked);
        if acked >= self.smss {
            cwnd = cwnd.saturating_add(self.smss);
        }
        self.cwnd = cwnd.max(self.smss);
        AckAction::RetransmitFirstUnacked
    }

    /// A duplicate ACK as RFC 5681 2 defines it; `snd_nxt` is recorded as
    /// `recover` on entering recovery. `snd_nxt` is one past the highest
    /// sequence number sent (SND.MAX if SND.NXT was pulled back after a
    /// timeout); `flight_size` is the data outstanding (RFC 5681 2).
    ///
    /// The first and second ask for limited transmit (RFC 3042). The third
    /// starts fast retransmit and fast recovery (RFC 5681 3.2 steps 2–3),
    /// unless SND.UNA does not cover more than `recover`, i.e. the loss
    /// belongs to a window already recovered (RFC 6582 3.2 step 2: "If not,
    /// the sender does not enter fast retransmit and does not reset
    /// ssthresh"). Each further one in fast recovery inflates cwnd by SMSS
    /// (RFC 5681 3.2 step 4, RFC 6582 3.2 step 4).
    pub fn on_duplicate_ack(&mut self, snd_nxt: SeqNumber, flight_size: usize) -> DupAckAction {
        self.on_duplicate_ack_lost(snd_nxt, flight_size, false)
    }

    /// A duplicate ACK, as [`on_duplicate_ack`](Self::on_duplicate_ack),
    /// after which the SACK scoreboard says whether IsLost(HighACK + 1)
    /// holds (`lost`). RFC 6675 5 step (3): "If DupAcks < DupThresh but
    /// IsLost (HighACK + 1) returns true -- indicating at least three
    /// segments have arrived above the current cumulative acknowledgment
    /// point, which is taken to indicate loss -- go to step (4)", fast
    /// retransmit: one ACK whose SACK blocks cover three segments is enough.
    pub fn on_duplicate_ack_lost(
        &mut self,
        snd_nxt: SeqNumber,
        flight_size: usize,
        lost: bool,
    ) -> DupAckAction {
        self.snd_max = later(self.snd_max, Some(snd_nxt));
        self.dup_acks = self.dup_acks.saturating_add(1);
        if self.in_recovery {
            self.cwnd = self.cwnd.saturating_add(self.smss);
            return DupAckAction::SendNewData;
        }
        let due = self.dup_acks == DUP_ACK_THRESHOLD || (lost && self.dup_acks < DUP_ACK_THRESHOLD);
        if due && self.covers_more_than_recover() {
            self.enter_recovery(snd_nxt, flight_size);
            return DupAckAction::FastRetransmit;
        }
        if self.dup_acks < DUP_ACK_THRESHOLD {
            DupAckAction::SendNewData
        } else {
            DupAckAction::None
        }
    }

    /// RFC 6582 3.2 step 2: whether the Cumulative Acknowledgment field of the
    /// duplicate ACKs (SND.UNA) covers more than `recover`.
    fn covers_more_than_recover(&self) -> bool {
        match (self.recover, self.snd_una) {
            // recover is still the ISN, which every ACK covers.
            (None, _) => true,
            (Some(recover), Some(snd_una)) => snd_una > recover,
            // Loss was detected before any ACK of new data: SND.UNA is still
            // where it was then, below recover.
            (Some(_), None) => false,
        }
    }

    /// Enter fast retransmit and fast recovery (RFC 6582 3.2 steps 2–3; RFC
    /// 5681 3.2 steps 2–3).
    fn enter_recovery(&mut self, snd_nxt: SeqNumber, flight_size: usize) {
        // RFC 6582 step 2: "recover is incremented to the value of the
        // highest sequence number transmitted by the TCP so far".
        self.recover = later(Some(snd_nxt), self.snd_max);
        // RFC 5681 eq. 4: ssthresh = max (FlightSize / 2, 2*SMSS).
        self.ssthresh = self.loss_ssthresh(flight_size);
        // RFC 5681 3.2 step 3: cwnd = ssthresh + 3*SMSS, "artificially
        // 'inflates' the congestion window by the number of segments (three)
        // that have left the network".
        self.cwnd = self
            .ssthresh
            .saturating_add(self.smss.saturating_mul(DUP_ACK_THRESHOLD as usize));
        self.in_recovery = true;
        self.bytes_acked = 0;
    }

    /// Return RFC 5681 eq. 4: ssthresh = max (FlightSize / 2, 2*SMSS).
    fn loss_ssthresh(&self, flight_size: usize) -> usize {
        (flight_size / 2).max(self.smss.saturating_mul(2))
    }

    /// The retransmission timer fired (RFC 5681 eq. 4 then cwnd = loss window
    /// of 1 MSS).
    ///
    /// RFC 5681 3.1: ssthresh becomes max(FlightSize/2, 2*SMSS) when "the given
    /// segment has not yet been resent by way of the retransmission timer";
    /// a second timeout before new data is acknowledged keeps it. "Upon a
    /// timeout cwnd MUST be set to no more than the loss window, LW, which
    /// equals 1 full-sized segment". Fast recovery ends, and `recover` becomes
    /// the highest sequence number sent, SND.UNA + FlightSize (RFC 6582 3.2
    /// step 6), so that the duplicate ACKs the go-back retransmissions raise
    /// do not start a fast retransmit (RFC 6582 3.2 step 2).
    pub fn on_retransmit_timeout(&mut self, flight_size: usize) {
        if !self.timed_out {
            self.ssthresh = self.loss_ssthresh(flight_size);
        }
        self.timed_out = true;
        self.cwnd = self.smss;
        self.in_recovery = false;
        self.dup_acks = 0;
        self.bytes_acked = 0;
        self.start = Start::Running;
        let highest = self.snd_una.map(|una| una + seq_len(flight_size));
        self.recover = later(self.recover, later(highest, self.snd_max));
    }

    /// Restart after idle (RFC 5681 4.1), if the connection was idle for more
    /// than one RTO: "a TCP SHOULD set cwnd to no more than RW before
    /// beginning transmission if the TCP has not sent data in an interval
    /// exceeding the retransmission timeout", RW = min(IW, cwnd). ssthresh is
    /// kept.
    pub fn on_idle(&mut self, idle: Duration, rto: Duration) {
        if idle > rto {
            let restart_window = self.config.initial_window.bytes(self.smss);
            self.cwnd = self.cwnd.min(restart_window);
            self.bytes_acked = 0;
        }
    }
}

#[cfg(test)]
#[path = "tests/congestion.rs"]
mod tests;
