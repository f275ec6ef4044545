//! IPv4 (RFC 791; RFC 1122 3.2.1): the header view, its options, and an owned,
//! lossless [`Ipv4Repr`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |Type of Service|          Total Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Identification        |Flags|      Fragment Offset    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Source Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options                    |    Padding    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The fragment offset is read and written **in 8-octet units**, as carried on
//! the wire (RFC 791 3.1); the `*_bytes` helpers convert it to octets.
//!
//! Setters that void the [`Ipv4Packet::check_len`] guarantee:
//! [`set_version`](Ipv4Packet::set_version), [`set_ihl`](Ipv4Packet::set_ihl)
//! and [`set_total_len`](Ipv4Packet::set_total_len).

use core::fmt;

use super::{checksum, need_len, ChecksumPolicy, IpProtocol, Ipv4Addr, WireError};

mod field {
    use crate::wire::Field;

    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const TOTAL_LENGTH: Field = 2..4;
    pub const IDENTIFICATION: Field = 4..6;
    pub const FLAGS_FRAG_OFFSET: Field = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Field = 10..12;
    pub const SRC_ADDR: Field = 12..16;
    pub const DST_ADDR: Field = 16..20;

    /// The options area of a header `header_len` bytes long.
    #[inline]
    pub const fn options(header_len: usize) -> Field {
        DST_ADDR.end..header_len
    }
}

/// The length of an IPv4 header without options.
pub const HEADER_LEN: usize = field::DST_ADDR.end;
/// The longest IPv4 header: IHL is four bits, so 15 words.
pub const MAX_HEADER_LEN: usize = 15 * 4;
/// The most option bytes a header can carry.
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - HEADER_LEN;

/// Flags field bit 0: reserved, must be zero (RFC 791 3.1).
const FLAG_RESERVED: u16 = 0x8000;
/// Flags field bit 1: Don't Fragment.
const FLAG_DF: u16 = 0x4000;
/// Flags field bit 2: More Fragments.
const FLAG_MF: u16 = 0x2000;
/// The 13-bit fragment offset, in 8-octet units.
const FRAG_OFFSET_MASK: u16 = 0x1fff;

#[inline]
fn get_u16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([buf[at], buf[at + 1]])
}

#[inline]
fn get_addr(buf: &[u8], at: usize) -> Ipv4Addr {
    // One 4-byte read: built byte by byte, the address would be stored as
    // four bytes and then reloaded as a word, which stalls the load.
    let mut octets = [0; 4];
    octets.copy_from_slice(&buf[at..at + 4]);
    Ipv4Addr::from(octets)
}

