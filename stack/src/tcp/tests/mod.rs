//! Engine tests, written as traces (see `harness`).

mod checks;
mod close;
mod data;
mod harness;
mod misc;
mod notation;
mod open;
mod pair;
mod recovery;
mod robust;
