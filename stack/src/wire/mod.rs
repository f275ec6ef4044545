//! The wire layer: reading and writing frames exactly, never panicking.
//!
//! Each protocol module is laid out the same way (after smoltcp's `wire`):
//!
//! 1. `mod field` holds the byte ranges of the fixed header as consts.
//! 2. A zero-copy view, e.g. [`TcpSegment<T: AsRef<[u8]>>`](tcp::TcpSegment),
//!    with `new_unchecked`, `check_len`, `new_checked` and `into_inner`. Once
//!    `check_len` has passed, no getter panics. Setters that change a length
//!    field void that guarantee; each module's docs name them.
//! 3. An owned `Repr` with `parse(&view, policy)`, `buffer_len()` and `emit()`.
//!    `emit` never panics on a buffer of exactly `buffer_len()` bytes.
//! 4. Code points are lossless enums with an `Unknown(n)` variant, and every
//!    `Repr` prints one line of packetdrill/tcpdump notation with `Display`.
//!
//! Parsing never allocates and returns a [`WireError`] that names the field at
//! fault. Checksums are governed by a [`ChecksumPolicy`] argument, never by a
//! `cfg`, so that what a fuzzer finds reproduces under `cargo test`.

use core::fmt;

pub mod arp;
pub mod checksum;
pub mod ethernet;
pub mod frame;
pub mod icmpv4;
pub mod ipv4;
pub mod tcp;
pub mod udp;

pub use core::net::Ipv4Addr;

/// A byte range inside a header, as used by each module's `field` consts.
pub type Field = core::ops::Range<usize>;

/// A field that runs from an offset to the end of the buffer.
pub type Rest = core::ops::RangeFrom<usize>;

/// Why a frame could not be read (or a `Repr` could not be built from it).
///
/// Every variant names the field at fault, so that a conformance report or a
/// fuzzer's crash can say exactly what was wrong with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// The buffer ends before the header, or before the length a field claims.
    Truncated {
        /// The field (or header) that does not fit.
        field: &'static str,
        /// How many bytes it needs.
        need: usize,
        /// How many bytes the buffer has.
        have: usize,
    },
    /// A field holds a value the RFC forbids, e.g. a data offset below 5.
    Invalid {
        /// The field holding the value.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// A field holds a legal value that this implementation does not handle,
    /// e.g. an ARP hardware type other than Ethernet.
    Unsupported {
        /// The field holding the value.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// An option's length byte is illegal for its kind, or runs past the
    /// options area (RFC 9293 3.1, MUST-7 for TCP).
    BadOptionLength {
        /// The option's kind (type) byte.
        kind: u8,
        /// The option's length byte (0 when the length byte itself is missing).
        length: u8,
    },
    /// The checksum over the packet does not verify.
    BadChecksum {
        /// The checksum the packet should carry.
        expected: u16,
        /// The checksum the packet carries.
        found: u16,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WireError::Truncated { field, need, have } => {
                write!(f, "truncated {field}: need {need} bytes, have {have}")
            }
            WireError::Invalid { field, value } => write!(f, "invalid {field}: {value}"),
            WireError::Unsupported { field, value } => {
                write!(f, "unsupported {field}: {value}")
            }
            WireError::BadOptionLength { kind, length } => {
                write!(f, "bad length {length} for option kind {kind}")
            }
            WireError::BadChecksum { expected, found } => {
                write!(
                    f,
                    "bad checksum: expected {expected:#06x}, found {found:#06x}"
                )
            }
        }
    }
}

impl std::error::Error for WireError {}

/// What to do about checksums.
///
/// On parse, `Verify` checks every checksum and fails with
/// [`WireError::BadChecksum`]; `Ignore` reads the packet whatever its checksum
/// (what fuzzers and hand-made frames need). On emit, `Verify` computes and
/// fills every checksum; `Ignore` writes zero in the checksum fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChecksumPolicy {
    /// Verify on parse, compute on emit.
    #[default]
    Verify,
    /// Neither verify nor compute.
    Ignore,
}

impl ChecksumPolicy {
    /// Return whether checksums are verified and computed.
    pub const fn verifies(self) -> bool {
        matches!(self, ChecksumPolicy::Verify)
    }
}

