//! The lower layers' step grammars: ARP, ICMP, UDP and raw frames, close to
//! what tcpdump prints.
//!
//! ```text
//! arp      = "request" ["who-has"] ip ["(" mac ")"] "tell" ip ["(" mac ")"]
//!          | "reply" ip "is-at" (mac | "*") ["to" ip ["(" mac ")"]]
//! icmp     = [ip ">" ip [":"]] message       (a ": " needs YAML quotes: leave it out)
//! message  = "echo" ("request" | "reply") ["id" n] ["seq" n] ["len" n]
//!          | "unreachable" ("net" | "host" | "proto" | "port" | "frag-needed" ["mtu" n] | "admin")
//!          | "time-exceeded" ("ttl" | "reassembly")
//!          | "param-problem" ["pointer" n] | "source-quench"
//!          | "type" n "code" n
//! udp      = endpoint ">" endpoint [":"] ["len" n | "data" hex] ["csum" ("bad" | "zero")]
//! endpoint = port | "*" | ip "." port          tcpdump's 198.51.100.2.40000
//! frame    = 1*(hex-byte | "??")                spaces and newlines may separate bytes
//! ```
//!
//! A field left out is filled by the runner for an `*_in` step (addresses
//! and MACs from `config`, a zero target MAC in an ARP request) and not
//! checked for an `*_out` step; `n` may be `*` where a number is checked.

use core::fmt;
use core::net::Ipv4Addr;

use stack::wire::arp::ArpOperation;
use stack::wire::EthernetAddress;

use super::call::named_enum;
use crate::notation::cursor::Cursor;
use crate::notation::{SyntaxError, Wild};

/// An ARP packet an `arp_in` step injects or an `arp_out` step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpLine {
    /// Request or reply.
    pub operation: ArpOperation,
    /// The sender's protocol address: `tell` of a request, the `is-at` owner of a reply.
    pub sender_ip: Ipv4Addr,
    /// The sender's hardware address, if written.
    pub sender_mac: Option<EthernetAddress>,
    /// The target's protocol address: `who-has` of a request, `to` of a reply.
    pub target_ip: Option<Ipv4Addr>,
    /// The target's hardware address, if written.
    pub target_mac: Option<EthernetAddress>,
}

/// Parse an `arp_in`/`arp_out` value.
pub fn parse_arp(text: &str) -> Result<ArpLine, SyntaxError> {
    let mut c = Cursor::new(text);
    let line = match c.peek_word() {
        "request" => {
            c.word();
            c.eat_word("who-has");
            let target_ip = c.ipv4()?;
            let target_mac = paren_mac(&mut c)?;
            c.expect_word("tell", "`tell` and the asking address")?;
            ArpLine {
                operation: ArpOperation::Request,
                target_ip: Some(target_ip),
                target_mac,
                sender_ip: c.ipv4()?,
                sender_mac: paren_mac(&mut c)?,
            }
        }
        "reply" => reply(&mut c)?,
        _ => return Err(c.error_word("`request` or `reply`")),
    };
    c.end("the end of the ARP line")?;
    Ok(line)
}

/// Read the rest of `reply ip is-at mac [to ip [(mac)]]`.
fn reply(c: &mut Cursor<'_>) -> Result<ArpLine, SyntaxError> {
    c.word();
    let sender_ip = c.ipv4()?;
    c.expect_word("is-at", "`is-at` and a MAC address")?;
    let sender_mac = if c.eat('*') { None } else { Some(mac(c)?) };
    let (mut target_ip, mut target_mac) = (None, None);
    if c.eat_word("to") {
        target_ip = Some(c.ipv4()?);
        target_mac = paren_mac(c)?;
    }
    Ok(ArpLine {
        operation: ArpOperation::Reply,
        sender_ip,
        sender_mac,
        target_ip,
        target_mac,
    })
}

/// Read an optional `(mac)`.
fn paren_mac(c: &mut Cursor<'_>) -> Result<Option<EthernetAddress>, SyntaxError> {
    if !c.eat('(') {
        return Ok(None);
    }
    let mac = mac(c)?;
    c.expect(')', "`)`")?;
    Ok(Some(mac))
}

/// Read a MAC address, `xx:xx:xx:xx:xx:xx`.
pub(crate) fn mac(c: &mut Cursor<'_>) -> Result<EthernetAddress, SyntaxError> {
    const EXPECTED: &str = "a MAC address (xx:xx:xx:xx:xx:xx)";
    let at = c.peek_position();
    let text = c.take_while(|ch| ch.is_ascii_hexdigit() || ch == ':');
    let bad = SyntaxError {
        at,
        end: at + text.len().max(1),
        expected: EXPECTED,
    };
    let mut bytes = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut bytes {
        let part = parts.next().filter(|p| p.len() == 2).ok_or(bad)?;
        *byte = u8::from_str_radix(part, 16).map_err(|_| bad)?;
    }
    if parts.next().is_some() {
        return Err(bad);
    }
    Ok(EthernetAddress(bytes))
}

