//! ICMPv4 (RFC 792; RFC 1122 3.2.2): the message view and an owned, lossless
//! [`Icmpv4Repr`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    rest of header: identifier and sequence number, pointer,   |
//! |    gateway address, next-hop MTU, or unused, by type          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    echo data, or the invoking datagram's header + >= 8 octets  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Error messages quote the datagram that caused them (RFC 1122 3.2.2: "the
//! Internet header and at least the first 8 data octets"); [`Icmpv4Quote`]
//! keeps those bytes exactly and exposes the header parsed. No setter voids
//! [`Icmpv4Packet::check_len`].

use core::fmt;

use super::{checksum, need_len, ChecksumPolicy, IpProtocol, Ipv4Addr, WireError};

mod field {
    use crate::wire::{Field, Rest};

    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    pub const REST_OF_HEADER: Field = 4..8;
    pub const ECHO_IDENT: Field = 4..6;
    pub const ECHO_SEQ_NO: Field = 6..8;
    pub const DATA: Rest = 8..;
}

/// The length of the ICMP header: type, code, checksum and four more octets.
pub const HEADER_LEN: usize = field::REST_OF_HEADER.end;

/// A read/write view of an ICMPv4 message (the whole IPv4 payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icmpv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv4Packet<T> {
    /// Wrap a buffer without checking it; getters may panic until
    /// [`check_len`](Self::check_len) has passed.
    pub const fn new_unchecked(buffer: T) -> Icmpv4Packet<T> {
        Icmpv4Packet { buffer }
    }

    /// Wrap a buffer and [`check_len`](Self::check_len) it.
    pub fn new_checked(buffer: T) -> Result<Icmpv4Packet<T>, WireError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds the 8-byte header
    /// (`Truncated{field: "header"}`); after that no getter panics.
    pub fn check_len(&self) -> Result<(), WireError> {
        need_len("header", HEADER_LEN, self.buffer.as_ref().len())
    }

    /// Return the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Return the Type field.
    pub fn msg_type(&self) -> Icmpv4Message {
        Icmpv4Message::from(self.buffer.as_ref()[field::TYPE])
    }

    /// Return the Code field.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    /// Return the Checksum field.
    pub fn checksum(&self) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([b[field::CHECKSUM.start], b[field::CHECKSUM.start + 1]])
    }

    /// Return the four octets after the checksum, whatever the type.
    pub fn rest_of_header(&self) -> [u8; 4] {
        let b = &self.buffer.as_ref()[field::REST_OF_HEADER];
        [b[0], b[1], b[2], b[3]]
    }

    /// Return the Identifier field of an echo message.
    pub fn echo_ident(&self) -> u16 {
        let [hi, lo, _, _] = self.rest_of_header();
        u16::from_be_bytes([hi, lo])
    }

    /// Return the Sequence Number field of an echo message.
    pub fn echo_seq_no(&self) -> u16 {
        let [_, _, hi, lo] = self.rest_of_header();
        u16::from_be_bytes([hi, lo])
    }

    /// Return the Next-Hop MTU of a Fragmentation Needed message (RFC 1191 4).
    pub fn next_hop_mtu(&self) -> u16 {
        self.echo_seq_no()
    }

    /// Return the Pointer of a Parameter Problem message.
    pub fn pointer(&self) -> u8 {
        self.rest_of_header()[0]
    }

    /// Return the Gateway Internet Address of a Redirect message.
    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.rest_of_header())
    }

    /// Return whether the checksum over the whole message verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::verifies(&[checksum::data(self.buffer.as_ref())])
    }

    /// Return the checksum the message should carry, whatever it carries.
    pub fn compute_checksum(&self) -> u16 {
        let b = self.buffer.as_ref();
        let before = &b[..field::CHECKSUM.start];
        let after = &b[field::CHECKSUM.end..];
        checksum::finish(&[checksum::data(before), checksum::data(after)])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Icmpv4Packet<&'a T> {
    /// Return everything after the checksum: rest of header and data.
    pub fn rest(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::CHECKSUM.end..]
    }

    /// Return the data after the 8-byte header: echo data, or the quoted
    /// datagram of an error message.
    pub fn data(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::DATA]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv4Packet<T> {
    /// Set the Type field.
    pub fn set_msg_type(&mut self, value: Icmpv4Message) {
        self.buffer.as_mut()[field::TYPE] = u8::from(value);
    }

    /// Set the Code field.
    pub fn set_msg_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::CODE] = value;
    }

    /// Set the Checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&value.to_be_bytes());
    }

    /// Set the four octets after the checksum.
    pub fn set_rest_of_header(&mut self, value: [u8; 4]) {
        self.buffer.as_mut()[field::REST_OF_HEADER].copy_from_slice(&value);
    }

    /// Set the Identifier field of an echo message.
    pub fn set_echo_ident(&mut self, value: u16) {
        self.buffer.as_mut()[field::ECHO_IDENT].copy_from_slice(&value.to_be_bytes());
    }

    /// Set the Sequence Number field of an echo message.
    pub fn set_echo_seq_no(&mut self, value: u16) {
        self.buffer.as_mut()[field::ECHO_SEQ_NO].copy_from_slice(&value.to_be_bytes());
    }

    /// Compute the checksum over the whole buffer and write it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let value = self.compute_checksum();
        self.set_checksum(value);
    }

    /// Return the data after the 8-byte header, for writing.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::DATA]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Icmpv4Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

