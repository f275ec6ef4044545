//! TCP options (RFC 9293 3.1): one [`TcpOption`], and the [`TcpOptions`] of
//! a segment, stored inline and exactly as read.
//!
//! Known kinds: EOL and NOP (RFC 9293 3.1), MSS (RFC 9293 3.7.1), Window
//! Scale and Timestamps (RFC 7323), SACK-Permitted and SACK (RFC 2018).
//! Every other kind is kept raw as [`TcpOption::Unknown`] (MUST-6).

use core::fmt;

use super::{field, MAX_OPTIONS_LEN};
use crate::tcp::SeqNumber;
use crate::wire::WireError;

/// One SACK block: the data from `left_edge` up to, not including,
/// `right_edge` has been received (RFC 2018 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SackBlock {
    /// The first sequence number of the block.
    pub left_edge: SeqNumber,
    /// The sequence number just past the block.
    pub right_edge: SeqNumber,
}

impl SackBlock {
    /// Build a block from its edges.
    #[inline]
    pub const fn new(left_edge: u32, right_edge: u32) -> SackBlock {
        SackBlock {
            left_edge: SeqNumber(left_edge),
            right_edge: SeqNumber(right_edge),
        }
    }
}

/// The one to four blocks of a SACK option (RFC 2018 3), stored inline.
#[derive(Clone, Copy)]
pub struct SackBlocks {
    blocks: [SackBlock; SackBlocks::MAX],
    len: u8,
}

impl SackBlocks {
    /// The most blocks a SACK option can carry (RFC 2018 3: 40 bytes of
    /// options hold at most 4).
    pub const MAX: usize = 4;

    /// Build a block list; `None` unless it holds one to four blocks.
    #[inline]
    pub fn new(blocks: &[SackBlock]) -> Option<SackBlocks> {
        if blocks.is_empty() || blocks.len() > Self::MAX {
            return None;
        }
        let mut list = SackBlocks {
            blocks: [SackBlock::default(); Self::MAX],
            len: blocks.len() as u8,
        };
        list.blocks[..blocks.len()].copy_from_slice(blocks);
        Some(list)
    }

    /// Return the blocks, in wire order.
    #[inline]
    pub fn as_slice(&self) -> &[SackBlock] {
        &self.blocks[..usize::from(self.len)]
    }
}

impl PartialEq for SackBlocks {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SackBlocks {}

impl fmt::Debug for SackBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The values of a Timestamps option (RFC 7323 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Timestamps {
    /// TSval: the sender's timestamp clock.
    pub tsval: u32,
    /// TSecr: the TSval echoed back (meaningful only with ACK).
    pub tsecr: u32,
}

/// One TCP option, as read from or written to the options area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOption<'a> {
    /// End of Option List, kind 0: the bytes after it are padding.
    EndOfList,
    /// No-Operation, kind 1: one byte, used to align options.
    NoOperation,
    /// Maximum Segment Size, kind 2, length 4 (RFC 9293 3.7.1).
    MaxSegmentSize(u16),
    /// Window Scale, kind 3, length 3: the shift count, as read (RFC 7323 2.2).
    WindowScale(u8),
    /// SACK-Permitted, kind 4, length 2 (RFC 2018 2).
    SackPermitted,
    /// SACK, kind 5, length 2 + 8n for n in 1..=4 (RFC 2018 3).
    Sack(SackBlocks),
    /// Timestamps, kind 8, length 10 (RFC 7323 3.2).
    Timestamps(Timestamps),
    /// Any other kind, its data kept raw (RFC 9293 3.1, MUST-6: ignored, not
    /// rejected).
    Unknown {
        /// The kind byte.
        kind: u8,
        /// The bytes after the kind and length bytes.
        data: &'a [u8],
    },
}

impl<'a> TcpOption<'a> {
    /// Read the option at the start of `buffer` and return the bytes after
    /// it with the option.
    ///
    /// Fails with [`WireError::BadOptionLength`] when the length byte is
    /// missing (reported as length 0; RFC 9293 MUST-68), below 2, beyond
    /// `buffer`, or wrong for the kind (RFC 9293 3.1, MUST-7). Options need
    /// not start on a word boundary (MUST-64). An empty `buffer` is
    /// [`WireError::Truncated`] (field `"tcp option"`).
    #[inline]
    pub fn parse(buffer: &'a [u8]) -> Result<(&'a [u8], TcpOption<'a>), WireError> {
        let (&kind, after_kind) = buffer.split_first().ok_or(WireError::Truncated {
            field: "tcp option",
            need: 1,
            have: 0,
        })?;
        match kind {
            field::OPT_EOL => return Ok((after_kind, TcpOption::EndOfList)),
            field::OPT_NOP => return Ok((after_kind, TcpOption::NoOperation)),
            _ => {}
        }
        let &length = after_kind
            .first()
            .ok_or(WireError::BadOptionLength { kind, length: 0 })?;
        let bad = WireError::BadOptionLength { kind, length };
        let len = usize::from(length);
        if len < 2 || len > buffer.len() {
            return Err(bad);
        }
        let (data, rest) = (&buffer[2..len], &buffer[len..]);
        let option = match (kind, data) {
            (field::OPT_MSS, &[a, b]) => TcpOption::MaxSegmentSize(u16::from_be_bytes([a, b])),
            // RFC 7323 2.3 says a shift count above 14 is to be used as 14;
            // that is the engine's job, the wire keeps the value as read.
            (field::OPT_WSCALE, &[shift]) => TcpOption::WindowScale(shift),
            (field::OPT_SACK_PERMITTED, &[]) => TcpOption::SackPermitted,
            (field::OPT_SACK, _) => TcpOption::Sack(parse_sack_blocks(data).ok_or(bad)?),
            (field::OPT_TIMESTAMPS, &[a, b, c, d, e, f, g, h]) => {
                TcpOption::Timestamps(Timestamps {
                    tsval: u32::from_be_bytes([a, b, c, d]),
                    tsecr: u32::from_be_bytes([e, f, g, h]),
                })
            }
            (
                field::OPT_MSS
                | field::OPT_WSCALE
                | field::OPT_SACK_PERMITTED
                | field::OPT_TIMESTAMPS,
                _,
            ) => return Err(bad),
            _ => TcpOption::Unknown { kind, data },
        };
        Ok((rest, option))
    }

