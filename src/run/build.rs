//! Building the frames a script injects: a TCP segment, an ARP, ICMP or
//! UDP line, filled in from the script's `config`, as a whole Ethernet
//! frame from the peer (`config.remote`, `config.remote_mac`) to the
//! target (`config.local`, `config.local_mac`).

use core::net::Ipv4Addr;

use stack::wire::arp::{ArpOperation, ArpRepr};
use stack::wire::ethernet::EthernetRepr;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::icmpv4::{
    DstUnreachable, Icmpv4Message, Icmpv4Quote, Icmpv4Repr, ParamProblem, TimeExceeded,
};
use stack::wire::ipv4::Ipv4Repr;
use stack::wire::tcp::TcpRepr;
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, EtherType, EthernetAddress, IpProtocol};

use crate::notation::Wild;
use crate::script::lower::{
    ArpLine, Echo, IcmpLine, IcmpMessage, UdpChecksum, UdpLine, UdpPayload, UnreachableCode,
};
use crate::script::Config;

/// Why an `*_in` step cannot be built: the line leaves open what an
/// injected frame must fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BuildError(pub &'static str);

impl core::fmt::Display for BuildError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// The Ethernet header of a frame from the peer to the target.
fn from_peer(config: &Config, ethertype: EtherType) -> EthernetRepr {
    EthernetRepr {
        dst_addr: config.local_mac,
        src_addr: config.remote_mac,
        vlan: None,
        ethertype,
    }
}

/// Emit a frame with checksums computed.
fn emit(frame: &FrameRepr<'_>) -> Vec<u8> {
    let mut buffer = vec![0; frame.buffer_len()];
    frame.emit(&mut buffer, ChecksumPolicy::Verify);
    buffer
}

/// Wrap a transport message in IPv4 from `src` to `dst` and Ethernet from
/// the peer's MAC to the target's.
pub fn ipv4_frame(
    config: &Config,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    transport: TransportRepr<'_>,
) -> Vec<u8> {
    let protocol = match transport {
        TransportRepr::Icmpv4(_) => IpProtocol::Icmp,
        TransportRepr::Udp(_) => IpProtocol::Udp,
        _ => IpProtocol::Tcp,
    };
    let header = Ipv4Repr::new(src, dst, protocol, transport.buffer_len());
    emit(&FrameRepr {
        ethernet: from_peer(config, EtherType::Ipv4),
        network: NetworkRepr::Ipv4 { header, transport },
    })
}

/// Build the frame that carries a TCP segment from the peer at `src` to
/// the target.
pub fn tcp_frame(config: &Config, src: Ipv4Addr, segment: &TcpRepr<'_>) -> Vec<u8> {
    ipv4_frame(config, src, config.local, TransportRepr::Tcp(*segment))
}

/// Build the frame of an `arp_in` line.
///
/// Left out: the sender's MAC is `remote_mac`; a request's target MAC is
/// zero (RFC 5227 2.1.1); a reply goes to `local` at `local_mac`. A request
/// is broadcast, a reply sent to the target's MAC.
pub fn arp_frame(config: &Config, line: &ArpLine) -> Vec<u8> {
    let request = line.operation == ArpOperation::Request;
    let arp = ArpRepr {
        operation: line.operation,
        source_hardware_addr: line.sender_mac.unwrap_or(config.remote_mac),
        source_protocol_addr: line.sender_ip,
        target_hardware_addr: line.target_mac.unwrap_or(if request {
            EthernetAddress::UNSPECIFIED
        } else {
            config.local_mac
        }),
        target_protocol_addr: line.target_ip.unwrap_or(config.local),
    };
    let mut ethernet = from_peer(config, EtherType::Arp);
    ethernet.src_addr = arp.source_hardware_addr;
    if request {
        ethernet.dst_addr = EthernetAddress::BROADCAST;
    }
    emit(&FrameRepr {
        ethernet,
        network: NetworkRepr::Arp(arp),
    })
}

/// Return the data of an echo: `len` bytes counting up from 0.
fn echo_data(echo: &Echo) -> Vec<u8> {
    let len = echo.len.exact().unwrap_or(0);
    (0..len).map(|i| i as u8).collect()
}

