//! Run a sans-IO [`Host`] in real time on a device with a file descriptor.
//!
//! The host never reads a clock or a socket; a [`Driver`] does both for it,
//! at the edge. Each *turn* reads the [`RealClock`] once and then:
//!
//! 1. feeds the host at most [`Limits::frames_per_turn`] received frames
//!    ([`Host::handle_frame`]);
//! 2. runs [`Host::handle_timeout`] if [`Host::poll_timeout`] has passed;
//! 3. calls the application (a closure given the host and `now`: it may read
//!    and send on sockets, or stop the run);
//! 4. hands the device at most [`Limits::frames_per_turn`] frames from
//!    [`Host::poll_transmit`].
//!
//! When a turn leaves nothing to do, the driver sleeps in poll(2) on the
//! device's file descriptor until it is readable, the host's next timeout,
//! the run's deadline, or [`Limits::max_wait`], whichever comes first. The
//! last bound is how a stop flag set by another thread or a signal handler
//! is noticed. When a turn used its whole budget, the next turn starts at
//! once, so a flood of frames never starves timers or the application, and
//! no turn does unbounded work (smoltcp's `Interface::poll` loops until idle
//! and warns about it).
//!
//! A device that cannot take a frame ([`DeviceError::QueueFull`]) keeps it:
//! the driver holds that one frame, waits for the descriptor to become
//! writable, and sends it before any other.
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use std::sync::atomic::AtomicBool;
//! use stack::device::TapDevice;
//! use stack::host::{Host, HostConfig};
//! use synack::realtime::Driver;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Inside a namespace from `synack::netns`, with a TAP device `synack0`.
//! let tap = TapDevice::open("synack0")?;
//! let mut driver = Driver::on_tap(Host::new(HostConfig::default())?, tap)?;
//! let stop = AtomicBool::new(false);
//! driver.run(&stop, None, |_host, _now| ControlFlow::<()>::Continue(()))?;
//! # Ok(())
//! # }
//! ```

use core::fmt;
use core::time::Duration;
use std::io;
use std::ops::ControlFlow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use stack::device::{Device, DeviceError, RealClock, TapDevice};
use stack::host::Host;
use stack::time::Instant;

/// How much a [`Driver`] does per turn and how long it sleeps at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most frames received, and the most sent, in one turn.
    pub frames_per_turn: usize,
    /// The longest sleep in poll(2): how late a stop request may be noticed.
    pub max_wait: Duration,
}

impl Default for Limits {
    /// 64 frames each way per turn, sleeps of at most 50 ms.
    fn default() -> Limits {
        Limits {
            frames_per_turn: 64,
            max_wait: Duration::from_millis(50),
        }
    }
}

/// What a [`Driver`] has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// Turns taken.
    pub turns: u64,
    /// Frames read from the device and given to the host.
    pub frames_in: u64,
    /// Frames the device took from the host.
    pub frames_out: u64,
    /// Frames the device refused as longer than its MTU, dropped.
    pub frames_too_long: u64,
    /// Times a send found the device's queue full (the frame was kept).
    pub sends_deferred: u64,
    /// Sleeps in poll(2).
    pub waits: u64,
}

/// Why a [`Driver`] stopped with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverError {
    /// The device failed to send or receive.
    Device(DeviceError),
    /// poll(2) failed.
    Poll(Errno),
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::Device(err) => write!(f, "device: {err}"),
            DriverError::Poll(errno) => write!(f, "poll(2): {}", errno.desc()),
        }
    }
}

impl std::error::Error for DriverError {}

impl From<DeviceError> for DriverError {
    fn from(err: DeviceError) -> DriverError {
        DriverError::Device(err)
    }
}

/// Why [`Driver::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped<R> {
    /// The stop flag was set.
    Asked,
    /// The deadline passed.
    Deadline,
    /// The application broke out of the loop with this value.
    App(R),
}

/// A [`Host`] on a [`Device`], driven by a [`RealClock`] (see the [module docs](self)).
#[derive(Debug)]
pub struct Driver<D> {
    host: Host,
    device: D,
    readiness: OwnedFd,
    clock: RealClock,
    limits: Limits,
    /// A frame the device could not take yet; it leaves before any other.
    unsent: Option<Vec<u8>>,
    stats: DriverStats,
}

/// Return a descriptor of the TAP device's open file, for poll(2).
fn tap_fd(tap: &TapDevice) -> io::Result<OwnedFd> {
    // SAFETY: the descriptor belongs to `tap`, which is borrowed for this
    // whole call, so it stays open while the duplicate is made.
    let borrowed = unsafe { BorrowedFd::borrow_raw(tap.as_raw_fd()) };
    borrowed.try_clone_to_owned()
}

impl Driver<TapDevice> {
    /// Drive `host` on a TAP device, polling the device's own descriptor.
    ///
    /// # Errors
    /// The OS error if the descriptor cannot be duplicated.
    pub fn on_tap(host: Host, tap: TapDevice) -> io::Result<Driver<TapDevice>> {
        let readiness = tap_fd(&tap)?;
        Ok(Driver::new(host, tap, readiness))
    }

    /// Return a descriptor that becomes readable when `tap` has a frame:
    /// for a wrapper around a TAP device (a [`stack::device::PcapWriter`],
    /// say), pass it to [`Driver::new`].
    ///
    /// # Errors
    /// The OS error if the descriptor cannot be duplicated.
    pub fn readiness_of(tap: &TapDevice) -> io::Result<OwnedFd> {
        tap_fd(tap)
    }
}

