//! Declared rules about the socket interface: what calls return, which
//! RFC 9293 leaves to the implementation.

use super::{CallInput, Context, Input, Rule, TcpState};

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

/// The rule of [`error_reported_once`].
pub(super) const ERROR_REPORTED_ONCE: Rule = Rule {
    id: "socket-error-reported-once",
    why: "a BSD socket reports a connection's error once (SO_ERROR), then EPIPE for \
          writes and ENOTCONN for shutdown, and Linux lets the application read the \
          data that came before a RST; the reference answers ECONNRESET to every call \
          (RFC 9293 3.10.7.4: queues flushed, a SHOULD; the interface's errors are the \
          implementation's)",
    applies: error_reported_once,
    stops: true,
};

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
    // (The reference sends its FIN then, unless it sent it before.)
    let close = matches!(cx.input(), Some(Input::Call(CallInput::Close)))
        && r.segments.iter().all(|s| s.flags == "F.")
        && l.segments.iter().any(|s| s.flags.starts_with('R'));
    shut && (read || close)
}

/// The rule of [`shutdown_read_keeps_data`].
pub(super) const SHUTDOWN_READ_KEEPS_DATA: Rule = Rule {
    id: "shutdown-read-keeps-data",
    why: "Linux's shutdown(SHUT_RD) leaves the data already received readable (and so \
          unread at close(), which then resets, SHLD-3); the reference discards it \
          (RFC 9293 has no half-close of the receiving side)",
    applies: shutdown_read_keeps_data,
    stops: true,
};

/// shutdown(SHUT_WR) in TIME-WAIT: Linux's socket has handed the
/// connection to a time-wait socket and is unconnected (ENOTCONN); the
/// reference answers ok, as for any CLOSE while closing.
fn shutdown_in_time_wait(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    matches!(cx.input(), Some(Input::Call(CallInput::ShutdownWrite)))
        && cx.reference[cx.group - 1].state == Some(TcpState::TimeWait)
        && r.calls == ["0"]
        && l.calls == ["ENOTCONN"]
        && r.state == l.state
}

/// The rule of [`shutdown_in_time_wait`].
pub(super) const SHUTDOWN_IN_TIME_WAIT: Rule = Rule {
    id: "shutdown-in-time-wait",
    why: "shutdown(SHUT_WR) in TIME-WAIT fails with ENOTCONN on Linux, whose socket \
          has handed the connection to a time-wait socket (inet_shutdown on TCP_CLOSE); \
          the reference answers ok, emitting nothing (RFC 9293 3.10.4 asks for 'error: \
          connection closing' there and allows ok in FIN-WAIT; the interface's errors \
          are the implementation's)",
    applies: shutdown_in_time_wait,
    stops: false,
};

/// read() after shutdown(rd) on a reset connection: Linux reports the
/// pending error before the end of the stream (tcp_recvmsg checks sk_err
/// before RCV_SHUTDOWN); the reference reports the end of the stream.
fn reset_before_end_of_stream(cx: &Context<'_>) -> bool {
    let (r, l) = cx.pair();
    let shut = cx.inputs[..cx.group - 1]
        .iter()
        .any(|i| matches!(i, Input::Call(CallInput::ShutdownRead)));
    shut && matches!(cx.input(), Some(Input::Call(CallInput::Read(_))))
        && r.calls == ["0"]
        && l.calls == ["ECONNRESET"]
        && r.state == Some(TcpState::Closed)
        && l.state == Some(TcpState::Closed)
}

/// The rule of [`reset_before_end_of_stream`].
pub(super) const RESET_BEFORE_END_OF_STREAM: Rule = Rule {
    id: "reset-before-end-of-stream",
    why: "a read after shutdown(SHUT_RD) on a reset connection returns ECONNRESET on \
          Linux (tcp_recvmsg checks the socket error before the shutdown) and the end \
          of the stream on the reference (RFC 9293 has no half-close of the receiving \
          side; the interface's errors are the implementation's)",
    applies: reset_before_end_of_stream,
    stops: true,
};