impl fmt::Display for ArpLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paren =
            |mac: Option<EthernetAddress>| mac.map(|m| format!(" ({m})")).unwrap_or_default();
        match self.operation {
            ArpOperation::Reply => {
                write!(f, "reply {} is-at ", self.sender_ip)?;
                match self.sender_mac {
                    Some(mac) => write!(f, "{mac}")?,
                    None => f.write_str("*")?,
                }
                if let Some(ip) = self.target_ip {
                    write!(f, " to {ip}{}", paren(self.target_mac))?;
                }
                Ok(())
            }
            _ => {
                f.write_str("request")?;
                if let Some(ip) = self.target_ip {
                    write!(f, " who-has {ip}{}", paren(self.target_mac))?;
                }
                write!(f, " tell {}{}", self.sender_ip, paren(self.sender_mac))
            }
        }
    }
}

named_enum! {
    /// A Destination Unreachable code (RFC 792; RFC 1812 5.2.7.1 for `admin`).
    pub enum UnreachableCode {
        /// Code 0.
        Net = "net",
        /// Code 1.
        Host = "host",
        /// Code 2.
        Proto = "proto",
        /// Code 3: what a closed UDP port answers (RFC 1122 4.1.3.1).
        Port = "port",
        /// Code 4: fragmentation needed and DF set (RFC 1191).
        FragNeeded = "frag-needed",
        /// Code 13: communication administratively prohibited.
        Admin = "admin",
    }
}

/// The numbers of an Echo or Echo Reply; unwritten ones are [`Wild::Any`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Echo {
    /// The identifier.
    pub id: Wild<u16>,
    /// The sequence number.
    pub seq: Wild<u16>,
    /// The length of the data.
    pub len: Wild<u16>,
}

/// An ICMP message (RFC 792).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcmpMessage {
    /// Echo (type 8).
    EchoRequest(Echo),
    /// Echo Reply (type 0).
    EchoReply(Echo),
    /// Destination Unreachable (type 3).
    Unreachable {
        /// The code.
        code: UnreachableCode,
        /// The next-hop MTU of `frag-needed` (RFC 1191).
        mtu: Option<u16>,
    },
    /// Time Exceeded (type 11): in transit (code 0) or in reassembly (code 1).
    TimeExceeded {
        /// Whether it is the reassembly timeout (RFC 791 3.2, code 1).
        reassembly: bool,
    },
    /// Parameter Problem (type 12).
    ParamProblem {
        /// The pointer to the octet at fault, if checked.
        pointer: Option<u8>,
    },
    /// Source Quench (type 4): deprecated (RFC 6633), to be ignored (MUST-55).
    SourceQuench,
    /// Any type and code by number.
    Other {
        /// The type.
        icmp_type: u8,
        /// The code.
        code: u8,
    },
}

/// An ICMP message an `icmp_in` step injects or an `icmp_out` step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcmpLine {
    /// The IPv4 source and destination, if written.
    pub addrs: Option<(Ipv4Addr, Ipv4Addr)>,
    /// The message.
    pub message: IcmpMessage,
}

/// Parse an `icmp_in`/`icmp_out` value.
pub fn parse_icmp(text: &str) -> Result<IcmpLine, SyntaxError> {
    let mut c = Cursor::new(text);
    let addrs = if c.peek_word().contains('.') {
        let src = c.ipv4()?;
        c.expect('>', "`>` and the destination address")?;
        let dst = c.ipv4()?;
        c.eat(':');
        Some((src, dst))
    } else {
        None
    };
    let message = icmp_message(&mut c)?;
    c.end("the end of the ICMP line")?;
    Ok(IcmpLine { addrs, message })
}

/// Read the message part of an ICMP line.
fn icmp_message(c: &mut Cursor<'_>) -> Result<IcmpMessage, SyntaxError> {
    const EXPECTED: &str =
        "`echo`, `unreachable`, `time-exceeded`, `param-problem`, `source-quench` or `type`";
    let keyword = c.peek_word();
    let message = match keyword {
        "echo" => {
            c.word();
            return echo_message(c);
        }
        "unreachable" => {
            c.word();
            let code = UnreachableCode::from_name(c.peek_word()).ok_or_else(|| {
                c.error_word("`net`, `host`, `proto`, `port`, `frag-needed` or `admin`")
            })?;
            c.word();
            let mtu = if c.eat_word("mtu") {
                Some(c.number("an MTU")?)
            } else {
                None
            };
            return Ok(IcmpMessage::Unreachable { code, mtu });
        }
        "time-exceeded" => {
            c.word();
            let reassembly = match c.peek_word() {
                "ttl" => false,
                "reassembly" => true,
                _ => return Err(c.error_word("`ttl` or `reassembly`")),
            };
            IcmpMessage::TimeExceeded { reassembly }
        }
        "param-problem" => {
            c.word();
            let pointer = if c.eat_word("pointer") {
                Some(c.number("a pointer (0 to 255)")?)
            } else {
                None
            };
            return Ok(IcmpMessage::ParamProblem { pointer });
        }
        "source-quench" => IcmpMessage::SourceQuench,
        "type" => {
            c.word();
            let icmp_type = c.number("an ICMP type (0 to 255)")?;
            c.expect_word("code", "`code` and a number")?;
            return Ok(IcmpMessage::Other {
                icmp_type,
                code: c.number("an ICMP code (0 to 255)")?,
            });
        }
        _ => return Err(c.error_word(EXPECTED)),
    };
    c.word();
    Ok(message)
}

