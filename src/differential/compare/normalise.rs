//! A run cut into groups, one per input, each reduced to what both
//! targets must agree on (see the [parent module](super)).

use core::fmt;

use stack::wire::tcp::{SackBlock, TcpFlags, TcpOption, TcpRepr};

use crate::run::seen::Seen;
use crate::run::{trace, EventKind, RunReport};
use crate::script::TcpState;

/// A segment the target sent, reduced to what both targets must agree on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NormSegment {
    /// The control bits, PSH left out, in notation (`S.`, `R`, `F.`).
    pub flags: String,
    /// The sequence number relative to the ISN; `None` for a SYN (an ISN).
    pub seq: Option<u32>,
    /// The acknowledgment number relative to the peer's ISN, with ACK set.
    pub ack: Option<u32>,
    /// The payload's length.
    pub len: usize,
    /// Whether the window is zero (never for a RST).
    pub zero_window: bool,
    /// The options, in a fixed order (empty for a RST).
    pub options: Vec<String>,
}

impl NormSegment {
    /// Return whether the segment is a pure ACK: ACK alone, no data.
    pub fn is_pure_ack(&self) -> bool {
        self.flags == "." && self.len == 0
    }
}

impl fmt::Display for NormSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq.map_or("isn".to_owned(), |s| s.to_string());
        let seq = if self.flags.starts_with('R') && self.seq.is_none() {
            "0".to_owned()
        } else {
            seq
        };
        write!(f, "{} {seq}({})", self.flags, self.len)?;
        if let Some(ack) = self.ack {
            write!(f, " ack {ack}")?;
        }
        if self.zero_window {
            f.write_str(" win 0")?;
        }
        if !self.options.is_empty() {
            write!(f, " <{}>", self.options.join(","))?;
        }
        Ok(())
    }
}

/// What a target did in one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// The TCP segments it sent.
    pub segments: Vec<NormSegment>,
    /// The results of the calls made.
    pub calls: Vec<String>,
    /// The connection's state at the end of the group, if compared.
    pub state: Option<TcpState>,
    /// Other frames it sent.
    pub other: Vec<String>,
    /// Why the run stopped in this group, if it did.
    pub failure: Option<String>,
}

impl Group {
    /// Render the group on one line per item.
    pub fn describe(&self) -> String {
        let mut lines: Vec<String> = self.segments.iter().map(|s| format!("out {s}")).collect();
        lines.extend(self.calls.iter().map(|c| format!("call = {c}")));
        lines.extend(self.other.iter().cloned());
        if let Some(state) = self.state {
            lines.push(format!("state {state}"));
        }
        if let Some(failure) = &self.failure {
            lines.push(format!("stopped: {failure}"));
        }
        if lines.is_empty() {
            return "(nothing)".to_owned();
        }
        lines.join("; ")
    }
}

/// Relative numbers of a segment the target sent: its ISN and the peer's.
fn flags_text(flags: TcpFlags) -> String {
    let shown = flags & !(TcpFlags::PSH | TcpFlags::ECE | TcpFlags::CWR);
    if shown.is_empty() {
        "none".to_owned()
    } else {
        shown.to_string()
    }
}

/// Return a segment's options, normalised (see the module docs). A SACK
/// block at or below the acknowledgment, or a first block inside the
/// second, is a D-SACK (RFC 2883), which Linux sends and the reference
/// does not: it is left out.
fn options(segment: &TcpRepr<'_>, peer_isn: u32) -> Vec<String> {
    let ack = segment.ack_number.0;
    let above_ack = |right: u32| (right.wrapping_sub(ack) as i32) > 0;
    let mut list: Vec<(u8, String)> = Vec::new();
    for option in segment.options.iter() {
        let item = match option {
            TcpOption::EndOfList | TcpOption::NoOperation => continue,
            TcpOption::MaxSegmentSize(mss) => (0, format!("mss {mss}")),
            TcpOption::WindowScale(_) => (1, "wscale".to_owned()),
            TcpOption::SackPermitted => (2, "sackOK".to_owned()),
            TcpOption::Sack(blocks) => {
                let list = blocks.as_slice();
                // RFC 2883 4: a first block inside the second is a D-SACK too.
                let inside = |a: &SackBlock, b: &SackBlock| {
                    (a.left_edge.0.wrapping_sub(b.left_edge.0) as i32) >= 0
                        && (b.right_edge.0.wrapping_sub(a.right_edge.0) as i32) >= 0
                };
                let skip = usize::from(list.len() > 1 && inside(&list[0], &list[1]));
                let edges: Vec<String> = list[skip..]
                    .iter()
                    .filter(|b| above_ack(b.right_edge.0))
                    .map(|b| {
                        let left = b.left_edge.0.wrapping_sub(peer_isn);
                        let right = b.right_edge.0.wrapping_sub(peer_isn);
                        format!("{left}:{right}")
                    })
                    .collect();
                if edges.is_empty() {
                    continue;
                }
                (3, format!("sack {}", edges.join(" ")))
            }
            TcpOption::Timestamps(ts) => (4, format!("TS ecr {}", ts.tsecr)),
            TcpOption::Unknown { kind, .. } => (5, format!("opt {kind}")),
        };
        list.push(item);
    }
    list.sort();
    list.into_iter().map(|(_, text)| text).collect()
}

