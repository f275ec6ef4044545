//! The step loop (see the [module docs](super)).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use stack::time::Instant;
use stack::wire::arp::ArpOperation;

use super::build::{self, BuildError};
use super::clock::{Clock, REAL_POLL_SLICE};
use super::failure::{Failure, FailureKind};
use super::flow::Flows;
use super::seen::{self, Seen};
use super::trace::{self, EventKind, Trace};
use super::{RunOptions, RunReport};
use crate::notation::SegmentPattern;
use crate::script::{
    Action, Call, CallStep, Errno, Expect, Script, Step, TargetName, TcpState, TimeBound, TimePoint,
};
use crate::target::{CallOutcome, Target, TargetError, FIRST_SOCKET};

/// How many times a virtual-clock target may ask to be woken at the same
/// instant before the run calls it stuck.
const MAX_SPINS: u32 = 10_000;

/// What a step returns: its failure is boxed, as it is large and rare.
type Outcome = Result<(), Box<Failure>>;

/// One run in progress.
pub(super) struct Runner<'s, 't> {
    script: &'s Script,
    target: &'t mut dyn Target,
    options: &'s RunOptions,
    override_name: Option<TargetName>,
    clock: Clock,
    /// The time now.
    now: Instant,
    /// The time of the previous step, for `+` times.
    prev: Instant,
    /// The step being run.
    step: Option<usize>,
    /// Trace indices of emitted frames no step has taken yet.
    pending: VecDeque<usize>,
    trace: Trace,
    flows: Flows,
    /// Whether the runner answers the target's ARP requests for the peer.
    auto_arp: bool,
    /// The last IPv4 datagram the target sent, for ICMP errors to quote.
    last_datagram: Option<Vec<u8>>,
    /// The sockets the script has used, whose states are sampled.
    sockets: BTreeSet<u32>,
    /// The last state reported for each socket.
    states: BTreeMap<u32, TcpState>,
}

impl<'s, 't> Runner<'s, 't> {
    /// Prepare a run.
    pub fn new(
        script: &'s Script,
        target: &'t mut dyn Target,
        options: &'s RunOptions,
    ) -> Runner<'s, 't> {
        let override_name = target.override_name();
        let auto_arp = !script.steps.iter().any(|s| {
            s.action_for(override_name)
                .is_some_and(|a| matches!(a, Action::ArpIn(_) | Action::ArpOut(_)))
        });
        Runner {
            clock: Clock::start(target.clock()),
            script,
            target,
            options,
            override_name,
            now: Instant::ZERO,
            prev: Instant::ZERO,
            step: None,
            pending: VecDeque::new(),
            trace: Trace::default(),
            flows: Flows::new(&script.config, options.seed),
            auto_arp,
            last_datagram: None,
            sockets: BTreeSet::new(),
            states: BTreeMap::new(),
        }
    }

    /// Run every step, stopping at the first failure.
    pub fn run(mut self) -> RunReport {
        let mut outcome = Ok(());
        for (index, step) in self.script.steps.iter().enumerate() {
            self.step = Some(index);
            let Some(action) = step.action_for(self.override_name) else {
                continue;
            };
            if let Err(failure) = self.run_step(step, action) {
                outcome = Err(*failure);
                break;
            }
            self.sample_states();
        }
        if outcome.is_ok() {
            self.step = None;
            self.tick();
            self.drain();
        }
        RunReport {
            outcome,
            trace: self.trace,
            flows: self.flows,
            end: self.now,
            unexpected: self.pending.into_iter().collect(),
            real_clock: self.target.clock() == crate::target::ClockKind::Real,
        }
    }

