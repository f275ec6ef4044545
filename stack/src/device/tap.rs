//! A TAP device (Linux `/dev/net/tun`, `IFF_TAP | IFF_NO_PI`) through the
//! tun-tap crate, non-blocking. Enabled by the `tap` feature.
//!
//! The device is created in the network namespace of the calling thread;
//! run it inside one made by the harness (`synack::netns`), never on the host.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use tun_tap::{Iface, Mode};

use super::{check_mtu, Device, DeviceError, ETHERNET_FRAME_MTU};
use crate::time::Instant;

/// The receive buffer: the largest frame the kernel can hand to a TAP
/// device without offloads (a 64 KiB MTU plus the Ethernet header).
const RECV_BUFFER_LEN: usize = 65_536 + 14;

/// A TAP device carrying Ethernet frames between the stack and the kernel.
///
/// Reads and writes never block: `recv` returns `Ok(None)` when the kernel
/// has nothing queued, and `send` returns [`DeviceError::QueueFull`] when it
/// cannot take a frame. The device has no idea of time (`now` is ignored and
/// `poll_at` is `None`): its caller maps real time with
/// [`super::RealClock`] and waits on [`AsRawFd::as_raw_fd`] with poll(2).
#[derive(Debug)]
pub struct TapDevice {
    iface: Iface,
    mtu: usize,
    buffer: Vec<u8>,
}

impl TapDevice {
    /// Create the TAP device `name` (or attach to a persistent one) and
    /// make it non-blocking; its frame MTU starts at 1514.
    ///
    /// The interface is created down and without addresses; configuring it
    /// (`ip link set up`, addresses) is the caller's job.
    ///
    /// # Errors
    /// The OS error: `PermissionDenied` without `CAP_NET_ADMIN`, `NotFound`
    /// without `/dev/net/tun`, `ResourceBusy` if the name is in use.
    pub fn open(name: &str) -> io::Result<TapDevice> {
        let iface = Iface::without_packet_info(name, Mode::Tap)?;
        iface.set_non_blocking()?;
        Ok(TapDevice {
            iface,
            mtu: ETHERNET_FRAME_MTU,
            buffer: vec![0; RECV_BUFFER_LEN],
        })
    }

    /// Return the interface's name as the kernel gave it.
    pub fn name(&self) -> &str {
        self.iface.name()
    }

    /// Set the largest frame [`Device::send`] accepts, Ethernet header
    /// included; match it to the interface's MTU + 14.
    pub fn set_mtu(&mut self, mtu: usize) {
        self.mtu = mtu;
    }
}

impl AsRawFd for TapDevice {
    fn as_raw_fd(&self) -> RawFd {
        self.iface.as_raw_fd()
    }
}

impl TapDevice {
    /// Read one frame into the buffer; return its length, or `None` when
    /// the kernel has nothing queued (or a signal interrupted the read).
    fn read(&mut self) -> Result<Option<usize>, DeviceError> {
        match self.iface.recv(&mut self.buffer) {
            Ok(len) => Ok(Some(len)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(DeviceError::Io(e.kind())),
        }
    }
}

fn device_error(e: io::Error) -> DeviceError {
    match e.kind() {
        io::ErrorKind::WouldBlock => DeviceError::QueueFull,
        kind => DeviceError::Io(kind),
    }
}

impl Device for TapDevice {
    fn send(&mut self, _now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        check_mtu(frame, self.mtu)?;
        // A TAP write takes the whole frame or fails; it is never partial.
        self.iface.send(frame).map(drop).map_err(device_error)
    }

    fn recv(&mut self, _now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        Ok(self.read()?.map(|len| self.buffer[..len].to_vec()))
    }

    /// Lend the device's own buffer: one read(2) per frame, no copy, no
    /// allocation.
    fn recv_with(
        &mut self,
        _now: Instant,
        take: &mut dyn FnMut(&[u8]),
    ) -> Result<bool, DeviceError> {
        let Some(len) = self.read()? else {
            return Ok(false);
        };
        take(&self.buffer[..len]);
        Ok(true)
    }

    fn poll_at(&self) -> Option<Instant> {
        None
    }

    fn mtu(&self) -> usize {
        self.mtu
    }
}
