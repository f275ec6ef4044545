//! ICMPv4 code points: the message type (RFC 792; IANA "ICMP Type Numbers")
//! and the codes of each error type.

use core::fmt;

enum_with_unknown! {
    /// The ICMP message type (RFC 792; IANA "ICMP Type Numbers").
    pub enum Icmpv4Message(u8) {
        /// Echo Reply.
        EchoReply = 0,
        /// Destination Unreachable.
        DstUnreachable = 3,
        /// Source Quench (deprecated by RFC 6633, still parsed).
        SourceQuench = 4,
        /// Redirect.
        Redirect = 5,
        /// Echo Request.
        EchoRequest = 8,
        /// Router Advertisement (RFC 1256).
        RouterAdvert = 9,
        /// Router Solicitation (RFC 1256).
        RouterSolicit = 10,
        /// Time Exceeded.
        TimeExceeded = 11,
        /// Parameter Problem.
        ParamProblem = 12,
        /// Timestamp.
        Timestamp = 13,
        /// Timestamp Reply.
        TimestampReply = 14,
        /// Information Request (obsolete).
        InfoRequest = 15,
        /// Information Reply (obsolete).
        InfoReply = 16,
        /// Address Mask Request (RFC 950).
        AddressMaskRequest = 17,
        /// Address Mask Reply (RFC 950).
        AddressMaskReply = 18,
    }
}

impl Icmpv4Message {
    /// Return whether this type is an error message, which must never be
    /// sent about another error message (RFC 1122 3.2.2).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            Icmpv4Message::DstUnreachable
                | Icmpv4Message::SourceQuench
                | Icmpv4Message::Redirect
                | Icmpv4Message::TimeExceeded
                | Icmpv4Message::ParamProblem
        )
    }
}

enum_with_unknown! {
    /// The codes of Destination Unreachable (RFC 792, RFC 1122 3.2.2.1,
    /// RFC 1812 5.2.7.1).
    pub enum DstUnreachable(u8) {
        /// Net unreachable.
        NetUnreachable = 0,
        /// Host unreachable.
        HostUnreachable = 1,
        /// Protocol unreachable.
        ProtoUnreachable = 2,
        /// Port unreachable.
        PortUnreachable = 3,
        /// Fragmentation needed and DF set; carries the next-hop MTU (RFC 1191).
        FragRequired = 4,
        /// Source route failed.
        SrcRouteFailed = 5,
        /// Destination network unknown.
        DstNetUnknown = 6,
        /// Destination host unknown.
        DstHostUnknown = 7,
        /// Source host isolated.
        SrcHostIsolated = 8,
        /// Network administratively prohibited.
        NetProhibited = 9,
        /// Host administratively prohibited.
        HostProhibited = 10,
        /// Network unreachable for type of service.
        NetUnreachToS = 11,
        /// Host unreachable for type of service.
        HostUnreachToS = 12,
        /// Communication administratively prohibited (RFC 1812).
        CommProhibited = 13,
        /// Host precedence violation (RFC 1812).
        HostPrecedViol = 14,
        /// Precedence cutoff in effect (RFC 1812).
        PrecedCutoff = 15,
    }
}

impl fmt::Display for DstUnreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            DstUnreachable::NetUnreachable => "net unreachable",
            DstUnreachable::HostUnreachable => "host unreachable",
            DstUnreachable::ProtoUnreachable => "protocol unreachable",
            DstUnreachable::PortUnreachable => "port unreachable",
            DstUnreachable::FragRequired => "need to frag",
            DstUnreachable::SrcRouteFailed => "source route failed",
            DstUnreachable::DstNetUnknown => "net unknown",
            DstUnreachable::DstHostUnknown => "host unknown",
            DstUnreachable::SrcHostIsolated => "src host isolated",
            DstUnreachable::NetProhibited => "net prohibited",
            DstUnreachable::HostProhibited => "host prohibited",
            DstUnreachable::NetUnreachToS => "tos net unreachable",
            DstUnreachable::HostUnreachToS => "tos host unreachable",
            DstUnreachable::CommProhibited => "administratively prohibited",
            DstUnreachable::HostPrecedViol => "host precedence violation",
            DstUnreachable::PrecedCutoff => "precedence cutoff",
            DstUnreachable::Unknown(code) => return write!(f, "code {code}"),
        };
        f.write_str(text)
    }
}

enum_with_unknown! {
    /// The codes of Redirect (RFC 792).
    pub enum Redirect(u8) {
        /// Redirect datagrams for the network.
        Net = 0,
        /// Redirect datagrams for the host.
        Host = 1,
        /// Redirect datagrams for the type of service and network.
        NetToS = 2,
        /// Redirect datagrams for the type of service and host.
        HostToS = 3,
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Redirect::Net => write!(f, "net"),
            Redirect::Host => write!(f, "host"),
            Redirect::NetToS => write!(f, "tos-net"),
            Redirect::HostToS => write!(f, "tos-host"),
            Redirect::Unknown(code) => write!(f, "code {code}"),
        }
    }
}

enum_with_unknown! {
    /// The codes of Time Exceeded (RFC 792).
    pub enum TimeExceeded(u8) {
        /// Time to live exceeded in transit.
        TtlExpired = 0,
        /// Fragment reassembly time exceeded.
        FragExpired = 1,
    }
}

impl fmt::Display for TimeExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeExceeded::TtlExpired => write!(f, "time exceeded in-transit"),
            TimeExceeded::FragExpired => write!(f, "ip reassembly time exceeded"),
            TimeExceeded::Unknown(code) => write!(f, "time exceeded, code {code}"),
        }
    }
}

enum_with_unknown! {
    /// The codes of Parameter Problem (RFC 792, RFC 1108, RFC 1812 5.2.7.3).
    pub enum ParamProblem(u8) {
        /// The pointer names the octet in error.
        AtPointer = 0,
        /// A required option is missing.
        MissingOption = 1,
        /// Bad length.
        BadLength = 2,
    }
}