/// Read the rest of `echo (request | reply) ...`.
fn echo_message(c: &mut Cursor<'_>) -> Result<IcmpMessage, SyntaxError> {
    let request = match c.peek_word() {
        "request" => true,
        "reply" => false,
        _ => return Err(c.error_word("`request` or `reply`")),
    };
    c.word();
    let echo = echo(c)?;
    Ok(if request {
        IcmpMessage::EchoRequest(echo)
    } else {
        IcmpMessage::EchoReply(echo)
    })
}

/// Read `[id n] [seq n] [len n]`.
fn echo(c: &mut Cursor<'_>) -> Result<Echo, SyntaxError> {
    let mut echo = Echo {
        id: Wild::Any,
        seq: Wild::Any,
        len: Wild::Any,
    };
    if c.eat_word("id") {
        echo.id = wild_number(c, "an identifier (0 to 65535) or `*`")?;
    }
    if c.eat_word("seq") {
        echo.seq = wild_number(c, "a sequence number (0 to 65535) or `*`")?;
    }
    if c.eat_word("len") {
        echo.len = wild_number(c, "a data length or `*`")?;
    }
    Ok(echo)
}

/// Read a number or `*`.
pub(crate) fn wild_number<T: core::str::FromStr>(
    c: &mut Cursor<'_>,
    expected: &'static str,
) -> Result<Wild<T>, SyntaxError> {
    if c.eat('*') {
        Ok(Wild::Any)
    } else {
        c.number(expected).map(Wild::Exact)
    }
}

impl fmt::Display for Echo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in [("id", self.id), ("seq", self.seq), ("len", self.len)] {
            if let Wild::Exact(v) = value {
                write!(f, " {name} {v}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for IcmpLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((src, dst)) = self.addrs {
            write!(f, "{src} > {dst} ")?;
        }
        match self.message {
            IcmpMessage::EchoRequest(e) => write!(f, "echo request{e}"),
            IcmpMessage::EchoReply(e) => write!(f, "echo reply{e}"),
            IcmpMessage::Unreachable {
                code,
                mtu: Some(mtu),
            } => write!(f, "unreachable {code} mtu {mtu}"),
            IcmpMessage::Unreachable { code, mtu: None } => write!(f, "unreachable {code}"),
            IcmpMessage::TimeExceeded { reassembly: true } => {
                f.write_str("time-exceeded reassembly")
            }
            IcmpMessage::TimeExceeded { reassembly: false } => f.write_str("time-exceeded ttl"),
            IcmpMessage::ParamProblem { pointer: Some(p) } => {
                write!(f, "param-problem pointer {p}")
            }
            IcmpMessage::ParamProblem { pointer: None } => f.write_str("param-problem"),
            IcmpMessage::SourceQuench => f.write_str("source-quench"),
            IcmpMessage::Other { icmp_type, code } => write!(f, "type {icmp_type} code {code}"),
        }
    }
}

/// One end of a UDP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The address, if written.
    pub addr: Option<Ipv4Addr>,
    /// The port.
    pub port: Wild<u16>,
}

/// The data of a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum UdpPayload {
    /// Not written: empty for `udp_in`, unchecked for `udp_out`.
    #[default]
    Any,
    /// `len n`: that many bytes (zeros for `udp_in`).
    Len(u16),
    /// `data hex`: exactly these bytes.
    Bytes(Vec<u8>),
}

/// The checksum a `udp_in` step puts on its datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UdpChecksum {
    /// The right checksum (the default).
    #[default]
    Correct,
    /// Zero: no checksum (RFC 768).
    Zero,
    /// A wrong, non-zero checksum: the datagram must be dropped (RFC 1122 4.1.3.4).
    Bad,
}

/// A UDP datagram a `udp_in` step injects or a `udp_out` step expects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UdpLine {
    /// The source.
    pub src: Endpoint,
    /// The destination.
    pub dst: Endpoint,
    /// The data.
    pub payload: UdpPayload,
    /// The checksum.
    pub checksum: UdpChecksum,
}

