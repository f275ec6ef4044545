//! Resource record types, classes and RDATA (RFC 1035 3.2–3.4; AAAA RFC
//! 3596 2.2; OPT RFC 6891 6.1).

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::name::Name;
use super::text::{write_hex, write_quoted};
use super::{read_u16, read_u32, DnsError};

stack::enum_with_unknown! {
    /// The TYPE of a resource record, or a QTYPE (RFC 1035 3.2.2, 3.2.3;
    /// IANA "Resource Record (RR) TYPEs"). Unknown types print as `TYPEn`
    /// (RFC 3597 5).
    pub enum RecordType(u16) {
        /// A host address (RFC 1035 3.4.1).
        A = 1 => "A",
        /// An authoritative name server (RFC 1035 3.3.11).
        Ns = 2 => "NS",
        /// A mail destination (obsolete).
        Md = 3 => "MD",
        /// A mail forwarder (obsolete).
        Mf = 4 => "MF",
        /// The canonical name of an alias (RFC 1035 3.3.1).
        Cname = 5 => "CNAME",
        /// The start of a zone of authority (RFC 1035 3.3.13).
        Soa = 6 => "SOA",
        /// A mailbox domain name (experimental).
        Mb = 7 => "MB",
        /// A mail group member (experimental).
        Mg = 8 => "MG",
        /// A mail rename domain name (experimental).
        Mr = 9 => "MR",
        /// A null RR (experimental).
        Null = 10 => "NULL",
        /// A well-known service description.
        Wks = 11 => "WKS",
        /// A domain name pointer (RFC 1035 3.3.12).
        Ptr = 12 => "PTR",
        /// Host information.
        Hinfo = 13 => "HINFO",
        /// Mailbox or mail list information.
        Minfo = 14 => "MINFO",
        /// Mail exchange (RFC 1035 3.3.9).
        Mx = 15 => "MX",
        /// Text strings (RFC 1035 3.3.14).
        Txt = 16 => "TXT",
        /// An IPv6 host address (RFC 3596 2.1).
        Aaaa = 28 => "AAAA",
        /// A service location (RFC 2782).
        Srv = 33 => "SRV",
        /// A delegation of a subtree (RFC 6672).
        Dname = 39 => "DNAME",
        /// The EDNS(0) pseudo-record (RFC 6891 6.1).
        Opt = 41 => "OPT",
        /// A delegation signer (RFC 4034).
        Ds = 43 => "DS",
        /// A signature over an RR set (RFC 4034).
        Rrsig = 46 => "RRSIG",
        /// The next secure record (RFC 4034).
        Nsec = 47 => "NSEC",
        /// A zone key (RFC 4034).
        Dnskey = 48 => "DNSKEY",
        /// Service binding (RFC 9460).
        Svcb = 64 => "SVCB",
        /// HTTPS service binding (RFC 9460).
        Https = 65 => "HTTPS",
        /// QTYPE: an incremental zone transfer (RFC 1995).
        Ixfr = 251 => "IXFR",
        /// QTYPE: a whole zone transfer.
        Axfr = 252 => "AXFR",
        /// QTYPE: every record.
        Any = 255 => "ANY",
        /// Certification authority authorization (RFC 8659).
        Caa = 257 => "CAA",
    }
}

impl RecordType {
    /// Return whether this type's RDATA is parsed into a typed [`RData`]
    /// variant (the others are kept raw in [`RData::Other`]).
    pub fn is_typed(self) -> bool {
        use RecordType::*;
        matches!(self, A | Ns | Cname | Soa | Ptr | Mx | Txt | Aaaa | Opt)
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mnemonic() {
            Some(text) => f.write_str(text),
            None => write!(f, "TYPE{}", u16::from(*self)),
        }
    }
}

stack::enum_with_unknown! {
    /// The CLASS of a record, or a QCLASS (RFC 1035 3.2.4, 3.2.5). In an OPT
    /// record this field is the requestor's UDP payload size (RFC 6891
    /// 6.1.2). Unknown classes print as `CLASSn` (RFC 3597 5).
    pub enum Class(u16) {
        /// The Internet.
        In = 1 => "IN",
        /// CSNET (obsolete).
        Cs = 2 => "CS",
        /// Chaos.
        Ch = 3 => "CH",
        /// Hesiod.
        Hs = 4 => "HS",
        /// QCLASS NONE (RFC 2136).
        None = 254 => "NONE",
        /// QCLASS: any class.
        Any = 255 => "ANY",
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mnemonic() {
            Some(text) => f.write_str(text),
            None => write!(f, "CLASS{}", u16::from(*self)),
        }
    }
}

