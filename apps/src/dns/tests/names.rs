//! Names: labels, compression pointers, loops and length limits.

use super::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Parse the name at `start` of `bytes`.
fn parse(bytes: &[u8], start: usize) -> Result<(Name<'_>, usize), DnsError> {
    Name::parse(bytes, start)
}

fn hash(name: &Name<'_>) -> u64 {
    let mut hasher = DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
}

#[test]
fn plain_name_reads_labels_and_ends_after_the_root() {
    let (name, end) = parse(&QUERY, 12).unwrap();
    assert_eq!(end, 25);
    assert_eq!(name.labels().collect::<Vec<_>>(), [&b"example"[..], b"com"]);
    assert_eq!(name.label_count(), 2);
    assert_eq!(name.wire_len(), 13);
    assert_eq!(name.to_string(), "example.com.");
    assert!(!name.is_root());
}

#[test]
fn root_name_is_one_zero_byte() {
    let (root, end) = parse(&[0], 0).unwrap();
    assert_eq!(end, 1);
    assert!(root.is_root());
    assert_eq!(root.wire_len(), 1);
    assert_eq!(root.to_string(), ".");
}

#[test]
fn compressed_name_ends_after_its_first_pointer() {
    // RESPONSE offset 45: "www" then a pointer to 12.
    let (www, end) = parse(&RESPONSE, 45).unwrap();
    assert_eq!(end, 51);
    assert_eq!(www.to_string(), "www.example.com.");
    assert_eq!(www.wire_len(), 17);
    assert_eq!(www, name("www.example.com").as_name());
}

#[test]
fn equality_and_hash_ignore_compression_but_not_case() {
    let (compressed, _) = parse(&RESPONSE, 29).unwrap();
    let plain = name("example.com");
    assert_eq!(compressed, plain.as_name());
    assert_eq!(hash(&compressed), hash(&plain.as_name()));
    let upper = name("EXAMPLE.com");
    assert_ne!(compressed, upper.as_name());
    assert!(compressed.eq_ignore_ascii_case(&upper.as_name()));
    assert!(!compressed.eq_ignore_ascii_case(&name("example.co").as_name()));
    assert!(!compressed.eq_ignore_ascii_case(&name("www.example.com").as_name()));
}

#[test]
fn self_pointer_is_rejected() {
    let bytes = [0xc0, 0x00];
    assert_eq!(
        parse(&bytes, 0).unwrap_err(),
        DnsError::PointerNotBackward { at: 0, target: 0 }
    );
    // A pointer to a label of its own name is a loop too.
    let bytes = [0x01, b'a', 0xc0, 0x00];
    assert_eq!(
        parse(&bytes, 0).unwrap_err(),
        DnsError::PointerNotBackward { at: 2, target: 0 }
    );
}

#[test]
fn forward_pointer_is_rejected_in_bounds_or_not() {
    let bytes = [0xc0, 0x02, 0x00];
    assert_eq!(
        parse(&bytes, 0).unwrap_err(),
        DnsError::PointerNotBackward { at: 0, target: 2 }
    );
    let bytes = [0xff, 0xff];
    assert_eq!(
        parse(&bytes, 0).unwrap_err(),
        DnsError::PointerNotBackward {
            at: 0,
            target: 0x3fff
        }
    );
}

#[test]
fn two_pointer_loop_is_rejected() {
    // 0: "a" then a pointer to 4; 4: "b" then a pointer to 0.
    let bytes = [0x01, b'a', 0xc0, 0x04, 0x01, b'b', 0xc0, 0x00, 0xc0, 0x04];
    // From 8: jump to 4 (fine), "b", jump to 0 (fine), "a", jump to 4:
    // not before 0, the labels already read.
    assert_eq!(
        parse(&bytes, 8).unwrap_err(),
        DnsError::PointerNotBackward { at: 2, target: 4 }
    );
}

#[test]
fn loop_of_pointers_each_backward_from_itself_is_rejected() {
    // 0: a 9-byte label covering 1..10, which holds the name's own start;
    // 10: a pointer back to 0. Each pointer points before itself, yet
    // following them from 8 would loop 8 -> 0 -> 10 -> 0 -> ...
    let mut bytes = [0u8; 12];
    bytes[0] = 9;
    bytes[8..10].copy_from_slice(&[0xc0, 0x00]);
    bytes[10..12].copy_from_slice(&[0xc0, 0x00]);
    assert_eq!(
        parse(&bytes, 8).unwrap_err(),
        DnsError::PointerNotBackward { at: 10, target: 0 }
    );
}

#[test]
fn pointer_chain_is_bounded() {
    // 0: the root; 1, 3, 5, ...: a pointer to the previous pointer (or 0).
    let mut bytes = vec![0u8];
    for i in 0..=MAX_POINTERS {
        let target = if i == 0 { 0 } else { 2 * i - 1 };
        bytes.extend_from_slice(&(0xc000 | target as u16).to_be_bytes());
    }
    let last = bytes.len() - 2;
    // MAX_POINTERS pointers are followed...
    let (name, end) = parse(&bytes, last - 2).unwrap();
    assert!(name.is_root());
    assert_eq!(end, last);
    // ...one more is refused.
    assert_eq!(
        parse(&bytes, last).unwrap_err(),
        DnsError::TooManyPointers { at: last }
    );
}

#[test]
fn labels_over_63_bytes_and_reserved_types_are_rejected() {
    for len in [64u8, 0x40, 0x7f, 0x80, 0xbf] {
        let mut bytes = vec![len];
        bytes.resize(usize::from(len) + 2, b'x');
        *bytes.last_mut().unwrap() = 0;
        assert_eq!(
            parse(&bytes, 0).unwrap_err(),
            DnsError::BadLabel { at: 0, value: len },
            "{len:#x}"
        );
    }
    let mut bytes = vec![63u8];
    bytes.extend_from_slice(&[b'x'; 63]);
    bytes.push(0);
    assert_eq!(parse(&bytes, 0).unwrap().0.wire_len(), 65);
}

