//! The input of the `tcp_connection` target: a [`Setup`], then [`Op`]s
//! until the bytes run out (at most [`MAX_OPS`]). Every type derives
//! `Arbitrary` and has an [`Encode`](crate::fuzz::host::encode::Encode)
//! that writes it back (the macros of [`crate::fuzz::host::encode`]);
//! [`Wait`] is shared with `host`.
//!
//! Sequence and acknowledgment numbers are mostly chosen relative to the
//! connection's current edges ([`Point`]: RCV.NXT, the right edge of the
//! receive window, SND.UNA, SND.NXT, the right edge of the send window, ISS,
//! IRS, the peer's ISS, each ±1 or ± some octets), so that most segments
//! land where the engine has decisions to make; `Raw` reaches the rest.

use crate::fuzz::host::encode::{encoded_enum, encoded_struct};
pub use crate::fuzz::Wait;

/// The most ops one input runs: keeps each run short (exec/s) and the
/// oracle's record of injected ranges small.
pub const MAX_OPS: usize = 48;

encoded_struct! {
    /// The two connections' configuration, as far as the input chooses it.
    pub struct Setup {
        /// Our ISS (both connections derive theirs from it).
        pub iss: u32,
        /// The peer's ISS: where its SYNs start by default.
        pub peer_iss: u32,
        /// The MSS we announce: `64 + n % 1397`.
        pub mss: u16,
        /// The send buffer, a class (see [`buffer`](super::build::buffer)).
        pub send_buffer: u8,
        /// The receive buffer, a class.
        pub recv_buffer: u8,
        /// Offer timestamps (RFC 7323).
        pub timestamps: bool,
        /// Offer SACK (RFC 2018).
        pub sack: bool,
        /// Offer window scaling (RFC 7323).
        pub window_scaling: bool,
        /// Turn Nagle off.
        pub nodelay: bool,
        /// Delay ACKs (200 ms) or acknowledge every segment at once.
        pub delayed_ack: bool,
        /// The MSL: `1 + n % 8` seconds, so that TIME-WAIT ends within the
        /// waits an input can make.
        pub msl: u8,
        /// The user timeout: 0 keeps R2 (100 s); else `n` seconds.
        pub user_timeout: u8,
    }
}

encoded_enum! {
    /// One step.
    pub enum Op {
        /// Hand one connection a segment built from fields.
        Segment(SegmentOp),
        /// Make a socket call on one connection.
        Call(CallOp),
        /// Let time pass, running every timer due on the way.
        Wait(Wait),
    }
}

encoded_enum! {
    /// Which connection an op is for.
    pub enum Side {
        /// The active one: our SYN to the peer's port 80.
        Client,
        /// The passive one: LISTEN on port 80 for the peer's port 50000.
        Server,
    }
}

encoded_struct! {
    /// A segment from the peer, built from fields.
    pub struct SegmentOp {
        /// The connection it is for.
        pub side: Side,
        /// The control bits.
        pub flags: Flags,
        /// SEG.SEQ.
        pub seq: Number,
        /// SEG.ACK.
        pub ack: Number,
        /// SEG.WND as sent (the peer's scale applies to it once agreed).
        pub window: u16,
        /// The urgent pointer (meaningful with URG).
        pub urgent: u16,
        /// The options.
        pub options: Options,
        /// The payload length: `n % 1461` octets, the peer's stream bytes
        /// at those sequence numbers (see [`peer_byte`](super::build::peer_byte)).
        pub len: u16,
    }
}

encoded_enum! {
    /// The control bits of an injected segment.
    pub enum Flags {
        /// SYN.
        Syn,
        /// SYN,ACK.
        SynAck,
        /// ACK.
        Ack,
        /// PSH,ACK.
        PshAck,
        /// FIN,ACK.
        FinAck,
        /// RST.
        Rst,
        /// RST,ACK.
        RstAck,
        /// URG,ACK.
        UrgAck,
        /// Any combination of the nine bits.
        Raw(u16),
    }
}

encoded_enum! {
    /// A sequence or acknowledgment number.
    pub enum Number {
        /// An edge of the connection, moved by an offset.
        At(Point),
        /// Any number.
        Raw(u32),
    }
}

encoded_struct! {
    /// An edge of the connection, moved by an offset.
    pub struct Point {
        /// The edge.
        pub edge: Edge,
        /// The offset.
        pub offset: Offset,
    }
}