/// The RDATA of a start of authority (RFC 1035 3.3.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Soa<'a> {
    /// MNAME: the primary name server of the zone.
    pub mname: Name<'a>,
    /// RNAME: the mailbox of the person responsible.
    pub rname: Name<'a>,
    /// SERIAL: the zone's version number.
    pub serial: u32,
    /// REFRESH: seconds before the zone should be refreshed.
    pub refresh: u32,
    /// RETRY: seconds before a failed refresh is retried.
    pub retry: u32,
    /// EXPIRE: seconds after which the zone is no longer authoritative.
    pub expire: u32,
    /// MINIMUM: the negative-caching TTL (RFC 2308 4).
    pub minimum: u32,
}

/// The RDATA of a TXT record: one or more character-strings, each a length
/// byte and that many bytes (RFC 1035 3.3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Txt<'a>(&'a [u8]);

impl<'a> Txt<'a> {
    /// Check TXT RDATA: at least one character-string, and strings that end
    /// exactly at the end. Fails with [`DnsError::Invalid`] (field
    /// `"txt rdata"`, value: the length) otherwise.
    pub fn new(rdata: &'a [u8]) -> Result<Txt<'a>, DnsError> {
        let mut pos = 0;
        while pos < rdata.len() {
            pos += 1 + usize::from(rdata[pos]);
        }
        if rdata.is_empty() || pos != rdata.len() {
            return Err(DnsError::Invalid {
                field: "txt rdata",
                value: u32::try_from(rdata.len()).unwrap_or(u32::MAX),
            });
        }
        Ok(Txt(rdata))
    }

    /// Return the strings, without their length bytes.
    pub fn strings(&self) -> TxtStrings<'a> {
        TxtStrings(self.0)
    }

    /// Return the RDATA as on the wire.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

/// The character-strings of a [`Txt`].
#[derive(Debug, Clone)]
pub struct TxtStrings<'a>(&'a [u8]);

impl<'a> Iterator for TxtStrings<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, rest) = self.0.split_first()?;
        let string = rest.get(..usize::from(len))?;
        self.0 = &rest[string.len()..];
        Some(string)
    }
}

stack::enum_with_unknown! {
    /// An EDNS option code (RFC 6891 6.1.2; IANA "DNS EDNS0 Option Codes").
    pub enum OptionCode(u16) {
        /// Name server identifier (RFC 5001).
        Nsid = 3 => "NSID",
        /// Client subnet (RFC 7871).
        ClientSubnet = 8 => "CLIENT-SUBNET",
        /// Expire (RFC 7314).
        Expire = 9 => "EXPIRE",
        /// DNS cookie (RFC 7873).
        Cookie = 10 => "COOKIE",
        /// TCP keepalive (RFC 7828).
        TcpKeepalive = 11 => "KEEPALIVE",
        /// Padding (RFC 7830).
        Padding = 12 => "PADDING",
        /// Extended DNS error (RFC 8914).
        ExtendedError = 15 => "EDE",
    }
}

/// The RDATA of an OPT record: options, each a code, a length and that many
/// bytes (RFC 6891 6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptData<'a>(&'a [u8]);

impl<'a> OptData<'a> {
    /// Check OPT RDATA: options that end exactly at the end (none is fine).
    /// Fails with [`DnsError::Truncated`] (field `"edns option"`) otherwise.
    pub fn new(rdata: &'a [u8]) -> Result<OptData<'a>, DnsError> {
        let mut pos = 0;
        while pos < rdata.len() {
            let len = read_u16(rdata, pos + 2, "edns option")?;
            pos += 4 + usize::from(len);
            super::need_len("edns option", pos, rdata.len())?;
        }
        Ok(OptData(rdata))
    }

    /// Return the options, in order.
    pub fn options(&self) -> EdnsOptions<'a> {
        EdnsOptions(self.0)
    }

    /// Return the RDATA as on the wire.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

/// One EDNS option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EdnsOption<'a> {
    /// OPTION-CODE.
    pub code: OptionCode,
    /// OPTION-DATA.
    pub data: &'a [u8],
}

/// The options of an [`OptData`].
#[derive(Debug, Clone)]
pub struct EdnsOptions<'a>(&'a [u8]);

