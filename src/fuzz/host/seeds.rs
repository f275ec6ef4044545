//! The seeds of `corpus/host/`: op lists that each walk one path through
//! the host, written out by `cargo run --example host_seeds` as
//! `corpus/host/seed-<name>` through [`Scenario::encode`].

use super::encode::Bytes;
use super::ops::*;

fn data(bytes: &[u8]) -> Data {
    Data::Bytes(Bytes(bytes.to_vec()))
}

fn pattern(len: u16) -> Data {
    Data::Pattern(Pattern {
        len,
        start: 0x41,
        big: if len >= 1024 { 7 } else { 0 },
    })
}

/// A datagram from peer 0 to us with default fields.
fn from_peer(payload: Payload, split: Split) -> Ipv4Op {
    Ipv4Op {
        link_dst: LinkDst::Us,
        src: Addr::Peer(0),
        dst: Addr::Us,
        ttl: 64,
        ident: 1,
        flags: 0,
        options: IpOptions::None,
        payload,
        split,
        corrupt: Corrupt::None,
    }
}

fn udp_to(port: Port, data: Data) -> Payload {
    Payload::Udp(UdpOp {
        src_port: Port::Raw(5000),
        dst_port: port,
        data,
        no_checksum: false,
    })
}

fn echo_request(data: Data) -> Payload {
    Payload::Icmp(IcmpOp::EchoRequest(Echo {
        ident: 0x1234,
        seq_no: 1,
        data,
    }))
}

/// Peer 0 announces itself to us (so the host can answer it).
fn peer_arp() -> Op {
    Op::Arp(ArpOp {
        kind: ArpKind::Request,
        sender: Addr::Peer(0),
        target: Addr::Us,
        link_dst: LinkDst::Broadcast,
        spoof_mac: false,
    })
}

fn pieces(blocks: u8, order: Order, tweak: Tweak) -> Split {
    Split::Pieces(Pieces {
        blocks,
        order,
        tweak,
    })
}

fn port_unreachable_error(about_src: Addr) -> Payload {
    Payload::Icmp(IcmpOp::Error(IcmpErrorOp {
        kind: 0,
        code: 3,
        about: Quoted {
            src: about_src,
            dst: Addr::Peer(0),
            protocol: QuotedProto::Udp(QuotedPorts {
                src: Port::Sender,
                dst: Port::Raw(9),
            }),
            ident: 7,
            extra: 4,
        },
    }))
}

fn scenario(setup: Setup, ops: Vec<Op>) -> Scenario {
    Scenario { setup, ops }
}

/// A UDP send from the sending socket.
fn send(to: Addr, port: Port, data: Data) -> Op {
    Op::Send(SendOp {
        socket: Socket::Sender,
        to,
        port,
        data,
        dont_frag: false,
    })
}

/// Return every seed with its name.
pub fn seeds() -> Vec<(&'static str, Scenario)> {
    [
        basic_seeds(),
        fragment_seeds(),
        resolution_seeds(),
        icmp_seeds(),
    ]
    .concat()
}

/// ARP, UDP delivery and echo.
fn basic_seeds() -> Vec<(&'static str, Scenario)> {
    let base = Setup::default;
    vec![
        ("arp-request-reply", scenario(base(), vec![peer_arp()])),
        (
            "udp-deliver-read",
            scenario(
                base(),
                vec![
                    Op::Ipv4(from_peer(udp_to(Port::Bound, data(b"hello")), Split::Whole)),
                    Op::Read(Read::All),
                ],
            ),
        ),
        (
            "udp-port-unreachable",
            scenario(
                base(),
                vec![
                    peer_arp(),
                    Op::Ipv4(from_peer(
                        udp_to(Port::Raw(9), data(b"nobody")),
                        Split::Whole,
                    )),
                ],
            ),
        ),
        (
            "echo-fragmented",
            scenario(
                base(),
                vec![
                    peer_arp(),
                    Op::Ipv4(from_peer(
                        echo_request(pattern(3000)),
                        pieces(20, Order::Reverse, Tweak::None),
                    )),
                ],
            ),
        ),
        (
            "echo-small-mtu",
            scenario(
                Setup {
                    mtu: Mtu::Least,
                    ..base()
                },
                vec![
                    peer_arp(),
                    Op::Ipv4(from_peer(echo_request(pattern(200)), Split::Whole)),
                ],
            ),
        ),
    ]
}

