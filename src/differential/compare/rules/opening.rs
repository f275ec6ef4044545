//! Declared rules about SYN-RECEIVED: a connection that is not yet
//! synchronized.

use super::{reopened, Context, Group, Input, Kind, Rule};

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

/// The rule of [`syn_received_check_order`].
pub(super) const SYN_RECEIVED_CHECK_ORDER: Rule = Rule {
    id: "syn-received-check-order",
    why: "in SYN-RECEIVED, for a segment both out of window and with an unacceptable \
          ACK, Linux sends the RST of RFC 9293 3.5.2 (group 2); the reference sends the \
          ACK of 3.10.7.4, whose sequence check comes before the ACK check",
    applies: syn_received_check_order,
    stops: true,
};

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

/// The rule of [`syn_received_rst`].
pub(super) const SYN_RECEIVED_RST: Rule = Rule {
    id: "linux-syn-received-rst",
    why: "in SYN-RECEIVED, Linux drops the embryonic connection on any in-window RST \
          or SYN, answering the SYN with a RST; the reference sends the challenge ACK \
          of RFC 5961 3.2 unless the RST is at RCV.NXT (RFC 9293 3.10.7.4 second), and \
          returns a passive connection to LISTEN on a SYN (3.10.7.4 fourth)",
    applies: syn_received_rst,
    stops: true,
};