/// Return a name's wire form of labels of these lengths.
fn labels_of(lengths: &[usize]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for &len in lengths {
        bytes.push(len as u8);
        bytes.resize(bytes.len() + len, b'a');
    }
    bytes.push(0);
    bytes
}

#[test]
fn names_of_255_bytes_parse_and_256_do_not() {
    let bytes = labels_of(&[63, 63, 63, 61]);
    assert_eq!(bytes.len(), 255);
    let (name, end) = parse(&bytes, 0).unwrap();
    assert_eq!((name.wire_len(), end), (255, 255));
    let bytes = labels_of(&[63, 63, 63, 62]);
    assert_eq!(
        parse(&bytes, 0).unwrap_err(),
        DnsError::NameTooLong { at: 0 }
    );
}

#[test]
fn name_length_counts_labels_reached_through_pointers() {
    // 0: 3 x 63 bytes + root (193 bytes); then a name of 63 bytes + a
    // pointer to 0: 64 + 193 = 257 bytes uncompressed.
    let mut bytes = labels_of(&[63, 63, 63]);
    let start = bytes.len();
    bytes.push(61);
    bytes.resize(bytes.len() + 61, b'b');
    bytes.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(parse(&bytes, start).unwrap().0.wire_len(), 255);
    bytes[start] = 62;
    bytes.insert(start + 1, b'b');
    assert_eq!(
        parse(&bytes, start).unwrap_err(),
        DnsError::NameTooLong { at: start }
    );
}

#[test]
fn truncated_labels_and_pointers_name_their_field() {
    assert_eq!(
        parse(&[], 0).unwrap_err(),
        DnsError::Truncated {
            field: "name label",
            need: 1,
            have: 0
        }
    );
    assert_eq!(
        parse(&[0x03, b'a', b'b'], 0).unwrap_err(),
        DnsError::Truncated {
            field: "name label",
            need: 4,
            have: 3
        }
    );
    assert_eq!(
        parse(&[0x01, b'a'], 0).unwrap_err(),
        DnsError::Truncated {
            field: "name label",
            need: 3,
            have: 2
        }
    );
    assert_eq!(
        parse(&[0x00, 0xc0], 1).unwrap_err(),
        DnsError::Truncated {
            field: "name pointer",
            need: 3,
            have: 2
        }
    );
}

#[test]
fn labels_iterator_is_total_on_unchecked_bytes() {
    // Whatever the bytes, the iterator ends without panicking.
    let cases: [&[u8]; 6] = [
        &[0xc0, 0x00],
        &[0x05, b'a'],
        &[0x01, b'a', 0xc0, 0x00],
        &[0x40],
        &[0xc0],
        &[],
    ];
    for bytes in cases {
        let name = Name::new_unchecked(bytes, 0);
        assert!(name.labels().count() <= 1, "{bytes:?}");
        let _ = name.to_string();
    }
}

#[test]
fn display_escapes_special_and_unprintable_bytes() {
    let buf = NameBuf::from_labels([&b"a.b"[..], b"c d", b"\\", b"\xff\"", b"x"]).unwrap();
    let text = buf.to_string();
    assert_eq!(text, r#"a\.b.c\032d.\\.\255\".x."#);
    assert_eq!(NameBuf::from_dotted(&text).unwrap(), buf);
}

#[test]
fn from_dotted_accepts_final_dot_and_root_forms() {
    assert_eq!(name("example.com."), name("example.com"));
    assert_eq!(name("").as_bytes(), [0]);
    assert_eq!(name(".").as_bytes(), [0]);
    assert_eq!(name("a.b").as_bytes(), [1, b'a', 1, b'b', 0]);
    assert_eq!(name(r"\065\.").as_bytes(), [2, b'A', b'.', 0]);
}

#[test]
fn from_dotted_rejects_bad_text() {
    let label = |len| DnsError::Invalid {
        field: "label length",
        value: len,
    };
    let escape = |at| DnsError::Invalid {
        field: "name escape",
        value: at,
    };
    assert_eq!(NameBuf::from_dotted("a..b").unwrap_err(), label(0));
    assert_eq!(NameBuf::from_dotted(".a").unwrap_err(), label(0));
    assert_eq!(
        NameBuf::from_dotted(&"x".repeat(64)).unwrap_err(),
        label(64)
    );
    assert!(NameBuf::from_dotted(&"x".repeat(63)).is_ok());
    assert_eq!(NameBuf::from_dotted(r"a\25").unwrap_err(), escape(1));
    assert_eq!(NameBuf::from_dotted(r"a\256").unwrap_err(), escape(1));
    assert_eq!(NameBuf::from_dotted("a\\").unwrap_err(), escape(1));
    let long = vec!["x".repeat(63); 4].join(".");
    assert_eq!(
        NameBuf::from_dotted(&long).unwrap_err(),
        DnsError::NameTooLong { at: 0 }
    );
}

#[test]
fn name_buf_copies_a_compressed_name_uncompressed() {
    let (compressed, _) = parse(&RESPONSE, 45).unwrap();
    let copy = NameBuf::from_name(&compressed);
    assert_eq!(copy.as_bytes(), b"\x03www\x07example\x03com\x00");
    assert_eq!(copy.as_name(), compressed);
    assert_eq!(format!("{copy:?}"), r#"NameBuf("www.example.com.")"#);
    assert_eq!(format!("{compressed:?}"), r#"Name("www.example.com.")"#);
}