/// Fragments and reassembly.
fn fragment_seeds() -> Vec<(&'static str, Scenario)> {
    let base = Setup::default;
    vec![
        (
            "fragments-duplicate-overlap",
            scenario(
                base(),
                vec![
                    Op::Ipv4(from_peer(
                        udp_to(Port::Bound, pattern(800)),
                        pieces(10, Order::Rotate(1), Tweak::Duplicate(2)),
                    )),
                    Op::Ipv4(Ipv4Op {
                        ident: 2,
                        ..from_peer(
                            udp_to(Port::Bound, pattern(800)),
                            pieces(10, Order::Forward, Tweak::Overlap(0)),
                        )
                    }),
                    Op::Ipv4(Ipv4Op {
                        ident: 3,
                        ..from_peer(
                            udp_to(Port::Bound, pattern(800)),
                            pieces(10, Order::Forward, Tweak::Poison(1)),
                        )
                    }),
                    Op::Read(Read::All),
                ],
            ),
        ),
        (
            "reassembly-timeout",
            scenario(
                base(),
                vec![
                    peer_arp(),
                    Op::Ipv4(from_peer(
                        udp_to(Port::Bound, pattern(400)),
                        pieces(10, Order::Forward, Tweak::Drop(1)),
                    )),
                    Op::Wait(Wait::Quiet),
                ],
            ),
        ),
        (
            "reassembly-memory",
            scenario(
                Setup {
                    reassembly_kib: 2,
                    reassembly_datagrams: 1,
                    ..base()
                },
                vec![
                    Op::Ipv4(from_peer(
                        udp_to(Port::Bound, pattern(1500)),
                        Split::Single(Single {
                            offset: 0,
                            more: true,
                            blocks: 100,
                        }),
                    )),
                    Op::Ipv4(Ipv4Op {
                        ident: 9,
                        ..from_peer(
                            udp_to(Port::Bound, pattern(1500)),
                            Split::Single(Single {
                                offset: 0,
                                more: true,
                                blocks: 100,
                            }),
                        )
                    }),
                    Op::Ipv4(from_peer(
                        udp_to(Port::Bound, pattern(1500)),
                        Split::Single(Single {
                            offset: 100,
                            more: false,
                            blocks: 0,
                        }),
                    )),
                    Op::Wait(Wait::Secs(40)),
                ],
            ),
        ),
    ]
}

/// ARP resolution and ICMP errors to sockets.
fn resolution_seeds() -> Vec<(&'static str, Scenario)> {
    let base = Setup::default;
    vec![
        (
            "arp-resolve-send",
            scenario(
                base(),
                vec![
                    send(Addr::Peer(1), Port::Raw(53), data(b"query")),
                    Op::Wait(Wait::Millis(500)),
                    Op::Arp(ArpOp {
                        kind: ArpKind::Reply,
                        sender: Addr::Peer(1),
                        target: Addr::Us,
                        link_dst: LinkDst::Us,
                        spoof_mac: false,
                    }),
                ],
            ),
        ),
        (
            "arp-give-up",
            scenario(
                base(),
                vec![
                    send(Addr::Peer(2), Port::Raw(53), pattern(2000)),
                    send(Addr::OffLink(7), Port::Raw(53), data(b"via gateway")),
                    Op::Wait(Wait::Quiet),
                    Op::Read(Read::All),
                ],
            ),
        ),
        (
            "icmp-error-to-socket",
            scenario(
                base(),
                vec![
                    Op::Ipv4(from_peer(port_unreachable_error(Addr::Us), Split::Whole)),
                    Op::Read(Read::Socket(Socket::Sender)),
                ],
            ),
        ),
    ]
}

