//! Options of requests and OACKs (RFC 2347): `name NUL value NUL` pairs,
//! the known ones typed (RFC 2348, RFC 2349, RFC 7440).

use core::fmt;

use super::{read_string, TftpError};

/// The known options' names, in lower case, by [`TftpOption::known_index`].
const KNOWN: [&str; 4] = ["blksize", "timeout", "tsize", "windowsize"];

/// The smallest and largest block sizes (RFC 2348).
pub const BLKSIZE_RANGE: core::ops::RangeInclusive<u64> = 8..=65464;

/// One option of a request or an OACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TftpOption<'a> {
    /// `blksize`: the block size, 8..=65464 bytes (RFC 2348).
    Blksize(u16),
    /// `timeout`: the retransmission timeout, 1..=255 seconds (RFC 2349).
    Timeout(u8),
    /// `tsize`: the transfer size in bytes; 0 in an RRQ asks the server
    /// for it (RFC 2349).
    Tsize(u64),
    /// `windowsize`: blocks per window, 1..=65535 (RFC 7440).
    Windowsize(u16),
    /// An option this implementation does not know, kept as read.
    Other {
        /// The name, as sent (case kept).
        name: &'a [u8],
        /// The value.
        value: &'a [u8],
    },
}

impl<'a> TftpOption<'a> {
    /// Read an option from its name (any case) and value.
    ///
    /// Fails with [`TftpError::BadOptionValue`] when a known option's value
    /// is not a decimal number in its range.
    pub fn parse(name: &'a [u8], value: &'a [u8]) -> Result<TftpOption<'a>, TftpError> {
        let Some(index) = KNOWN
            .iter()
            .position(|k| k.as_bytes().eq_ignore_ascii_case(name))
        else {
            return Ok(TftpOption::Other { name, value });
        };
        let bad = TftpError::BadOptionValue {
            option: KNOWN[index],
        };
        let number = decimal(value).ok_or(bad)?;
        let in_range = |range: core::ops::RangeInclusive<u64>| {
            if range.contains(&number) {
                Ok(number)
            } else {
                Err(bad)
            }
        };
        // NOTE: each value was just checked to fit its type.
        Ok(match index {
            0 => TftpOption::Blksize(in_range(BLKSIZE_RANGE)? as u16),
            1 => TftpOption::Timeout(in_range(1..=255)? as u8),
            2 => TftpOption::Tsize(number),
            _ => TftpOption::Windowsize(in_range(1..=65535)? as u16),
        })
    }

    /// Return the index of a known option in [`KNOWN`], `None` for others.
    fn known_index(&self) -> Option<usize> {
        match self {
            TftpOption::Blksize(_) => Some(0),
            TftpOption::Timeout(_) => Some(1),
            TftpOption::Tsize(_) => Some(2),
            TftpOption::Windowsize(_) => Some(3),
            TftpOption::Other { .. } => None,
        }
    }

    /// Return the number a known option holds.
    fn number(&self) -> Option<u64> {
        match *self {
            TftpOption::Blksize(n) | TftpOption::Windowsize(n) => Some(n.into()),
            TftpOption::Timeout(n) => Some(n.into()),
            TftpOption::Tsize(n) => Some(n),
            TftpOption::Other { .. } => None,
        }
    }

    /// Return the length of `name NUL value NUL` as [`Options`] writes it.
    fn wire_len(&self) -> usize {
        match (self.known_index(), self.number(), self) {
            (Some(i), Some(n), _) => KNOWN[i].len() + 1 + Digits::new(n).as_bytes().len() + 1,
            (_, _, TftpOption::Other { name, value }) => name.len() + 1 + value.len() + 1,
            _ => 0,
        }
    }
}

impl fmt::Display for TftpOption<'_> {
    /// Print `name value`, e.g. `blksize 1428`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.known_index(), self.number(), self) {
            (Some(i), Some(n), _) => write!(f, "{} {n}", KNOWN[i]),
            (_, _, TftpOption::Other { name, value }) => {
                write!(f, "{} {}", name.escape_ascii(), value.escape_ascii())
            }
            _ => Ok(()),
        }
    }
}

