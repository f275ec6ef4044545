//! What the stateful targets (`host`, `tcp_connection`, `pair`) share in
//! their input: a [`Scenario`] of a setup and a list of ops, read with
//! `arbitrary` and written back with [`Encode`], and the [`Wait`] op of the
//! two targets that walk a clock from timer to timer.

use arbitrary::{Arbitrary, Unstructured};

use crate::fuzz::host::encode::{encoded_enum, Encode};

/// An op of a stateful target: it says how many of its kind one input runs.
pub trait ScenarioOp {
    /// The most ops [`Scenario::decode`] reads (`usize::MAX`: no limit but
    /// the input's length).
    const MAX_OPS: usize;
}

/// The whole input of a stateful target: its setup, then its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario<Setup, Op> {
    /// The configuration of what is fuzzed.
    pub setup: Setup,
    /// The steps, in order.
    pub ops: Vec<Op>,
}

impl<Setup, Op> Scenario<Setup, Op>
where
    Setup: for<'a> Arbitrary<'a>,
    Op: for<'a> Arbitrary<'a> + ScenarioOp,
{
    /// Read a scenario from fuzz input: a setup, then ops until the bytes
    /// run out or [`Op::MAX_OPS`](ScenarioOp::MAX_OPS) are read (a short
    /// last op reads zeros for what is missing).
    pub fn decode(data: &[u8]) -> Self {
        let mut u = Unstructured::new(data);
        // NOTE(unwrap): the targets' setups and ops are made of integers,
        // bools, enums and byte runs that stop at the end, which read zeros
        // (or nothing) once the data ends, so decoding cannot fail.
        let setup = Setup::arbitrary(&mut u).unwrap();
        let mut ops = Vec::new();
        while !u.is_empty() && ops.len() < Op::MAX_OPS {
            ops.push(Op::arbitrary(&mut u).unwrap());
        }
        Scenario { setup, ops }
    }
}

impl<Setup: Encode, Op: Encode> Scenario<Setup, Op> {
    /// Write the bytes [`decode`](Self::decode) reads back as this scenario.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.setup.encode(&mut out);
        for op in &self.ops {
            op.encode(&mut out);
        }
        out
    }
}

encoded_enum! {
    /// A step of time: the clock walks from timer to timer up to its end,
    /// running every timer due on the way (`host` and `tcp_connection`).
    pub enum Wait {
        /// `n` microseconds.
        Micros(u16),
        /// `n` milliseconds.
        Millis(u16),
        /// `n` seconds.
        Secs(u8),
        /// Until the next timer of what is fuzzed (the host, or either
        /// connection).
        NextTimer,
        /// Until no timer is left, or the target's bound on the timers one
        /// wait runs through is reached.
        Quiet,
    }
}
