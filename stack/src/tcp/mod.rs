//! TCP: sequence-number arithmetic, and the engine built on it.

pub mod congestion;
pub mod isn;
pub mod rtt;
pub mod seq;

pub use seq::SeqNumber;
