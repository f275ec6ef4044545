//! TFTP packets (RFC 1350; option extension RFC 2347, blksize RFC 2348,
//! timeout and tsize RFC 2349, windowsize RFC 7440): an allocation-free
//! parser and an emitter.
//!
//! ```text
//!  RRQ/WRQ | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
//!  DATA    | 03    | block #  | data (0..blksize bytes)
//!  ACK     | 04    | block #  |
//!  ERROR   | 05    | code     | message | 0 |
//!  OACK    | 06    | opt1 | 0 | value1 | 0 | ...
//! ```
//!
//! # Decisions
//!
//! - **NUL termination**: every string (filename, mode, option name and
//!   value, error message) ends with a NUL, and nothing may follow the last
//!   one: a string without its NUL is [`TftpError::Unterminated`], bytes
//!   after an ACK or an ERROR's message are [`TftpError::TrailingBytes`].
//!   An option name without a value is unterminated at `"option value"`.
//! - **Case**: modes (`netascii`, `octet`, `mail`) and option names are
//!   matched ignoring ASCII case (RFC 1350 5, RFC 2347). The mode is kept as
//!   a [`Mode`] and re-emitted in lower case; an option area as read is
//!   re-emitted byte for byte.
//! - **Known options** are typed and their values checked: blksize 8..=65464
//!   (RFC 2348), timeout 1..=255 (RFC 2349), tsize any 64-bit size (RFC
//!   2349), windowsize 1..=65535 (RFC 7440); a bad value is
//!   [`TftpError::BadOptionValue`], a repeated one
//!   [`TftpError::DuplicateOption`]: what a server answers with error 8
//!   (RFC 2347). Unknown options are kept, in order, for the server to
//!   ignore. An OACK must carry at least one option.
//! - **No length limits** are applied to DATA (the block size is negotiated,
//!   so only a transfer knows it) or to requests (RFC 2347's 512-byte
//!   request limit is the sender's to keep).
//!
//! Beyond the packets: [`Transfer`] is the sans-IO state machine of one read
//! transfer (negotiation, lock-step blocks, retransmission on timeout), and
//! [`server::Server`] serves files with it over the reference host's UDP
//! sockets.

use core::fmt;

mod options;
mod transfer;

pub mod fuzz;
pub mod server;

pub use options::{OptionIter, Options, TftpOption, BLKSIZE_RANGE};
pub use transfer::{netascii, Failure, Refusal, Transfer, TransferConfig, TransferState};

/// The TFTP server port (RFC 1350 4).
pub const PORT: u16 = 69;

/// The block size without the blksize option (RFC 1350 1).
pub const DEFAULT_BLKSIZE: usize = 512;

/// Why a TFTP packet could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TftpError {
    /// The packet ends before a fixed-size field (opcode, block number,
    /// error code) does.
    Truncated {
        /// The field that does not fit.
        field: &'static str,
        /// The length the field needs the packet to have.
        need: usize,
        /// The length of the packet.
        have: usize,
    },
    /// A string field has no terminating NUL before the end of the packet.
    Unterminated {
        /// The field: `"filename"`, `"mode"`, `"option name"`,
        /// `"option value"` or `"error message"`.
        field: &'static str,
    },
    /// A field holds a value the RFCs forbid: an unknown opcode, an empty
    /// option name (value: its offset), an OACK without options, or, when
    /// emitting, a string holding a NUL.
    Invalid {
        /// The field holding the value.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// The mode is none of netascii, octet and mail (RFC 1350 5).
    UnknownMode,
    /// A known option's value is not a decimal number in its range.
    BadOptionValue {
        /// The option's name, in lower case.
        option: &'static str,
    },
    /// A known option appears twice.
    DuplicateOption {
        /// The option's name, in lower case.
        option: &'static str,
    },
    /// Bytes follow the end of an ACK or of an ERROR's message.
    TrailingBytes {
        /// How many.
        len: usize,
    },
    /// The output buffer is too small.
    NoSpace {
        /// The length the packet needs.
        need: usize,
        /// The length of the buffer.
        have: usize,
    },
}

