//! synack: a conformance and fuzzing harness for TCP/IP.
//!
//! The harness replays YAML conformance scripts against a target (the
//! reference stack in [`stack`], or the Linux kernel through a TAP device)
//! and hosts the bodies of the fuzz targets, so that `cargo test` replays
//! every corpus file on stable.
#![warn(missing_docs)]

pub mod netns;

pub use stack;
