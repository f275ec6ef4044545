//! UDP (RFC 768): the datagram view [`UdpPacket`] and its owned [`UdpRepr`].
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |     Source      |   Destination   |
//! |      Port       |      Port       |
//! +--------+--------+--------+--------+
//! |     Length      |    Checksum     |
//! +--------+--------+--------+--------+
//! |          data octets ...
//! +---------------- ...
//! ```
//!
//! The checksum covers the IPv4 pseudo-header, the header and the data. A
//! zero checksum means the sender computed none (RFC 768), so [`UdpRepr::parse`]
//! accepts it, and [`UdpRepr::emit`] never writes a computed zero: it sends
//! 0xffff, the other zero of ones'-complement arithmetic.
//!
//! [`UdpPacket::set_len`] voids the guarantee of [`UdpPacket::check_len`].
//!
//! `Display` prints one line, as tcpdump does: `UDP 1492 > 69, length 55`,
//! where the length is that of the data (the payload), not of the datagram.

use core::fmt;

use super::{checksum, need_len, ChecksumPolicy, IpProtocol, Ipv4Addr, WireError};

/// The byte ranges of the UDP header.
mod field {
    #![allow(non_snake_case)]

    use crate::wire::Field;

    /// The source port.
    pub const SRC_PORT: Field = 0..2;
    /// The destination port.
    pub const DST_PORT: Field = 2..4;
    /// The length of header plus data, in bytes.
    pub const LENGTH: Field = 4..6;
    /// The checksum over pseudo-header, header and data.
    pub const CHECKSUM: Field = 6..8;

    /// The data, up to the end given by the length field.
    #[inline]
    pub const fn PAYLOAD(length: usize) -> Field {
        CHECKSUM.end..length
    }
}

/// The length of the UDP header, in bytes.
pub const HEADER_LEN: usize = field::CHECKSUM.end;

/// A read/write view over the bytes of a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

#[allow(clippy::len_without_is_empty)]
impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Wrap a buffer without checking its length (see [`check_len`](Self::check_len)).
    #[inline]
    pub const fn new_unchecked(buffer: T) -> UdpPacket<T> {
        UdpPacket { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<UdpPacket<T>, WireError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Ensure that no getter will panic.
    ///
    /// Fails with [`WireError::Truncated`] when the buffer is shorter than the
    /// header (field `"udp header"`) or than the length field claims (field
    /// `"udp length"`), and with [`WireError::Invalid`] when the length field
    /// is below the header length (field `"udp length"`). A buffer longer than
    /// the length field is accepted (link-layer padding); the payload ends
    /// where the length field says. [`set_len`](Self::set_len) voids this check.
    #[inline(always)]
    pub fn check_len(&self) -> Result<(), WireError> {
        // The common case in one test; anything else takes the full check,
        // which names the field at fault.
        let data = self.buffer.as_ref();
        if let Some(header) = data.first_chunk::<HEADER_LEN>() {
            let at = field::LENGTH.start;
            let length = usize::from(u16::from_be_bytes([header[at], header[at + 1]]));
            if (HEADER_LEN..=data.len()).contains(&length) {
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
        need_len("udp header", HEADER_LEN, have)?;
        let length = usize::from(self.len());
        if length < HEADER_LEN {
            return Err(WireError::Invalid {
                field: "udp length",
                value: u32::from(self.len()),
            });
        }
        need_len("udp length", length, have)
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    #[inline]
    fn read_u16(&self, field: super::Field) -> u16 {
        let data = self.buffer.as_ref();
        u16::from_be_bytes([data[field.start], data[field.start + 1]])
    }

    /// Return the source port field (zero when unused, RFC 768).
    #[inline]
    pub fn src_port(&self) -> u16 {
        self.read_u16(field::SRC_PORT)
    }

    /// Return the destination port field.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        self.read_u16(field::DST_PORT)
    }

    /// Return the length field: header plus data, in bytes.
    #[inline]
    pub fn len(&self) -> u16 {
        self.read_u16(field::LENGTH)
    }

    /// Return the checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        self.read_u16(field::CHECKSUM)
    }

    /// Return the partial checksum sum over the pseudo-header and the
    /// datagram (as far as the length field reaches), checksum field included.
    #[inline]
    fn sum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        let datagram = &self.buffer.as_ref()[..usize::from(self.len())];
        checksum::transport_sum(src, dst, IpProtocol::Udp, datagram)
    }

    /// Return the checksum the datagram should carry, given its addresses:
    /// never zero, which would mean "no checksum" (RFC 768).
    #[inline]
    pub fn expected_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        match checksum::finish_without(self.sum(src, dst), self.checksum()) {
            0 => 0xffff,
            c => c,
        }
    }

    /// Return the [`WireError::BadChecksum`] for this datagram, off the hot
    /// path.
    #[cold]
    #[inline(never)]
    fn bad_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> WireError {
        WireError::BadChecksum {
            expected: self.expected_checksum(src, dst),
            found: self.checksum(),
        }
    }

    /// Return whether the checksum verifies over the pseudo-header of `src`
    /// and `dst`; a zero checksum ("none computed", RFC 768) always does.
    #[inline]
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        self.checksum() == 0 || checksum::verifies(&[self.sum(src, dst)])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> UdpPacket<&'a T> {
    /// Return the data, trimmed to the length field.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let data = self.buffer.as_ref();
        &data[field::PAYLOAD(usize::from(self.len()))]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    fn write_u16(&mut self, field: super::Field, value: u16) {
        self.buffer.as_mut()[field].copy_from_slice(&value.to_be_bytes());
    }

    /// Set the source port field.
    pub fn set_src_port(&mut self, value: u16) {
        self.write_u16(field::SRC_PORT, value);
    }

    /// Set the destination port field.
    pub fn set_dst_port(&mut self, value: u16) {
        self.write_u16(field::DST_PORT, value);
    }

    /// Set the length field. This voids [`check_len`](Self::check_len).
    pub fn set_len(&mut self, value: u16) {
        self.write_u16(field::LENGTH, value);
    }

    /// Set the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        self.write_u16(field::CHECKSUM, value);
    }

    /// Compute and fill in the checksum over the pseudo-header of `src` and
    /// `dst`, header and data. A computed zero is sent as 0xffff (RFC 768).
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let value = self.expected_checksum(src, dst);
        self.set_checksum(value);
    }

    /// Return the data, trimmed to the length field, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let length = usize::from(self.len());
        &mut self.buffer.as_mut()[field::PAYLOAD(length)]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for UdpPacket<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A UDP datagram, parsed: the ports and the data it carries.
