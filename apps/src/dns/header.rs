//! The message header (RFC 1035 4.1.1; AD and CD from RFC 4035 3.2).
//!
//! ```text
//!                                 1  1  1  1  1  1
//!   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    QDCOUNT                    |
//! |                    ANCOUNT                    |
//! |                    NSCOUNT                    |
//! |                    ARCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! ```

use core::fmt;

use super::DnsError;

/// The byte ranges of the header, and the bits of its flags word.
mod field {
    /// A byte range inside the header.
    pub type Field = core::ops::Range<usize>;

    /// The query identifier, copied into the reply.
    pub const ID: Field = 0..2;
    /// QR, Opcode, AA, TC, RD, RA, Z, AD, CD and RCODE.
    pub const FLAGS: Field = 2..4;
    /// The four section counts: QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    pub const COUNTS: [Field; 4] = [4..6, 6..8, 8..10, 10..12];

    /// Query (0) or response (1).
    pub const QR: u16 = 0x8000;
    /// The opcode, four bits.
    pub const OPCODE_SHIFT: u16 = 11;
    /// Authoritative answer.
    pub const AA: u16 = 0x0400;
    /// Truncation.
    pub const TC: u16 = 0x0200;
    /// Recursion desired.
    pub const RD: u16 = 0x0100;
    /// Recursion available.
    pub const RA: u16 = 0x0080;
    /// The one bit left of RFC 1035's three-bit Z: must be zero.
    pub const Z: u16 = 0x0040;
    /// Authentic data (RFC 4035 3.2.3).
    pub const AD: u16 = 0x0020;
    /// Checking disabled (RFC 4035 3.2.2).
    pub const CD: u16 = 0x0010;
    /// The response code, four bits.
    pub const RCODE: u16 = 0x000f;
}

/// The length of the header, in bytes.
pub const HEADER_LEN: usize = field::COUNTS[3].end;

stack::enum_with_unknown! {
    /// The kind of query (RFC 1035 4.1.1; NOTIFY RFC 1996, UPDATE RFC 2136,
    /// DSO RFC 8490). Four bits on the wire.
    #[derive(Default)]
    pub enum Opcode(u8) {
        /// A standard query.
        #[default]
        Query = 0 => "QUERY",
        /// An inverse query (obsolete, RFC 3425).
        IQuery = 1 => "IQUERY",
        /// A server status request.
        Status = 2 => "STATUS",
        /// A zone change notification.
        Notify = 4 => "NOTIFY",
        /// A dynamic update.
        Update = 5 => "UPDATE",
        /// DNS stateful operations.
        Dso = 6 => "DSO",
    }
}

stack::enum_with_unknown! {
    /// The response code (RFC 1035 4.1.1; 6..=10 RFC 2136, 11 RFC 8490).
    /// Four bits in the header; EDNS extends it to twelve (RFC 6891 6.1.3).
    #[derive(Default)]
    pub enum Rcode(u8) {
        /// No error.
        #[default]
        NoError = 0 => "NOERROR",
        /// The server could not interpret the query.
        FormErr = 1 => "FORMERR",
        /// The server failed.
        ServFail = 2 => "SERVFAIL",
        /// The name does not exist.
        NxDomain = 3 => "NXDOMAIN",
        /// The server does not implement the kind of query.
        NotImp = 4 => "NOTIMP",
        /// The server refuses to answer.
        Refused = 5 => "REFUSED",
        /// A name exists that should not.
        YxDomain = 6 => "YXDOMAIN",
        /// An RR set exists that should not.
        YxRrset = 7 => "YXRRSET",
        /// An RR set that should exist does not.
        NxRrset = 8 => "NXRRSET",
        /// The server is not authoritative for the zone.
        NotAuth = 9 => "NOTAUTH",
        /// A name is not in the zone.
        NotZone = 10 => "NOTZONE",
        /// The DSO type is not implemented.
        DsoTypeNi = 11 => "DSOTYPENI",
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mnemonic() {
            Some(text) => f.write_str(text),
            None => write!(f, "OPCODE{}", u8::from(*self)),
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mnemonic() {
            Some(text) => f.write_str(text),
            None => write!(f, "RCODE{}", u8::from(*self)),
        }
    }
}

/// The header of a message, but for its counts (which a message derives
/// from its sections). `Default` is a query with every flag clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// The identifier a reply copies from its query.
    pub id: u16,
    /// QR: a response (true) or a query.
    pub qr: bool,
    /// The kind of query. Only its four low bits are sent.
    pub opcode: Opcode,
    /// AA: the answer is authoritative.
    pub aa: bool,
    /// TC: the message was truncated to fit the transport.
    pub tc: bool,
    /// RD: recursion desired, copied into the response.
    pub rd: bool,
    /// RA: recursion available.
    pub ra: bool,
    /// Z: reserved, "must be zero" (RFC 1035 4.1.1), kept as read so a
    /// conformance check can see it.
    pub z: bool,
    /// AD: authentic data (RFC 4035 3.2.3).
    pub ad: bool,
    /// CD: checking disabled (RFC 4035 3.2.2).
    pub cd: bool,
    /// The (low four bits of the) response code. Only its four low bits
    /// are sent.
    pub rcode: Rcode,
}

