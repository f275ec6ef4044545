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
#[inline]
pub(crate) fn run(buf: &[u8], class: &[bool; 256]) -> usize {
    buf.iter()
        .position(|&b| !class[usize::from(b)])
        .unwrap_or(buf.len())
}

/// Return the length of the run of [`VALUE`] bytes at the start of `buf`.
///
/// Eight bytes at a time: a word is all value bytes unless it holds a byte
/// below 0x20 or a DEL, and only such a word is looked at byte by byte (it
/// may hold a tab, which is allowed).
#[inline]
pub(crate) fn value_run(buf: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut done = 0;
    for chunk in buf.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_ne_bytes(word);
        // A byte below 0x20, or a byte equal to 0x7F, sets its high bit here
        // (the "haszero" trick; bytes 0x80 and up never do).
        let del = w ^ (0x7f * ONES);
        let low = w.wrapping_sub(0x20 * ONES) & !w;
        let is_del = del.wrapping_sub(ONES) & !del;
        if (low | is_del) & HIGH != 0 {
            if let Some(i) = word.iter().position(|&b| !VALUE[usize::from(b)]) {
                return done + i;
            }
        }
        done += 8;
    }
    done + run(&buf[done..], &VALUE)
}

/// Return `buf` without leading and trailing spaces and tabs (OWS).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_run_stops_at_the_first_control_in_any_word_position() {
        for len in 0..40 {
            for bad in [0u8, b'\r', b'\n', 0x1f, 0x7f] {
                let mut buf = vec![b'a'; len];
                assert_eq!(value_run(&buf), len);
                for at in 0..len {
                    buf[at] = bad;
                    assert_eq!(value_run(&buf), at, "len {len}, byte {bad:#x} at {at}");
                    buf[at] = b'a';
                }
            }
        }
    }

    #[test]
    fn value_run_passes_tabs_and_obs_text() {
        let buf = b"a\tb\xff\x80 c\td~ ~\t\t\t\t\t\t\t\t\xfe";
        assert_eq!(value_run(buf), buf.len());
        assert_eq!(value_run(b"\t\t\t\t\t\t\t\t\t\r\n"), 9);
    }

    #[test]
    fn tables_match_the_abnf() {
        for b in 0..=255u8 {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(TCHAR[usize::from(b)], tchar, "{b:#x}");
            let value = b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80;
            assert_eq!(VALUE[usize::from(b)], value, "{b:#x}");
            let qd = value && b != b'"' && b != b'\\';
            assert_eq!(QDTEXT[usize::from(b)], qd, "{b:#x}");
            let target = b.is_ascii_graphic() && !b"\"#<>\\^`{|}".contains(&b);
            assert_eq!(TARGET[usize::from(b)], target, "{b:#x}");
        }
    }

    #[test]
    fn trim_and_list_elements() {
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
        let mut seen = Vec::new();
        for_each_element::<()>(b" a ,, b,\tc ,", |e| {
            seen.push(e.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }
}
