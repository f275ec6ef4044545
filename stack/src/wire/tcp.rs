//! TCP (RFC 9293 3.1): the segment view [`TcpSegment`], its owned
//! [`TcpRepr`], the [`TcpFlags`] and the [`TcpOptions`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Sequence Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Acknowledgment Number                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Data |Rsv|A|C|E|U|A|P|R|S|F|                                 |
//! | Offset|   |E|W|C|R|C|S|S|Y|I|            Window               |
//! |       |   | |R|E|G|K|H|T|N|N|                                 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Checksum            |         Urgent Pointer        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           [Options]                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             Data ...
//! ```
//!
//! Unlike smoltcp, the repr is lossless: every flag combination, the three
//! reserved bits, an acknowledgment number sent without ACK, unknown options,
//! option order, NOP and EOL padding all survive `parse` then `emit`, because
//! a conformance harness must emit exactly what it read.
//!
//! [`TcpSegment::set_data_offset`] voids the guarantee of
//! [`TcpSegment::check_len`]. A segment is the whole buffer: the caller hands
//! over exactly the IP payload, so the checksum covers every byte of it.
//!
//! # Notation
//!
//! [`TcpRepr`] prints one line of packetdrill notation with absolute sequence
//! numbers. The grammar (a notation parser mirrors it):
//!
//! ```text
//! segment = flags " " seq ":" end "(" len ")" [" ack " u32] " win " u16
//!           [" urg " u16] [" rsv " 1..7] [" <" options ">"]
//! flags   = "none" | letters, each present flag once, in this order:
//!           F (FIN) S (SYN) R (RST) P (PSH) . (ACK) U (URG) E (ECE) W (CWR) A (AE)
//! seq     = the sequence number; len = the data length (SYN and FIN not
//!           counted, as packetdrill does); end = seq + len, modulo 2^32
//! ack     = printed when ACK is set or the field is non-zero
//! urg     = printed when URG is set or the field is non-zero
//! rsv     = the 3-bit Rsrvd field, printed when non-zero
//! options = option *("," option), in wire order:
//!           "eol" [" " hex] | "nop" | "mss " u16 | "wscale " u8 | "sackOK"
//!           | "sack " u32 ":" u32 *(" " u32 ":" u32)
//!           | "TS val " u32 " ecr " u32 | "opt " u8 [" " hex]
//! hex     = two lowercase hex digits per byte, no separator
//! ```
//!
//! For example `S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>`.
//! The options are printed from the wire bytes, padding included, so the
//! zero that pads `wscale 7` to a word prints as `wscale 7,eol`, as in
//! packetdrill. Nothing after the first `eol` is an option: those bytes are
//! printed as ` hex` unless they are zeros up to the next word boundary.
//! Reading a list back, its encoding is padded with zeros to a multiple of
//! four bytes, which gives the same bytes again.

use core::fmt;

use bitflags::bitflags;

use super::{checksum, need_len, ChecksumPolicy, Field, IpProtocol, Ipv4Addr, WireError};
use crate::tcp::SeqNumber;

mod options;

pub use options::{
    OptionsError, SackBlock, SackBlocks, TcpOption, TcpOptions, TcpOptionsIter, Timestamps,
};

/// The byte ranges of the TCP header, and the option kinds.
mod field {
    #![allow(non_snake_case)]

    use crate::wire::{Field, Rest};

    /// The source port.
    pub const SRC_PORT: Field = 0..2;
    /// The destination port.
    pub const DST_PORT: Field = 2..4;
    /// The sequence number.
    pub const SEQ_NUMBER: Field = 4..8;
    /// The acknowledgment number.
    pub const ACK_NUMBER: Field = 8..12;
    /// The data offset (high 4 bits), reserved bits and flags (low 12 bits).
    pub const DATA_OFFSET_FLAGS: Field = 12..14;
    /// The window.
    pub const WINDOW: Field = 14..16;
    /// The checksum.
    pub const CHECKSUM: Field = 16..18;
    /// The urgent pointer.
    pub const URGENT_POINTER: Field = 18..20;
    /// The last field of the fixed header.
    pub const LAST: Field = URGENT_POINTER;

    /// The options, between the fixed header and the data offset.
    #[inline]
    pub const fn OPTIONS(header_len: usize) -> Field {
        LAST.end..header_len
    }

    /// The data, after the data offset.
    #[inline]
    pub const fn PAYLOAD(header_len: usize) -> Rest {
        header_len..
    }

