//! Ethernet II frames, with at most one IEEE 802.1Q VLAN tag.
//!
//! ```text
//!  0                 6                 12       14
//! +-----------------+-----------------+--------+----------------------
//! | destination     | source          | type   | payload (+ padding)
//! +-----------------+-----------------+--------+----------------------
//!
//!  0                 6                 12       14       16       18
//! +-----------------+-----------------+--------+--------+--------+-----
//! | destination     | source          | 0x8100 | TCI    | type   | payload
//! +-----------------+-----------------+--------+--------+--------+-----
//!                                      TPID     PCP(3) DEI(1) VID(12)
//! ```
//!
//! A frame here is what a TAP device or a pcap file holds: no preamble, no
//! start delimiter and no frame check sequence.
//!
//! # Decisions
//!
//! - **One VLAN tag.** A frame whose Type field is the 802.1Q TPID (0x8100)
//!   has its tag read into [`EthernetRepr::vlan`], and
//!   [`EthernetRepr::ethertype`] is the inner EtherType, the one that names
//!   the payload. Stacked tags are rejected by [`EthernetRepr::parse`] with
//!   [`WireError::Unsupported`]: an IEEE 802.1ad S-tag (TPID 0x88a8) in the
//!   Type field names the field `"ethertype"`, and a second tag (0x8100 or
//!   0x88a8) where the inner EtherType belongs names
//!   `"802.1Q inner ethertype"`. A host sits at the edge of a network, where
//!   provider tags have been taken off, and a `Repr` holding one tag only
//!   could not re-emit the frame exactly.
//! - **Ethernet II only.** A Type field below 0x0600 is an IEEE 802.3
//!   Length (an LLC frame), which the stack does not speak: `parse` returns
//!   [`WireError::Unsupported`] for it, naming the field it was found in.
//! - **The payload keeps the padding.** Frames shorter than 60 bytes are
//!   padded by the sender, and nothing in the Ethernet header says how much
//!   of the payload is padding: [`EthernetFrame::payload`] runs to the end of
//!   the buffer, and the upper layer trims it by its own length field (the
//!   IPv4 total length; ARP reads its 28 bytes and ignores the rest).
//! - **Short frames are accepted.** A frame shorter than [`MIN_FRAME_LEN`]
//!   parses as long as its header fits: a TAP device hands over the frames
//!   the kernel sends before any NIC pads them.
//!
//! # Writing a frame
//!
//! [`EthernetRepr::emit`] writes the header and zeroes everything after it;
//! the caller then writes the payload into [`EthernetFrame::payload_mut`].
//! Whatever the payload leaves unwritten is the zero padding.
//!
//! ```
//! use stack::wire::{EtherType, EthernetAddress};
//! use stack::wire::ethernet::{EthernetFrame, EthernetRepr};
//!
//! let repr = EthernetRepr {
//!     dst_addr: EthernetAddress::BROADCAST,
//!     src_addr: EthernetAddress([0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8]),
//!     vlan: None,
//!     ethertype: EtherType::Arp,
//! };
//! let payload = [0x42; 28];
//! let mut buffer = vec![0xa5; repr.buffer_len(payload.len())];
//! let mut frame = EthernetFrame::new_unchecked(&mut buffer[..]);
//! repr.emit(&mut frame);
//! frame.payload_mut()[..payload.len()].copy_from_slice(&payload);
//!
//! assert_eq!(buffer.len(), 60);
//! assert_eq!(&buffer[14..42], &payload[..]);
//! assert!(buffer[42..].iter().all(|&b| b == 0));
//! ```

use core::fmt;

use super::{need_len, read_u16, write_u16, EtherType, EthernetAddress, WireError};

/// Byte ranges of the Ethernet II header and of the 802.1Q tag.
mod field {
    use crate::wire::{Field, Rest};

