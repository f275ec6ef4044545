//! The portable target and value scans: comparisons that LLVM vectorises
//! where it can, memchr for the delimiter, and a table loop. They are the
//! scans on targets without SSE2, and the tests check them on every target;
//! the x86 path is [`super::simd`].
// Only the tests call them where SSE2 is on.
#![cfg_attr(
    all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2",
        not(test)
    ),
    allow(dead_code)
)]

use super::{run, VALUE};

/// [`super::TARGET`] as comparisons rather than a table lookup, so that
/// [`all_in`] vectorises (SSE2 has no byte gather): the printable ASCII
/// less `"`, `#`, `<`, `>`, `\`, `^`, the backquote, `{`, `|` and `}`.
/// Non-short-circuit `&` keeps it branch-free.
#[inline(always)]
pub(crate) fn is_target(b: u8) -> bool {
    (b.wrapping_sub(0x21) < 0x5e)
        & (b.wrapping_sub(b'"') >= 2) // "#
        & (b.wrapping_sub(b'{') >= 3) // {|}
        & (b != b'<')
        & (b != b'>')
        & (b != b'\\')
        & (b != b'^')
        & (b != b'`')
}

/// [`VALUE`] as comparisons, as [`is_target`].
#[inline(always)]
pub(crate) fn is_value(b: u8) -> bool {
    ((b >= b' ') & (b != 0x7f)) | (b == b'\t')
}

/// Sixteen lanes kept, then sixteen dropped: `MASKS[16 - n..]` starts with
/// a mask that keeps the first `n` lanes of a window.
static MASKS: [u8; 32] = {
    let mut m = [0; 32];
    let mut i = 0;
    while i < 16 {
        m[i] = 0xff;
        i += 1;
    }
    m
};

/// Return whether every byte of `window` that `keep` keeps is in `class`.
///
/// A fixed 16 bytes and an OR of the misses without early exit: LLVM
/// compiles this to a handful of SSE2 instructions and one branch. Dropped
/// lanes become `a`, which is in every class.
#[inline(always)]
fn window_in(window: &[u8; 16], keep: &[u8; 16], class: impl Fn(u8) -> bool) -> bool {
    // A plain loop over fixed arrays: an iterator's `fold` here may be
    // left as an out-of-line call, which costs more than the check.
    let mut miss = false;
    for i in 0..16 {
        miss |= !class(window[i] & keep[i] | b'a' & !keep[i]);
    }
    !miss
}

/// Return whether the first `n` bytes of `buf` are all in `class`; `buf`
/// may go on after them.
///
/// Sixteen bytes at a time, then the last sixteen again for the rest. A
/// span shorter than a window (most field names and values) is checked in
/// one window from `buf`, with the bytes after the span masked off, so
/// that there is no per-byte loop whose exit the branch predictor misses.
#[inline(always)]
fn all_in(buf: &[u8], n: usize, class: impl Fn(u8) -> bool + Copy) -> bool {
    const ALL: [u8; 16] = [0xff; 16];
    let Some(span) = buf.get(..n) else {
        return false;
    };
    if let Some(last) = span.last_chunk::<16>() {
        // A plain loop without early exit (valid spans are the common
        // case): `Iterator::all` here was left out of line.
        let (windows, _) = span.as_chunks::<16>();
        let mut ok = window_in(last, &ALL, class);
        for window in windows {
            ok &= window_in(window, &ALL, class);
        }
        ok
    } else if let (Some(window), Some(keep)) = (
        buf.first_chunk::<16>(),
        MASKS.get(16 - n..).and_then(<[u8]>::first_chunk::<16>),
    ) {
        window_in(window, keep, class)
    } else {
        // Near the end of the buffer: too short for a window.
        span.iter().all(|&b| class(b))
    }
}