    /// End of Option List (RFC 9293 3.1).
    pub const OPT_EOL: u8 = 0;
    /// No-Operation (RFC 9293 3.1).
    pub const OPT_NOP: u8 = 1;
    /// Maximum Segment Size (RFC 9293 3.1).
    pub const OPT_MSS: u8 = 2;
    /// Window Scale (RFC 7323 2.2).
    pub const OPT_WSCALE: u8 = 3;
    /// SACK-Permitted (RFC 2018 2).
    pub const OPT_SACK_PERMITTED: u8 = 4;
    /// SACK (RFC 2018 3).
    pub const OPT_SACK: u8 = 5;
    /// Timestamps (RFC 7323 3.2).
    pub const OPT_TIMESTAMPS: u8 = 8;
}

/// The length of the fixed TCP header, in bytes.
pub const HEADER_LEN: usize = field::LAST.end;

/// The largest options area: a data offset of 15 words less the fixed header.
pub const MAX_OPTIONS_LEN: usize = 60 - HEADER_LEN;

bitflags! {
    /// The twelve bits between the data offset and the window: three
    /// reserved bits, AE and the eight control bits (RFC 9293 3.1, RFC 9768).
    ///
    /// Any combination is kept, reserved bits included: what a combination
    /// means is the engine's business. `Display` prints the letters of
    /// packetdrill notation (see the module docs), `none` for no flag; the
    /// reserved bits are not shown there ([`TcpRepr`] prints them as `rsv`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TcpFlags: u16 {
        /// FIN: no more data from the sender.
        const FIN = 0x001;
        /// SYN: synchronize sequence numbers.
        const SYN = 0x002;
        /// RST: reset the connection.
        const RST = 0x004;
        /// PSH: push function.
        const PSH = 0x008;
        /// ACK: the acknowledgment number field is significant.
        const ACK = 0x010;
        /// URG: the urgent pointer field is significant.
        const URG = 0x020;
        /// ECE: ECN-Echo (RFC 3168).
        const ECE = 0x040;
        /// CWR: Congestion Window Reduced (RFC 3168).
        const CWR = 0x080;
        /// AE: Accurate ECN, formerly reserved (RFC 9768).
        const AE = 0x100;
        /// The three bits still reserved: sent as zero, kept as received.
        const RESERVED = 0xe00;
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // packetdrill's order, itself tcpdump 4.1.1's.
        const LETTERS: [(TcpFlags, char); 9] = [
            (TcpFlags::FIN, 'F'),
            (TcpFlags::SYN, 'S'),
            (TcpFlags::RST, 'R'),
            (TcpFlags::PSH, 'P'),
            (TcpFlags::ACK, '.'),
            (TcpFlags::URG, 'U'),
            (TcpFlags::ECE, 'E'),
            (TcpFlags::CWR, 'W'),
            (TcpFlags::AE, 'A'),
        ];
        if self.difference(TcpFlags::RESERVED).is_empty() {
            return f.write_str("none");
        }
        for (flag, letter) in LETTERS {
            if self.contains(flag) {
                fmt::Write::write_char(f, letter)?;
            }
        }
        Ok(())
    }
}

