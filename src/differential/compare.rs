//! Comparing two runs of one sequence, after normalisation.
//!
//! Each run's trace is cut into *groups*, one per input (group 0 is the
//! handshake), and each group is reduced to what both targets must agree
//! on ([`Group`]):
//!
//! - **Segments**, normalised ([`NormSegment`]): sequence numbers relative
//!   to the target's ISN (and to its new ISN after it opens a new
//!   connection), acknowledgments relative to the peer's; PSH dropped;
//!   the window only as zero or not; options as a set, without NOP and EOL
//!   padding and in a fixed order, the MSS value, SACK blocks and the
//!   Timestamps echo kept, the window shift and TSval reduced to their
//!   presence.
//! - **Call results**, as the runner recorded them.
//! - **The connection's state** at the end of the group; once it is CLOSED
//!   on a target, later states are not compared.
//! - **Other frames** (ICMP, ARP), as trace lines.
//!
//! The first group that differs is a divergence, unless a declared rule
//! ([`DECLARED`]) explains it; the comparison then goes on, or ends there
//! when the rule leaves the two connections in different states.

use core::fmt;

use stack::wire::tcp::{SackBlock, TcpFlags, TcpOption, TcpRepr};

use super::sequence::{CallInput, Facts, Input, Kind, SeqAt, Win};
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
    for event in &report.trace.events {
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
                }
                _ => {
                    let line = trace::line(event, &report.flows);
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

/// A group where the two runs differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The group: 0 for the handshake, `i + 1` for input `i`.
    pub group: usize,
    /// What the reference did.
    pub reference: Group,
    /// What Linux did.
    pub linux: Group,
}

/// A declared divergence: a difference the RFCs allow, recognised by its
/// shape.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// A short name, as reports print it.
    pub id: &'static str,
    /// Why the difference is allowed.
    pub why: &'static str,
    /// Whether the rule explains the difference in `cx.group`.
    pub applies: fn(&Context<'_>) -> bool,
    /// Whether the two connections may be in different states after it,
    /// so that later groups cannot be compared.
    pub stops: bool,
}

/// What a rule sees.
#[derive(Debug)]
pub struct Context<'a> {
    /// The group that differs.
    pub group: usize,
    /// The inputs after the handshake.
    pub inputs: &'a [Input],
    /// What the model knew of each group's segment input.
    pub facts: &'a [Option<Facts>],
    /// The reference's groups.
    pub reference: &'a [Group],
    /// Linux's groups.
    pub linux: &'a [Group],
}

impl Context<'_> {
    /// Return the input of the group (`None` for the handshake).
    pub fn input(&self) -> Option<&Input> {
        self.group.checked_sub(1).and_then(|i| self.inputs.get(i))
    }

    fn facts(&self) -> Facts {
        self.facts
            .get(self.group)
            .copied()
            .flatten()
            .unwrap_or_default()
    }

    fn pair(&self) -> (&Group, &Group) {
        (&self.reference[self.group], &self.linux[self.group])
    }
}

/// Return whether `with` is `without` plus one pure ACK.
fn plus_one_pure_ack(with: &Group, without: &Group) -> bool {
    let Some(at) = with.segments.iter().position(NormSegment::is_pure_ack) else {
        return false;
    };
    let mut less = with.clone();
    less.segments.remove(at);
    less == *without
}

/// Return whether group `g` of a run holds a duplicate pure ACK: one
/// acknowledging what the segment before it did.
fn has_dup_ack(groups: &[Group], g: usize) -> bool {
    let mut last = None;
    for (index, group) in groups.iter().enumerate().take(g + 1) {
        for segment in &group.segments {
            if index == g && segment.is_pure_ack() && segment.ack == last {
                return true;
            }
            last = segment.ack;
        }
    }
    false
}

/// The groups within Linux's `tcp_invalid_ratelimit` (500 ms) of another.
const RATE_LIMIT_GROUPS: usize = 8;

