//! Declared rules about what a target sends, and when: probes, windows.

use super::acks::{recently_challenged, without_echo};
use super::{
    earlier, last_window, last_window_of_sent, plus_one_pure_ack, Context, Group, Input,
    NormSegment, Rule, Win,
};

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
    // The Timestamps echoes and SACK blocks may differ too; each has its
    // own rule (`ts-recent-update-point`, `linux-sack-covers-fin`).
    let loose = |g: &Group| {
        let mut g = without_echo(g).0;
        for s in &mut g.segments {
            s.options.retain(|o| !o.starts_with("sack "));
        }
        g
    };
    plain.segments.len() < l.segments.len() && loose(&plain) == loose(r)
}

/// The rule of [`tail_loss_probe`].
pub(super) const TAIL_LOSS_PROBE: Rule = Rule {
    id: "linux-tail-loss-probe",
    why: "Linux sends a tail-loss probe (RFC 8985 7: the last segment again after \
          2 SRTT, at least 10 ms) when nothing acknowledges a flight; the reference \
          does not implement RACK-TLP and waits for the RTO",
    applies: tail_loss_probe,
    stops: false,
};

/// Linux takes a smaller window from a segment with the same SEQ and ACK
/// as the last window update only if it is zero (tcp_may_update_window):
/// it sends into the old window where the reference heeds the new one.
fn window_shrink_ignored(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let data = |g: &Group| g.segments.iter().filter(|s| s.len > 0).count();
    matches!(last_window(cx), Some(Win::Small(_))) && data(l) > data(r) && r.calls == l.calls
}

/// The rule of [`window_shrink_ignored`].
pub(super) const WINDOW_SHRINK_IGNORED: Rule = Rule {
    id: "linux-window-shrink-ignored",
    why: "Linux takes a smaller send window from a segment with the same SEQ and ACK \
          as the last update only if it is zero (tcp_may_update_window, against \
          reordered segments), and sends into the old window; RFC 9293 3.10.7.4 fifth \
          updates SND.WND whenever SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK, as the \
          reference does (3.8.6.2.1 discourages shrinking a window)",
    applies: window_shrink_ignored,
    stops: true,
};

/// Linux takes the window of any segment that acknowledges new data
/// (tcp_may_update_window), even one whose sequence number is below an
/// earlier segment's; RFC 9293's SND.WL1 test keeps that window out, so the
/// reference sends into the window it had.
fn window_update_on_new_ack(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let data = |g: &Group| g.segments.iter().filter(|s| s.len > 0).count();
    let smaller = |g: usize| {
        matches!(
            cx.inputs.get(g - 1),
            Some(Input::Segment {
                win: Win::Zero | Win::Small(_),
                ..
            })
        )
    };
    earlier(cx, |f| f.acks_new && f.below_wl1).any(smaller)
        && data(r) > data(l)
        && r.calls == l.calls
}

/// The rule of [`window_update_on_new_ack`].
pub(super) const WINDOW_UPDATE_ON_NEW_ACK: Rule = Rule {
    id: "linux-window-update-on-new-ack",
    why: "Linux updates the send window from any segment that acknowledges new data \
          (tcp_may_update_window: after(ack, snd_una)); RFC 9293 3.10.7.4 fifth updates \
          it only if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK, so \
          the reference keeps the window of a segment with a higher sequence number and \
          sends into it",
    applies: window_update_on_new_ack,
    stops: true,
};

/// The window shift the random sequences' peer offers (`wscale 7`).
const PEER_WINDOW_SHIFT: u32 = 7;

/// The reference's sender silly-window override timer (200 ms) sends what
/// a small window allows before Linux's zero-window probe timer (the RTO,
/// at least 200 ms, plus its timer slack) does the same; a challenge ACK
/// in the same group may be rate-limited on Linux.
fn sws_override_before_probe(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let Some(Win::Small(w)) = last_window_of_sent(cx) else {
        return false;
    };
    // The window may be scaled: by the peer's shift, 7, when both ends
    // offered window scaling (the model does not say whether they did).
    let most = usize::from(w) << PEER_WINDOW_SHIFT;
    let mut plain = r.clone();
    plain.segments.retain(|s| !(s.len > 0 && s.len <= most));
    plain.segments.len() < r.segments.len()
        && (plain == *l || (plus_one_pure_ack(&plain, l) && recently_challenged(cx)))
}

/// The rule of [`sws_override_before_probe`].
pub(super) const SWS_OVERRIDE_BEFORE_PROBE: Rule = Rule {
    id: "sws-override-before-probe",
    why: "into a window smaller than a segment, the reference sends what the window \
          allows when its silly-window override timer fires (RFC 9293 3.8.6.2.1: 0.1 to \
          1 s, MUST-38; 200 ms here); Linux sends it from its zero-window probe timer \
          (tcp_probe_timer, the RTO of at least 200 ms plus timer slack), later",
    applies: sws_override_before_probe,
    stops: true,
};