mod codes;
mod quote;

pub use codes::{DstUnreachable, Icmpv4Message, ParamProblem, Redirect, TimeExceeded};
pub use quote::Icmpv4Quote;

/// An ICMPv4 message, owned where it can be and borrowing its data.
///
/// Lossless: `emit(parse(bytes))` gives back `bytes` for any message whose
/// checksum verifies. Unused octets are kept, and a message whose code the
/// typed variants cannot carry (an echo with a non-zero code, say) is
/// [`Unknown`](Icmpv4Repr::Unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icmpv4Repr<'a> {
    /// Echo Request (type 8, code 0).
    EchoRequest {
        /// The Identifier.
        ident: u16,
        /// The Sequence Number.
        seq_no: u16,
        /// The data, echoed back by the reply.
        data: &'a [u8],
    },
    /// Echo Reply (type 0, code 0).
    EchoReply {
        /// The Identifier.
        ident: u16,
        /// The Sequence Number.
        seq_no: u16,
        /// The data of the request.
        data: &'a [u8],
    },
    /// Destination Unreachable (type 3).
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// Octets 4 and 5, unused (RFC 4884 puts a length in octet 5).
        unused: u16,
        /// Octets 6 and 7: the Next-Hop MTU for `FragRequired` (RFC 1191 4),
        /// else unused.
        next_hop_mtu: u16,
        /// The invoking datagram.
        quote: Icmpv4Quote<'a>,
    },
    /// Source Quench (type 4, code 0).
    SourceQuench {
        /// Octets 4 to 7, unused.
        unused: u32,
        /// The invoking datagram.
        quote: Icmpv4Quote<'a>,
    },
    /// Redirect (type 5).
    Redirect {
        /// The code.
        reason: Redirect,
        /// The gateway to use instead.
        gateway: Ipv4Addr,
        /// The invoking datagram.
        quote: Icmpv4Quote<'a>,
    },
    /// Time Exceeded (type 11).
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// Octets 4 to 7, unused.
        unused: u32,
        /// The invoking datagram.
        quote: Icmpv4Quote<'a>,
    },
    /// Parameter Problem (type 12).
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// The octet of the quoted datagram in error.
        pointer: u8,
        /// Octets 5 to 7, unused.
        unused: [u8; 3],
        /// The invoking datagram.
        quote: Icmpv4Quote<'a>,
    },
    /// Any other message, kept raw.
    Unknown {
        /// The type.
        msg_type: Icmpv4Message,
        /// The code.
        code: u8,
        /// Everything after the checksum (normally at least four octets).
        rest: &'a [u8],
    },
}