/// A 48-bit Ethernet (IEEE 802) MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// The broadcast address, ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: EthernetAddress = EthernetAddress([0xff; 6]);
    /// The all-zeroes address, used as the unknown target in an ARP request.
    pub const UNSPECIFIED: EthernetAddress = EthernetAddress([0; 6]);

    /// Build an address from a 6-byte slice.
    ///
    /// # Panics
    /// Panics if `data` is not exactly six bytes long.
    #[inline]
    pub fn from_bytes(data: &[u8]) -> EthernetAddress {
        let mut bytes = [0; 6];
        bytes.copy_from_slice(data);
        EthernetAddress(bytes)
    }

    /// Return the address as bytes.
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// Return whether this is the broadcast address.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// Return whether the group bit (multicast or broadcast) is set.
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Return whether this is a unicast address.
    pub const fn is_unicast(&self) -> bool {
        !self.is_multicast()
    }
}

impl fmt::Display for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

enum_with_unknown! {
    /// The EtherType of an Ethernet II frame.
    pub enum EtherType(u16) {
        /// Internet Protocol version 4.
        Ipv4 = 0x0800,
        /// Address Resolution Protocol.
        Arp = 0x0806,
        /// An IEEE 802.1Q VLAN tag.
        Vlan = 0x8100,
        /// Internet Protocol version 6.
        Ipv6 = 0x86dd,
    }
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EtherType::Ipv4 => write!(f, "IPv4"),
            EtherType::Arp => write!(f, "ARP"),
            EtherType::Vlan => write!(f, "802.1Q"),
            EtherType::Ipv6 => write!(f, "IPv6"),
            EtherType::Unknown(t) => write!(f, "0x{t:04x}"),
        }
    }
}

enum_with_unknown! {
    /// The protocol number carried in the IPv4 header (IANA "Assigned Internet
    /// Protocol Numbers").
    pub enum IpProtocol(u8) {
        /// Internet Control Message Protocol.
        Icmp = 1,
        /// Transmission Control Protocol.
        Tcp = 6,
        /// User Datagram Protocol.
        Udp = 17,
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpProtocol::Icmp => write!(f, "ICMP"),
            IpProtocol::Tcp => write!(f, "TCP"),
            IpProtocol::Udp => write!(f, "UDP"),
            IpProtocol::Unknown(p) => write!(f, "proto {p}"),
        }
    }
}

/// Return `Ok` when `buffer` holds at least `need` bytes, else a
/// [`WireError::Truncated`] naming `field`.
#[inline(always)]
pub(crate) fn need_len(field: &'static str, need: usize, have: usize) -> Result<(), WireError> {
    if have < need {
        Err(truncated(field, need, have))
    } else {
        Ok(())
    }
}

/// Build a [`WireError::Truncated`], out of the way of the parsers' hot path.
#[cold]
#[inline(never)]
pub(crate) fn truncated(field: &'static str, need: usize, have: usize) -> WireError {
    WireError::Truncated { field, need, have }
}

/// Read the big-endian 16-bit word at `field` of `data` (for the ARP and
/// Ethernet views, whose getters take the buffer's bytes).
#[inline]
pub(crate) fn read_u16(data: &[u8], field: Field) -> u16 {
    u16::from_be_bytes([data[field.start], data[field.start + 1]])
}

/// Write `value` as a big-endian 16-bit word at `field` of `data`.
pub(crate) fn write_u16(data: &mut [u8], field: Field, value: u16) {
    data[field].copy_from_slice(&value.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_round_trip_losslessly() {
        for v in [0u16, 0x0800, 0x0806, 0x8100, 0x86dd, 0x1234, 0xffff] {
            assert_eq!(u16::from(EtherType::from(v)), v);
        }
        for v in 0..=255u8 {
            assert_eq!(u8::from(IpProtocol::from(v)), v);
        }
        assert_eq!(EtherType::from(0x1234), EtherType::Unknown(0x1234));
    }

    #[test]
    fn ethernet_address_classes() {
        assert!(EthernetAddress::BROADCAST.is_broadcast());
        assert!(EthernetAddress::BROADCAST.is_multicast());
        assert!(EthernetAddress([0x00, 5, 0x5d, 0x61, 0x58, 0xa8]).is_unicast());
        assert_eq!(
            EthernetAddress([0x00, 5, 0x5d, 0x61, 0x58, 0xa8]).to_string(),
            "00:05:5d:61:58:a8"
        );
    }
}