/// Linux answers at most one segment per 500 ms with a duplicate or
/// challenge ACK when the answer is rate-limited: the reference's
/// duplicate ACK is missing on Linux, which sent one shortly before.
fn oow_rate_limit(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let segment = matches!(cx.input(), Some(Input::Segment { .. }));
    let recent = cx.group.saturating_sub(RATE_LIMIT_GROUPS).max(1)..cx.group;
    // An earlier answer that may have been a challenge ACK: a duplicate,
    // or any ACK to a segment whose own ACK was out of range.
    let challenged = |g: usize| {
        let facts = cx.facts.get(g).copied().flatten().unwrap_or_default();
        let odd_ack = facts.ack_below_una || facts.ack_beyond_nxt;
        has_dup_ack(cx.linux, g)
            || (odd_ack && cx.linux[g].segments.iter().any(|s| s.is_pure_ack()))
    };
    segment
        && has_dup_ack(cx.reference, cx.group)
        && plus_one_pure_ack(r, l)
        && recent.into_iter().any(challenged)
}

/// Linux handles an ACK below SND.UNA its own way: it takes one only
/// within the bytes it had acknowledged, and on its fast path it takes
/// the data before it looks at the ACK.
fn old_ack(cx: &Context<'_>) -> bool {
    cx.facts().ack_below_una
}

/// Linux sends a tail-loss probe: the last segment again, 2 SRTT after
/// it, when nothing acknowledged it.
fn tail_loss_probe(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let earlier: Vec<&NormSegment> = cx.linux[..cx.group]
        .iter()
        .flat_map(|g| &g.segments)
        .collect();
    let mut plain = l.clone();
    let mut seen: Vec<NormSegment> = Vec::new();
    plain.segments.retain(|s| {
        let again =
            (s.len > 0 || s.flags.contains('F')) && (earlier.contains(&s) || seen.contains(s));
        seen.push(s.clone());
        !again
    });
    plain.segments.len() < l.segments.len() && plain == *r
}

/// Linux drops a segment with none of ACK, RST and SYN before its
/// acceptability test: an unacceptable one draws no duplicate ACK.
fn no_ack_bit_dropped_first(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::DataNoAck(_),
            ..
        })
    ) && plus_one_pure_ack(r, l)
}

/// Linux's RST for ABORT (and for a close with unread data) carries an
/// ACK; the reference's is RFC 9293 3.10.5's <SEQ=SND.NXT><CTL=RST>.
fn rst_carries_ack(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let mut plain = l.clone();
    for segment in &mut plain.segments {
        if segment.flags == "R." {
            segment.flags = "R".to_owned();
            segment.ack = None;
        }
    }
    matches!(
        cx.input(),
        Some(Input::Call(CallInput::Abort | CallInput::Close))
    ) && plain == *r
}

/// After a reset, Linux reports the error once (`SO_ERROR`), then EPIPE
/// or ENOTCONN, and lets the application read what came before it; the
/// reference answers ECONNRESET on every call.
fn error_reported_once(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let reference_ok = |c: &String| c == "ECONNRESET" || c == "0";
    let linux_ok = |c: &String| c == "EPIPE" || c == "ENOTCONN" || c.parse::<u32>().is_ok();
    matches!(cx.input(), Some(Input::Call(_)))
        && r.state == Some(TcpState::Closed)
        && l.state == Some(TcpState::Closed)
        && r.calls.len() == 1
        && l.calls.len() == 1
        && reference_ok(&r.calls[0])
        && linux_ok(&l.calls[0])
}

/// After the application closed or shut down reading, or after the
/// peer's FIN, Linux resets a connection that receives new data, in every
/// state, with the RST of a closed connection (<SEQ=SEG.ACK>); the
/// reference takes data after `shutdown(rd)`, ignores it after the peer's
/// FIN, and after close() sends ABORT's RST (<SEQ=SND.NXT>).
fn reset_on_data_after_close(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let data = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Data(_) | Kind::Fin(1..),
            ..
        })
    );
    let stopped_reading = cx.inputs[..cx.group - 1]
        .iter()
        .any(|i| matches!(i, Input::Call(CallInput::ShutdownRead | CallInput::Close)));
    let peer_closed = matches!(
        cx.reference[cx.group - 1].state,
        Some(TcpState::CloseWait | TcpState::LastAck | TcpState::Closing | TcpState::TimeWait)
    );
    let rst = |g: &Group| {
        g.segments
            .iter()
            .filter(|s| s.flags.starts_with('R'))
            .count()
    };
    data && (stopped_reading || peer_closed)
        && l.state == Some(TcpState::Closed)
        && rst(l) == 1
        && rst(r) <= 1
}

