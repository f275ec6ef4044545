//! The send buffer: bytes the application queued, from the first
//! unacknowledged one to the last unsent one, kept contiguous so a segment's
//! data is one borrowed slice.

/// A bounded byte queue whose front is released as it is acknowledged.
///
/// The bytes live in one `Vec` (at most twice the capacity) from `head` on.
/// Acknowledged bytes only move `head`; the live bytes (at most `capacity`)
/// are moved to the front when the `Vec` would pass twice the capacity,
/// which needs at least `capacity` released bytes since the last move: each
/// byte is copied at most once more, and any range of queued bytes is a
/// single slice.
#[derive(Debug, Clone)]
pub struct SendQueue {
    buf: Vec<u8>,
    head: usize,
    capacity: usize,
}

impl SendQueue {
    /// Create a queue for at most `capacity` bytes (allocated lazily).
    pub fn new(capacity: usize) -> SendQueue {
        SendQueue {
            buf: Vec::new(),
            head: 0,
            capacity,
        }
    }

    /// Return the number of queued bytes (sent but unacknowledged, plus unsent).
    pub fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    /// Return whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Return the room left for the application.
    pub fn room(&self) -> usize {
        self.capacity - self.len()
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
        if self.buf.len() + n > 2 * self.capacity {
            self.buf.drain(..self.head);
            self.head = 0;
        }
        self.buf.extend_from_slice(&data[..n]);
        n
    }

    /// Release the first `n` bytes (acknowledged), at most all of them.
    pub fn release(&mut self, n: usize) {
        self.head += n.min(self.len());
        if self.head == self.buf.len() {
            self.buf.clear();
            self.head = 0;
        }
    }

    /// Return up to `len` bytes from `offset` bytes after the front.
    pub fn slice(&self, offset: usize, len: usize) -> &[u8] {
        let start = (self.head + offset).min(self.buf.len());
        let end = start.saturating_add(len).min(self.buf.len());
        &self.buf[start..end]
    }

    /// Drop everything queued (on abort or reset).
    pub fn clear(&mut self) {
        self.buf = Vec::new();
        self.head = 0;
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
    fn compaction_keeps_order() {
        let mut q = SendQueue::new(4);
        for round in 0u8..50 {
            assert_eq!(q.write(&[round, round]), 2);
            assert_eq!(q.slice(q.len() - 2, 2), &[round, round]);
            q.release(if q.len() > 2 { 2 } else { 1 });
        }
        assert!(
            q.buf.len() <= 8,
            "the buffer stays within twice the capacity"
        );
    }
}
