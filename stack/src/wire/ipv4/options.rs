//! IPv4 options (RFC 791 3.1; RFC 2113): one option, a walk over raw option
//! bytes, and the inline, allocation-free option set a header carries.

use core::fmt;

use super::MAX_OPTIONS_LEN;
use crate::wire::WireError;

/// The option kinds of RFC 791 3.1 (copied flag, class and number in one
/// octet) and RFC 2113.
mod kind {
    pub const END_OF_LIST: u8 = 0;
    pub const NOP: u8 = 1;
    pub const RECORD_ROUTE: u8 = 7;
    pub const TIMESTAMP: u8 = 68;
    pub const LOOSE_SOURCE_ROUTE: u8 = 131;
    pub const STRICT_SOURCE_ROUTE: u8 = 137;
    pub const ROUTER_ALERT: u8 = 148;
}

/// One IPv4 option (RFC 791 3.1), borrowing its data from the header.
///
/// Route data and timestamp data are kept as raw bytes: the pointer may say
/// that only part of them is filled in, and an error in it is for the host to
/// report (ICMP Parameter Problem), not for the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv4Option<'a> {
    /// End of Option List (kind 0); what follows it is padding.
    EndOfList,
    /// No Operation (kind 1).
    Nop,
    /// Record Route (kind 7).
    RecordRoute {
        /// The pointer octet: 1-based offset of the next free slot.
        pointer: u8,
        /// The route data: recorded addresses and free slots.
        route: &'a [u8],
    },
    /// Internet Timestamp (kind 68).
    Timestamp {
        /// The pointer octet: 1-based offset of the next free slot.
        pointer: u8,
        /// The overflow count (high four bits of the fourth octet).
        overflow: u8,
        /// The flags (low four bits of the fourth octet).
        flags: u8,
        /// The timestamp (and address) data.
        data: &'a [u8],
    },
    /// Loose Source and Record Route (kind 131).
    LooseSourceRoute {
        /// The pointer octet.
        pointer: u8,
        /// The route data.
        route: &'a [u8],
    },
    /// Strict Source and Record Route (kind 137).
    StrictSourceRoute {
        /// The pointer octet.
        pointer: u8,
        /// The route data.
        route: &'a [u8],
    },
    /// Router Alert (kind 148, RFC 2113): the value, 0 meaning "examine packet".
    RouterAlert(u16),
    /// Any other kind, kept raw. Its kind must not be one named above.
    Unknown {
        /// The kind octet.
        kind: u8,
        /// The bytes after the length octet.
        data: &'a [u8],
    },
}

impl<'a> Ipv4Option<'a> {
    /// Parse the option at the start of a non-empty `bytes`; return it and
    /// the number of bytes it takes.
    ///
    /// A missing length octet, a length below the kind's minimum or above
    /// what is left, or a Router Alert whose length is not 4, is
    /// [`WireError::BadOptionLength`].
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<(Ipv4Option<'a>, usize), WireError> {
        let Some((&kind, rest)) = bytes.split_first() else {
            return Err(WireError::Truncated {
                field: "options",
                need: 1,
                have: 0,
            });
        };
        match kind {
            kind::END_OF_LIST => return Ok((Ipv4Option::EndOfList, 1)),
            kind::NOP => return Ok((Ipv4Option::Nop, 1)),
            _ => {}
        }
        let length = *rest
            .first()
            .ok_or(WireError::BadOptionLength { kind, length: 0 })?;
        let min = match kind {
            kind::TIMESTAMP | kind::ROUTER_ALERT => 4,
            kind::RECORD_ROUTE | kind::LOOSE_SOURCE_ROUTE | kind::STRICT_SOURCE_ROUTE => 3,
            _ => 2,
        };
        let len = usize::from(length);
        let fixed = kind == kind::ROUTER_ALERT && len != 4;
        let body = bytes.get(2..len).filter(|_| len >= min && !fixed);
        let body = body.ok_or(WireError::BadOptionLength { kind, length })?;
        let option = match (kind, body) {
            (kind::RECORD_ROUTE, [pointer, route @ ..]) => Ipv4Option::RecordRoute {
                pointer: *pointer,
                route,
            },
            (kind::LOOSE_SOURCE_ROUTE, [pointer, route @ ..]) => Ipv4Option::LooseSourceRoute {
                pointer: *pointer,
                route,
            },
            (kind::STRICT_SOURCE_ROUTE, [pointer, route @ ..]) => Ipv4Option::StrictSourceRoute {
                pointer: *pointer,
                route,
            },
            (kind::TIMESTAMP, [pointer, oflw_flags, data @ ..]) => Ipv4Option::Timestamp {
                pointer: *pointer,
                overflow: oflw_flags >> 4,
                flags: oflw_flags & 0x0f,
                data,
            },
            (kind::ROUTER_ALERT, [hi, lo]) => {
                Ipv4Option::RouterAlert(u16::from_be_bytes([*hi, *lo]))
            }
            (kind, data) => Ipv4Option::Unknown { kind, data },
        };
        Ok((option, len))
    }

