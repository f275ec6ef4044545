//! A memory pipe: two ends joined by a link with a fixed latency, shared
//! through a mutex ([`Pipe`]) or, on one thread, a `RefCell`
//! ([`super::LocalPipe`]).

use core::time::Duration;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use super::{check_mtu, Device, DeviceError, ETHERNET_FRAME_MTU};
use crate::time::Instant;

/// The link between the two ends of a [`Pipe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipeConfig {
    /// How long a frame takes from one end to the other.
    pub latency: Duration,
    /// The largest frame either end accepts, Ethernet header included.
    pub mtu: usize,
    /// How many frames may be in flight in each direction; a send beyond
    /// it fails with [`DeviceError::QueueFull`]. The receiving end takes
    /// the frames ready in batches: a batch counts whole until that end
    /// takes the next one.
    ///
    /// The limit is an upper bound on what either end holds (each end
    /// keeps its batch), not an exact queue length.
    pub queue_limit: usize,
}

impl Default for PipeConfig {
    /// No latency, a 1514-byte frame MTU, 1024 frames in flight each way.
    fn default() -> PipeConfig {
        PipeConfig {
            latency: Duration::ZERO,
            mtu: ETHERNET_FRAME_MTU,
            queue_limit: 1024,
        }
    }
}

#[derive(Debug)]
struct InFlight {
    ready: Instant,
    frame: Vec<u8>,
}

/// The frames travelling towards each end, oldest `ready` first: what
/// both ends share, behind a mutex ([`Pipe`]) or a `RefCell`
/// ([`super::LocalPipe`]).
///
/// Public only in name: the module is private, so no one outside it can
/// name the type, and the two aliases are the only ends there are.
#[derive(Debug, Default)]
pub struct Link {
    towards: [VecDeque<InFlight>; 2],
    /// How many frames each end had taken, ready, into its `arrived`
    /// queue when it last looked: still in flight for the queue limit (an
    /// upper bound between two of its refills).
    taken: [usize; 2],
}

impl Link {
    /// Put `frame`, ready at `ready`, on its way towards end `to`, unless
    /// `limit` frames are already in flight that way.
    fn push(
        &mut self,
        to: usize,
        ready: Instant,
        frame: Vec<u8>,
        limit: usize,
    ) -> Result<(), DeviceError> {
        let queue = &mut self.towards[to];
        if queue.len() + self.taken[to] >= limit {
            return Err(DeviceError::QueueFull);
        }
        // After every frame ready at or before `ready`: FIFO among
        // equals. With a monotonic clock that is the back.
        if queue.back().is_none_or(|f| f.ready <= ready) {
            queue.push_back(InFlight { ready, frame });
        } else {
            let at = queue.partition_point(|f| f.ready <= ready);
            queue.insert(at, InFlight { ready, frame });
        }
        Ok(())
    }

    /// Move the frames towards end `side` that are ready at `now` into
    /// its (empty) `arrived` queue.
    fn take(&mut self, side: usize, now: Instant, arrived: &mut VecDeque<InFlight>) {
        let queue = &mut self.towards[side];
        let ready = queue.partition_point(|f| f.ready <= now);
        if ready == queue.len() {
            // All of them (with no latency, the usual case): swap the
            // queues rather than move the frames.
            core::mem::swap(queue, arrived);
        } else {
            arrived.extend(queue.drain(..ready));
        }
        self.taken[side] = arrived.len();
    }

    /// Return how many frames travel towards end `side`.
    fn len(&self, side: usize) -> usize {
        self.towards[side].len()
    }

    /// Return when the next frame towards end `side` is ready.
    fn next_ready(&self, side: usize) -> Option<Instant> {
        self.towards[side].front().map(|f| f.ready)
    }
}

/// The next frame of an end's `arrived` batch, if ready at `now`.
fn pop_ready(arrived: &mut VecDeque<InFlight>, now: Instant) -> Option<Vec<u8>> {
    // Taken as ready at an earlier `now`; a caller whose clock went
    // back waits for it again.
    match arrived.front() {
        Some(f) if f.ready <= now => arrived.pop_front().map(|f| f.frame),
        _ => None,
    }
}

