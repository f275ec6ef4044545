//! The Address Resolution Protocol for Ethernet and IPv4 (RFC 826).
//!
//! ```text
//!  0       2       4    5    6       8              14       18             24       28
//! +-------+-------+----+----+-------+--------------+--------+--------------+--------+
//! | htype | ptype |hlen|plen| oper  | sha          | spa    | tha          | tpa    |
//! +-------+-------+----+----+-------+--------------+--------+--------------+--------+
//! ```
//!
//! # Decisions
//!
//! - **Ethernet and IPv4 only.** The field names are RFC 826's (`ar$hrd` is
//!   `htype`, `ar$pro` is `ptype`, and so on). RFC 826 lets `hlen` and `plen`
//!   size the addresses; the stack only resolves IPv4 addresses to Ethernet
//!   ones, so the view reads the addresses at fixed offsets, and
//!   [`ArpPacket::check_len`] checks, in this order, that the fixed part fits
//!   (`"arp header"`), that `htype` is Ethernet and `ptype` IPv4
//!   ([`WireError::Unsupported`] otherwise), that `hlen` is 6 and `plen` 4
//!   ([`WireError::Invalid`] otherwise: for Ethernet and IPv4 no other length
//!   is right), and that the addresses fit (`"arp addresses"`). Once it has
//!   passed, no getter can panic.
//! - **Trailing bytes are ignored.** An ARP packet is 28 bytes, and an
//!   Ethernet frame carries at least 46, so the rest is link padding.
//! - **Operations are kept as read.** An opcode other than Request and Reply
//!   (RARP's 3 and 4, say) parses as [`ArpOperation::Unknown`], so that it
//!   re-emits unchanged; the host decides what to do with it.

use core::fmt;

use super::{
    need_len, read_u16, write_u16, EtherType, EthernetAddress, Field, Ipv4Addr, WireError,
};

/// Byte ranges of an Ethernet/IPv4 ARP packet.
mod field {
    use crate::wire::Field;

    /// `ar$hrd`: the hardware address space.
    pub const HTYPE: Field = 0..2;
    /// `ar$pro`: the protocol address space, as an EtherType.
    pub const PTYPE: Field = 2..4;
    /// `ar$hln`: the length of each hardware address.
    pub const HLEN: usize = 4;
    /// `ar$pln`: the length of each protocol address.
    pub const PLEN: usize = 5;
    /// `ar$op`: the opcode.
    pub const OPER: Field = 6..8;
    /// `ar$sha`: the sender's hardware address.
    pub const SHA: Field = 8..14;
    /// `ar$spa`: the sender's protocol address.
    pub const SPA: Field = 14..18;
    /// `ar$tha`: the target's hardware address.
    pub const THA: Field = 18..24;
    /// `ar$tpa`: the target's protocol address.
    pub const TPA: Field = 24..28;
}

/// The length of the part that does not depend on `hlen` and `plen`.
pub const FIXED_LEN: usize = field::OPER.end;

/// The length of an Ethernet/IPv4 ARP packet. ARP has no payload, so this is
/// the whole packet.
pub const HEADER_LEN: usize = field::TPA.end;

/// The length of an Ethernet address, the only `hlen` read.
const ETHERNET_ADDR_LEN: u8 = 6;

/// The length of an IPv4 address, the only `plen` read.
const IPV4_ADDR_LEN: u8 = 4;

enum_with_unknown! {
    /// The hardware address space, `ar$hrd` (IANA "Hardware Types").
    pub enum ArpHardware(u16) {
        /// Ethernet (10 Mb and every later speed).
        Ethernet = 1,
    }
}

enum_with_unknown! {
    /// The opcode, `ar$op` (RFC 826; IANA "Operation Codes").
    pub enum ArpOperation(u16) {
        /// Ask who has the target protocol address.
        Request = 1,
        /// Answer with the sender's hardware address.
        Reply = 2,
    }
}

impl fmt::Display for ArpOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpOperation::Request => write!(f, "Request"),
            ArpOperation::Reply => write!(f, "Reply"),
            ArpOperation::Unknown(op) => write!(f, "Unknown opcode {op}"),
        }
    }
}

/// Read the IPv4 address at `field` of `data`.
#[inline]
fn read_ipv4(data: &[u8], field: Field) -> Ipv4Addr {
    // One 4-byte read, as in `ipv4::get_addr`.
    let mut octets = [0; 4];
    octets.copy_from_slice(&data[field]);
    Ipv4Addr::from(octets)
}

