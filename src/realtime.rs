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
    /// The buffer of the last frame sent, handed back to the host for the
    /// next one.
    frame: Vec<u8>,
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
            frame: Vec::new(),
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
        let host = &mut self.host;
        // The device lends its buffer (`recv_with`): a TAP read costs no
        // allocation and no copy before the host parses the frame.
        let mut take = |frame: &[u8]| {
            host.handle_frame(now, frame);
        };
        while count < self.limits.frames_per_turn {
            if !self.device.recv_with(now, &mut take)? {
                break;
            }
            count += 1;
        }
        self.stats.frames_in += count as u64;
        Ok(count)
    }

    /// Send the host's frames within the budget; return whether any are left
    /// that the device could take now (not when it is full: then we wait).
    fn transmit(&mut self, now: Instant) -> Result<bool, DriverError> {
        for _ in 0..self.limits.frames_per_turn {
            // The frame buffer goes back to the host with the next one
            // (`poll_transmit_into`), so frames cost no allocation.
            let mut frame = match self.unsent.take() {
                Some(frame) => frame,
                None => {
                    let mut frame = core::mem::take(&mut self.frame);
                    if !self.host.poll_transmit_into(now, &mut frame) {
                        self.frame = frame;
                        return Ok(false);
                    }
                    frame
                }
            };
            let sent = self.device.send(now, &frame);
            match sent {
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
            frame.clear();
            self.frame = frame;
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

#[cfg(test)]
mod tests {
    //! The driver over a Unix datagram socket pair: a device with a real
    //! descriptor that needs neither root nor `/dev/net/tun`.

    use super::*;
    use core::net::SocketAddrV4;
    use stack::host::{HostConfig, SocketError};
    use stack::wire::{EthernetAddress, Ipv4Addr};
    use std::os::unix::net::UnixDatagram;

    const HOST_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
    const HOST_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
    const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
    const PEER_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
    /// Bounds every blocking read of the test's end, so no test can hang.
    const PEER_WAIT: Duration = Duration::from_secs(2);

    /// One end of a socket pair carrying one frame per datagram.
    struct SocketDevice {
        socket: UnixDatagram,
        /// How many sends to refuse with `QueueFull` before taking frames.
        refuse: usize,
    }

    impl Device for SocketDevice {
        fn send(&mut self, _now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
            if self.refuse > 0 {
                self.refuse -= 1;
                return Err(DeviceError::QueueFull);
            }
            self.socket
                .send(frame)
                .map(drop)
                .map_err(|e| DeviceError::Io(e.kind()))
        }

        fn recv(&mut self, _now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
            let mut buffer = vec![0; 2048];
            match self.socket.recv(&mut buffer) {
                Ok(len) => Ok(Some(buffer[..len].to_vec())),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
                Err(e) => Err(DeviceError::Io(e.kind())),
            }
        }

        fn poll_at(&self) -> Option<Instant> {
            None
        }

        fn mtu(&self) -> usize {
            1514
        }
    }

    /// A driver for a host at 198.51.100.2, and the peer's end of its link.
    fn driver(config: HostConfig, refuse: usize) -> (Driver<SocketDevice>, UnixDatagram) {
        let (ours, peer) = UnixDatagram::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        peer.set_read_timeout(Some(PEER_WAIT)).unwrap();
        let config = HostConfig {
            mac: HOST_MAC,
            ipv4: HOST_IP,
            ..config
        };
        let host = Host::new(config).unwrap();
        let fd = ours.try_clone().unwrap();
        let device = SocketDevice {
            socket: ours,
            refuse,
        };
        (Driver::with_fd(host, device, fd).unwrap(), peer)
    }

    /// An ARP request (RFC 826) from the peer for the host's address.
    fn arp_request() -> Vec<u8> {
        let mut frame = Vec::with_capacity(42);
        frame.extend_from_slice(&EthernetAddress::BROADCAST.0);
        frame.extend_from_slice(&PEER_MAC.0);
        frame.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
        frame.extend_from_slice(&PEER_MAC.0);
        frame.extend_from_slice(&PEER_IP.octets());
        frame.extend_from_slice(&[0; 6]);
        frame.extend_from_slice(&HOST_IP.octets());
        frame
    }

    /// Read one frame on the peer's end and check it is the host's ARP reply.
    #[track_caller]
    fn expect_arp_reply(peer: &UnixDatagram) {
        let mut buffer = [0; 2048];
        let len = peer.recv(&mut buffer).unwrap();
        assert_eq!(buffer[12..14], [0x08, 0x06], "an ARP frame");
        assert_eq!(buffer[20..22], [0, 2], "a reply");
        assert_eq!(buffer[22..28], HOST_MAC.0);
        assert_eq!(buffer[38..42], PEER_IP.octets());
        assert!(len >= 42);
    }

    fn stop_after_frames(n: u64) -> impl FnMut(&mut Host, Instant) -> ControlFlow<u64> {
        move |host, _| match host.stats().rx_frames {
            seen if seen >= n => ControlFlow::Break(seen),
            _ => ControlFlow::Continue(()),
        }
    }

    #[test]
    fn a_frame_wakes_the_driver_and_the_reply_leaves_in_the_same_turn() {
        let (mut driver, peer) = driver(HostConfig::default(), 0);
        // Sleeps that never end by themselves within the test: only the
        // descriptor becoming readable can wake the driver in time.
        driver.set_limits(Limits {
            max_wait: Duration::from_secs(60),
            ..Limits::default()
        });
        let stop = AtomicBool::new(false);
        let stopped = std::thread::scope(|s| {
            let run = s.spawn(|| driver.run(&stop, None, stop_after_frames(1)));
            // Late enough that the driver is asleep in poll(2) by then.
            std::thread::sleep(Duration::from_millis(30));
            peer.send(&arp_request()).unwrap();
            // Within PEER_WAIT, far less than the driver's sleeps.
            expect_arp_reply(&peer);
            run.join().unwrap()
        });
        assert_eq!(stopped, Ok(Stopped::App(1)));
        let stats = driver.stats();
        assert_eq!((stats.frames_in, stats.frames_out), (1, 1));
    }

    #[test]
    fn a_burst_is_taken_a_budget_at_a_time() {
        let (mut driver, peer) = driver(HostConfig::default(), 0);
        driver.set_limits(Limits {
            frames_per_turn: 3,
            max_wait: Duration::from_secs(1),
        });
        for _ in 0..8 {
            peer.send(&arp_request()).unwrap();
        }
        let mut seen_per_turn = Vec::new();
        let stopped = driver.run(&AtomicBool::new(false), None, |host, _| {
            seen_per_turn.push(host.stats().rx_frames);
            match host.stats().rx_frames {
                8 => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        });
        assert_eq!(stopped, Ok(Stopped::App(())));
        // The application ran after every batch of at most three frames.
        assert_eq!(seen_per_turn, [3, 6, 8]);
        assert_eq!(driver.stats().frames_out, 8);
        for _ in 0..8 {
            expect_arp_reply(&peer);
        }
    }

    #[test]
    fn a_refused_frame_is_kept_and_sent_when_the_device_takes_it() {
        let (mut driver, peer) = driver(HostConfig::default(), 1);
        peer.send(&arp_request()).unwrap();
        let stop = AtomicBool::new(false);
        let deadline = Some(driver.now() + PEER_WAIT);
        // Turn 1 refuses the reply and keeps it; turn 2 sees that the host
        // has handed it out, breaks, and sends it before returning.
        let stopped = driver.run(&stop, deadline, |host, _| match host.stats().tx_frames {
            0 => ControlFlow::Continue(()),
            _ => ControlFlow::Break(()),
        });
        assert_eq!(stopped, Ok(Stopped::App(())));
        expect_arp_reply(&peer);
        assert_eq!(driver.stats().sends_deferred, 1);
        assert_eq!(driver.stats().frames_out, 1);
        assert_eq!(driver.stats().turns, 2);
    }

    #[test]
    fn host_timers_wake_the_driver() {
        // ARP gives up after three requests 20 ms apart; the driver's own
        // sleeps are capped at a second, so only the host's timer wakes it.
        let mut config = HostConfig::default();
        config.arp.request_interval = Duration::from_millis(20);
        let (mut driver, peer) = driver(config, 0);
        driver.set_limits(Limits {
            max_wait: Duration::from_secs(1),
            ..Limits::default()
        });
        let absent = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 9), 7);
        let socket = driver
            .host_mut()
            .udp_bind(SocketAddrV4::new(HOST_IP, 0))
            .unwrap();
        let started = std::time::Instant::now();
        let deadline = Some(driver.now() + PEER_WAIT);
        let stopped = driver.run(&AtomicBool::new(false), deadline, |host, now| {
            if host.stats().arp_requests == 0 {
                host.udp_send_to(now, socket, b"anyone?", absent).unwrap();
            }
            match host.udp_take_error(socket).unwrap() {
                Some(err) => ControlFlow::Break(err),
                None => ControlFlow::Continue(()),
            }
        });
        assert_eq!(stopped, Ok(Stopped::App(SocketError::HostUnreachable)));
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(60), "{elapsed:?}");
        assert!(
            elapsed < Duration::from_millis(900),
            "woken by max_wait: {elapsed:?}"
        );
        let mut buffer = [0; 64];
        for _ in 0..3 {
            let len = peer.recv(&mut buffer).unwrap();
            // An ARP request, padded to the 60-byte Ethernet minimum.
            assert_eq!((len, &buffer[20..22]), (60, &[0, 1][..]));
            assert_eq!(buffer[38..42], [198, 51, 100, 9]);
        }
    }

    #[test]
    fn stop_and_deadline_end_the_run_without_spinning() {
        let (mut driver, _peer) = driver(HostConfig::default(), 0);
        driver.set_limits(Limits {
            max_wait: Duration::from_millis(10),
            ..Limits::default()
        });
        let stop = AtomicBool::new(false);
        let never = |_: &mut Host, _| ControlFlow::<()>::Continue(());
        let started = std::time::Instant::now();
        let stopped = std::thread::scope(|s| {
            let run = s.spawn(|| driver.run(&stop, None, never));
            std::thread::sleep(Duration::from_millis(50));
            stop.store(true, Ordering::Relaxed);
            run.join().unwrap()
        });
        assert_eq!(stopped, Ok(Stopped::Asked));
        // One turn per 10 ms sleep (a spinning loop would take thousands);
        // half that rate leaves room for a loaded machine.
        let (turns, elapsed) = (driver.stats().turns, started.elapsed());
        let most = 2 + elapsed.as_millis() / 5;
        assert!(
            (2..=most as u64).contains(&turns),
            "{turns} turns in {elapsed:?}"
        );
        let deadline = driver.now() + Duration::from_millis(30);
        let stopped = driver.run(&AtomicBool::new(false), Some(deadline), never);
        assert_eq!(stopped, Ok(Stopped::Deadline));
        assert!(driver.now() >= deadline);
    }

    #[test]
    fn poll_timeouts_round_up_to_whole_milliseconds() {
        assert_eq!(poll_timeout(Duration::ZERO), PollTimeout::ZERO);
        assert_eq!(
            poll_timeout(Duration::from_micros(1)),
            PollTimeout::from(1u8)
        );
        assert_eq!(
            poll_timeout(Duration::from_micros(1_500)),
            PollTimeout::from(2u8)
        );
        assert_eq!(
            poll_timeout(Duration::from_secs(1)),
            PollTimeout::from(1000u16)
        );
        assert_eq!(poll_timeout(Duration::MAX), PollTimeout::MAX);
    }
}
