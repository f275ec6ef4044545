//! IPv4 fragmentation on output (RFC 791 3.2; RFC 1122 3.3.3): split one
//! datagram into fragments that fit the link's MTU.
//!
//! [`fragments`] computes the split and returns an iterator, [`Fragments`],
//! over each fragment's header and the range of the original payload it
//! carries. Nothing is copied or allocated: the caller emits each header and
//! copies `payload[range]` after it.
//!
//! RFC 791 3.2, "Fragmentation": every fragment but the last carries a
//! multiple of eight data octets, its offset counts eight-octet units from the
//! start of the original data, and the More Fragments flag is set on all but
//! the last (or on the last too, when the original was itself a non-final
//! fragment). Options whose "copied" flag is set go into every fragment; the
//! others only into the first (RFC 791 3.1, "The copied flag indicates that
//! this option is copied into all fragments on fragmentation").

use core::fmt;
use core::iter::FusedIterator;
use core::ops::Range;

use crate::wire::ipv4::{Ipv4Options, Ipv4Repr, HEADER_LEN, MAX_OPTIONS_LEN};

/// The "copied" flag: the high bit of an option's kind octet (RFC 791 3.1).
const COPIED_FLAG: u8 = 0x80;

/// The largest total length a datagram can have: the field is 16 bits.
pub const MAX_DATAGRAM_LEN: usize = u16::MAX as usize;

/// Why a datagram could not be fragmented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentError {
    /// The datagram does not fit the MTU and its Don't Fragment flag is set
    /// (RFC 791 3.2: "if the Don't Fragment flag is set, then internet
    /// fragmentation of this datagram is NOT permitted"). The sender should
    /// hear of it, as path MTU discovery (RFC 1191) expects.
    DontFragment {
        /// The MTU the datagram exceeds.
        mtu: usize,
    },
    /// The MTU leaves room for fewer than eight data octets after a header, so
    /// no fragment can carry data (RFC 791 3.2 requires MTU >= 68).
    MtuTooSmall {
        /// The MTU that is too small.
        mtu: usize,
    },
    /// The datagram is longer than 65,535 octets, or its data would reach
    /// past the largest fragment offset: no header can describe it.
    TooLong {
        /// The datagram's length in octets (header plus payload).
        len: usize,
    },
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragmentError::DontFragment { mtu } => {
                write!(f, "datagram exceeds MTU {mtu} and Don't Fragment is set")
            }
            FragmentError::MtuTooSmall { mtu } => {
                write!(f, "MTU {mtu} leaves no room for fragment data")
            }
            FragmentError::TooLong { len } => {
                write!(f, "datagram of {len} octets exceeds 65535")
            }
        }
    }
}

impl std::error::Error for FragmentError {}

/// Split a datagram with `header` and `payload_len` payload octets into
/// fragments that fit `mtu` (the IP MTU: header included).
///
/// A datagram that fits yields itself once, unchanged but for its
/// `payload_len`, which is set to `payload_len`. Otherwise the first fragment
/// keeps all of `header`'s options and the others keep only those with the
/// copied flag set (RFC 791 3.1).
///
/// Errors: [`FragmentError::TooLong`] when the datagram cannot be described
/// by an IPv4 header at all, [`FragmentError::DontFragment`] when it does not
/// fit and DF is set, and [`FragmentError::MtuTooSmall`] when a fragment
/// cannot carry eight octets of data.
pub fn fragments(
    header: &Ipv4Repr,
    payload_len: usize,
    mtu: usize,
) -> Result<Fragments, FragmentError> {
    let len = header.header_len().saturating_add(payload_len);
    // RFC 791 3.1: the fragment offset is 13 bits of 8-octet units, and the
    // total length 16 bits.
    let reach = header.frag_offset_bytes().saturating_add(payload_len);
    if len > MAX_DATAGRAM_LEN || reach > MAX_DATAGRAM_LEN - HEADER_LEN {
        return Err(FragmentError::TooLong { len });
    }
    let mut header = *header;
    header.payload_len = payload_len;
    if len <= mtu {
        return Ok(Fragments {
            header,
            rest_options: header.options,
            first_cap: usize::MAX,
            rest_cap: usize::MAX,
            next: 0,
            done: false,
        });
    }
    if header.dont_frag {
        return Err(FragmentError::DontFragment { mtu });
    }
    let rest_options = copied_options(&header.options);
    // RFC 791 3.2: "the number of 8-octet blocks" that fit after the header.
    let first_cap = mtu.saturating_sub(header.header_len()) & !7;
    let rest_cap = mtu.saturating_sub(HEADER_LEN + rest_options.len()) & !7;
    if first_cap == 0 || rest_cap == 0 {
        return Err(FragmentError::MtuTooSmall { mtu });
    }
    Ok(Fragments {
        header,
        rest_options,
        first_cap,
        rest_cap,
        next: 0,
        done: false,
    })
}

