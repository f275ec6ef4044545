//! STAND-IN (replaced by the tcp-algos branch): RFC 6298 retransmission timer.
#![allow(missing_docs)]
use core::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RttConfig {
    pub initial_rto: Duration,
    pub min_rto: Duration,
    pub max_rto: Duration,
    pub granularity: Duration,
}

impl Default for RttConfig {
    fn default() -> Self {
        RttConfig {
            initial_rto: Duration::from_secs(1),
            min_rto: Duration::from_secs(1),
            max_rto: Duration::from_secs(60),
            granularity: Duration::from_millis(1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RttEstimator {
    config: RttConfig,
    srtt: Option<Duration>,
    rttvar: Duration,
    backoff: u32,
}

impl RttEstimator {
    pub fn new(config: RttConfig) -> Self {
        RttEstimator {
            config,
            srtt: None,
            rttvar: Duration::ZERO,
            backoff: 0,
        }
    }
    pub fn on_sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(rtt);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((srtt * 7 + rtt) / 8);
            }
        }
    }
    fn base(&self) -> Duration {
        match self.srtt {
            None => self.config.initial_rto,
            Some(s) => s + (self.rttvar * 4).max(self.config.granularity),
        }
    }
    pub fn rto(&self) -> Duration {
        let mut rto = self.base().max(self.config.min_rto);
        for _ in 0..self.backoff.min(16) {
            rto = rto.saturating_mul(2);
        }
        rto.clamp(self.config.min_rto, self.config.max_rto)
    }
    pub fn backoff(&mut self) {
        if self.rto() < self.config.max_rto {
            self.backoff += 1;
        }
    }
    pub fn reset_backoff(&mut self) {
        self.backoff = 0;
    }
    pub fn backoff_count(&self) -> u32 {
        self.backoff
    }
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }
    pub fn rttvar(&self) -> Option<Duration> {
        self.srtt.map(|_| self.rttvar)
    }
}
