//! The x86 path of the target and value scans, as httparse's: SSE2
//! compares over 16 bytes at a time, `pmovmskb` for a 16-bit mask of the
//! bytes outside the class, and its trailing zeros for where the run ends.
//! `safe_arch` wraps the intrinsics; SSE2 is part of x86-64, so this is
//! the path there (safe Rust makes no `pmovmskb`: see [`super::run`]).

use safe_arch::{
    add_i8_m128i, bitandnot_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i,
    load_unaligned_m128i, m128i, min_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
};

/// Every lane `b`.
#[inline(always)]
fn splat(b: u8) -> m128i {
    set_splat_i8_m128i(b as i8)
}

/// All ones in the lanes of `v` equal to `b`.
#[inline(always)]
fn eq(v: m128i, b: u8) -> m128i {
    cmp_eq_mask_i8_m128i(v, splat(b))
}

/// All ones in the lanes of `v` within `lo..=hi` (unsigned, `hi - lo` below
/// 127): the range moved to the bottom of the signed range, then one
/// signed compare, as SSE2 has no unsigned one.
#[inline(always)]
fn within(v: m128i, lo: u8, hi: u8) -> m128i {
    let moved = add_i8_m128i(v, splat(0x80u8.wrapping_sub(lo)));
    cmp_lt_mask_i8_m128i(moved, splat((hi - lo + 1).wrapping_add(0x80)))
}

/// The lanes set in `v`, as the low 16 bits.
#[inline(always)]
fn lanes(v: m128i) -> u32 {
    // The sign bits of 16 lanes: 0..=0xffff, so the cast loses nothing.
    move_mask_i8_m128i(v) as u32
}

/// Return bit `i` set where `window[i]` is not a [`super::VALUE`] byte: a
/// control other than HTAB, or DEL.
#[inline(always)]
pub(super) fn not_value(window: &[u8; 16]) -> u32 {
    let v = load_unaligned_m128i(window);
    // Unsigned `v < 0x20`: the minimum with 0x1f is `v` itself.
    let control = cmp_eq_mask_i8_m128i(min_u8_m128i(v, splat(0x1f)), v);
    lanes(bitor_m128i(
        bitandnot_m128i(eq(v, b'\t'), control),
        eq(v, 0x7f),
    ))
}

/// Return bit `i` set where `window[i]` is not a [`super::TARGET`] byte:
/// outside the printable ASCII, or one of `"#<>\^` and `` `{|} ``.
#[inline(always)]
pub(super) fn not_target(window: &[u8; 16]) -> u32 {
    let v = load_unaligned_m128i(window);
    let printable = within(v, 0x21, 0x7e);
    // Setting bit 1 takes `<` to `>` and `\` to `^`, and nothing else to
    // either.
    let v2 = bitor_m128i(v, splat(0x02));
    let excluded = bitor_m128i(
        bitor_m128i(within(v, b'"', b'#'), within(v, b'{', b'}')),
        bitor_m128i(bitor_m128i(eq(v2, b'>'), eq(v2, b'^')), eq(v, b'`')),
    );
    !lanes(bitandnot_m128i(excluded, printable)) & 0xffff
}

/// Return the length of the run, from `start` in `buf`, of the bytes that
/// `outside` leaves clear.
///
/// Sixteen bytes at a time. The last few bytes of the buffer take one
/// check too rather than a byte loop (the last field value of a head is
/// often short): the buffer's last 16 bytes, which reach back before them,
/// with the lanes before them shifted out. (Measured slower: two windows
/// per step, with one branch for both; and a NUL-padded copy of the last
/// bytes, a `memcpy` call.)
#[inline(always)]
pub(super) fn run(buf: &[u8], start: usize, outside: impl Fn(&[u8; 16]) -> u32) -> usize {
    let mut at = start;
    while let Some(window) = buf.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        let mask = outside(window);
        if mask != 0 {
            return at - start + mask.trailing_zeros() as usize;
        }
        at += 16;
    }
    // Fewer than 16 bytes left: `left` of them, in the last lanes of the
    // last window; the set bit above them stops the count at the end.
    let left = buf.len().saturating_sub(at);
    let stop = 1 << left;
    let mask = match buf.last_chunk::<16>() {
        Some(last) => outside(last) >> (16 - left),
        None => {
            // A buffer shorter than a window: copied to the start of one.
            let mut padded = [0u8; 16];
            if let (Some(head), Some(rest)) = (padded.get_mut(..left), buf.get(at..)) {
                head.copy_from_slice(rest);
            }
            outside(&padded)
        }
    };
    at - start + (mask | stop).trailing_zeros() as usize
}
