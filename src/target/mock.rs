//! A scriptable, deterministic target for the runner's own tests.
//!
//! A [`MockTarget`] does nothing by itself. Tests give it rules: what to
//! emit, and when, in reaction to an injected frame ([`MockTarget::on_frame`])
//! or a socket call ([`MockTarget::on_call`]), frames to emit at fixed times
//! ([`MockTarget::emit_at`]), and socket states. It records everything it
//! is given, so a test can check what the runner injected.

use core::time::Duration;
use std::collections::BTreeMap;

use stack::time::Instant;

use super::{CallOutcome, ClockKind, SocketId, Target, TargetError};
use crate::script::{Call, TargetName, TcpState};

/// What the mock does in reaction to a frame or a call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reaction {
    /// Frames to emit, each after a delay from the time of the cause.
    pub emit: Vec<(Duration, Vec<u8>)>,
    /// Socket states to set.
    pub states: Vec<(SocketId, TcpState)>,
    /// A note for the trace (frames only).
    pub note: Option<String>,
}

impl Reaction {
    /// React by emitting `frame` after `delay`.
    pub fn emit(delay: Duration, frame: Vec<u8>) -> Reaction {
        Reaction {
            emit: vec![(delay, frame)],
            ..Reaction::default()
        }
    }

    /// Also set socket `socket` to `state`.
    pub fn with_state(mut self, socket: SocketId, state: TcpState) -> Reaction {
        self.states.push((socket, state));
        self
    }
}

/// A rule for injected frames: `None` when it does not apply.
type FrameRule = Box<dyn FnMut(Instant, &[u8]) -> Option<Reaction>>;

/// A rule for socket calls: `None` when it does not apply.
type CallRule = Box<dyn FnMut(Instant, SocketId, &Call) -> Option<(CallOutcome, Reaction)>>;

/// A scriptable target; see the [module docs](self).
pub struct MockTarget {
    clock: ClockKind,
    override_name: Option<TargetName>,
    frame_rules: Vec<FrameRule>,
    call_rules: Vec<CallRule>,
    /// Frames waiting to be emitted, by the time they are due; equal times
    /// keep their order.
    scheduled: BTreeMap<(Instant, u64), Vec<u8>>,
    next_id: u64,
    states: BTreeMap<SocketId, TcpState>,
    received: Vec<(Instant, Vec<u8>)>,
    calls: Vec<(Instant, SocketId, Call)>,
    real_start: Option<std::time::Instant>,
}

impl core::fmt::Debug for MockTarget {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MockTarget")
            .field("clock", &self.clock)
            .field("scheduled", &self.scheduled.len())
            .field("states", &self.states)
            .field("received", &self.received.len())
            .finish_non_exhaustive()
    }
}

impl MockTarget {
    /// Create a mock with no rules, on a clock of `clock`'s kind.
    pub fn new(clock: ClockKind) -> MockTarget {
        MockTarget {
            clock,
            override_name: None,
            frame_rules: Vec::new(),
            call_rules: Vec::new(),
            scheduled: BTreeMap::new(),
            next_id: 0,
            states: BTreeMap::new(),
            received: Vec::new(),
            calls: Vec::new(),
            real_start: None,
        }
    }

    /// Pretend to be the target whose overrides apply.
    pub fn with_override_name(mut self, name: TargetName) -> MockTarget {
        self.override_name = Some(name);
        self
    }

    /// Add a rule for injected frames; the first rule that applies wins.
    pub fn on_frame(
        mut self,
        rule: impl FnMut(Instant, &[u8]) -> Option<Reaction> + 'static,
    ) -> MockTarget {
        self.frame_rules.push(Box::new(rule));
        self
    }

    /// Add a rule for socket calls; the first rule that applies wins. A
    /// call no rule takes fails as unsupported.
    pub fn on_call(
        mut self,
        rule: impl FnMut(Instant, SocketId, &Call) -> Option<(CallOutcome, Reaction)> + 'static,
    ) -> MockTarget {
        self.call_rules.push(Box::new(rule));
        self
    }

    /// Emit `frame` at `at`, unprompted.
    pub fn emit_at(mut self, at: Instant, frame: Vec<u8>) -> MockTarget {
        self.schedule(at, frame);
        self
    }

    /// Set socket `socket`'s state (sockets start CLOSED).
    pub fn set_state(&mut self, socket: SocketId, state: TcpState) {
        self.states.insert(socket, state);
    }

    /// Return the frames injected so far, with their times.
    pub fn received(&self) -> &[(Instant, Vec<u8>)] {
        &self.received
    }

    /// Return the calls made so far, with their times.
    pub fn calls(&self) -> &[(Instant, SocketId, Call)] {
        &self.calls
    }

    fn schedule(&mut self, at: Instant, frame: Vec<u8>) {
        self.scheduled.insert((at, self.next_id), frame);
        self.next_id += 1;
    }

    fn apply(&mut self, now: Instant, reaction: Reaction) {
        for (delay, frame) in reaction.emit {
            self.schedule(now + delay, frame);
        }
        for (socket, state) in reaction.states {
            self.states.insert(socket, state);
        }
    }

    /// Check that a real-clock mock is given times that never go back.
    fn check_real(&mut self, now: Instant) {
        if self.clock == ClockKind::Real && self.real_start.is_none() {
            self.real_start = Some(std::time::Instant::now() - now.since_start());
        }
    }
}

impl Target for MockTarget {
    fn name(&self) -> &'static str {
        "mock"
    }

    fn override_name(&self) -> Option<TargetName> {
        self.override_name
    }

    fn clock(&self) -> ClockKind {
        self.clock
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError> {
        self.check_real(now);
        self.received.push((now, frame.to_vec()));
        let reaction = self
            .frame_rules
            .iter_mut()
            .find_map(|rule| rule(now, frame));
        let note = reaction.as_ref().and_then(|r| r.note.clone());
        if let Some(reaction) = reaction {
            self.apply(now, reaction);
        }
        Ok(note)
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let (&key, _) = self.scheduled.first_key_value()?;
        if key.0 > now {
            return None;
        }
        self.scheduled.remove(&key)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.scheduled.first_key_value().map(|(&(at, _), _)| at)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.check_real(now);
    }

    fn call(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
    ) -> Result<CallOutcome, TargetError> {
        self.calls.push((now, socket, *call));
        let found = self
            .call_rules
            .iter_mut()
            .find_map(|rule| rule(now, socket, call));
        let Some((outcome, reaction)) = found else {
            return Err(TargetError::Unsupported(format!(
                "mock has no rule for {call}"
            )));
        };
        self.apply(now, reaction);
        Ok(outcome)
    }

    fn tcp_state(&self, socket: SocketId) -> Result<TcpState, TargetError> {
        Ok(self
            .states
            .get(&socket)
            .copied()
            .unwrap_or(TcpState::Closed))
    }
}