impl<'a> Icmpv4Repr<'a> {
    /// Parse a message: its length, the checksum over the whole message under
    /// `policy` (RFC 792), then the type. An error message whose quote does
    /// not parse fails with the quote's error (see [`Icmpv4Quote::parse`]).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Icmpv4Packet<&'a T>,
        policy: ChecksumPolicy,
    ) -> Result<Icmpv4Repr<'a>, WireError> {
        packet.check_len()?;
        if policy.verifies() && !packet.verify_checksum() {
            let (expected, found) = (packet.compute_checksum(), packet.checksum());
            return Err(WireError::BadChecksum { expected, found });
        }
        let [r0, r1, r2, r3] = packet.rest_of_header();
        let (ident, seq_no, data) = (packet.echo_ident(), packet.echo_seq_no(), packet.data());
        let quote = || Icmpv4Quote::parse(data);
        Ok(match (packet.msg_type(), packet.msg_code()) {
            (Icmpv4Message::EchoRequest, 0) => Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            },
            (Icmpv4Message::EchoReply, 0) => Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            },
            (Icmpv4Message::DstUnreachable, code) => Icmpv4Repr::DstUnreachable {
                reason: DstUnreachable::from(code),
                unused: u16::from_be_bytes([r0, r1]),
                next_hop_mtu: packet.next_hop_mtu(),
                quote: quote()?,
            },
            (Icmpv4Message::SourceQuench, 0) => Icmpv4Repr::SourceQuench {
                unused: u32::from_be_bytes([r0, r1, r2, r3]),
                quote: quote()?,
            },
            (Icmpv4Message::Redirect, code) => Icmpv4Repr::Redirect {
                reason: Redirect::from(code),
                gateway: packet.gateway(),
                quote: quote()?,
            },
            (Icmpv4Message::TimeExceeded, code) => Icmpv4Repr::TimeExceeded {
                reason: TimeExceeded::from(code),
                unused: u32::from_be_bytes([r0, r1, r2, r3]),
                quote: quote()?,
            },
            (Icmpv4Message::ParamProblem, code) => Icmpv4Repr::ParamProblem {
                reason: ParamProblem::from(code),
                pointer: r0,
                unused: [r1, r2, r3],
                quote: quote()?,
            },
            (msg_type, code) => Icmpv4Repr::Unknown {
                msg_type,
                code,
                rest: packet.rest(),
            },
        })
    }

    /// Return the type and code.
    fn type_and_code(&self) -> (Icmpv4Message, u8) {
        match *self {
            Icmpv4Repr::EchoRequest { .. } => (Icmpv4Message::EchoRequest, 0),
            Icmpv4Repr::EchoReply { .. } => (Icmpv4Message::EchoReply, 0),
            Icmpv4Repr::DstUnreachable { reason, .. } => {
                (Icmpv4Message::DstUnreachable, reason.into())
            }
            Icmpv4Repr::SourceQuench { .. } => (Icmpv4Message::SourceQuench, 0),
            Icmpv4Repr::Redirect { reason, .. } => (Icmpv4Message::Redirect, reason.into()),
            Icmpv4Repr::TimeExceeded { reason, .. } => (Icmpv4Message::TimeExceeded, reason.into()),
            Icmpv4Repr::ParamProblem { reason, .. } => (Icmpv4Message::ParamProblem, reason.into()),
            Icmpv4Repr::Unknown { msg_type, code, .. } => (msg_type, code),
        }
    }

    /// Return the four octets after the checksum (`None` for `Unknown`,
    /// whose `rest` starts there) and the bytes after them.
    fn rest_of_header_and_body(&self) -> (Option<[u8; 4]>, &'a [u8]) {
        let word = match *self {
            Icmpv4Repr::EchoRequest {
                ident: hi,
                seq_no: lo,
                ..
            }
            | Icmpv4Repr::EchoReply {
                ident: hi,
                seq_no: lo,
                ..
            }
            | Icmpv4Repr::DstUnreachable {
                unused: hi,
                next_hop_mtu: lo,
                ..
            } => ((u32::from(hi) << 16) | u32::from(lo)).to_be_bytes(),
            Icmpv4Repr::SourceQuench { unused, .. } | Icmpv4Repr::TimeExceeded { unused, .. } => {
                unused.to_be_bytes()
            }
            Icmpv4Repr::Redirect { gateway, .. } => gateway.octets(),
            Icmpv4Repr::ParamProblem {
                pointer,
                unused: [a, b, c],
                ..
            } => [pointer, a, b, c],
            Icmpv4Repr::Unknown { rest, .. } => return (None, rest),
        };
        let body = match *self {
            Icmpv4Repr::EchoRequest { data, .. } | Icmpv4Repr::EchoReply { data, .. } => data,
            _ => self.quote().map_or(&[][..], |quote| quote.as_bytes()),
        };
        (Some(word), body)
    }

    /// Return the message type.
    pub fn msg_type(&self) -> Icmpv4Message {
        self.type_and_code().0
    }

    /// Return the message code.
    pub fn msg_code(&self) -> u8 {
        self.type_and_code().1
    }

    /// Return whether this is an error message (RFC 1122 3.2.2).
    pub fn is_error(&self) -> bool {
        self.msg_type().is_error()
    }

    /// Return the invoking datagram of an error message.
    pub fn quote(&self) -> Option<&Icmpv4Quote<'a>> {
        match self {
            Icmpv4Repr::DstUnreachable { quote, .. }
            | Icmpv4Repr::SourceQuench { quote, .. }
            | Icmpv4Repr::Redirect { quote, .. }
            | Icmpv4Repr::TimeExceeded { quote, .. }
            | Icmpv4Repr::ParamProblem { quote, .. } => Some(quote),
            _ => None,
        }
    }

    /// Return the length of the whole message.
    pub fn buffer_len(&self) -> usize {
        let (word, body) = self.rest_of_header_and_body();
        field::CHECKSUM.end + word.map_or(0, |w| w.len()) + body.len()
    }

    /// Write the message into `packet`. Under `Verify` the checksum is
    /// computed over the whole buffer, under `Ignore` it is written as zero.
    ///
    /// # Panics
    /// Panics if the buffer is shorter than [`buffer_len`](Self::buffer_len);
    /// it should be exactly that long, since the checksum covers it all.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Icmpv4Packet<T>,
        policy: ChecksumPolicy,
    ) {
        let (msg_type, code) = self.type_and_code();
        let (word, body) = self.rest_of_header_and_body();
        packet.set_msg_type(msg_type);
        packet.set_msg_code(code);
        let mut at = field::CHECKSUM.end;
        if let Some(word) = word {
            packet.set_rest_of_header(word);
            at = field::REST_OF_HEADER.end;
        }
        packet.buffer.as_mut()[at..at + body.len()].copy_from_slice(body);
        if policy.verifies() {
            packet.fill_checksum();
        } else {
            packet.set_checksum(0);
        }
    }
}