    /// Return the option's kind byte.
    #[inline]
    pub fn kind(&self) -> u8 {
        match *self {
            TcpOption::EndOfList => field::OPT_EOL,
            TcpOption::NoOperation => field::OPT_NOP,
            TcpOption::MaxSegmentSize(_) => field::OPT_MSS,
            TcpOption::WindowScale(_) => field::OPT_WSCALE,
            TcpOption::SackPermitted => field::OPT_SACK_PERMITTED,
            TcpOption::Sack(_) => field::OPT_SACK,
            TcpOption::Timestamps(_) => field::OPT_TIMESTAMPS,
            TcpOption::Unknown { kind, .. } => kind,
        }
    }

    /// Return the number of bytes `emit` writes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match *self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::Sack(blocks) => 2 + 8 * blocks.as_slice().len(),
            TcpOption::Timestamps(_) => 10,
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Write the option at the start of `buffer` and return the bytes after
    /// it. An `Unknown` option's length byte wraps above 255 bytes.
    ///
    /// # Panics
    /// Panics if `buffer` is shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit<'b>(&self, buffer: &'b mut [u8]) -> &'b mut [u8] {
        let len = self.buffer_len();
        let (out, rest) = buffer.split_at_mut(len);
        out[0] = self.kind();
        if len > 1 {
            out[1] = len as u8;
        }
        let body = &mut out[len.min(2)..];
        match *self {
            TcpOption::EndOfList | TcpOption::NoOperation | TcpOption::SackPermitted => {}
            TcpOption::MaxSegmentSize(mss) => body.copy_from_slice(&mss.to_be_bytes()),
            TcpOption::WindowScale(shift) => body[0] = shift,
            TcpOption::Sack(blocks) => {
                for (chunk, block) in body.chunks_exact_mut(8).zip(blocks.as_slice()) {
                    chunk[..4].copy_from_slice(&block.left_edge.0.to_be_bytes());
                    chunk[4..].copy_from_slice(&block.right_edge.0.to_be_bytes());
                }
            }
            TcpOption::Timestamps(ts) => {
                body[..4].copy_from_slice(&ts.tsval.to_be_bytes());
                body[4..].copy_from_slice(&ts.tsecr.to_be_bytes());
            }
            TcpOption::Unknown { data, .. } => body.copy_from_slice(data),
        }
        rest
    }
}

