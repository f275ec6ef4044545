//! A whole Ethernet frame, read through every layer at once.
//!
//! [`FrameRepr::parse`] walks Ethernet → ARP or IPv4 → ICMPv4, UDP or TCP and
//! keeps each layer's `Repr`; [`FrameRepr::emit`] writes them back. Its
//! `Display` nests the layers one per line, like smoltcp's `PrettyPrint`:
//!
//! ```text
//! 00:05:5d:61:58:a8 > 00:05:5d:67:d0:b1, IPv4
//!   192.168.0.55 > 192.168.0.1: UDP, ttl 128, id 37669, len 83
//!     UDP 1492 > 69, length 55
//! ```
//!
//! A fragment of an IPv4 datagram (MF set or a non-zero offset) is not
//! read past the IPv4 header: its payload is kept raw as
//! [`TransportRepr::Fragment`], since only the reassembled datagram has a
//! transport header to read. Payloads of EtherTypes and IP protocols this
//! module does not know are kept raw as well.

use core::fmt;

use super::arp::{ArpPacket, ArpRepr};
use super::ethernet::{EthernetFrame, EthernetRepr};
use super::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use super::ipv4::{Ipv4Packet, Ipv4Repr};
use super::tcp::{TcpRepr, TcpSegment};
use super::udp::{UdpPacket, UdpRepr};
use super::{ChecksumPolicy, EtherType, IpProtocol, WireError};

/// The layer at which a frame failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The Ethernet II header.
    Ethernet,
    /// An ARP packet.
    Arp,
    /// An IPv4 header.
    Ipv4,
    /// An ICMPv4 message.
    Icmpv4,
    /// A UDP datagram.
    Udp,
    /// A TCP segment.
    Tcp,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Ethernet => "ethernet",
            Layer::Arp => "arp",
            Layer::Ipv4 => "ipv4",
            Layer::Icmpv4 => "icmpv4",
            Layer::Udp => "udp",
            Layer::Tcp => "tcp",
        })
    }
}

/// Why a frame could not be read: the layer, and that layer's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError {
    /// The layer whose parser failed.
    pub layer: Layer,
    /// What was wrong with its bytes.
    pub error: WireError,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.layer, self.error)
    }
}

impl std::error::Error for FrameError {}

/// Tag a layer's error with the layer's name.
fn at(layer: Layer) -> impl FnOnce(WireError) -> FrameError {
    move |error| FrameError { layer, error }
}

