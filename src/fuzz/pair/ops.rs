//! The input of the `pair` target: a [`Setup`] (the link's faults and the
//! connections' options), then at most [`MAX_OPS`] application [`Op`]s.
//! Every type derives `Arbitrary` and has an
//! [`Encode`](crate::fuzz::host::encode::Encode) (the macros of
//! [`crate::fuzz::host::encode`]).

use crate::fuzz::host::encode::{encoded_enum, encoded_struct};

/// The most ops one input runs: keeps a run short (exec/s).
pub const MAX_OPS: usize = 16;

encoded_struct! {
    /// The link and the connections, as far as the input chooses them.
    pub struct Setup {
        /// The seed of the fault injector and of both hosts.
        pub seed: u32,
        /// Drop probability: `n % 41` percent.
        pub drop: u8,
        /// Duplicate probability: `n % 41` percent.
        pub duplicate: u8,
        /// Reorder probability: `n % 41` percent (held back 10 ms).
        pub reorder: u8,
        /// Corrupt (one bit flipped) probability: `n % 21` percent.
        pub corrupt: u8,
        /// Extra delay: `n % 50` ms.
        pub delay: u8,
        /// Jitter: up to `n % 20` ms.
        pub jitter: u8,
        /// The MSS both announce: `200 + n % 1261`.
        pub mss: u16,
        /// Both hosts' send and receive buffers: a class
        /// (see [`buffer`](crate::fuzz::tcp_connection::build::buffer)).
        pub buffer: u8,
        /// Offer timestamps.
        pub timestamps: bool,
        /// Offer SACK.
        pub sack: bool,
        /// Offer window scaling.
        pub window_scaling: bool,
        /// Turn Nagle off.
        pub nodelay: bool,
    }
}

encoded_enum! {
    /// Which end of the connection.
    pub enum End {
        /// The client (host A, which connects).
        Client,
        /// The server (host B, which accepts).
        Server,
    }
}

encoded_enum! {
    /// One application step; after each, the link runs a little.
    pub enum Op {
        /// Write `n % 4097` octets of the end's stream.
        Write(WriteOp),
        /// shutdown(SHUT_WR): a FIN after the data.
        Shutdown(End),
        /// close() (after reading everything that arrived).
        Close(End),
        /// ABORT.
        Abort(End),
        /// Let `n % 2001` ms pass.
        Wait(u16),
    }
}

encoded_struct! {
    /// A write.
    pub struct WriteOp {
        /// Which end writes.
        pub end: End,
        /// How much: `n % 4097` octets.
        pub len: u16,
    }
}

/// The whole input of the target: the link and the connections, then the
/// application's steps.
pub type Scenario = crate::fuzz::Scenario<Setup, Op>;

impl crate::fuzz::ScenarioOp for Op {
    const MAX_OPS: usize = MAX_OPS;
}

impl Default for Setup {
    /// A clean link, every option, 16 KiB buffers.
    fn default() -> Setup {
        Setup {
            seed: 1,
            drop: 0,
            duplicate: 0,
            reorder: 0,
            corrupt: 0,
            delay: 0,
            jitter: 0,
            mss: 1260,
            buffer: 3,
            timestamps: true,
            sack: true,
            window_scaling: true,
            nodelay: false,
        }
    }
}