/// Check the length of every option in `area` up to the first EOL, with the
/// errors [`TcpOption::parse`] would return, without decoding any value.
///
/// [`TcpOptions::parse`] runs on every segment received and only keeps the
/// bytes; the values are decoded when read.
#[inline]
fn check_lengths(area: &[u8]) -> Result<(), WireError> {
    let mut at = 0;
    while let Some(&kind) = area.get(at) {
        match kind {
            field::OPT_EOL => return Ok(()),
            field::OPT_NOP => {
                at += 1;
                continue;
            }
            _ => {}
        }
        // RFC 9293 MUST-68: a missing length byte is reported as length 0.
        let length = area.get(at + 1).copied().unwrap_or(0);
        let len = usize::from(length);
        // RFC 9293 3.1, MUST-7: a length that is wrong for the kind, or runs
        // past the options area, is an error; `at + 1 < area.len()` here
        // unless the length byte is missing, where `len` is 0.
        if !length_fits(kind, len) || len > area.len() - at {
            return Err(bad_length(kind, length));
        }
        at += len;
    }
    Ok(())
}

/// Return whether an option of `kind` may be `len` bytes long (kind and
/// length bytes included), as [`TcpOption::parse`] decides it.
#[inline]
const fn length_fits(kind: u8, len: usize) -> bool {
    match kind {
        field::OPT_MSS => len == 4,
        field::OPT_WSCALE => len == 3,
        field::OPT_SACK_PERMITTED => len == 2,
        field::OPT_TIMESTAMPS => len == 10,
        // 2 + 8n bytes for n in 1..=4 (RFC 2018 3).
        field::OPT_SACK => matches!(len, 10 | 18 | 26 | 34),
        _ => len >= 2,
    }
}

/// Build a [`WireError::BadOptionLength`], out of the parsers' hot path.
#[cold]
#[inline(never)]
fn bad_length(kind: u8, length: u8) -> WireError {
    WireError::BadOptionLength { kind, length }
}

/// Read 1 to 4 SACK blocks, 8 bytes each (RFC 2018 3).
#[inline]
fn parse_sack_blocks(data: &[u8]) -> Option<SackBlocks> {
    if !data.len().is_multiple_of(8) {
        return None;
    }
    let mut blocks = [SackBlock::default(); SackBlocks::MAX];
    let mut count = 0;
    for chunk in data.chunks_exact(8) {
        let slot = blocks.get_mut(count)?;
        let word =
            |i: usize| u32::from_be_bytes([chunk[i], chunk[i + 1], chunk[i + 2], chunk[i + 3]]);
        *slot = SackBlock::new(word(0), word(4));
        count += 1;
    }
    SackBlocks::new(&blocks[..count])
}

impl fmt::Display for TcpOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TcpOption::EndOfList => f.write_str("eol"),
            TcpOption::NoOperation => f.write_str("nop"),
            TcpOption::MaxSegmentSize(mss) => write!(f, "mss {mss}"),
            TcpOption::WindowScale(shift) => write!(f, "wscale {shift}"),
            TcpOption::SackPermitted => f.write_str("sackOK"),
            TcpOption::Sack(blocks) => {
                f.write_str("sack")?;
                for b in blocks.as_slice() {
                    write!(f, " {}:{}", b.left_edge, b.right_edge)?;
                }
                Ok(())
            }
            TcpOption::Timestamps(ts) => write!(f, "TS val {} ecr {}", ts.tsval, ts.tsecr),
            TcpOption::Unknown { kind, data } => {
                write!(f, "opt {kind}")?;
                write_hex(f, data)
            }
        }
    }
}