    /// Run one step.
    fn run_step(&mut self, step: &Step, action: &Action) -> Outcome {
        match action {
            Action::In(pattern) => self.inject_tcp(step, pattern),
            Action::Out(_)
            | Action::ArpOut(_)
            | Action::IcmpOut(_)
            | Action::UdpOut(_)
            | Action::FrameOut(_) => self.expect_frame(step, action),
            Action::Call(call) => self.call(step, call),
            Action::State(state) => self.state(step, *state),
            Action::Wait(d) => {
                let until = self.now + self.script.config.resolve(*d);
                self.advance(until, false)?;
                self.prev = self.now;
                Ok(())
            }
            Action::Silent(d) => self.silent(action, self.script.config.resolve(*d)),
            Action::ArpIn(line) => {
                self.start(step)?;
                self.inject(build::arp_frame(&self.script.config, line), false)
            }
            Action::IcmpIn(line) => {
                self.start(step)?;
                let quoted = self.last_datagram.as_deref();
                let frame = build::icmp_frame(&self.script.config, line, quoted)
                    .map_err(|e| self.bad_step(e))?;
                self.inject(frame, false)
            }
            Action::UdpIn(line) => {
                self.start(step)?;
                let frame =
                    build::udp_frame(&self.script.config, line).map_err(|e| self.bad_step(e))?;
                self.inject(frame, false)
            }
            Action::FrameIn(frame) => {
                self.start(step)?;
                self.inject(build::raw_frame(&frame.0), false)
            }
        }
    }

    // --- time -----------------------------------------------------------

    /// Return how far a real clock may stray from a time bound.
    fn tolerance(&self) -> core::time::Duration {
        if self.clock.is_virtual() {
            core::time::Duration::ZERO
        } else {
            self.script.config.tolerance
        }
    }

    /// Return the instant a time point names.
    fn point(&self, point: TimePoint) -> Instant {
        match point {
            TimePoint::Absolute(d) => Instant::ZERO + self.script.config.resolve(d),
            TimePoint::Relative(d) => self.prev + self.script.config.resolve(d),
        }
    }

    /// Return the earliest and latest instants a bound allows.
    fn window(&self, bound: TimeBound) -> Option<(Instant, Instant)> {
        match bound {
            TimeBound::Any => None,
            TimeBound::At(p) => Some((self.point(p), self.point(p))),
            TimeBound::Between(a, b) => Some((self.point(a), self.point(b))),
        }
    }

    /// Read the real clock (a virtual one stays where it is).
    fn tick(&mut self) {
        self.now = self.clock.now(self.now);
    }

    /// Bring a step that acts (an injection, a call, a state check) to its
    /// time: wait for the bound's start, or fail if it has passed.
    fn start(&mut self, step: &Step) -> Outcome {
        self.tick();
        if let Some((low, high)) = self.window(step.time) {
            if self.now > high + self.tolerance() {
                let message = format!(
                    "the step is due by {high}, but the run is already at {}",
                    self.now
                );
                return Err(self.fail(FailureKind::TooLate, message, None, None));
            }
            self.advance(low, false)?;
        }
        Ok(())
    }

    /// Let time pass until `until`, running the target's timers and taking
    /// what it emits; with `stop_on_frame`, stop early once a frame waits.
    fn advance(&mut self, until: Instant, stop_on_frame: bool) -> Outcome {
        let mut spins = 0;
        loop {
            self.tick();
            self.drain();
            if stop_on_frame && !self.pending.is_empty() {
                return Ok(());
            }
            let due = self.target.poll_timeout().filter(|&t| t <= until);
            if let Some(t) = due.filter(|&t| t <= self.now) {
                spins += 1;
                if spins > MAX_SPINS {
                    let message = format!("the target asks to be woken at {t} again and again");
                    return Err(self.fail(FailureKind::Target, message, None, None));
                }
                self.target.handle_timeout(self.now);
                continue;
            }
            spins = 0;
            if self.now >= until {
                return Ok(());
            }
            let next = due.unwrap_or(until);
            if self.clock.is_virtual() {
                self.now = next;
            } else {
                self.clock.sleep_until(next.min(self.now + REAL_POLL_SLICE));
            }
        }
    }

    /// Take every frame the target has ready.
    fn drain(&mut self) {
        while let Some(frame) = self.target.poll_transmit(self.now) {
            self.record_out(frame);
        }
    }

    // --- frames ---------------------------------------------------------

