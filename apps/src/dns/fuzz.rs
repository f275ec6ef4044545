//! The body of fuzz target `dns` (`fuzz/fuzz_targets/dns.rs`), replayed on
//! stable over `corpus/dns/` by the root crate's `tests/corpus.rs`.

use core::cell::RefCell;
use core::fmt::{self, Write};

use super::{Compression, Message, Name, RData, Section, MAX_LABEL_LEN, MAX_NAME_LEN};

/// A `fmt::Write` that keeps nothing but the number of bytes written, so
/// printing runs every `Display` path without allocating.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += core::hint::black_box(s).len();
        Ok(())
    }
}

/// Return how many bytes `value` prints as.
fn printed_len(value: &dyn fmt::Display) -> usize {
    let mut count = Count(0);
    // NOTE(unwrap): `Count` never fails, so only a Display impl could.
    write!(count, "{value}").unwrap();
    count.0
}

thread_local! {
    /// Output buffers reused across runs, to keep allocation off the hot path.
    static SCRATCH: RefCell<[Vec<u8>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// Run `f` with two zeroed scratch buffers of `len` bytes each.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8], &mut [u8]) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let [a, b] = &mut *bufs;
        for buf in [&mut *a, &mut *b] {
            buf.clear();
            buf.resize(len, 0);
        }
        f(a, b)
    })
}

/// Check what every name must satisfy once its message parsed: labels of
/// 1..=63 bytes, at most 255 bytes uncompressed, and a printed form of at
/// most four characters per wire byte (`\DDD` is the longest escape).
fn check_name(name: &Name<'_>) {
    let mut walked = 1;
    for label in name.labels() {
        assert!((1..=MAX_LABEL_LEN).contains(&label.len()));
        walked += label.len() + 1;
    }
    assert!(walked <= MAX_NAME_LEN, "name walks {walked} bytes");
    assert_eq!(name.wire_len(), walked);
    assert!(printed_len(name) <= 4 * walked, "{name}");
}

/// Check every name of the message: owners, questions, and RDATA names.
fn check_names(message: &Message<'_>) {
    for question in message.questions() {
        check_name(&question.name);
    }
    for section in &Section::ALL[1..] {
        for record in message.records(*section) {
            check_name(&record.name);
            match record.data {
                RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => check_name(&name),
                RData::Mx { exchange, .. } => check_name(&exchange),
                RData::Soa(soa) => {
                    check_name(&soa.mname);
                    check_name(&soa.rname);
                }
                _ => {}
            }
        }
    }
}

/// Fuzz DNS messages: whatever parses has well-formed names, prints, and
/// re-emits both uncompressed (exactly [`Message::buffer_len`] bytes) and
/// compressed (no more) to bytes that parse to the same message; emitting
/// that again gives the same bytes (the emitter is a fixed point).
pub fn dns(data: &[u8]) {
    let Ok(message) = Message::parse(data) else {
        return;
    };
    check_names(&message);
    printed_len(&message);
    printed_len(&message.dig());
    let len = message.buffer_len();
    with_scratch(len, |plain, packed| {
        let n = match message.emit(plain, Compression::Off) {
            Ok(n) => n,
            Err(e) => panic!("emit into buffer_len() bytes failed: {e}"),
        };
        assert_eq!(n, len);
        assert_eq!(Message::parse(&plain[..n]), Ok(message));
        // NOTE(unwrap): a buffer that holds the uncompressed form suffices.
        let m = message.emit(packed, Compression::On).unwrap();
        assert!(m <= n);
        let again = match Message::parse(&packed[..m]) {
            Ok(again) => again,
            Err(e) => panic!("compressed message does not parse: {e}\n{message}"),
        };
        assert_eq!(again, message);
        let k = again.emit(plain, Compression::On).unwrap();
        assert_eq!(&plain[..k], &packed[..m]);
    });
}
