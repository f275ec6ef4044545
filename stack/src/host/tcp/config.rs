//! The host-wide TCP configuration, and the socket options that override it
//! per listener or per connection.
//!
//! Every connection's [`Config`] starts as [`TcpHostConfig::defaults`]. A
//! listener may carry its own (every connection it accepts starts from it),
//! and [`Host::tcp_connect`](crate::host::Host::tcp_connect) may be given
//! one. [`SocketOption`]s change a copy field by field, as `setsockopt`
//! does; on a live connection only the options the engine can change while
//! it runs are taken (the others are fixed once the SYN is out, as a window
//! scale must be).

use core::fmt;
use core::ops::RangeInclusive;
use core::time::Duration;

use super::super::config::EPHEMERAL_PORTS;
use crate::tcp::congestion::InitialWindow;
use crate::tcp::{Config, ConfigError, Keepalive};

/// The most listeners a host holds by default.
pub const MAX_LISTENERS: usize = 64;

/// The most connections (TIME-WAIT included) a host holds by default.
pub const MAX_CONNECTIONS: usize = 16_384;

/// The largest backlog a listener may ask for (Linux's `somaxconn` default).
pub const MAX_BACKLOG: usize = 4096;

/// How many segments one [`Host::poll_transmit`](crate::host::Host::poll_transmit)
/// call may pull from the connections before it gives up for this call.
pub const POLL_BUDGET: usize = 64;

/// TCP on the host: the connection defaults and the host's own limits.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpHostConfig {
    /// The configuration every connection starts from. Its `mss` is capped
    /// by the link: at most the MTU less 40 (RFC 9293 3.7.1, MUST-67).
    pub defaults: Config,
    /// The most connections in the table, TIME-WAIT included; a SYN beyond
    /// it is dropped and a connect fails (`ENOBUFS`).
    pub max_connections: usize,
    /// The most listeners.
    pub max_listeners: usize,
    /// The largest backlog granted (`somaxconn`); larger requests are cut.
    pub max_backlog: usize,
    /// Where ephemeral ports come from (RFC 6056 3.2).
    pub ephemeral_ports: RangeInclusive<u16>,
    /// How many segments one `poll_transmit` call may pull ([`POLL_BUDGET`]).
    pub poll_budget: usize,
}

impl Default for TcpHostConfig {
    fn default() -> TcpHostConfig {
        TcpHostConfig {
            defaults: Config::default(),
            max_connections: MAX_CONNECTIONS,
            max_listeners: MAX_LISTENERS,
            max_backlog: MAX_BACKLOG,
            ephemeral_ports: EPHEMERAL_PORTS,
            poll_budget: POLL_BUDGET,
        }
    }
}

impl TcpHostConfig {
    /// Return the field that cannot work and why, if any.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if self.defaults.validate().is_err() {
            return Err(("tcp.defaults", "not a valid connection configuration"));
        }
        if self.max_connections == 0 || self.max_listeners == 0 || self.max_backlog == 0 {
            return Err(("tcp", "limits must be at least 1"));
        }
        let ports = &self.ephemeral_ports;
        if ports.is_empty() || *ports.start() == 0 {
            return Err(("tcp.ephemeral_ports", "must be a non-empty range above 0"));
        }
        if self.poll_budget == 0 {
            return Err(("tcp.poll_budget", "must be at least 1"));
        }
        Ok(())
    }
}

/// One socket option, as `setsockopt` sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketOption {
    /// `TCP_NODELAY`: turn Nagle off (RFC 9293 3.7.4, MUST-17).
    NoDelay(bool),
    /// `SO_KEEPALIVE` with `TCP_KEEPIDLE`/`KEEPINTVL`/`KEEPCNT`; `None` is off
    /// (MUST-24..29).
    Keepalive(Option<Keepalive>),
    /// `TCP_USER_TIMEOUT` (RFC 5482; MUST-21); `None` restores R2.
    UserTimeout(Option<Duration>),
    /// `SO_SNDBUF`, in bytes.
    SendBuffer(usize),
    /// `SO_RCVBUF`, in bytes; it also fixes the window scale offered.
    RecvBuffer(usize),
    /// The MSL; TIME-WAIT lasts twice this (MUST-13).
    Msl(Duration),
    /// Offer Window Scale (RFC 7323 2).
    WindowScaling(bool),
    /// Offer Timestamps (RFC 7323 3).
    Timestamps(bool),
    /// Offer SACK-Permitted (RFC 2018).
    Sack(bool),
    /// The initial window (RFC 6928, RFC 5681 3.1).
    InitialWindow(InitialWindow),
    /// `TCP_MAXSEG`: the MSS announced (still capped by the link, MUST-67).
    Mss(u16),
    /// `IP_TOS`: the Type of Service octet of every datagram (Diffserv and
    /// ECN bits, MUST-48, SHLD-21).
    Tos(u8),
}

impl SocketOption {
    /// Return whether a live connection can still take this option: the
    /// ones the engine reads at each use, not those fixed at the handshake.
    pub fn settable_when_open(self) -> bool {
        matches!(
            self,
            SocketOption::NoDelay(_)
                | SocketOption::Keepalive(_)
                | SocketOption::UserTimeout(_)
                | SocketOption::Tos(_)
        )
    }

    /// Write the option into `config`, and check the result. `Tos` lives
    /// on the host, not in [`Config`]: it leaves `config` as it is.
    pub fn apply(self, config: &mut Config) -> Result<(), OptionError> {
        let mut next = config.clone();
        match self {
            SocketOption::NoDelay(on) => next.nodelay = on,
            SocketOption::Keepalive(ka) => next.keepalive = ka,
            SocketOption::UserTimeout(t) => next.user_timeout = t,
            SocketOption::SendBuffer(n) => next.send_buffer = n,
            SocketOption::RecvBuffer(n) => next.recv_buffer = n,
            SocketOption::Msl(msl) => next.msl = msl,
            SocketOption::WindowScaling(on) => next.window_scaling = on,
            SocketOption::Timestamps(on) => next.timestamps = on,
            SocketOption::Sack(on) => next.sack = on,
            SocketOption::InitialWindow(iw) => next.congestion.initial_window = iw,
            SocketOption::Mss(mss) => next.mss = mss,
            SocketOption::Tos(_) => {}
        }
        next.validate().map_err(OptionError::Invalid)?;
        *config = next;
        Ok(())
    }
}

/// Why a socket option was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionError {
    /// The handle names no socket of the application (`EBADF`).
    BadHandle,
    /// The connection is open and the option was fixed when it opened
    /// (`EISCONN`): see [`SocketOption::settable_when_open`].
    FixedWhenOpen,
    /// The value makes an invalid configuration (`EINVAL`).
    Invalid(ConfigError),
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionError::BadHandle => f.write_str("no such socket"),
            OptionError::FixedWhenOpen => f.write_str("option fixed once the connection opened"),
            OptionError::Invalid(err) => write!(f, "invalid option: {err}"),
        }
    }
}

impl std::error::Error for OptionError {}
