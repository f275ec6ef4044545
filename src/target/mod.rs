//! Targets: what a script runs against.
//!
//! A [`Target`] is a TCP/IP implementation behind one Ethernet interface,
//! driven in quinn-proto's `Pair::step` vocabulary: the runner hands it
//! frames ([`Target::handle_frame`]) and socket calls ([`Target::call`]),
//! takes what it transmits ([`Target::poll_transmit`]), and runs its timers
//! ([`Target::poll_timeout`], [`Target::handle_timeout`]). Frames in and out
//! are whole Ethernet frames, so ARP, ICMP, UDP, raw frames and TCP all go
//! through one path.
//!
//! A target says whether its clock is virtual (the runner jumps to the next
//! deadline, so a 2MSL wait costs nothing) or real (the runner sleeps).
//!
//! - [`reference`](mod@reference): the reference stack in process, on a virtual clock.
//! - [`reference_tap`]: the reference stack behind two bridged TAP devices
//!   in a private namespace, on the real clock.
//! - [`linux`]: the Linux kernel in a private namespace behind a TAP device,
//!   on the real clock.
//! - [`mock`]: a scriptable, deterministic target for the runner's own tests.

pub mod linux;
pub mod mock;
pub mod reference;
pub mod reference_tap;

use core::fmt;

use stack::time::Instant;

use crate::script::{Call, Errno, Script, TargetName, TcpState};

pub use linux::LinuxTarget;
pub use mock::{MockTarget, Reaction};
pub use reference::ReferenceTarget;
pub use reference_tap::ReferenceTapTarget;

/// A socket as a script numbers it: the first is [`FIRST_SOCKET`], and
/// `accept()` returns the next free number, as a Unix file descriptor would.
pub type SocketId = u32;

/// The number of the script's first socket (after stdin, stdout, stderr).
pub const FIRST_SOCKET: SocketId = 3;

/// How a target keeps time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockKind {
    /// Time is whatever the runner says: it jumps to the next deadline.
    Virtual,
    /// Time passes on its own: the runner sleeps until a deadline.
    Real,
}

/// What a socket call returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallOutcome {
    /// Success, with the call's return value (a byte count, a socket id, 0).
    Value(u32),
    /// Failure with an errno.
    Errno(Errno),
}

impl fmt::Display for CallOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallOutcome::Value(v) => write!(f, "{v}"),
            CallOutcome::Errno(e) => write!(f, "{e}"),
        }
    }
}

/// Why a target could not do what the runner asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetError {
    /// The target cannot do this (yet); the step fails with this reason,
    /// never passes by default.
    Unsupported(String),
    /// The target could not be set up from the script's `config`.
    Config(String),
    /// The target failed while running (a device error, say).
    Failed(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Unsupported(why) => write!(f, "not supported by the target: {why}"),
            TargetError::Config(why) => write!(f, "target cannot be configured: {why}"),
            TargetError::Failed(why) => write!(f, "target failed: {why}"),
        }
    }
}

impl std::error::Error for TargetError {}

/// A TCP/IP implementation a script runs against.
///
/// Every method takes the time from the runner; a target on a real clock
/// is given the real time, one on a virtual clock the runner's.
pub trait Target {
    /// Return the target's name, as `--target` spells it.
    fn name(&self) -> &'static str;

    /// Return which per-target overrides of a script apply (`None`: the
    /// steps as written, which describe the RFC's behaviour).
    fn override_name(&self) -> Option<TargetName>;

    /// Return whether the target's clock is virtual or real.
    fn clock(&self) -> ClockKind;

    /// Take in one Ethernet frame from the script's peer. Return what the
    /// target did with it, if it says (`"dropped: bad_checksum_ipv4"`), for
    /// the trace.
    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError>;

    /// Return the next frame the target transmits, if any: one per call.
    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>>;

    /// Return when [`handle_timeout`](Self::handle_timeout) must next run.
    fn poll_timeout(&self) -> Option<Instant>;

    /// Run the timers due at `now`.
    fn handle_timeout(&mut self, now: Instant);

    /// Make a socket call on socket `socket`.
    fn call(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
    ) -> Result<CallOutcome, TargetError>;

    /// Return the TCP state of the connection on socket `socket`.
    fn tcp_state(&self, socket: SocketId) -> Result<TcpState, TargetError>;

    /// Make a `write` or `read` call whose bytes the script gives (a
    /// `data:` key): `write` sends `data` instead of filler bytes, and
    /// `read` replaces `data` with the bytes it read. A target that cannot
    /// fails the step, never passes it.
    fn call_with_data(
        &mut self,
        now: Instant,
        socket: SocketId,
        call: &Call,
        data: &mut Vec<u8>,
    ) -> Result<CallOutcome, TargetError> {
        let _ = (now, socket, call, data);
        Err(TargetError::Unsupported("calls with data".into()))
    }
}

/// The targets `synack run --target` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TargetKind {
    /// The reference stack in process, on a virtual clock.
    #[default]
    Reference,
    /// The reference stack behind two bridged TAP devices in a private
    /// namespace, on the real clock.
    ReferenceTap,
    /// The Linux kernel in a private namespace behind a TAP device, on the
    /// real clock.
    Linux,
}

impl TargetKind {
    /// Return the name `--target` spells.
    pub const fn name(self) -> &'static str {
        match self {
            TargetKind::Reference => "reference",
            TargetKind::ReferenceTap => "reference-tap",
            TargetKind::Linux => "linux",
        }
    }

    /// Return whether this process can run the target; the error says
    /// what is missing and what to do.
    pub fn check_support(self) -> Result<(), TargetError> {
        match self {
            TargetKind::Reference => Ok(()),
            TargetKind::ReferenceTap => reference_tap::check_support(),
            TargetKind::Linux => linux::check_support(),
        }
    }

    /// Build a fresh target for one run of `script`, with every random
    /// choice drawn from `seed`.
    pub fn create(self, script: &Script, seed: u64) -> Result<Box<dyn Target>, TargetError> {
        match self {
            TargetKind::Reference => Ok(Box::new(ReferenceTarget::new(&script.config, seed)?)),
            TargetKind::ReferenceTap => {
                Ok(Box::new(ReferenceTapTarget::new(&script.config, seed)?))
            }
            TargetKind::Linux => Ok(Box::new(LinuxTarget::new(&script.config, seed)?)),
        }
    }
}
