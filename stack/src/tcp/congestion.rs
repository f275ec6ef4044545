//! STAND-IN (replaced by the tcp-algos branch): NewReno.
#![allow(missing_docs)]
use core::time::Duration;

use crate::tcp::SeqNumber;
use crate::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialWindow {
    Segments(u32),
    Rfc5681,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CongestionConfig {
    pub initial_window: InitialWindow,
}

impl Default for CongestionConfig {
    fn default() -> Self {
        CongestionConfig {
            initial_window: InitialWindow::Segments(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckAction {
    None,
    RetransmitFirstUnacked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupAckAction {
    None,
    FastRetransmit,
    SendNewData,
}

#[derive(Debug, Clone)]
pub struct NewReno {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    dupacks: u32,
    recover: Option<SeqNumber>,
}

impl NewReno {
    pub fn new(config: CongestionConfig, mss: usize) -> Self {
        let iw = match config.initial_window {
            InitialWindow::Segments(n) => n as usize * mss,
            InitialWindow::Rfc5681 => 3 * mss,
        };
        NewReno {
            mss,
            cwnd: iw,
            ssthresh: usize::MAX,
            dupacks: 0,
            recover: None,
        }
    }
    pub fn cwnd(&self) -> usize {
        self.cwnd
    }
    pub fn ssthresh(&self) -> usize {
        self.ssthresh
    }
    pub fn in_recovery(&self) -> bool {
        self.recover.is_some()
    }
    pub fn set_mss(&mut self, mss: usize) {
        self.mss = mss;
    }
    pub fn on_ack(
        &mut self,
        _now: Instant,
        acked: usize,
        snd_una: SeqNumber,
        flight_size: usize,
    ) -> AckAction {
        self.dupacks = 0;
        if let Some(recover) = self.recover {
            if snd_una >= recover {
                self.recover = None;
                self.cwnd = self
                    .ssthresh
                    .min(flight_size.saturating_sub(acked) + self.mss)
                    .max(self.mss);
                return AckAction::None;
            }
            self.cwnd = self.cwnd.saturating_sub(acked) + self.mss;
            return AckAction::RetransmitFirstUnacked;
        }
        if self.cwnd < self.ssthresh {
            self.cwnd += acked.min(self.mss);
        } else {
            self.cwnd += (self.mss * self.mss / self.cwnd).max(1);
        }
        AckAction::None
    }
    pub fn on_duplicate_ack(&mut self, snd_nxt: SeqNumber, flight_size: usize) -> DupAckAction {
        if self.recover.is_some() {
            self.cwnd += self.mss;
            return DupAckAction::SendNewData;
        }
        self.dupacks += 1;
        if self.dupacks == 3 {
            self.ssthresh = (flight_size / 2).max(2 * self.mss);
            self.cwnd = self.ssthresh + 3 * self.mss;
            self.recover = Some(snd_nxt);
            return DupAckAction::FastRetransmit;
        }
        DupAckAction::SendNewData
    }
    pub fn on_retransmit_timeout(&mut self, flight_size: usize) {
        self.ssthresh = (flight_size / 2).max(2 * self.mss);
        self.cwnd = self.mss;
        self.recover = None;
        self.dupacks = 0;
    }
    pub fn on_idle(&mut self, idle: Duration, rto: Duration) {
        if idle > rto {
            self.cwnd = self.cwnd.min(10 * self.mss);
        }
    }
}