    /// Return the kind octet.
    #[inline]
    pub fn kind(&self) -> u8 {
        match self {
            Ipv4Option::EndOfList => kind::END_OF_LIST,
            Ipv4Option::Nop => kind::NOP,
            Ipv4Option::RecordRoute { .. } => kind::RECORD_ROUTE,
            Ipv4Option::Timestamp { .. } => kind::TIMESTAMP,
            Ipv4Option::LooseSourceRoute { .. } => kind::LOOSE_SOURCE_ROUTE,
            Ipv4Option::StrictSourceRoute { .. } => kind::STRICT_SOURCE_ROUTE,
            Ipv4Option::RouterAlert(_) => kind::ROUTER_ALERT,
            Ipv4Option::Unknown { kind, .. } => *kind,
        }
    }

    /// Return the bytes after kind and length (empty for EOL and NOP), except
    /// for the octets stored in named fields.
    #[inline]
    fn tail(&self) -> &'a [u8] {
        match *self {
            Ipv4Option::EndOfList | Ipv4Option::Nop | Ipv4Option::RouterAlert(_) => &[],
            Ipv4Option::RecordRoute { route, .. }
            | Ipv4Option::LooseSourceRoute { route, .. }
            | Ipv4Option::StrictSourceRoute { route, .. } => route,
            Ipv4Option::Timestamp { data, .. } | Ipv4Option::Unknown { data, .. } => data,
        }
    }

    /// Return the octets between the length octet and [`tail`](Self::tail).
    #[inline]
    fn head(&self) -> ([u8; 2], usize) {
        match *self {
            Ipv4Option::EndOfList | Ipv4Option::Nop | Ipv4Option::Unknown { .. } => ([0; 2], 0),
            Ipv4Option::RecordRoute { pointer, .. }
            | Ipv4Option::LooseSourceRoute { pointer, .. }
            | Ipv4Option::StrictSourceRoute { pointer, .. } => ([pointer, 0], 1),
            Ipv4Option::Timestamp {
                pointer,
                overflow,
                flags,
                ..
            } => ([pointer, (overflow << 4) | (flags & 0x0f)], 2),
            Ipv4Option::RouterAlert(value) => (value.to_be_bytes(), 2),
        }
    }

    /// Return how many bytes the option takes on the wire.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            Ipv4Option::EndOfList | Ipv4Option::Nop => 1,
            _ => 2 + self.head().1 + self.tail().len(),
        }
    }

    /// Write the option at the start of `buffer`; return the bytes written.
    ///
    /// # Panics
    /// Panics if `buffer` is shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, buffer: &mut [u8]) -> usize {
        let len = self.buffer_len();
        buffer[0] = self.kind();
        if len > 1 {
            let (head, head_len) = self.head();
            // The length octet: an option longer than 255 bytes cannot fit in
            // a header anyway, and `Ipv4Options` refuses it.
            buffer[1] = len as u8;
            buffer[2..2 + head_len].copy_from_slice(&head[..head_len]);
            buffer[2 + head_len..len].copy_from_slice(self.tail());
        }
        len
    }
}

impl fmt::Display for Ipv4Option<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ipv4Option::EndOfList => write!(f, "EOL"),
            Ipv4Option::Nop => write!(f, "NOP"),
            Ipv4Option::RecordRoute { .. } => write!(f, "RR"),
            Ipv4Option::Timestamp { .. } => write!(f, "TS"),
            Ipv4Option::LooseSourceRoute { .. } => write!(f, "LSRR"),
            Ipv4Option::StrictSourceRoute { .. } => write!(f, "SSRR"),
            Ipv4Option::RouterAlert(value) => write!(f, "RA {value}"),
            Ipv4Option::Unknown { kind, .. } => write!(f, "unknown {kind}"),
        }
    }
}

/// An iterator over raw option bytes, yielding each option or the error that
/// stops the walk. It stops after End of Option List: what follows is padding.
#[derive(Debug, Clone)]
pub struct Ipv4OptionIter<'a> {
    bytes: &'a [u8],
}

