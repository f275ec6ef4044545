//! Byte streams with running hashes: what the kernel's side sends and checks.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant as StdInstant;

use crate::*;

/// A running hash of a byte stream: the same however the stream is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunningHash {
    pub(crate) state: u64,
    pub(crate) tail: u64,
    pub(crate) tail_len: u32,
    pub(crate) len: u64,
}

impl RunningHash {
    pub(crate) fn new() -> RunningHash {
        RunningHash {
            state: 0xcbf2_9ce4_8422_2325,
            tail: 0,
            tail_len: 0,
            len: 0,
        }
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while self.tail_len != 0 && !bytes.is_empty() {
            self.push(bytes[0]);
            bytes = &bytes[1..];
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            // NOTE(unwrap): chunks_exact(8) gives 8 bytes.
            self.mix(u64::from_le_bytes(word.try_into().unwrap()));
        }
        for &byte in words.remainder() {
            self.push(byte);
        }
    }

    pub(crate) fn push(&mut self, byte: u8) {
        self.tail |= u64::from(byte) << (8 * self.tail_len);
        self.tail_len += 1;
        if self.tail_len == 8 {
            let word = self.tail;
            (self.tail, self.tail_len) = (0, 0);
            self.mix(word);
        }
    }

    pub(crate) fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(23);
    }

    /// Return the hash and the length of the stream so far.
    pub(crate) fn finish(&self) -> (u64, u64) {
        let mut last = *self;
        last.mix(self.tail ^ u64::from(self.tail_len));
        (last.state, self.len)
    }
}

/// SplitMix64: the stream's content, word by word.
pub(crate) fn splitmix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A generated stream of `total` bytes, hashed as it is taken.
pub(crate) struct Source {
    pub(crate) word: u64,
    pub(crate) remaining: u64,
    pub(crate) buffer: Vec<u8>,
    pub(crate) at: usize,
    pub(crate) hash: RunningHash,
}

impl Source {
    pub(crate) fn new(total: u64, salt: u64) -> Source {
        Source {
            word: salt << 40,
            remaining: total,
            buffer: Vec::with_capacity(CHUNK),
            at: 0,
            hash: RunningHash::new(),
        }
    }

    /// Return the bytes not yet taken (empty at the end of the stream).
    pub(crate) fn pending(&mut self) -> &[u8] {
        if self.at == self.buffer.len() && self.remaining > 0 {
            let len = (CHUNK as u64).min(self.remaining) as usize;
            self.buffer.clear();
            while self.buffer.len() < len {
                self.word += 1;
                let word = splitmix(self.word).to_le_bytes();
                let take = (len - self.buffer.len()).min(8);
                self.buffer.extend_from_slice(&word[..take]);
            }
            self.at = 0;
            self.remaining -= len as u64;
        }
        &self.buffer[self.at..]
    }

    /// Mark `n` pending bytes as sent.
    pub(crate) fn take(&mut self, n: usize) {
        self.hash.update(&self.buffer[self.at..self.at + n]);
        self.at += n;
    }
}

/// What a receiver saw: the hash of the stream and when it came.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sink {
    pub(crate) hash: RunningHash,
    pub(crate) first: Option<StdInstant>,
    pub(crate) last: Option<StdInstant>,
}

impl Sink {
    pub(crate) fn new() -> Sink {
        Sink {
            hash: RunningHash::new(),
            first: None,
            last: None,
        }
    }

    pub(crate) fn take(&mut self, bytes: &[u8]) {
        let now = StdInstant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.hash.update(bytes);
    }

    /// Return the throughput in Gbit/s from the first byte to the last.
    pub(crate) fn gbit_per_s(&self) -> f64 {
        let (Some(first), Some(last)) = (self.first, self.last) else {
            return 0.0;
        };
        let secs = last.duration_since(first).as_secs_f64().max(1e-9);
        self.hash.len as f64 * 8.0 / secs / 1e9
    }
}

/// Send all of `source` on a kernel socket.
pub(crate) fn kernel_send(stream: &mut TcpStream, source: &mut Source) {
    loop {
        let data = source.pending();
        if data.is_empty() {
            return;
        }
        let n = stream.write(data).expect("the kernel's write");
        source.take(n);
    }
}

/// Read a kernel socket to the end of the stream.
pub(crate) fn kernel_receive(stream: &mut TcpStream) -> Sink {
    let mut sink = Sink::new();
    let mut buffer = vec![0; CHUNK];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return sink,
            Ok(n) => sink.take(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("the kernel's read after {} bytes: {e}", sink.hash.len),
        }
    }
}
