//! synack's reference TCP/IP stack.
//!
//! The stack is written to be read as well as run: every layer follows the RFC
//! that defines it, cites the requirement it implements (RFC 9293 Appendix B
//! numbering: MUST-n, SHLD-n, MAY-n) and never reads a clock or a socket. It is
//! given frames and the time, and it returns frames and the next time it wants
//! to run.
//!
//! - [`wire`]: zero-copy packet views and owned `Repr`s, per protocol.
//! - [`host`]: the sans-IO host below TCP: ARP, IPv4, ICMPv4, UDP sockets.
//! - [`tcp`]: sequence arithmetic and (later) the TCP engine.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod macros;

pub mod device;
pub mod host;
pub mod random;
pub mod tcp;
pub mod time;
pub mod wire;
