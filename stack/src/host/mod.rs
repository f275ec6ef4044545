//! The reference host below TCP: Ethernet, ARP, IPv4, ICMPv4 and UDP, sans-IO.
//!
//! A [`Host`] is given received frames and the time, and returns frames and
//! the next time it must run. It never reads a clock or a socket, and every
//! random choice comes from [`HostConfig::seed`], so a run replays bit for
//! bit. The vocabulary is quinn-proto's:
//!
//! - inputs: [`Host::handle_frame`] (returns a [`FrameVerdict`]: what was
//!   done, or the typed reason the frame was dropped) and
//!   [`Host::handle_timeout`];
//! - application calls: the UDP socket calls ([`Host::udp_bind`],
//!   [`Host::udp_send_to`], [`Host::udp_recv_from`], ...), the TCP ones
//!   ([`Host::tcp_listen`], [`Host::tcp_accept`], [`Host::tcp_connect`],
//!   [`Host::tcp_send`], [`Host::tcp_recv`], ...) and [`Host::ping`];
//! - outputs: [`Host::poll_transmit`] (one frame per call) and
//!   [`Host::poll_timeout`].
//!
//! A driver loops: feed every frame that arrived, call `handle_timeout` once
//! `poll_timeout` has passed, then drain `poll_transmit`. [`sim`] does this
//! for two hosts over a [`Pipe`](crate::device::Pipe) on a virtual clock.
//!
//! One file per protocol: [`arp`] (with the plain-data cache in
//! [`neighbor`]), [`ipv4`] (input checks, output, fragmentation through
//! [`fragment`], reassembly through [`reassembly`], IDs in [`ip_id`]),
//! [`icmp`] (with its [`ratelimit`]), [`udp`] (sockets, [`ports`]) and
//! [`tcp`] (listeners, the connection table, TCP socket calls around the
//! engine of [`crate::tcp`]).

pub mod arp;
pub mod config;
pub mod fragment;
pub mod icmp;
pub mod ip_id;
pub mod ipv4;
pub mod neighbor;
pub mod ports;
pub mod ratelimit;
pub mod reassembly;
pub mod sim;
pub mod tcp;
pub mod udp;
pub mod verdict;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::random::Rng;
use crate::time::Instant;
use crate::wire::ethernet::{EthernetFrame, EthernetRepr};
use crate::wire::{EtherType, EthernetAddress};

pub use config::{ArpConfig, ConfigError, HostConfig, IcmpConfig, Sabotage, UdpConfig};
pub use icmp::EchoReply;
pub use ipv4::{RxMeta, SendError};
pub use neighbor::ArpCache;
pub use tcp::{
    AcceptError, CallError, ConnHandle, ConnectError, ListenError, ListenOptions, ListenerHandle,
    OptionError, SocketErrno, SocketOption, TcpHostConfig, TcpTableStats,
};
pub use udp::{BadHandle, BindError, RecvError, SocketError, UdpDatagram, UdpHandle};
pub use verdict::{Action, Counters, FrameVerdict, HostStats, Layer, NoIcmpError, Why};

use ip_id::IpIds;
use neighbor::Resolver;
use ratelimit::TokenBucket;
use reassembly::Reassembler;
use tcp::TcpState;
use udp::UdpSockets;

/// A host with one Ethernet interface, one IPv4 address, UDP sockets and
/// TCP listeners and connections.
///
/// See the [module docs](self) for how to drive it.
#[derive(Debug)]
pub struct Host {
    config: HostConfig,
    arp_cache: ArpCache,
    resolver: Resolver,
    reassembler: Reassembler,
    ip_ids: IpIds,
    icmp_errors: TokenBucket,
    udp: UdpSockets,
    tcp: TcpState,
    echo_replies: VecDeque<EchoReply>,
    tx: VecDeque<Vec<u8>>,
    /// A reassembled payload, copied out of the reassembler so that the
    /// upper layers may use the whole host; kept to reuse its allocation.
    scratch: Vec<u8>,
    stats: HostStats,
}

impl Host {
    /// Create a host, or say which part of `config` cannot work.
    pub fn new(config: HostConfig) -> Result<Host, ConfigError> {
        config.validate()?;
        let rng = Rng::from_seed(config.seed);
        let arp = &config.arp;
        Ok(Host {
            arp_cache: ArpCache::new(arp.cache_capacity, arp.entry_lifetime),
            resolver: Resolver::new(arp.clone()),
            reassembler: Reassembler::new(config.reassembly),
            ip_ids: IpIds::new(rng.derive("ip-id")),
            icmp_errors: TokenBucket::new(config.icmp.error_burst, config.icmp.error_interval),
            udp: UdpSockets::new(&config.udp, rng.derive("ephemeral-port")),
            tcp: TcpState::new(&config.tcp, &rng),
            echo_replies: VecDeque::new(),
            tx: VecDeque::new(),
            scratch: Vec::new(),
            stats: HostStats::default(),
            config,
        })
    }

