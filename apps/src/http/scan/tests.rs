use super::portable::{self, is_target, is_value, not_value, run_to, value_run_words};
use super::*;
use proptest::prelude::*;

/// `buf` after `n` NULs (outside every class), for a scan from `n`: the
/// SIMD path's last window reaches back into them.
fn after_nuls(n: usize, buf: &[u8]) -> Vec<u8> {
    let mut v = vec![0; n];
    v.extend_from_slice(buf);
    v
}

/// A scan: the length of the run at the start of its argument.
type Scan = fn(&[u8]) -> usize;

/// Each way of scanning a target: the one the parser calls (SIMD on x86),
/// from the start of the buffer and from further in, and the portable one
/// other targets use.
const TARGET_SCANS: [(&str, Scan); 4] = [
    ("target_run", |buf| target_run(buf, 0)),
    ("target_run from 5", |buf| {
        target_run(&after_nuls(5, buf), 5)
    }),
    ("target_run from 16", |buf| {
        target_run(&after_nuls(16, buf), 16)
    }),
    ("portable", |buf| run_to(buf, b' ', is_target, &TARGET)),
];

/// Each way of scanning a value, as [`TARGET_SCANS`], and the portable
/// one's slow path.
const VALUE_SCANS: [(&str, Scan); 5] = [
    ("value_run", |buf| value_run(buf, 0)),
    ("value_run from 5", |buf| value_run(&after_nuls(5, buf), 5)),
    ("value_run from 16", |buf| {
        value_run(&after_nuls(16, buf), 16)
    }),
    ("portable", portable::value_run),
    ("words", value_run_words),
];

/// The plain definition the fast scans must agree with: the index of the
/// first byte outside `table`, or the length.
fn reference(buf: &[u8], table: &[bool; 256]) -> usize {
    buf.iter()
        .position(|&b| !table[usize::from(b)])
        .unwrap_or(buf.len())
}

/// The bytes outside `table`.
fn outside(table: &[bool; 256]) -> Vec<u8> {
    (0..=255u8).filter(|&b| !table[usize::from(b)]).collect()
}

#[test]
fn value_run_stops_at_the_first_control_in_any_word_position() {
    for len in 0..80 {
        for bad in [0u8, b'\r', b'\n', 0x1f, 0x7f] {
            for (scan, value_run) in VALUE_SCANS {
                let mut buf = vec![b'a'; len];
                assert_eq!(value_run(&buf), len, "{scan}");
                for at in 0..len {
                    buf[at] = bad;
                    assert_eq!(value_run(&buf), at, "{scan}: len {len}, {bad:#x} at {at}");
                    buf[at] = b'a';
                }
            }
        }
    }
}

#[test]
fn word_flags_are_exact() {
    for b in 0..=255u8 {
        for at in 0..8 {
            let mut word = [b'a'; 8];
            word[at] = b;
            let flags = not_value(u64::from_le_bytes(word));
            let expect = if VALUE[usize::from(b)] {
                0
            } else {
                0x80 << (8 * at)
            };
            assert_eq!(flags, expect, "{b:#x} at {at}");
        }
    }
    // Neighbours do not disturb each other: every pattern of NUL and DEL.
    for pattern in 0..=255u32 {
        let word: [u8; 8] = core::array::from_fn(|i| if pattern >> i & 1 == 1 { 0 } else { 0x7f });
        assert_eq!(
            not_value(u64::from_le_bytes(word)),
            u64::from_le_bytes([0x80; 8])
        );
        let word: [u8; 8] =
            core::array::from_fn(|i| if pattern >> i & 1 == 1 { 0x1f } else { b'\t' });
        let expect: u64 = (0..8)
            .filter(|i| pattern >> i & 1 == 1)
            .map(|i| 0x80u64 << (8 * i))
            .sum();
        assert_eq!(not_value(u64::from_le_bytes(word)), expect, "{pattern:#x}");
    }
}

