//! The seeds of the `tcp_connection` target: one op list per path
//! (`cargo run --example host_seeds` writes them to
//! `corpus/tcp_connection/seed-<name>`).

use super::ops::*;

/// A point: an edge moved by an offset.
fn at(edge: Edge, offset: Offset) -> Number {
    Number::At(Point { edge, offset })
}

/// The usual options after the handshake: a fresh timestamp.
fn ts() -> Options {
    Options {
        mss: Maybe16::None,
        window_scale: Maybe8::None,
        sack_permitted: false,
        sack: Sack::None,
        timestamps: Ts::Fresh(10),
    }
}

/// The options of the peer's SYN: MSS 1000, scale 2, SACK, timestamps.
fn syn_options() -> Options {
    Options {
        mss: Maybe16::Some(1000),
        window_scale: Maybe8::Some(2),
        sack_permitted: true,
        ..ts()
    }
}

/// A segment from the peer with the usual options.
fn seg(side: Side, flags: Flags, seq: Number, ack: Number, window: u16, len: u16) -> Op {
    Op::Segment(SegmentOp {
        side,
        flags,
        seq,
        ack,
        window,
        urgent: 0,
        options: ts(),
        len,
    })
}

/// A segment from the peer at RCV.NXT acknowledging SND.NXT, with the
/// usual options.
fn in_order(side: Side, flags: Flags, window: u16, len: u16) -> Op {
    let (seq, ack) = (
        at(Edge::RcvNxt, Offset::Zero),
        at(Edge::SndNxt, Offset::Zero),
    );
    seg(side, flags, seq, ack, window, len)
}

/// An ACK from the peer at RCV.NXT acknowledging SND.NXT, with `len` octets.
fn data(side: Side, len: u16) -> Op {
    let flags = if len > 0 { Flags::PshAck } else { Flags::Ack };
    in_order(side, flags, 8000, len)
}

/// A segment without ACK from the peer at RCV.NXT moved by `offset`,
/// offering no window and carrying nothing (a RST, or a SYN where none
/// belongs).
fn no_ack(side: Side, flags: Flags, offset: Offset) -> Op {
    let seq = at(Edge::RcvNxt, offset);
    seg(side, flags, seq, Number::Raw(0), 0, 0)
}

fn call(side: Side, call: Call) -> Op {
    Op::Call(CallOp { side, call })
}

/// The peer's SYN at its ISS, with the options of [`syn_options`].
fn syn(side: Side) -> Op {
    Op::Segment(SegmentOp {
        side,
        flags: Flags::Syn,
        seq: at(Edge::PeerIss, Offset::Zero),
        ack: Number::Raw(0),
        window: 8000,
        urgent: 0,
        options: syn_options(),
        len: 0,
    })
}

/// The handshake of one connection. The client's: the peer's SYN,ACK to
/// our SYN. The server's: the peer's SYN, then its ACK of our SYN,ACK.
fn open(side: Side) -> Vec<Op> {
    match side {
        Side::Client => vec![Op::Segment(SegmentOp {
            flags: Flags::SynAck,
            ack: at(Edge::SndNxt, Offset::Zero),
            ..segment_of(syn(Side::Client))
        })],
        Side::Server => vec![syn(Side::Server), data(Side::Server, 0)],
    }
}

/// A scenario on the default setup.
fn scenario(ops: Vec<Op>) -> Scenario {
    Scenario {
        setup: Setup::default(),
        ops,
    }
}

/// A scenario that opens `side`'s connection, then runs `ops` on it.
fn opened(side: Side, ops: Vec<Op>) -> Scenario {
    scenario([open(side), ops].concat())
}

