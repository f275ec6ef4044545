//! The seeds of `corpus/dns/` are what their names say.

use super::*;
use std::path::Path;

/// Return the bytes of `corpus/dns/seed-<name>`.
fn seed(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/dns")
        .join(format!("seed-{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn record_seeds_hold_their_record_type() {
    let cases = [
        ("rr-a", RecordType::A),
        ("rr-ns", RecordType::Ns),
        ("rr-cname", RecordType::Cname),
        ("rr-soa", RecordType::Soa),
        ("rr-ptr", RecordType::Ptr),
        ("rr-mx", RecordType::Mx),
        ("rr-txt", RecordType::Txt),
        ("rr-aaaa", RecordType::Aaaa),
        ("rr-srv-raw", RecordType::Srv),
        ("rr-unknown-type", RecordType::Unknown(65280)),
        ("rr-opt-options", RecordType::Opt),
    ];
    for (name, rtype) in cases {
        let bytes = seed(name);
        let message = Message::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let records = Section::ALL[1..].iter().flat_map(|&s| message.records(s));
        assert!(records.map(|r| r.rtype()).eq([rtype]), "{name}");
        round_trip(&message);
    }
}

#[test]
fn name_seeds_parse_or_fail_as_named() {
    for name in [
        "query-a",
        "query-aaaa-edns",
        "response-compressed",
        "names-pointer-chain",
        "name-255",
    ] {
        let bytes = seed(name);
        let message = Message::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        round_trip(&message);
    }
    let chain = seed("names-pointer-chain");
    let last = Message::parse(&chain).unwrap().answers().last().unwrap();
    assert_eq!(last.name.to_string(), "c.a.www.example.com.");
    for name in [
        "loop-self-pointer",
        "loop-two-pointers",
        "loop-forward-pointer",
    ] {
        let error = Message::parse(&seed(name)).unwrap_err();
        assert!(
            matches!(error, DnsError::PointerNotBackward { .. }),
            "{name}: {error}"
        );
    }
    let error = Message::parse(&seed("truncated-answer")).unwrap_err();
    assert!(matches!(error, DnsError::Truncated { .. }), "{error}");
}