/// A read/write view of an Ethernet/IPv4 ARP packet.
///
/// After [`check_len`](Self::check_len) has passed, no getter panics, and no
/// setter can change that: the getters read fixed offsets. (Setting `htype`,
/// `ptype`, `hlen` or `plen` to another value makes the packet fail
/// `check_len` again, but does not make a getter panic.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Wrap a buffer without checking it.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> ArpPacket<T> {
        ArpPacket { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<ArpPacket<T>, WireError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds an Ethernet/IPv4 ARP packet, so that no
    /// getter panics: the fixed part, then `htype`, `ptype`, `hlen` and
    /// `plen` (which fix where the addresses lie), then the addresses.
    /// Bytes after the 28th are ignored.
    #[inline(always)]
    pub fn check_len(&self) -> Result<(), WireError> {
        // The common case in one test: Ethernet (1), IPv4 (0x0800), lengths
        // 6 and 4, and 28 bytes. Anything else takes the full check, which
        // names the field at fault.
        const ETHERNET_IPV4: [u8; 6] = [0, 1, 0x08, 0x00, ETHERNET_ADDR_LEN, IPV4_ADDR_LEN];
        let data = self.buffer.as_ref();
        if data.len() >= HEADER_LEN && data.first_chunk::<6>() == Some(&ETHERNET_IPV4) {
            return Ok(());
        }
        self.check_len_slow()
    }

    /// The whole of [`check_len`](Self::check_len), off its fast path.
    #[cold]
    #[inline(never)]
    fn check_len_slow(&self) -> Result<(), WireError> {
        let have = self.buffer.as_ref().len();
        need_len("arp header", FIXED_LEN, have)?;
        if self.htype() != ArpHardware::Ethernet {
            return Err(WireError::Unsupported {
                field: "htype",
                value: u16::from(self.htype()).into(),
            });
        }
        if self.ptype() != EtherType::Ipv4 {
            return Err(WireError::Unsupported {
                field: "ptype",
                value: u16::from(self.ptype()).into(),
            });
        }
        if self.hlen() != ETHERNET_ADDR_LEN {
            return Err(WireError::Invalid {
                field: "hlen",
                value: self.hlen().into(),
            });
        }
        if self.plen() != IPV4_ADDR_LEN {
            return Err(WireError::Invalid {
                field: "plen",
                value: self.plen().into(),
            });
        }
        need_len("arp addresses", HEADER_LEN, have)
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Return the hardware type field (`ar$hrd`).
    #[inline]
    pub fn htype(&self) -> ArpHardware {
        ArpHardware::from(read_u16(self.buffer.as_ref(), field::HTYPE))
    }

    /// Return the protocol type field (`ar$pro`).
    #[inline]
    pub fn ptype(&self) -> EtherType {
        EtherType::from(read_u16(self.buffer.as_ref(), field::PTYPE))
    }

    /// Return the hardware address length field (`ar$hln`).
    #[inline]
    pub fn hlen(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    /// Return the protocol address length field (`ar$pln`).
    #[inline]
    pub fn plen(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }

    /// Return the operation field (`ar$op`).
    #[inline]
    pub fn oper(&self) -> ArpOperation {
        ArpOperation::from(read_u16(self.buffer.as_ref(), field::OPER))
    }

    /// Return the sender hardware address field (`ar$sha`).
    #[inline]
    pub fn sha(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::SHA])
    }

    /// Return the sender protocol address field (`ar$spa`).
    #[inline]
    pub fn spa(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::SPA)
    }

    /// Return the target hardware address field (`ar$tha`).
    #[inline]
    pub fn tha(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::THA])
    }

    /// Return the target protocol address field (`ar$tpa`).
    #[inline]
    pub fn tpa(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::TPA)
    }
}

/// Setters. Each panics if the buffer is shorter than [`HEADER_LEN`].
impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    /// Set the hardware type field (`ar$hrd`).
    pub fn set_htype(&mut self, value: ArpHardware) {
        write_u16(self.buffer.as_mut(), field::HTYPE, value.into());
    }

    /// Set the protocol type field (`ar$pro`).
    pub fn set_ptype(&mut self, value: EtherType) {
        write_u16(self.buffer.as_mut(), field::PTYPE, value.into());
    }

    /// Set the hardware address length field (`ar$hln`).
    pub fn set_hlen(&mut self, value: u8) {
        self.buffer.as_mut()[field::HLEN] = value;
    }

    /// Set the protocol address length field (`ar$pln`).
    pub fn set_plen(&mut self, value: u8) {
        self.buffer.as_mut()[field::PLEN] = value;
    }

    /// Set the operation field (`ar$op`).
    pub fn set_oper(&mut self, value: ArpOperation) {
        write_u16(self.buffer.as_mut(), field::OPER, value.into());
    }

    /// Set the sender hardware address field (`ar$sha`).
    pub fn set_sha(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::SHA].copy_from_slice(addr.as_bytes());
    }

    /// Set the sender protocol address field (`ar$spa`).
    pub fn set_spa(&mut self, addr: Ipv4Addr) {
        self.buffer.as_mut()[field::SPA].copy_from_slice(&addr.octets());
    }

    /// Set the target hardware address field (`ar$tha`).
    pub fn set_tha(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::THA].copy_from_slice(addr.as_bytes());
    }

    /// Set the target protocol address field (`ar$tpa`).
    pub fn set_tpa(&mut self, addr: Ipv4Addr) {
        self.buffer.as_mut()[field::TPA].copy_from_slice(&addr.octets());
    }
}