    /// The destination MAC address.
    pub const DESTINATION: Field = 0..6;
    /// The source MAC address.
    pub const SOURCE: Field = 6..12;
    /// The Type field; the TPID (0x8100) when the frame carries a tag.
    pub const ETHERTYPE: Field = 12..14;
    /// The payload of an untagged frame.
    pub const PAYLOAD: Rest = 14..;
    /// The 802.1Q Tag Control Information: PCP (3 bits), DEI (1), VID (12).
    pub const VLAN_TCI: Field = 14..16;
    /// The EtherType of the payload of a tagged frame.
    pub const INNER_ETHERTYPE: Field = 16..18;
    /// The payload of a tagged frame.
    pub const TAGGED_PAYLOAD: Rest = 18..;
}

/// The length of an untagged Ethernet II header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// The length of a header that carries one 802.1Q tag.
pub const TAGGED_HEADER_LEN: usize = field::TAGGED_PAYLOAD.start;

/// The length of an 802.1Q tag (TPID and TCI).
pub const VLAN_TAG_LEN: usize = TAGGED_HEADER_LEN - HEADER_LEN;

/// The shortest frame a sender may put on the wire, without the FCS.
///
/// IEEE 802.3 4.4.2: minFrameSize is 512 bits (64 bytes), 4 of which are the
/// frame check sequence that this layer never sees.
pub const MIN_FRAME_LEN: usize = 60;

/// The TPID of an IEEE 802.1ad service tag (S-tag), used for QinQ stacking.
pub const SERVICE_TAG_TPID: u16 = 0x88a8;

/// The smallest Type value; below it the field is an IEEE 802.3 Length
/// (IEEE 802.3 3.2.6: Type values are 1536 and above).
const MIN_ETHERTYPE: u16 = 0x0600;

/// An IEEE 802.1Q tag's Tag Control Information.
///
/// Every value of the 16-bit TCI is kept as read, including VID 0 (a
/// priority-only tag) and the reserved VID 0xfff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VlanTag {
    /// The Priority Code Point (3 bits, IEEE 802.1p class of service).
    pub pcp: u8,
    /// The Drop Eligible Indicator.
    pub dei: bool,
    /// The VLAN identifier (12 bits).
    pub vid: u16,
}

impl VlanTag {
    /// Split a 16-bit TCI into its fields.
    #[inline]
    pub const fn from_tci(tci: u16) -> VlanTag {
        VlanTag {
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
        }
    }

    /// Return the 16-bit TCI. Bits of `pcp` and `vid` beyond their widths
    /// (3 and 12 bits) are dropped.
    #[inline]
    pub const fn tci(&self) -> u16 {
        ((self.pcp as u16 & 0x7) << 13) | ((self.dei as u16) << 12) | (self.vid & 0x0fff)
    }
}

impl fmt::Display for VlanTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vlan {} p {}", self.vid, self.pcp)?;
        if self.dei {
            write!(f, " dei")?;
        }
        Ok(())
    }
}