/// A read/write view of an IPv4 datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Wrap a buffer without checking it; getters may panic until
    /// [`check_len`](Self::check_len) has passed.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> Ipv4Packet<T> {
        Ipv4Packet { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<Ipv4Packet<T>, WireError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check the header alone, as an ICMP error quotes it: at least 20 bytes
    /// (`Truncated{field: "header"}`), version 4 (`Invalid{field: "version"}`,
    /// RFC 1122 3.2.1.1), IHL at least 5 (`Invalid{field: "ihl"}`), the IHL
    /// within the buffer (`Truncated{field: "options"}`) and a total length
    /// no shorter than the header (`Invalid{field: "total_length"}`).
    ///
    /// The total length may run past the buffer. After this check no getter
    /// panics, and [`payload`](Ipv4Packet::payload) is cut at the buffer's end.
    #[inline(always)]
    pub fn check_header(&self) -> Result<(), WireError> {
        if self.fits(false) {
            return Ok(());
        }
        self.check_header_slow()
    }

    /// Return whether every test of [`check_header`](Self::check_header)
    /// passes, and with `whole`, whether the buffer holds the total length:
    /// the common case in one go, without naming what fails.
    #[inline(always)]
    fn fits(&self, whole: bool) -> bool {
        let data = self.buffer.as_ref();
        let Some(header) = data.first_chunk::<HEADER_LEN>() else {
            return false;
        };
        let ver_ihl = header[field::VER_IHL];
        let header_len = usize::from(ver_ihl & 0x0f) * 4;
        let total = usize::from(get_u16(header, field::TOTAL_LENGTH.start));
        let end = if whole { total } else { header_len };
        // Version 4 and IHL 5 to 15; the header within the total length and
        // the buffer (`end` is at least `header_len`).
        (0x45..=0x4f).contains(&ver_ihl) && header_len <= total && end <= data.len()
    }

    /// The whole of [`check_header`](Self::check_header), off its fast path.
    #[cold]
    #[inline(never)]
    fn check_header_slow(&self) -> Result<(), WireError> {
        let len = self.buffer.as_ref().len();
        need_len("header", HEADER_LEN, len)?;
        if self.version() != 4 {
            let value = u32::from(self.version());
            return Err(WireError::Invalid {
                field: "version",
                value,
            });
        }
        if self.ihl() < 5 {
            let value = u32::from(self.ihl());
            return Err(WireError::Invalid {
                field: "ihl",
                value,
            });
        }
        need_len("options", self.header_len(), len)?;
        if usize::from(self.total_len()) < self.header_len() {
            let value = u32::from(self.total_len());
            return Err(WireError::Invalid {
                field: "total_length",
                value,
            });
        }
        Ok(())
    }

    /// Check everything [`check_header`](Self::check_header) does, and that
    /// the buffer holds the whole datagram its total length claims
    /// (`Truncated{field: "payload"}`). Bytes beyond the total length, such as
    /// Ethernet padding, are allowed and ignored.
    #[inline(always)]
    pub fn check_len(&self) -> Result<(), WireError> {
        if self.fits(true) {
            return Ok(());
        }
        self.check_header_slow()?;
        let len = self.buffer.as_ref().len();
        need_len("payload", usize::from(self.total_len()), len)
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Return the version field.
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] >> 4
    }

    /// Return the Internet Header Length field, in 32-bit words.
    #[inline]
    pub fn ihl(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] & 0x0f
    }

    /// Return the header length in bytes (IHL times four).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.ihl()) * 4
    }

    /// Return the Type of Service octet: DSCP and ECN (RFC 2474, RFC 3168).
    #[inline]
    pub fn tos(&self) -> u8 {
        self.buffer.as_ref()[field::TOS]
    }

    /// Return the Differentiated Services Code Point (the high six bits of TOS).
    #[inline]
    pub fn dscp(&self) -> u8 {
        self.tos() >> 2
    }

    /// Return the Explicit Congestion Notification bits (the low two of TOS).
    #[inline]
    pub fn ecn(&self) -> u8 {
        self.tos() & 0x03
    }

    /// Return the Total Length field: header plus data, in bytes.
    #[inline]
    pub fn total_len(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::TOTAL_LENGTH.start)
    }

    /// Return the Identification field.
    #[inline]
    pub fn ident(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::IDENTIFICATION.start)
    }

    #[inline]
    fn flags_frag_offset(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::FLAGS_FRAG_OFFSET.start)
    }

    /// Return the reserved flag (bit 0), which RFC 791 says must be zero.
    #[inline]
    pub fn reserved_flag(&self) -> bool {
        self.flags_frag_offset() & FLAG_RESERVED != 0
    }

    /// Return the Don't Fragment flag.
    #[inline]
    pub fn dont_frag(&self) -> bool {
        self.flags_frag_offset() & FLAG_DF != 0
    }

    /// Return the More Fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        self.flags_frag_offset() & FLAG_MF != 0
    }

    /// Return the Fragment Offset field, **in 8-octet units**.
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        self.flags_frag_offset() & FRAG_OFFSET_MASK
    }

    /// Return the fragment offset in bytes.
    #[inline]
    pub fn frag_offset_bytes(&self) -> usize {
        usize::from(self.frag_offset()) * 8
    }

    /// Return whether this datagram is a fragment: MF set or a non-zero offset.
    #[inline]
    pub fn is_fragment(&self) -> bool {
        self.more_frags() || self.frag_offset() != 0
    }

    /// Return the Time to Live field.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }

    /// Return the Protocol field.
    #[inline]
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::PROTOCOL])
    }

    /// Return the Header Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Return the Source Address field.
    #[inline]
    pub fn src_addr(&self) -> Ipv4Addr {
        get_addr(self.buffer.as_ref(), field::SRC_ADDR.start)
    }

    /// Return the Destination Address field.
    #[inline]
    pub fn dst_addr(&self) -> Ipv4Addr {
        get_addr(self.buffer.as_ref(), field::DST_ADDR.start)
    }

    /// Return whether the header checksum verifies (RFC 1122 3.2.1.2, MUST).
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        let header = &self.buffer.as_ref()[..self.header_len()];
        checksum::verifies(&[checksum::data(header)])
    }

    /// Return the [`WireError::BadChecksum`] for this header, off the hot path.
    #[cold]
    #[inline(never)]
    fn bad_checksum(&self) -> WireError {
        let (expected, found) = (self.compute_checksum(), self.checksum());
        WireError::BadChecksum { expected, found }
    }

    /// Return the checksum the header should carry, whatever it carries.
    #[inline]
    pub fn compute_checksum(&self) -> u16 {
        let header = &self.buffer.as_ref()[..self.header_len()];
        let before = &header[..field::CHECKSUM.start];
        let after = &header[field::CHECKSUM.end..];
        checksum::finish(&[checksum::data(before), checksum::data(after)])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv4Packet<&'a T> {
    /// Return the raw options (and padding) between byte 20 and IHL * 4.
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::options(self.header_len())]
    }

    /// Return the payload: from the end of the header to the total length.
    /// Trailing bytes past the total length (Ethernet padding) are left out.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let data = self.buffer.as_ref();
        let end = usize::from(self.total_len()).min(data.len());
        // Empty when the header runs past `end` (`check_header` not passed).
        let start = self.header_len().min(end);
        &data[start..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    fn set_u16(&mut self, at: usize, value: u16) {
        self.buffer.as_mut()[at..at + 2].copy_from_slice(&value.to_be_bytes());
    }

    fn set_flag(&mut self, flag: u16, on: bool) {
        let word = self.flags_frag_offset() & !flag;
        self.set_u16(
            field::FLAGS_FRAG_OFFSET.start,
            word | if on { flag } else { 0 },
        );
    }

    /// Set the version field (voids `check_len`).
    pub fn set_version(&mut self, value: u8) {
        let byte = &mut self.buffer.as_mut()[field::VER_IHL];
        *byte = (*byte & 0x0f) | (value << 4);
    }

    /// Set the IHL field, in 32-bit words (voids `check_len`).
    pub fn set_ihl(&mut self, value: u8) {
        let byte = &mut self.buffer.as_mut()[field::VER_IHL];
        *byte = (*byte & 0xf0) | (value & 0x0f);
    }

    /// Set the Type of Service octet.
    pub fn set_tos(&mut self, value: u8) {
        self.buffer.as_mut()[field::TOS] = value;
    }

    /// Set the Total Length field (voids `check_len`).
    pub fn set_total_len(&mut self, value: u16) {
        self.set_u16(field::TOTAL_LENGTH.start, value);
    }

    /// Set the Identification field.
    pub fn set_ident(&mut self, value: u16) {
        self.set_u16(field::IDENTIFICATION.start, value);
    }

    /// Clear all three flags and the fragment offset.
    pub fn clear_flags(&mut self) {
        self.set_u16(field::FLAGS_FRAG_OFFSET.start, 0);
    }

    /// Set the reserved flag (bit 0).
    pub fn set_reserved_flag(&mut self, value: bool) {
        self.set_flag(FLAG_RESERVED, value);
    }

    /// Set the Don't Fragment flag.
    pub fn set_dont_frag(&mut self, value: bool) {
        self.set_flag(FLAG_DF, value);
    }

    /// Set the More Fragments flag.
    pub fn set_more_frags(&mut self, value: bool) {
        self.set_flag(FLAG_MF, value);
    }

    /// Set the Fragment Offset field, **in 8-octet units**; only the low 13
    /// bits of `value` are kept.
    pub fn set_frag_offset(&mut self, value: u16) {
        let word = self.flags_frag_offset() & !FRAG_OFFSET_MASK;
        self.set_u16(
            field::FLAGS_FRAG_OFFSET.start,
            word | (value & FRAG_OFFSET_MASK),
        );
    }

    /// Set the Time to Live field.
    pub fn set_ttl(&mut self, value: u8) {
        self.buffer.as_mut()[field::TTL] = value;
    }

    /// Set the Protocol field.
    pub fn set_protocol(&mut self, value: IpProtocol) {
        self.buffer.as_mut()[field::PROTOCOL] = u8::from(value);
    }

    /// Set the Header Checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        self.set_u16(field::CHECKSUM.start, value);
    }

    /// Set the Source Address field.
    pub fn set_src_addr(&mut self, value: Ipv4Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&value.octets());
    }

    /// Set the Destination Address field.
    pub fn set_dst_addr(&mut self, value: Ipv4Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&value.octets());
    }

    /// Compute the header checksum and write it into the header.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let value = self.compute_checksum();
        self.set_checksum(value);
    }

    /// Return the options area, as sized by the IHL field, for writing.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than IHL * 4 bytes.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let range = field::options(self.header_len());
        &mut self.buffer.as_mut()[range]
    }

    /// Return the payload, from the header's end to the total length, for
    /// writing.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than the total length, or the total
    /// length shorter than the header.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = self.header_len()..usize::from(self.total_len());
        &mut self.buffer.as_mut()[range]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Ipv4Packet<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