    /// Return the configuration.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// Return the counters.
    pub fn stats(&self) -> &HostStats {
        &self.stats
    }

    /// Return the reassembler's counters and what it holds.
    pub fn reassembly_stats(&self) -> reassembly::ReassemblyStats {
        self.reassembler.stats()
    }

    /// Return the ARP cache.
    pub fn arp_cache(&self) -> &ArpCache {
        &self.arp_cache
    }

    /// Take in one received Ethernet frame (header included, FCS excluded)
    /// and say what was done with it.
    ///
    /// Replies it causes wait in [`poll_transmit`](Self::poll_transmit).
    pub fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> FrameVerdict {
        self.stats.rx_frames += 1;
        let verdict = self.demux_frame(now, frame);
        self.stats.count(&verdict);
        verdict
    }

    fn demux_frame(&mut self, now: Instant, bytes: &[u8]) -> FrameVerdict {
        let frame = EthernetFrame::new_unchecked(bytes);
        let eth = match EthernetRepr::parse(&frame) {
            Ok(eth) => eth,
            Err(err) => return FrameVerdict::Dropped(Why::Malformed(Layer::Ethernet, err)),
        };
        if eth.vlan.is_some() {
            return FrameVerdict::Dropped(Why::VlanTagged);
        }
        let link_broadcast = eth.dst_addr.is_broadcast();
        if eth.dst_addr != self.config.mac && !link_broadcast {
            return FrameVerdict::Dropped(Why::NotOurMac);
        }
        match eth.ethertype {
            EtherType::Arp => self.handle_arp(now, frame.payload()),
            EtherType::Ipv4 => self.handle_ipv4(now, link_broadcast, frame.payload()),
            other => FrameVerdict::Dropped(Why::UnsupportedEtherType(other)),
        }
    }

    /// Return the next frame to send, if any: one frame per call, oldest
    /// first. When the queue is empty, TCP segments are pulled from the
    /// connections that have some, one per connection in turn (see
    /// [`tcp`]); the pull is bounded by
    /// [`TcpHostConfig::poll_budget`] per call.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.tx.is_empty() {
            self.pull_tcp(now);
        }
        let frame = self.tx.pop_front()?;
        self.stats.tx_frames += 1;
        Some(frame)
    }

    /// Return when [`handle_timeout`](Self::handle_timeout) must next run:
    /// the next ARP retry or give-up, the next reassembly timeout, or the
    /// earliest TCP connection deadline; [`Instant::ZERO`] (at once) while a
    /// connection may have a segment for [`poll_transmit`](Self::poll_transmit).
    ///
    /// ARP entries expiring need no wake-up: an expired entry is never used.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let earliest = crate::device::earliest;
        let lower = earliest(self.resolver.poll_at(), self.reassembler.poll_timeout());
        earliest(lower, self.tcp_poll_timeout())
    }

    /// Run everything due at `now`: ARP retries and give-ups (an error to
    /// each sending socket), reassembly timeouts (ICMP time exceeded), the
    /// flush of expired ARP entries, and the timers of TCP connections.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.arp_cache.flush(now);
        self.arp_timeouts(now);
        self.reassembly_timeouts(now);
        self.tcp_timeouts(now);
    }

    /// Queue an Ethernet frame carrying `payload_len` bytes that `write`
    /// fills in. Return whether there was room (RFC 1122 asks no more; a
    /// full queue is counted in [`HostStats::tx_queue_full`]).
    fn queue_frame(
        &mut self,
        dst_addr: EthernetAddress,
        ethertype: EtherType,
        payload_len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> bool {
        if self.tx.len() >= self.config.tx_queue {
            self.stats.tx_queue_full += 1;
            return false;
        }
        let eth = EthernetRepr {
            dst_addr,
            src_addr: self.config.mac,
            vlan: None,
            ethertype,
        };
        let mut buffer = vec![0; eth.buffer_len(payload_len)];
        let mut frame = EthernetFrame::new_unchecked(&mut buffer[..]);
        eth.emit(&mut frame);
        write(&mut frame.payload_mut()[..payload_len]);
        self.tx.push_back(buffer);
        true
    }

    /// Return how many frames the transmit queue can still take.
    fn tx_room(&self) -> usize {
        self.config.tx_queue.saturating_sub(self.tx.len())
    }
}
