//! Broken scripts: each class of mistake gives its own error, at the right
//! line and column, printed like a compiler's.

use super::*;

/// Load `text` and return its error.
#[track_caller]
fn error(text: &str) -> ScriptError {
    match Script::from_str("bad.yaml", text) {
        Ok(script) => panic!("loaded: {script:?}"),
        Err(e) => e,
    }
}

/// Assert the error's kind and position, and that the caret sits under `quoted`.
#[track_caller]
fn assert_error(text: &str, kind: ErrorKind, line: u32, column: u32, quoted: &str) -> ScriptError {
    let e = error(text);
    assert_eq!(
        (e.kind, e.pos.line, e.pos.column),
        (kind, line, column),
        "{e}"
    );
    let under: String = e
        .line_text
        .chars()
        .skip(column as usize - 1)
        .take(e.width as usize)
        .collect();
    assert_eq!(under, quoted, "{e}");
    e
}

const HEAD: &str = "name: broken\nsteps:\n";

#[test]
fn unknown_key() {
    let e = assert_error(
        "name: x\nbogus: 1\nsteps: []\n",
        ErrorKind::UnknownKey,
        2,
        1,
        "bogus",
    );
    assert!(
        e.expected.contains("name") && e.expected.contains("steps"),
        "{e}"
    );
    assert_error(
        "name: x\nconfig:\n  sack: true\n  sackk: true\nsteps: []\n",
        ErrorKind::UnknownKey,
        4,
        3,
        "sackk",
    );
    assert_error(
        &format!("{HEAD}  - in: S 0:0(0) win 1\n    att: 0.1\n"),
        ErrorKind::UnknownKey,
        4,
        5,
        "att",
    );
}

#[test]
fn unknown_step_kind() {
    let e = assert_error(
        &format!("{HEAD}  - call: close()\n  - inn: S 0:0(0) win 1\n"),
        ErrorKind::UnknownStepKind,
        4,
        5,
        "inn",
    );
    assert_eq!(e.found.as_deref(), Some("`inn`"));
    assert!(e.expected.starts_with("a step kind: in, out, call"), "{e}");
}

#[test]
fn bad_notation() {
    let text = format!("{HEAD}  - out: S. 0:0(0) ack 1 win 100 <mss 1460,wscal 7>\n");
    let e = assert_error(&text, ErrorKind::BadNotation, 3, 44, "wscal");
    assert_eq!(e.found.as_deref(), Some("`wscal`"));
    // A quoted value, and a packetdrill time prefix before the segment.
    assert_error(
        &format!("{HEAD}  - in: '+0.1 S 0:0(0) win *'\n"),
        ErrorKind::BadNotation,
        3,
        28,
        "*",
    );
}

#[test]
fn missing_why_on_an_override() {
    let text = format!("{HEAD}  - out: S 0:0(0)\n    linux: S 0:0(0) <...>\n");
    let e = assert_error(&text, ErrorKind::MissingWhy, 4, 5, "linux");
    assert!(e.expected.contains("`why:`"), "{e}");
    let text = format!("{HEAD}  - out: S 0:0(0)\n    why: no reason\n");
    assert_error(&text, ErrorKind::StrayWhy, 4, 5, "why");
    // An override is parsed as the step's kind.
    let text = format!("{HEAD}  - wait: 1s\n    linux: soon\n    why: slower\n");
    assert_error(&text, ErrorKind::BadDuration, 4, 12, "soon");
}

#[test]
fn bad_duration() {
    let e = assert_error(
        &format!("{HEAD}  - wait: 2 fortnights\n"),
        ErrorKind::BadDuration,
        3,
        13,
        "fortnights",
    );
    assert!(e.expected.contains("the end of the duration"), "{e}");
    assert_error(
        &format!("{HEAD}  - silent: 5parsecs\n"),
        ErrorKind::BadDuration,
        3,
        13,
        "5parsecs",
    );
    assert_error(
        "name: x\nconfig: {msl: 2msl}\nsteps: []\n",
        ErrorKind::BadDuration,
        2,
        15,
        "2msl",
    );
    assert_error(
        &format!("{HEAD}  - out: S 0:0(0)\n    within: soon\n"),
        ErrorKind::BadDuration,
        4,
        13,
        "soon",
    );
}