/// A read/write view of an Ethernet II frame.
///
/// After [`check_len`](Self::check_len) has passed, no getter panics. One
/// setter voids that guarantee: [`set_ethertype`](Self::set_ethertype), when
/// it tags a frame shorter than [`TAGGED_HEADER_LEN`] (the tag is the only
/// part of the layout that varies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthernetFrame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// Wrap a buffer without checking its length.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> EthernetFrame<T> {
        EthernetFrame { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<EthernetFrame<T>, WireError> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Check that the buffer holds the whole header, including the 802.1Q
    /// tag when the Type field announces one, so that no getter panics.
    ///
    /// Returns [`WireError::Truncated`] naming `"ethernet header"` or
    /// `"802.1Q tag"`. Frames shorter than [`MIN_FRAME_LEN`] pass.
    #[inline(always)]
    pub fn check_len(&self) -> Result<(), WireError> {
        // The common case, untagged and long enough, in one test; anything
        // else takes the full check, which names the field at fault.
        let data = self.buffer.as_ref();
        if data.len() >= HEADER_LEN && data[field::ETHERTYPE] != [0x81, 0x00] {
            return Ok(());
        }
        self.check_len_slow()
    }

    /// The whole of [`check_len`](Self::check_len), off its fast path.
    #[cold]
    #[inline(never)]
    fn check_len_slow(&self) -> Result<(), WireError> {
        let have = self.buffer.as_ref().len();
        need_len("ethernet header", HEADER_LEN, have)?;
        if self.is_tagged() {
            need_len("802.1Q tag", TAGGED_HEADER_LEN, have)?;
        }
        Ok(())
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Return the destination address field.
    #[inline]
    pub fn dst_addr(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::DESTINATION])
    }

    /// Return the source address field.
    #[inline]
    pub fn src_addr(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::SOURCE])
    }

    /// Return the Type field at bytes 12..14: [`EtherType::Vlan`] (the TPID)
    /// for a tagged frame. See [`payload_ethertype`](Self::payload_ethertype).
    #[inline]
    pub fn ethertype(&self) -> EtherType {
        EtherType::from(read_u16(self.buffer.as_ref(), field::ETHERTYPE))
    }

    /// Return whether the Type field announces an 802.1Q tag.
    #[inline]
    pub fn is_tagged(&self) -> bool {
        self.ethertype() == EtherType::Vlan
    }

    /// Return the 802.1Q tag, if the frame carries one.
    #[inline]
    pub fn vlan_tag(&self) -> Option<VlanTag> {
        self.is_tagged()
            .then(|| VlanTag::from_tci(read_u16(self.buffer.as_ref(), field::VLAN_TCI)))
    }

    /// Return the EtherType that names the payload: the inner EtherType of a
    /// tagged frame, else the Type field.
    #[inline]
    pub fn payload_ethertype(&self) -> EtherType {
        if self.is_tagged() {
            EtherType::from(read_u16(self.buffer.as_ref(), field::INNER_ETHERTYPE))
        } else {
            self.ethertype()
        }
    }

    /// Return the length of the header: [`TAGGED_HEADER_LEN`] for a tagged
    /// frame, else [`HEADER_LEN`].
    #[inline]
    pub fn header_len(&self) -> usize {
        if self.is_tagged() {
            TAGGED_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> EthernetFrame<&'a T> {
    /// Return the payload: every byte after the header, padding included
    /// (the upper layer trims it by its own length).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let data = self.buffer.as_ref();
        &data[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EthernetFrame<T> {
    /// Set the destination address field.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`HEADER_LEN`].
    pub fn set_dst_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(addr.as_bytes());
    }

    /// Set the source address field.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`HEADER_LEN`].
    pub fn set_src_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(addr.as_bytes());
    }

    /// Set the Type field at bytes 12..14. Setting [`EtherType::Vlan`] tags
    /// the frame, which voids `check_len` on a buffer shorter than
    /// [`TAGGED_HEADER_LEN`].
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`HEADER_LEN`].
    pub fn set_ethertype(&mut self, ethertype: EtherType) {
        write_u16(self.buffer.as_mut(), field::ETHERTYPE, ethertype.into());
    }

    /// Set the tag's TCI (bytes 14..16). Set the Type field to
    /// [`EtherType::Vlan`] as well, or the TCI is read as payload.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`TAGGED_HEADER_LEN`].
    pub fn set_vlan_tag(&mut self, tag: VlanTag) {
        write_u16(self.buffer.as_mut(), field::VLAN_TCI, tag.tci());
    }

    /// Set the EtherType that names the payload: the inner EtherType when
    /// the Type field already announces a tag, else the Type field itself.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than the header.
    pub fn set_payload_ethertype(&mut self, ethertype: EtherType) {
        let at = if self.is_tagged() {
            field::INNER_ETHERTYPE
        } else {
            field::ETHERTYPE
        };
        write_u16(self.buffer.as_mut(), at, ethertype.into());
    }

    /// Return the payload, padding included, for writing.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than the header.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.buffer.as_mut()[start..]
    }
}

