//! synack: a conformance and fuzzing harness for TCP/IP.
//!
//! The harness replays YAML conformance scripts against a target (the
//! reference stack in [`stack`], or the Linux kernel through a TAP device)
//! and hosts the bodies of the fuzz targets ([`fuzz`]), so that `cargo test`
//! replays every corpus file on stable.
//!
//! - [`script`]: a YAML script read into a typed [`script::Script`].
//! - [`notation`]: packetdrill segment notation, parsed and printed.
//! - [`netns`]: run code inside a private network namespace with a TAP device.
//! - [`realtime`]: drive a reference host in real time on a TAP device.
//! - [`serve`]: the reference host with a UDP echo service, for people to poke at.
//! - [`run`]: the runner that replays a script against a [`target::Target`].
//! - [`target`]: what scripts run against (the reference stack, the Linux
//!   kernel in a namespace, a mock).
//! - [`diff`]: the differential test, each script on `reference` and `linux`.
//! - [`differential`]: the random differential, proptest sequences on both.
//! - [`report`]: text, JUnit and JSON reports, pcap files, ladder diagrams, coverage.
#![warn(missing_docs)]

pub mod diff;
pub mod differential;
pub mod fuzz;
pub mod netns;
pub mod notation;
pub mod realtime;
pub mod report;
pub mod run;
pub mod script;
pub mod serve;
pub mod target;

pub use stack;
