//! Declared rules about closing: FINs, RSTs, TIME-WAIT and the
//! connections an application has let go of.

use super::{
    last_window, plus_one_pure_ack, CallInput, Context, Group, Input, Kind, NormSegment, Rule,
    TcpState, Win,
};

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

/// The rule of [`rst_carries_ack`].
pub(super) const RST_CARRIES_ACK: Rule = Rule {
    id: "linux-rst-carries-ack",
    why: "Linux's RST for ABORT (tcp_send_active_reset) has ACK set, with RCV.NXT; \
          RFC 9293 3.10.5 writes <SEQ=SND.NXT><CTL=RST>, and a receiver checks only \
          the sequence number of a RST (3.10.7.4 second)",
    applies: rst_carries_ack,
    stops: false,
};

/// After the application closed or shut down reading, or after the
/// peer's FIN, Linux resets a connection that receives new data, in every
/// state, with the RST of a closed connection (<SEQ=SEG.ACK>); the
/// reference takes data after `shutdown(rd)`, ignores it after the peer's
/// FIN, and after close() sends ABORT's RST (<SEQ=SND.NXT>). A bare FIN
/// beyond RCV.NXT after close() counts as data (Linux's `TCPAbortOnData`
/// in FIN-WAIT-1): the reference, which does not take it, stays open.
fn reset_on_data_after_close(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let data = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Data(_) | Kind::Fin(1..),
            ..
        })
    );
    let closed = cx.inputs[..cx.group - 1]
        .iter()
        .any(|i| matches!(i, Input::Call(CallInput::Close)));
    let fin_not_taken = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Fin(0),
            ..
        })
    ) && matches!(r.state, Some(TcpState::FinWait1 | TcpState::FinWait2));
    let data = data || (closed && fin_not_taken);
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

/// The rule of [`reset_on_data_after_close`].
pub(super) const RESET_ON_DATA_AFTER_CLOSE: Rule = Rule {
    id: "linux-reset-on-data-after-close",
    why: "Linux resets a connection whose application closed or shut down reading, \
          or whose peer sent a FIN, when new data arrives, in every state, with the \
          RST of a closed connection, <SEQ=SEG.ACK> (RFC 9293 SHLD-3, RFC 1122 \
          4.2.2.13); the reference takes data after shutdown(rd), which RFC 9293 does \
          not define, ignores segment text after the peer's FIN (3.10.7.4 seventh), \
          and after close() sends ABORT's RST, <SEQ=SND.NXT>",
    applies: reset_on_data_after_close,
    stops: true,
};

/// In TIME-WAIT Linux answers every segment but a RST with an ACK
/// (tcp_timewait_state_process); the reference only a FIN or an
/// unacceptable segment (RFC 9293 3.10.7.4).
fn time_wait_acks(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    r.state == Some(TcpState::TimeWait) && plus_one_pure_ack(l, r)
}

/// The rule of [`time_wait_acks`].
pub(super) const TIME_WAIT_ACKS: Rule = Rule {
    id: "linux-time-wait-acks",
    why: "in TIME-WAIT Linux answers any segment without RST with an ACK \
          (tcp_timewait_state_process); the reference answers a retransmitted FIN or an \
          unacceptable segment, and ignores text (RFC 9293 3.10.7.4 seventh)",
    applies: time_wait_acks,
    stops: false,
};

/// Linux holds a FIN while the peer offers a zero window (a FIN takes a
/// sequence number, which a zero window does not accept); the reference
/// sends it.
fn fin_waits_for_window(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let mut plain = r.clone();
    plain
        .segments
        .retain(|s| !(s.flags.contains('F') && s.len == 0));
    last_window(cx) == Some(Win::Zero) && plain.segments.len() < r.segments.len() && plain == *l
}

/// The rule of [`fin_waits_for_window`].
pub(super) const FIN_WAITS_FOR_WINDOW: Rule = Rule {
    id: "linux-fin-waits-for-window",
    why: "Linux holds a FIN while the peer's window is zero (the FIN takes a sequence \
          number, and a zero window accepts none: RFC 9293 3.10.7.4's test); the \
          reference sends it at once and retransmits it",
    applies: fin_waits_for_window,
    stops: true,
};

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