impl<'a> Ipv4OptionIter<'a> {
    /// Walk the options in `bytes` (the options area of a header).
    #[inline]
    pub const fn new(bytes: &'a [u8]) -> Ipv4OptionIter<'a> {
        Ipv4OptionIter { bytes }
    }
}

impl<'a> Iterator for Ipv4OptionIter<'a> {
    type Item = Result<Ipv4Option<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let item = Ipv4Option::parse(self.bytes);
        self.bytes = match item {
            Ok((Ipv4Option::EndOfList, _)) | Err(_) => &[],
            Ok((_, len)) => self.bytes.get(len..).unwrap_or(&[]),
        };
        Some(item.map(|(option, _)| option))
    }
}

/// The options of an IPv4 header, stored inline (no allocation) as the raw
/// bytes that arrived, padding included, so that they re-emit exactly.
///
/// Every value has a valid option walk, at most [`MAX_OPTIONS_LEN`] bytes,
/// and a length that is a multiple of four.
// Aligned to 8 bytes, 48 in all with no padding, so that copies of it, and
// of the `Repr` holding it, move whole words: at 41 bytes and alignment 1
// the compiler copies it in overlapping 4-byte pieces that stall store
// forwarding.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub struct Ipv4Options {
    bytes: [u8; MAX_OPTIONS_LEN],
    /// A whole word, so that the struct has no padding to copy.
    len: usize,
}

impl Ipv4Options {
    /// No options.
    pub const EMPTY: Ipv4Options = Ipv4Options {
        bytes: [0; MAX_OPTIONS_LEN],
        len: 0,
    };

    /// Take raw option bytes (with their padding) as found in a header.
    ///
    /// A length over 40 bytes or not a multiple of four is
    /// `Invalid{field: "options_len"}`; a bad option is
    /// [`WireError::BadOptionLength`].
    #[inline]
    pub fn new(raw: &[u8]) -> Result<Ipv4Options, WireError> {
        if raw.is_empty() {
            // Nearly every datagram: no walk, no copy.
            return Ok(Ipv4Options::EMPTY);
        }
        if raw.len() > MAX_OPTIONS_LEN || !raw.len().is_multiple_of(4) {
            let value = raw.len() as u32;
            return Err(WireError::Invalid {
                field: "options_len",
                value,
            });
        }
        for option in Ipv4OptionIter::new(raw) {
            option?;
        }
        let mut bytes = [0; MAX_OPTIONS_LEN];
        bytes[..raw.len()].copy_from_slice(raw);
        // NOTE: the length is at most 40, checked above.
        Ok(Ipv4Options {
            bytes,
            len: raw.len(),
        })
    }

    /// Encode `options` in order, padding with zero (End of Option List)
    /// octets to a multiple of four (RFC 791 3.1, "Padding").
    ///
    /// Fails with `Invalid{field: "options_len"}` past 40 bytes, and with
    /// `Invalid{field: "options"}` (the value is the kind at fault) when the
    /// encoding would not parse back to the same options: an `Unknown` using
    /// a named kind, or options after End of Option List.
    pub fn from_options(options: &[Ipv4Option<'_>]) -> Result<Ipv4Options, WireError> {
        let mut bytes = [0; MAX_OPTIONS_LEN];
        let mut at = 0;
        for option in options {
            let end = at + option.buffer_len();
            let Some(slot) = bytes.get_mut(at..end) else {
                return Err(WireError::Invalid {
                    field: "options_len",
                    value: end as u32,
                });
            };
            option.emit(slot);
            at = end;
        }
        let encoded = Self::new(&bytes[..at.next_multiple_of(4).min(MAX_OPTIONS_LEN)])?;
        let mut parsed = encoded.iter();
        for option in options {
            if parsed.next() != Some(*option) {
                let value = u32::from(option.kind());
                return Err(WireError::Invalid {
                    field: "options",
                    value,
                });
            }
        }
        Ok(encoded)
    }

    /// Return the raw option bytes, padding included.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Return the length of the options in bytes (a multiple of four).
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Return whether there are no options.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Iterate over the options, up to and including End of Option List.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = Ipv4Option<'_>> + '_ {
        // Construction validated the walk, so no error can come up.
        Ipv4OptionIter::new(self.as_bytes()).map_while(Result::ok)
    }
}

impl Default for Ipv4Options {
    #[inline]
    fn default() -> Self {
        Ipv4Options::EMPTY
    }
}

impl PartialEq for Ipv4Options {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Ipv4Options {}

impl core::hash::Hash for Ipv4Options {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Debug for Ipv4Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
