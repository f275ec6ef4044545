//! TCP: sequence-number arithmetic, and the engine built on it.

pub mod congestion;
pub mod isn;
pub mod recv_queue;
pub mod rtt;
pub mod scoreboard;
pub mod seq;

pub use recv_queue::{Accepted, RecvQueue};
pub use scoreboard::{NextSeg, RecoveryVars, Scoreboard};
pub use seq::SeqNumber;
