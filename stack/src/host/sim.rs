//! Two hosts on a simulated link, driven on a virtual clock until quiet
//! (after quinn-proto's `Pair` in `src/tests/util.rs`).
//!
//! A [`Pair`] holds two [`Node`]s, each a [`Host`] and the [`Device`] end it
//! sends and receives through: a [`Pipe`] end, or any stack of wrappers on
//! one ([`Faults`], [`Tracer`](crate::device::Tracer), ...). Each step runs
//! both nodes at `now`: frames that arrived go into `handle_frame` (their
//! verdicts are logged), `handle_timeout` runs if due, and every frame the
//! host has to send goes out. Then the clock jumps to the next instant a
//! host or a device wants, and [`Pair::drive`] stops when there is none.
//!
//! ```
//! use core::net::SocketAddrV4;
//! use stack::host::sim::Pair;
//! use stack::host::HostConfig;
//! use stack::wire::{EthernetAddress, Ipv4Addr};
//!
//! let b = HostConfig {
//!     mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
//!     ipv4: Ipv4Addr::new(198, 51, 100, 2),
//!     ..HostConfig::default()
//! };
//! let mut pair = Pair::new(HostConfig::default(), b, Default::default()).unwrap();
//! let server = pair.b.host.udp_bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 7)).unwrap();
//! let client = pair.a.host.udp_bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)).unwrap();
//! let now = pair.now;
//! let to = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), 7);
//! pair.a.host.udp_send_to(now, client, b"hello", to).unwrap();
//! pair.drive().unwrap();
//! let got = pair.b.host.udp_recv_from(server).unwrap().unwrap();
//! assert_eq!(got.payload, b"hello");
//! ```

use core::fmt;
use core::time::Duration;

use super::{ConfigError, FrameVerdict, Host, HostConfig};
use crate::device::{
    earliest, Device, DeviceError, FaultConfig, FaultConfigError, Faults, Pipe, PipeConfig,
};
use crate::random::Rng;
use crate::time::Instant;

/// The most steps [`Pair::drive`] takes before calling the run a livelock.
pub const MAX_STEPS: usize = 100_000;

/// A frame a node received, and what its host did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// When it was handed to the host.
    pub at: Instant,
    /// The frame.
    pub frame: Vec<u8>,
    /// The host's verdict.
    pub verdict: FrameVerdict,
}

/// A host and the device it is attached to.
#[derive(Debug)]
pub struct Node<D> {
    /// The host.
    pub host: Host,
    /// Its end of the link.
    pub device: D,
    /// Every frame it received, in order (unless
    /// [`keep_frames`](Node::keep_frames) turned that off).
    pub received: Vec<Received>,
    /// Whether received frames go to `received`.
    keep: bool,
    /// Buffers of received frames not kept, for frames to send.
    spare: Vec<Vec<u8>>,
    /// The buffer frames leave through, passed back and forth with the host.
    outgoing: Vec<u8>,
}

/// The most spare frame buffers a node holds.
const SPARE_FRAMES: usize = 64;

impl<D: Device> Node<D> {
    fn new(host: Host, device: D) -> Node<D> {
        Node {
            host,
            device,
            received: Vec::new(),
            keep: true,
            spare: Vec::new(),
            outgoing: Vec::new(),
        }
    }

    /// Keep every received frame in [`received`](Node::received) (the
    /// default: tests read them back), or not. A long run that needs only
    /// the hosts' behaviour (a fuzz target) turns it off: the node then
    /// sends each frame in the buffer of one it received, and a warm link
    /// allocates nothing per frame.
    pub fn keep_frames(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Run the node at `now`; return whether anything happened.
    fn step(&mut self, now: Instant) -> Result<bool, SimError> {
        let mut busy = false;
        while let Some(frame) = self.device.recv(now)? {
            let verdict = self.host.handle_frame(now, &frame);
            if self.keep {
                self.received.push(Received {
                    at: now,
                    frame,
                    verdict,
                });
            } else if self.spare.len() < SPARE_FRAMES {
                self.spare.push(frame);
            }
            busy = true;
        }
        if self.host.poll_timeout().is_some_and(|t| t <= now) {
            self.host.handle_timeout(now);
            busy = true;
        }
        // The frame's buffer goes to the device; the host gets a spare one
        // back for its next frame (or none, and makes one).
        while self.host.poll_transmit_into(now, &mut self.outgoing) {
            let next = self.spare.pop().unwrap_or_default();
            let frame = core::mem::replace(&mut self.outgoing, next);
            self.device.send_owned(now, frame)?;
            busy = true;
        }
        Ok(busy)
    }

    /// Return when the node next has something to do.
    fn next_event(&self) -> Option<Instant> {
        earliest(self.host.poll_timeout(), self.device.poll_at())
    }

    /// Return the verdicts of every frame received, in order.
    pub fn verdicts(&self) -> impl Iterator<Item = FrameVerdict> + '_ {
        self.received.iter().map(|r| r.verdict)
    }
}

/// Why a simulation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimError {
    /// A device refused a frame.
    Device(DeviceError),
    /// [`MAX_STEPS`] steps went by without the link going quiet.
    Livelock,
}