/// Every seed, by name.
pub fn seeds() -> Vec<(&'static str, Scenario)> {
    use Side::{Client, Server};
    vec![
        ("client-handshake", scenario(open(Client))),
        ("server-handshake", scenario(open(Server))),
        (
            "transfer-both-ways",
            opened(
                Client,
                vec![
                    call(Client, Call::Send(3000)),
                    data(Client, 500),
                    call(Client, Call::RecvAll),
                    data(Client, 0),
                    Op::Wait(Wait::Millis(300)),
                ],
            ),
        ),
        (
            "active-close-time-wait",
            opened(
                Server,
                vec![
                    call(Server, Call::Close),
                    data(Server, 0),
                    in_order(Server, Flags::FinAck, 8000, 0),
                    Op::Wait(Wait::Quiet),
                ],
            ),
        ),
        (
            "passive-close-last-ack",
            opened(
                Client,
                vec![
                    data(Client, 100),
                    in_order(Client, Flags::FinAck, 8000, 0),
                    call(Client, Call::RecvAll),
                    call(Client, Call::ShutdownWrite),
                    data(Client, 0),
                ],
            ),
        ),
        (
            "out-of-order-sack",
            opened(
                Server,
                vec![
                    seg(
                        Server,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Plus(500)),
                        at(Edge::SndNxt, Offset::Zero),
                        8000,
                        300,
                    ),
                    in_order(Server, Flags::Ack, 8000, 500),
                    call(Server, Call::Recv(4096)),
                ],
            ),
        ),
        (
            "zero-window-probe",
            opened(
                Client,
                vec![
                    in_order(Client, Flags::Ack, 100, 0),
                    call(Client, Call::Send(1000)),
                    in_order(Client, Flags::Ack, 0, 0),
                    Op::Wait(Wait::Secs(5)),
                    data(Client, 0),
                ],
            ),
        ),
        (
            "retransmission-timeout",
            opened(
                Client,
                vec![
                    call(Client, Call::Send(2000)),
                    Op::Wait(Wait::Secs(3)),
                    seg(
                        Client,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndUna, Offset::Plus(500)),
                        8000,
                        0,
                    ),
                    Op::Wait(Wait::NextTimer),
                    data(Client, 0),
                ],
            ),
        ),
        (
            "rst-after-abort",
            opened(
                Server,
                vec![
                    call(Server, Call::Abort),
                    no_ack(Server, Flags::Rst, Offset::Zero),
                    in_order(Server, Flags::Ack, 0, 10),
                ],
            ),
        ),
        (
            "rst-in-window-challenge",
            opened(
                Client,
                vec![
                    no_ack(Client, Flags::Rst, Offset::Plus(10)),
                    no_ack(Client, Flags::Syn, Offset::Zero),
                    no_ack(Client, Flags::Rst, Offset::Zero),
                ],
            ),
        ),
        (
            "simultaneous-open",
            scenario(vec![
                syn(Client),
                seg(
                    Client,
                    Flags::SynAck,
                    at(Edge::PeerIss, Offset::Zero),
                    at(Edge::SndNxt, Offset::Zero),
                    8000,
                    0,
                ),
                call(Client, Call::Send(10)),
            ]),
        ),
        (
            "syn-received-return-to-listen",
            scenario(
                [
                    vec![
                        syn(Server),
                        no_ack(Server, Flags::Rst, Offset::Zero),
                        Op::Wait(Wait::Secs(1)),
                    ],
                    open(Server),
                ]
                .concat(),
            ),
        ),
        (
            "urgent-and-shutdown-read",
            opened(
                Server,
                vec![
                    Op::Segment(SegmentOp {
                        urgent: 5,
                        flags: Flags::UrgAck,
                        ..segment_of(data(Server, 20))
                    }),
                    call(Server, Call::SendUrgent(10)),
                    call(Server, Call::ShutdownRead),
                    data(Server, 30),
                    call(Server, Call::ShutdownBoth),
                ],
            ),
        ),
    ]
}

/// Return the segment of a segment op.
fn segment_of(op: Op) -> SegmentOp {
    match op {
        Op::Segment(seg) => seg,
        _ => unreachable!("segment_of takes a segment op"),
    }
}
