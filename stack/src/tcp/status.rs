//! STATUS (RFC 9293 3.10.6): a snapshot of a connection's variables.

use core::time::Duration;

use super::error::ConnectionError;
use super::state::State;
use super::SeqNumber;

/// A snapshot of a connection, from [`Connection::status`](super::Connection::status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The state.
    pub state: State,
    /// SND.UNA.
    pub snd_una: SeqNumber,
    /// SND.NXT.
    pub snd_nxt: SeqNumber,
    /// SND.WND, scaled.
    pub snd_wnd: u32,
    /// MAX.SND.WND (RFC 5961 5.2).
    pub max_snd_wnd: u32,
    /// The effective send MSS (MUST-16), before options.
    pub snd_mss: usize,
    /// RCV.NXT.
    pub rcv_nxt: SeqNumber,
    /// RCV.WND as last advertised.
    pub rcv_wnd: u32,
    /// ISS.
    pub iss: SeqNumber,
    /// IRS.
    pub irs: SeqNumber,
    /// The congestion window, in bytes.
    pub cwnd: usize,
    /// The slow-start threshold, in bytes.
    pub ssthresh: usize,
    /// Whether fast recovery is under way.
    pub in_recovery: bool,
    /// The smoothed RTT, once sampled.
    pub srtt: Option<Duration>,
    /// The RTT variation, once sampled.
    pub rttvar: Option<Duration>,
    /// The current RTO, backoff included.
    pub rto: Duration,
    /// Retransmissions of the oldest unacknowledged segment.
    pub retransmissions: u32,
    /// Retransmitted segments over the connection's life.
    pub total_retransmissions: u64,
    /// Bytes in the send buffer (unacknowledged and unsent).
    pub send_queued: usize,
    /// Bytes ready for the application.
    pub recv_queued: usize,
    /// The window shifts (send, receive); zero when scaling is off.
    pub window_shifts: (u8, u8),
    /// Whether timestamps are in use.
    pub timestamps: bool,
    /// Whether SACK is in use.
    pub sack: bool,
    /// The error that ended the connection, if any.
    pub error: Option<ConnectionError>,
}