/// What an IPv4 datagram carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportRepr<'a> {
    /// An ICMPv4 message.
    Icmpv4(Icmpv4Repr<'a>),
    /// A UDP datagram.
    Udp(UdpRepr<'a>),
    /// A TCP segment.
    Tcp(TcpRepr<'a>),
    /// The payload of a fragment, which has no transport header of its own
    /// unless it is the first one; kept raw.
    Fragment(&'a [u8]),
    /// The payload of a protocol this module does not read, kept raw.
    Other(&'a [u8]),
}

impl TransportRepr<'_> {
    /// Return the number of bytes this payload takes inside the datagram.
    pub fn buffer_len(&self) -> usize {
        match self {
            TransportRepr::Icmpv4(icmp) => icmp.buffer_len(),
            TransportRepr::Udp(udp) => udp.buffer_len(),
            TransportRepr::Tcp(tcp) => tcp.buffer_len(),
            TransportRepr::Fragment(raw) | TransportRepr::Other(raw) => raw.len(),
        }
    }
}

/// What an Ethernet frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRepr<'a> {
    /// An ARP packet.
    Arp(ArpRepr),
    /// An IPv4 datagram and what it carries.
    Ipv4 {
        /// The IPv4 header.
        header: Ipv4Repr,
        /// The datagram's payload.
        transport: TransportRepr<'a>,
    },
    /// The payload of an EtherType this module does not read (padding
    /// included), kept raw.
    Other(&'a [u8]),
}

/// A whole frame: the Ethernet header and everything inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRepr<'a> {
    /// The Ethernet II header.
    pub ethernet: EthernetRepr,
    /// What the frame carries.
    pub network: NetworkRepr<'a>,
}

impl<'a> FrameRepr<'a> {
    /// Read a frame through every layer, checking checksums under `policy`.
    pub fn parse(frame: &'a [u8], policy: ChecksumPolicy) -> Result<FrameRepr<'a>, FrameError> {
        let view = EthernetFrame::new_checked(frame).map_err(at(Layer::Ethernet))?;
        let ethernet = EthernetRepr::parse(&view).map_err(at(Layer::Ethernet))?;
        let payload = view.payload();
        let network = match ethernet.ethertype {
            EtherType::Arp => {
                let packet = ArpPacket::new_checked(payload).map_err(at(Layer::Arp))?;
                NetworkRepr::Arp(ArpRepr::parse(&packet).map_err(at(Layer::Arp))?)
            }
            EtherType::Ipv4 => parse_ipv4(payload, policy)?,
            _ => NetworkRepr::Other(payload),
        };
        Ok(FrameRepr { ethernet, network })
    }

    /// Return the length of the IPv4 payload to emit: the header's own
    /// `payload_len`, or more if the transport was built larger.
    fn ipv4_payload_len(header: &Ipv4Repr, transport: &TransportRepr<'_>) -> usize {
        header.payload_len.max(transport.buffer_len())
    }

    /// Return the length of the frame [`emit`](Self::emit) writes, padding
    /// to the Ethernet minimum included.
    pub fn buffer_len(&self) -> usize {
        let inner = match &self.network {
            NetworkRepr::Arp(arp) => arp.buffer_len(),
            NetworkRepr::Ipv4 { header, transport } => {
                header.header_len() + Self::ipv4_payload_len(header, transport)
            }
            NetworkRepr::Other(raw) => raw.len(),
        };
        self.ethernet.buffer_len(inner)
    }

    /// Write the frame into `buffer`, computing checksums under `policy`.
    ///
    /// Bytes of the IPv4 payload past the transport's own length (when the
    /// header claims more) are written as zero, and so is Ethernet padding.
    ///
    /// # Panics
    /// Panics if `buffer` is shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, buffer: &mut [u8], policy: ChecksumPolicy) {
        let buffer = &mut buffer[..self.buffer_len()];
        let mut frame = EthernetFrame::new_unchecked(&mut *buffer);
        self.ethernet.emit(&mut frame);
        let payload = frame.payload_mut();
        match &self.network {
            NetworkRepr::Arp(arp) => arp.emit(&mut ArpPacket::new_unchecked(payload)),
            NetworkRepr::Ipv4 { header, transport } => {
                let mut header = *header;
                header.payload_len = Self::ipv4_payload_len(&header, transport);
                let len = header.buffer_len();
                emit_ipv4(&header, transport, &mut payload[..len], policy);
            }
            NetworkRepr::Other(raw) => payload[..raw.len()].copy_from_slice(raw),
        }
    }
}

/// Read an IPv4 datagram and, unless it is a fragment, its transport.
fn parse_ipv4(payload: &[u8], policy: ChecksumPolicy) -> Result<NetworkRepr<'_>, FrameError> {
    let packet = Ipv4Packet::new_checked(payload).map_err(at(Layer::Ipv4))?;
    let header = Ipv4Repr::parse(&packet, policy).map_err(at(Layer::Ipv4))?;
    let body = packet.payload();
    let (src, dst) = (header.src_addr, header.dst_addr);
    let transport = if header.is_fragment() {
        TransportRepr::Fragment(body)
    } else {
        match header.protocol {
            IpProtocol::Icmp => {
                let icmp = Icmpv4Packet::new_checked(body).map_err(at(Layer::Icmpv4))?;
                TransportRepr::Icmpv4(Icmpv4Repr::parse(&icmp, policy).map_err(at(Layer::Icmpv4))?)
            }
            IpProtocol::Udp => {
                let udp = UdpPacket::new_checked(body).map_err(at(Layer::Udp))?;
                TransportRepr::Udp(UdpRepr::parse(&udp, src, dst, policy).map_err(at(Layer::Udp))?)
            }
            IpProtocol::Tcp => {
                let tcp = TcpSegment::new_checked(body).map_err(at(Layer::Tcp))?;
                TransportRepr::Tcp(TcpRepr::parse(&tcp, src, dst, policy).map_err(at(Layer::Tcp))?)
            }
            IpProtocol::Unknown(_) => TransportRepr::Other(body),
        }
    };
    Ok(NetworkRepr::Ipv4 { header, transport })
}

/// Write an IPv4 header and its transport into `buffer`, which is exactly
/// `header.buffer_len()` bytes long.
fn emit_ipv4(
    header: &Ipv4Repr,
    transport: &TransportRepr<'_>,
    buffer: &mut [u8],
    policy: ChecksumPolicy,
) {
    let mut packet = Ipv4Packet::new_unchecked(&mut *buffer);
    header.emit(&mut packet, policy);
    let (src, dst) = (header.src_addr, header.dst_addr);
    let body = &mut buffer[header.header_len()..];
    body.fill(0);
    let len = transport.buffer_len();
    let body = &mut body[..len];
    match transport {
        TransportRepr::Icmpv4(icmp) => icmp.emit(&mut Icmpv4Packet::new_unchecked(body), policy),
        TransportRepr::Udp(udp) => udp.emit(&mut UdpPacket::new_unchecked(body), src, dst, policy),
        TransportRepr::Tcp(tcp) => tcp.emit(&mut TcpSegment::new_unchecked(body), src, dst, policy),
        TransportRepr::Fragment(raw) | TransportRepr::Other(raw) => body.copy_from_slice(raw),
    }
}

impl fmt::Display for TransportRepr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportRepr::Icmpv4(icmp) => write!(f, "{icmp}"),
            TransportRepr::Udp(udp) => write!(f, "{udp}"),
            TransportRepr::Tcp(tcp) => write!(f, "TCP {} > {}: {tcp}", tcp.src_port, tcp.dst_port),
            TransportRepr::Fragment(raw) => write!(f, "fragment, {} bytes", raw.len()),
            TransportRepr::Other(raw) => write!(f, "{} bytes of payload", raw.len()),
        }
    }
}