impl fmt::Display for TftpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TftpError::Truncated { field, need, have } => {
                write!(f, "truncated {field}: need {need} bytes, have {have}")
            }
            TftpError::Unterminated { field } => write!(f, "{field} has no terminating NUL"),
            TftpError::Invalid { field, value } => write!(f, "invalid {field}: {value}"),
            TftpError::UnknownMode => f.write_str("unknown transfer mode"),
            TftpError::BadOptionValue { option } => write!(f, "bad value for option {option}"),
            TftpError::DuplicateOption { option } => write!(f, "option {option} given twice"),
            TftpError::TrailingBytes { len } => write!(f, "{len} bytes after the packet's end"),
            TftpError::NoSpace { need, have } => {
                write!(f, "no space: need {need} bytes, have {have}")
            }
        }
    }
}

impl std::error::Error for TftpError {}

/// The opcodes (RFC 1350 5, OACK RFC 2347).
mod opcode {
    /// Read request.
    pub const RRQ: u16 = 1;
    /// Write request.
    pub const WRQ: u16 = 2;
    /// Data.
    pub const DATA: u16 = 3;
    /// Acknowledgment.
    pub const ACK: u16 = 4;
    /// Error.
    pub const ERROR: u16 = 5;
    /// Option acknowledgment.
    pub const OACK: u16 = 6;
}

/// The transfer mode of a request (RFC 1350 1, 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// NVT ASCII: lines end in CR LF, a bare CR is CR NUL.
    Netascii,
    /// Raw 8-bit bytes.
    Octet,
    /// Mail to a user (obsolete).
    Mail,
}

impl Mode {
    /// Read a mode, ignoring ASCII case; fail with [`TftpError::UnknownMode`].
    pub fn parse(text: &[u8]) -> Result<Mode, TftpError> {
        [Mode::Netascii, Mode::Octet, Mode::Mail]
            .into_iter()
            .find(|mode| mode.as_str().as_bytes().eq_ignore_ascii_case(text))
            .ok_or(TftpError::UnknownMode)
    }

    /// Return the mode's name, in lower case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Netascii => "netascii",
            Mode::Octet => "octet",
            Mode::Mail => "mail",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ERROR packet's code (RFC 1350 appendix; 8 from RFC 2347).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 0: not defined, see the message.
    NotDefined,
    /// 1: file not found.
    FileNotFound,
    /// 2: access violation.
    AccessViolation,
    /// 3: disk full or allocation exceeded.
    DiskFull,
    /// 4: illegal TFTP operation.
    IllegalOperation,
    /// 5: unknown transfer ID.
    UnknownTransferId,
    /// 6: file already exists.
    FileExists,
    /// 7: no such user.
    NoSuchUser,
    /// 8: option negotiation refused (RFC 2347).
    OptionNegotiation,
    /// A code this implementation does not name, kept as read.
    Unknown(u16),
}

/// The named error codes, in code order.
const ERROR_CODES: [(ErrorCode, &str); 9] = [
    (ErrorCode::NotDefined, "not defined"),
    (ErrorCode::FileNotFound, "file not found"),
    (ErrorCode::AccessViolation, "access violation"),
    (ErrorCode::DiskFull, "disk full"),
    (ErrorCode::IllegalOperation, "illegal operation"),
    (ErrorCode::UnknownTransferId, "unknown transfer id"),
    (ErrorCode::FileExists, "file exists"),
    (ErrorCode::NoSuchUser, "no such user"),
    (ErrorCode::OptionNegotiation, "option negotiation"),
];

impl From<u16> for ErrorCode {
    fn from(value: u16) -> ErrorCode {
        ERROR_CODES
            .get(usize::from(value))
            .map_or(ErrorCode::Unknown(value), |(code, _)| *code)
    }
}

impl From<ErrorCode> for u16 {
    fn from(code: ErrorCode) -> u16 {
        match code {
            ErrorCode::Unknown(value) => value,
            // NOTE: the table holds every named code, so position finds it.
            named => ERROR_CODES
                .iter()
                .position(|(c, _)| *c == named)
                .unwrap_or(0) as u16,
        }
    }
}

impl fmt::Display for ErrorCode {
    /// Print the code and its meaning: `1 (file not found)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = u16::from(*self);
        match ERROR_CODES.get(usize::from(value)) {
            Some((_, text)) => write!(f, "{value} ({text})"),
            None => write!(f, "{value}"),
        }
    }
}

