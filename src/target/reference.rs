//! The reference stack as a target: a [`Host`] in process, frames through
//! memory, on a virtual clock.
//!
//! Socket calls map onto the host's TCP API with the semantics of the BSD
//! socket calls the scripts are written in: a socket is created by its
//! first call, `connect` returns `EINPROGRESS` as a non-blocking connect
//! does, `accept` hands out the next free socket number, and every error is
//! the errno a socket would report. Options set before `connect` or
//! `listen` become that connection's (or listener's) configuration.

use std::collections::BTreeMap;

use stack::host::{FrameVerdict, Host, HostConfig};
use stack::time::Instant;

mod sockets;

use super::{CallOutcome, ClockKind, SocketId, Target, TargetError};
use crate::script::{Call, Config, TargetName, TcpState};
use sockets::Socket;

/// The subnet the target and the peer share: TEST-NET-2 is a /24 (RFC 5737).
const PREFIX_LEN: u8 = 24;

/// The reference stack as a [`Target`].
#[derive(Debug)]
pub struct ReferenceTarget {
    host: Host,
    /// The TCP configuration the script's `config` asks for.
    tcp: stack::tcp::Config,
    /// The sockets the script has made, by number.
    sockets: BTreeMap<SocketId, Socket>,
    /// Connections the script closed, still answering `state` steps while
    /// the host keeps them (FIN-WAIT, TIME-WAIT).
    closed: BTreeMap<SocketId, stack::host::ConnHandle>,
}

impl ReferenceTarget {
    /// Build the host a script's `config` describes, with every random
    /// choice drawn from `seed`.
    pub fn new(config: &Config, seed: u64) -> Result<ReferenceTarget, TargetError> {
        ReferenceTarget::with_tcp(config, seed, |_| {})
    }

    /// Build the host as [`new`](Self::new) does, then let `adjust` change
    /// the TCP configuration every socket starts from, for what a script's
    /// `config` has no key for (the random differential turns delayed
    /// ACKs off, say).
    pub fn with_tcp(
        config: &Config,
        seed: u64,
        adjust: impl FnOnce(&mut stack::tcp::Config),
    ) -> Result<ReferenceTarget, TargetError> {
        let mut tcp = sockets::tcp_config(config)?;
        adjust(&mut tcp);
        tcp.validate()
            .map_err(|e| TargetError::Config(e.to_string()))?;
        let mut host_config = HostConfig {
            mac: config.local_mac,
            ipv4: config.local,
            prefix_len: PREFIX_LEN,
            mtu: usize::from(config.mtu),
            seed,
            ..HostConfig::default()
        };
        host_config.tcp.defaults = tcp.clone();
        let host = Host::new(host_config).map_err(|e| TargetError::Config(e.to_string()))?;
        Ok(ReferenceTarget {
            host,
            tcp,
            sockets: BTreeMap::new(),
            closed: BTreeMap::new(),
        })
    }

    /// Return the host, to inspect its counters.
    pub fn host(&self) -> &Host {
        &self.host
    }
}

impl Target for ReferenceTarget {
    fn name(&self) -> &'static str {
        "reference"
    }

    fn override_name(&self) -> Option<TargetName> {
        None
    }

    fn clock(&self) -> ClockKind {
        ClockKind::Virtual
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError> {
        Ok(match self.host.handle_frame(now, frame) {
            FrameVerdict::Accepted(_) => None,
            FrameVerdict::Dropped(why) => Some(format!("dropped: {}", why.label())),
        })
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.host.poll_transmit(now)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.host.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.host.handle_timeout(now);
    }

    fn call(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
    ) -> Result<CallOutcome, TargetError> {
        sockets::call(self, now, socket, call)
    }

    fn tcp_state(&self, socket: SocketId) -> Result<TcpState, TargetError> {
        Ok(sockets::state(self, socket))
    }

    fn call_with_data(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
        data: &mut Vec<u8>,
    ) -> Result<CallOutcome, TargetError> {
        sockets::call_with_data(self, now, socket, call, data)
    }
}
