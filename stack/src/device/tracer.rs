//! A tracer: records every frame that crosses a device, with time and direction.

use core::fmt;

use super::{Device, DeviceError};
use crate::time::Instant;

/// Which way a frame crossed the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by the host through the device.
    Tx,
    /// Received by the host from the device.
    Rx,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Tx => "tx",
            Direction::Rx => "rx",
        })
    }
}

/// One frame seen by a [`Tracer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// The `now` of the call that moved the frame.
    pub at: Instant,
    /// Which way it went.
    pub direction: Direction,
    /// The whole frame.
    pub frame: Vec<u8>,
}

/// A [`Device`] wrapper that records every frame sent or received.
///
/// A frame is recorded only when it actually crossed: a send the inner
/// device refused is not in the trace. The trace grows until taken with
/// [`Tracer::take_entries`].
#[derive(Debug)]
pub struct Tracer<D> {
    inner: D,
    entries: Vec<TraceEntry>,
}

impl<D: Device> Tracer<D> {
    /// Wrap `inner` with an empty trace.
    pub fn new(inner: D) -> Tracer<D> {
        Tracer {
            inner,
            entries: Vec::new(),
        }
    }

    /// Return the frames recorded so far, oldest first.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// Remove and return the frames recorded so far.
    pub fn take_entries(&mut self) -> Vec<TraceEntry> {
        core::mem::take(&mut self.entries)
    }

    /// Return the wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// Return the wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Unwrap the device and the trace.
    pub fn into_parts(self) -> (D, Vec<TraceEntry>) {
        (self.inner, self.entries)
    }
}

impl<D: Device> Device for Tracer<D> {
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        self.inner.send(now, frame)?;
        self.entries.push(TraceEntry {
            at: now,
            direction: Direction::Tx,
            frame: frame.to_vec(),
        });
        Ok(())
    }

    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        let frame = self.inner.recv(now)?;
        if let Some(frame) = &frame {
            self.entries.push(TraceEntry {
                at: now,
                direction: Direction::Rx,
                frame: frame.clone(),
            });
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
mod tests {
    use super::*;
    use crate::device::{Pipe, PipeConfig};
    use core::time::Duration;

    #[test]
    fn records_both_directions_in_order() {
        let config = PipeConfig {
            latency: Duration::from_millis(2),
            mtu: 100,
            ..PipeConfig::default()
        };
        let (a, b) = Pipe::new(config);
        let (mut a, mut b) = (Tracer::new(a), Tracer::new(b));
        a.send(Instant::from_millis(1), b"ping").unwrap();
        assert_eq!(b.recv(Instant::from_millis(2)), Ok(None));
        assert_eq!(b.recv(Instant::from_millis(3)), Ok(Some(b"ping".to_vec())));
        b.send(Instant::from_millis(3), b"pong").unwrap();
        assert_eq!(a.recv(Instant::from_millis(5)), Ok(Some(b"pong".to_vec())));
        // A refused frame is not recorded.
        assert!(a.send(Instant::from_millis(6), &[0; 101]).is_err());

        let entry = |ms, direction, frame: &[u8]| TraceEntry {
            at: Instant::from_millis(ms),
            direction,
            frame: frame.to_vec(),
        };
        let a_trace = [
            entry(1, Direction::Tx, b"ping"),
            entry(5, Direction::Rx, b"pong"),
        ];
        assert_eq!(a.entries(), a_trace);
        let b_trace = [
            entry(3, Direction::Rx, b"ping"),
            entry(3, Direction::Tx, b"pong"),
        ];
        assert_eq!(b.take_entries(), b_trace);
        assert!(b.entries().is_empty());
        assert_eq!(a.poll_at(), None);
        assert_eq!(a.mtu(), 100);
        assert_eq!(Direction::Rx.to_string(), "rx");
    }
}
