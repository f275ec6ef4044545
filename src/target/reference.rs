//! The reference stack as a target: a [`Host`] in process, frames through
//! memory, on a virtual clock.
//!
//! The host answers ARP, ICMP and UDP today. TCP plugs into the host at its
//! TCP seam when the engine lands; until then every TCP socket call and
//! state query fails with [`TCP_NOT_YET`], so a TCP script fails on the
//! reference target with that reason rather than passing by default.

use stack::host::{FrameVerdict, Host, HostConfig};
use stack::time::Instant;

use super::{CallOutcome, ClockKind, SocketId, Target, TargetError};
use crate::script::{Call, Config, TargetName, TcpState};

/// Why a TCP call fails on the reference target for now.
pub const TCP_NOT_YET: &str = "TCP engine not yet available in the reference stack";

/// The subnet the target and the peer share: TEST-NET-2 is a /24 (RFC 5737).
const PREFIX_LEN: u8 = 24;

/// The reference stack as a [`Target`].
#[derive(Debug)]
pub struct ReferenceTarget {
    host: Host,
}

impl ReferenceTarget {
    /// Build the host a script's `config` describes, with every random
    /// choice drawn from `seed`.
    pub fn new(config: &Config, seed: u64) -> Result<ReferenceTarget, TargetError> {
        let host_config = HostConfig {
            mac: config.local_mac,
            ipv4: config.local,
            prefix_len: PREFIX_LEN,
            mtu: usize::from(config.mtu),
            seed,
            ..HostConfig::default()
        };
        let host = Host::new(host_config).map_err(|e| TargetError::Config(e.to_string()))?;
        Ok(ReferenceTarget { host })
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
        _now: Instant,
        _socket: SocketId,
        _call: &Call,
    ) -> Result<CallOutcome, TargetError> {
        Err(TargetError::Unsupported(TCP_NOT_YET.to_owned()))
    }

    fn tcp_state(&self, _socket: SocketId) -> Result<TcpState, TargetError> {
        Err(TargetError::Unsupported(TCP_NOT_YET.to_owned()))
    }
}
