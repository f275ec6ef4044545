//! ICMPv4 (RFC 792; RFC 1122 3.2.2): the echo server, a small echo client
//! ([`Host::ping`]), errors sent under the rules of RFC 1122 3.2.2 and a
//! token bucket, and errors received handed to the socket they quote.
//!
//! # Decisions
//!
//! - **Echo** replies mirror the identifier, sequence number and data of any
//!   request up to 65,507 data bytes (reassembled first, fragmented back),
//!   from our address (RFC 1122 3.2.2.6). A request to a broadcast address
//!   is discarded unless [`IcmpConfig::echo_broadcast`](super::IcmpConfig::echo_broadcast)
//!   (3.2.2.6: MAY).
//! - **Errors quote** the invoking header and as much of its data as fits
//!   in a 576-byte datagram (RFC 1812 4.3.2.3, what Linux does; RFC 1122
//!   3.2.2 asks for at least 8 octets).
//! - **Received errors** go to the UDP socket bound to the quoted source
//!   port (RFC 1122 4.1.3.3: UDP MUST pass them up), as a pending
//!   [`SocketError`]; errors quoting TCP go to the [TCP](super::tcp)
//!   connection of the quoted 4-tuple (RFC 1122 4.2.3.9, MUST-54).
//!   Redirect, source quench (RFC 6633) and the informational types other
//!   than echo are counted and ignored.

use super::ipv4::{RxMeta, SendError};
use super::neighbor::Origin;
use super::udp::SocketError;
use super::{Action, FrameVerdict, Host, Layer, NoIcmpError, Sabotage, Why};
use crate::tcp::IcmpError as TcpIcmpError;
use crate::time::Instant;
use crate::wire::icmpv4::{
    DstUnreachable, Icmpv4Message, Icmpv4Packet, Icmpv4Quote, Icmpv4Repr, TimeExceeded,
};
use crate::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use crate::wire::{IpProtocol, Ipv4Addr, WireError};

/// The largest ICMP error datagram, quote included (RFC 1812 4.3.2.3).
pub const MAX_ERROR_DATAGRAM: usize = 576;

/// The largest echo data: 65,535 minus the IPv4 and ICMP headers.
pub const MAX_ECHO_DATA: usize = 65_507;

/// An ICMP error the host sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcmpError {
    /// Destination Unreachable with this code.
    DstUnreachable(DstUnreachable),
    /// Time Exceeded with this code.
    TimeExceeded(TimeExceeded),
}

/// An echo reply received for a [`Host::ping`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoReply {
    /// Who answered.
    pub from: Ipv4Addr,
    /// The identifier.
    pub ident: u16,
    /// The sequence number.
    pub seq_no: u16,
    /// The data, as echoed.
    pub data: Vec<u8>,
}