impl<D: Device> Driver<D> {
    /// Drive `host` on `device`; `readiness` is a descriptor (a duplicate)
    /// of the file under the device, readable when a frame is waiting.
    /// The clock starts now, at [`Instant::ZERO`].
    pub fn new(host: Host, device: D, readiness: OwnedFd) -> Driver<D> {
        Driver {
            host,
            device,
            readiness,
            clock: RealClock::start(),
            limits: Limits::default(),
            unsent: None,
            stats: DriverStats::default(),
        }
    }

    /// Drive `device` through one of its own descriptors (a socket, say).
    ///
    /// # Errors
    /// The OS error if the descriptor cannot be duplicated.
    pub fn with_fd(host: Host, device: D, fd: impl AsFd) -> io::Result<Driver<D>> {
        let readiness = fd.as_fd().try_clone_to_owned()?;
        Ok(Driver::new(host, device, readiness))
    }

    /// Replace the per-turn limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Return the host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Return the host, mutably (to open sockets before the run).
    pub fn host_mut(&mut self) -> &mut Host {
        &mut self.host
    }

    /// Return the device.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// Return the counters.
    pub fn stats(&self) -> &DriverStats {
        &self.stats
    }

    /// Return the current time on the driver's clock.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Take the driver apart into its host and its device.
    pub fn into_parts(self) -> (Host, D) {
        (self.host, self.device)
    }

    /// Run turns until `stop` is set, `deadline` passes, or `app` breaks.
    ///
    /// `app` is called once per turn, after the input and before the output
    /// (see the [module docs](self)); what it sends leaves in the same turn,
    /// even in the turn it breaks. `stop` is checked before every turn, so
    /// it is noticed within [`Limits::max_wait`].
    ///
    /// # Errors
    /// A device error other than a full queue or an oversized frame, or a
    /// failure of poll(2) other than `EINTR`.
    pub fn run<R>(
        &mut self,
        stop: &AtomicBool,
        deadline: Option<Instant>,
        mut app: impl FnMut(&mut Host, Instant) -> ControlFlow<R>,
    ) -> Result<Stopped<R>, DriverError> {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(Stopped::Asked);
            }
            let now = self.clock.now();
            if deadline.is_some_and(|d| now >= d) {
                return Ok(Stopped::Deadline);
            }
            let (busy, flow) = self.turn(now, &mut app)?;
            if let ControlFlow::Break(value) = flow {
                return Ok(Stopped::App(value));
            }
            if !busy {
                self.wait(now, deadline)?;
            }
        }
    }

    /// Take one turn at `now`; return whether the budget ran out (so more
    /// work may be waiting) and what the application said.
    fn turn<R>(
        &mut self,
        now: Instant,
        app: &mut impl FnMut(&mut Host, Instant) -> ControlFlow<R>,
    ) -> Result<(bool, ControlFlow<R>), DriverError> {
        self.stats.turns += 1;
        let received = self.receive(now)?;
        if self.host.poll_timeout().is_some_and(|at| at <= now) {
            self.host.handle_timeout(now);
        }
        let flow = app(&mut self.host, now);
        let more_to_send = self.transmit(now)?;
        let budget = self.limits.frames_per_turn;
        Ok((received >= budget || more_to_send, flow))
    }

    /// Give the host the frames that arrived, within the budget; return how many.
    fn receive(&mut self, now: Instant) -> Result<usize, DriverError> {
        let mut count = 0;
        while count < self.limits.frames_per_turn {
            let Some(frame) = self.device.recv(now)? else {
                break;
            };
            self.host.handle_frame(now, &frame);
            count += 1;
        }
        self.stats.frames_in += count as u64;
        Ok(count)
    }

    /// Send the host's frames within the budget; return whether any are left
    /// that the device could take now (not when it is full: then we wait).
    fn transmit(&mut self, now: Instant) -> Result<bool, DriverError> {
        for _ in 0..self.limits.frames_per_turn {
            let Some(frame) = self.unsent.take().or_else(|| self.host.poll_transmit(now)) else {
                return Ok(false);
            };
            match self.device.send(now, &frame) {
                Ok(()) => self.stats.frames_out += 1,
                Err(DeviceError::QueueFull) => {
                    self.stats.sends_deferred += 1;
                    self.unsent = Some(frame);
                    return Ok(false);
                }
                // The host built a frame above the device's MTU: its MTU is
                // configured too large. Dropped, as a NIC would, and counted.
                Err(DeviceError::TooLong { .. }) => self.stats.frames_too_long += 1,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(true)
    }

    /// Sleep until the device is readable (or writable, with a frame held),
    /// the host's or the device's next instant, the deadline, or `max_wait`.
    fn wait(&mut self, now: Instant, deadline: Option<Instant>) -> Result<(), DriverError> {
        let mut until = now + self.limits.max_wait;
        for at in [self.host.poll_timeout(), self.device.poll_at(), deadline]
            .into_iter()
            .flatten()
        {
            until = until.min(at);
        }
        let timeout = poll_timeout(until.saturating_duration_since(now));
        if timeout == PollTimeout::ZERO {
            return Ok(());
        }
        let mut events = PollFlags::POLLIN;
        if self.unsent.is_some() {
            events |= PollFlags::POLLOUT;
        }
        self.stats.waits += 1;
        let mut fds = [PollFd::new(self.readiness.as_fd(), events)];
        match poll(&mut fds, timeout) {
            Ok(_) | Err(Errno::EINTR) => Ok(()),
            Err(errno) => Err(DriverError::Poll(errno)),
        }
    }
}

/// Convert a wait to poll(2)'s milliseconds, rounding up: rounding down
/// would wake before a timer is due and spin until it is.
fn poll_timeout(wait: Duration) -> PollTimeout {
    let millis = wait.as_micros().div_ceil(1_000);
    PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
}