/// ICMP errors the host sends or must not send, broadcasts, ping, corrupt frames.
fn icmp_seeds() -> Vec<(&'static str, Scenario)> {
    let base = Setup::default;
    vec![
        (
            "no-error-about-error",
            scenario(
                base(),
                vec![
                    peer_arp(),
                    // An ICMP error in fragments, one missing: its reassembly
                    // times out, and no time exceeded may answer it.
                    Op::Ipv4(from_peer(
                        port_unreachable_error(Addr::Us),
                        pieces(0, Order::Forward, Tweak::Drop(2)),
                    )),
                    Op::Wait(Wait::Quiet),
                    Op::Ipv4(from_peer(
                        Payload::Other(OtherProto {
                            protocol: 99,
                            data: data(b"unknown protocol"),
                        }),
                        Split::Whole,
                    )),
                ],
            ),
        ),
        (
            "broadcasts",
            scenario(
                Setup {
                    echo_broadcast: true,
                    ..base()
                },
                vec![
                    peer_arp(),
                    Op::Ipv4(Ipv4Op {
                        link_dst: LinkDst::Broadcast,
                        dst: Addr::LimitedBroadcast,
                        ..from_peer(udp_to(Port::Raw(9), data(b"x")), Split::Whole)
                    }),
                    Op::Ipv4(Ipv4Op {
                        link_dst: LinkDst::Broadcast,
                        dst: Addr::SubnetBroadcast,
                        ..from_peer(echo_request(data(b"ping")), Split::Whole)
                    }),
                    send(Addr::LimitedBroadcast, Port::Raw(67), data(b"broadcast")),
                ],
            ),
        ),
        (
            "ping-reply",
            scenario(
                base(),
                vec![
                    peer_arp(),
                    Op::Ping(PingOp {
                        to: Addr::Peer(0),
                        ident: 5,
                        seq_no: 6,
                        data: data(b"abc"),
                    }),
                    Op::Ipv4(from_peer(
                        Payload::Icmp(IcmpOp::EchoReply(Echo {
                            ident: 5,
                            seq_no: 6,
                            data: data(b"abc"),
                        })),
                        Split::Whole,
                    )),
                    Op::Read(Read::EchoReply),
                ],
            ),
        ),
        (
            "corrupt-and-raw",
            scenario(
                base(),
                vec![
                    Op::Ipv4(Ipv4Op {
                        corrupt: Corrupt::IpChecksum,
                        ..from_peer(udp_to(Port::Bound, data(b"a")), Split::Whole)
                    }),
                    Op::Ipv4(Ipv4Op {
                        corrupt: Corrupt::TransportChecksum,
                        ..from_peer(udp_to(Port::Bound, data(b"b")), Split::Whole)
                    }),
                    Op::Ipv4(Ipv4Op {
                        corrupt: Corrupt::TotalLength(1000),
                        ..from_peer(udp_to(Port::Bound, data(b"c")), Split::Whole)
                    }),
                    Op::Raw(Bytes(vec![0xff; 60])),
                    Op::Reopen(Socket::Bound),
                    Op::Read(Read::All),
                ],
            ),
        ),
        (
            "rate-limit",
            scenario(
                Setup {
                    error_burst: 2,
                    ..base()
                },
                vec![
                    peer_arp(),
                    Op::Ipv4(from_peer(udp_to(Port::Raw(9), data(b"1")), Split::Whole)),
                    Op::Ipv4(from_peer(udp_to(Port::Raw(9), data(b"2")), Split::Whole)),
                    Op::Ipv4(from_peer(udp_to(Port::Raw(9), data(b"3")), Split::Whole)),
                    Op::Wait(Wait::Millis(100)),
                    Op::Ipv4(from_peer(udp_to(Port::Raw(9), data(b"4")), Split::Whole)),
                ],
            ),
        ),
    ]
}