/// Write ` ` and `bytes` as lowercase hex, or nothing for no bytes.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    if !bytes.is_empty() {
        f.write_str(" ")?;
    }
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Why an option could not be added to a [`TcpOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsError {
    /// The option does not fit in the 40 bytes of the options area.
    NoRoom {
        /// The bytes the option needs.
        need: usize,
        /// The bytes left.
        room: usize,
    },
    /// The option would not read back as itself: a known kind with the wrong
    /// length of data, or EOL/NOP as an `Unknown` option with data.
    Malformed {
        /// The option's kind.
        kind: u8,
    },
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            OptionsError::NoRoom { need, room } => {
                write!(f, "tcp option needs {need} bytes, {room} left")
            }
            OptionsError::Malformed { kind } => write!(f, "malformed tcp option kind {kind}"),
        }
    }
}

impl std::error::Error for OptionsError {}

/// The options of a segment: the options area, stored inline, without
/// allocating.
///
/// The bytes are kept exactly as read, so order, NOP and EOL padding and
/// unknown options survive; [`iter`](Self::iter) reads them as
/// [`TcpOption`]s. Every stored option is well formed. The bytes after an EOL
/// are padding: kept, never read as options.
///
/// Built with [`push`](Self::push) or [`from_list`](Self::from_list), a list
/// need not fill whole words: it is padded with zeros (EOL) when emitted
/// (RFC 9293 3.1). Two lists are equal when they emit the same bytes.
// Aligned to 8 bytes, 48 in all with no padding, so that copies of it, and
// of the `Repr` holding it, move whole words: at 41 bytes and alignment 1
// the compiler copies it in overlapping 4-byte pieces that stall store
// forwarding.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub struct TcpOptions {
    /// The options; bytes past `len` are always zero.
    bytes: [u8; MAX_OPTIONS_LEN],
    /// A whole word, so that the struct has no padding to copy.
    len: usize,
}

impl TcpOptions {
    /// Return an empty list.
    #[inline]
    pub const fn new() -> TcpOptions {
        TcpOptions {
            bytes: [0; MAX_OPTIONS_LEN],
            len: 0,
        }
    }

    /// Read an options area, checking each option's length up to the first
    /// EOL (RFC 9293 3.1, MUST-7); fails with [`WireError::BadOptionLength`].
    /// An area over 40 bytes is [`WireError::Invalid`] (field `"tcp options"`).
    #[inline]
    pub fn parse(area: &[u8]) -> Result<TcpOptions, WireError> {
        if area.len() > MAX_OPTIONS_LEN {
            return Err(WireError::Invalid {
                field: "tcp options",
                value: area.len() as u32,
            });
        }
        // The usual layout, built in one piece (see `nop_nop_timestamps`).
        if let [field::OPT_NOP, field::OPT_NOP, field::OPT_TIMESTAMPS, 10, a, b, c, d, e, f, g, h] =
            *area
        {
            return Ok(TcpOptions::nop_nop_timestamps(Timestamps {
                tsval: u32::from_be_bytes([a, b, c, d]),
                tsecr: u32::from_be_bytes([e, f, g, h]),
            }));
        }
        check_lengths(area)?;
        let mut options = TcpOptions::new();
        options.bytes[..area.len()].copy_from_slice(area);
        options.len = area.len();
        Ok(options)
    }

    /// Return `nop, nop, TS(ts)`, the options of nearly every segment on a
    /// connection with timestamps (RFC 7323 Appendix A), as
    /// [`push`](Self::push) would write them, built in one piece: no
    /// option walk, and no short copies that the struct's later moves
    /// would have to wait for.
    #[inline]
    pub fn nop_nop_timestamps(ts: Timestamps) -> TcpOptions {
        let [a, b, c, d] = ts.tsval.to_be_bytes();
        let [e, f, g, h] = ts.tsecr.to_be_bytes();
        let (nop, kind) = (field::OPT_NOP, field::OPT_TIMESTAMPS);
        let mut bytes = [0; MAX_OPTIONS_LEN];
        bytes[..16].copy_from_slice(&[nop, nop, kind, 10, a, b, c, d, e, f, g, h, 0, 0, 0, 0]);
        TcpOptions { bytes, len: 12 }
    }

    /// Build a list from options, in order.
    pub fn from_list(options: &[TcpOption<'_>]) -> Result<TcpOptions, OptionsError> {
        let mut list = TcpOptions::new();
        for option in options {
            list.push(*option)?;
        }
        Ok(list)
    }

    /// Append an option; chain with `?`: `opts.push(a)?.push(b)?;`.
    ///
    /// Options pushed after an EOL are padding to a receiver: this is how a
    /// script writes non-zero padding.
    pub fn push(&mut self, option: TcpOption<'_>) -> Result<&mut TcpOptions, OptionsError> {
        let start = self.len;
        let need = option.buffer_len();
        let room = MAX_OPTIONS_LEN - start;
        if need > room {
            return Err(OptionsError::NoRoom { need, room });
        }
        let end = start + need;
        option.emit(&mut self.bytes[start..end]);
        match TcpOption::parse(&self.bytes[start..end]) {
            Ok(([], _)) => {
                self.len = end;
                Ok(self)
            }
            _ => {
                self.bytes[start..end].fill(0);
                Err(OptionsError::Malformed {
                    kind: option.kind(),
                })
            }
        }
    }

    /// Return the options as pushed or read, without added padding.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Return the options padded with zeros to a multiple of four bytes, as
    /// they go on the wire.
    #[inline]
    pub fn wire_bytes(&self) -> &[u8] {
        &self.bytes[..self.padded_len()]
    }

    /// Return the length of the options without added padding.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Return whether there are no options.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Return the length of the options area on the wire: a multiple of 4.
    #[inline]
    pub fn padded_len(&self) -> usize {
        self.len().next_multiple_of(4)
    }

    /// Iterate over the options as they go on the wire, up to and including
    /// the first EOL: a list that does not fill a word ends with the EOL of
    /// its padding.
    #[inline]
    pub fn iter(&self) -> TcpOptionsIter<'_> {
        TcpOptionsIter {
            rest: self.wire_bytes(),
        }
    }

    /// Return the first MSS option's value (RFC 9293 3.7.1).
    #[inline]
    pub fn mss(&self) -> Option<u16> {
        self.iter().find_map(|o| match o {
            TcpOption::MaxSegmentSize(mss) => Some(mss),
            _ => None,
        })
    }

    /// Return the first Window Scale option's shift count, as read: values
    /// above 14 are not clamped here. RFC 7323 2.3: "If a Window Scale option
    /// is received with a shift.cnt value larger than 14, the TCP SHOULD log
    /// the error but MUST use 14 instead of the specified value."
    #[inline]
    pub fn window_scale(&self) -> Option<u8> {
        self.iter().find_map(|o| match o {
            TcpOption::WindowScale(shift) => Some(shift),
            _ => None,
        })
    }

    /// Return whether a SACK-Permitted option is present (RFC 2018 2).
    #[inline]
    pub fn sack_permitted(&self) -> bool {
        self.iter().any(|o| o == TcpOption::SackPermitted)
    }

    /// Return the first Timestamps option's values (RFC 7323 3.2).
    #[inline]
    pub fn timestamps(&self) -> Option<Timestamps> {
        self.iter().find_map(|o| match o {
            TcpOption::Timestamps(ts) => Some(ts),
            _ => None,
        })
    }

    /// Return the first SACK option's blocks (RFC 2018 3).
    #[inline]
    pub fn sack_blocks(&self) -> Option<SackBlocks> {
        self.iter().find_map(|o| match o {
            TcpOption::Sack(blocks) => Some(blocks),
            _ => None,
        })
    }
}

impl Default for TcpOptions {
    #[inline]
    fn default() -> Self {
        TcpOptions::new()
    }
}

impl PartialEq for TcpOptions {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.wire_bytes() == other.wire_bytes()
    }
}

impl Eq for TcpOptions {}

impl core::hash::Hash for TcpOptions {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.wire_bytes().hash(state);
    }
}

impl fmt::Debug for TcpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TcpOptions<{self}>")
    }
}

impl fmt::Display for TcpOptions {
    /// Print the options in notation, without the angle brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wire = self.wire_bytes();
        let mut rest = wire;
        let mut separator = "";
        while let Ok((after, option)) = TcpOption::parse(rest) {
            let at = wire.len() - rest.len();
            if option == TcpOption::EndOfList {
                write!(f, "{separator}eol")?;
                let zeros = after.iter().all(|&b| b == 0);
                if !(zeros && wire.len() == (at + 1).next_multiple_of(4)) {
                    write_hex(f, after)?;
                }
                return Ok(());
            }
            write!(f, "{separator}{option}")?;
            separator = ",";
            rest = after;
        }
        Ok(())
    }
}

/// An iterator over the options of a [`TcpOptions`], ending after an EOL.
#[derive(Debug, Clone)]
pub struct TcpOptionsIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TcpOptionsIter<'a> {
    type Item = TcpOption<'a>;

    #[inline]
    fn next(&mut self) -> Option<TcpOption<'a>> {
        // A TcpOptions only holds well-formed options, so parse cannot fail
        // before the end; the end (or an EOL) stops the iteration.
        let (rest, option) = TcpOption::parse(self.rest).ok()?;
        self.rest = if option == TcpOption::EndOfList {
            &[]
        } else {
            rest
        };
        Some(option)
    }
}
