//! The declared divergences: differences the RFCs allow, each a [`Rule`]
//! recognised by its shape, with its reason. One module per topic; the
//! order of [`DECLARED`] is the order they are tried in.

mod acks;
mod closing;
mod opening;
mod sending;
mod sockets;

use super::normalise::{Group, NormSegment};
use crate::differential::sequence::{CallInput, Facts, Input, Kind, Win};
use crate::script::TcpState;

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

/// Return the window of the last segment before group `cx.group` ends
/// whose window Linux takes (see [`Facts::linux_window`]): the peer's send
/// window as Linux knows it.
fn last_window(cx: &Context<'_>) -> Option<Win> {
    (0..cx.group.min(cx.inputs.len())).rev().find_map(|i| {
        let facts = cx.facts.get(i + 1).copied().flatten().unwrap_or_default();
        match cx.inputs[i] {
            Input::Segment { win, .. } if facts.linux_window => Some(win),
            _ => None,
        }
    })
}

/// Return SND.NXT of the reference at the end of group `g`: one past
/// the last sequence number it sent (its SYN and FIN count one each).
fn reference_snd_nxt(cx: &Context<'_>, g: usize) -> u32 {
    cx.reference[..=g]
        .iter()
        .flat_map(|group| &group.segments)
        .filter_map(|s| {
            let flags = u32::from(s.flags.contains('F')) + u32::from(s.flags.contains('S'));
            Some(s.seq.unwrap_or(0).wrapping_add(s.len as u32 + flags))
                .filter(|_| !s.flags.starts_with('R'))
        })
        .max_by_key(|&end| end as i32)
        .unwrap_or(1)
}

/// Like [`last_window`], but leaving out the segments that acknowledge
/// more than the reference had sent (the model counts written data as
/// sent; a window too small holds it back, and both targets drop such an
/// ACK).
fn last_window_of_sent(cx: &Context<'_>) -> Option<Win> {
    (0..cx.group.min(cx.inputs.len())).rev().find_map(|i| {
        let facts = cx.facts.get(i + 1).copied().flatten().unwrap_or_default();
        let sent = reference_snd_nxt(cx, i);
        let within = (sent.wrapping_sub(facts.ack) as i32) >= 0;
        match cx.inputs[i] {
            Input::Segment { win, .. } if facts.linux_window && within => Some(win),
            _ => None,
        }
    })
}

/// Return the groups before `cx.group` whose facts say `which`.
fn earlier<'c>(cx: &'c Context<'_>, which: fn(&Facts) -> bool) -> impl Iterator<Item = usize> + 'c {
    (1..cx.group).filter(move |&g| {
        cx.facts
            .get(g)
            .copied()
            .flatten()
            .is_some_and(|f| which(&f))
    })
}

/// Return whether the target opened a second connection (a SYN-ACK after
/// the handshake) before group `g`.
fn reopened(groups: &[Group], g: usize) -> bool {
    groups[1..g]
        .iter()
        .any(|g| g.segments.iter().any(|s| s.flags == "S."))
}

/// The declared divergences, each with its reason, in the order they are tried.
pub const DECLARED: &[Rule] = &[
    acks::OOW_RATE_LIMIT,
    acks::OLD_ACK,
    acks::ENDS_AT_RCV_NXT,
    sending::WINDOW_UPDATE_ON_NEW_ACK,
    sending::TAIL_LOSS_PROBE,
    acks::NO_ACK_BIT_DROPPED_FIRST,
    closing::RST_CARRIES_ACK,
    sockets::ERROR_REPORTED_ONCE,
    closing::RESET_ON_DATA_AFTER_CLOSE,
    sockets::SHUTDOWN_READ_KEEPS_DATA,
    closing::TIME_WAIT_ACKS,
    closing::FIN_WAITS_FOR_WINDOW,
    closing::RST_AT_FIN_SEQUENCE,
    closing::RST_AT_SACK_EDGE,
    closing::TIME_WAIT_SILENT,
    closing::FIN_MOVED,
    sockets::SHUTDOWN_IN_TIME_WAIT,
    sockets::RESET_BEFORE_END_OF_STREAM,
    opening::SYN_RECEIVED_RST,
    closing::ORPHAN_FIN_WAIT_2,
    sending::WINDOW_SHRINK_IGNORED,
    closing::ABORT_IN_TIME_WAIT,
    acks::SACK_COVERS_FIN,
    acks::ACK_SEQ_IN_SHRUNK_WINDOW,
    opening::SYN_RECEIVED_CHECK_ORDER,
    acks::TS_RECENT_UPDATE_POINT,
    sending::SWS_OVERRIDE_BEFORE_PROBE,
];