/// Linux's SACK blocks cover an out-of-order FIN's sequence number (its
/// out-of-order queue holds the FIN); the reference's cover data only.
fn sack_covers_fin(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    // The Timestamps echo may differ too (see `ts_recent_update_point`).
    let trim = |g: &Group| {
        let mut g = g.clone();
        for s in &mut g.segments {
            s.options
                .retain(|o| !o.starts_with("sack ") && !o.starts_with("TS ecr"));
        }
        g
    };
    let blocks = |g: &Group| -> Vec<(u32, u32)> {
        g.segments
            .iter()
            .flat_map(|s| &s.options)
            .filter_map(|o| o.strip_prefix("sack "))
            .flat_map(|b| b.split(' '))
            .filter_map(|b| b.split_once(':'))
            .filter_map(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .collect()
    };
    let (rb, lb) = (blocks(r), blocks(l));
    // Each Linux block is the reference's, one octet longer, or a lone
    // octet (the FIN alone).
    let explained = lb.iter().all(|&(a, b)| {
        rb.contains(&(a, b)) || rb.contains(&(a, b.wrapping_sub(1))) || b.wrapping_sub(a) == 1
    });
    trim(r) == trim(l) && explained && lb.len() >= rb.len()
}

/// When the peer's window shrank to below SND.NXT, Linux's pure ACKs carry
/// SND.UNA + SND.WND as their sequence number (tcp_acceptable_seq), so the
/// peer's acceptability test passes; the reference's carry SND.NXT.
fn ack_seq_in_shrunk_window(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let mut plain = l.clone();
    if plain.segments.len() != r.segments.len() {
        return false;
    }
    for (theirs, ours) in plain.segments.iter_mut().zip(&r.segments) {
        let lower = matches!((theirs.seq, ours.seq), (Some(a), Some(b)) if a < b);
        if theirs.is_pure_ack() && lower {
            theirs.seq = ours.seq;
        }
    }
    plain == *r
}

/// In SYN-RECEIVED, a segment both out of window and with an unacceptable
/// ACK: Linux answers with the RST of RFC 9293 3.5.2 (group 2), the
/// reference with the ACK of 3.10.7.4's sequence check, which comes first.
fn syn_received_check_order(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let reopened = |groups: &[Group]| {
        groups[1..cx.group]
            .iter()
            .any(|g| g.segments.iter().any(|s| s.flags == "S."))
    };
    reopened(cx.reference)
        && reopened(cx.linux)
        && r.segments.len() == 1
        && r.segments[0].is_pure_ack()
        && l.segments.len() == 1
        && l.segments[0].flags == "R"
}

/// Linux's `shutdown(SHUT_RD)` leaves the data already queued readable;
/// the reference discards it: `read` returns the end of the stream, and
/// `close` finds no unread data, so it sends a FIN where Linux resets.
fn shutdown_read_keeps_data(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let shut = cx.inputs[..cx.group - 1]
        .iter()
        .any(|i| matches!(i, Input::Call(CallInput::ShutdownRead)));
    let read = matches!(cx.input(), Some(Input::Call(CallInput::Read(_))))
        && r.calls == ["0"]
        && l.calls.len() == 1
        && l.calls[0].parse::<u32>().is_ok_and(|n| n > 0);
    // close() then finds the data unread on Linux: a RST (SHLD-3).
    let close = matches!(cx.input(), Some(Input::Call(CallInput::Close)))
        && r.segments.iter().any(|s| s.flags == "F.")
        && l.segments.iter().any(|s| s.flags.starts_with('R'));
    shut && (read || close)
}

/// In TIME-WAIT Linux answers every segment but a RST with an ACK
/// (tcp_timewait_state_process); the reference only a FIN or an
/// unacceptable segment (RFC 9293 3.10.7.4).
fn time_wait_acks(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    r.state == Some(TcpState::TimeWait) && plus_one_pure_ack(l, r)
}

/// Return the window of the last segment at RCV.NXT with an ACK that the
/// peer sent before group `g` ends: the last one that can have set the
/// send window.
fn last_window(inputs: &[Input], g: usize) -> Option<Win> {
    inputs[..g].iter().rev().find_map(|i| match i {
        Input::Segment {
            kind: Kind::Ack | Kind::Data(_) | Kind::Fin(_),
            seq: SeqAt::Next,
            win,
            ..
        } => Some(*win),
        _ => None,
    })
}

/// Linux holds a FIN while the peer offers a zero window (a FIN takes a
/// sequence number, which a zero window does not accept); the reference
/// sends it.
fn fin_waits_for_window(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let mut plain = r.clone();
    plain
        .segments
        .retain(|s| !(s.flags.contains('F') && s.len == 0));
    last_window(cx.inputs, cx.group) == Some(Win::Zero)
        && plain.segments.len() < r.segments.len()
        && plain == *l
}

/// Linux takes a RST at RCV.NXT - 1 in CLOSE-WAIT, LAST-ACK and CLOSING
/// (tcp_reset_check: peers that do not count their FIN).
fn rst_at_fin_sequence(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Rst | Kind::RstAck,
            ..
        })
    ) && matches!(
        cx.reference[cx.group - 1].state,
        Some(TcpState::CloseWait | TcpState::LastAck | TcpState::Closing)
    ) && l.state == Some(TcpState::Closed)
        && l.segments.is_empty()
        && r.segments.iter().all(NormSegment::is_pure_ack)
}

