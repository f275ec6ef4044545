//! The invoking datagram that an ICMPv4 error message quotes (RFC 792;
//! RFC 1122 3.2.2).

use crate::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use crate::wire::{need_len, IpProtocol, WireError};

/// The invoking datagram quoted by an ICMP error: its IPv4 header and the
/// first data octets, kept byte for byte (a quoted header checksum that does
/// not verify, or more than 8 data octets, re-emit as they came), with the
/// header parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Icmpv4Quote<'a> {
    header: Ipv4Repr,
    bytes: &'a [u8],
}

impl<'a> Icmpv4Quote<'a> {
    /// The data octets an error must quote (RFC 792; RFC 1122 3.2.2), when
    /// the datagram had that many.
    pub const MIN_DATA_LEN: usize = 8;

    /// Read a quote: a header that passes
    /// [`Ipv4Packet::check_header`] and [`Ipv4Repr::parse_quoted`], followed
    /// by at least [`MIN_DATA_LEN`](Self::MIN_DATA_LEN) octets of its data
    /// (or all of it, if its total length says it was shorter).
    ///
    /// Errors name the quoted field: `Truncated{field: "quoted_header"}`,
    /// `Invalid{field: "quoted_version"}`, `Invalid{field: "quoted_ihl"}`,
    /// `Truncated{field: "quoted_options"}`,
    /// `Invalid{field: "quoted_total_length"}`, `BadOptionLength`, and
    /// `Truncated{field: "quoted_data"}` when fewer data octets came.
    pub fn parse(bytes: &'a [u8]) -> Result<Icmpv4Quote<'a>, WireError> {
        let header = Ipv4Repr::parse_quoted(&Ipv4Packet::new_unchecked(bytes)).map_err(quoted)?;
        let need = header.header_len() + header.payload_len.min(Self::MIN_DATA_LEN);
        need_len("quoted_data", need, bytes.len())?;
        Ok(Icmpv4Quote { header, bytes })
    }

    /// Return the quoted IPv4 header.
    pub fn header(&self) -> &Ipv4Repr {
        &self.header
    }

    /// Return the quoted header's checksum field, as it came.
    pub fn header_checksum(&self) -> u16 {
        Ipv4Packet::new_unchecked(self.bytes).checksum()
    }

    /// Return the quoted data octets: everything after the quoted header.
    pub fn data(&self) -> &'a [u8] {
        self.bytes.get(self.header.header_len()..).unwrap_or(&[])
    }

    /// Return the whole quote, header and data, as it is carried.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Return the source and destination ports of a quoted UDP or TCP
    /// datagram (the first four data octets), which is how an error finds
    /// its socket (RFC 1122 4.1.3.3, 4.2.3.9).
    pub fn ports(&self) -> Option<(u16, u16)> {
        match (self.header.protocol, self.data()) {
            (IpProtocol::Udp | IpProtocol::Tcp, [s0, s1, d0, d1, ..]) => Some((
                u16::from_be_bytes([*s0, *s1]),
                u16::from_be_bytes([*d0, *d1]),
            )),
            _ => None,
        }
    }
}

/// Rename an error about an IPv4 header to say that the header was quoted.
fn quoted(err: WireError) -> WireError {
    let rename = |field: &'static str| match field {
        "header" => "quoted_header",
        "version" => "quoted_version",
        "ihl" => "quoted_ihl",
        "options" => "quoted_options",
        "options_len" => "quoted_options_len",
        "total_length" => "quoted_total_length",
        _ => "quoted_datagram",
    };
    match err {
        WireError::Truncated { field, need, have } => WireError::Truncated {
            field: rename(field),
            need,
            have,
        },
        WireError::Invalid { field, value } => WireError::Invalid {
            field: rename(field),
            value,
        },
        WireError::Unsupported { field, value } => WireError::Unsupported {
            field: rename(field),
            value,
        },
        other => other,
    }
}