/// The rule of [`rst_at_fin_sequence`].
pub(super) const RST_AT_FIN_SEQUENCE: Rule = Rule {
    id: "linux-rst-at-fin-sequence",
    why: "in CLOSE-WAIT, LAST-ACK and CLOSING, Linux takes a RST at RCV.NXT - 1, the \
          peer's FIN's number (tcp_reset_check, for peers that do not count their FIN); \
          the reference takes only RCV.NXT (RFC 5961 3.2, RFC 9293 3.10.7.4)",
    applies: rst_at_fin_sequence,
    stops: true,
};

/// After close() in FIN-WAIT-2, Linux keeps the connection as a time-wait
/// mini socket that takes the FIN without checking the ACK number, and an
/// in-window RST without RFC 5961's exact check, and answers an in-window
/// SYN with a RST (tcp_timewait_state_process: RFC 793's answer).
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
    let syn = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Syn,
            ..
        })
    ) && closed
        && cx.reference[cx.group - 1].state == Some(TcpState::FinWait2)
        && l.state == Some(TcpState::Closed)
        && l.segments.len() == 1
        && l.segments[0].flags.starts_with('R')
        && r.segments.iter().all(NormSegment::is_pure_ack);
    // Out of its window, the time-wait socket answers even a RST with an
    // ACK (rate-limited); the reference drops it silently.
    let oow_rst = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Rst | Kind::RstAck,
            ..
        })
    ) && closed
        && cx.reference[cx.group - 1].state == Some(TcpState::FinWait2)
        && plus_one_pure_ack(l, r);
    fin || rst || syn || oow_rst
}

/// The rule of [`orphan_fin_wait_2`].
pub(super) const ORPHAN_FIN_WAIT_2: Rule = Rule {
    id: "linux-orphan-fin-wait-2",
    why: "after close() in FIN-WAIT-2 Linux keeps the connection as a time-wait mini \
          socket (tcp_time_wait), which takes the peer's FIN without checking its ACK \
          number and any in-window RST, and answers an in-window SYN with a RST (RFC \
          793's fourth check), and answers any out-of-window segment, a RST too, with \
          an ACK; the reference drops a segment acknowledging unsent data \
          (RFC 9293 3.10.7.4 fifth), answers a RST not at RCV.NXT with a challenge ACK \
          (RFC 5961 3.2) and a SYN with a challenge ACK (RFC 5961 4.2, RFC 9293 \
          3.10.7.4 fourth)",
    applies: orphan_fin_wait_2,
    stops: true,
};

/// ABORT in TIME-WAIT: the reference deletes the TCB (RFC 9293 3.10.5);
/// Linux's TIME-WAIT belongs to the kernel, not to the socket any more.
fn abort_in_time_wait(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(cx.input(), Some(Input::Call(CallInput::Abort)))
        && cx.reference[cx.group - 1].state == Some(TcpState::TimeWait)
        && r.state == Some(TcpState::Closed)
        && l.state == Some(TcpState::TimeWait)
}

/// The rule of [`abort_in_time_wait`].
pub(super) const ABORT_IN_TIME_WAIT: Rule = Rule {
    id: "abort-in-time-wait",
    why: "ABORT in TIME-WAIT deletes the TCB on the reference (RFC 9293 3.10.5); on \
          Linux the socket no longer owns the TIME-WAIT, which the kernel keeps",
    applies: abort_in_time_wait,
    stops: true,
};

