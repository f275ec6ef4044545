//! DNS messages (RFC 1035 4.1; AAAA RFC 3596; EDNS(0) RFC 6891): an
//! allocation-free parser and an emitter.
//!
//! ```text
//!     +---------------------+
//!     |        Header       |
//!     +---------------------+
//!     |       Question      | the question for the name server
//!     +---------------------+
//!     |        Answer       | RRs answering the question
//!     +---------------------+
//!     |      Authority      | RRs pointing toward an authority
//!     +---------------------+
//!     |      Additional     | RRs holding additional information
//!     +---------------------+
//! ```
//!
//! [`Message::parse`] checks the whole message once: the header, every
//! question and resource record, and every name with its compression
//! pointers. After that the section iterators ([`Message::questions`],
//! [`Message::answers`], ...) cannot fail, and a [`Name`] is a view into the
//! message that compares, hashes and prints without allocating.
//!
//! # Decisions
//!
//! - **Compression pointers** (RFC 1035 4.1.4) must point strictly before
//!   the first byte of the labels read so far for the name being walked:
//!   each jump goes further back, which rules out self-pointers, loops and
//!   forward pointers in one test, and a name follows at most
//!   [`MAX_POINTERS`] of them. A name is at most [`MAX_NAME_LEN`] bytes
//!   uncompressed and a label at most [`MAX_LABEL_LEN`]; the label types 01
//!   and 10 (RFC 6891 5, RFC 2673, both obsolete) are rejected.
//! - **Typed RDATA** for A, NS, CNAME, SOA, PTR, MX, TXT, AAAA and OPT; every
//!   other type is kept raw (RFC 3597), so it re-emits unchanged. Its bytes
//!   are never decompressed: RFC 3597 4 forbids compression in new types.
//! - **The emitter** ([`MessageWriter`], [`Message::emit`]) writes names
//!   either uncompressed or compressed, by [`Compression`]. Compression
//!   only points at labels already written whose suffix matches byte for
//!   byte (case included), in the owner names and in the RDATA names of the
//!   types RFC 3597 4 lists as compressible here (NS, CNAME, SOA, PTR, MX).
//!   So `emit(parse(x))` parses to a message equal to `parse(x)`.
//! - **Strictness**: bytes after the last record the counts announce are an
//!   error ([`DnsError::TrailingBytes`]); so are RDATA that do not fill their
//!   RDLENGTH exactly, TXT RDATA without a string and an OPT record whose
//!   owner is not the root (RFC 6891 6.1.2).
//! - **Equality** of names is exact, byte for byte: a round trip must keep
//!   the case (RFC 4343 says DNS preserves it). [`Name::eq_ignore_ascii_case`]
//!   is the comparison resolvers use.
//! - **Display** prints dig's one-line forms: a record as
//!   `example.com.\t3600\tIN\tA\t192.0.2.1`, a question as
//!   `;example.com.\t\tIN\tA`; [`Message::dig`] prints dig's whole answer,
//!   and a message's own `Display` is one tcpdump-style line.

use core::fmt;

mod header;
mod message;
mod name;
mod rdata;
mod text;
mod writer;

pub mod fuzz;

pub use header::{Header, Opcode, Rcode, HEADER_LEN};
pub use message::{Dig, Message, Question, Questions, Record, Records, Section};
pub use name::{Labels, Name, NameBuf, MAX_LABEL_LEN, MAX_NAME_LEN, MAX_POINTERS};
pub use rdata::{
    Class, Edns, EdnsOption, EdnsOptions, OptData, OptionCode, RData, RecordType, Soa, Txt,
    TxtStrings,
};
pub use writer::{Compression, MessageWriter};

