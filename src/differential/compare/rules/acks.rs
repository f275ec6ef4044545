//! Declared rules about acknowledgments: which segments draw an ACK,
//! which ACKs a target takes, and what its ACKs carry.

use super::{earlier, plus_one_pure_ack, Context, Group, Input, Kind, Rule, TcpState};

/// The groups within Linux's `tcp_invalid_ratelimit` (500 ms) of another.
const RATE_LIMIT_GROUPS: usize = 8;

/// Linux answers at most one segment per 500 ms with a duplicate or
/// challenge ACK when the answer is rate-limited: the reference's
/// duplicate ACK is missing on Linux, which sent one shortly before.
fn oow_rate_limit(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let segment = matches!(cx.input(), Some(Input::Segment { .. }));
    segment
        && has_dup_ack(cx.reference, cx.group)
        && plus_one_pure_ack(r, l)
        && recently_challenged(cx)
}

/// Return whether Linux sent what may have been a challenge ACK within
/// `tcp_invalid_ratelimit` before `cx.group`: its next one is held back.
pub(super) fn recently_challenged(cx: &Context<'_>) -> bool {
    let recent = cx.group.saturating_sub(RATE_LIMIT_GROUPS).max(1)..cx.group;
    // An earlier answer that may have been a challenge ACK: a duplicate,
    // or any ACK to a segment whose own ACK was out of range.
    let challenged = |g: usize| {
        let facts = cx.facts.get(g).copied().flatten().unwrap_or_default();
        let odd_ack = facts.ack_below_una || facts.ack_beyond_nxt;
        has_dup_ack(cx.linux, g)
            || (odd_ack && cx.linux[g].segments.iter().any(|s| s.is_pure_ack()))
    };
    recent.into_iter().any(challenged)
}

/// The rule of [`oow_rate_limit`].
pub(super) const OOW_RATE_LIMIT: Rule = Rule {
    id: "linux-oow-ack-rate-limit",
    why: "Linux sends at most one duplicate or challenge ACK per \
          net.ipv4.tcp_invalid_ratelimit (500 ms) in reply to out-of-window segments \
          without data, SYNs, RSTs and ACKs of unsent data (RFC 5961 7 allows limiting \
          challenge ACKs; RFC 9293 3.10.7.4's reply to an unacceptable segment is a SHOULD)",
    applies: oow_rate_limit,
    stops: false,
};

/// Linux handles an ACK below SND.UNA its own way: it takes one only
/// within the bytes it had acknowledged, and on its fast path it takes
/// the data before it looks at the ACK. Data it dropped shows later, in
/// the ACKs of the data after it.
fn old_ack(cx: &Context<'_>) -> bool {
    let carried_data = |g: usize| {
        matches!(
            cx.inputs.get(g - 1),
            Some(Input::Segment {
                kind: Kind::Data(1..) | Kind::Fin(_),
                ..
            })
        )
    };
    cx.facts().ack_below_una || earlier(cx, |f| f.ack_below_una).any(carried_data)
}

/// An old duplicate whose data ends exactly at RCV.NXT: Linux's
/// acceptability test takes it, and so its ACK and window.
fn ends_at_rcv_nxt(cx: &Context<'_>) -> bool {
    cx.facts().ends_at_rcv_nxt
}

/// The rule of [`ends_at_rcv_nxt`].
pub(super) const ENDS_AT_RCV_NXT: Rule = Rule {
    id: "linux-duplicate-ending-at-rcv-nxt",
    why: "Linux's acceptability test (tcp_sequence: end_seq >= rcv_wup, seq <= \
          rcv_nxt + window) takes an old duplicate whose data ends exactly at RCV.NXT, \
          and so processes its ACK and window; RFC 9293 3.10.7.4's test finds it \
          unacceptable (RCV.NXT =< SEG.SEQ+SEG.LEN-1 fails), so the reference only \
          acknowledges it and drops it",
    applies: ends_at_rcv_nxt,
    stops: true,
};

/// The rule of [`old_ack`].
pub(super) const OLD_ACK: Rule = Rule {
    id: "linux-old-ack",
    why: "an ACK below SND.UNA: Linux accepts one only within the bytes it has had \
          acknowledged (tcp_ack: min(max_window, bytes_acked)), answering an older one \
          with a challenge ACK and dropping the segment, but on its fast path (header \
          prediction) it queues in-order data before it looks at the ACK; the reference \
          applies RFC 5961 5.2 (a MAY) to every segment, with its range SND.UNA - \
          MAX.SND.WND",
    applies: old_ack,
    stops: true,
};

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

/// The rule of [`no_ack_bit_dropped_first`].
pub(super) const NO_ACK_BIT_DROPPED_FIRST: Rule = Rule {
    id: "linux-no-ack-bit-dropped-first",
    why: "Linux drops a segment with none of ACK, RST and SYN before the acceptability \
          test (tcp_rcv_established), so an out-of-window one draws no ACK; RFC 9293 \
          3.10.7.4 tests the sequence number first, and its ACK to an unacceptable \
          segment is a SHOULD",
    applies: no_ack_bit_dropped_first,
    stops: false,
};

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

