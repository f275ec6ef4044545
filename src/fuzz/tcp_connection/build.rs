//! From ops to the engine's values: the connection configuration, the
//! injected segments, and the two byte streams.

use core::net::SocketAddrV4;
use core::time::Duration;

use stack::tcp::{Config, FourTuple, SeqNumber, Status};
use stack::wire::tcp::{
    SackBlock, SackBlocks, TcpFlags, TcpOption, TcpOptions, TcpRepr, Timestamps,
};
use stack::wire::Ipv4Addr;

use super::ops::{
    Edge, Flags, Maybe16, Maybe8, Number, Offset, Point, Sack, SegmentOp, Setup, Side, Ts,
};

/// Our address.
pub const US: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The peer's address.
pub const PEER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
/// The client's port (ours) and the server's (ours).
pub const CLIENT_PORT: u16 = 40_000;
/// The port we listen on, and the one the client connects to.
pub const SERVER_PORT: u16 = 80;
/// The peer's port for the connection to our listener.
pub const PEER_CLIENT_PORT: u16 = 50_000;
/// The largest payload of an injected segment.
pub const MAX_PAYLOAD: usize = 1460;

/// Return a buffer size from its class: small ones reach full and zero
/// windows within a few ops; the largest needs a window scale.
pub fn buffer(class: u8) -> usize {
    match class % 8 {
        0 => 64,
        1 => 1024,
        2 => 4096,
        3 => 16 * 1024,
        4 => 65_535,
        5 => 100_000,
        6 => 1500,
        _ => 2920,
    }
}

/// Return the connection configuration the setup describes (both
/// connections share it).
pub fn config(setup: &Setup) -> Config {
    Config {
        mss: 64 + setup.mss % 1397,
        send_buffer: buffer(setup.send_buffer),
        recv_buffer: buffer(setup.recv_buffer),
        nodelay: setup.nodelay,
        timestamps: setup.timestamps,
        sack: setup.sack,
        window_scaling: setup.window_scaling,
        delayed_ack: setup.delayed_ack.then_some(Duration::from_millis(200)),
        msl: Duration::from_secs(1 + u64::from(setup.msl % 8)),
        user_timeout: (setup.user_timeout != 0)
            .then(|| Duration::from_secs(u64::from(setup.user_timeout))),
        ..Config::default()
    }
}

/// Return the 4-tuple of a side's connection.
pub fn tuple(side: &Side) -> FourTuple {
    match side {
        Side::Client => FourTuple {
            local: SocketAddrV4::new(US, CLIENT_PORT),
            remote: SocketAddrV4::new(PEER, SERVER_PORT),
        },
        Side::Server => FourTuple {
            local: SocketAddrV4::new(US, SERVER_PORT),
            remote: SocketAddrV4::new(PEER, PEER_CLIENT_PORT),
        },
    }
}

/// Return the peer's octet at sequence number `seq`: a function of the
/// number alone, so every segment carries the same bytes at the same
/// place, and a byte delivered at the wrong offset shows.
pub fn peer_byte(seq: u32) -> u8 {
    (seq.wrapping_mul(0x9e37_79b1) >> 24) as u8
}

/// Return our application's octet at stream offset `offset`.
pub fn app_byte(offset: u64) -> u8 {
    ((offset as u32).wrapping_mul(0x85eb_ca6b) >> 24) as u8 ^ 0x5a
}

/// What the peer side of the harness keeps between segments.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The peer's ISS, from the setup.
    pub iss: SeqNumber,
    /// The peer's timestamp clock.
    pub ts_clock: u32,
    /// The last TSval we sent on this connection, for TSecr.
    pub last_tsval: u32,
}

/// Return the control bits an op names.
pub fn flags(flags: &Flags) -> TcpFlags {
    match flags {
        Flags::Syn => TcpFlags::SYN,
        Flags::SynAck => TcpFlags::SYN | TcpFlags::ACK,
        Flags::Ack => TcpFlags::ACK,
        Flags::PshAck => TcpFlags::PSH | TcpFlags::ACK,
        Flags::FinAck => TcpFlags::FIN | TcpFlags::ACK,
        Flags::Rst => TcpFlags::RST,
        Flags::RstAck => TcpFlags::RST | TcpFlags::ACK,
        Flags::UrgAck => TcpFlags::URG | TcpFlags::ACK,
        Flags::Raw(bits) => TcpFlags::from_bits_truncate(bits & 0x1ff),
    }
}