/// Why a DNS message could not be read or written.
///
/// Every variant names the field or the offset at fault, so that a report or
/// a fuzzer's crash says exactly what was wrong with the bytes. A server
/// answers any of the parse errors with FORMERR (RFC 1035 4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsError {
    /// The message ends before a field does (or before the length an
    /// RDLENGTH claims).
    Truncated {
        /// The field that does not fit.
        field: &'static str,
        /// The offset the field needs the message to reach.
        need: usize,
        /// The length of the message.
        have: usize,
    },
    /// A field holds a value the RFCs forbid, or that does not fit.
    Invalid {
        /// The field holding the value.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// A label's length byte uses the reserved label types 01 or 10
    /// (64..=191): RFC 1035 2.3.4 limits labels to 63 bytes, and RFC 6891 5
    /// retired the extended label types.
    BadLabel {
        /// The offset of the length byte.
        at: usize,
        /// The length byte.
        value: u8,
    },
    /// A name is longer than 255 bytes uncompressed (RFC 1035 2.3.4).
    NameTooLong {
        /// The offset where the name starts.
        at: usize,
    },
    /// A compression pointer does not point strictly before the labels
    /// already read for its name: a forward pointer, a pointer to itself or
    /// a loop (RFC 1035 4.1.4).
    PointerNotBackward {
        /// The offset of the pointer.
        at: usize,
        /// The offset it points to.
        target: usize,
    },
    /// A name follows more than [`MAX_POINTERS`] compression pointers.
    TooManyPointers {
        /// The offset where the name starts.
        at: usize,
    },
    /// An RDATA does not fill its RDLENGTH exactly with what its type
    /// requires (4 bytes for A, one name for NS, ...).
    RdataLength {
        /// The record's TYPE.
        rtype: u16,
        /// The record's RDLENGTH.
        len: u16,
    },
    /// Bytes follow the last record the header's counts announce.
    TrailingBytes {
        /// How many.
        len: usize,
    },
    /// The output buffer is too small for what is being written.
    NoSpace {
        /// The length the write needs the buffer to have.
        need: usize,
        /// The length of the buffer.
        have: usize,
    },
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DnsError::Truncated { field, need, have } => {
                write!(f, "truncated {field}: need {need} bytes, have {have}")
            }
            DnsError::Invalid { field, value } => write!(f, "invalid {field}: {value}"),
            DnsError::BadLabel { at, value } => {
                write!(f, "bad label length byte {value:#04x} at offset {at}")
            }
            DnsError::NameTooLong { at } => {
                write!(f, "name at offset {at} is longer than 255 bytes")
            }
            DnsError::PointerNotBackward { at, target } => write!(
                f,
                "compression pointer at offset {at} to {target} does not point backwards"
            ),
            DnsError::TooManyPointers { at } => {
                write!(f, "name at offset {at} follows too many pointers")
            }
            DnsError::RdataLength { rtype, len } => write!(
                f,
                "rdata of {} does not fill its length {len}",
                RecordType::from(rtype)
            ),
            DnsError::TrailingBytes { len } => {
                write!(f, "{len} bytes after the last record")
            }
            DnsError::NoSpace { need, have } => {
                write!(f, "no space: need {need} bytes, have {have}")
            }
        }
    }
}

impl std::error::Error for DnsError {}

/// Fail with [`DnsError::Truncated`] unless `have` reaches `need`.
fn need_len(field: &'static str, need: usize, have: usize) -> Result<(), DnsError> {
    if have < need {
        Err(DnsError::Truncated { field, need, have })
    } else {
        Ok(())
    }
}

/// Read the big-endian `u16` at `at` of `bytes`, naming `field` if it does
/// not fit.
fn read_u16(bytes: &[u8], at: usize, field: &'static str) -> Result<u16, DnsError> {
    match bytes.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => Ok(u16::from_be_bytes([a, b])),
        _ => Err(DnsError::Truncated {
            field,
            need: at.saturating_add(2),
            have: bytes.len(),
        }),
    }
}

/// Read the big-endian `u32` at `at` of `bytes`, naming `field` if it does
/// not fit.
fn read_u32(bytes: &[u8], at: usize, field: &'static str) -> Result<u32, DnsError> {
    match bytes.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => Ok(u32::from_be_bytes([a, b, c, d])),
        _ => Err(DnsError::Truncated {
            field,
            need: at.saturating_add(4),
            have: bytes.len(),
        }),
    }
}

#[cfg(test)]
mod tests;
