//! The harness tested too: each conformance script passes on the
//! reference target as written, and fails, at the right step with the
//! right message, once one expectation in it is deliberately flipped.

use synack::run::{run_script, Failure, FailureKind, RunOptions, RunReport};
use synack::script::Script;
use synack::target::TargetKind;

/// One flip: a script, the text to change, what to change it to, and the
/// failure that must follow.
struct Flip {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    kind: FailureKind,
    message: &'static str,
}

const FLIPS: &[Flip] = &[
    Flip {
        file: "arp/request-reply.yaml",
        from: "is-at 02:00:00:00:00:01",
        to: "is-at 02:00:00:00:00:07",
        kind: FailureKind::Mismatch,
        message: "the frame differs in sender MAC",
    },
    Flip {
        file: "arp/resolve-peer.yaml",
        from: "icmp_out: echo reply id 1 seq 1 len 8",
        to: "icmp_out: echo reply id 1 seq 2 len 8",
        kind: FailureKind::Mismatch,
        message: "the frame differs in seq",
    },
    Flip {
        file: "arp/retry-and-give-up.yaml",
        from: "  - silent: 60s",
        to: "  - arp_out: request who-has 198.51.100.2 tell 198.51.100.1\n    at: +1",
        kind: FailureKind::Missing,
        message: "nothing was emitted by 3.000s",
    },
    Flip {
        file: "arp/not-for-us.yaml",
        from: "who-has 198.51.100.77",
        to: "who-has 198.51.100.1",
        kind: FailureKind::Unexpected,
        message: "1 frame(s) emitted that no step expected",
    },
    Flip {
        file: "arp/expiry.yaml",
        from: "    at: +31",
        to: "    at: +29",
        kind: FailureKind::Mismatch,
        message: "expected a `arp_out` frame, got `icmp_out`",
    },
    Flip {
        file: "arp/gratuitous.yaml",
        from: "frame_out: 02 00 00 00 00 99",
        to: "frame_out: 02 00 00 00 00 02",
        kind: FailureKind::Mismatch,
        message: "the frame differs in bytes",
    },
    Flip {
        file: "icmp/echo.yaml",
        from: "echo reply id 7 seq 1 len 56",
        to: "echo reply id 7 seq 1 len 64",
        kind: FailureKind::Mismatch,
        message: "the frame differs in len",
    },
    Flip {
        file: "icmp/echo-broadcast.yaml",
        from: "198.51.100.2 > 198.51.100.255 echo",
        to: "198.51.100.2 > 198.51.100.1 echo",
        kind: FailureKind::Unexpected,
        message: "1 frame(s) emitted that no step expected",
    },
    Flip {
        file: "icmp/echo-sequence.yaml",
        from: "icmp_out: echo reply id 10 seq 3 len 1400",
        to: "icmp_out: echo reply id 11 seq 3 len 1400",
        kind: FailureKind::Mismatch,
        message: "the frame differs in id",
    },
    Flip {
        file: "udp/port-unreachable.yaml",
        from: "unreachable port",
        to: "unreachable host",
        kind: FailureKind::Mismatch,
        message: "the frame differs in code",
    },
    Flip {
        file: "udp/bad-checksum.yaml",
        from: "csum bad",
        to: "csum zero",
        kind: FailureKind::Unexpected,
        message: "1 frame(s) emitted that no step expected",
    },
    Flip {
        file: "udp/zero-checksum.yaml",
        from: "    within: 0s",
        to: "    at: +0.5",
        kind: FailureKind::TooEarly,
        message: "emitted at 0.000s, before 0.500s",
    },
    Flip {
        file: "ipv4/bad-checksum.yaml",
        from: "26 90 c6 33",
        to: "26 6f c6 33",
        kind: FailureKind::Unexpected,
        message: "1 frame(s) emitted that no step expected",
    },
    Flip {
        file: "ipv4/reassembly-timeout.yaml",
        from: "    at: 30",
        to: "    at: 29",
        kind: FailureKind::Missing,
        message: "nothing was emitted by 29.000s",
    },
];

/// Load a conformance script, with `from` replaced by `to`.
fn load(file: &str, from: &str, to: &str) -> Script {
    let path = format!("{}/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(text.contains(from), "{file} has no `{from}`");
    Script::from_str(file, &text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"))
}

fn run(script: &Script) -> RunReport {
    let mut target = TargetKind::Reference.create(script, 0).unwrap();
    run_script(script, target.as_mut(), &RunOptions::default())
}

/// Return the line of `file` where the changed text is.
fn line_of(script: &Script, to: &str) -> u32 {
    let first = to.lines().next().unwrap_or(to);
    let index = script.source.find(first).unwrap();
    script.source[..index].matches('\n').count() as u32 + 1
}

#[test]
fn every_flip_fails_at_its_step_with_its_message() {
    let mut checked = 0;
    for flip in FLIPS {
        let original = load(flip.file, flip.from, flip.from);
        let report = run(&original);
        assert!(
            report.passed(),
            "{}: {}",
            flip.file,
            report.outcome.unwrap_err()
        );
        let script = load(flip.file, flip.from, flip.to);
        let failure: Failure = run(&script)
            .outcome
            .expect_err(&format!("{} passed with `{}`", flip.file, flip.to));
        assert_eq!(failure.kind, flip.kind, "{}: {failure}", flip.file);
        assert_eq!(failure.message, flip.message, "{}: {failure}", flip.file);
        let shown = failure.to_string();
        assert!(shown.starts_with(&format!("{}:", flip.file)), "{shown}");
        assert!(shown.contains("trace so far:"), "{shown}");
        // The failure points at the flipped step, or at one after it.
        assert!(
            failure.pos.line >= line_of(&script, flip.to) - 1,
            "{}: {shown}",
            flip.file
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} flips");
}
