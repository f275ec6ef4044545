//! ARP (RFC 826; RFC 1122 2.3.2): answering for our address, learning
//! others', and resolving the next hop of outgoing datagrams.
//!
//! # Decisions
//!
//! - **Learning follows RFC 826's merge flag.** Any ARP packet updates an
//!   entry we already hold for its sender (so a gratuitous ARP refreshes a
//!   changed MAC); a new entry is only made from a packet whose target is our
//!   address. A request for someone else teaches nothing new.
//! - **Suspicious senders are ignored**: a broadcast or multicast sender
//!   hardware or protocol address, or a sender that claims our own address
//!   (RFC 5227 2.4 calls this a conflict; the host neither defends nor
//!   learns). An RFC 5227 probe (sender 0.0.0.0) for our address is answered
//!   and not learned.
//! - **Resolution**: the first datagram for an unknown next hop sends a
//!   request at once; later ones wait in a bounded queue
//!   ([`ArpConfig::queue_per_destination`](super::ArpConfig::queue_per_destination)).
//!   Requests repeat every `request_interval`, at most `max_requests` times;
//!   one interval after the last, the host gives up, drops the queue and
//!   hands [`SocketError::HostUnreachable`] to each UDP socket that had a
//!   datagram in it.

use super::neighbor::{Origin, Queued, ResolveStep};
use super::udp::SocketError;
use super::{Action, FrameVerdict, Host, Layer, Why};
use crate::time::Instant;
use crate::wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use crate::wire::{EtherType, EthernetAddress, Ipv4Addr};

impl Host {
    /// Take in an ARP packet (the Ethernet payload, padding included).
    pub(super) fn handle_arp(&mut self, now: Instant, bytes: &[u8]) -> FrameVerdict {
        let arp = match ArpRepr::parse(&ArpPacket::new_unchecked(bytes)) {
            Ok(arp) => arp,
            Err(err) => return FrameVerdict::Dropped(Why::Malformed(Layer::Arp, err)),
        };
        if !matches!(arp.operation, ArpOperation::Request | ArpOperation::Reply) {
            return FrameVerdict::Dropped(Why::ArpUnknownOperation(arp.operation));
        }
        let (sha, spa) = (arp.source_hardware_addr, arp.source_protocol_addr);
        if sha.is_multicast() || spa.is_broadcast() || spa.is_multicast() {
            return FrameVerdict::Dropped(Why::ArpBadSender);
        }
        if spa == self.config.ipv4 {
            return FrameVerdict::Dropped(Why::ArpAddressConflict);
        }
        // RFC 826, "Packet Reception": merge first, whoever the target is.
        let probe = spa.is_unspecified();
        let merged = !probe && self.arp_cache.merge(now, spa, sha);
        if arp.target_protocol_addr != self.config.ipv4 {
            if merged {
                self.release_waiting(spa, sha);
                return FrameVerdict::Accepted(Action::ArpLearned);
            }
            return FrameVerdict::Dropped(Why::ArpNotForUs);
        }
        // "Am I the target protocol address? If Merge_flag is false, add the triplet."
        if !probe {
            if !merged {
                self.arp_cache.fill(now, spa, sha);
            }
            self.release_waiting(spa, sha);
        }
        if arp.operation == ArpOperation::Request {
            // "Swap hardware and protocol fields, ... send the packet to the
            // (new) target hardware address on the same hardware."
            self.queue_arp(sha, &arp.reply_to(self.config.mac));
            return FrameVerdict::Accepted(Action::ArpReplied);
        }
        FrameVerdict::Accepted(Action::ArpLearned)
    }

    /// Send the datagrams that waited for `ip`, now known to be at `mac`.
    fn release_waiting(&mut self, ip: Ipv4Addr, mac: EthernetAddress) {
        let Some(queue) = self.resolver.resolved(ip) else {
            return;
        };
        for datagram in queue {
            if self
                .emit_datagram(mac, &datagram.header, &datagram.payload)
                .is_err()
            {
                self.stats.arp_queue_dropped += 1;
            }
            self.recycle(datagram.payload);
        }
    }

    /// Send the datagram to the next hop `hop` once its MAC address is
    /// known; the first datagram for it sends a request at once.
    pub(super) fn wait_for_arp(&mut self, now: Instant, hop: Ipv4Addr, datagram: Queued) -> bool {
        use super::neighbor::Enqueued;
        match self.resolver.enqueue(now, hop, datagram) {
            Enqueued::StartResolving => self.send_arp_request(now, hop),
            Enqueued::Waiting => {}
            Enqueued::DroppedOldest(_) => self.stats.arp_queue_dropped += 1,
            Enqueued::Refused(_) => return false,
        }
        true
    }

    fn send_arp_request(&mut self, now: Instant, target: Ipv4Addr) {
        let request = ArpRepr::request(self.config.mac, self.config.ipv4, target);
        if self.queue_arp(EthernetAddress::BROADCAST, &request) {
            self.stats.arp_requests += 1;
        }
        // Counted as sent even if the queue was full: the retry stays paced.
        self.resolver.requested(now, target);
    }

    fn queue_arp(&mut self, dst: EthernetAddress, arp: &ArpRepr) -> bool {
        self.queue_frame(dst, EtherType::Arp, arp.buffer_len(), |buf| {
            arp.emit(&mut ArpPacket::new_unchecked(buf))
        })
    }

    /// Retry the requests that are due and give up on exhausted ones.
    pub(super) fn arp_timeouts(&mut self, now: Instant) {
        while let Some(step) = self.resolver.poll(now) {
            match step {
                ResolveStep::Request(hop) => self.send_arp_request(now, hop),
                ResolveStep::GiveUp(_, queue) => {
                    self.stats.arp_failures += 1;
                    for datagram in queue {
                        self.stats.arp_queue_dropped += 1;
                        if let Origin::Udp(handle) = datagram.origin {
                            self.udp.set_error(handle, SocketError::HostUnreachable);
                        }
                    }
                }
            }
        }
    }
}
