//! Byte classes as lookup tables, and the loops that scan runs of them.

/// Build a 256-entry class table from ranges of bytes (inclusive) and
/// single bytes.
const fn table(ranges: &[(u8, u8)], singles: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < singles.len() {
        t[singles[i] as usize] = true;
        i += 1;
    }
    i = 0;
    while i < ranges.len() {
        let (lo, hi) = ranges[i];
        let mut b = lo as usize;
        while b <= hi as usize {
            t[b] = true;
            b += 1;
        }
        i += 1;
    }
    t
}

/// `tchar` (RFC 9110 5.6.2): the characters of methods, field names,
/// transfer codings and chunk extension names.
pub(crate) static TCHAR: [bool; 256] = table(
    &[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9')],
    b"!#$%&'*+-.^_`|~",
);

/// The characters of a request target: RFC 3986's unreserved, reserved
/// (less `#`, as a target has no fragment) and `%` for pct-encoding
/// (RFC 9112 3.2).
#[cfg_attr(
    all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2",
        not(test)
    ),
    allow(dead_code, reason = "the SIMD path compares instead")
)]
pub(crate) static TARGET: [bool; 256] = table(
    &[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9')],
    b"-._~%:/?[]@!$&'()*+,;=",
);

/// The characters of a Host value: `uri-host [ ":" port ]` (RFC 3986 3.2.2).
pub(crate) static HOST: [bool; 256] = table(
    &[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9')],
    b"-._~%:[]!$&'()*+,;=",
);

/// Field values and reason phrases: HTAB, SP, VCHAR and obs-text (RFC 9110
/// 5.5, RFC 9112 4).
pub(crate) static VALUE: [bool; 256] = table(&[(b' ', 0x7e), (0x80, 0xff)], b"\t");

/// `qdtext` of a quoted string (RFC 9110 5.6.4).
pub(crate) static QDTEXT: [bool; 256] = table(&[(0x23, 0x5b), (0x5d, 0x7e), (0x80, 0xff)], b"\t !");

/// Return the length of the run of `class` bytes at the start of `buf`.
///
/// Eight bytes at a time, each block unrolled: one lookup and one branch
/// per byte, without the loop's own compare (measured: a third faster on
/// field names than a plain byte loop, and faster than combining the
/// eight lookups before one branch). Also measured slower for names, on
/// the benchmark's requests: the end of the run as the lowest lane of an
/// exact 16-byte mask (`u128` trailing zeros; LLVM makes no `pmovmskb` of
/// safe code), a SWAR search for the colon then one window check, and
/// 16-byte windows then this loop; and the SSE2 masks of `scan/simd.rs`
/// that targets and values take (444 ns on 20 field lines against 314 ns
/// with this loop). Each makes the run's length a data dependency that the
/// rest of the head waits on; here it comes from branches, which the
/// predictor resolves ahead. (Since then the end of a field line no longer
/// waits for its name, see `head::field_line`, yet SSE2 masks for names
/// were still slower: 291 ns against 281 ns.)
#[inline(always)]
pub(crate) fn run(buf: &[u8], class: &[bool; 256]) -> usize {
    let mut done = 0;
    while let Some(Ok(block)) = buf.get(done..done + 8).map(<&[u8; 8]>::try_from) {
        for (i, &b) in block.iter().enumerate() {
            if !class[usize::from(b)] {
                return done + i;
            }
        }
        done += 8;
    }
    let rest = buf.get(done..).unwrap_or_default();
    done + rest
        .iter()
        .position(|&b| !class[usize::from(b)])
        .unwrap_or(rest.len())
}

/// Return whether `name` is `lower` (a lowercase field name) ignoring
/// ASCII case. Without branches per byte: setting bit 5 lowers a letter
/// and keeps `-`, and no other byte of a token lowers to a letter or `-`.
#[inline]
pub(crate) fn is_name<const N: usize>(name: &[u8], lower: &[u8; N]) -> bool {
    name.len() == N
        && name
            .iter()
            .zip(lower)
            .fold(0, |diff, (&b, &l)| diff | ((b | 0x20) ^ l))
            == 0
}

/// Return `buf` without leading and trailing spaces and tabs (OWS).
/// (Measured for issue 8: loops over slice patterns instead, small GET
/// 38 -> 36.5 ns but 3 pipelined 155.5 -> 157 ns and 20 field lines no
/// faster, in two runs each.)
#[inline]
pub(crate) fn trim_ows(buf: &[u8]) -> &[u8] {
    let start = buf
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(buf.len());
    let end = buf
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &buf[start..end]
}

/// Call `f` on each element of a comma-separated list (RFC 9110 5.6.1),
/// with OWS trimmed; empty elements are skipped, as recipients MUST accept
/// them.
#[inline]
pub(crate) fn for_each_element<E>(
    list: &[u8],
    mut f: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    for element in list.split(|&b| b == b',') {
        let element = trim_ows(element);
        if !element.is_empty() {
            f(element)?;
        }
    }
    Ok(())
}

/// Return the length of the run of [`TARGET`] bytes from `start` in `buf`:
/// up to the SP after a request target. (The bytes before `start` let the
/// SIMD path check the last few bytes of `buf` in one window.)
#[inline]
pub(crate) fn target_run(buf: &[u8], start: usize) -> usize {
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    return simd::run(buf, start, simd::not_target);
    #[cfg(not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    )))]
    portable::run_to(
        buf.get(start..).unwrap_or_default(),
        b' ',
        portable::is_target,
        &TARGET,
    )
}

/// Return the length of the run of [`VALUE`] bytes from `start` in `buf`:
/// up to the CR of a field line or status line. As [`target_run`].
#[inline]
pub(crate) fn value_run(buf: &[u8], start: usize) -> usize {
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    return simd::run(buf, start, simd::not_value);
    #[cfg(not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    )))]
    portable::value_run(buf.get(start..).unwrap_or_default())
}

mod portable;
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
mod simd;
#[cfg(test)]
mod tests;