/// How the two ends of a pipe share its [`Link`]: a handle each end holds
/// a clone of.
///
/// Sealed as [`Link`] is. [`Pipe`] shares it through an `Arc<Mutex<_>>`,
/// [`super::LocalPipe`] through an `Rc<RefCell<_>>`; everything else about
/// the two ends is the one [`PipeEnd`].
pub trait LinkHandle: Clone + Default {
    /// Run `f` on the link, holding it for that call only.
    fn with<R>(&self, f: impl FnOnce(&mut Link) -> R) -> R;
}

impl LinkHandle for Arc<Mutex<Link>> {
    fn with<R>(&self, f: impl FnOnce(&mut Link) -> R) -> R {
        // A panic while the lock is held cannot leave the queues half-updated
        // (each critical section is a single push or pop), so a poisoned lock
        // is still safe to use.
        let mut link = self.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut link)
    }
}

/// One end of an in-memory pipe joining two hosts, whichever way the two
/// ends share the link: use it as [`Pipe`] (a mutex) or
/// [`LocalPipe`](super::LocalPipe) (a `RefCell`), the only two handles `L`
/// there are.
///
/// A frame sent at `now` on one end can be received on the other from
/// `now + latency` on. Frames come out in the order of their ready time, and
/// in send order among equal ready times, even if a caller's `now` is not
/// monotonic.
#[derive(Debug)]
pub struct PipeEnd<L> {
    link: L,
    config: PipeConfig,
    side: usize,
    /// Frames towards this end that were ready when last looked at, taken
    /// off the link in one go: [`Device::recv`] takes the link once per
    /// batch, not once per frame (for a [`Pipe`], each lock is two atomic
    /// operations, a fair share of the cost of moving a frame).
    arrived: VecDeque<InFlight>,
}

/// One end of an in-memory pipe joining two hosts (see [`PipeEnd`]).
///
/// The ends share the link through a mutex, so each end can be moved to its
/// own thread; [`LocalPipe`](super::LocalPipe) is the same link for two
/// ends driven from one thread.
pub type Pipe = PipeEnd<Arc<Mutex<Link>>>;

impl<L: LinkHandle> PipeEnd<L> {
    /// Create a pipe and return its two ends.
    pub fn new(config: PipeConfig) -> (PipeEnd<L>, PipeEnd<L>) {
        let link = L::default();
        let a = PipeEnd {
            link: link.clone(),
            config: config.clone(),
            side: 0,
            arrived: VecDeque::new(),
        };
        let b = PipeEnd {
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
        self.arrived.len() + self.link.with(|link| link.len(self.side))
    }
}

impl<L: LinkHandle> Device for PipeEnd<L> {
    fn send(&mut self, now: Instant, frame: &[u8]) -> Result<(), DeviceError> {
        self.send_owned(now, frame.to_vec())
    }

    fn send_owned(&mut self, now: Instant, frame: Vec<u8>) -> Result<(), DeviceError> {
        check_mtu(&frame, self.config.mtu)?;
        let ready = now + self.config.latency;
        let limit = self.config.queue_limit;
        self.link
            .with(|link| link.push(1 - self.side, ready, frame, limit))
    }

    fn recv(&mut self, now: Instant) -> Result<Option<Vec<u8>>, DeviceError> {
        if self.arrived.is_empty() {
            self.link
                .with(|link| link.take(self.side, now, &mut self.arrived));
        }
        Ok(pop_ready(&mut self.arrived, now))
    }

    fn poll_at(&self) -> Option<Instant> {
        match self.arrived.front() {
            Some(f) => Some(f.ready),
            None => self.link.with(|link| link.next_ready(self.side)),
        }
    }

