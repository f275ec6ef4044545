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

/// An ACK from the peer at RCV.NXT acknowledging SND.NXT, with `len` octets.
fn data(side: Side, len: u16) -> Op {
    let flags = if len > 0 { Flags::PshAck } else { Flags::Ack };
    let (seq, ack) = (
        at(Edge::RcvNxt, Offset::Zero),
        at(Edge::SndNxt, Offset::Zero),
    );
    seg(side, flags, seq, ack, 8000, len)
}

fn call(side: Side, call: Call) -> Op {
    Op::Call(CallOp { side, call })
}

/// The client's handshake: the peer's SYN,ACK to our SYN.
fn client_open() -> Vec<Op> {
    vec![Op::Segment(SegmentOp {
        side: Side::Client,
        flags: Flags::SynAck,
        seq: at(Edge::PeerIss, Offset::Zero),
        ack: at(Edge::SndNxt, Offset::Zero),
        window: 8000,
        urgent: 0,
        options: syn_options(),
        len: 0,
    })]
}

/// The server's handshake: the peer's SYN, then its ACK of our SYN,ACK.
fn server_open() -> Vec<Op> {
    vec![
        Op::Segment(SegmentOp {
            side: Side::Server,
            flags: Flags::Syn,
            seq: at(Edge::PeerIss, Offset::Zero),
            ack: Number::Raw(0),
            window: 8000,
            urgent: 0,
            options: syn_options(),
            len: 0,
        }),
        data(Side::Server, 0),
    ]
}

fn scenario(ops: Vec<Op>) -> Scenario {
    Scenario {
        setup: Setup::default(),
        ops,
    }
}

fn cat(parts: &[Vec<Op>]) -> Vec<Op> {
    parts.concat()
}

/// Every seed, by name.
pub fn seeds() -> Vec<(&'static str, Scenario)> {
    use Side::{Client, Server};
    let mut list = vec![
        ("client-handshake", scenario(client_open())),
        ("server-handshake", scenario(server_open())),
        (
            "transfer-both-ways",
            scenario(cat(&[
                client_open(),
                vec![
                    call(Client, Call::Send(3000)),
                    data(Client, 500),
                    call(Client, Call::RecvAll),
                    data(Client, 0),
                    Op::Wait(Wait::Millis(300)),
                ],
            ])),
        ),
        (
            "active-close-time-wait",
            scenario(cat(&[
                server_open(),
                vec![
                    call(Server, Call::Close),
                    data(Server, 0),
                    seg(
                        Server,
                        Flags::FinAck,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        8000,
                        0,
                    ),
                    Op::Wait(Wait::Quiet),
                ],
            ])),
        ),
        (
            "passive-close-last-ack",
            scenario(cat(&[
                client_open(),
                vec![
                    data(Client, 100),
                    seg(
                        Client,
                        Flags::FinAck,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        8000,
                        0,
                    ),
                    call(Client, Call::RecvAll),
                    call(Client, Call::ShutdownWrite),
                    data(Client, 0),
                ],
            ])),
        ),
        (
            "out-of-order-sack",
            scenario(cat(&[
                server_open(),
                vec![
                    seg(
                        Server,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Plus(500)),
                        at(Edge::SndNxt, Offset::Zero),
                        8000,
                        300,
                    ),
                    seg(
                        Server,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        8000,
                        500,
                    ),
                    call(Server, Call::Recv(4096)),
                ],
            ])),
        ),
        (
            "zero-window-probe",
            scenario(cat(&[
                client_open(),
                vec![
                    seg(
                        Client,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        100,
                        0,
                    ),
                    call(Client, Call::Send(1000)),
                    seg(
                        Client,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        0,
                        0,
                    ),
                    Op::Wait(Wait::Secs(5)),
                    data(Client, 0),
                ],
            ])),
        ),
        (
            "retransmission-timeout",
            scenario(cat(&[
                client_open(),
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
            ])),
        ),
        (
            "rst-after-abort",
            scenario(cat(&[
                server_open(),
                vec![
                    call(Server, Call::Abort),
                    seg(
                        Server,
                        Flags::Rst,
                        at(Edge::RcvNxt, Offset::Zero),
                        Number::Raw(0),
                        0,
                        0,
                    ),
                    seg(
                        Server,
                        Flags::Ack,
                        at(Edge::RcvNxt, Offset::Zero),
                        at(Edge::SndNxt, Offset::Zero),
                        0,
                        10,
                    ),
                ],
            ])),
        ),
        (
            "rst-in-window-challenge",
            scenario(cat(&[
                client_open(),
                vec![
                    seg(
                        Client,
                        Flags::Rst,
                        at(Edge::RcvNxt, Offset::Plus(10)),
                        Number::Raw(0),
                        0,
                        0,
                    ),
                    seg(
                        Client,
                        Flags::Syn,
                        at(Edge::RcvNxt, Offset::Zero),
                        Number::Raw(0),
                        0,
                        0,
                    ),
                    seg(
                        Client,
                        Flags::Rst,
                        at(Edge::RcvNxt, Offset::Zero),
                        Number::Raw(0),
                        0,
                        0,
                    ),
                ],
            ])),
        ),
        (
            "simultaneous-open",
            scenario(vec![
                Op::Segment(SegmentOp {
                    side: Client,
                    flags: Flags::Syn,
                    seq: at(Edge::PeerIss, Offset::Zero),
                    ack: Number::Raw(0),
                    window: 8000,
                    urgent: 0,
                    options: syn_options(),
                    len: 0,
                }),
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
            scenario(cat(&[
                server_open()[..1].to_vec(),
                vec![
                    seg(
                        Server,
                        Flags::Rst,
                        at(Edge::RcvNxt, Offset::Zero),
                        Number::Raw(0),
                        0,
                        0,
                    ),
                    Op::Wait(Wait::Secs(1)),
                ],
                server_open(),
            ])),
        ),
    ];
    list.push((
        "urgent-and-shutdown-read",
        scenario(cat(&[
            server_open(),
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
        ])),
    ));
    list
}

fn segment_of(op: Op) -> SegmentOp {
    match op {
        Op::Segment(seg) => seg,
        _ => unreachable!("segment_of takes a segment op"),
    }
}
