//! The body of fuzz target `tftp` (`fuzz/fuzz_targets/tftp.rs`), replayed
//! on stable over `corpus/tftp/` by the root crate's `tests/corpus.rs`.

use core::cell::RefCell;
use core::fmt::{self, Write};

use super::{Options, Packet, Request, TftpOption};

/// A `fmt::Write` that keeps nothing, so printing runs every `Display`
/// path without allocating.
struct Discard;

impl Write for Discard {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        core::hint::black_box(s);
        Ok(())
    }
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

/// How many options the canonical re-emit check copies onto the stack.
const MAX_LISTED: usize = 16;

/// Return the packet with its options rebuilt as a list in `slots`, so
/// that they are written in canonical form; `None` for packets without
/// options or with more than [`MAX_LISTED`].
fn relisted<'a>(
    packet: &Packet<'a>,
    slots: &'a mut [TftpOption<'a>; MAX_LISTED],
) -> Option<Packet<'a>> {
    let options = match packet {
        Packet::Rrq(r) | Packet::Wrq(r) => r.options,
        Packet::Oack(options) => *options,
        _ => return None,
    };
    let mut count = 0;
    for option in options.iter() {
        *slots.get_mut(count)? = option;
        count += 1;
    }
    let list = Options::from_list(&slots[..count]);
    Some(match *packet {
        Packet::Rrq(r) => Packet::Rrq(Request { options: list, ..r }),
        Packet::Wrq(r) => Packet::Wrq(Request { options: list, ..r }),
        _ => Packet::Oack(list),
    })
}

/// Fuzz TFTP packets: whatever parses prints, re-emits to exactly
/// `buffer_len()` bytes that parse to the same packet and re-emit to the
/// same bytes; its options rebuilt as a list (written in canonical form:
/// lower-case names, plain numbers) parse back to the same packet too.
pub fn tftp(data: &[u8]) {
    let Ok(packet) = Packet::parse(data) else {
        return;
    };
    // NOTE(unwrap): `Discard` never fails, so only a Display impl could.
    write!(Discard, "{packet}").unwrap();
    let len = packet.buffer_len();
    with_scratch(len, |first, second| {
        match packet.emit(first) {
            Ok(n) => assert_eq!(n, len),
            Err(e) => panic!("emit of a parsed packet failed: {e}\n{packet}"),
        }
        let again = Packet::parse(first).unwrap();
        assert_eq!(again, packet);
        assert_eq!(again.emit(second), Ok(len));
        assert_eq!(first, second);
    });
    let mut slots = [TftpOption::Tsize(0); MAX_LISTED];
    if let Some(listed) = relisted(&packet, &mut slots) {
        with_scratch(listed.buffer_len(), |out, _| {
            assert_eq!(listed.emit(out), Ok(out.len()));
            assert_eq!(Packet::parse(out), Ok(packet));
        });
    }
}