    /// Record an emitted frame; answer it if it is an ARP request the
    /// runner handles, else leave it for the next `out` step.
    fn record_out(&mut self, frame: Vec<u8>) {
        let seen = Seen::read(&frame);
        if let Seen::Tcp { .. } | Seen::Icmp(_) | Seen::Udp(_) = seen {
            self.last_datagram = frame
                .get(stack::wire::ethernet::HEADER_LEN..)
                .map(<[u8]>::to_vec);
        }
        let auto = self.auto_arp
            && matches!(&seen, Seen::Arp(arp) if arp.operation == ArpOperation::Request
                && arp.sender_ip == self.script.config.local
                && arp.target_ip == Some(self.script.config.remote));
        let index = self.trace.push(
            self.now,
            self.step,
            EventKind::Out {
                frame: frame.clone(),
                auto,
            },
        );
        if !auto {
            self.pending.push_back(index);
            return;
        }
        let config = &self.script.config;
        let reply = crate::script::lower::ArpLine {
            operation: ArpOperation::Reply,
            sender_ip: config.remote,
            sender_mac: Some(config.remote_mac),
            target_ip: Some(config.local),
            target_mac: Some(config.local_mac),
        };
        // A failure of the target here shows at the step that waits.
        let _ = self.inject(build::arp_frame(config, &reply), true);
    }

    /// Inject a frame from the peer now.
    fn inject(&mut self, frame: Vec<u8>, auto: bool) -> Outcome {
        let note = self
            .target
            .handle_frame(self.now, &frame)
            .map_err(|e| self.target_failure(e))?;
        self.trace
            .push(self.now, self.step, EventKind::In { frame, note, auto });
        if !auto {
            self.drain();
            self.prev = self.now;
        }
        Ok(())
    }

    /// Run an `in` step.
    fn inject_tcp(&mut self, step: &Step, pattern: &SegmentPattern) -> Outcome {
        self.start(step)?;
        let flow = *self.flows.get(step.socket.unwrap_or(FIRST_SOCKET));
        let payload = match &step.data {
            Some(data) => data.clone(),
            None => vec![0; pattern.len as usize],
        };
        let Some(mut segment) = pattern.to_repr(flow.inbound(), &payload) else {
            let why = BuildError("the segment cannot be built: its options do not fit");
            return Err(self.bad_step(why));
        };
        segment.src_port = flow.remote_port;
        segment.dst_port = flow.local_port();
        let frame = build::tcp_frame(&self.script.config, flow.remote_addr, &segment);
        self.inject(frame, false)
    }

    /// Run an `out` step (or another `*_out`).
    fn expect_frame(&mut self, step: &Step, action: &Action) -> Outcome {
        self.tick();
        let window = self.window(step.time);
        let tolerance = self.tolerance();
        let deadline = match window {
            Some((_, high)) => high + tolerance,
            None => self.now + self.options.out_wait(self.target.clock()),
        };
        self.advance(deadline, true)?;
        let Some(index) = self.pending.pop_front() else {
            let message = format!("nothing was emitted by {deadline}");
            return Err(self.fail(
                FailureKind::Missing,
                message,
                Some(action.to_string()),
                None,
            ));
        };
        let at = self.trace.events[index].at;
        if let Some((low, high)) = window {
            let (kind, message) = if at + tolerance < low {
                (
                    FailureKind::TooEarly,
                    format!("emitted at {at}, before {low}"),
                )
            } else if at > high + tolerance {
                (
                    FailureKind::TooLate,
                    format!("emitted at {at}, after {high}"),
                )
            } else {
                (FailureKind::Mismatch, String::new())
            };
            if kind != FailureKind::Mismatch {
                return Err(self.mismatch(kind, message, action, index));
            }
        }
        self.match_frame(step, action, index)?;
        self.prev = at;
        Ok(())
    }