/// The header of an Ethernet II frame, owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthernetRepr {
    /// The destination address.
    pub dst_addr: EthernetAddress,
    /// The source address.
    pub src_addr: EthernetAddress,
    /// The 802.1Q tag, if the frame carries one.
    pub vlan: Option<VlanTag>,
    /// The EtherType of the payload (the inner one of a tagged frame).
    ///
    /// [`parse`](Self::parse) never yields [`EtherType::Vlan`], the S-tag
    /// TPID or a value below 0x0600, and [`emit`](Self::emit) expects none
    /// of them: the frame it would write parses differently.
    pub ethertype: EtherType,
}

impl EthernetRepr {
    /// Read the header of a frame.
    ///
    /// Fails with [`WireError::Truncated`] when the header or its tag does
    /// not fit, and with [`WireError::Unsupported`] for an 802.3 Length
    /// field or a stacked (QinQ) tag; see the module docs.
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]>>(frame: &EthernetFrame<T>) -> Result<EthernetRepr, WireError> {
        frame.check_len()?;
        let ethertype = frame.payload_ethertype();
        let value = u16::from(ethertype);
        // IEEE 802.3 3.2.6: below 0x0600 the field is a Length, not a Type.
        // A TPID here is a second (stacked) tag; see the module docs.
        if value < MIN_ETHERTYPE || ethertype == EtherType::Vlan || value == SERVICE_TAG_TPID {
            let field = if frame.is_tagged() {
                "802.1Q inner ethertype"
            } else {
                "ethertype"
            };
            return Err(WireError::Unsupported {
                field,
                value: value.into(),
            });
        }
        Ok(EthernetRepr {
            dst_addr: frame.dst_addr(),
            src_addr: frame.src_addr(),
            vlan: frame.vlan_tag(),
            ethertype,
        })
    }

    /// Return the length of the header this `Repr` emits.
    #[inline]
    pub const fn header_len(&self) -> usize {
        if self.vlan.is_some() {
            TAGGED_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// Return the length of a frame carrying `payload_len` bytes of payload,
    /// padded to [`MIN_FRAME_LEN`] (the FCS is not counted).
    #[inline]
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        let len = self.header_len() + payload_len;
        if len < MIN_FRAME_LEN {
            MIN_FRAME_LEN
        } else {
            len
        }
    }

    /// Write the header into `frame` and zero every byte after it.
    ///
    /// The caller then writes the payload into
    /// [`EthernetFrame::payload_mut`]; bytes it leaves alone stay zero and
    /// are the padding. Pass a frame made with
    /// [`EthernetFrame::new_unchecked`]: a reused buffer may hold a stale
    /// header.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`header_len`](Self::header_len);
    /// never on a buffer of [`buffer_len`](Self::buffer_len) bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut EthernetFrame<T>) {
        frame.set_dst_addr(self.dst_addr);
        frame.set_src_addr(self.src_addr);
        match self.vlan {
            Some(tag) => {
                frame.set_ethertype(EtherType::Vlan);
                frame.set_vlan_tag(tag);
            }
            None => frame.set_ethertype(self.ethertype),
        }
        frame.set_payload_ethertype(self.ethertype);
        frame.payload_mut().fill(0);
    }
}

impl fmt::Display for EthernetRepr {
    /// Print one line, tcpdump style:
    /// `00:05:5d:61:58:a8 > ff:ff:ff:ff:ff:ff, vlan 100 p 3, ARP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {}, ", self.src_addr, self.dst_addr)?;
        if let Some(tag) = self.vlan {
            write!(f, "{tag}, ")?;
        }
        write!(f, "{}", self.ethertype)
    }
}

#[cfg(test)]
#[path = "tests/ethernet.rs"]
mod tests;