/// Keep the options whose copied flag is set, padded to a multiple of four
/// with End of Option List octets (RFC 791 3.1, "Padding").
fn copied_options(options: &Ipv4Options) -> Ipv4Options {
    let mut bytes = [0; MAX_OPTIONS_LEN];
    let mut len = 0;
    for option in options.iter().filter(|o| o.kind() & COPIED_FLAG != 0) {
        // A subset of a valid option area always fits in one.
        let Some(slot) = bytes.get_mut(len..len + option.buffer_len()) else {
            break;
        };
        len += option.emit(slot);
    }
    // NOTE: a subset of valid options, re-encoded and zero-padded, is itself a
    // valid option area of at most 40 octets; the fallback is unreachable.
    Ipv4Options::new(&bytes[..len.next_multiple_of(4)]).unwrap_or(Ipv4Options::EMPTY)
}

/// The fragments of one datagram, in order of offset: each item is the
/// fragment's header and the range of the original payload it carries.
///
/// Made by [`fragments`]; it allocates nothing and yields at least one item.
#[derive(Debug, Clone)]
pub struct Fragments {
    /// The original header, with its `payload_len` set.
    header: Ipv4Repr,
    /// The options of every fragment after the first.
    rest_options: Ipv4Options,
    /// The data octets the first fragment carries at most.
    first_cap: usize,
    /// The data octets every later fragment carries at most.
    rest_cap: usize,
    /// The first payload octet not yet yielded.
    next: usize,
    /// Whether the last fragment has been yielded.
    done: bool,
}

impl Fragments {
    /// Return the number of fragments still to come.
    fn remaining(&self) -> usize {
        let total = self.header.payload_len;
        if self.done {
            0
        } else if self.next == 0 {
            1 + total.saturating_sub(self.first_cap).div_ceil(self.rest_cap)
        } else {
            (total - self.next).div_ceil(self.rest_cap)
        }
    }
}

impl Iterator for Fragments {
    type Item = (Ipv4Repr, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let original = &self.header;
        let start = self.next;
        let first = start == 0;
        let cap = if first { self.first_cap } else { self.rest_cap };
        let end = start.saturating_add(cap).min(original.payload_len);
        let last = end == original.payload_len;
        let mut repr = *original;
        if !first {
            repr.options = self.rest_options;
            // NOTE: `fragments` checked that offset + payload fits 65,515
            // octets, so the offset in 8-octet units fits 13 bits.
            repr.frag_offset = ((original.frag_offset_bytes() + start) / 8) as u16;
        }
        // RFC 791 3.2: MF stays set on the last piece of a non-final fragment.
        repr.more_frags = !last || original.more_frags;
        repr.payload_len = end - start;
        self.next = end;
        self.done = last;
        Some((repr, start..end))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining();
        (n, Some(n))
    }
}

impl ExactSizeIterator for Fragments {}

impl FusedIterator for Fragments {}

#[cfg(test)]
#[path = "tests/fragment.rs"]
mod tests;