/// Return whether the target opened a second connection (a SYN-ACK after
/// the handshake) before group `g`.
fn reopened(groups: &[Group], g: usize) -> bool {
    groups[1..g]
        .iter()
        .any(|g| g.segments.iter().any(|s| s.flags == "S."))
}

/// In SYN-RECEIVED, an in-window RST that is not at RCV.NXT, or a SYN:
/// Linux drops the embryonic connection (answering a SYN with a RST); the
/// reference sends RFC 5961's challenge ACK for the RST, and returns the
/// connection to LISTEN without a word for the SYN.
fn syn_received_rst(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let both = reopened(cx.reference, cx.group) && reopened(cx.linux, cx.group);
    let rst_case = l.segments.is_empty() && r.segments.len() == 1 && r.segments[0].is_pure_ack();
    let syn_case =
        r.segments.is_empty() && l.segments.len() == 1 && l.segments[0].flags.starts_with('R');
    both && match cx.input() {
        Some(Input::Segment {
            kind: Kind::Rst | Kind::RstAck,
            ..
        }) => rst_case,
        Some(Input::Segment {
            kind: Kind::Syn, ..
        }) => syn_case,
        _ => false,
    }
}

/// After close() in FIN-WAIT-2, Linux keeps the connection as a time-wait
/// mini socket that takes the FIN without checking the ACK number, and an
/// in-window RST without RFC 5961's exact check.
fn orphan_fin_wait_2(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let fin = cx.facts().ack_beyond_nxt
        && r.state == Some(TcpState::FinWait2)
        && l.state == Some(TcpState::TimeWait);
    let closed = cx.inputs[..cx.group - 1]
        .iter()
        .any(|i| matches!(i, Input::Call(CallInput::Close)));
    let rst = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Rst | Kind::RstAck,
            ..
        })
    ) && closed
        && cx.reference[cx.group - 1].state == Some(TcpState::FinWait2)
        && l.state == Some(TcpState::Closed)
        && l.segments.is_empty()
        && r.segments.iter().all(NormSegment::is_pure_ack);
    fin || rst
}