impl<'a> Iterator for EdnsOptions<'a> {
    type Item = EdnsOption<'a>;

    fn next(&mut self) -> Option<EdnsOption<'a>> {
        let code = read_u16(self.0, 0, "").ok()?;
        let len = usize::from(read_u16(self.0, 2, "").ok()?);
        let data = self.0.get(4..4 + len)?;
        self.0 = &self.0[4 + len..];
        Some(EdnsOption {
            code: OptionCode::from(code),
            data,
        })
    }
}

/// What an OPT record's CLASS and TTL fields hold (RFC 6891 6.1.3).
///
/// ```text
///   TTL: | EXTENDED-RCODE (8) | VERSION (8) | DO | Z (15) |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edns {
    /// The largest UDP payload the sender can reassemble (the CLASS field).
    pub udp_payload_size: u16,
    /// The upper eight bits of the twelve-bit RCODE.
    pub extended_rcode: u8,
    /// The EDNS version (0 is the only one defined).
    pub version: u8,
    /// DO: the sender accepts DNSSEC records (RFC 3225).
    pub dnssec_ok: bool,
    /// The fifteen remaining flag bits, "set to zero by senders".
    pub z: u16,
}

impl Edns {
    /// Decode an OPT record's CLASS and TTL fields.
    pub fn from_class_ttl(class: Class, ttl: u32) -> Edns {
        let [rcode, version, high, low] = ttl.to_be_bytes();
        let flags = u16::from_be_bytes([high, low]);
        Edns {
            udp_payload_size: u16::from(class),
            extended_rcode: rcode,
            version,
            dnssec_ok: flags & 0x8000 != 0,
            z: flags & 0x7fff,
        }
    }

    /// Encode the CLASS and TTL fields of an OPT record.
    pub fn to_class_ttl(&self) -> (Class, u32) {
        let flags = if self.dnssec_ok { 0x8000 } else { 0 } | (self.z & 0x7fff);
        let [high, low] = flags.to_be_bytes();
        let ttl = u32::from_be_bytes([self.extended_rcode, self.version, high, low]);
        (Class::from(self.udp_payload_size), ttl)
    }
}

