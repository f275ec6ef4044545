//! A memory pipe for one thread: [`LocalPipe`], the [`super::Pipe`]'s link
//! without the mutex.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::pipe::{pop_ready, InFlight, Link};
use super::{check_mtu, Device, DeviceError, PipeConfig};
use crate::time::Instant;

/// One end of an in-memory pipe whose two ends stay on one thread.
///
/// The same link as [`super::Pipe`] (latency, MTU, queue limit, frames in
/// ready order, taken in batches), shared through an `Rc<RefCell<_>>`
/// instead of an `Arc<Mutex<_>>`: a driver that steps both hosts in turn
/// (a simulation, a benchmark) pays no atomic operation per frame, as
/// smoltcp's `Loopback` (a plain queue) pays none. The type is neither
/// `Send` nor `Sync`; a driver with a thread per end uses `Pipe`.
#[derive(Debug)]
pub struct LocalPipe {
    link: Rc<RefCell<Link>>,
    config: PipeConfig,
    side: usize,
    /// Frames towards this end taken off the link in one go, as `Pipe` does.
    arrived: VecDeque<InFlight>,
}

impl LocalPipe {
    /// Create a pipe and return its two ends.
    pub fn new(config: PipeConfig) -> (LocalPipe, LocalPipe) {
        let link = Rc::new(RefCell::new(Link::default()));
        let a = LocalPipe {
            link: Rc::clone(&link),
            config: config.clone(),
            side: 0,
            arrived: VecDeque::new(),
        };
        let b = LocalPipe {
            link,
            config,
            side: 1,
            arrived: VecDeque::new(),
        };
        (a, b)
    }

    /// Return the link's configuration.
    pub fn config(&self) -> &PipeConfig {
        &self.config
    }

    /// Return how many frames are travelling towards this end.
    pub fn in_flight(&self) -> usize {
        self.arrived.len() + self.link.borrow().len(self.side)
    }
}

// Each method borrows the link for one call into `Link` that calls nothing
// back, so no borrow overlaps another and none panics.
impl Device for LocalPipe {
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        self.send_owned(now, frame.to_vec())
    }

    fn send_owned(&mut self, now: Instant, frame: Vec<u8>) -> Result<(), DeviceError> {
        check_mtu(&frame, self.config.mtu)?;
        let ready = now + self.config.latency;
        let limit = self.config.queue_limit;
        self.link
            .borrow_mut()
            .push(1 - self.side, ready, frame, limit)
    }

    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        if self.arrived.is_empty() {
            self.link
                .borrow_mut()
                .take(self.side, now, &mut self.arrived);
        }
        Ok(pop_ready(&mut self.arrived, now))
    }

    fn poll_at(&self) -> Option<Instant> {
        match self.arrived.front() {
            Some(f) => Some(f.ready),
            None => self.link.borrow().next_ready(self.side),
        }
    }

    fn mtu(&self) -> usize {
        self.config.mtu
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;

    fn pipe(latency_ms: u64) -> (LocalPipe, LocalPipe) {
        LocalPipe::new(PipeConfig {
            latency: Duration::from_millis(latency_ms),
            ..PipeConfig::default()
        })
    }

    #[test]
    fn frame_arrives_after_latency_one_way() {
        let (mut a, mut b) = pipe(10);
        a.send(Instant::from_millis(1), b"one").unwrap();
        assert_eq!(b.poll_at(), Some(Instant::from_millis(11)));
        assert_eq!(b.recv(Instant::from_millis(10)), Ok(None));
        assert_eq!(b.recv(Instant::from_millis(11)), Ok(Some(b"one".to_vec())));
        assert_eq!(b.poll_at(), None);
        assert_eq!(a.recv(Instant::from_secs(1)), Ok(None));
    }

    #[test]
    fn frames_come_out_in_ready_order() {
        let (mut a, mut b) = pipe(5);
        a.send(Instant::from_millis(2), b"second").unwrap();
        a.send_owned(Instant::from_millis(2), b"third".to_vec())
            .unwrap();
        a.send(Instant::from_millis(1), b"first").unwrap();
        assert_eq!(b.in_flight(), 3);
        let late = Instant::from_secs(1);
        let got: Vec<_> = std::iter::from_fn(|| b.recv(late).unwrap()).collect();
        assert_eq!(got, [&b"first"[..], b"second", b"third"]);
    }

    #[test]
    fn limits_hold_as_on_the_shared_pipe() {
        let (mut a, mut b) = LocalPipe::new(PipeConfig {
            mtu: 100,
            queue_limit: 2,
            ..PipeConfig::default()
        });
        assert_eq!(
            a.send(Instant::ZERO, &[0; 101]),
            Err(DeviceError::TooLong { len: 101, mtu: 100 })
        );
        a.send(Instant::ZERO, b"1").unwrap();
        a.send(Instant::ZERO, b"2").unwrap();
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"1".to_vec())));
        // "2" waits in B's batch, which still counts against the limit.
        assert_eq!(a.send(Instant::ZERO, b"3"), Err(DeviceError::QueueFull));
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"2".to_vec())));
        assert_eq!(b.recv(Instant::ZERO), Ok(None));
        a.send(Instant::ZERO, b"4").unwrap();
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"4".to_vec())));
    }
}
