//! The random differential (`synack diff --random`): sequences drawn by
//! proptest, run on the reference and on Linux, compared after
//! normalisation.
//!
//! The first tests need no privileges: the reference against itself, and
//! the declared rules on hand-made groups. The last runs a few dozen
//! sequences against the kernel (root and /dev/net/tun; skipped with the
//! reason without them, a failure under `CI=true`). `.ci/run` runs 1000.

use std::collections::BTreeSet;

use synack::differential::compare::{compare, observe, Group, NormSegment};
use synack::differential::sequence::{
    AckAt, CallInput, Features, Input, Kind, Open, SeqAt, Sequence, Win,
};
use synack::differential::{self, on_reference, RandomOptions};
use synack::netns;
use synack::run::{run_script, RunOptions};
use synack::script::{Script, TcpState};
use synack::target::ReferenceTarget;

fn pure_ack(ack: u32) -> NormSegment {
    NormSegment {
        flags: ".".to_owned(),
        seq: Some(1),
        ack: Some(ack),
        len: 0,
        zero_window: false,
        options: Vec::new(),
    }
}

fn group(segments: Vec<NormSegment>) -> Group {
    Group {
        segments,
        state: Some(TcpState::Established),
        ..Group::default()
    }
}

fn segment(kind: Kind, seq: SeqAt) -> Input {
    Input::Segment {
        kind,
        seq,
        ack: AckAt::Next,
        win: Win::Full,
    }
}

#[test]
fn the_reference_against_itself_is_the_same_for_every_drawn_sequence() {
    let mut declared = BTreeSet::new();
    for index in 0..40 {
        let sequence = differential::case(11, index);
        let name = format!("case-{index}");
        let first = on_reference(&sequence, &name, 5).unwrap().report;
        let second = on_reference(&sequence, &name, 5).unwrap().report;
        let groups: Vec<usize> = sequence.steps().iter().map(|s| s.group).collect();
        let a = observe(&first, &groups, sequence.socket());
        let b = observe(&second, &groups, sequence.socket());
        assert_eq!(a.len(), sequence.inputs.len() + 1);
        let facts = vec![None; a.len()];
        let same = compare(&sequence.inputs, &facts, &a, &b);
        assert_eq!(same.undeclared, None, "case {index}");
        declared.extend(same.declared);
    }
    assert!(declared.is_empty(), "{declared:?}");
}

#[test]
fn a_call_that_differs_is_an_undeclared_divergence() {
    let inputs = [Input::Call(CallInput::Read(100))];
    let reference = vec![
        group(vec![]),
        Group {
            calls: vec!["100".into()],
            ..group(vec![])
        },
    ];
    let linux = vec![
        group(vec![]),
        Group {
            calls: vec!["EAGAIN".into()],
            ..group(vec![])
        },
    ];
    let comparison = compare(&inputs, &[None, None], &reference, &linux);
    let diff = comparison.undeclared.unwrap();
    assert_eq!(diff.group, 1);
    assert_eq!(diff.linux.describe(), "call = EAGAIN; state ESTABLISHED");
}

#[test]
fn a_rate_limited_duplicate_ack_is_declared_only_after_an_earlier_one() {
    let far = segment(Kind::Ack, SeqAt::Ahead(1 << 20));
    let inputs = [far, far];
    let syn_ack = || NormSegment {
        flags: "S.".to_owned(),
        seq: None,
        ..pure_ack(1)
    };
    let reference = vec![
        group(vec![syn_ack()]),
        group(vec![pure_ack(1)]),
        group(vec![pure_ack(1)]),
    ];
    let linux = vec![
        group(vec![syn_ack()]),
        group(vec![pure_ack(1)]),
        group(vec![]),
    ];
    let facts = vec![None; 3];
    let comparison = compare(&inputs, &facts, &reference, &linux);
    assert_eq!(comparison.undeclared, None);
    assert_eq!(comparison.declared, ["linux-oow-ack-rate-limit"]);
    // Without an ACK before it, the missing one is a divergence.
    let linux = vec![group(vec![syn_ack()]), group(vec![]), group(vec![])];
    let comparison = compare(&inputs, &facts, &reference, &linux);
    assert_eq!(comparison.undeclared.map(|d| d.group), Some(1));
}

#[test]
fn the_printed_conformance_script_loads_and_passes_on_the_reference() {
    let sequence = Sequence {
        features: Features {
            timestamps: false,
            sack: true,
            window_scaling: false,
            peer_timestamps: false,
            peer_sack: true,
            peer_window_scaling: false,
        },
        open: Open::Passive,
        inputs: vec![
            segment(Kind::Data(100), SeqAt::Next),
            Input::Call(CallInput::Write(100)),
            segment(Kind::DataNoAck(100), SeqAt::Behind(1000)),
        ],
    };
    let run = on_reference(&sequence, "case", 0).unwrap();
    let (yaml, script, report) = (run.yaml, run.script, run.report);
    assert!(report.passed(), "{}", report.render());
    // A call that succeeds keeps no result: its value is compared apart.
    assert!(
        yaml.contains("  - call: write(100)\n    socket: 4\n"),
        "{yaml}"
    );
    let reloaded = Script::from_str("case.yaml", &yaml).unwrap();
    assert_eq!(reloaded.steps.len(), script.steps.len());
    // On the reference with its default delayed ACKs too.
    let mut target = ReferenceTarget::new(&script.config, 0).unwrap();
    let again = run_script(&script, &mut target, &RunOptions::default());
    assert!(again.passed(), "{}", again.render());
}

#[test]
fn a_few_dozen_sequences_compare_on_the_kernel() {
    if !netns::require_support("a_few_dozen_sequences_compare_on_the_kernel") {
        return;
    }
    let options = RandomOptions {
        cases: 32,
        seed: 20_240_601,
        jobs: 16,
        shrink_budget: 8,
        shrink_divergences: 1,
    };
    let report = differential::run_random(&options, &mut |_, _| {});
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    assert_eq!(report.cases, 32);
    let accounted =
        report.same + report.declared_only + report.divergences.len() + report.flaky.len();
    assert_eq!(accounted, 32, "{}", report.summary());
    assert!(report.same > 0, "{}", report.summary());
    assert!(
        report.declared_only + report.same >= 24,
        "{}",
        report.summary()
    );
    for divergence in &report.divergences {
        // Every divergence is printed as a script that loads and passes on
        // the reference, delayed ACKs on.
        let script = Script::from_str("found.yaml", &divergence.run.conformance)
            .unwrap_or_else(|e| panic!("{e}\n{}", divergence.run.conformance));
        let mut target = ReferenceTarget::new(&script.config, 0).unwrap();
        let run = run_script(&script, &mut target, &RunOptions::default());
        assert!(
            run.passed(),
            "{}\n{}",
            divergence.run.conformance,
            run.render()
        );
    }
    let mut text = Vec::new();
    report.write(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("random differential: 32 sequences"), "{text}");
}