    fn mtu(&self) -> usize {
        self.config.mtu
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// Run each case, written once over the link handle, on both ends:
    /// `pipe::$case` on a [`Pipe`], `local_pipe::$case` on a
    /// [`super::super::LocalPipe`].
    macro_rules! on_both_ends {
        ($($case:ident),* $(,)?) => {
            mod pipe {
                $(#[test]
                fn $case() {
                    super::$case::<super::Arc<super::Mutex<super::Link>>>();
                })*
            }
            mod local_pipe {
                $(#[test]
                fn $case() {
                    super::$case::<super::Rc<super::RefCell<super::Link>>>();
                })*
            }
        };
    }

    on_both_ends!(
        frame_arrives_after_latency,
        both_directions_are_independent,
        frames_come_out_in_ready_order,
        one_frame_per_recv_and_only_ready_ones,
        a_batch_taken_counts_until_the_next,
        mtu_and_queue_limit_are_enforced,
    );

    fn pipe<L: LinkHandle>(latency_ms: u64) -> (PipeEnd<L>, PipeEnd<L>) {
        PipeEnd::new(PipeConfig {
            latency: Duration::from_millis(latency_ms),
            ..PipeConfig::default()
        })
    }

    fn frame_arrives_after_latency<L: LinkHandle>() {
        let (mut a, mut b) = pipe::<L>(10);
        a.send(Instant::from_millis(1), b"one").unwrap();
        assert_eq!(b.poll_at(), Some(Instant::from_millis(11)));
        assert_eq!(b.recv(Instant::from_millis(10)), Ok(None));
        assert_eq!(b.recv(Instant::from_millis(11)), Ok(Some(b"one".to_vec())));
        assert_eq!(b.poll_at(), None);
        // Nothing came back the other way.
        assert_eq!(a.recv(Instant::from_secs(1)), Ok(None));
    }

    fn both_directions_are_independent<L: LinkHandle>() {
        let (mut a, mut b) = pipe::<L>(1);
        a.send(Instant::ZERO, b"a->b").unwrap();
        b.send(Instant::ZERO, b"b->a").unwrap();
        assert_eq!(a.in_flight(), 1);
        assert_eq!(b.in_flight(), 1);
        let t = Instant::from_millis(1);
        assert_eq!(a.recv(t), Ok(Some(b"b->a".to_vec())));
        assert_eq!(b.recv(t), Ok(Some(b"a->b".to_vec())));
    }

    fn frames_come_out_in_ready_order<L: LinkHandle>() {
        let (mut a, mut b) = pipe::<L>(5);
        a.send(Instant::from_millis(2), b"second").unwrap();
        a.send_owned(Instant::from_millis(2), b"third".to_vec())
            .unwrap();
        // A caller whose clock went backwards: its frame is ready first.
        a.send(Instant::from_millis(1), b"first").unwrap();
        assert_eq!(b.in_flight(), 3);
        let late = Instant::from_secs(1);
        let got: Vec<_> = std::iter::from_fn(|| b.recv(late).unwrap()).collect();
        assert_eq!(got, [&b"first"[..], b"second", b"third"]);
    }

    fn one_frame_per_recv_and_only_ready_ones<L: LinkHandle>() {
        let (mut a, mut b) = pipe::<L>(10);
        for ms in 0..3 {
            a.send(Instant::from_millis(ms), &[ms as u8]).unwrap();
        }
        let t = Instant::from_millis(11);
        assert_eq!(b.recv(t), Ok(Some(vec![0])));
        assert_eq!(b.recv(t), Ok(Some(vec![1])));
        assert_eq!(b.recv(t), Ok(None));
        assert_eq!(b.poll_at(), Some(Instant::from_millis(12)));
    }

    fn a_batch_taken_counts_until_the_next<L: LinkHandle>() {
        let (mut a, mut b) = PipeEnd::<L>::new(PipeConfig {
            queue_limit: 2,
            ..PipeConfig::default()
        });
        a.send(Instant::ZERO, b"1").unwrap();
        a.send(Instant::ZERO, b"2").unwrap();
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"1".to_vec())));
        // "2" waits on B's side, and the batch still holds the limit.
        assert_eq!(b.in_flight(), 1);
        assert_eq!(a.send(Instant::ZERO, b"3"), Err(DeviceError::QueueFull));
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"2".to_vec())));
        assert_eq!(b.recv(Instant::ZERO), Ok(None));
        a.send_owned(Instant::ZERO, b"4".to_vec()).unwrap();
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"4".to_vec())));
        a.send(Instant::ZERO, b"5").unwrap();
        assert_eq!(b.recv(Instant::ZERO), Ok(Some(b"5".to_vec())));
    }

    fn mtu_and_queue_limit_are_enforced<L: LinkHandle>() {
        let (mut a, _b) = PipeEnd::<L>::new(PipeConfig {
            mtu: 100,
            queue_limit: 2,
            ..PipeConfig::default()
        });
        assert_eq!(
            a.send(Instant::ZERO, &[0; 101]),
            Err(DeviceError::TooLong { len: 101, mtu: 100 })
        );
        a.send(Instant::ZERO, &[0; 100]).unwrap();
        a.send(Instant::ZERO, &[0; 100]).unwrap();
        assert_eq!(a.send(Instant::ZERO, &[0; 1]), Err(DeviceError::QueueFull));
        assert_eq!(a.mtu(), 100);
    }
}