/// The groups of one run, and the numbers that make its segments relative.
struct Observer {
    groups: Vec<Group>,
    /// The relative sequence number of a SYN the target sent after the
    /// handshake: a new connection's ISN, which later numbers count from.
    new_isn: Option<u32>,
    closed: bool,
}

impl Observer {
    fn segment(&mut self, segment: &TcpRepr<'_>, isns: (u32, u32), group: usize) -> NormSegment {
        let rst = segment.flags.contains(TcpFlags::RST);
        let syn = segment.flags.contains(TcpFlags::SYN);
        let mut seq = segment.seq_number.0.wrapping_sub(isns.0);
        if syn && group > 0 {
            self.new_isn = Some(seq);
        }
        // A RST's number is most often the acknowledgment it answers
        // (<SEQ=SEG.ACK>), which the peer counts from the first ISN.
        if let (Some(isn), false) = (self.new_isn, rst) {
            seq = seq.wrapping_sub(isn);
        }
        let ack = segment.flags.contains(TcpFlags::ACK);
        // A RST answering a segment without ACK has SEQ=0 (RFC 9293
        // 3.10.7.1): absolute, not relative to any ISN.
        let absolute_zero = rst && segment.seq_number.0 == 0;
        NormSegment {
            flags: flags_text(segment.flags),
            seq: (!syn && !absolute_zero).then_some(seq),
            ack: ack.then(|| segment.ack_number.0.wrapping_sub(isns.1)),
            len: segment.payload.len(),
            zero_window: !rst && segment.window == 0,
            options: if rst {
                Vec::new()
            } else {
                options(segment, isns.1)
            },
        }
    }
}

/// Cut a run's trace into groups: `step_groups[i]` is the group of step
/// `i`; `socket` is the connection's socket.
pub fn observe(report: &RunReport, step_groups: &[usize], socket: u32) -> Vec<Group> {
    let count = step_groups.iter().max().map_or(1, |g| g + 1);
    let mut observer = Observer {
        groups: vec![Group::default(); count],
        new_isn: None,
        closed: false,
    };
    let group_of = |step: Option<usize>| {
        step.and_then(|s| step_groups.get(s).copied())
            .unwrap_or(count - 1)
    };
    let mut state = None;
    let mut last_group = 0;
    for (index, event) in report.trace.events.iter().enumerate() {
        let group = group_of(event.step);
        // Carry the state into the groups in between.
        for g in last_group..group {
            observer.groups[g].state = state;
        }
        last_group = group;
        match &event.kind {
            EventKind::Out { frame, auto: false } => match Seen::read(frame) {
                Seen::Tcp { segment, .. } => {
                    let isns = report.flows.isns(&segment, false);
                    let isns = (isns.sender.0, isns.receiver.0);
                    let seg = observer.segment(&segment, isns, group);
                    observer.groups[group].segments.push(seg);
                    // A SYN after the handshake opens a new incarnation on
                    // the same 4-tuple: from here a state read by 4-tuple
                    // (Linux's sock_diag) is the new connection's, the
                    // socket's (the reference's) the old one's. Neither is
                    // compared.
                    if observer.new_isn.is_some() && !observer.closed {
                        observer.closed = true;
                        state = None;
                    }
                }
                _ => {
                    let line = trace::line(event, index, &report.flows);
                    observer.groups[group].other.push(line);
                }
            },
            EventKind::Call { outcome, .. } => {
                let text = match outcome {
                    Ok(result) => result.to_string(),
                    Err(why) => format!("error: {why}"),
                };
                observer.groups[group].calls.push(text);
            }
            EventKind::State {
                socket: s,
                state: st,
            } if *s == socket && !observer.closed => {
                state = Some(*st);
                observer.closed = *st == TcpState::Closed;
            }
            _ => {}
        }
    }
    for g in last_group..count {
        observer.groups[g].state = state;
    }
    if let Err(failure) = &report.outcome {
        let group = group_of(Some(failure.step));
        observer.groups[group].failure = Some(failure.message.clone());
    }
    observer.groups
}
