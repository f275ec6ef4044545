//! A pcap writer: copies every frame crossing a device into a libpcap file.
//!
//! The file is the classic libpcap format (magic `a1b2c3d4`, version 2.4),
//! `LINKTYPE_ETHERNET`, microsecond timestamps taken from the stack's
//! [`Instant`] (so a run starts at 1970-01-01 00:00:00 UTC; Wireshark and
//! tshark show relative times anyway). It is written by the `pcap-file` crate.

use std::io::{self, Write};

use pcap_file::pcap::{PcapHeader, PcapPacket};
use pcap_file::{DataLink, PcapError, TsResolution};

use super::{Device, DeviceError, TraceEntry};
use crate::time::Instant;

/// libpcap's largest snapshot length (`MAXIMUM_SNAPLEN`): longer frames are
/// truncated in the file, with their original length kept.
pub const SNAPLEN: u32 = 262_144;

fn header() -> PcapHeader {
    PcapHeader {
        snaplen: SNAPLEN,
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::MicroSecond,
        ..PcapHeader::default()
    }
}

fn to_io(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other),
    }
}

/// Write one frame captured at `at`.
fn write_frame<W: Write>(
    file: &mut pcap_file::pcap::PcapWriter<W>,
    at: Instant,
    frame: &[u8],
) -> io::Result<()> {
    let orig_len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    let kept = frame.len().min(SNAPLEN as usize);
    let packet = PcapPacket::new(at.since_start(), orig_len, &frame[..kept]);
    file.write_packet(&packet).map(drop).map_err(to_io)
}

/// Write a recorded trace (see [`super::Tracer`]) to `sink` as a pcap file.
///
/// Classic pcap has no direction field, so both directions appear in order.
pub fn write_pcap<W: Write>(sink: W, entries: &[TraceEntry]) -> io::Result<W> {
    let mut file = pcap_file::pcap::PcapWriter::with_header(sink, header()).map_err(to_io)?;
    for entry in entries {
        write_frame(&mut file, entry.at, &entry.frame)?;
    }
    let mut sink = file.into_writer();
    sink.flush()?;
    Ok(sink)
}

/// A [`Device`] wrapper that writes every frame sent or received to a pcap file.
///
/// Capture failures never disturb the traffic: the first write error is
/// kept, capturing stops, and [`PcapWriter::finish`] returns the error.
/// Frames are written as they cross, sent and received alike, and only if
/// they did cross (a refused send is not written).
#[derive(Debug)]
pub struct PcapWriter<D, W: Write> {
    inner: D,
    file: pcap_file::pcap::PcapWriter<W>,
    error: Option<io::Error>,
    frames: u64,
}

impl<D: Device, W: Write> PcapWriter<D, W> {
    /// Wrap `inner`, writing the pcap file header to `sink` at once.
    pub fn new(inner: D, sink: W) -> io::Result<PcapWriter<D, W>> {
        let file = pcap_file::pcap::PcapWriter::with_header(sink, header()).map_err(to_io)?;
        Ok(PcapWriter {
            inner,
            file,
            error: None,
            frames: 0,
        })
    }

    /// Return how many frames have been written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Return the wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// Return the wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Flush the file and return the device and the sink, or the first
    /// capture error.
    pub fn finish(self) -> io::Result<(D, W)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut sink = self.file.into_writer();
        sink.flush()?;
        Ok((self.inner, sink))
    }

    fn capture(&mut self, at: Instant, frame: &[u8]) {
        if self.error.is_some() {
            return;
        }
        match write_frame(&mut self.file, at, frame) {
            Ok(()) => self.frames += 1,
            Err(e) => self.error = Some(e),
        }
    }
}

impl<D: Device, W: Write> Device for PcapWriter<D, W> {
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        self.inner.send(now, frame)?;
        self.capture(now, frame);
        Ok(())
    }

    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        let frame = self.inner.recv(now)?;
        if let Some(frame) = &frame {
            self.capture(now, frame);
        }
        Ok(frame)
    }

    fn poll_at(&self) -> Option<Instant> {
        self.inner.poll_at()
    }

    fn mtu(&self) -> usize {
        self.inner.mtu()
    }
}

#[cfg(test)]
#[path = "tests/pcap.rs"]
mod tests;