impl fmt::Display for FrameRepr<'_> {
    /// Print one line per layer, each indented under the one that carries it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ethernet)?;
        match &self.network {
            NetworkRepr::Arp(arp) => write!(f, "\n  {arp}"),
            NetworkRepr::Ipv4 { header, transport } => {
                write!(f, "\n  {header}\n    {transport}")
            }
            NetworkRepr::Other(raw) => write!(f, "\n  {} bytes of payload", raw.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TFTP read request of tests/vectors/tftp-rrq.yaml, whole.
    static TFTP_RRQ: [u8; 97] = [
        0x00, 0x05, 0x5d, 0x67, 0xd0, 0xb1, 0x00, 0x05, 0x5d, 0x61, 0x58, 0xa8, 0x08,
        0x00, // ethernet
        0x45, 0x00, 0x00, 0x53, 0x93, 0x25, 0x00, 0x00, 0x80, 0x11, 0x25, 0xec, // ipv4 ...
        0xc0, 0xa8, 0x00, 0x37, 0xc0, 0xa8, 0x00, 0x01, // ... addresses
        0x05, 0xd4, 0x00, 0x45, 0x00, 0x3f, 0xac, 0x40, // udp
        0x00, 0x01, 0x63, 0x3a, 0x5c, 0x71, 0x77, 0x65, 0x72, 0x71, 0x2e, 0x71, 0x77, 0x65, 0x00,
        0x6e, 0x65, 0x74, 0x61, 0x73, 0x63, 0x69, 0x69, 0x00, 0x62, 0x6c, 0x6b, 0x73, 0x69, 0x7a,
        0x65, 0x00, 0x35, 0x31, 0x32, 0x00, 0x74, 0x69, 0x6d, 0x65, 0x6f, 0x75, 0x74, 0x00, 0x31,
        0x30, 0x00, 0x74, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x30, 0x00, // tftp
    ];

    #[test]
    fn tftp_vector_reads_through_every_layer_and_re_emits() {
        let repr = FrameRepr::parse(&TFTP_RRQ, ChecksumPolicy::Verify).unwrap();
        let NetworkRepr::Ipv4 {
            header,
            transport: TransportRepr::Udp(udp),
        } = repr.network
        else {
            panic!("not UDP over IPv4: {repr}");
        };
        assert_eq!(
            (header.ttl, udp.src_port, udp.dst_port, udp.payload.len()),
            (128, 1492, 69, 55)
        );
        assert_eq!(repr.buffer_len(), TFTP_RRQ.len());
        let mut out = vec![0xa5; repr.buffer_len()];
        repr.emit(&mut out, ChecksumPolicy::Verify);
        assert_eq!(out[..], TFTP_RRQ[..]);
        assert_eq!(
            repr.to_string(),
            "00:05:5d:61:58:a8 > 00:05:5d:67:d0:b1, IPv4\n  \
             192.168.0.55 > 192.168.0.1: UDP, ttl 128, id 37669, len 83\n    \
             UDP 1492 > 69, length 55"
        );
    }

    #[test]
    fn errors_name_the_layer() {
        let mut bad = TFTP_RRQ;
        bad[40] ^= 0xff; // inside the UDP checksum
        let err = FrameRepr::parse(&bad, ChecksumPolicy::Verify).unwrap_err();
        assert_eq!(err.layer, Layer::Udp);
        assert!(matches!(err.error, WireError::BadChecksum { .. }));
        assert!(FrameRepr::parse(&bad, ChecksumPolicy::Ignore).is_ok());
        let err = FrameRepr::parse(&TFTP_RRQ[..20], ChecksumPolicy::Verify).unwrap_err();
        assert_eq!(err.layer, Layer::Ipv4);
        assert!(matches!(err.error, WireError::Truncated { .. }));
        assert_eq!(err.to_string(), format!("ipv4: {}", err.error));
    }

    #[test]
    fn fragments_are_not_read_past_ipv4() {
        let mut frag = TFTP_RRQ;
        frag[20] = 0x20; // MF
        let mut packet = Ipv4Packet::new_unchecked(&mut frag[14..]);
        packet.fill_checksum();
        let repr = FrameRepr::parse(&frag, ChecksumPolicy::Verify).unwrap();
        assert!(matches!(
            repr.network,
            NetworkRepr::Ipv4 { transport: TransportRepr::Fragment(raw), .. } if raw.len() == 63
        ));
    }
}