/// The RDATA of a resource record, typed where this module knows the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RData<'a> {
    /// A: an IPv4 address.
    A(Ipv4Addr),
    /// NS: the name of an authoritative server.
    Ns(Name<'a>),
    /// CNAME: the canonical name.
    Cname(Name<'a>),
    /// SOA: a zone's parameters.
    Soa(Soa<'a>),
    /// PTR: a name the owner points to.
    Ptr(Name<'a>),
    /// MX: a mail exchange and its preference (lower is preferred).
    Mx {
        /// PREFERENCE.
        preference: u16,
        /// EXCHANGE.
        exchange: Name<'a>,
    },
    /// TXT: character-strings.
    Txt(Txt<'a>),
    /// AAAA: an IPv6 address.
    Aaaa(Ipv6Addr),
    /// OPT: EDNS options.
    Opt(OptData<'a>),
    /// Any other type, its RDATA kept as read. `rtype` must not be one of
    /// the typed ones ([`RecordType::is_typed`]); the emitter refuses it.
    Other {
        /// The record's TYPE.
        rtype: RecordType,
        /// The RDATA.
        data: &'a [u8],
    },
}

impl<'a> RData<'a> {
    /// Read the RDATA of type `rtype` at `start..end` of `message`; names
    /// inside may point anywhere before them in `message`.
    ///
    /// Fails with [`DnsError::RdataLength`] when the RDATA does not have the
    /// length its type requires, and with the errors of [`Name::parse`],
    /// [`Txt::new`] and [`OptData::new`].
    pub fn parse(
        rtype: RecordType,
        message: &'a [u8],
        start: usize,
        end: usize,
    ) -> Result<RData<'a>, DnsError> {
        // Names stop at the end of the RDATA: a label running past it is
        // truncated, not read from the next record.
        let message = message.get(..end).ok_or(DnsError::Truncated {
            field: "rdata",
            need: end,
            have: message.len(),
        })?;
        let data = message.get(start..).unwrap_or_default();
        let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
        let wrong_length = DnsError::RdataLength {
            rtype: rtype.into(),
            len,
        };
        let exact = |(value, at): (RData<'a>, usize)| {
            if at == end {
                Ok(value)
            } else {
                Err(wrong_length)
            }
        };
        let name_at = |at: usize| Name::parse(message, at);
        match rtype {
            RecordType::A => <[u8; 4]>::try_from(data)
                .map(|b| RData::A(Ipv4Addr::from(b)))
                .map_err(|_| wrong_length),
            RecordType::Aaaa => <[u8; 16]>::try_from(data)
                .map(|b| RData::Aaaa(Ipv6Addr::from(b)))
                .map_err(|_| wrong_length),
            RecordType::Ns => exact(name_at(start).map(|(n, at)| (RData::Ns(n), at))?),
            RecordType::Cname => exact(name_at(start).map(|(n, at)| (RData::Cname(n), at))?),
            RecordType::Ptr => exact(name_at(start).map(|(n, at)| (RData::Ptr(n), at))?),
            RecordType::Mx => {
                let preference = read_u16(message, start, "mx preference")?;
                let (exchange, at) = name_at(start + 2)?;
                exact((
                    RData::Mx {
                        preference,
                        exchange,
                    },
                    at,
                ))
            }
            RecordType::Soa => exact(parse_soa(message, start)?),
            RecordType::Txt => Ok(RData::Txt(Txt::new(data)?)),
            RecordType::Opt => Ok(RData::Opt(OptData::new(data)?)),
            rtype => Ok(RData::Other { rtype, data }),
        }
    }

    /// Return the TYPE this RDATA goes with.
    pub fn rtype(&self) -> RecordType {
        match self {
            RData::A(_) => RecordType::A,
            RData::Ns(_) => RecordType::Ns,
            RData::Cname(_) => RecordType::Cname,
            RData::Soa(_) => RecordType::Soa,
            RData::Ptr(_) => RecordType::Ptr,
            RData::Mx { .. } => RecordType::Mx,
            RData::Txt(_) => RecordType::Txt,
            RData::Aaaa(_) => RecordType::Aaaa,
            RData::Opt(_) => RecordType::Opt,
            RData::Other { rtype, .. } => *rtype,
        }
    }

    /// Return the length of the RDATA with its names uncompressed.
    pub fn wire_len(&self) -> usize {
        match self {
            RData::A(_) => 4,
            RData::Aaaa(_) => 16,
            RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => name.wire_len(),
            RData::Mx { exchange, .. } => 2 + exchange.wire_len(),
            RData::Soa(soa) => soa.mname.wire_len() + soa.rname.wire_len() + 20,
            RData::Txt(txt) => txt.0.len(),
            RData::Opt(opt) => opt.0.len(),
            RData::Other { data, .. } => data.len(),
        }
    }
}

/// Read SOA RDATA: two names and five 32-bit numbers (RFC 1035 3.3.13).
fn parse_soa(message: &[u8], start: usize) -> Result<(RData<'_>, usize), DnsError> {
    let (mname, at) = Name::parse(message, start)?;
    let (rname, at) = Name::parse(message, at)?;
    let number = |i: usize| read_u32(message, at + 4 * i, "soa numbers");
    let soa = Soa {
        mname,
        rname,
        serial: number(0)?,
        refresh: number(1)?,
        retry: number(2)?,
        expire: number(3)?,
        minimum: number(4)?,
    };
    Ok((RData::Soa(soa), at + 20))
}

impl fmt::Display for RData<'_> {
    /// Print the RDATA in presentation form, as dig does; unknown types as
    /// `\# <length> <hex>` (RFC 3597 5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::A(addr) => write!(f, "{addr}"),
            RData::Aaaa(addr) => write!(f, "{addr}"),
            RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => write!(f, "{name}"),
            RData::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RData::Soa(s) => write!(
                f,
                "{} {} {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
            RData::Txt(txt) => {
                for (i, string) in txt.strings().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write_quoted(f, string)?;
                }
                Ok(())
            }
            RData::Opt(opt) => {
                for option in opt.options() {
                    match option.code.mnemonic() {
                        Some(text) => write!(f, "; {text}: ")?,
                        None => write!(f, "; OPT{}: ", u16::from(option.code))?,
                    }
                    write_hex(f, option.data)?;
                }
                Ok(())
            }
            RData::Other { data, .. } => {
                write!(f, "\\# {}", data.len())?;
                if !data.is_empty() {
                    f.write_str(" ")?;
                    write_hex(f, data)?;
                }
                Ok(())
            }
        }
    }
}
