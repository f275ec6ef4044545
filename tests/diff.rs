//! `synack diff`: verdicts, exit statuses and side-by-side traces, first
//! with a mock standing in for Linux (no privileges needed), then against
//! the kernel (root and /dev/net/tun; skipped with the reason without them,
//! a failure under `CI=true`).

use std::path::{Path, PathBuf};
use std::process::Command;

use synack::diff::{self, DiffCommand, ScriptDiff, Verdict};
use synack::netns;
use synack::run::suite::{self, ScriptResult, Status, SuiteOptions};
use synack::run::{run_script, RunOptions};
use synack::script::{Script, TargetName};
use synack::target::{ClockKind, MockTarget, ReferenceTarget, Target, TargetKind};

/// An echo request the reference answers; a mock with no rules does not.
const ECHO: &str = "name: echo\nsteps:\n  - icmp_in: echo request id 1 seq 1 len 8\n  - icmp_out: echo reply id 1 seq 1 len 8\n";

/// A script both a silent mock and the reference pass.
const QUIET: &str = "name: quiet\nsteps:\n  - silent: 1s\n";

/// The same, with a declared divergence.
const QUIET_DECLARED: &str =
    "name: quiet\nsteps:\n  - silent: 1s\n    linux: 2s\n    why: a reason\n";

/// Run `text` on `target` and wrap the run as a suite result.
fn result(text: &str, target: &mut dyn Target) -> ScriptResult {
    let script = Script::from_str("inline.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let report = run_script(&script, target, &RunOptions::default());
    let status = match &report.outcome {
        Ok(()) => Status::Passed,
        Err(failure) => Status::Failed(failure.clone()),
    };
    ScriptResult {
        path: PathBuf::from("inline.yaml"),
        script: Some(script),
        status,
        report: Some(report),
        wall: Default::default(),
        retried_after: None,
    }
}

/// Compare `text` on the reference and on a rule-less mock posing as Linux.
fn against_mock(text: &str) -> ScriptDiff {
    let script = Script::from_str("inline.yaml", text).unwrap();
    let mut reference = ReferenceTarget::new(&script.config, 0).unwrap();
    let mut mock = MockTarget::new(ClockKind::Virtual).with_override_name(TargetName::Linux);
    ScriptDiff::new(result(text, &mut reference), result(text, &mut mock))
}

/// Render one script's part of the report.
fn render(diff: &ScriptDiff) -> String {
    let mut out = Vec::new();
    diff::write_script(diff, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn passing_on_both_as_written_is_same() {
    let diff = against_mock(QUIET);
    assert_eq!(diff.verdict, Verdict::Same);
    assert_eq!(render(&diff), "");
}

#[test]
fn passing_with_an_override_is_a_declared_divergence() {
    let diff = against_mock(QUIET_DECLARED);
    let Verdict::Declared(list) = &diff.verdict else {
        panic!("{:?}", diff.verdict);
    };
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].step, list[0].line), (0, 3));
    assert_eq!(list[0].reference, "silent: 1s");
    assert_eq!(list[0].linux.as_deref(), Some("silent: 2s"));
    assert_eq!(list[0].why, "a reason");
    let text = render(&diff);
    assert!(
        text.starts_with("declared divergence: inline.yaml (quiet)"),
        "{text}"
    );
    assert!(
        text.contains("linux: silent: 2s") && text.contains("why: a reason"),
        "{text}"
    );
}

#[test]
fn failing_on_linux_is_undeclared_with_both_traces_side_by_side() {
    let diff = against_mock(ECHO);
    assert_eq!(diff.verdict, Verdict::Undeclared);
    let text = render(&diff);
    assert!(text.contains("  reference: passed"), "{text}");
    assert!(
        text.contains("  linux: inline.yaml:4:5: step 2 failed: nothing was emitted"),
        "{text}"
    );
    // Step 1 has the reference's reply on the left and only the request
    // on the right; the failed step 2 is marked.
    let step1: Vec<&str> = text.lines().filter(|l| l.starts_with("     1 |")).collect();
    assert_eq!(step1.len(), 1, "{text}");
    let columns: Vec<&str> = step1[0].split(" | ").collect();
    assert!(
        columns[1].contains("icmp_in: ") && columns[2].contains("icmp_in: "),
        "{text}"
    );
    assert!(text.contains("echo reply id 1 seq 1 len 8"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with(" >   2 |") && l.contains("FAILED")),
        "{text}"
    );
}