encoded_enum! {
    /// A sequence number the connection keeps, read from its status.
    pub enum Edge {
        /// RCV.NXT (the peer's ISS before the connection has one).
        RcvNxt,
        /// RCV.NXT + RCV.WND: the right edge of the window we offered.
        RcvEdge,
        /// SND.UNA.
        SndUna,
        /// SND.NXT.
        SndNxt,
        /// SND.UNA + SND.WND: the right edge of the peer's window.
        SndEdge,
        /// Our ISS.
        Iss,
        /// IRS.
        Irs,
        /// The peer's ISS from the setup.
        PeerIss,
    }
}

encoded_enum! {
    /// How far from an edge.
    pub enum Offset {
        /// The edge itself.
        Zero,
        /// One past it.
        PlusOne,
        /// One before it.
        MinusOne,
        /// `n` past it.
        Plus(u16),
        /// `n` before it.
        Minus(u16),
        /// A whole window (the one this edge belongs to) past it.
        PlusWindow,
        /// A whole window before it.
        MinusWindow,
    }
}

encoded_struct! {
    /// The options of an injected segment, in this order.
    pub struct Options {
        /// MSS (meaningful on a SYN).
        pub mss: Maybe16,
        /// Window Scale: the shift, as sent (values above 14 included).
        pub window_scale: Maybe8,
        /// SACK-Permitted.
        pub sack_permitted: bool,
        /// SACK blocks.
        pub sack: Sack,
        /// Timestamps.
        pub timestamps: Ts,
    }
}

encoded_enum! {
    /// An option with a 16-bit value, or none.
    pub enum Maybe16 {
        /// Absent.
        None,
        /// Present.
        Some(u16),
    }
}

encoded_enum! {
    /// An option with an 8-bit value, or none.
    pub enum Maybe8 {
        /// Absent.
        None,
        /// Present.
        Some(u8),
    }
}

encoded_enum! {
    /// SACK blocks, or none.
    pub enum Sack {
        /// Absent.
        None,
        /// `count % 4 + 1` blocks of `len` octets from `start`, `gap` apart.
        Blocks(SackOp),
    }
}

encoded_struct! {
    /// SACK blocks, laid out from a point.
    pub struct SackOp {
        /// How many: `count % 4 + 1`.
        pub count: u8,
        /// The left edge of the first block.
        pub start: Point,
        /// Each block's length.
        pub len: u16,
        /// The gap between blocks.
        pub gap: u16,
    }
}

encoded_enum! {
    /// The Timestamps option, or none.
    pub enum Ts {
        /// Absent.
        None,
        /// TSval: the peer's clock moved on by `n`; TSecr: our last TSval.
        Fresh(u16),
        /// TSval: the peer's clock moved back by `n` (PAWS); TSecr: our last TSval.
        Old(u16),
        /// Any values.
        Raw(RawTs),
    }
}

encoded_struct! {
    /// Any TSval and TSecr.
    pub struct RawTs {
        /// TSval.
        pub tsval: u32,
        /// TSecr.
        pub tsecr: u32,
    }
}

encoded_struct! {
    /// A socket call on one connection.
    pub struct CallOp {
        /// The connection.
        pub side: Side,
        /// The call.
        pub call: Call,
    }
}

encoded_enum! {
    /// A socket call.
    pub enum Call {
        /// SEND with PUSH of `n % 8193` octets of the application's stream.
        Send(u16),
        /// SEND without PUSH.
        SendNoPush(u16),
        /// SEND with URGENT.
        SendUrgent(u16),
        /// RECEIVE into a buffer of `n % 4097 + 1` octets.
        Recv(u16),
        /// RECEIVE until nothing is left.
        RecvAll,
        /// shutdown(SHUT_RD).
        ShutdownRead,
        /// shutdown(SHUT_WR): CLOSE.
        ShutdownWrite,
        /// shutdown(SHUT_RDWR).
        ShutdownBoth,
        /// close().
        Close,
        /// ABORT.
        Abort,
    }
}

/// The whole input of the target: the configuration, then the steps.
pub type Scenario = crate::fuzz::Scenario<Setup, Op>;

impl crate::fuzz::ScenarioOp for Op {
    const MAX_OPS: usize = MAX_OPS;
}

impl Default for Setup {
    /// Every option offered, 16 KiB buffers, delayed ACKs, a 1 s MSL.
    fn default() -> Setup {
        Setup {
            iss: 1_000,
            peer_iss: 5_000,
            mss: 1460 - 64,
            send_buffer: 2,
            recv_buffer: 2,
            timestamps: true,
            sack: true,
            window_scaling: true,
            nodelay: false,
            delayed_ack: true,
            msl: 0,
            user_timeout: 0,
        }
    }
}