impl Header {
    /// Read the header at the start of `bytes`; return it with the four
    /// section counts (QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT).
    ///
    /// Fails with [`DnsError::Truncated`] (field `"header"`) on fewer than
    /// [`HEADER_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<(Header, [u16; 4]), DnsError> {
        super::need_len("header", HEADER_LEN, bytes.len())?;
        let word =
            |range: field::Field| u16::from_be_bytes([bytes[range.start], bytes[range.start + 1]]);
        let flags = word(field::FLAGS);
        let bit = |mask: u16| flags & mask != 0;
        let header = Header {
            id: word(field::ID),
            qr: bit(field::QR),
            // NOTE: four bits, so the casts keep every value.
            opcode: Opcode::from((flags >> field::OPCODE_SHIFT) as u8 & 0x0f),
            aa: bit(field::AA),
            tc: bit(field::TC),
            rd: bit(field::RD),
            ra: bit(field::RA),
            z: bit(field::Z),
            ad: bit(field::AD),
            cd: bit(field::CD),
            rcode: Rcode::from((flags & field::RCODE) as u8),
        };
        Ok((header, field::COUNTS.map(word)))
    }

    /// Return the flags word: every field but the identifier and the counts.
    pub fn flags(&self) -> u16 {
        let bit = |on: bool, mask: u16| if on { mask } else { 0 };
        bit(self.qr, field::QR)
            | (u16::from(u8::from(self.opcode) & 0x0f) << field::OPCODE_SHIFT)
            | bit(self.aa, field::AA)
            | bit(self.tc, field::TC)
            | bit(self.rd, field::RD)
            | bit(self.ra, field::RA)
            | bit(self.z, field::Z)
            | bit(self.ad, field::AD)
            | bit(self.cd, field::CD)
            | u16::from(u8::from(self.rcode)) & field::RCODE
    }

    /// Write the header with `counts` into the first [`HEADER_LEN`] bytes
    /// of `buffer`.
    ///
    /// Fails with [`DnsError::NoSpace`] if `buffer` is shorter.
    pub fn emit(&self, counts: [u16; 4], buffer: &mut [u8]) -> Result<(), DnsError> {
        let have = buffer.len();
        let Some(bytes) = buffer.get_mut(..HEADER_LEN) else {
            return Err(DnsError::NoSpace {
                need: HEADER_LEN,
                have,
            });
        };
        bytes[field::ID].copy_from_slice(&self.id.to_be_bytes());
        bytes[field::FLAGS].copy_from_slice(&self.flags().to_be_bytes());
        for (range, count) in field::COUNTS.into_iter().zip(counts) {
            bytes[range].copy_from_slice(&count.to_be_bytes());
        }
        Ok(())
    }
}

impl fmt::Display for Header {
    /// Print dig's header line and flags: `opcode: QUERY, status: NOERROR,
    /// id: 4660; flags: qr rd ra`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "opcode: {}, status: {}, id: {}; flags:",
            self.opcode, self.rcode, self.id
        )?;
        self.write_flags(f)
    }
}

impl Header {
    /// Write the flags that are set, each after a space: ` qr rd ra`.
    pub(crate) fn write_flags(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        let flags = [
            (self.qr, "qr"),
            (self.aa, "aa"),
            (self.tc, "tc"),
            (self.rd, "rd"),
            (self.ra, "ra"),
            (self.z, "z"),
            (self.ad, "ad"),
            (self.cd, "cd"),
        ];
        for (_, name) in flags.iter().filter(|(on, _)| *on) {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}