#[test]
fn exit_status_is_one_for_undeclared_and_two_for_bad_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: bad\nsteps:\n  - nonsense: 1\n").unwrap();
    let options = SuiteOptions::default();
    let bad_result = |p: &Path| suite::run_file(p, &options).unwrap();
    let bad_diff = ScriptDiff::new(bad_result(&bad), bad_result(&bad));
    assert_eq!(bad_diff.verdict, Verdict::Bad);
    let report = |scripts| diff::DiffReport {
        scripts,
        wall: Default::default(),
    };
    assert_eq!(report(vec![against_mock(QUIET)]).exit_code(), 0);
    assert_eq!(report(vec![against_mock(QUIET_DECLARED)]).exit_code(), 0);
    assert_eq!(
        report(vec![against_mock(QUIET), against_mock(ECHO)]).exit_code(),
        1
    );
    let both = report(vec![against_mock(ECHO), bad_diff]);
    assert_eq!(both.exit_code(), 2);
    assert_eq!(
        both.summary().split(" in ").next(),
        Some("2 scripts: 0 same, 0 declared divergences, 1 undeclared divergences, 1 bad,")
    );
}

/// The repository's conformance directory.
fn conformance(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("conformance")
        .join(path)
}

#[test]
fn diff_against_the_kernel() {
    if !netns::require_support("diff_against_the_kernel") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The rate-limit script without its `linux:` overrides.
    let declared = conformance("icmp/error-rate-limit.yaml");
    let text = std::fs::read_to_string(&declared).unwrap();
    let stripped: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("    linux:") && !l.starts_with("    why:") && !l.starts_with("      ")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let undeclared = dir.path().join("undeclared.yaml");
    std::fs::write(&undeclared, stripped).unwrap();
    let files = vec![conformance("icmp/echo.yaml"), declared, undeclared];
    let options = SuiteOptions {
        jobs: 3,
        ..SuiteOptions::default()
    };
    let report = diff::run_diff(&files, &options, |_, _, _| {});
    let verdicts: Vec<&str> = report.scripts.iter().map(|s| s.verdict.name()).collect();
    assert_eq!(
        verdicts,
        ["same", "declared divergence", "undeclared divergence"],
        "{}",
        report.summary()
    );
    let mut out = Vec::new();
    report.write(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    // Linux stops answering after its burst of 6: the 7th expected error
    // (step 19) is the first failure, and the side-by-side shows it.
    assert!(text.contains("step 19 failed"), "{text}");
    assert!(text.lines().any(|l| l.starts_with(" >  19 |")), "{text}");
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn the_cli_says_what_is_missing_without_privileges() {
    let synack = env!("CARGO_BIN_EXE_synack");
    let root = nix_is_root();
    let output = if root {
        // Drop to `nobody`, which has no capabilities, with util-linux's setpriv.
        let found = Command::new("setpriv").arg("--version").output();
        if found.is_err() {
            eprintln!("skipping the_cli_says_what_is_missing_without_privileges: no setpriv");
            return;
        }
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", synack])
            .args(["diff", "conformance/icmp/echo.yaml"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    } else {
        Command::new(synack)
            .args(["run", "--target", "linux", "conformance/icmp/echo.yaml"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the linux target cannot run here"),
        "{stderr}"
    );
    assert!(stderr.contains("run as root"), "{stderr}");
    assert_eq!(TargetKind::Reference.check_support(), Ok(()));
}

/// Whether the tests run as root.
fn nix_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn diff_command_needs_scripts() {
    let command = DiffCommand {
        paths: vec![PathBuf::from("no/such/dir")],
        ..DiffCommand::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = diff::execute(&command, &mut out, &mut err);
    assert_eq!(code, 2);
    let err = String::from_utf8(err).unwrap();
    assert!(
        err.contains("no such file or directory") || err.contains("cannot run here"),
        "{err}"
    );
}
