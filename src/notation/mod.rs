//! packetdrill segment notation: a [`SegmentPattern`] is what an `out` step
//! expects (wildcards allowed) and what an `in` step injects (no wildcards).
//!
//! The grammar is the one [`TcpRepr`]'s `Display` prints (see
//! [`stack::wire::tcp`]), with sequence numbers relative to the ISNs (both
//! written as 0) and wildcards added:
//!
//! ```text
//! segment = flags (seq ":" end | "*:*") "(" len ")" ["ack" n32] ["win" n16] ["urg" n16]
//!           ["rsv" 1..7] ["<" (options | "...") ">"]
//! flags   = "none" | letters, each once, any order (printed in this order):
//!           F (FIN) S (SYN) R (RST) P (PSH) . (ACK) U (URG) E (ECE) W (CWR) A (AE)
//! seq     = relative sequence number; len = data length (SYN and FIN not
//!           counted); end = seq + len (mod 2^32); `*:*` only on a SYN in
//!           an `out` step: a new ISN the script leaves open (a new
//!           incarnation on a real clock), taken as the ISN from then on
//! options = option *("," option)
//! option  = "eol" [hex] | "nop" | "mss" n16 | "wscale" n8 | "sackOK"
//!         | "sack" ("*" | 1*(u32 ":" u32)) | "TS val" n32 "ecr" n32 | "opt" u8 [hex]
//! n16 ... = a number, or "*" for any value (wildcards only in `out`)
//! hex     = two hex digits per byte, no separator
//! ```
//!
//! `ack` is required when the ACK flag is set and `urg` when URG is set;
//! `win` is required in an `in` step and, left out of an `out` step, means
//! any window. Options left out mean none; `<...>` means any. The acknowledgment
//! number and SACK blocks are relative to the receiver's ISN, the sequence
//! number to the sender's; windows, urgent pointers and timestamps are
//! absolute.

pub(crate) mod cursor;
mod parse;
mod pattern;
mod wild;

pub use cursor::{SyntaxError, EXPECTED_ADDRESS};
pub use parse::{parse_inbound, parse_segment};
pub use pattern::{Isns, OptionPattern, OptionsPattern, SegmentField, SegmentPattern};
pub use wild::Wild;

#[cfg(doc)]
use stack::wire::tcp::TcpRepr;

#[cfg(test)]
mod tests;
