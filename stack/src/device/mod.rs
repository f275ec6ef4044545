//! Devices: where frames enter and leave the stack, at the edge.
//!
//! A [`Device`] sends and receives whole Ethernet frames. Like everything in
//! the stack it is told the time (`now`) instead of reading a clock, so the
//! same host runs on a virtual clock over a [`Pipe`] or on a real one over a
//! [`TapDevice`] (feature `tap`), with [`RealClock`] mapping real time.
//!
//! Wrappers stack, as in smoltcp's `src/phy/mod.rs`: a [`Faults`] injector,
//! a [`Tracer`] and a [`PcapWriter`] each wrap any `Device` and are one:
//!
//! ```
//! use core::time::Duration;
//! use stack::device::{Device, FaultConfig, Faults, Pipe, PipeConfig, Tracer};
//! use stack::random::Rng;
//! use stack::time::Instant;
//!
//! let (a, b) = Pipe::new(PipeConfig { latency: Duration::from_millis(5), ..PipeConfig::default() });
//! let faults = FaultConfig { drop: 0.1, ..FaultConfig::default() };
//! let mut a = Tracer::new(Faults::new(a, faults, Rng::from_seed(1).derive("a")).unwrap());
//! let mut b = Tracer::new(b);
//! a.send(Instant::ZERO, &[0u8; 60]).unwrap();
//! let ready = b.poll_at();
//! assert!(ready.is_none() || ready == Some(Instant::from_millis(5)));
//! ```

mod clock;
mod faults;
mod local_pipe;
mod pcap;
mod pipe;
#[cfg(feature = "tap")]
mod tap;
mod tracer;

use core::fmt;

use crate::time::Instant;

pub use clock::RealClock;
pub use faults::{FaultConfig, FaultConfigError, FaultStats, Faults, RateLimit};
pub use local_pipe::LocalPipe;
pub use pcap::{write_pcap, PcapWriter};
pub use pipe::{Pipe, PipeConfig, PipeEnd};
#[cfg(feature = "tap")]
pub use tap::TapDevice;
pub use tracer::{Direction, TraceEntry, Tracer};

/// The length of an Ethernet II header, which a device's [`Device::mtu`] includes.
pub const ETHERNET_HEADER_LEN: usize = 14;

/// The frame MTU of a standard Ethernet link: a 1500-byte IP MTU plus the header.
pub const ETHERNET_FRAME_MTU: usize = 1500 + ETHERNET_HEADER_LEN;

/// A link that carries Ethernet frames, driven by the caller's clock.
///
/// Polling: after any call, [`Device::poll_at`] tells when the device next
/// has something to do; a caller on a virtual clock jumps there and calls
/// [`Device::recv`]. A device that cannot know (a TAP device) returns `None`
/// and its caller waits on the file descriptor instead.
pub trait Device {
    /// Send one frame at `now`.
    ///
    /// The frame is the whole Ethernet frame, header included, FCS excluded.
    /// A frame longer than [`Device::mtu`] is refused with
    /// [`DeviceError::TooLong`] and not sent.
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError>;

    /// Send one frame at `now`, handing its buffer over, as
    /// [`Device::send`] does (which the default calls).
    ///
    /// A device that keeps frames in memory (the [`Pipe`], [`Faults`])
    /// keeps this buffer instead of copying the frame into one of its own.
    fn send_owned(&mut self, now: Instant, frame: Vec<u8>) -> Result<(), DeviceError> {
        self.send(now, &frame)
    }

    /// Return the next frame that has arrived by `now`, if any.
    ///
    /// Frames come out in the order they became ready. Each call returns at
    /// most one frame, so a caller bounds its work per poll.
    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError>;

    /// Hand the next frame that has arrived by `now`, if any, to `take`
    /// without giving it away; return whether there was one.
    ///
    /// The same frames as [`Device::recv`], one per call; a device with a
    /// buffer of its own (a [`TapDevice`]) lends it, so a driver that
    /// copies nothing allocates nothing per frame.
    fn recv_with(
        &mut self,
        now: Instant,
        take: &mut dyn FnMut(&[u8]),
    ) -> Result<bool, DeviceError> {
        let frame = self.recv(now)?;
        if let Some(frame) = &frame {
            take(frame);
        }
        Ok(frame.is_some())
    }

    /// Return the next instant at which the device must be polled: a delayed
    /// frame becomes receivable, or a held frame is due to leave.
    ///
    /// `None` means nothing is pending (or, for a real device, that only its
    /// file descriptor can tell). An instant in the past means "now".
    fn poll_at(&self) -> Option<Instant>;

    /// Return the largest frame the device carries, Ethernet header included
    /// (1514 for a 1500-byte IP MTU, as in smoltcp).
    fn mtu(&self) -> usize;
}

/// Implement [`Device`] for a pointer type (`&mut D`, `Box<D>`) by handing
/// every call to the device it points to, default methods included, so a
/// device that overrides `send_owned` or `recv_with` keeps its own.
macro_rules! delegate_device {
    ($($pointer:ty),+ $(,)?) => {$(
        impl<D: Device + ?Sized> Device for $pointer {
            fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
                (**self).send(now, frame)
            }

            fn send_owned(&mut self, now: Instant, frame: Vec<u8>) -> Result<(), DeviceError> {
                (**self).send_owned(now, frame)
            }

            fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
                (**self).recv(now)
            }

            fn recv_with(
                &mut self,
                now: Instant,
                take: &mut dyn FnMut(&[u8]),
            ) -> Result<bool, DeviceError> {
                (**self).recv_with(now, take)
            }

            fn poll_at(&self) -> Option<Instant> {
                (**self).poll_at()
            }

            fn mtu(&self) -> usize {
                (**self).mtu()
            }
        }
    )+};
}

delegate_device!(&mut D, Box<D>);

/// Why a device could not send or receive a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceError {
    /// The frame is longer than the device's MTU; it was not sent.
    TooLong {
        /// The frame's length in bytes.
        len: usize,
        /// The device's MTU ([`Device::mtu`]).
        mtu: usize,
    },
    /// The device's queue is full (or a non-blocking write would block); the
    /// frame was not sent.
    QueueFull,
    /// The operating system refused the operation (a TAP device).
    Io(std::io::ErrorKind),
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::TooLong { len, mtu } => {
                write!(f, "frame of {len} bytes exceeds the device MTU of {mtu}")
            }
            DeviceError::QueueFull => f.write_str("device queue full, frame not sent"),
            DeviceError::Io(kind) => write!(f, "device I/O error: {kind}"),
        }
    }
}

impl std::error::Error for DeviceError {}

/// Return the earlier of two optional instants (`None` means "never").
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Refuse a frame longer than `mtu`.
pub(crate) fn check_mtu(frame: &[u8], mtu: usize) -> Result<(), DeviceError> {
    if frame.len() > mtu {
        return Err(DeviceError::TooLong {
            len: frame.len(),
            mtu,
        });
    }
    Ok(())
}