#[test]
fn bad_call_syntax() {
    let e = assert_error(
        &format!("{HEAD}  - call: listen(8080, backlog 1)\n"),
        ErrorKind::BadCall,
        3,
        32,
        "1",
    );
    assert_eq!(e.expected, "`=` after `backlog`");
    assert_error(
        &format!("{HEAD}  - call: frobnicate()\n"),
        ErrorKind::BadCall,
        3,
        11,
        "frobnicate",
    );
    assert_error(
        &format!("{HEAD}  - call: write(10) = EPIPES\n"),
        ErrorKind::BadCall,
        3,
        23,
        "EPIPES",
    );
}

#[test]
fn wrong_yaml_type() {
    let e = assert_error(
        &format!("{HEAD}  - in: [S, 0]\n"),
        ErrorKind::WrongType,
        3,
        9,
        "[",
    );
    assert_eq!(e.found.as_deref(), Some("a sequence"));
    assert_error("name: x\nsteps: {a: 1}\n", ErrorKind::WrongType, 2, 8, "{");
    assert_error(
        "name: x\nconfig: {mss: big}\nsteps: []\n",
        ErrorKind::WrongType,
        2,
        15,
        "big",
    );
    assert_error(
        "name: x\nconfig: {sack: maybe}\nsteps: []\n",
        ErrorKind::WrongType,
        2,
        16,
        "maybe",
    );
    assert_error(
        &format!("{HEAD}  - state:\n"),
        ErrorKind::WrongType,
        3,
        5,
        "state",
    );
}

#[test]
fn yaml_syntax_error() {
    let e = assert_error(
        &format!("{HEAD}  - in: a: b\n"),
        ErrorKind::YamlSyntax,
        3,
        10,
        ":",
    );
    assert_eq!(e.found, None);
    assert!(
        e.to_string()
            .starts_with("bad.yaml:3:10: YAML syntax error: mapping values are not allowed"),
        "{e}"
    );
    let e = error("name: x\nsteps:\n  - call: close()\n   - call: close()\n");
    assert_eq!((e.kind, e.pos.line), (ErrorKind::YamlSyntax, 4), "{e}");
}

#[test]
fn unknown_appendix_b_id() {
    let e = assert_error(
        "name: x\nrefs: [rfc9293#3.5, MUST-99]\nsteps: []\n",
        ErrorKind::UnknownRequirement,
        2,
        21,
        "MUST-99",
    );
    assert_eq!(e.found.as_deref(), Some("`MUST-99`"));
    assert_error(
        "name: x\nrefs: [MUST-1, 'RFC 793']\nsteps: []\n",
        ErrorKind::BadRef,
        2,
        16,
        "'RFC 793'",
    );
}

#[test]
fn bad_address() {
    assert_error(
        "name: x\nconfig:\n  remote: 198.51.100.256\nsteps: []\n",
        ErrorKind::BadAddress,
        3,
        11,
        "198.51.100.256",
    );
    assert_error(
        "name: x\nconfig:\n  local_mac: 02:00:00:00:01\nsteps: []\n",
        ErrorKind::BadAddress,
        3,
        14,
        "02:00:00:00:01",
    );
    let text = format!("{HEAD}  - call: connect(198.51.100.2.7:80)\n");
    assert_error(&text, ErrorKind::BadAddress, 3, 19, "198.51.100.2.7");
    let text = format!("{HEAD}  - arp_in: request who-has 198.51.100 tell 198.51.100.2\n");
    assert_error(&text, ErrorKind::BadAddress, 3, 29, "198.51.100");
}

#[test]
fn malformed_steps() {
    assert_error(
        &format!("{HEAD}  - in: S 0:0(0) win 1\n    out: S 0:0(0)\n"),
        ErrorKind::BadStep,
        4,
        5,
        "out",
    );
    assert_error(
        &format!("{HEAD}  - socket: 4\n"),
        ErrorKind::BadStep,
        3,
        5,
        "socket",
    );
    assert_error(
        &format!("{HEAD}  - out: +1 S 0:0(0)\n    at: 2\n"),
        ErrorKind::BadStep,
        4,
        9,
        "2",
    );
    assert_error(
        &format!("{HEAD}  - wait: 1s\n    at: 2\n"),
        ErrorKind::BadStep,
        4,
        9,
        "2",
    );
    assert_error(
        &format!("{HEAD}  - wait: 1s\n    socket: 4\n"),
        ErrorKind::BadStep,
        4,
        13,
        "4",
    );
    assert_error(
        &format!("{HEAD}  - call: close()\n    socket: four\n"),
        ErrorKind::BadSocket,
        4,
        13,
        "four",
    );
    assert_error(
        &format!("{HEAD}  - in: S 0:0(0) win 1\n    in: S 0:0(0) win 2\n"),
        ErrorKind::DuplicateKey,
        4,
        5,
        "in",
    );
    assert_error("steps: []\n", ErrorKind::MissingKey, 1, 1, "steps");
}