    /// Match the emitted frame at trace `index` against an `*_out` step.
    fn match_frame(&mut self, step: &Step, action: &Action, index: usize) -> Outcome {
        let Some((frame, _)) = self.trace.events[index].frame() else {
            return Ok(());
        };
        let frame = frame.to_vec();
        let seen = Seen::read(&frame);
        let result = match (action, &seen) {
            (Action::Out(pattern), Seen::Tcp { ip, segment }) => {
                let socket = step.socket.unwrap_or(FIRST_SOCKET);
                if pattern.new_isn {
                    // `*:*`: a new incarnation whose ISN the script leaves open.
                    self.flows
                        .renew_target_isn(socket, segment.seq_number, index);
                }
                let flow = self.flows.get(socket);
                if flow.local_port.is_none() {
                    flow.local_port = Some(segment.src_port);
                }
                if flow.target_isn.is_none() {
                    flow.target_isn = Some(segment.seq_number - pattern.seq);
                }
                if (segment.src_port, segment.dst_port) != (flow.local_port(), flow.remote_port) {
                    Err("ports")
                } else if ip.dst_addr != flow.remote_addr {
                    Err("destination address")
                } else {
                    let payload = step.data.as_deref();
                    pattern
                        .matches(segment, flow.outbound())
                        .map_err(|field| field.name())
                        .and_then(|()| match payload {
                            Some(data) if data != segment.payload => Err("payload"),
                            _ => Ok(()),
                        })
                }
            }
            (Action::ArpOut(line), Seen::Arp(arp)) => seen::match_arp(line, arp),
            (Action::IcmpOut(line), Seen::Icmp(icmp)) => seen::match_icmp(line, icmp),
            (Action::UdpOut(line), Seen::Udp(udp)) => seen::match_udp(line, udp),
            (Action::FrameOut(line), _) => seen::match_frame(line, &frame),
            (_, other) => {
                let message = format!(
                    "expected a `{}` frame, got `{}`",
                    action.kind(),
                    other.kind(false)
                );
                return Err(self.mismatch(FailureKind::Mismatch, message, action, index));
            }
        };
        result.map_err(|field| {
            let message = format!("the frame differs in {field}");
            self.mismatch(FailureKind::Mismatch, message, action, index)
        })
    }

    /// Run a `silent` step.
    fn silent(&mut self, action: &Action, duration: core::time::Duration) -> Outcome {
        self.tick();
        let until = self.now + duration;
        if self.pending.is_empty() {
            self.advance(until, true)?;
        }
        if let Some(&first) = self.pending.front() {
            let count = self.pending.len();
            let message = format!("{count} frame(s) emitted that no step expected");
            let expected = Some(action.to_string());
            return Err(self.mismatch_with(FailureKind::Unexpected, message, expected, first));
        }
        self.prev = self.now;
        Ok(())
    }

    // --- calls and states -------------------------------------------------

    /// Run a `call` step.
    fn call(&mut self, step: &Step, call: &CallStep) -> Outcome {
        self.start(step)?;
        let socket = step.socket.unwrap_or(FIRST_SOCKET);
        self.sockets.insert(socket);
        match call.call {
            Call::Listen { port, .. } | Call::Bind { port, .. } => {
                self.flows.get(socket).local_port = Some(port);
            }
            Call::Connect(addr) => {
                let flow = self.flows.get(socket);
                flow.remote_port = addr.port();
                flow.remote_addr = *addr.ip();
            }
            _ => {}
        }
        let mut data = step.data.clone();
        let result = match &mut data {
            Some(data) => self
                .target
                .call_with_data(self.now, socket, &call.call, data),
            None => self.target.call(self.now, socket, &call.call),
        };
        let outcome = result.clone().map_err(|e| e.to_string());
        self.trace.push(
            self.now,
            self.step,
            EventKind::Call {
                socket,
                call: call.call,
                outcome,
            },
        );
        let outcome = result.map_err(|e| self.target_failure(e))?;
        if let (Call::Accept, CallOutcome::Value(accepted)) = (call.call, outcome) {
            self.flows.accept(socket, accepted);
            self.sockets.insert(accepted);
        }
        let ok = match call.expect {
            Expect::Success => {
                matches!(outcome, CallOutcome::Value(_))
                    || (matches!(call.call, Call::Connect(_))
                        && outcome == CallOutcome::Errno(Errno::Einprogress))
            }
            Expect::Value(v) => outcome == CallOutcome::Value(v),
            Expect::Errno(e) => outcome == CallOutcome::Errno(e),
        };
        // A read with `data:` must return exactly those bytes.
        let read_differs = matches!(call.call, Call::Read { .. })
            && matches!(outcome, CallOutcome::Value(_))
            && data != step.data;
        self.drain();
        self.prev = self.now;
        if ok && !read_differs {
            return Ok(());
        }
        if ok {
            let show =
                |d: &Option<Vec<u8>>| d.as_deref().unwrap_or_default().escape_ascii().to_string();
            let message = format!("`{}` read other bytes", call.call);
            let expected = Some(format!("data: \"{}\"", show(&step.data)));
            let actual = Some(format!("data: \"{}\"", show(&data)));
            return Err(self.fail(FailureKind::CallResult, message, expected, actual));
        }
        let message = format!("`{}` returned {outcome}", call.call);
        let expected = Some(format!("call: {call}"));
        let actual = Some(format!("call: {} = {outcome}", call.call));
        Err(self.fail(FailureKind::CallResult, message, expected, actual))
    }