/// A read or write request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The file's name, in netascii, without its NUL.
    pub filename: &'a [u8],
    /// The transfer mode.
    pub mode: Mode,
    /// The options (RFC 2347), perhaps none.
    pub options: Options<'a>,
}

/// A TFTP packet, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet<'a> {
    /// RRQ: read a file.
    Rrq(Request<'a>),
    /// WRQ: write a file.
    Wrq(Request<'a>),
    /// DATA: a block of the file; a block shorter than the block size ends
    /// the transfer.
    Data {
        /// The block number, from 1.
        block: u16,
        /// The data.
        data: &'a [u8],
    },
    /// ACK: a block received (block 0 acknowledges a WRQ or an OACK).
    Ack {
        /// The block number.
        block: u16,
    },
    /// ERROR: the transfer ends.
    Error {
        /// The error code.
        code: ErrorCode,
        /// The message, in netascii, without its NUL.
        message: &'a [u8],
    },
    /// OACK: the options the server accepts (RFC 2347).
    Oack(Options<'a>),
}

/// Read the big-endian `u16` at `at`, naming `field` if it does not fit.
fn read_u16(bytes: &[u8], at: usize, field: &'static str) -> Result<u16, TftpError> {
    match bytes.get(at..at + 2) {
        Some(&[a, b]) => Ok(u16::from_be_bytes([a, b])),
        _ => Err(TftpError::Truncated {
            field,
            need: at + 2,
            have: bytes.len(),
        }),
    }
}

/// Read the NUL-terminated string at `at`; return it without its NUL and
/// the offset after the NUL.
fn read_string<'a>(
    bytes: &'a [u8],
    at: usize,
    field: &'static str,
) -> Result<(&'a [u8], usize), TftpError> {
    let rest = bytes.get(at..).unwrap_or_default();
    match rest.iter().position(|&b| b == 0) {
        Some(len) => Ok((&rest[..len], at + len + 1)),
        None => Err(TftpError::Unterminated { field }),
    }
}

/// Fail with [`TftpError::TrailingBytes`] unless `end` is the packet's end.
fn at_end(bytes: &[u8], end: usize) -> Result<(), TftpError> {
    match bytes.len().saturating_sub(end) {
        0 => Ok(()),
        len => Err(TftpError::TrailingBytes { len }),
    }
}

impl<'a> Packet<'a> {
    /// Read a packet (a whole UDP payload).
    ///
    /// Fails with the [`TftpError`] that names the first field at fault.
    pub fn parse(bytes: &'a [u8]) -> Result<Packet<'a>, TftpError> {
        match read_u16(bytes, 0, "opcode")? {
            op @ (opcode::RRQ | opcode::WRQ) => {
                let (filename, at) = read_string(bytes, 2, "filename")?;
                let (mode, at) = read_string(bytes, at, "mode")?;
                let request = Request {
                    filename,
                    mode: Mode::parse(mode)?,
                    options: Options::parse(bytes, at)?,
                };
                Ok(if op == opcode::RRQ {
                    Packet::Rrq(request)
                } else {
                    Packet::Wrq(request)
                })
            }
            opcode::DATA => Ok(Packet::Data {
                block: read_u16(bytes, 2, "block")?,
                data: &bytes[4..],
            }),
            opcode::ACK => {
                let block = read_u16(bytes, 2, "block")?;
                at_end(bytes, 4)?;
                Ok(Packet::Ack { block })
            }
            opcode::ERROR => {
                let code = ErrorCode::from(read_u16(bytes, 2, "error code")?);
                let (message, end) = read_string(bytes, 4, "error message")?;
                at_end(bytes, end)?;
                Ok(Packet::Error { code, message })
            }
            opcode::OACK => {
                let options = Options::parse(bytes, 2)?;
                if options.is_empty() {
                    return Err(TftpError::Invalid {
                        field: "oack options",
                        value: 0,
                    });
                }
                Ok(Packet::Oack(options))
            }
            other => Err(TftpError::Invalid {
                field: "opcode",
                value: other.into(),
            }),
        }
    }

    /// Return the opcode.
    pub fn opcode(&self) -> u16 {
        match self {
            Packet::Rrq(_) => opcode::RRQ,
            Packet::Wrq(_) => opcode::WRQ,
            Packet::Data { .. } => opcode::DATA,
            Packet::Ack { .. } => opcode::ACK,
            Packet::Error { .. } => opcode::ERROR,
            Packet::Oack(_) => opcode::OACK,
        }
    }

    /// Return the length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        2 + match self {
            Packet::Rrq(r) | Packet::Wrq(r) => {
                r.filename.len() + 1 + r.mode.as_str().len() + 1 + r.options.wire_len()
            }
            Packet::Data { data, .. } => 2 + data.len(),
            Packet::Ack { .. } => 2,
            Packet::Error { message, .. } => 2 + message.len() + 1,
            Packet::Oack(options) => options.wire_len(),
        }
    }

    /// Write the packet into `buffer`; return its length,
    /// [`buffer_len`](Self::buffer_len).
    ///
    /// Fails with [`TftpError::NoSpace`] if `buffer` is shorter, and refuses
    /// what would not parse back to the same packet: a string holding a NUL
    /// ([`TftpError::Invalid`], field `"filename"`, `"error message"`,
    /// `"option name"` or `"option value"`), an OACK without options, and
    /// the errors of [`Options::check`].
    pub fn emit(&self, buffer: &mut [u8]) -> Result<usize, TftpError> {
        self.check()?;
        let need = self.buffer_len();
        let have = buffer.len();
        let out = buffer
            .get_mut(..need)
            .ok_or(TftpError::NoSpace { need, have })?;
        out[..2].copy_from_slice(&self.opcode().to_be_bytes());
        let mut w = options::Cursor::new(&mut out[2..]);
        match self {
            Packet::Rrq(r) | Packet::Wrq(r) => {
                w.string(r.filename);
                w.string(r.mode.as_str().as_bytes());
                r.options.write(&mut w);
            }
            Packet::Data { block, data } => {
                w.put(&block.to_be_bytes());
                w.put(data);
            }
            Packet::Ack { block } => w.put(&block.to_be_bytes()),
            Packet::Error { code, message } => {
                w.put(&u16::from(*code).to_be_bytes());
                w.string(message);
            }
            Packet::Oack(options) => options.write(&mut w),
        }
        Ok(need)
    }

    /// Check that the packet would parse back to itself once emitted.
    fn check(&self) -> Result<(), TftpError> {
        let no_nul = |field: &'static str, s: &[u8]| match s.iter().position(|&b| b == 0) {
            Some(at) => Err(TftpError::Invalid {
                field,
                value: u32::try_from(at).unwrap_or(u32::MAX),
            }),
            None => Ok(()),
        };
        match self {
            Packet::Rrq(r) | Packet::Wrq(r) => {
                no_nul("filename", r.filename)?;
                r.options.check()
            }
            Packet::Error { message, .. } => no_nul("error message", message),
            Packet::Oack(options) if options.is_empty() => Err(TftpError::Invalid {
                field: "oack options",
                value: 0,
            }),
            Packet::Oack(options) => options.check(),
            Packet::Data { .. } | Packet::Ack { .. } => Ok(()),
        }
    }
}

