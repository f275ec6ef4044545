//! TCP: sequence-number arithmetic, and the engine built on it.

pub mod seq;

pub use seq::SeqNumber;
