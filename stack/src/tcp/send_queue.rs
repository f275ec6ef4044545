//! The send buffer: bytes the application queued, from the first
//! unacknowledged one to the last unsent one, in a ring.

/// The smallest ring allocated, so that a connection sending little data
/// does not grow its ring a few bytes at a time.
const MIN_RING: usize = 4096;

/// A bounded byte queue whose front is released as it is acknowledged.
///
/// The bytes live in a ring, allocated at the first write and grown by
/// doubling up to the capacity (a connection that never sends holds
/// nothing). Acknowledged bytes only move the head: no byte is moved to make
/// room. A segment's data is one slice of the ring, except for the one
/// segment in each turn of the ring that wraps past its end: that one is
/// copied whole into a side buffer first, so that every segment can still be
/// borrowed as one slice (see [`SendQueue::slice`]).
#[derive(Debug, Clone)]
pub struct SendQueue {
    /// The ring; its length is its size (at most `capacity`).
    ring: Vec<u8>,
    /// The ring index of the first queued byte.
    head: usize,
    /// How many bytes are queued.
    len: usize,
    capacity: usize,
    /// A segment's data that wraps past the end of the ring, copied whole.
    straddle: Vec<u8>,
}

impl SendQueue {
    /// Create a queue for at most `capacity` bytes (allocated lazily).
    pub fn new(capacity: usize) -> SendQueue {
        SendQueue {
            ring: Vec::new(),
            head: 0,
            len: 0,
            capacity,
            straddle: Vec::new(),
        }
    }

    /// Return the number of queued bytes (sent but unacknowledged, plus unsent).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Return whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Return the room left for the application.
    pub fn room(&self) -> usize {
        self.capacity - self.len
    }

