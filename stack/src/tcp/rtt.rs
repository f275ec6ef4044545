//! The retransmission timer's value: RFC 6298 (SRTT, RTTVAR, RTO, backoff).
//!
//! An [`RttEstimator`] turns round-trip samples into the retransmission
//! timeout (RTO) that the engine arms its timer with. It holds only the RFC's
//! state variables and never reads a clock: the caller measures each sample.
//!
//! # What the caller must do
//!
//! - **Karn's algorithm (RFC 9293 3.8.1, MUST-18; RFC 6298 3).** "RTT samples
//!   MUST NOT be made using segments that were retransmitted (and thus for
//!   which it is ambiguous whether the reply was for the first instance of
//!   the packet or a later instance)." The estimator cannot tell which
//!   segment a sample came from, so the caller never passes a sample taken on
//!   a retransmitted segment, unless it comes from the timestamps option,
//!   whose echo says which transmission is acknowledged (RFC 7323 4).
//! - **Timer management (RFC 6298 5.1–5.4, 5.6).** The caller starts the
//!   timer for [`RttEstimator::rto`] when it sends data with none
//!   outstanding (5.1), stops it when all data is acknowledged (5.2),
//!   restarts it on an ACK of new data (5.3), and on expiry retransmits the
//!   earliest unacknowledged segment (5.4), calls [`RttEstimator::backoff`]
//!   (5.5) and restarts the timer with the new value (5.6).
//!
//! # Arithmetic
//!
//! Samples and results are [`Duration`]s; inside, the state is whole
//! nanoseconds in a `u64` (about 584 years), so the RFC's fractions
//! (alpha = 1/8, beta = 1/4) are computed in nanoseconds, truncated, with
//! plain integer operations: a sample comes with nearly every ACK. All
//! arithmetic saturates (a longer duration counts as 584 years): no
//! sample, however absurd, can make a call panic. The RTO is computed when
//! its inputs change, not each time the timer is armed.

use core::time::Duration;

/// K in RFC 6298 2.2/2.3: the weight of RTTVAR in the RTO.
const K: u64 = 4;

/// The RTO a connection falls back to for its data after a SYN timed out
/// (RFC 6298 5.7).
pub const SYN_TIMEOUT_RTO: Duration = Duration::from_secs(3);

/// The limits and constants of the retransmission timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RttConfig {
    /// The RTO before any sample, 1 s by default (RFC 6298 2.1: "Until a
    /// round-trip time (RTT) measurement has been made ... the sender SHOULD
    /// set RTO <- 1 second").
    pub initial_rto: Duration,
    /// The least RTO, 1 s by default (RFC 6298 2.4: "if it is less than 1
    /// second, then the RTO SHOULD be rounded up to 1 second"). Configurable,
    /// because Linux uses 200 ms.
    pub min_rto: Duration,
    /// The greatest RTO, also the cap of the backoff; 60 s by default (RFC 6298
    /// 2.5: "A maximum value MAY be placed on RTO provided it is at least 60
    /// seconds"). If it is below `min_rto`, it wins.
    pub max_rto: Duration,
    /// The clock granularity G, 1 ms by default (RFC 6298 2.2/2.3:
    /// RTO = SRTT + max(G, K*RTTVAR)).
    pub granularity: Duration,
}

impl Default for RttConfig {
    /// Return the values RFC 6298 recommends, with G = 1 ms.
    fn default() -> Self {
        RttConfig {
            initial_rto: Duration::from_secs(1),
            min_rto: Duration::from_secs(1),
            max_rto: Duration::from_secs(60),
            granularity: Duration::from_millis(1),
        }
    }
}

/// The smoothed round-trip state of one connection (RFC 6298 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttEstimator {
    config: RttConfig,
    /// SRTT and RTTVAR, once the first sample has arrived.
    smoothed: Option<Smoothed>,
    /// The RTO as RFC 6298 2 computes it, before clamping and backoff, in
    /// nanoseconds.
    base_rto: u64,
    /// How many times the timer has been backed off since the last reset.
    backoffs: u32,
    /// What [`RttEstimator::rto`] returns, from the fields above.
    rto: Duration,
}

/// The two state variables of RFC 6298 2, which exist together or not at
/// all, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Smoothed {
    srtt: u64,
    rttvar: u64,
}