impl fmt::Display for Packet<'_> {
    /// Print one line, as tcpdump does: `TFTP RRQ "c:\\qwerq.qwe" netascii
    /// blksize 512`, `TFTP DATA block 1, 512 bytes`, `TFTP ACK block 1`,
    /// `TFTP ERROR 1 (file not found) "no such file"`, `TFTP OACK blksize
    /// 1428`. Strings print with Rust's ASCII escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Packet::Rrq(r) | Packet::Wrq(r) => {
                let kind = if matches!(self, Packet::Rrq(_)) {
                    "RRQ"
                } else {
                    "WRQ"
                };
                write!(
                    f,
                    "TFTP {kind} \"{}\" {}",
                    r.filename.escape_ascii(),
                    r.mode
                )?;
                if !r.options.is_empty() {
                    write!(f, " {}", r.options)?;
                }
                Ok(())
            }
            Packet::Data { block, data } => {
                write!(f, "TFTP DATA block {block}, {} bytes", data.len())
            }
            Packet::Ack { block } => write!(f, "TFTP ACK block {block}"),
            Packet::Error { code, message } => {
                write!(f, "TFTP ERROR {code} \"{}\"", message.escape_ascii())
            }
            Packet::Oack(options) => write!(f, "TFTP OACK {options}"),
        }
    }
}

#[cfg(test)]
mod tests;