/// Return where `byte` first occurs in `buf`, with SIMD.
///
/// On x86-64, memchr's SSE2 searcher is called directly: SSE2 is part of
/// the architecture, so this skips the run-time dispatch of
/// `memchr::memchr` (an indirect call into its AVX2 code), which costs more
/// than AVX2 saves on lines of a few dozen bytes.
#[inline(always)]
fn find(byte: u8, buf: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(byte) {
        return searcher.find(buf);
    }
    memchr::memchr(byte, buf)
}

/// Return the length of the run of `class` bytes at the start of `buf`,
/// where the run usually ends at `delim` (a byte outside `class`); `table`
/// must be `class` as a table.
///
/// memchr finds `delim` with SIMD, and [`all_in`] checks the bytes before
/// it, a window at a time; if one of them is outside the class (an error,
/// or no `delim` yet), [`run`] finds where the run really ends. Either way
/// the answer is the same as [`run`]'s.
#[inline(always)]
pub(crate) fn run_to(
    buf: &[u8],
    delim: u8,
    class: impl Fn(u8) -> bool + Copy,
    table: &[bool; 256],
) -> usize {
    // A short run (a method, most field names) ends within eight bytes,
    // where the table loop is cheaper than a search and a check.
    let Some((block, rest)) = buf.split_first_chunk::<8>() else {
        return run(buf, table);
    };
    if let Some(i) = block.iter().position(|&b| !table[usize::from(b)]) {
        return i;
    }
    8 + match find(delim, rest) {
        Some(end) if all_in(rest, end, class) => end,
        _ => run(rest, table),
    }
}

/// Return the length of the run of [`VALUE`] bytes at the start of `buf`:
/// up to the CR of a field line or status line, found as [`run_to`] does.
#[inline]
pub(crate) fn value_run(buf: &[u8]) -> usize {
    // As in `run_to`, the first eight bytes go the cheap way.
    let Some((word, rest)) = buf.split_first_chunk::<8>() else {
        return value_run_words(buf);
    };
    let flags = not_value(u64::from_le_bytes(*word));
    if flags != 0 {
        return (flags.trailing_zeros() / 8) as usize;
    }
    8 + match find(b'\r', rest) {
        Some(end) if all_in(rest, end, is_value) => end,
        _ => value_run_words(rest),
    }
}

/// Return the length of the run of [`VALUE`] bytes at the start of `buf`,
/// the slow way [`value_run`] falls back on.
///
/// Eight bytes at a time, with exact per-byte flags whose lowest set bit is
/// the answer; only the last few bytes of the buffer go one at a time. Kept
/// out of line, so that its loop has the registers to itself (measured: a
/// vector pre-check of 32-byte blocks, two words per step, or inlining were
/// all slower on the benchmark's requests, whose values are mostly short;
/// so were 16-byte masks for the whole value, as for names in [`run`], and
/// memchr's AVX2 searcher, an out-of-line call per value).
#[inline(never)]
pub(super) fn value_run_words(buf: &[u8]) -> usize {
    let mut done = 0;
    for word in buf.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let flags = not_value(u64::from_le_bytes(word));
        if flags != 0 {
            return done + (flags.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let rest = buf.get(done..).unwrap_or_default();
    done + rest
        .iter()
        .position(|&b| !VALUE[usize::from(b)])
        .unwrap_or(rest.len())
}

/// Return the high bit of each byte of `w` that is not a [`VALUE`] byte: a
/// control other than HTAB, or DEL. Exact: the sums cannot carry from one
/// byte into the next.
#[inline(always)]
pub(super) fn not_value(w: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const LOW7: u64 = 0x7f * ONES;
    // High bit set where the byte is zero.
    let zero = |x: u64| !((x & LOW7).wrapping_add(LOW7) | x);
    let below_space = !((w & LOW7).wrapping_add(0x60 * ONES) | w);
    let tab = zero(w ^ (0x09 * ONES));
    let del = zero(w ^ (0x7f * ONES));
    (below_space & !tab | del) & (0x80 * ONES)
}