/// `d` in whole nanoseconds, saturating at `u64::MAX` (584 years).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl RttEstimator {
    /// Create an estimator with no sample yet: the RTO is
    /// `config.initial_rto` (RFC 6298 2.1).
    pub fn new(config: RttConfig) -> Self {
        let mut rtt = RttEstimator {
            config,
            smoothed: None,
            base_rto: nanos(config.initial_rto),
            backoffs: 0,
            rto: Duration::ZERO,
        };
        rtt.update_rto();
        rtt
    }

    /// Return the configuration.
    pub fn config(&self) -> &RttConfig {
        &self.config
    }

    /// Take one round-trip sample `rtt` (RFC 6298 2.2 for the first, 2.3 for
    /// the next ones), recompute the RTO and clear the backoff.
    ///
    /// The CALLER applies Karn's algorithm (RFC 9293 3.8.1, MUST-18): it never
    /// samples a retransmitted segment, unless the sample comes from
    /// timestamps (RFC 7323 4). Clearing the backoff here is the "collapse"
    /// of RFC 6298 5 (note after 5.7): "once a new RTT measurement is
    /// obtained ... the computations outlined in Section 2 are performed,
    /// including the computation of RTO, which may result in 'collapsing' RTO
    /// back down after it has been subject to exponential back off".
    pub fn on_sample(&mut self, rtt: Duration) {
        let rtt = nanos(rtt);
        let smoothed = match self.smoothed {
            // RFC 6298 2.2: SRTT <- R, RTTVAR <- R/2.
            None => Smoothed {
                srtt: rtt,
                rttvar: rtt / 2,
            },
            // RFC 6298 2.3, alpha = 1/8, beta = 1/4, RTTVAR first (it uses
            // the old SRTT):
            //   RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
            //   SRTT <- (1 - alpha) * SRTT + alpha * R'
            Some(Smoothed { srtt, rttvar }) => Smoothed {
                rttvar: (rttvar - rttvar / 4).saturating_add(srtt.abs_diff(rtt) / 4),
                srtt: (srtt - srtt / 8).saturating_add(rtt / 8),
            },
        };
        self.smoothed = Some(smoothed);
        // RFC 6298 2.2/2.3: RTO <- SRTT + max(G, K*RTTVAR).
        let variance = smoothed
            .rttvar
            .saturating_mul(K)
            .max(nanos(self.config.granularity));
        self.base_rto = smoothed.srtt.saturating_add(variance);
        self.backoffs = 0;
        self.update_rto();
    }

    /// Return the RTO to arm the retransmission timer with: the computed RTO
    /// clamped to `[min_rto, max_rto]` (RFC 6298 2.4, 2.5), doubled once per
    /// backoff (RFC 6298 5.5) and capped again at `max_rto`.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// Recompute [`RttEstimator::rto`] after its inputs changed.
    fn update_rto(&mut self) {
        let factor = 1u64.checked_shl(self.backoffs).unwrap_or(u64::MAX);
        let rto = self.clamp(self.clamp(self.base_rto).saturating_mul(factor));
        self.rto = Duration::from_nanos(rto);
    }

    /// Clamp `rto` to `[min_rto, max_rto]`; `max_rto` wins if they cross.
    fn clamp(&self, rto: u64) -> u64 {
        let (min, max) = (nanos(self.config.min_rto), nanos(self.config.max_rto));
        rto.max(min).min(max)
    }

    /// Back the timer off after it expired (RFC 6298 5.5: "The host MUST set
    /// RTO <- RTO * 2 ('back off the timer'). The maximum value discussed in
    /// (2.5) above may be used to provide an upper bound to this doubling
    /// operation"; RFC 9293 3.8.2, MUST-19 "exponential backoff").
    ///
    /// [`RttEstimator::rto`] doubles up to `max_rto` and stays there. The
    /// count goes on (saturating), so it also counts retransmissions for the
    /// R1/R2 thresholds (RFC 9293 3.8.3, MUST-20).
    pub fn backoff(&mut self) {
        self.backoffs = self.backoffs.saturating_add(1);
        self.update_rto();
    }

    /// Forget the backoff, keeping SRTT and RTTVAR.
    ///
    /// [`RttEstimator::on_sample`] does it already. An ACK of new data
    /// without a valid sample must NOT call this: Karn's algorithm keeps the
    /// backed-off RTO until a segment sent once is acknowledged (MUST-18;
    /// RFC 6298 5, the note after 5.7: the RTO collapses "once a new RTT
    /// measurement is obtained"). The engine calls it only where the RFCs
    /// reinitialize the timer, when the handshake completes (RFC 6298 5.7).
    pub fn reset_backoff(&mut self) {
        self.backoffs = 0;
        self.update_rto();
    }

    /// Return how many times the timer was backed off since the last reset.
    pub fn backoff_count(&self) -> u32 {
        self.backoffs
    }

    /// Fall back to a 3 s RTO for the data after the SYN (or SYN-ACK) timed
    /// out, and clear the backoff.
    ///
    /// RFC 6298 5.7: "If the timer expires awaiting the ACK of a SYN segment
    /// and the TCP implementation is using an RTO less than 3 seconds, the RTO
    /// MUST be re-initialized to 3 seconds when data transmission begins
    /// (i.e., after the three-way handshake completes)." The caller calls this
    /// when the handshake completes, if a SYN timer expired. A later sample
    /// recomputes the RTO as usual.
    pub fn restart_after_syn_timeout(&mut self) {
        self.base_rto = self.base_rto.max(nanos(SYN_TIMEOUT_RTO));
        self.backoffs = 0;
        self.update_rto();
    }

    /// Return SRTT, or `None` before the first sample.
    pub fn srtt(&self) -> Option<Duration> {
        self.smoothed.map(|s| Duration::from_nanos(s.srtt))
    }

    /// Return RTTVAR, or `None` before the first sample.
    pub fn rttvar(&self) -> Option<Duration> {
        self.smoothed.map(|s| Duration::from_nanos(s.rttvar))
    }
}

impl Default for RttEstimator {
    /// Return an estimator with the default [`RttConfig`].
    fn default() -> Self {
        RttEstimator::new(RttConfig::default())
    }
}

#[cfg(test)]
#[path = "tests/rtt.rs"]
mod tests;
