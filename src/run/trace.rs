//! The trace of a run: every frame injected and emitted, every call and
//! every state the target reported, with its time.
//!
//! [`Trace::render`] prints it as stable text, one event a line, in the
//! script's own notation: times from the start of the run and sequence
//! numbers relative to the ISNs, so that two runs of one script print the
//! same text whatever ISNs the target drew.
//!
//! ```text
//!   0.000s  in: S 0:0(0) win 65535 <mss 1460>
//!   0.000s  out: S. 0:0(0) ack 1 win 65535 <mss 1460,eol>
//!   0.000s  state: SYN-RECEIVED
//!   0.010s  call: accept() = 4
//! ```

use core::fmt::Write as _;

use stack::time::Instant;

use super::flow::Flows;
use super::seen::Seen;
use crate::script::{Call, TcpState};
use crate::target::{CallOutcome, SocketId, FIRST_SOCKET};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The script's peer injected a frame.
    In {
        /// The whole frame.
        frame: Vec<u8>,
        /// What the target said it did with it.
        note: Option<String>,
        /// Whether the runner sent it on its own (an ARP reply for the
        /// peer, in a script with no ARP steps).
        auto: bool,
    },
    /// The target emitted a frame.
    Out {
        /// The whole frame.
        frame: Vec<u8>,
        /// Whether the runner answered it on its own (an ARP request for
        /// the peer, in a script with no ARP steps).
        auto: bool,
    },
    /// A socket call and its result.
    Call {
        /// The socket.
        socket: SocketId,
        /// The call.
        call: Call,
        /// What it returned, or why the target could not make it.
        outcome: Result<CallOutcome, String>,
    },
    /// A socket's TCP state, as the target reported it.
    State {
        /// The socket.
        socket: SocketId,
        /// The state.
        state: TcpState,
    },
}

/// One event of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened, from the start of the run.
    pub at: Instant,
    /// The step (index into the script's steps) it happened in, if any.
    pub step: Option<usize>,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// Return the frame of an `In` or `Out` event, and whether it came in.
    pub fn frame(&self) -> Option<(&[u8], bool)> {
        match &self.kind {
            EventKind::In { frame, .. } => Some((frame, true)),
            EventKind::Out { frame, .. } => Some((frame, false)),
            _ => None,
        }
    }
}

/// Everything that happened in a run, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The events, oldest first.
    pub events: Vec<Event>,
}

impl Trace {
    /// Record an event; return its index.
    pub fn push(&mut self, at: Instant, step: Option<usize>, kind: EventKind) -> usize {
        self.events.push(Event { at, step, kind });
        self.events.len() - 1
    }

    /// Render every event, one line each (see the module docs).
    pub fn render(&self, flows: &Flows) -> String {
        self.render_tail(flows, usize::MAX)
    }

    /// Render the last `max` events, saying how many earlier ones are left out.
    pub fn render_tail(&self, flows: &Flows, max: usize) -> String {
        let mut out = String::new();
        let skip = self.events.len().saturating_sub(max);
        if skip > 0 {
            let _ = writeln!(out, "  ... {skip} earlier events");
        }
        for (index, event) in self.events.iter().enumerate().skip(skip) {
            let text = line(event, index, flows);
            let _ = writeln!(out, "{:>10}  {text}", event.at.to_string());
        }
        out
    }
}

/// Return the script line that describes one event, trace event number
/// `index`, with the ISNs its connection had then.
pub fn line(event: &Event, index: usize, flows: &Flows) -> String {
    let socket = |s: SocketId| {
        if s == FIRST_SOCKET {
            String::new()
        } else {
            format!("  # socket {s}")
        }
    };
    match &event.kind {
        EventKind::In { frame, note, auto } => with_notes(
            frame,
            (true, index),
            flows,
            [auto.then(|| "auto".to_owned()), note.clone()],
        ),
        EventKind::Out { frame, auto } => with_notes(
            frame,
            (false, index),
            flows,
            [auto.then(|| "auto".to_owned()), None],
        ),
        EventKind::Call {
            socket: s,
            call,
            outcome,
        } => match outcome {
            Ok(result) => format!("call: {call} = {result}{}", socket(*s)),
            Err(why) => format!("call: {call}  # {why}"),
        },
        EventKind::State { socket: s, state } => format!("state: {state}{}", socket(*s)),
    }
}

/// Return the script line of a frame (whether it came in, its event
/// index) with notes after a `#`.
fn with_notes(
    frame: &[u8],
    (inbound, index): (bool, usize),
    flows: &Flows,
    notes: [Option<String>; 2],
) -> String {
    let (mut text, error) = frame_line_at(frame, (inbound, index), flows);
    let notes: Vec<String> = error
        .into_iter()
        .chain(notes.into_iter().flatten())
        .collect();
    if !notes.is_empty() {
        let _ = write!(text, "  # {}", notes.join("; "));
    }
    text
}

/// Return the script line of a frame (its step kind and value), read
/// whatever its checksums, and what is wrong with the frame, if anything.
pub fn frame_line(frame: &[u8], inbound: bool, flows: &Flows) -> (String, Option<String>) {
    frame_line_at(frame, (inbound, usize::MAX), flows)
}

/// Return [`frame_line`] of the frame of trace event `index`, with the
/// ISNs its connection had then.
fn frame_line_at(
    frame: &[u8],
    (inbound, index): (bool, usize),
    flows: &Flows,
) -> (String, Option<String>) {
    let (seen, error) = Seen::read_ignoring(frame);
    let isns = match &seen {
        Seen::Tcp { segment, .. } => flows.isns_at(segment, inbound, index),
        _ => Default::default(),
    };
    let text = format!("{}: {}", seen.kind(inbound), seen.describe(isns, frame));
    (text, error.map(|e| e.to_string()).or_else(|| seen.note()))
}