impl Host {
    /// Take in an ICMP message (a whole datagram's payload).
    pub(super) fn handle_icmp(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        bytes: &[u8],
    ) -> FrameVerdict {
        let packet = Icmpv4Packet::new_unchecked(bytes);
        let icmp = match Icmpv4Repr::parse(&packet, self.config.checksums) {
            Ok(icmp) => icmp,
            Err(WireError::BadChecksum { .. }) => {
                return FrameVerdict::Dropped(Why::BadChecksum(Layer::Icmpv4))
            }
            Err(err) => return FrameVerdict::Dropped(Why::Malformed(Layer::Icmpv4, err)),
        };
        match icmp {
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => self.answer_echo(now, rx, header, ident, seq_no, data),
            Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => self.queue_echo_reply(header.src_addr, ident, seq_no, data),
            Icmpv4Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                quote,
                ..
            } => {
                let error = TcpIcmpError::DstUnreachable {
                    code: reason,
                    next_hop_mtu,
                };
                self.deliver_icmp_error(now, &quote, error)
            }
            Icmpv4Repr::TimeExceeded { reason, quote, .. } => {
                self.deliver_icmp_error(now, &quote, TcpIcmpError::TimeExceeded(reason))
            }
            Icmpv4Repr::ParamProblem { reason, quote, .. } => {
                self.deliver_icmp_error(now, &quote, TcpIcmpError::ParamProblem(reason))
            }
            other => FrameVerdict::Dropped(Why::IcmpIgnored(other.msg_type())),
        }
    }

    fn answer_echo(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        ident: u16,
        seq_no: u16,
        data: &[u8],
    ) -> FrameVerdict {
        if rx.ip_broadcast && !self.config.icmp.echo_broadcast {
            return FrameVerdict::Dropped(Why::EchoToBroadcast);
        }
        let reply = Icmpv4Repr::EchoReply {
            ident,
            seq_no,
            data,
        };
        match self.send_icmp(now, header.src_addr, &reply) {
            Ok(()) => FrameVerdict::Accepted(Action::EchoReplied),
            Err(err) => FrameVerdict::Dropped(Why::CannotReply(err)),
        }
    }

    fn queue_echo_reply(
        &mut self,
        from: Ipv4Addr,
        ident: u16,
        seq_no: u16,
        data: &[u8],
    ) -> FrameVerdict {
        if self.echo_replies.len() >= self.config.icmp.echo_reply_queue {
            return FrameVerdict::Dropped(Why::EchoReplyQueueFull);
        }
        let data = data.to_vec();
        self.echo_replies.push_back(EchoReply {
            from,
            ident,
            seq_no,
            data,
        });
        FrameVerdict::Accepted(Action::EchoReplyQueued)
    }

    /// Hand an error to the socket whose datagram it quotes (RFC 1122
    /// 4.1.3.3 for UDP, 4.2.3.9 for TCP).
    fn deliver_icmp_error(
        &mut self,
        now: Instant,
        quote: &Icmpv4Quote<'_>,
        error: TcpIcmpError,
    ) -> FrameVerdict {
        let quoted = quote.header();
        if quoted.src_addr != self.config.ipv4 {
            return FrameVerdict::Dropped(Why::IcmpErrorUnmatched);
        }
        match (quoted.protocol, quote.ports()) {
            (IpProtocol::Udp, Some((src_port, _))) => {
                match self.udp.lookup(quoted.src_addr, src_port) {
                    Some(handle) => {
                        self.udp.set_error(handle, SocketError::from(error));
                        FrameVerdict::Accepted(Action::IcmpErrorDelivered(handle))
                    }
                    None => FrameVerdict::Dropped(Why::IcmpErrorUnmatched),
                }
            }
            (IpProtocol::Tcp, Some(_)) => self.handle_tcp_icmp_error(now, quote, error),
            _ => FrameVerdict::Dropped(Why::IcmpErrorUnmatched),
        }
    }

    /// Send an echo request to `dst`; its reply comes out of
    /// [`poll_echo_reply`](Self::poll_echo_reply).
    pub fn ping(
        &mut self,
        now: Instant,
        dst: Ipv4Addr,
        ident: u16,
        seq_no: u16,
        data: &[u8],
    ) -> Result<(), SendError> {
        if data.len() > MAX_ECHO_DATA {
            return Err(SendError::TooLong { max: MAX_ECHO_DATA });
        }
        let request = Icmpv4Repr::EchoRequest {
            ident,
            seq_no,
            data,
        };
        self.send_icmp(now, dst, &request)
    }

    /// Return the oldest echo reply received, if any.
    pub fn poll_echo_reply(&mut self) -> Option<EchoReply> {
        self.echo_replies.pop_front()
    }

    fn send_icmp(
        &mut self,
        now: Instant,
        dst: Ipv4Addr,
        icmp: &Icmpv4Repr<'_>,
    ) -> Result<(), SendError> {
        // A spare frame buffer, handed back once the frames are queued.
        let mut bytes = self.frame_buffer();
        bytes.clear();
        bytes.resize(icmp.buffer_len(), 0);
        icmp.emit(
            &mut Icmpv4Packet::new_unchecked(&mut bytes[..]),
            self.config.checksums,
        );
        let header = Ipv4Repr::new(self.config.ipv4, dst, IpProtocol::Icmp, bytes.len());
        let sent = self.send_datagram(now, header, &bytes, Origin::Host);
        self.recycle(bytes);
        sent
    }

    /// Send `error` about the datagram `header` + `payload` (whole, or the
    /// first bytes of its first fragment), unless RFC 1122 3.2.2 forbids it
    /// or the token bucket is empty; either way it is counted.
    pub(super) fn send_icmp_error(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        payload: &[u8],
        error: IcmpError,
    ) {
        let suppressed = match self.forbids_icmp_error(rx, header, payload) {
            Some(why) => Some(why),
            None if !self.icmp_errors.try_take(now) => Some(NoIcmpError::RateLimited),
            None => self.emit_icmp_error(now, header, payload, error).err(),
        };
        match suppressed {
            Some(why) => self.stats.icmp_suppressed.add(why.label()),
            None => self.stats.icmp_errors_sent += 1,
        }
    }

    /// RFC 1122 3.2.2: "An ICMP error message MUST NOT be sent as the result
    /// of receiving: an ICMP error message, or a datagram destined to an IP
    /// broadcast or IP multicast address, or a datagram sent as a link-layer
    /// broadcast, or a non-initial fragment, or a datagram whose source
    /// address does not define a single host".
    pub fn forbids_icmp_error(
        &self,
        rx: RxMeta,
        header: &Ipv4Repr,
        payload: &[u8],
    ) -> Option<NoIcmpError> {
        let is_error = |t: &u8| Icmpv4Message::from(*t).is_error();
        let src = header.src_addr;
        let about_error =
            header.protocol == IpProtocol::Icmp && payload.first().is_some_and(is_error);
        let sabotaged = self.config.sabotage == Some(Sabotage::IcmpErrorAboutIcmpError);
        if about_error && !sabotaged {
            Some(NoIcmpError::AboutIcmpError)
        } else if rx.ip_broadcast
            || header.dst_addr.is_multicast()
            || self.is_broadcast(header.dst_addr)
        {
            Some(NoIcmpError::IpBroadcast)
        } else if rx.link_broadcast {
            Some(NoIcmpError::LinkBroadcast)
        } else if header.frag_offset != 0 {
            Some(NoIcmpError::NonInitialFragment)
        } else if src.is_unspecified()
            || src.is_loopback()
            || src.is_multicast()
            || src.octets()[0] >= 240
            || self.is_broadcast(src)
        {
            Some(NoIcmpError::SourceNotAHost)
        } else {
            None
        }
    }

    fn emit_icmp_error(
        &mut self,
        now: Instant,
        header: &Ipv4Repr,
        payload: &[u8],
        error: IcmpError,
    ) -> Result<(), NoIcmpError> {
        let room = MAX_ERROR_DATAGRAM - 20 - crate::wire::icmpv4::HEADER_LEN;
        let data_len = payload.len().min(room.saturating_sub(header.header_len()));
        let mut quoted = self.frame_buffer();
        quoted.clear();
        quoted.resize(header.header_len() + data_len, 0);
        let (head, body) = quoted.split_at_mut(header.header_len());
        header.emit(
            &mut Ipv4Packet::new_unchecked(head),
            crate::wire::ChecksumPolicy::Verify,
        );
        body.copy_from_slice(&payload[..data_len]);
        // Fails only if fewer than 8 data octets came with a datagram that
        // claimed more: nothing worth quoting.
        let Ok(quote) = Icmpv4Quote::parse(&quoted) else {
            self.recycle(quoted);
            return Err(NoIcmpError::BadQuote);
        };
        let icmp = match error {
            IcmpError::DstUnreachable(reason) => Icmpv4Repr::DstUnreachable {
                reason,
                unused: 0,
                next_hop_mtu: 0,
                quote,
            },
            IcmpError::TimeExceeded(reason) => Icmpv4Repr::TimeExceeded {
                reason,
                unused: 0,
                quote,
            },
        };
        let sent = self.send_icmp(now, header.src_addr, &icmp);
        self.recycle(quoted);
        sent.map_err(|_| NoIcmpError::SendFailed)
    }
}

impl From<TcpIcmpError> for SocketError {
    fn from(error: TcpIcmpError) -> SocketError {
        match error {
            TcpIcmpError::DstUnreachable { code, .. } => SocketError::from(code),
            TcpIcmpError::TimeExceeded(_) | TcpIcmpError::SourceQuench => SocketError::TimeExceeded,
            TcpIcmpError::ParamProblem(_) => SocketError::ParameterProblem,
        }
    }
}

impl From<DstUnreachable> for SocketError {
    fn from(code: DstUnreachable) -> SocketError {
        match code {
            DstUnreachable::NetUnreachable | DstUnreachable::DstNetUnknown => {
                SocketError::NetUnreachable
            }
            DstUnreachable::ProtoUnreachable => SocketError::ProtocolUnreachable,
            DstUnreachable::PortUnreachable => SocketError::PortUnreachable,
            DstUnreachable::FragRequired => SocketError::MessageTooLong,
            DstUnreachable::NetProhibited
            | DstUnreachable::HostProhibited
            | DstUnreachable::CommProhibited => SocketError::Prohibited,
            _ => SocketError::HostUnreachable,
        }
    }
}