/// Return the sequence number a point names, from the connection's status.
pub fn point(point: &Point, st: &Status, peer: &Peer) -> SeqNumber {
    let synced = st.state.is_synchronized();
    let (at, window) = match point.edge {
        Edge::RcvNxt if synced => (st.rcv_nxt, st.rcv_wnd),
        Edge::RcvNxt => (peer.iss, st.rcv_wnd),
        Edge::RcvEdge => (st.rcv_nxt + st.rcv_wnd, st.rcv_wnd),
        Edge::SndUna => (st.snd_una, st.snd_wnd),
        Edge::SndNxt => (st.snd_nxt, st.snd_wnd),
        Edge::SndEdge => (st.snd_una + st.snd_wnd, st.snd_wnd),
        Edge::Iss => (st.iss, st.snd_wnd),
        Edge::Irs => (st.irs, st.rcv_wnd),
        Edge::PeerIss => (peer.iss, st.rcv_wnd),
    };
    match point.offset {
        Offset::Zero => at,
        Offset::PlusOne => at + 1,
        Offset::MinusOne => at - 1,
        Offset::Plus(n) => at + u32::from(n),
        Offset::Minus(n) => at - u32::from(n),
        Offset::PlusWindow => at + window,
        Offset::MinusWindow => at - window,
    }
}

fn number(number: &Number, st: &Status, peer: &Peer) -> SeqNumber {
    match number {
        Number::At(p) => point(p, st, peer),
        Number::Raw(n) => SeqNumber(*n),
    }
}

/// Return the options an op names (those that do not fit in 40 octets
/// are left out, as a peer could not send them).
pub fn options(op: &SegmentOp, st: &Status, peer: &mut Peer) -> TcpOptions {
    let mut options = TcpOptions::new();
    let o = &op.options;
    if let Maybe16::Some(mss) = o.mss {
        let _ = options.push(TcpOption::MaxSegmentSize(mss));
    }
    if let Maybe8::Some(shift) = o.window_scale {
        let _ = options.push(TcpOption::WindowScale(shift));
    }
    if o.sack_permitted {
        let _ = options.push(TcpOption::SackPermitted);
    }
    let ts = match &o.timestamps {
        Ts::None => None,
        Ts::Fresh(n) => {
            peer.ts_clock = peer.ts_clock.wrapping_add(u32::from(*n));
            Some((peer.ts_clock, peer.last_tsval))
        }
        Ts::Old(n) => Some((peer.ts_clock.wrapping_sub(u32::from(*n)), peer.last_tsval)),
        Ts::Raw(raw) => Some((raw.tsval, raw.tsecr)),
    };
    if let Some((tsval, tsecr)) = ts {
        let _ = options.push(TcpOption::Timestamps(Timestamps { tsval, tsecr }));
    }
    if let Sack::Blocks(sack) = &o.sack {
        let mut blocks = [SackBlock::new(0, 0); SackBlocks::MAX];
        let count = usize::from(sack.count % 4) + 1;
        let mut left = point(&sack.start, st, peer);
        for block in blocks.iter_mut().take(count) {
            let right = left + u32::from(sack.len);
            *block = SackBlock::new(left.0, right.0);
            left = right + u32::from(sack.gap);
        }
        if let Some(blocks) = SackBlocks::new(&blocks[..count]) {
            let _ = options.push(TcpOption::Sack(blocks));
        }
    }
    options
}

/// Build the segment an op describes into `payload` (reused), for the
/// connection whose status is `st`.
pub fn segment<'a>(
    op: &SegmentOp,
    st: &Status,
    peer: &mut Peer,
    payload: &'a mut Vec<u8>,
) -> TcpRepr<'a> {
    let tuple = tuple(&op.side);
    let seq = number(&op.seq, st, peer);
    let ack = number(&op.ack, st, peer);
    let flags = flags(&op.flags);
    // The payload starts after the SYN, if any.
    let first = seq + u32::from(flags.contains(TcpFlags::SYN));
    let len = usize::from(op.len) % (MAX_PAYLOAD + 1);
    payload.clear();
    payload.extend((0..len as u32).map(|i| peer_byte((first + i).0)));
    let options = options(op, st, peer);
    TcpRepr {
        src_port: tuple.remote.port(),
        dst_port: tuple.local.port(),
        seq_number: seq,
        ack_number: ack,
        flags,
        window: op.window,
        urgent_pointer: op.urgent,
        options,
        payload,
    }
}