    /// Return the queue's capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Append as much of `data` as fits and return how much that was.
    pub fn write(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.room());
        if n == 0 {
            return 0;
        }
        if self.len + n > self.ring.len() {
            self.grow(self.len + n);
        }
        let size = self.ring.len();
        let tail = (self.head + self.len) % size;
        let first = n.min(size - tail);
        self.ring[tail..tail + first].copy_from_slice(&data[..first]);
        self.ring[..n - first].copy_from_slice(&data[first..n]);
        self.len += n;
        n
    }

    /// Make the ring hold at least `need` bytes (at most the capacity):
    /// double it, and lay the queued bytes out from index 0 in the new one.
    fn grow(&mut self, need: usize) {
        let size = need
            .max(2 * self.ring.len())
            .max(MIN_RING)
            .min(self.capacity);
        let mut ring = vec![0; size];
        let (a, b) = self.parts(0, self.len);
        ring[..a.len()].copy_from_slice(a);
        ring[a.len()..a.len() + b.len()].copy_from_slice(b);
        self.ring = ring;
        self.head = 0;
    }

    /// Release the first `n` bytes (acknowledged), at most all of them.
    pub fn release(&mut self, n: usize) {
        let n = n.min(self.len);
        self.len -= n;
        self.head = if self.len == 0 {
            0
        } else {
            (self.head + n) % self.ring.len()
        };
    }

    /// Return where the queued bytes from `offset` bytes after the front,
    /// `len` long (both cut to what is queued), lie in the ring: from
    /// `start` on, `first` bytes up to the ring's end at most, then
    /// `second` bytes from index 0 (none unless they wrap past the end).
    fn runs(&self, offset: usize, len: usize) -> (usize, usize, usize) {
        let start = offset.min(self.len);
        let len = len.min(self.len - start);
        if len == 0 {
            return (0, 0, 0);
        }
        let size = self.ring.len();
        let pos = (self.head + start) % size;
        let first = len.min(size - pos);
        (pos, first, len - first)
    }

    /// Return the two runs of [`runs`](Self::runs) as slices.
    fn parts(&self, offset: usize, len: usize) -> (&[u8], &[u8]) {
        let (pos, first, second) = self.runs(offset, len);
        (&self.ring[pos..pos + first], &self.ring[..second])
    }

    /// Return up to `len` bytes from `offset` bytes after the front.
    ///
    /// Bytes that wrap past the end of the ring are copied into a side
    /// buffer first, which the next call may overwrite.
    pub fn slice(&mut self, offset: usize, len: usize) -> &[u8] {
        let (pos, first, second) = self.runs(offset, len);
        if second == 0 {
            return &self.ring[pos..pos + first];
        }
        self.straddle.clear();
        self.straddle
            .extend_from_slice(&self.ring[pos..pos + first]);
        self.straddle.extend_from_slice(&self.ring[..second]);
        &self.straddle
    }

    /// Drop everything queued (on abort or reset), and the buffers.
    pub fn clear(&mut self) {
        self.ring = Vec::new();
        self.straddle = Vec::new();
        self.head = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_release_slice() {
        let mut q = SendQueue::new(8);
        assert_eq!(q.write(b"abcdef"), 6);
        assert_eq!(q.write(b"ghijk"), 2);
        assert_eq!(q.room(), 0);
        assert_eq!(q.slice(2, 3), b"cde");
        q.release(5);
        assert_eq!(q.len(), 3);
        assert_eq!(q.slice(0, 10), b"fgh");
        assert_eq!(q.write(b"12345"), 5);
        assert_eq!(q.slice(0, 8), b"fgh12345");
        assert_eq!(q.slice(9, 2), b"");
        q.release(100);
        assert!(q.is_empty());
    }

    #[test]
    fn wrapping_keeps_order_and_slices_stay_whole() {
        let mut q = SendQueue::new(4);
        for round in 0u8..50 {
            assert_eq!(q.write(&[round, round.wrapping_add(100)]), 2);
            assert_eq!(q.slice(q.len() - 2, 2), &[round, round.wrapping_add(100)]);
            q.release(if q.len() > 2 { 2 } else { 1 });
        }
        assert!(q.ring.len() <= 4, "the ring never passes the capacity");
    }

    #[test]
    fn a_slice_across_the_end_of_the_ring_is_copied_whole() {
        let mut q = SendQueue::new(MIN_RING);
        let data: Vec<u8> = (0..MIN_RING).map(|i| i as u8).collect();
        assert_eq!(q.write(&data), MIN_RING);
        q.release(MIN_RING - 10);
        assert_eq!(q.write(&[7; 20]), 20);
        // Ten bytes before the end of the ring, twenty after it.
        let mut expect = data[MIN_RING - 10..].to_vec();
        expect.extend_from_slice(&[7; 20]);
        assert_eq!(q.slice(0, 30), &expect[..]);
        assert_eq!(q.slice(5, 10), &expect[5..15]);
        assert_eq!(q.slice(10, 20), &[7; 20]);
    }

    #[test]
    fn the_ring_grows_by_doubling_up_to_the_capacity() {
        let mut q = SendQueue::new(3 * MIN_RING);
        assert_eq!(q.write(b"x"), 1);
        assert_eq!(
            q.ring.len(),
            MIN_RING,
            "the first write allocates the least"
        );
        q.release(1);
        let data: Vec<u8> = (0..3 * MIN_RING).map(|i| (i % 251) as u8).collect();
        assert_eq!(q.write(&data[..MIN_RING - 2]), MIN_RING - 2);
        q.release(MIN_RING - 4);
        // Two bytes queued near the end of the ring; growing puts them first.
        assert_eq!(q.write(&data[..MIN_RING]), MIN_RING);
        assert_eq!(q.ring.len(), 2 * MIN_RING);
        assert_eq!(q.slice(0, 2), &data[MIN_RING - 4..MIN_RING - 2]);
        assert_eq!(q.slice(2, MIN_RING), &data[..MIN_RING]);
        assert_eq!(q.write(&data), 2 * MIN_RING - 2, "up to the capacity");
        assert_eq!(q.ring.len(), 3 * MIN_RING);
        q.clear();
        assert_eq!((q.len(), q.ring.len()), (0, 0));
    }
}