///
/// The length and checksum fields are not kept: `emit` derives both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpRepr<'a> {
    /// The source port (zero when unused).
    pub src_port: u16,
    /// The destination port.
    pub dst_port: u16,
    /// The data.
    pub payload: &'a [u8],
}

impl<'a> UdpRepr<'a> {
    /// Parse a datagram that travelled from `src` to `dst`.
    ///
    /// Runs [`UdpPacket::check_len`], then, under [`ChecksumPolicy::Verify`],
    /// checks the checksum and fails with [`WireError::BadChecksum`]. A zero
    /// checksum is accepted: the sender computed none (RFC 768).
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &UdpPacket<&'a T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        policy: ChecksumPolicy,
    ) -> Result<UdpRepr<'a>, WireError> {
        packet.check_len()?;
        if policy.verifies() && !packet.verify_checksum(src, dst) {
            return Err(packet.bad_checksum(src, dst));
        }
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload: packet.payload(),
        })
    }

    /// Return the length of the header `emit` writes.
    #[inline]
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Return the length of the datagram `emit` writes: header plus data.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Write the datagram into `packet`, whose buffer must hold at least
    /// [`buffer_len`](Self::buffer_len) bytes.
    ///
    /// Under [`ChecksumPolicy::Verify`] the checksum is computed over the
    /// pseudo-header of `src` and `dst` (never zero, RFC 768); under `Ignore`
    /// it is zero, "no checksum". A payload longer than 65,527 bytes does not
    /// fit the length field, which then reads 65,535.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than `buffer_len()`.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut UdpPacket<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        policy: ChecksumPolicy,
    ) {
        let length = u16::try_from(self.buffer_len()).unwrap_or(u16::MAX);
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(length);
        let end = HEADER_LEN + self.payload.len();
        packet.buffer.as_mut()[HEADER_LEN..end].copy_from_slice(self.payload);
        if policy.verifies() {
            packet.fill_checksum(src, dst);
        } else {
            packet.set_checksum(0);
        }
    }
}

impl fmt::Display for UdpRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UDP {} > {}, length {}",
            self.src_port,
            self.dst_port,
            self.payload.len()
        )
    }
}

impl<T: AsRef<[u8]> + ?Sized> fmt::Display for UdpPacket<&T> {
    /// Print the datagram as [`UdpRepr`] does, or the reason it cannot be read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.check_len() {
            Ok(()) => write!(
                f,
                "UDP {} > {}, length {}",
                self.src_port(),
                self.dst_port(),
                self.payload().len()
            ),
            Err(err) => write!(f, "UDP ({err})"),
        }
    }
}

#[cfg(test)]
#[path = "tests/udp.rs"]
mod tests;