/// Linux takes a smaller window from a segment with the same SEQ and ACK
/// as the last window update only if it is zero (tcp_may_update_window):
/// it sends into the old window where the reference heeds the new one.
fn window_shrink_ignored(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let data = |g: &Group| g.segments.iter().filter(|s| s.len > 0).count();
    matches!(last_window(cx.inputs, cx.group), Some(Win::Small(_)))
        && data(l) > data(r)
        && r.calls == l.calls
}

/// ABORT in TIME-WAIT: the reference deletes the TCB (RFC 9293 3.10.5);
/// Linux's TIME-WAIT belongs to the kernel, not to the socket any more.
fn abort_in_time_wait(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(cx.input(), Some(Input::Call(CallInput::Abort)))
        && cx.reference[cx.group - 1].state == Some(TcpState::TimeWait)
        && r.state == Some(TcpState::Closed)
        && l.state == Some(TcpState::TimeWait)
}

/// Return a group's segments without their Timestamps echo, and the echoes.
fn without_echo(group: &Group) -> (Group, Vec<u64>) {
    let mut plain = group.clone();
    let mut echoes = Vec::new();
    for segment in &mut plain.segments {
        segment.options.retain(|o| match o.strip_prefix("TS ecr ") {
            Some(ecr) => {
                echoes.push(ecr.parse().unwrap_or(0));
                false
            }
            None => true,
        });
    }
    (plain, echoes)
}

/// The two update TS.Recent at different points, so only their echoes
/// differ: Linux from a segment that passes every check and whose ACK is
/// taken, and from an old duplicate that ends at RCV.NXT, which its
/// acceptability test takes; the reference (RFC 7323 Appendix D) in the
/// sequence-number check, from acceptable segments only.
fn ts_recent_update_point(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let ((r, r_echo), (l, l_echo)) = (without_echo(r), without_echo(l));
    r == l && r_echo.len() == l_echo.len()
}

