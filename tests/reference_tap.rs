//! The `reference-tap` target: the reference stack behind two TAP devices
//! bridged in a private namespace, on the real clock.
//!
//! Without root or /dev/net/tun each test prints why and returns, except
//! under `CI=true`, where it fails (`netns::require_support`).

use std::path::{Path, PathBuf};

use synack::netns;
use synack::run::suite::{self, SuiteOptions};
use synack::run::{run_script, EventKind, RunOptions};
use synack::script::Script;
use synack::target::{ClockKind, ReferenceTapTarget, Target, TargetKind};

/// The longest a script may run on the virtual clock to be replayed here
/// in real time; `.ci/run` runs the whole suite on `reference-tap`.
const REAL_TIME_BUDGET_SECS: f64 = 5.0;

fn conformance() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
}

#[test]
fn every_frame_of_a_handshake_crosses_the_bridge() {
    if !netns::require_support("every_frame_of_a_handshake_crosses_the_bridge") {
        return;
    }
    let path = conformance().join("tcp/handshake/passive-open.yaml");
    let script = Script::load(&path).unwrap();
    let mut target = ReferenceTapTarget::new(&script.config, 7).unwrap();
    assert_eq!(target.name(), "reference-tap");
    assert_eq!(target.clock(), ClockKind::Real);
    let report = run_script(&script, &mut target, &RunOptions::default());
    assert!(report.passed(), "{}", report.render());
    let count = |pick: fn(&EventKind) -> bool| {
        report.trace.events.iter().filter(|e| pick(&e.kind)).count() as u64
    };
    let injected = count(|k| matches!(k, EventKind::In { .. }));
    let emitted = count(|k| matches!(k, EventKind::Out { .. }));
    let stats = target.stats();
    // In: the SYN, the ARP reply, the ACK; out: the ARP request, the
    // SYN-ACK. Each crossed the kernel once.
    assert_eq!((injected, emitted), (3, 2), "{}", report.render());
    assert_eq!(stats.injected, injected);
    assert_eq!(
        stats.delivered, injected,
        "every injected frame reached the host"
    );
    assert_eq!(stats.emitted, emitted);
    assert_eq!(
        stats.transmitted, emitted,
        "every frame the host sent came out"
    );
    assert_eq!(target.reference().host().stats().dropped.total(), 0);
}

#[test]
fn scripts_that_pass_on_reference_pass_on_reference_tap() {
    if !netns::require_support("scripts_that_pass_on_reference_pass_on_reference_tap") {
        return;
    }
    let files = suite::discover(&[conformance()]).unwrap();
    let on = |target, jobs| SuiteOptions {
        target,
        jobs,
        ..SuiteOptions::default()
    };
    let reference = suite::run_suite(&files, &on(TargetKind::Reference, 2), |_, _, _| {});
    // The scripts the virtual clock ran in a few seconds: replayed in
    // real time, all at once (they mostly sleep).
    let quick: Vec<PathBuf> = reference
        .results
        .iter()
        .filter(|r| r.passed())
        .filter(|r| {
            let end = r
                .report
                .as_ref()
                .map_or(0.0, |r| r.end.since_start().as_secs_f64());
            end <= REAL_TIME_BUDGET_SECS
        })
        .map(|r| r.path.clone())
        .collect();
    assert!(quick.len() >= 10, "{} quick scripts", quick.len());
    let tap = suite::run_suite(&quick, &on(TargetKind::ReferenceTap, 16), |_, _, _| {});
    let failures: Vec<String> = tap
        .results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {:?}", r.path.display(), r.status))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(tap.passed(), quick.len());
}

#[test]
fn a_bad_ipv4_checksum_crosses_the_bridge_unchanged() {
    if !netns::require_support("a_bad_ipv4_checksum_crosses_the_bridge_unchanged") {
        return;
    }
    let path = conformance().join("ipv4/bad-checksum.yaml");
    let script = Script::load(&path).unwrap();
    let mut target = ReferenceTapTarget::new(&script.config, 0).unwrap();
    let report = run_script(&script, &mut target, &RunOptions::default());
    assert!(report.passed(), "{}", report.render());
    // The host, not the bridge, dropped it, and said why.
    let notes: Vec<&str> = report
        .trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::In { note, .. } => note.as_deref(),
            _ => None,
        })
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("checksum")),
        "{notes:?}\n{}",
        report.render()
    );
    assert_eq!(target.stats().delivered, target.stats().injected);
}