/// A read/write view over the bytes of a TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSegment<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TcpSegment<T> {
    /// Wrap a buffer without checking its length (see [`check_len`](Self::check_len)).
    #[inline]
    pub const fn new_unchecked(buffer: T) -> TcpSegment<T> {
        TcpSegment { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<TcpSegment<T>, WireError> {
        let segment = Self::new_unchecked(buffer);
        segment.check_len()?;
        Ok(segment)
    }

    /// Ensure that no getter will panic.
    ///
    /// Fails with [`WireError::Truncated`] when the buffer is shorter than
    /// the fixed header (field `"tcp header"`) or than the data offset says
    /// (field `"tcp data offset"`), and with [`WireError::Invalid`] when the
    /// data offset is below 5 words (field `"tcp data offset"`).
    /// [`set_data_offset`](Self::set_data_offset) voids this check.
    #[inline(always)]
    pub fn check_len(&self) -> Result<(), WireError> {
        // The common case in one test; anything else takes the full check,
        // which names the field at fault.
        let data = self.buffer.as_ref();
        if let Some(header) = data.first_chunk::<HEADER_LEN>() {
            let header_len = usize::from(header[field::DATA_OFFSET_FLAGS.start] >> 4) * 4;
            if (HEADER_LEN..=data.len()).contains(&header_len) {
                return Ok(());
            }
        }
        self.check_len_slow()
    }

    /// The whole of [`check_len`](Self::check_len), off its fast path.
    #[cold]
    #[inline(never)]
    fn check_len_slow(&self) -> Result<(), WireError> {
        let have = self.buffer.as_ref().len();
        need_len("tcp header", HEADER_LEN, have)?;
        let data_offset = self.data_offset();
        if usize::from(data_offset) * 4 < HEADER_LEN {
            return Err(WireError::Invalid {
                field: "tcp data offset",
                value: u32::from(data_offset),
            });
        }
        need_len("tcp data offset", self.header_len(), have)
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    #[inline]
    fn read_u16(&self, field: Field) -> u16 {
        let data = self.buffer.as_ref();
        u16::from_be_bytes([data[field.start], data[field.start + 1]])
    }

    #[inline]
    fn read_u32(&self, field: Field) -> u32 {
        let data = self.buffer.as_ref();
        let f = field.start;
        u32::from_be_bytes([data[f], data[f + 1], data[f + 2], data[f + 3]])
    }

    /// Return the source port field.
    #[inline]
    pub fn src_port(&self) -> u16 {
        self.read_u16(field::SRC_PORT)
    }

    /// Return the destination port field.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        self.read_u16(field::DST_PORT)
    }

    /// Return the sequence number field.
    #[inline]
    pub fn seq_number(&self) -> SeqNumber {
        SeqNumber(self.read_u32(field::SEQ_NUMBER))
    }

    /// Return the acknowledgment number field (meaningful only with ACK).
    #[inline]
    pub fn ack_number(&self) -> SeqNumber {
        SeqNumber(self.read_u32(field::ACK_NUMBER))
    }

    /// Return the data offset field: the header length in 32-bit words.
    #[inline]
    pub fn data_offset(&self) -> u8 {
        self.buffer.as_ref()[field::DATA_OFFSET_FLAGS.start] >> 4
    }

    /// Return the header length in bytes (data offset times four).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }

    /// Return the reserved bits and flags.
    #[inline]
    pub fn flags(&self) -> TcpFlags {
        TcpFlags::from_bits_retain(self.read_u16(field::DATA_OFFSET_FLAGS) & 0x0fff)
    }

    /// Return the window field (unscaled).
    #[inline]
    pub fn window_len(&self) -> u16 {
        self.read_u16(field::WINDOW)
    }

    /// Return the checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        self.read_u16(field::CHECKSUM)
    }

    /// Return the urgent pointer field (meaningful only with URG).
    #[inline]
    pub fn urgent_pointer(&self) -> u16 {
        self.read_u16(field::URGENT_POINTER)
    }

    /// Return the partial sum over the pseudo-header and the whole segment,
    /// checksum field included.
    #[inline]
    fn sum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        checksum::transport_sum(src, dst, IpProtocol::Tcp, self.buffer.as_ref())
    }

    /// Return the checksum the segment should carry between `src` and `dst`.
    #[inline]
    pub fn expected_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        checksum::finish_without(self.sum(src, dst), self.checksum())
    }

    /// Return the [`WireError::BadChecksum`] for this segment, off the hot path.
    #[cold]
    #[inline(never)]
    fn bad_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> WireError {
        WireError::BadChecksum {
            expected: self.expected_checksum(src, dst),
            found: self.checksum(),
        }
    }

    /// Return whether the checksum verifies over the pseudo-header of `src`
    /// and `dst` (RFC 9293 3.1, MUST-3).
    #[inline]
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        checksum::verifies(&[self.sum(src, dst)])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> TcpSegment<&'a T> {
    /// Return the options area (possibly empty), as raw bytes.
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        let header_len = self.header_len();
        &self.buffer.as_ref()[field::OPTIONS(header_len)]
    }

    /// Return the data.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let header_len = self.header_len();
        &self.buffer.as_ref()[field::PAYLOAD(header_len)]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpSegment<T> {
    fn write(&mut self, field: Field, bytes: &[u8]) {
        self.buffer.as_mut()[field].copy_from_slice(bytes);
    }

    /// Set the source port field.
    pub fn set_src_port(&mut self, value: u16) {
        self.write(field::SRC_PORT, &value.to_be_bytes());
    }

    /// Set the destination port field.
    pub fn set_dst_port(&mut self, value: u16) {
        self.write(field::DST_PORT, &value.to_be_bytes());
    }

    /// Set the sequence number field.
    pub fn set_seq_number(&mut self, value: SeqNumber) {
        self.write(field::SEQ_NUMBER, &value.0.to_be_bytes());
    }

    /// Set the acknowledgment number field.
    pub fn set_ack_number(&mut self, value: SeqNumber) {
        self.write(field::ACK_NUMBER, &value.0.to_be_bytes());
    }

    /// Set the data offset field (in words, low 4 bits of `value`), keeping
    /// the flags. This voids [`check_len`](Self::check_len).
    pub fn set_data_offset(&mut self, value: u8) {
        let byte = &mut self.buffer.as_mut()[field::DATA_OFFSET_FLAGS.start];
        *byte = (value << 4) | (*byte & 0x0f);
    }

    /// Set the reserved bits and flags, keeping the data offset.
    pub fn set_flags(&mut self, value: TcpFlags) {
        let data_offset = u16::from(self.data_offset()) << 12;
        let word = data_offset | (value.bits() & 0x0fff);
        self.write(field::DATA_OFFSET_FLAGS, &word.to_be_bytes());
    }

    /// Set the window field.
    pub fn set_window_len(&mut self, value: u16) {
        self.write(field::WINDOW, &value.to_be_bytes());
    }

    /// Set the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        self.write(field::CHECKSUM, &value.to_be_bytes());
    }

    /// Set the urgent pointer field.
    pub fn set_urgent_pointer(&mut self, value: u16) {
        self.write(field::URGENT_POINTER, &value.to_be_bytes());
    }

    /// Return the options area, for writing.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let header_len = self.header_len();
        &mut self.buffer.as_mut()[field::OPTIONS(header_len)]
    }

    /// Return the data, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let header_len = self.header_len();
        &mut self.buffer.as_mut()[field::PAYLOAD(header_len)]
    }

    /// Compute and fill in the checksum over the pseudo-header of `src` and
    /// `dst` and the whole buffer (RFC 9293 3.1, MUST-2).
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let value = self.expected_checksum(src, dst);
        self.set_checksum(value);
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for TcpSegment<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

