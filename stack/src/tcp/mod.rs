//! TCP (RFC 9293): sequence-number arithmetic, and the engine built on it.
//!
//! The engine is sans-IO: a [`Connection`] is given segments, timeouts and
//! application commands with the time, and returns segments, events and
//! the next time it wants to run. The host (listeners, demultiplexing, RSTs
//! for segments without a connection, ephemeral ports) lives in `host`.
//!
//! - [`connection`]: the [`Connection`] type and its polling order;
//! - [`input`]: SEGMENT ARRIVES, one arm per RFC 9293 3.10.7 subsection;
//! - `output`: what to send next; `window`: the offered window;
//! - `timeouts` and [`timers`]: the timer table and what each timer does;
//! - [`options`]: MSS, window scale, timestamps/PAWS, SACK-permitted;
//! - [`send_queue`], [`recv_queue`], [`scoreboard`], [`rtt`], [`congestion`], [`isn`].
//!
//! `REQUIREMENTS.md` beside this file maps RFC 9293 Appendix B to the tests.

pub mod api;
pub mod config;
pub mod congestion;
pub mod connection;
pub mod error;
pub mod event;
pub mod icmp;
mod incarnation;
pub mod input;
pub mod isn;
pub mod options;
mod output;
pub mod recv_queue;
pub mod rtt;
pub mod scoreboard;
pub mod send_queue;
pub mod seq;
pub mod state;
pub mod status;
pub mod tcb;
mod timeouts;
pub mod timers;
pub mod verdict;
mod window;

#[cfg(test)]
mod tests;

pub use api::{SendFlags, Shutdown};
pub use config::{Config, ConfigError, Keepalive, Sabotage};
pub use connection::{Connection, FourTuple, Seeds};
pub use error::{CloseError, ConnectionError, Errno, RecvError, SendError};
pub use event::{ResetCause, TcpEvent};
pub use icmp::{IcmpError, IcmpOutcome};
pub use input::reset_for;
pub use recv_queue::{Accepted, RecvQueue};
pub use scoreboard::{NextSeg, RecoveryVars, Scoreboard};
pub use seq::SeqNumber;
pub use state::State;
pub use status::Status;
pub use verdict::{Verdict, Why};
