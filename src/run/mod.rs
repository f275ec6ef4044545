//! The runner: replays a [`Script`] against a [`Target`] and says,
//! precisely, where the target deviates.
//!
//! The loop follows quinn-proto's `Pair::step`: the runner hands the target
//! frames and calls, drains what it transmits, and moves time to the next
//! deadline: the target's next timer or the step's time bound. On a
//! virtual clock it jumps there (a 2MSL wait costs nothing); on a real one
//! it sleeps, and time bounds get `config.tolerance` of slack.
//!
//! - `in`, `arp_in`, `icmp_in`, `udp_in`, `frame_in`: build the frame (TCP
//!   numbers from the connection's ISNs, addresses and MACs from `config`)
//!   and inject it at the step's time.
//! - `out` and the other `*_out`: take the next frame the target emitted,
//!   waiting for it until the step's bound (or [`RunOptions::out_wait`]),
//!   and match it; the target's ISN is learned from its first segment.
//! - `call`, `state`: ask the target; `wait` lets time pass; `silent` fails
//!   if anything is emitted that no step took.
//!
//! Connections use the ports the calls name (`listen(8080)`,
//! `connect(198.51.100.2:40000)`); otherwise the target's port is
//! [`DEFAULT_LOCAL_PORT`] and the peer's [`DEFAULT_PEER_PORT`]. In a script
//! with no ARP step the runner answers the target's ARP requests for the
//! peer itself, as the peer's own stack would; those frames are in the
//! trace, marked `auto`.

mod build;
mod clock;
pub mod command;
pub mod failure;
pub mod flow;
mod runner;
pub mod seen;
pub mod suite;
pub mod trace;

use core::time::Duration;

use stack::time::Instant;

use crate::script::Script;
use crate::target::Target;

pub use build::BuildError;
pub use failure::{Failure, FailureKind};
pub use flow::{Flow, Flows};
pub use seen::Seen;
pub use trace::{Event, EventKind, Trace};

/// The target's port when no call names one.
pub const DEFAULT_LOCAL_PORT: u16 = 8080;

/// The peer's port when no `connect` names one.
pub const DEFAULT_PEER_PORT: u16 = 40000;

/// How a run is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// The seed of the peer's ISNs (and, through the target, of its own
    /// random choices).
    pub seed: u64,
    /// How long an `out` with no time bound waits on a virtual clock:
    /// long enough for keep-alive (2 hours, RFC 9293 3.8.4) and a few probes.
    pub out_wait_virtual: Duration,
    /// How long an `out` with no time bound waits on a real clock.
    pub out_wait_real: Duration,
    /// How many trace lines a failure quotes.
    pub trace_lines: usize,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            seed: 0,
            out_wait_virtual: Duration::from_secs(3 * 3600),
            out_wait_real: Duration::from_secs(10),
            trace_lines: 40,
        }
    }
}

impl RunOptions {
    /// Return how long an unbounded `out` waits on a clock of this kind.
    pub fn out_wait(&self, clock: crate::target::ClockKind) -> Duration {
        match clock {
            crate::target::ClockKind::Virtual => self.out_wait_virtual,
            crate::target::ClockKind::Real => self.out_wait_real,
        }
    }
}

/// What one run of a script produced.
#[derive(Debug)]
pub struct RunReport {
    /// `Ok` if every step passed, else the first failure.
    pub outcome: Result<(), Failure>,
    /// Everything that happened.
    pub trace: Trace,
    /// The connections, to print the trace's numbers relative.
    pub flows: Flows,
    /// The time at the end of the run.
    pub end: Instant,
    /// Indices into the trace of frames the target emitted that no step
    /// took (reported, and a failure only where a step demanded silence).
    pub unexpected: Vec<usize>,
    /// Whether the target ran on a real clock (its timing can be disturbed
    /// by the rest of the machine).
    pub real_clock: bool,
}

impl RunReport {
    /// Return whether every step passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// Render the trace as stable text (see [`Trace::render`]).
    pub fn render_trace(&self) -> String {
        self.trace.render(&self.flows)
    }

    /// Render the trace and the outcome: what a snapshot holds.
    pub fn render(&self) -> String {
        let mut text = self.render_trace();
        for &index in &self.unexpected {
            let event = &self.trace.events[index];
            text.push_str(&format!(
                "unexpected at {}: {}\n",
                event.at,
                trace::line(event, index, &self.flows)
            ));
        }
        match &self.outcome {
            Ok(()) => text.push_str(&format!("passed at {}\n", self.end)),
            Err(failure) => text.push_str(&format!(
                "failed at {}: step {} (line {}): {}\n",
                failure.at,
                failure.step + 1,
                failure.pos.line,
                failure.message
            )),
        }
        text
    }
}

/// Run `script` against `target`.
pub fn run_script(script: &Script, target: &mut dyn Target, options: &RunOptions) -> RunReport {
    runner::Runner::new(script, target, options).run()
}

#[cfg(test)]
#[path = "tests/lower.rs"]
mod lower_tests;