mod options;

pub use options::{Ipv4Option, Ipv4OptionIter, Ipv4Options};

/// What identifies the fragments of one datagram (RFC 791 3.2, "the
/// identification field is used ... with the source and destination address,
/// and the protocol fields"): the reassembly key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4FragKey {
    /// The source address.
    pub src_addr: Ipv4Addr,
    /// The destination address.
    pub dst_addr: Ipv4Addr,
    /// The protocol.
    pub protocol: IpProtocol,
    /// The Identification field.
    pub ident: u16,
}

/// An IPv4 header, owned and lossless: every header bit but the checksum
/// (which is derived) is kept, so [`emit`](Self::emit) rebuilds the header
/// that [`parse`](Self::parse) read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Repr {
    /// The source address.
    pub src_addr: Ipv4Addr,
    /// The destination address.
    pub dst_addr: Ipv4Addr,
    /// The protocol of the payload.
    pub protocol: IpProtocol,
    /// The Time to Live.
    pub ttl: u8,
    /// The Type of Service octet (DSCP and ECN).
    pub tos: u8,
    /// The Identification field.
    pub ident: u16,
    /// The reserved flag, which RFC 791 says must be zero; kept so that a
    /// datagram with it set re-emits as it arrived.
    pub reserved_flag: bool,
    /// The Don't Fragment flag.
    pub dont_frag: bool,
    /// The More Fragments flag.
    pub more_frags: bool,
    /// The fragment offset **in 8-octet units**, as on the wire; at most
    /// 0x1fff (larger values are masked on emit).
    pub frag_offset: u16,
    /// The options, with their padding.
    pub options: Ipv4Options,
    /// The payload length in bytes: total length minus header length.
    pub payload_len: usize,
}