#[test]
fn every_mini_language_reports_its_own_kind() {
    let cases = [
        ("  - state: OPEN\n", ErrorKind::BadState, 12, "OPEN"),
        (
            "  - out: S 0:0(0)\n    at: +0.1~soon\n",
            ErrorKind::BadTime,
            14,
            "soon",
        ),
        (
            "  - arp_out: reply 198.51.100.1 is-at 02:00\n",
            ErrorKind::BadArp,
            39,
            "02:00",
        ),
        (
            "  - icmp_out: echo answer\n",
            ErrorKind::BadIcmp,
            20,
            "answer",
        ),
        (
            "  - udp_in: 40000 > 53 len ten\n",
            ErrorKind::BadUdp,
            28,
            "ten",
        ),
        ("  - frame_in: 0a 0b ??\n", ErrorKind::BadFrame, 21, "??"),
    ];
    for (step, kind, column, quoted) in cases {
        let line = 3 + step.matches('\n').count() as u32 - 1;
        assert_error(&format!("{HEAD}{step}"), kind, line, column, quoted);
    }
}

#[test]
fn errors_in_block_scalars_point_into_the_block() {
    let text = format!("{HEAD}  - frame_in: |\n      ff ff ff\n      0a zz 0c\n");
    assert_error(&text, ErrorKind::BadFrame, 5, 10, "zz");
}

#[test]
fn errors_print_like_a_compiler() {
    let text = format!("{HEAD}  - call: write(10) = EPIPES\n");
    let e = error(&text);
    let want = "bad.yaml:3:23: bad socket call: expected a number or an errno name such as EPIPE, found `EPIPES`\n  \
                |\n3 |   - call: write(10) = EPIPES\n  |                       ^^^^^^";
    assert_eq!(e.to_string(), want);
    assert_eq!(ScriptError::EXIT_CODE, 2);
}

proptest::proptest! {
    /// Any one-character edit of a valid script loads or fails with a
    /// position inside the file; it never panics.
    #[test]
    fn edited_scripts_fail_inside_the_file(at in 0usize..2000, c in proptest::char::any()) {
        let text = include_str!("every_step_kind.yaml");
        let at = (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let mut edited = text.to_owned();
        edited.insert(at, c);
        if let Err(e) = Script::from_str("edited.yaml", &edited) {
            let lines = edited.lines().count() as u32 + 1;
            proptest::prop_assert!(e.pos.line >= 1 && e.pos.line <= lines, "{}", e);
            proptest::prop_assert!(e.width >= 1);
            let _ = e.to_string();
        }
    }
}

#[test]
fn data_must_fit_its_step() {
    let ok = format!(
        "{HEAD}  - in: P. 1:3(2) ack 1 win 1\n    data: \"a\\r\"\n  - call: read(5) = 2\n    data: ab\n  - call: write(2)\n    data: xy\n"
    );
    let script = Script::from_str("ok.yaml", &ok).unwrap();
    let data: Vec<_> = script.steps.iter().map(|s| s.data.clone()).collect();
    assert_eq!(
        data,
        [
            Some(b"a\r".to_vec()),
            Some(b"ab".to_vec()),
            Some(b"xy".to_vec())
        ]
    );
    for (step, why) in [
        ("in: P. 1:4(3) ack 1 win 1", "a segment of 3 bytes"),
        ("out: P. 1:2(1) ack 1", "a segment of 1 byte"),
        ("call: write(3)", "a write of 3"),
        ("call: read(1)", "a read of at most 1"),
        ("call: close()", "a call that carries no bytes"),
        ("state: CLOSED", "a step that carries no bytes"),
    ] {
        let text = format!("{HEAD}  - {step}\n    data: ab\n");
        let e = assert_error(&text, ErrorKind::BadStep, 4, 5, "data");
        assert!(
            e.found.as_deref().is_some_and(|f| f.contains("2 bytes")),
            "{why}: {e}"
        );
    }
}
