//! Engine tests, written as traces (see `harness`).

mod checks;
mod close;
mod harness;
mod notation;
mod open;