/// The rule of [`ack_seq_in_shrunk_window`].
pub(super) const ACK_SEQ_IN_SHRUNK_WINDOW: Rule = Rule {
    id: "linux-ack-seq-in-shrunk-window",
    why: "when the peer shrinks its window below SND.NXT, Linux's pure ACKs carry \
          SND.UNA + SND.WND (tcp_acceptable_seq) so that they stay acceptable to the \
          peer; the reference's carry SND.NXT (RFC 9293 3.8.6.2.1 discourages \
          shrinking, and leaves the sender's answer open)",
    applies: ack_seq_in_shrunk_window,
    stops: false,
};

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
    // Each Linux block is the reference's, one octet longer at either
    // end (the FIN before or after the data), a lone octet (the FIN
    // alone), or the peer's FINs' numbers (a peer that moved its FIN).
    let fins = fin_numbers(cx);
    let only_fins = |a: u32, b: u32| {
        let len = b.wrapping_sub(a);
        len <= 16 && (0..len).all(|k| fins.contains(&a.wrapping_add(k)))
    };
    let explained = lb.iter().all(|&(a, b)| {
        rb.contains(&(a, b))
            || rb.contains(&(a, b.wrapping_sub(1)))
            || rb.contains(&(a.wrapping_add(1), b))
            || b.wrapping_sub(a) == 1
            || only_fins(a, b)
    }) && lb.len() >= rb.len();
    // Or, as sets of octets, Linux's blocks are the reference's and the
    // FINs' numbers (one of Linux's blocks may join two of the reference's).
    let same_octets = !lb.is_empty() && merge(without_points(&lb, &fins)) == merge(rb.clone());
    // The ACK of an in-order FIN still reports the data Linux held past
    // it (its out-of-order queue goes after the ACK); the reference drops
    // such data when it takes the FIN, as `tcp_fin` does.
    let fin_taken = matches!(
        cx.input(),
        Some(Input::Segment {
            kind: Kind::Fin(_),
            ..
        })
    ) && matches!(
        r.state,
        Some(TcpState::CloseWait | TcpState::Closing | TcpState::TimeWait | TcpState::LastAck)
    );
    // A SACK option takes room from the data: Linux's segments may then
    // be cut shorter (and a tail-loss probe repeat the last), the same
    // octets sent.
    let same = trim(r) == trim(l) || (!lb.is_empty() && coverage(&trim(r)) == coverage(&trim(l)));
    same && (explained || same_octets || (rb.is_empty() && fin_taken && !lb.is_empty()))
}

/// Return the sequence numbers of the FINs the peer sent before the end
/// of `cx.group`, relative to its ISN.
fn fin_numbers(cx: &Context<'_>) -> Vec<u32> {
    (1..=cx.group.min(cx.inputs.len()))
        .filter_map(|g| match cx.inputs[g - 1] {
            Input::Segment {
                kind: Kind::Fin(len),
                ..
            } => {
                let facts = cx.facts.get(g).copied().flatten()?;
                Some(facts.seq.wrapping_add(u32::from(len)))
            }
            _ => None,
        })
        .collect()
}

/// Return `ranges` sorted, with overlapping and touching ones joined.
fn merge(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged.retain(|(a, b)| a < b);
    merged
}

/// Return `ranges` with the octets at `points` taken out.
fn without_points(ranges: &[(u32, u32)], points: &[u32]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(a, b) in ranges {
        let mut inside: Vec<u32> = points
            .iter()
            .copied()
            .filter(|p| a <= *p && *p < b)
            .collect();
        inside.sort_unstable();
        let mut start = a;
        for p in inside {
            out.push((start, p));
            start = p + 1;
        }
        out.push((start, b));
    }
    out
}

/// Return a group with its data segments replaced by the octet ranges
/// they cover, merged: the same data however it was cut into segments.
fn coverage(g: &Group) -> (Group, Vec<(u32, u32)>) {
    let ranges: Vec<(u32, u32)> = g
        .segments
        .iter()
        .filter(|s| s.len > 0)
        .filter_map(|s| Some((s.seq?, s.seq?.wrapping_add(s.len as u32))))
        .collect();
    let mut rest = g.clone();
    rest.segments.retain(|s| s.len == 0);
    (rest, merge(ranges))
}

/// The rule of [`sack_covers_fin`].
pub(super) const SACK_COVERS_FIN: Rule = Rule {
    id: "linux-sack-covers-fin",
    why: "Linux's SACK blocks cover the sequence number of an out-of-order FIN, \
          which its out-of-order queue holds; the reference's cover data only \
          (RFC 2018 3: blocks of data received)",
    applies: sack_covers_fin,
    stops: false,
};

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

/// The rule of [`ts_recent_update_point`].
pub(super) const TS_RECENT_UPDATE_POINT: Rule = Rule {
    id: "ts-recent-update-point",
    why: "Linux updates TS.Recent (tcp_replace_ts_recent) only from a segment that \
          passes every check and whose ACK is taken, and takes an old duplicate that \
          ends at RCV.NXT as acceptable (tcp_sequence: end_seq >= rcv_wup); the \
          reference updates it in the sequence-number check from acceptable segments \
          (RFC 7323 Appendix D, RFC 9293 3.10.7.4's test): the TSecr echoed differs",
    applies: ts_recent_update_point,
    stops: false,
};

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

/// Return a group's segments without their Timestamps echo, and the echoes.
pub(super) fn without_echo(group: &Group) -> (Group, Vec<u64>) {
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