/// The TTL a host uses by default (the IANA recommendation; RFC 1122
/// 3.2.1.7 asks only that it be configurable).
pub const DEFAULT_TTL: u8 = 64;

impl Ipv4Repr {
    /// Build an unfragmented header with no options, TOS 0, ID 0 and
    /// [`DEFAULT_TTL`].
    #[inline]
    pub fn new(
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
        protocol: IpProtocol,
        payload_len: usize,
    ) -> Self {
        Ipv4Repr {
            src_addr,
            dst_addr,
            protocol,
            ttl: DEFAULT_TTL,
            tos: 0,
            ident: 0,
            reserved_flag: false,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            options: Ipv4Options::EMPTY,
            payload_len,
        }
    }

    /// Parse a datagram: [`check_len`](Ipv4Packet::check_len), the header
    /// checksum under `policy` (RFC 1122 3.2.1.2), then the options.
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Ipv4Packet<T>,
        policy: ChecksumPolicy,
    ) -> Result<Ipv4Repr, WireError> {
        packet.check_len()?;
        if policy.verifies() && !packet.verify_checksum() {
            return Err(packet.bad_checksum());
        }
        Self::read_header(packet)
    }

    /// Parse the header of a datagram quoted in an ICMP error: only
    /// [`check_header`](Ipv4Packet::check_header) applies, since the quote
    /// is cut short, and the checksum is not verified.
    #[inline]
    pub fn parse_quoted<T: AsRef<[u8]>>(packet: &Ipv4Packet<T>) -> Result<Ipv4Repr, WireError> {
        packet.check_header()?;
        Self::read_header(packet)
    }

    #[inline(always)]
    fn read_header<T: AsRef<[u8]>>(packet: &Ipv4Packet<T>) -> Result<Ipv4Repr, WireError> {
        let data = packet.buffer.as_ref();
        // `check_header` has passed: the fixed header is there, and read as
        // one array its fields need no bounds check each.
        let Some(header) = data.first_chunk::<HEADER_LEN>() else {
            return Err(crate::wire::truncated("header", HEADER_LEN, data.len()));
        };
        let header_len = usize::from(header[field::VER_IHL] & 0x0f) * 4;
        // The options first: the only fallible part, so that the fields
        // below go straight into the `Ok` value. Nearly every header has none.
        let options = match data.get(field::options(header_len)) {
            Some(raw) if header_len > HEADER_LEN => Ipv4Options::new(raw)?,
            _ => Ipv4Options::EMPTY,
        };
        let flags = get_u16(header, field::FLAGS_FRAG_OFFSET.start);
        let total_len = usize::from(get_u16(header, field::TOTAL_LENGTH.start));
        Ok(Ipv4Repr {
            src_addr: get_addr(header, field::SRC_ADDR.start),
            dst_addr: get_addr(header, field::DST_ADDR.start),
            protocol: IpProtocol::from(header[field::PROTOCOL]),
            ttl: header[field::TTL],
            tos: header[field::TOS],
            ident: get_u16(header, field::IDENTIFICATION.start),
            reserved_flag: flags & FLAG_RESERVED != 0,
            dont_frag: flags & FLAG_DF != 0,
            more_frags: flags & FLAG_MF != 0,
            frag_offset: flags & FRAG_OFFSET_MASK,
            options,
            payload_len: total_len - header_len,
        })
    }

    /// Return the header length in bytes, options included.
    #[inline]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options.len()
    }

    /// Return the length of the whole datagram, header plus payload.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Return whether this header belongs to a fragment.
    #[inline]
    pub fn is_fragment(&self) -> bool {
        self.more_frags || self.frag_offset != 0
    }

    /// Return the fragment offset in bytes.
    #[inline]
    pub fn frag_offset_bytes(&self) -> usize {
        usize::from(self.frag_offset & FRAG_OFFSET_MASK) * 8
    }

    /// Return the key that groups this fragment with its siblings.
    pub fn frag_key(&self) -> Ipv4FragKey {
        Ipv4FragKey {
            src_addr: self.src_addr,
            dst_addr: self.dst_addr,
            protocol: self.protocol,
            ident: self.ident,
        }
    }

    /// Write the header (options included) into `packet`; the payload bytes
    /// are left as they are. Under `Verify` the checksum is computed, under
    /// `Ignore` it is written as zero.
    ///
    /// A total length over 65,535 is written as 65,535.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`header_len`](Self::header_len).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Ipv4Packet<T>,
        policy: ChecksumPolicy,
    ) {
        let header_len = self.header_len();
        packet.set_version(4);
        // NOTE: `Ipv4Options` holds at most 40 bytes, so IHL is at most 15.
        packet.set_ihl((header_len / 4) as u8);
        packet.set_tos(self.tos);
        packet.set_total_len(u16::try_from(self.buffer_len()).unwrap_or(u16::MAX));
        packet.set_ident(self.ident);
        packet.clear_flags();
        packet.set_reserved_flag(self.reserved_flag);
        packet.set_dont_frag(self.dont_frag);
        packet.set_more_frags(self.more_frags);
        packet.set_frag_offset(self.frag_offset);
        packet.set_ttl(self.ttl);
        packet.set_protocol(self.protocol);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        packet
            .options_mut()
            .copy_from_slice(self.options.as_bytes());
        if policy.verifies() {
            packet.fill_checksum();
        } else {
            packet.set_checksum(0);
        }
    }
}