#[test]
fn value_run_passes_tabs_and_obs_text() {
    for (scan, value_run) in VALUE_SCANS {
        let buf = b"a\tb\xff\x80 c\td~ ~\t\t\t\t\t\t\t\t\xfe";
        assert_eq!(value_run(buf), buf.len(), "{scan}");
        assert_eq!(value_run(b"\t\t\t\t\t\t\t\t\t\r\n"), 9, "{scan}");
    }
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
fn field_names_match_ignoring_case_only() {
    assert!(is_name(b"Content-Length", b"content-length"));
    assert!(is_name(b"CONTENT-LENGTH", b"content-length"));
    assert!(!is_name(b"Content-Lengthx", b"content-length"));
    assert!(!is_name(b"Content_Length", b"content-length"));
    for b in 0..=255u8 {
        let name = [b'h', b'o', b's', b];
        let same = b == b't' || b == b'T';
        assert_eq!(is_name(&name, b"host"), same, "{b:#x}");
        // `-` only matches `-` among token characters (and 0x0D, no token).
        let dash = [b'a', b];
        assert_eq!(is_name(&dash, b"a-"), b == b'-' || b == b'\r', "{b:#x}");
    }
}

#[test]
fn predicates_match_the_tables() {
    for b in 0..=255u8 {
        let i = usize::from(b);
        assert_eq!(is_target(b), TARGET[i], "{b:#x}");
        assert_eq!(is_value(b), VALUE[i], "{b:#x}");
    }
}

#[test]
fn run_to_agrees_with_run_wherever_the_delimiter_and_a_bad_byte_fall() {
    // Spans across the first block and one to three windows, a
    // delimiter (or none) anywhere, and a byte outside the class
    // anywhere, with the buffer ending anywhere after.
    for len in 0..48 {
        for delim_at in (0..len).map(Some).chain([None]) {
            for (at, bad) in [(None, 0)].into_iter().chain(
                (0..len)
                    .flat_map(|at| [0u8, b'#', b'\r', 0x7f, b'"', b'\n'].map(|b| (Some(at), b))),
            ) {
                let mut buf = vec![b'a'; len];
                if let Some(d) = delim_at {
                    buf[d] = b' ';
                }
                if let Some(at) = at {
                    buf[at] = bad;
                }
                for (scan, target_run) in TARGET_SCANS {
                    assert_eq!(target_run(&buf), run(&buf, &TARGET), "{scan}: {buf:?}");
                }
                let value = buf
                    .iter()
                    .map(|&b| if b == b' ' { b'\r' } else { b })
                    .collect::<Vec<_>>();
                for (scan, value_run) in VALUE_SCANS {
                    let expect = value_run_words(&value);
                    assert_eq!(value_run(&value), expect, "{scan}: {value:?}");
                }
            }
        }
    }
}

#[test]
fn run_stops_at_the_first_byte_outside_the_class() {
    for len in 0..30 {
        let mut buf = vec![b'a'; len];
        assert_eq!(run(&buf, &TCHAR), len);
        for at in 0..len {
            buf[at] = b':';
            assert_eq!(run(&buf, &TCHAR), at);
            buf[at] = b'a';
        }
    }
}

#[test]
fn scans_stop_at_every_byte_outside_the_class_at_every_offset() {
    // Runs ending before, on and after the 8-byte block and each 16-byte
    // window boundary, each followed by its usual delimiter and then more
    // bytes: every byte outside the class, at every offset.
    for len in 0..52 {
        for at in 0..len {
            for b in outside(&TCHAR) {
                let mut name = vec![b'a'; len];
                name.extend_from_slice(b": v\r\n");
                name[at] = b;
                assert_eq!(run(&name, &TCHAR), at, "name: {b:#x} at {at} of {len}");
            }
            for b in outside(&TARGET) {
                let mut target = vec![b'a'; len];
                target.extend_from_slice(b" HTTP/1.1\r\n");
                target[at] = b;
                for (scan, target_run) in TARGET_SCANS {
                    let got = target_run(&target);
                    assert_eq!(got, at, "{scan}: {b:#x} at {at} of {len}");
                }
            }
            for b in outside(&VALUE) {
                let mut value = vec![b'a'; len];
                value.extend_from_slice(b"\r\nHost: a\r\n\r\n");
                value[at] = b;
                for (scan, value_run) in VALUE_SCANS {
                    assert_eq!(value_run(&value), at, "{scan}: {b:#x} at {at} of {len}");
                }
            }
        }
    }
}

/// The SIMD masks are exact: every byte, in every lane, among bytes of
/// the class.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[test]
fn simd_masks_are_exact() {
    for b in 0..=255u8 {
        for lane in 0..16 {
            let mut window = [b'a'; 16];
            window[lane] = b;
            let bit = 1 << lane;
            let expect = |table: &[bool; 256]| if table[usize::from(b)] { 0 } else { bit };
            assert_eq!(simd::not_value(&window), expect(&VALUE), "{b:#x} at {lane}");
            assert_eq!(
                simd::not_target(&window),
                expect(&TARGET),
                "{b:#x} at {lane}"
            );
            // And among bytes outside the class: only this lane changes.
            let mut bad = [0u8; 16];
            bad[lane] = b;
            let all = 0xffff & !bit;
            assert_eq!(
                simd::not_value(&bad),
                all | expect(&VALUE),
                "{b:#x} at {lane}"
            );
            assert_eq!(
                simd::not_target(&bad),
                all | expect(&TARGET),
                "{b:#x} at {lane}"
            );
        }
    }
}

proptest! {
    /// Names, targets and values, mostly in the class with a few bytes
    /// outside it, at any length and with the buffer ending anywhere: the
    /// fast scans agree with the plain definition.
    #[test]
    fn scans_agree_with_the_reference(
        body in proptest::collection::vec(
            prop_oneof![
                8 => proptest::sample::select(b"abcXYZ019-_.!~%/:? \t".to_vec()),
                1 => any::<u8>(),
            ],
            0..80,
        ),
    ) {
        prop_assert_eq!(run(&body, &TCHAR), reference(&body, &TCHAR));
        prop_assert_eq!(run(&body, &TARGET), reference(&body, &TARGET));
        for (_, target_run) in TARGET_SCANS {
            prop_assert_eq!(target_run(&body), reference(&body, &TARGET));
        }
        for (_, value_run) in VALUE_SCANS {
            prop_assert_eq!(value_run(&body), reference(&body, &VALUE));
        }
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
