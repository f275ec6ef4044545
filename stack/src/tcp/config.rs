//! The engine's configuration: every knob the RFCs leave to the host or the
//! application, typed, with the RFC's defaults.

use core::fmt;
use core::time::Duration;

use super::congestion::CongestionConfig;
use super::rtt::RttConfig;

/// How keep-alives behave once turned on (RFC 9293 3.8.4, MUST-24..29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// Idle time before the first probe: at least two hours by default
    /// (RFC 9293 3.8.4, MUST-28).
    pub idle: Duration,
    /// Time between unanswered probes (MUST-27: configurable).
    pub interval: Duration,
    /// Unanswered probes after which the connection is dropped; one lost ACK
    /// must not kill it (MUST-29), so this should be well above 1.
    pub count: u32,
    /// Put one garbage octet in each probe, for peers that ignore a probe
    /// without data (MAY-6); off by default (SHLD-12: no data).
    pub garbage_octet: bool,
}

impl Default for Keepalive {
    /// Linux's values: 2 h idle, 75 s interval, 9 probes, no garbage octet.
    fn default() -> Keepalive {
        Keepalive {
            idle: Duration::from_secs(2 * 60 * 60),
            interval: Duration::from_secs(75),
            count: 9,
            garbage_octet: false,
        }
    }
}

/// The configuration of one [`Connection`](super::Connection).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The MSS we announce: our largest receivable segment's data, the
    /// link's MMS_R less 20 (RFC 9293 3.7.1, MUST-67). Default 1460.
    pub mss: u16,
    /// The send buffer: the most unacknowledged plus unsent bytes.
    pub send_buffer: usize,
    /// The receive buffer: the most bytes held for the application,
    /// in order or not; the offered window derives from its free room.
    pub recv_buffer: usize,
    /// Turn the Nagle algorithm off (RFC 9293 3.7.4, MUST-17).
    pub nodelay: bool,
    /// Keep-alives: `None` (the default, MUST-25) sends none.
    pub keepalive: Option<Keepalive>,
    /// The user timeout: how long data may stay unacknowledged before the
    /// connection is aborted (RFC 9293 3.10.1 OPEN, RFC 5482). When set it
    /// replaces R2 (MUST-21).
    pub user_timeout: Option<Duration>,
    /// R1: the retransmissions of one segment after which the application
    /// is told the path may be failing (RFC 9293 3.8.3, MUST-20; SHLD-10: 3).
    pub r1: u32,
    /// R2 for data: the time after which retransmission gives up and the
    /// connection is aborted (SHLD-11: at least 100 seconds).
    pub r2: Duration,
    /// R2 for a SYN (MUST-23: at least 3 minutes).
    pub r2_syn: Duration,
    /// The Maximum Segment Lifetime; TIME-WAIT lasts twice this
    /// (RFC 9293 3.4.2 suggests 2 minutes; MUST-13).
    pub msl: Duration,
    /// Offer the Window Scale option (RFC 7323 2).
    pub window_scaling: bool,
    /// Offer the Timestamps option (RFC 7323 3), and with it PAWS.
    pub timestamps: bool,
    /// Offer SACK-Permitted and use SACK (RFC 2018, RFC 6675).
    pub sack: bool,
    /// Congestion control: the initial window (RFC 6928 by default).
    pub congestion: CongestionConfig,
    /// The retransmission timer: initial, minimum and maximum RTO (RFC 6298).
    pub rtt: RttConfig,
    /// The delayed-ACK timeout: 200 ms by default (RFC 9293 3.8.6.3, SHLD-18;
    /// MUST-40: under 0.5 s); `None` acknowledges every segment at once.
    pub delayed_ack: Option<Duration>,
    /// The most challenge ACKs per second (RFC 5961 7); `None`: no limit.
    pub challenge_ack_limit: Option<u32>,
    /// The sender silly-window override timeout (RFC 9293 3.8.6.2.1: "in the
    /// range 0.1 - 1.0 seconds"); also bounds how long un-pushed data waits
    /// (MUST-60).
    pub sws_override: Duration,
    /// RFC 1337: ignore a RST in TIME-WAIT instead of closing (off, as the
    /// RFC 9293 3.10.7.4 text and Linux's default).
    pub ignore_rst_in_time_wait: bool,
    /// A rule to break on purpose, **for testing the fuzzer only**: always
    /// `None` in a real connection. See [`Sabotage`].
    pub sabotage: Option<Sabotage>,
}