impl fmt::Display for Ipv4Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (src, dst, proto) = (self.src_addr, self.dst_addr, self.protocol);
        write!(
            f,
            "{src} > {dst}: {proto}, ttl {}, id {}",
            self.ttl, self.ident
        )?;
        if self.tos != 0 {
            write!(f, ", tos {:#04x}", self.tos)?;
        }
        let flags = [
            (self.reserved_flag, "rsvd"),
            (self.dont_frag, "DF"),
            (self.more_frags, "MF"),
        ];
        for (_, name) in flags.iter().filter(|(set, _)| *set) {
            write!(f, ", {name}")?;
        }
        if self.frag_offset != 0 {
            write!(f, ", off {}", self.frag_offset_bytes())?;
        }
        if !self.options.is_empty() {
            write!(f, ", options (")?;
            for (i, option) in self.options.iter().enumerate() {
                write!(f, "{}{option}", if i == 0 { "" } else { ", " })?;
            }
            write!(f, ")")?;
        }
        write!(f, ", len {}", self.buffer_len())
    }
}

impl<T: AsRef<[u8]> + ?Sized> fmt::Display for Ipv4Packet<&T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Ipv4Repr::parse(self, ChecksumPolicy::Ignore) {
            Ok(repr) => write!(f, "{repr}"),
            Err(err) => write!(f, "IPv4 ({err})"),
        }
    }
}

#[cfg(test)]
#[path = "tests/ipv4.rs"]
pub(crate) mod tests;