/// Read a decimal number of one or more digits, `None` on anything else
/// or on overflow.
fn decimal(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |acc, &c| {
        let digit = char::from(c).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(digit.into())
    })
}

/// The decimal digits of a number, without allocating.
struct Digits {
    bytes: [u8; 20],
    start: usize,
}

impl Digits {
    fn new(mut n: u64) -> Digits {
        let mut digits = Digits {
            bytes: [b'0'; 20],
            start: 20,
        };
        loop {
            digits.start -= 1;
            // NOTE: n % 10 < 10.
            digits.bytes[digits.start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                return digits;
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// The options of a request or OACK: either as read from a packet (kept
/// byte for byte) or a list built by the caller (written in canonical
/// form: lower-case names, plain decimal numbers).
///
/// Equality compares the options in order, not the bytes.
#[derive(Clone, Copy)]
pub struct Options<'a>(Source<'a>);

#[derive(Clone, Copy)]
enum Source<'a> {
    Wire(&'a [u8]),
    List(&'a [TftpOption<'a>]),
}

impl<'a> Options<'a> {
    /// Return no options.
    pub const fn none() -> Options<'a> {
        Options(Source::List(&[]))
    }

    /// Return options to write, in order (see [`check`](Self::check)).
    pub const fn from_list(options: &'a [TftpOption<'a>]) -> Options<'a> {
        Options(Source::List(options))
    }

    /// Read the option area from offset `at` to the end of `packet`.
    ///
    /// Fails with [`TftpError::Unterminated`] (field `"option name"` or
    /// `"option value"`), [`TftpError::Invalid`] (field `"option name"`, for
    /// an empty one, value: its offset), [`TftpError::BadOptionValue`] and
    /// [`TftpError::DuplicateOption`].
    pub fn parse(packet: &'a [u8], at: usize) -> Result<Options<'a>, TftpError> {
        let mut pos = at;
        let mut seen = [false; KNOWN.len()];
        while pos < packet.len() {
            let (name, next) = read_string(packet, pos, "option name")?;
            if name.is_empty() {
                return Err(TftpError::Invalid {
                    field: "option name",
                    value: u32::try_from(pos).unwrap_or(u32::MAX),
                });
            }
            let (value, next) = read_string(packet, next, "option value")?;
            let option = TftpOption::parse(name, value)?;
            if let Some(index) = option.known_index() {
                if core::mem::replace(&mut seen[index], true) {
                    return Err(TftpError::DuplicateOption {
                        option: KNOWN[index],
                    });
                }
            }
            pos = next;
        }
        Ok(Options(Source::Wire(packet.get(at..).unwrap_or_default())))
    }

    /// Check that the options would parse back to themselves once written:
    /// known values in range ([`TftpError::BadOptionValue`]), no known
    /// option twice ([`TftpError::DuplicateOption`]), and names and values
    /// of other options without NULs, names not empty and not those of
    /// known options ([`TftpError::Invalid`], field `"option name"` or
    /// `"option value"`, value: the option's index).
    pub fn check(&self) -> Result<(), TftpError> {
        let mut seen = [false; KNOWN.len()];
        for (i, option) in self.iter().enumerate() {
            let invalid = |field| TftpError::Invalid {
                field,
                value: u32::try_from(i).unwrap_or(u32::MAX),
            };
            match option {
                TftpOption::Other { name, value } => {
                    let known = TftpOption::parse(name, value).map(|o| o.known_index());
                    if name.is_empty() || name.contains(&0) || !matches!(known, Ok(None)) {
                        return Err(invalid("option name"));
                    }
                    if value.contains(&0) {
                        return Err(invalid("option value"));
                    }
                }
                TftpOption::Blksize(n) if !BLKSIZE_RANGE.contains(&n.into()) => {
                    return Err(TftpError::BadOptionValue { option: KNOWN[0] });
                }
                TftpOption::Timeout(0) => {
                    return Err(TftpError::BadOptionValue { option: KNOWN[1] })
                }
                TftpOption::Windowsize(0) => {
                    return Err(TftpError::BadOptionValue { option: KNOWN[3] })
                }
                _ => {}
            }
            if let Some(index) = option.known_index() {
                if core::mem::replace(&mut seen[index], true) {
                    return Err(TftpError::DuplicateOption {
                        option: KNOWN[index],
                    });
                }
            }
        }
        Ok(())
    }

    /// Return the options, in order.
    pub fn iter(&self) -> OptionIter<'a> {
        OptionIter(self.0)
    }

    /// Return whether there are no options.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Return the blksize option's value, if present.
    pub fn blksize(&self) -> Option<u16> {
        self.iter().find_map(|o| match o {
            TftpOption::Blksize(n) => Some(n),
            _ => None,
        })
    }

    /// Return the timeout option's value, if present.
    pub fn timeout(&self) -> Option<u8> {
        self.iter().find_map(|o| match o {
            TftpOption::Timeout(n) => Some(n),
            _ => None,
        })
    }

    /// Return the tsize option's value, if present.
    pub fn tsize(&self) -> Option<u64> {
        self.iter().find_map(|o| match o {
            TftpOption::Tsize(n) => Some(n),
            _ => None,
        })
    }

    /// Return the windowsize option's value, if present.
    pub fn windowsize(&self) -> Option<u16> {
        self.iter().find_map(|o| match o {
            TftpOption::Windowsize(n) => Some(n),
            _ => None,
        })
    }

    /// Return the length of the option area as written.
    pub fn wire_len(&self) -> usize {
        match self.0 {
            Source::Wire(bytes) => bytes.len(),
            Source::List(list) => list.iter().map(TftpOption::wire_len).sum(),
        }
    }

    /// Write the option area: as read, or in canonical form.
    pub(crate) fn write(&self, w: &mut Cursor<'_>) {
        match self.0 {
            Source::Wire(bytes) => w.put(bytes),
            Source::List(list) => {
                for option in list {
                    match (option.known_index(), option.number(), option) {
                        (Some(i), Some(n), _) => {
                            w.string(KNOWN[i].as_bytes());
                            w.string(Digits::new(n).as_bytes());
                        }
                        (_, _, TftpOption::Other { name, value }) => {
                            w.string(name);
                            w.string(value);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

impl PartialEq for Options<'_> {
    fn eq(&self, other: &Options<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Options<'_> {}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Display for Options<'_> {
    /// Print the options separated by spaces: `blksize 512 tsize 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, option) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{option}")?;
        }
        Ok(())
    }
}

/// The options of an [`Options`], in order.
#[derive(Clone)]
pub struct OptionIter<'a>(Source<'a>);

impl<'a> Iterator for OptionIter<'a> {
    type Item = TftpOption<'a>;

    fn next(&mut self) -> Option<TftpOption<'a>> {
        match &mut self.0 {
            Source::List(list) => {
                let (first, rest) = list.split_first()?;
                *list = rest;
                Some(*first)
            }
            Source::Wire(bytes) => {
                // NOTE: `Options::parse` checked the area, so this succeeds.
                let (name, at) = read_string(bytes, 0, "").ok()?;
                let (value, at) = read_string(bytes, at, "").ok()?;
                *bytes = &bytes[at..];
                TftpOption::parse(name, value).ok()
            }
        }
    }
}

/// Writes into a buffer sized by `buffer_len`; never panics, and drops what
/// does not fit (which a correct `buffer_len` rules out).
pub(crate) struct Cursor<'b> {
    buffer: &'b mut [u8],
    pos: usize,
}

impl<'b> Cursor<'b> {
    /// Write from the start of `buffer`.
    pub(crate) fn new(buffer: &'b mut [u8]) -> Cursor<'b> {
        Cursor { buffer, pos: 0 }
    }

    /// Write `bytes`.
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        if let Some(space) = self.buffer.get_mut(self.pos..end) {
            space.copy_from_slice(bytes);
            self.pos = end;
        }
    }

    /// Write `bytes` and a NUL.
    pub(crate) fn string(&mut self, bytes: &[u8]) {
        self.put(bytes);
        self.put(&[0]);
    }
}