/// A deliberate fault in the engine, **for testing the fuzzer only**.
///
/// Each variant breaks one invariant that the stateful fuzz targets
/// (`synack::fuzz::tcp_connection`, `synack::fuzz::pair`) check, so that a
/// test can show the target catches it. Like the host's
/// [`Sabotage`](crate::host::Sabotage) it is a plain configuration value,
/// not a `cfg`: the code under test is the code that ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sabotage {
    /// Acknowledge one octet more than was received (RCV.NXT + 1).
    AckBeyondReceived,
    /// Send new data as if the peer's window were unlimited (cwnd still
    /// applies).
    IgnorePeerWindow,
    /// Answer a RST that arrives in CLOSED with a RST, which RFC 9293
    /// 3.10.7.1 forbids ("An incoming segment containing a RST is discarded").
    RstForRst,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mss: 1460,
            send_buffer: 128 * 1024,
            recv_buffer: 128 * 1024,
            nodelay: false,
            keepalive: None,
            user_timeout: None,
            r1: 3,
            r2: Duration::from_secs(100),
            r2_syn: Duration::from_secs(180),
            msl: Duration::from_secs(120),
            window_scaling: true,
            timestamps: true,
            sack: true,
            congestion: CongestionConfig::default(),
            rtt: RttConfig::default(),
            delayed_ack: Some(Duration::from_millis(200)),
            challenge_ack_limit: Some(1000),
            sws_override: Duration::from_millis(200),
            ignore_rst_in_time_wait: false,
            sabotage: None,
        }
    }
}

/// The largest receive buffer: a window scale of 14 covers 2^30 bytes
/// (RFC 7323 2.3).
pub const MAX_BUFFER: usize = 1 << 30;

/// The smallest MSS we accept to announce or use: RFC 791's 576-byte
/// datagram less headers would be 536; 64 keeps the arithmetic sane.
pub const MIN_MSS: u16 = 64;

impl Config {
    /// Check the values a connection cannot work with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.mss < MIN_MSS {
            return Err(ConfigError::MssTooSmall);
        }
        for len in [self.send_buffer, self.recv_buffer] {
            if len == 0 || len > MAX_BUFFER {
                return Err(ConfigError::BufferSize);
            }
        }
        if let Some(ka) = self.keepalive {
            if ka.count == 0 || ka.interval.is_zero() {
                return Err(ConfigError::Keepalive);
            }
        }
        if self.msl.is_zero() {
            return Err(ConfigError::Msl);
        }
        if self
            .delayed_ack
            .is_some_and(|d| d >= Duration::from_millis(500))
        {
            return Err(ConfigError::DelayedAck);
        }
        Ok(())
    }

    /// Return the window scale we offer: the smallest shift that lets the
    /// 16-bit window cover the receive buffer (RFC 7323 2.2), at most 14.
    pub fn window_shift(&self) -> u8 {
        let mut shift = 0;
        while shift < 14 && (self.recv_buffer >> shift) > usize::from(u16::MAX) {
            shift += 1;
        }
        shift
    }
}

/// Why a [`Config`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// `mss` is below [`MIN_MSS`].
    MssTooSmall,
    /// A buffer is empty or larger than [`MAX_BUFFER`].
    BufferSize,
    /// Keep-alives with zero probes or a zero interval.
    Keepalive,
    /// A zero MSL.
    Msl,
    /// A delayed-ACK timeout of 0.5 s or more (MUST-40).
    DelayedAck,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::MssTooSmall => "mss below 64",
            ConfigError::BufferSize => "buffer size zero or above 2^30",
            ConfigError::Keepalive => "keep-alive count or interval zero",
            ConfigError::Msl => "zero MSL",
            ConfigError::DelayedAck => "delayed ACK of 0.5 s or more (MUST-40)",
        })
    }
}

impl std::error::Error for ConfigError {}