/// Linux also takes a RST whose sequence number is the right edge of the
/// highest SACK block it sent (tcp_validate_incoming: RFC 5961 3.2
/// extended for data lost before the RST); the reference takes RCV.NXT only.
fn rst_at_sack_edge(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let rst = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Rst | Kind::RstAck,
            ..
        })
    );
    let right_edges = |g: &Group| -> Vec<u32> {
        g.segments
            .iter()
            .flat_map(|s| &s.options)
            .filter_map(|o| o.strip_prefix("sack "))
            .flat_map(|b| b.split(' '))
            .filter_map(|b| b.split_once(':'))
            .filter_map(|(_, right)| right.parse().ok())
            .collect()
    };
    // The blocks Linux had sent last (the reference's challenge ACK
    // carries the same, unless one covers only a FIN, which the
    // reference does not report).
    let linux_last = cx.linux[..cx.group]
        .iter()
        .rev()
        .map(right_edges)
        .find(|edges| !edges.is_empty())
        .unwrap_or_default();
    let highest = right_edges(r)
        .into_iter()
        .chain(linux_last)
        .max_by_key(|&edge| edge.wrapping_sub(cx.facts().seq) as i32);
    rst && highest == Some(cx.facts().seq)
        && l.state == Some(TcpState::Closed)
        && l.segments.is_empty()
        && r.segments.iter().all(NormSegment::is_pure_ack)
}

/// The rule of [`rst_at_sack_edge`].
pub(super) const RST_AT_SACK_EDGE: Rule = Rule {
    id: "linux-rst-at-sack-edge",
    why: "Linux resets on a RST at RCV.NXT or at the right edge of its highest SACK \
          block (tcp_validate_incoming: RFC 5961 3.2 extended, for a peer whose data \
          before the RST was lost); the reference takes a RST at RCV.NXT only and \
          answers others in the window with a challenge ACK (RFC 5961 3.2, RFC 9293 \
          3.10.7.4 second)",
    applies: rst_at_sack_edge,
    stops: true,
};

/// In TIME-WAIT, Linux takes a bare ACK at RCV.NXT silently whatever it
/// acknowledges, and drops a RST not at RCV.NXT silently
/// (tcp_timewait_state_process); the reference answers an ACK of unsent
/// data with an ACK, and such a RST with a challenge ACK.
fn time_wait_silent(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let input = match cx.input() {
        Some(Input::Segment { kind, .. }) => *kind,
        _ => return false,
    };
    let quiet = match input {
        Kind::Ack => cx.facts().ack_beyond_nxt,
        Kind::Rst | Kind::RstAck => true,
        _ => false,
    };
    quiet && cx.reference[cx.group - 1].state == Some(TcpState::TimeWait) && plus_one_pure_ack(r, l)
}

/// The rule of [`time_wait_silent`].
pub(super) const TIME_WAIT_SILENT: Rule = Rule {
    id: "linux-time-wait-silent",
    why: "in TIME-WAIT Linux takes an in-window bare ACK silently, whatever it \
          acknowledges, and drops a RST not at RCV.NXT silently \
          (tcp_timewait_state_process); the reference answers an ACK of unsent data \
          with an ACK (RFC 9293 3.10.7.4 fifth, the ESTABLISHED processing) and such a \
          RST with a challenge ACK (RFC 5961 3.2); for TIME-WAIT the RFC only says a \
          retransmitted FIN can arrive",
    applies: time_wait_silent,
    stops: false,
};

/// After the peer's FIN, a FIN at a later sequence number (a peer that
/// moved its FIN): Linux takes it as new, advances RCV.NXT and
/// acknowledges it; the reference remains where it is (RFC 9293 3.10.7.4
/// eighth: CLOSE-WAIT and later states stay) and ignores the text.
fn fin_moved(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Fin(_),
            ..
        })
    ) && matches!(
        cx.reference[cx.group - 1].state,
        Some(TcpState::CloseWait | TcpState::LastAck | TcpState::Closing | TcpState::TimeWait)
    ) && r.segments.is_empty()
        && plus_one_pure_ack(l, r)
}

/// The rule of [`fin_moved`].
pub(super) const FIN_MOVED: Rule = Rule {
    id: "linux-fin-moved",
    why: "a second FIN beyond the first (a peer that moved its FIN, which RFC 9293 \
          does not allow): Linux takes the octets past its RCV.NXT as new and \
          acknowledges the new FIN (tcp_data_queue); the reference ignores text after \
          the peer's FIN and stays in its state (RFC 9293 3.10.7.4 seventh and eighth)",
    applies: fin_moved,
    stops: true,
};