impl From<DeviceError> for SimError {
    fn from(err: DeviceError) -> SimError {
        SimError::Device(err)
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Device(err) => write!(f, "device: {err}"),
            SimError::Livelock => write!(f, "no quiet after {MAX_STEPS} steps"),
        }
    }
}

impl std::error::Error for SimError {}

/// Why a [`Pair`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairError {
    /// A host's configuration.
    Host(ConfigError),
    /// The fault injector's configuration.
    Faults(FaultConfigError),
}

impl fmt::Display for PairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PairError::Host(err) => write!(f, "{err}"),
            PairError::Faults(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for PairError {}

/// Two hosts joined by a link, on a virtual clock.
#[derive(Debug)]
pub struct Pair<D> {
    /// The first host, on one end of the link.
    pub a: Node<D>,
    /// The second host, on the other end.
    pub b: Node<D>,
    /// The virtual clock.
    pub now: Instant,
}

impl Pair<Pipe> {
    /// Join two hosts with a clean [`Pipe`].
    pub fn new(a: HostConfig, b: HostConfig, link: PipeConfig) -> Result<Pair<Pipe>, PairError> {
        let (end_a, end_b) = Pipe::new(link);
        let a = Host::new(a).map_err(PairError::Host)?;
        let b = Host::new(b).map_err(PairError::Host)?;
        Ok(Pair::from_parts(a, end_a, b, end_b))
    }
}

impl Pair<Faults<Pipe>> {
    /// Join two hosts with a [`Pipe`] whose both directions go through a
    /// [`Faults`] injector seeded from `seed` (streams `"a"` and `"b"`).
    pub fn with_faults(
        a: HostConfig,
        b: HostConfig,
        link: PipeConfig,
        faults: FaultConfig,
        seed: u64,
    ) -> Result<Pair<Faults<Pipe>>, PairError> {
        Pair::with_faults_on(a, b, Pipe::new(link), faults, seed)
    }
}

impl<D: Device> Pair<Faults<D>> {
    /// Join two hosts through the two ends of a link (a [`Pipe`]'s, or a
    /// [`LocalPipe`](crate::device::LocalPipe)'s for a driver on one
    /// thread), both directions through a [`Faults`] injector seeded from
    /// `seed` (streams `"a"` and `"b"`), as [`Pair::with_faults`].
    pub fn with_faults_on(
        a: HostConfig,
        b: HostConfig,
        (end_a, end_b): (D, D),
        faults: FaultConfig,
        seed: u64,
    ) -> Result<Pair<Faults<D>>, PairError> {
        let rng = Rng::from_seed(seed);
        let end_a =
            Faults::new(end_a, faults.clone(), rng.derive("a")).map_err(PairError::Faults)?;
        let end_b = Faults::new(end_b, faults, rng.derive("b")).map_err(PairError::Faults)?;
        let a = Host::new(a).map_err(PairError::Host)?;
        let b = Host::new(b).map_err(PairError::Host)?;
        Ok(Pair::from_parts(a, end_a, b, end_b))
    }
}

impl<D: Device> Pair<D> {
    /// Join two hosts through two devices that reach each other.
    pub fn from_parts(a: Host, device_a: D, b: Host, device_b: D) -> Pair<D> {
        Pair {
            a: Node::new(a, device_a),
            b: Node::new(b, device_b),
            now: Instant::ZERO,
        }
    }

    /// Keep every received frame at both nodes, or not: see
    /// [`Node::keep_frames`].
    pub fn keep_frames(&mut self, keep: bool) {
        self.a.keep_frames(keep);
        self.b.keep_frames(keep);
    }

    /// Run both nodes once at `now`; return whether anything happened.
    pub fn step(&mut self) -> Result<bool, SimError> {
        let a = self.a.step(self.now)?;
        let b = self.b.step(self.now)?;
        Ok(a || b)
    }

    /// Return the next instant a host or a device has something to do.
    pub fn next_event(&self) -> Option<Instant> {
        earliest(self.a.next_event(), self.b.next_event())
    }

    /// Run until nothing is left to do: no frame in flight, no timer set.
    /// Return the number of steps taken.
    pub fn drive(&mut self) -> Result<usize, SimError> {
        self.drive_until(Instant::MAX)
    }

    /// Run every event up to `deadline`, then leave the clock there (if
    /// the link went quiet earlier, the clock still moves to `deadline`,
    /// unless it is [`Instant::MAX`]). Return the number of steps taken.
    pub fn drive_until(&mut self, deadline: Instant) -> Result<usize, SimError> {
        let mut steps = 0;
        self.step()?;
        while let Some(at) = self.next_event().filter(|&at| at <= deadline) {
            self.now = self.now.max(at);
            self.step()?;
            steps += 1;
            if steps >= MAX_STEPS {
                return Err(SimError::Livelock);
            }
        }
        if deadline != Instant::MAX {
            self.now = self.now.max(deadline);
            self.step()?;
        }
        Ok(steps)
    }

    /// Let `span` of virtual time pass, running every event in it.
    pub fn advance(&mut self, span: Duration) -> Result<usize, SimError> {
        self.drive_until(self.now + span)
    }
}