    /// Run a `state` step.
    fn state(&mut self, step: &Step, expected: TcpState) -> Outcome {
        self.start(step)?;
        let socket = step.socket.unwrap_or(FIRST_SOCKET);
        self.sockets.insert(socket);
        let state = self
            .target
            .tcp_state(socket)
            .map_err(|e| self.target_failure(e))?;
        self.note_state(socket, state);
        self.prev = self.now;
        if state == expected {
            return Ok(());
        }
        let message = format!("the connection is in {state}, not {expected}");
        let (expected, actual) = (format!("state: {expected}"), format!("state: {state}"));
        Err(self.fail(FailureKind::State, message, Some(expected), Some(actual)))
    }

    /// Record a socket's state if it changed.
    fn note_state(&mut self, socket: u32, state: TcpState) {
        if self.states.insert(socket, state) != Some(state) {
            self.trace
                .push(self.now, self.step, EventKind::State { socket, state });
        }
    }

    /// Ask the target for the state of every socket used so far; a target
    /// that cannot say is not asked again this run.
    fn sample_states(&mut self) {
        let sockets: Vec<u32> = self.sockets.iter().copied().collect();
        for socket in sockets {
            match self.target.tcp_state(socket) {
                Ok(state) => self.note_state(socket, state),
                Err(_) => {
                    self.sockets.remove(&socket);
                }
            }
        }
    }

    // --- failures -------------------------------------------------------

    /// Build a failure of the current step.
    fn fail(
        &self,
        kind: FailureKind,
        message: String,
        expected: Option<String>,
        actual: Option<String>,
    ) -> Box<Failure> {
        let index = self.step.unwrap_or(0);
        let pos = self
            .script
            .steps
            .get(index)
            .map(|s| s.pos)
            .unwrap_or_default();
        Box::new(Failure {
            kind,
            file: self.script.file.clone(),
            step: index,
            pos,
            line_text: self.script.line(pos.line).to_owned(),
            message,
            expected,
            actual,
            at: self.now,
            trace: self
                .trace
                .render_tail(&self.flows, self.options.trace_lines),
        })
    }

    /// Build a failure about the emitted frame at trace `index`.
    fn mismatch(
        &self,
        kind: FailureKind,
        message: String,
        action: &Action,
        index: usize,
    ) -> Box<Failure> {
        self.mismatch_with(kind, message, Some(action.to_string()), index)
    }

    /// Build a failure about the emitted frame at trace `index`, with the
    /// expected line given.
    fn mismatch_with(
        &self,
        kind: FailureKind,
        message: String,
        expected: Option<String>,
        index: usize,
    ) -> Box<Failure> {
        let event = &self.trace.events[index];
        let actual = Some(trace::line(event, index, &self.flows));
        let mut failure = self.fail(kind, message, expected, actual);
        failure.at = event.at;
        failure
    }

    /// Build the failure of a step the target cannot carry out.
    fn target_failure(&self, error: TargetError) -> Box<Failure> {
        let kind = match error {
            TargetError::Unsupported(_) => FailureKind::Unsupported,
            TargetError::Config(_) | TargetError::Failed(_) => FailureKind::Target,
        };
        self.fail(kind, error.to_string(), None, None)
    }

    /// Build the failure of a step that cannot run as written.
    fn bad_step(&self, error: BuildError) -> Box<Failure> {
        self.fail(FailureKind::BadStep, error.to_string(), None, None)
    }
}