/// An Ethernet/IPv4 ARP packet, owned.
///
/// A plain struct rather than smoltcp's one-variant enum: the module reads
/// only Ethernet/IPv4, and any other address space fails to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    /// The operation (`ar$op`).
    pub operation: ArpOperation,
    /// The sender's hardware address (`ar$sha`).
    pub source_hardware_addr: EthernetAddress,
    /// The sender's protocol address (`ar$spa`).
    pub source_protocol_addr: Ipv4Addr,
    /// The target's hardware address (`ar$tha`); unknown, and zero by
    /// RFC 5227 2.1.1, in a request.
    pub target_hardware_addr: EthernetAddress,
    /// The target's protocol address (`ar$tpa`).
    pub target_protocol_addr: Ipv4Addr,
}

impl ArpRepr {
    /// Read an ARP packet. Fails as [`ArpPacket::check_len`] does.
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]>>(packet: &ArpPacket<T>) -> Result<ArpRepr, WireError> {
        packet.check_len()?;
        Ok(ArpRepr {
            operation: packet.oper(),
            source_hardware_addr: packet.sha(),
            source_protocol_addr: packet.spa(),
            target_hardware_addr: packet.tha(),
            target_protocol_addr: packet.tpa(),
        })
    }

    /// Return the length of the packet this `Repr` emits: [`HEADER_LEN`].
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Write exactly [`HEADER_LEN`] bytes into `packet`; later bytes (the
    /// link padding, if any) are left alone.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`HEADER_LEN`].
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut ArpPacket<T>) {
        packet.set_htype(ArpHardware::Ethernet);
        packet.set_ptype(EtherType::Ipv4);
        packet.set_hlen(ETHERNET_ADDR_LEN);
        packet.set_plen(IPV4_ADDR_LEN);
        packet.set_oper(self.operation);
        packet.set_sha(self.source_hardware_addr);
        packet.set_spa(self.source_protocol_addr);
        packet.set_tha(self.target_hardware_addr);
        packet.set_tpa(self.target_protocol_addr);
    }

    /// Build a request for `target` from `hardware_addr`/`protocol_addr`,
    /// with the target hardware address zero (RFC 5227 2.1.1).
    pub const fn request(
        hardware_addr: EthernetAddress,
        protocol_addr: Ipv4Addr,
        target: Ipv4Addr,
    ) -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: hardware_addr,
            source_protocol_addr: protocol_addr,
            target_hardware_addr: EthernetAddress::UNSPECIFIED,
            target_protocol_addr: target,
        }
    }

    /// Build the reply to this request from the owner of its target protocol
    /// address, whose hardware address is `hardware_addr`.
    ///
    /// RFC 826, "Packet Reception": swap the hardware and protocol fields,
    /// put the local hardware address in the sender field, and set the
    /// opcode to reply.
    pub const fn reply_to(&self, hardware_addr: EthernetAddress) -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Reply,
            source_hardware_addr: hardware_addr,
            source_protocol_addr: self.target_protocol_addr,
            target_hardware_addr: self.source_hardware_addr,
            target_protocol_addr: self.source_protocol_addr,
        }
    }

    /// Return whether this is a gratuitous ARP (an RFC 5227 announcement):
    /// the sender asks for, or announces, its own address (`spa == tpa`).
    pub fn is_gratuitous(&self) -> bool {
        self.source_protocol_addr == self.target_protocol_addr
    }

    /// Return whether this is an RFC 5227 2.1.1 probe: a request whose
    /// sender protocol address is all zeroes.
    pub fn is_probe(&self) -> bool {
        self.operation == ArpOperation::Request && self.source_protocol_addr.is_unspecified()
    }
}

impl fmt::Display for ArpRepr {
    /// Print one line, tcpdump style: `ARP, Request who-has 192.168.0.2
    /// tell 192.168.0.55`, `ARP, Reply 192.168.0.2 is-at 00:05:5d:a1:b8:40`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sha, spa) = (self.source_hardware_addr, self.source_protocol_addr);
        let (tha, tpa) = (self.target_hardware_addr, self.target_protocol_addr);
        match self.operation {
            ArpOperation::Request => {
                write!(f, "ARP, Request who-has {tpa}")?;
                // As tcpdump does, show a target hardware address only when set.
                if tha != EthernetAddress::UNSPECIFIED {
                    write!(f, " ({tha})")?;
                }
                write!(f, " tell {spa}")
            }
            ArpOperation::Reply => write!(f, "ARP, Reply {spa} is-at {sha}"),
            op @ ArpOperation::Unknown(_) => {
                write!(f, "ARP, {op} {spa} ({sha}) > {tpa} ({tha})")
            }
        }
    }
}

#[cfg(test)]
#[path = "tests/arp.rs"]
pub(crate) mod tests;