impl<T: AsRef<[u8]> + ?Sized> fmt::Display for TcpSegment<&T> {
    /// Print the segment as [`TcpRepr`] does (checksum not verified), or
    /// the reason it cannot be read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let any = Ipv4Addr::UNSPECIFIED;
        match TcpRepr::parse(self, any, any, ChecksumPolicy::Ignore) {
            Ok(repr) => write!(f, "{repr}"),
            Err(err) => write!(f, "TCP ({err})"),
        }
    }
}

/// A TCP segment, parsed, losslessly: every field but the data offset and
/// the checksum, which `emit` derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpRepr<'a> {
    /// The source port.
    pub src_port: u16,
    /// The destination port.
    pub dst_port: u16,
    /// The sequence number.
    pub seq_number: SeqNumber,
    /// The acknowledgment number, kept even when ACK is clear.
    pub ack_number: SeqNumber,
    /// The flags and reserved bits: any combination.
    pub flags: TcpFlags,
    /// The window field, unscaled.
    pub window: u16,
    /// The urgent pointer, kept even when URG is clear.
    pub urgent_pointer: u16,
    /// The options.
    pub options: TcpOptions,
    /// The data.
    pub payload: &'a [u8],
}

impl<'a> TcpRepr<'a> {
    /// Parse a segment that travelled from `src` to `dst`.
    ///
    /// Runs [`TcpSegment::check_len`]; under [`ChecksumPolicy::Verify`]
    /// checks the checksum (RFC 9293 3.1, MUST-3) and fails with
    /// [`WireError::BadChecksum`]; then reads the options, failing with
    /// [`WireError::BadOptionLength`] (MUST-7).
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        segment: &TcpSegment<&'a T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        policy: ChecksumPolicy,
    ) -> Result<TcpRepr<'a>, WireError> {
        segment.check_len()?;
        if policy.verifies() && !segment.verify_checksum(src, dst) {
            return Err(segment.bad_checksum(src, dst));
        }
        Ok(TcpRepr {
            src_port: segment.src_port(),
            dst_port: segment.dst_port(),
            seq_number: segment.seq_number(),
            ack_number: segment.ack_number(),
            flags: segment.flags(),
            window: segment.window_len(),
            urgent_pointer: segment.urgent_pointer(),
            options: TcpOptions::parse(segment.options())?,
            payload: segment.payload(),
        })
    }

    /// Return the length of the header `emit` writes: 20 bytes plus the
    /// options padded to a word.
    #[inline]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options.padded_len()
    }

    /// Return the length of the segment `emit` writes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Return SEG.LEN, the sequence space the segment occupies: its data,
    /// plus one for SYN and one for FIN (RFC 9293 3.4).
    pub fn segment_len(&self) -> usize {
        let controls = self.flags & (TcpFlags::SYN | TcpFlags::FIN);
        self.payload.len() + controls.iter().count()
    }

    /// Write the segment into the first [`buffer_len`](Self::buffer_len)
    /// bytes of `segment`'s buffer.
    ///
    /// Under [`ChecksumPolicy::Verify`] the checksum is computed over the
    /// pseudo-header of `src` and `dst` and those bytes (MUST-2); under
    /// `Ignore` it is zero.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than `buffer_len()`.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        segment: &mut TcpSegment<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        policy: ChecksumPolicy,
    ) {
        let header_len = self.header_len();
        segment.buffer.as_mut()[header_len..self.buffer_len()].copy_from_slice(self.payload);
        self.emit_header(segment, src, dst, policy);
    }

    /// Write the segment as [`emit`](Self::emit) does, all but the data,
    /// which the buffer already holds after the header: a caller that built
    /// the buffer around the data saves copying it twice.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than `buffer_len()`.
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        segment: &mut TcpSegment<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        policy: ChecksumPolicy,
    ) {
        let header_len = self.header_len();
        let buffer = &mut segment.buffer.as_mut()[..self.buffer_len()];
        let mut out = TcpSegment::new_unchecked(buffer);
        out.set_src_port(self.src_port);
        out.set_dst_port(self.dst_port);
        out.set_seq_number(self.seq_number);
        out.set_ack_number(self.ack_number);
        // Data offset and flags in one store (as `set_data_offset` then
        // `set_flags` would leave them), without reading back what may be
        // stale bytes of a reused buffer.
        let word = ((header_len as u16 / 4) << 12) | (self.flags.bits() & 0x0fff);
        out.write(field::DATA_OFFSET_FLAGS, &word.to_be_bytes());
        out.set_window_len(self.window);
        out.set_urgent_pointer(self.urgent_pointer);
        out.buffer[field::OPTIONS(header_len)].copy_from_slice(self.options.wire_bytes());
        if policy.verifies() {
            out.fill_checksum(src, dst);
        } else {
            out.set_checksum(0);
        }
    }

    /// Return the MSS option's value ([`TcpOptions::mss`]).
    #[inline]
    pub fn mss(&self) -> Option<u16> {
        self.options.mss()
    }

    /// Return the window scale shift count as read ([`TcpOptions::window_scale`]).
    #[inline]
    pub fn window_scale(&self) -> Option<u8> {
        self.options.window_scale()
    }

    /// Return whether SACK is permitted ([`TcpOptions::sack_permitted`]).
    #[inline]
    pub fn sack_permitted(&self) -> bool {
        self.options.sack_permitted()
    }

    /// Return the timestamps ([`TcpOptions::timestamps`]).
    #[inline]
    pub fn timestamps(&self) -> Option<Timestamps> {
        self.options.timestamps()
    }

    /// Return the SACK blocks ([`TcpOptions::sack_blocks`]).
    #[inline]
    pub fn sack_blocks(&self) -> Option<SackBlocks> {
        self.options.sack_blocks()
    }
}

impl fmt::Display for TcpRepr<'_> {
    /// Print the segment in packetdrill notation (grammar in the module docs).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.payload.len() as u32;
        let end = self.seq_number + len;
        write!(f, "{} {}:{end}({len})", self.flags, self.seq_number)?;
        if self.flags.contains(TcpFlags::ACK) || self.ack_number.0 != 0 {
            write!(f, " ack {}", self.ack_number)?;
        }
        write!(f, " win {}", self.window)?;
        if self.flags.contains(TcpFlags::URG) || self.urgent_pointer != 0 {
            write!(f, " urg {}", self.urgent_pointer)?;
        }
        let reserved = (self.flags & TcpFlags::RESERVED).bits() >> 9;
        if reserved != 0 {
            write!(f, " rsv {reserved}")?;
        }
        if !self.options.is_empty() {
            write!(f, " <{}>", self.options)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "tests/tcp.rs"]
mod tests;