/// The declared divergences, each with its reason.
pub const DECLARED: &[Rule] = &[
    Rule {
        id: "linux-oow-ack-rate-limit",
        why: "Linux sends at most one duplicate or challenge ACK per \
              net.ipv4.tcp_invalid_ratelimit (500 ms) in reply to out-of-window segments \
              without data, SYNs, RSTs and ACKs of unsent data (RFC 5961 7 allows limiting \
              challenge ACKs; RFC 9293 3.10.7.4's reply to an unacceptable segment is a SHOULD)",
        applies: oow_rate_limit,
        stops: false,
    },
    Rule {
        id: "linux-old-ack",
        why: "an ACK below SND.UNA: Linux accepts one only within the bytes it has had \
              acknowledged (tcp_ack: min(max_window, bytes_acked)), answering an older one \
              with a challenge ACK and dropping the segment, but on its fast path (header \
              prediction) it queues in-order data before it looks at the ACK; the reference \
              applies RFC 5961 5.2 (a MAY) to every segment, with its range SND.UNA - \
              MAX.SND.WND",
        applies: old_ack,
        stops: true,
    },
    Rule {
        id: "linux-tail-loss-probe",
        why: "Linux sends a tail-loss probe (RFC 8985 7: the last segment again after \
              2 SRTT, at least 10 ms) when nothing acknowledges a flight; the reference \
              does not implement RACK-TLP and waits for the RTO",
        applies: tail_loss_probe,
        stops: false,
    },
    Rule {
        id: "linux-no-ack-bit-dropped-first",
        why: "Linux drops a segment with none of ACK, RST and SYN before the acceptability \
              test (tcp_rcv_established), so an out-of-window one draws no ACK; RFC 9293 \
              3.10.7.4 tests the sequence number first, and its ACK to an unacceptable \
              segment is a SHOULD",
        applies: no_ack_bit_dropped_first,
        stops: false,
    },
    Rule {
        id: "linux-rst-carries-ack",
        why: "Linux's RST for ABORT (tcp_send_active_reset) has ACK set, with RCV.NXT; \
              RFC 9293 3.10.5 writes <SEQ=SND.NXT><CTL=RST>, and a receiver checks only \
              the sequence number of a RST (3.10.7.4 second)",
        applies: rst_carries_ack,
        stops: false,
    },
    Rule {
        id: "socket-error-reported-once",
        why: "a BSD socket reports a connection's error once (SO_ERROR), then EPIPE for \
              writes and ENOTCONN for shutdown, and Linux lets the application read the \
              data that came before a RST; the reference answers ECONNRESET to every call \
              (RFC 9293 3.10.7.4: queues flushed, a SHOULD; the interface's errors are the \
              implementation's)",
        applies: error_reported_once,
        stops: true,
    },
    Rule {
        id: "linux-reset-on-data-after-close",
        why: "Linux resets a connection whose application closed or shut down reading, \
              or whose peer sent a FIN, when new data arrives, in every state, with the \
              RST of a closed connection, <SEQ=SEG.ACK> (RFC 9293 SHLD-3, RFC 1122 \
              4.2.2.13); the reference takes data after shutdown(rd), which RFC 9293 does \
              not define, ignores segment text after the peer's FIN (3.10.7.4 seventh), \
              and after close() sends ABORT's RST, <SEQ=SND.NXT>",
        applies: reset_on_data_after_close,
        stops: true,
    },
    Rule {
        id: "shutdown-read-keeps-data",
        why: "Linux's shutdown(SHUT_RD) leaves the data already received readable (and so \
              unread at close(), which then resets, SHLD-3); the reference discards it \
              (RFC 9293 has no half-close of the receiving side)",
        applies: shutdown_read_keeps_data,
        stops: true,
    },
    Rule {
        id: "linux-time-wait-acks",
        why: "in TIME-WAIT Linux answers any segment without RST with an ACK \
              (tcp_timewait_state_process); the reference answers a retransmitted FIN or an \
              unacceptable segment, and ignores text (RFC 9293 3.10.7.4 seventh)",
        applies: time_wait_acks,
        stops: false,
    },
    Rule {
        id: "linux-fin-waits-for-window",
        why: "Linux holds a FIN while the peer's window is zero (the FIN takes a sequence \
              number, and a zero window accepts none: RFC 9293 3.10.7.4's test); the \
              reference sends it at once and retransmits it",
        applies: fin_waits_for_window,
        stops: true,
    },
    Rule {
        id: "linux-rst-at-fin-sequence",
        why: "in CLOSE-WAIT, LAST-ACK and CLOSING, Linux takes a RST at RCV.NXT - 1, the \
              peer's FIN's number (tcp_reset_check, for peers that do not count their FIN); \
              the reference takes only RCV.NXT (RFC 5961 3.2, RFC 9293 3.10.7.4)",
        applies: rst_at_fin_sequence,
        stops: true,
    },
    Rule {
        id: "linux-syn-received-rst",
        why: "in SYN-RECEIVED, Linux drops the embryonic connection on any in-window RST \
              or SYN, answering the SYN with a RST; the reference sends the challenge ACK \
              of RFC 5961 3.2 unless the RST is at RCV.NXT (RFC 9293 3.10.7.4 second), and \
              returns a passive connection to LISTEN on a SYN (3.10.7.4 fourth)",
        applies: syn_received_rst,
        stops: true,
    },
    Rule {
        id: "linux-orphan-fin-wait-2",
        why: "after close() in FIN-WAIT-2 Linux keeps the connection as a time-wait mini \
              socket (tcp_time_wait), which takes the peer's FIN without checking its ACK \
              number and any in-window RST; the reference drops a segment acknowledging \
              unsent data (RFC 9293 3.10.7.4 fifth) and answers a RST not at RCV.NXT with \
              a challenge ACK (RFC 5961 3.2)",
        applies: orphan_fin_wait_2,
        stops: true,
    },
    Rule {
        id: "linux-window-shrink-ignored",
        why: "Linux takes a smaller send window from a segment with the same SEQ and ACK \
              as the last update only if it is zero (tcp_may_update_window, against \
              reordered segments), and sends into the old window; RFC 9293 3.10.7.4 fifth \
              updates SND.WND whenever SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK, as the \
              reference does (3.8.6.2.1 discourages shrinking a window)",
        applies: window_shrink_ignored,
        stops: true,
    },
    Rule {
        id: "abort-in-time-wait",
        why: "ABORT in TIME-WAIT deletes the TCB on the reference (RFC 9293 3.10.5); on \
              Linux the socket no longer owns the TIME-WAIT, which the kernel keeps",
        applies: abort_in_time_wait,
        stops: true,
    },
    Rule {
        id: "linux-sack-covers-fin",
        why: "Linux's SACK blocks cover the sequence number of an out-of-order FIN, \
              which its out-of-order queue holds; the reference's cover data only \
              (RFC 2018 3: blocks of data received)",
        applies: sack_covers_fin,
        stops: false,
    },
    Rule {
        id: "linux-ack-seq-in-shrunk-window",
        why: "when the peer shrinks its window below SND.NXT, Linux's pure ACKs carry \
              SND.UNA + SND.WND (tcp_acceptable_seq) so that they stay acceptable to the \
              peer; the reference's carry SND.NXT (RFC 9293 3.8.6.2.1 discourages \
              shrinking, and leaves the sender's answer open)",
        applies: ack_seq_in_shrunk_window,
        stops: false,
    },
    Rule {
        id: "syn-received-check-order",
        why: "in SYN-RECEIVED, for a segment both out of window and with an unacceptable \
              ACK, Linux sends the RST of RFC 9293 3.5.2 (group 2); the reference sends the \
              ACK of 3.10.7.4, whose sequence check comes before the ACK check",
        applies: syn_received_check_order,
        stops: true,
    },
    Rule {
        id: "ts-recent-update-point",
        why: "Linux updates TS.Recent (tcp_replace_ts_recent) only from a segment that \
              passes every check and whose ACK is taken, and takes an old duplicate that \
              ends at RCV.NXT as acceptable (tcp_sequence: end_seq >= rcv_wup); the \
              reference updates it in the sequence-number check from acceptable segments \
              (RFC 7323 Appendix D, RFC 9293 3.10.7.4's test): the TSecr echoed differs",
        applies: ts_recent_update_point,
        stops: false,
    },
];