/// Parse a `udp_in`/`udp_out` value.
pub fn parse_udp(text: &str) -> Result<UdpLine, SyntaxError> {
    let mut c = Cursor::new(text);
    let src = endpoint(&mut c)?;
    c.expect('>', "`>` and the destination")?;
    let dst = endpoint(&mut c)?;
    c.eat(':');
    let payload = if c.eat_word("len") {
        UdpPayload::Len(c.number("a data length (0 to 65535)")?)
    } else if c.eat_word("data") {
        let at = c.peek_position();
        let hex = c.word();
        UdpPayload::Bytes(
            parse_hex(hex, false)
                .map_err(|e| e.shifted(at))?
                .into_iter()
                .flatten()
                .collect(),
        )
    } else {
        UdpPayload::Any
    };
    let checksum = if c.eat_word("csum") {
        let checksum = match c.peek_word() {
            "bad" => UdpChecksum::Bad,
            "zero" => UdpChecksum::Zero,
            _ => return Err(c.error_word("`bad` or `zero`")),
        };
        c.word();
        checksum
    } else {
        UdpChecksum::Correct
    };
    c.end("`len`, `data`, `csum` or the end of the UDP line")?;
    Ok(UdpLine {
        src,
        dst,
        payload,
        checksum,
    })
}

/// Read `port`, `*` or `a.b.c.d.port`.
fn endpoint(c: &mut Cursor<'_>) -> Result<Endpoint, SyntaxError> {
    const EXPECTED: &str = "a port, `*` or address.port (198.51.100.2.40000)";
    if c.eat('*') {
        return Ok(Endpoint {
            addr: None,
            port: Wild::Any,
        });
    }
    let at = c.peek_position();
    let word = c.peek_word();
    let bad = |expected| SyntaxError {
        at,
        end: at + word.len().max(1),
        expected,
    };
    let (addr, port) = match word.rsplit_once('.') {
        Some((addr, port)) => {
            let addr: Ipv4Addr = addr
                .parse()
                .map_err(|_| bad(crate::notation::EXPECTED_ADDRESS))?;
            (Some(addr), port)
        }
        None => (None, word),
    };
    let port = if port == "*" {
        Wild::Any
    } else {
        Wild::Exact(port.parse().map_err(|_| bad(EXPECTED))?)
    };
    c.word();
    Ok(Endpoint { addr, port })
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(addr) = self.addr {
            write!(f, "{addr}.")?;
        }
        write!(f, "{}", self.port)
    }
}

impl fmt::Display for UdpLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {}", self.src, self.dst)?;
        match &self.payload {
            UdpPayload::Any => {}
            UdpPayload::Len(n) => write!(f, " len {n}")?,
            UdpPayload::Bytes(bytes) => {
                f.write_str(" data ")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
            }
        }
        match self.checksum {
            UdpChecksum::Correct => Ok(()),
            UdpChecksum::Zero => f.write_str(" csum zero"),
            UdpChecksum::Bad => f.write_str(" csum bad"),
        }
    }
}

/// A raw frame: bytes, or any byte (`??`, only in `frame_out`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame(pub Vec<Option<u8>>);

/// Parse a `frame_in` (`wildcards` false) or `frame_out` value.
pub fn parse_frame(text: &str, wildcards: bool) -> Result<Frame, SyntaxError> {
    let bytes = parse_hex(text, wildcards)?;
    if bytes.is_empty() {
        return Err(SyntaxError {
            at: 0,
            end: 0,
            expected: "at least one hex byte",
        });
    }
    Ok(Frame(bytes))
}

/// Read hex bytes, two digits each, optionally separated by whitespace;
/// `??` is a wildcard byte when `wildcards` is set.
fn parse_hex(text: &str, wildcards: bool) -> Result<Vec<Option<u8>>, SyntaxError> {
    let expected = if wildcards {
        "two hex digits or `??`"
    } else {
        "two hex digits"
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let pair = text.get(i..i + 2).filter(|p| p.is_ascii());
        let end = match pair {
            Some(_) => i + 2,
            None => {
                i + text
                    .get(i..)
                    .and_then(|t| t.chars().next())
                    .map_or(0, char::len_utf8)
            }
        };
        let bad = SyntaxError {
            at: i,
            end,
            expected,
        };
        let pair = pair.ok_or(bad)?;
        if pair == "??" && wildcards {
            out.push(None);
        } else if pair.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push(Some(u8::from_str_radix(pair, 16).map_err(|_| bad)?));
        } else {
            return Err(bad);
        }
        i += 2;
    }
    Ok(out)
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match byte {
                Some(b) => write!(f, "{b:02x}")?,
                None => f.write_str("??")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "tests/lower.rs"]
mod tests;
