//! Application protocols over synack's reference stack.
//!
//! The parsers are allocation-free over byte slices (httparse style) and
//! return typed errors; each has a fuzz target in `fuzz/`.
//!
//! - [`http`]: HTTP/1.1 messages (RFC 9112).
//! - [`dns`]: DNS messages (RFC 1035).
//! - [`tftp`]: TFTP packets (RFC 1350, options RFC 2347–2349).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dns;
pub mod http;
pub mod tftp;