/// Return `groups` with empty groups up to `count`.
fn pad(groups: &[Group], count: usize) -> Vec<Group> {
    let mut all = groups.to_vec();
    all.resize(count, Group::default());
    all
}

/// How two runs compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The declared rules that explained a difference, by id.
    pub declared: Vec<&'static str>,
    /// The first difference no rule explains.
    pub undeclared: Option<Difference>,
}

/// Compare the groups of the two runs; `facts[g]` is what the model knew
/// of group `g`'s segment input.
pub fn compare(
    inputs: &[Input],
    facts: &[Option<Facts>],
    reference: &[Group],
    linux: &[Group],
) -> Comparison {
    let mut declared = Vec::new();
    let count = reference.len().max(linux.len());
    for group in 0..count {
        let (r, l) = (
            reference.get(group).cloned().unwrap_or_default(),
            linux.get(group).cloned().unwrap_or_default(),
        );
        if r == l {
            continue;
        }
        let (reference_all, linux_all) = (pad(reference, count), pad(linux, count));
        let cx = Context {
            group,
            inputs,
            facts,
            reference: &reference_all,
            linux: &linux_all,
        };
        match DECLARED.iter().find(|rule| (rule.applies)(&cx)) {
            Some(rule) if rule.stops => {
                declared.push(rule.id);
                break;
            }
            Some(rule) => declared.push(rule.id),
            None => {
                return Comparison {
                    declared,
                    undeclared: Some(Difference {
                        group,
                        reference: r,
                        linux: l,
                    }),
                }
            }
        }
    }
    Comparison {
        declared,
        undeclared: None,
    }
}