/// Write how tcpdump names the target of a Destination Unreachable.
fn fmt_unreachable(
    f: &mut fmt::Formatter<'_>,
    reason: DstUnreachable,
    mtu: u16,
    quote: &Icmpv4Quote<'_>,
) -> fmt::Result {
    let dst = quote.header().dst_addr;
    let protocol = quote.header().protocol;
    match reason {
        DstUnreachable::NetUnreachable => write!(f, "ICMP net {dst} unreachable"),
        DstUnreachable::HostUnreachable => write!(f, "ICMP host {dst} unreachable"),
        DstUnreachable::ProtoUnreachable => {
            write!(f, "ICMP {dst} protocol {} unreachable", u8::from(protocol))
        }
        DstUnreachable::PortUnreachable => match (protocol, quote.ports()) {
            (IpProtocol::Udp, Some((_, port))) => {
                write!(f, "ICMP {dst} udp port {port} unreachable")
            }
            (IpProtocol::Tcp, Some((_, port))) => {
                write!(f, "ICMP {dst} tcp port {port} unreachable")
            }
            _ => write!(f, "ICMP {dst} port unreachable"),
        },
        DstUnreachable::FragRequired => {
            write!(f, "ICMP {dst} unreachable - need to frag (mtu {mtu})")
        }
        other => write!(f, "ICMP {dst} unreachable - {other}"),
    }
}

impl fmt::Display for Icmpv4Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Icmpv4Repr::EchoRequest { ident, seq_no, .. } => {
                write!(f, "ICMP echo request, id {ident}, seq {seq_no}")?
            }
            Icmpv4Repr::EchoReply { ident, seq_no, .. } => {
                write!(f, "ICMP echo reply, id {ident}, seq {seq_no}")?
            }
            Icmpv4Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                ref quote,
                ..
            } => fmt_unreachable(f, reason, next_hop_mtu, quote)?,
            Icmpv4Repr::SourceQuench { .. } => write!(f, "ICMP source quench")?,
            Icmpv4Repr::Redirect {
                reason,
                gateway,
                ref quote,
            } => {
                let dst = quote.header().dst_addr;
                write!(f, "ICMP redirect {dst} to {reason} {gateway}")?
            }
            Icmpv4Repr::TimeExceeded { reason, .. } => write!(f, "ICMP {reason}")?,
            Icmpv4Repr::ParamProblem {
                reason: ParamProblem::AtPointer,
                pointer,
                ..
            } => write!(f, "ICMP parameter problem - octet {pointer}")?,
            Icmpv4Repr::ParamProblem { reason, .. } => {
                write!(f, "ICMP parameter problem, code {}", u8::from(reason))?
            }
            Icmpv4Repr::Unknown { msg_type, code, .. } => {
                write!(f, "ICMP type {}, code {code}", u8::from(msg_type))?
            }
        }
        write!(f, ", length {}", self.buffer_len())
    }
}

impl<T: AsRef<[u8]> + ?Sized> fmt::Display for Icmpv4Packet<&T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Icmpv4Repr::parse(self, ChecksumPolicy::Ignore) {
            Ok(repr) => write!(f, "{repr}"),
            Err(err) => write!(f, "ICMP ({err})"),
        }
    }
}

#[cfg(test)]
#[path = "tests/icmpv4.rs"]
mod tests;