/// Build the frame of an `icmp_in` line.
///
/// An error message quotes `quoted`, the last IPv4 datagram the target
/// sent (header and eight octets, RFC 792), or, if it sent none, a UDP
/// datagram from the target to the peer.
pub fn icmp_frame(
    config: &Config,
    line: &IcmpLine,
    quoted: Option<&[u8]>,
) -> Result<Vec<u8>, BuildError> {
    let (src, dst) = line.addrs.unwrap_or((config.remote, config.local));
    let fallback = fallback_quote(config);
    let bytes = quoted.unwrap_or(&fallback);
    let quote = Icmpv4Quote::parse(quote_prefix(bytes))
        .map_err(|_| BuildError("the datagram to quote is not IPv4"))?;
    let data;
    let repr = match line.message {
        IcmpMessage::EchoRequest(echo) | IcmpMessage::EchoReply(echo) => {
            data = echo_data(&echo);
            let ident = echo.id.exact().unwrap_or(0);
            let seq_no = echo.seq.exact().unwrap_or(0);
            if matches!(line.message, IcmpMessage::EchoRequest(_)) {
                Icmpv4Repr::EchoRequest {
                    ident,
                    seq_no,
                    data: &data,
                }
            } else {
                Icmpv4Repr::EchoReply {
                    ident,
                    seq_no,
                    data: &data,
                }
            }
        }
        IcmpMessage::Unreachable { code, mtu } => Icmpv4Repr::DstUnreachable {
            reason: unreachable_code(code),
            unused: 0,
            next_hop_mtu: mtu.unwrap_or(0),
            quote,
        },
        IcmpMessage::TimeExceeded { reassembly } => Icmpv4Repr::TimeExceeded {
            reason: if reassembly {
                TimeExceeded::FragExpired
            } else {
                TimeExceeded::TtlExpired
            },
            unused: 0,
            quote,
        },
        IcmpMessage::ParamProblem { pointer } => Icmpv4Repr::ParamProblem {
            reason: ParamProblem::AtPointer,
            pointer: pointer.unwrap_or(0),
            unused: [0; 3],
            quote,
        },
        IcmpMessage::SourceQuench => Icmpv4Repr::SourceQuench { unused: 0, quote },
        IcmpMessage::Other { icmp_type, code } => Icmpv4Repr::Unknown {
            msg_type: Icmpv4Message::from(icmp_type),
            code,
            rest: &[0; 4],
        },
    };
    Ok(ipv4_frame(config, src, dst, TransportRepr::Icmpv4(repr)))
}

/// Return the header and first eight data octets of a datagram.
fn quote_prefix(datagram: &[u8]) -> &[u8] {
    let header_len = usize::from(datagram.first().map_or(5, |b| b & 0x0f)) * 4;
    &datagram[..datagram.len().min(header_len + Icmpv4Quote::MIN_DATA_LEN)]
}

/// A UDP datagram from the target to the peer, to quote when the target
/// has sent nothing.
fn fallback_quote(config: &Config) -> Vec<u8> {
    let udp = UdpRepr {
        src_port: super::DEFAULT_LOCAL_PORT,
        dst_port: super::DEFAULT_PEER_PORT,
        payload: &[],
    };
    let header = Ipv4Repr::new(config.local, config.remote, IpProtocol::Udp, 8);
    let frame = emit(&FrameRepr {
        ethernet: from_peer(config, EtherType::Ipv4),
        network: NetworkRepr::Ipv4 {
            header,
            transport: TransportRepr::Udp(udp),
        },
    });
    frame[stack::wire::ethernet::HEADER_LEN..][..28].to_vec()
}

/// Return the wire code of a script's unreachable code.
fn unreachable_code(code: UnreachableCode) -> DstUnreachable {
    match code {
        UnreachableCode::Net => DstUnreachable::NetUnreachable,
        UnreachableCode::Host => DstUnreachable::HostUnreachable,
        UnreachableCode::Proto => DstUnreachable::ProtoUnreachable,
        UnreachableCode::Port => DstUnreachable::PortUnreachable,
        UnreachableCode::FragNeeded => DstUnreachable::FragRequired,
        UnreachableCode::Admin => DstUnreachable::CommProhibited,
    }
}

/// Build the frame of a `udp_in` line. Both ports must be written;
/// addresses left out are `remote` and `local`.
pub fn udp_frame(config: &Config, line: &UdpLine) -> Result<Vec<u8>, BuildError> {
    let (Wild::Exact(src_port), Wild::Exact(dst_port)) = (line.src.port, line.dst.port) else {
        return Err(BuildError(
            "an injected UDP datagram needs both ports, not `*`",
        ));
    };
    let src = line.src.addr.unwrap_or(config.remote);
    let dst = line.dst.addr.unwrap_or(config.local);
    let payload = match &line.payload {
        UdpPayload::Any => Vec::new(),
        UdpPayload::Len(n) => vec![0; usize::from(*n)],
        UdpPayload::Bytes(bytes) => bytes.clone(),
    };
    let udp = UdpRepr {
        src_port,
        dst_port,
        payload: &payload,
    };
    let mut frame = ipv4_frame(config, src, dst, TransportRepr::Udp(udp));
    let start = stack::wire::ethernet::HEADER_LEN + stack::wire::ipv4::HEADER_LEN;
    let mut packet = UdpPacket::new_unchecked(&mut frame[start..start + udp.buffer_len()]);
    match line.checksum {
        UdpChecksum::Correct => {}
        UdpChecksum::Zero => packet.set_checksum(0),
        UdpChecksum::Bad => {
            // RFC 1122 4.1.3.4: a wrong, non-zero checksum.
            let good = packet.checksum();
            let bad = if !good == 0 { 0x1234 } else { !good };
            packet.set_checksum(bad);
        }
    }
    Ok(frame)
}

/// Return the bytes of a `frame_in` line (it has no wildcards).
pub fn raw_frame(bytes: &[Option<u8>]) -> Vec<u8> {
    bytes.iter().map(|b| b.unwrap_or(0)).collect()
}
