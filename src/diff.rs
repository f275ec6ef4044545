//! `synack diff`: the differential test. Each script runs on `reference`
//! and on `linux`, and is reported as one of:
//!
//! - **same**: it passes on both, as written;
//! - **declared divergence**: it passes on both, with its `linux:`
//!   overrides (each listed with its `why`);
//! - **undeclared divergence**: it fails on either target, printed with
//!   the failure and both traces side by side, step by step.
//!
//! A script that does not load is **bad**. The exit status is 0 when
//! nothing diverged undeclared, 1 when something did, 2 for a bad script.
//!
//! ```text
//! undeclared divergence: conformance/arp/expiry.yaml (ARP entries expire ...)
//!   linux: conformance/arp/expiry.yaml:21:5: step 8 failed: emitted at 35.060s, before 61.004s
//!   step | reference                               | linux
//!   -----+-----------------------------------------+------------------------------------------
//!      1 | 0.000s  icmp_in: ... echo request ...   | 0.000049s  icmp_in: ... echo request ...
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::run::command;
use crate::run::suite::{self, ScriptResult, Status, SuiteOptions};
use crate::run::trace;
use crate::run::{Failure, RunReport};
use crate::script::{Script, ScriptError, TargetName};
use crate::target::TargetKind;

/// The widest the reference's side of a side-by-side trace gets, in
/// characters; longer lines are cut.
pub const COLUMN: usize = 100;

/// A step the script declares to diverge on Linux.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The step's index (0-based; printed 1-based).
    pub step: usize,
    /// The step's line.
    pub line: u32,
    /// The step as the RFC has it (the reference's).
    pub reference: String,
    /// The step on Linux, or `None` when Linux skips it.
    pub linux: Option<String>,
    /// Why.
    pub why: String,
}

/// Return the steps of `script` that have a `linux:` override.
pub fn declared(script: &Script) -> Vec<Declared> {
    script
        .steps
        .iter()
        .enumerate()
        .filter_map(|(index, step)| {
            let linux = step
                .overrides
                .iter()
                .find(|o| o.target == TargetName::Linux)?;
            Some(Declared {
                step: index,
                line: step.pos.line,
                reference: step.action.to_string(),
                linux: linux.action.as_ref().map(ToString::to_string),
                why: step.why.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// How one script compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It passes on both targets as written.
    Same,
    /// It passes on both, Linux with these declared divergences.
    Declared(Vec<Declared>),
    /// It fails on one target or both.
    Undeclared,
    /// It does not load, or a step cannot run as written.
    Bad,
}

impl Verdict {
    /// Return the verdict's name, as the report prints it.
    pub const fn name(&self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Declared(_) => "declared divergence",
            Verdict::Undeclared => "undeclared divergence",
            Verdict::Bad => "bad script",
        }
    }
}

/// One script on both targets.
#[derive(Debug)]
pub struct ScriptDiff {
    /// How it compares.
    pub verdict: Verdict,
    /// Its run on `reference`.
    pub reference: ScriptResult,
    /// Its run on `linux`.
    pub linux: ScriptResult,
}

impl ScriptDiff {
    /// Compare one script's runs on the two targets.
    pub fn new(reference: ScriptResult, linux: ScriptResult) -> ScriptDiff {
        let verdict = if reference.is_bad() || linux.is_bad() {
            Verdict::Bad
        } else if !reference.passed() || !linux.passed() {
            Verdict::Undeclared
        } else {
            match reference.script.as_ref().map(declared) {
                Some(list) if !list.is_empty() => Verdict::Declared(list),
                _ => Verdict::Same,
            }
        };
        ScriptDiff {
            verdict,
            reference,
            linux,
        }
    }
}

/// The differential run of a set of scripts.
#[derive(Debug, Default)]
pub struct DiffReport {
    /// One entry per script, in the order of the files.
    pub scripts: Vec<ScriptDiff>,
    /// The wall time of the whole run.
    pub wall: core::time::Duration,
}

impl DiffReport {
    /// Return how many scripts got a verdict of this kind.
    pub fn count(&self, kind: fn(&Verdict) -> bool) -> usize {
        self.scripts.iter().filter(|s| kind(&s.verdict)).count()
    }

    /// Return the exit status: 0 nothing undeclared, 1 an undeclared
    /// divergence, 2 a bad script (which wins).
    pub fn exit_code(&self) -> i32 {
        if self.count(|v| *v == Verdict::Bad) > 0 {
            ScriptError::EXIT_CODE
        } else if self.count(|v| *v == Verdict::Undeclared) > 0 {
            1
        } else {
            0
        }
    }

    /// Return the summary line.
    pub fn summary(&self) -> String {
        format!(
            "{} scripts: {} same, {} declared divergences, {} undeclared divergences, {} bad, in {:.3} s",
            self.scripts.len(),
            self.count(|v| *v == Verdict::Same),
            self.count(|v| matches!(v, Verdict::Declared(_))),
            self.count(|v| *v == Verdict::Undeclared),
            self.count(|v| *v == Verdict::Bad),
            self.wall.as_secs_f64()
        )
    }

    /// Write the whole report: each script that diverges, then the summary.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        for script in &self.scripts {
            write_script(script, out)?;
        }
        writeln!(out, "{}", self.summary())
    }
}

/// Run `files` on `reference`, then on `linux` (`options.target` is not
/// used). `progress` is called after each Linux run, as in
/// [`suite::run_suite`].
pub fn run_diff(
    files: &[PathBuf],
    options: &SuiteOptions,
    progress: impl FnMut(&ScriptResult, usize, usize),
) -> DiffReport {
    let start = std::time::Instant::now();
    let on = |target| SuiteOptions {
        target,
        ..options.clone()
    };
    let reference = suite::run_suite(files, &on(TargetKind::Reference), |_, _, _| {});
    let linux = suite::run_suite(files, &on(TargetKind::Linux), progress);
    let mut linux: BTreeMap<PathBuf, ScriptResult> = linux
        .results
        .into_iter()
        .map(|r| (r.path.clone(), r))
        .collect();
    let scripts = reference
        .results
        .into_iter()
        .filter_map(|r| {
            let other = linux.remove(&r.path)?;
            Some(ScriptDiff::new(r, other))
        })
        .collect();
    DiffReport {
        scripts,
        wall: start.elapsed(),
    }
}

/// Write one script's verdict: nothing for `same`, the declarations for a
/// declared divergence, the failures and both traces otherwise.
pub fn write_script(diff: &ScriptDiff, out: &mut dyn Write) -> io::Result<()> {
    let title = format!(
        "{}: {} ({})",
        diff.verdict.name(),
        diff.reference.path.display(),
        diff.reference.name()
    );
    match &diff.verdict {
        Verdict::Same => Ok(()),
        Verdict::Declared(list) => {
            writeln!(out, "{title}")?;
            for d in list {
                let linux = d.linux.as_deref().unwrap_or("skipped");
                writeln!(
                    out,
                    "  step {} (line {}): {}\n    linux: {linux}\n    why: {}",
                    d.step + 1,
                    d.line,
                    d.reference,
                    d.why.trim()
                )?;
            }
            writeln!(out)
        }
        Verdict::Bad | Verdict::Undeclared => {
            writeln!(out, "{title}")?;
            for (side, result) in [("reference", &diff.reference), ("linux", &diff.linux)] {
                match &result.status {
                    Status::Passed => writeln!(out, "  {side}: passed")?,
                    Status::Failed(failure) => writeln!(out, "  {side}: {}", headline(failure))?,
                    Status::Bad(error) => writeln!(out, "  {side}: {error}")?,
                }
            }
            if let (Some(a), Some(b)) = (&diff.reference.report, &diff.linux.report) {
                out.write_all(side_by_side(a, b).as_bytes())?;
            }
            writeln!(out)
        }
    }
}

/// Return a failure's first line, with the expected and actual lines.
fn headline(failure: &Failure) -> String {
    let mut text = format!(
        "{}:{}: step {} failed: {}",
        failure.file,
        failure.pos,
        failure.step + 1,
        failure.message
    );
    if let Some(expected) = &failure.expected {
        text.push_str(&format!("\n      expected: {expected}"));
    }
    if let Some(actual) = &failure.actual {
        text.push_str(&format!("\n        actual: {actual}   (at {})", failure.at));
    }
    text
}

/// Return each step's trace lines (`None`: after the last step), and a
/// last line for the step that failed.
fn by_step(report: &RunReport) -> BTreeMap<Option<usize>, Vec<String>> {
    let mut steps: BTreeMap<Option<usize>, Vec<String>> = BTreeMap::new();
    for (index, event) in report.trace.events.iter().enumerate() {
        let line = format!("{}  {}", event.at, trace::line(event, index, &report.flows));
        steps.entry(event.step).or_default().push(line);
    }
    if let Err(failure) = &report.outcome {
        let line = format!("{}  FAILED: {}", failure.at, failure.message);
        steps.entry(Some(failure.step)).or_default().push(line);
    }
    steps
}

/// Cut or pad `text` to exactly `width` characters.
fn column(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        format!("{text}{}", " ".repeat(width - count))
    }
}

/// Render two runs of one script side by side, step by step: the
/// reference's trace on the left (at most [`COLUMN`] characters wide),
/// Linux's on the right; `>` marks the step that failed.
pub fn side_by_side(reference: &RunReport, linux: &RunReport) -> String {
    let (left, right) = (by_step(reference), by_step(linux));
    let width = left
        .values()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .clamp("reference".len(), COLUMN);
    let mut keys: Vec<Option<usize>> = left.keys().chain(right.keys()).copied().collect();
    keys.sort_by_key(|k| k.unwrap_or(usize::MAX));
    keys.dedup();
    let rule = "-".repeat(width + 2);
    let mut text = format!(
        "  step | {} | linux\n  -----+{rule}+{rule}\n",
        column("reference", width)
    );
    let failed = |r: &RunReport| r.outcome.as_ref().err().map(|f| f.step);
    let empty = Vec::new();
    for key in keys {
        let a = left.get(&key).unwrap_or(&empty);
        let b = right.get(&key).unwrap_or(&empty);
        let failing = key.is_some() && (key == failed(reference) || key == failed(linux));
        let mark = if failing { '>' } else { ' ' };
        for row in 0..a.len().max(b.len()) {
            let label = match (row, key) {
                (0, Some(step)) => format!("{:>4}", step + 1),
                (0, None) => " end".to_owned(),
                _ => "    ".to_owned(),
            };
            let l = a.get(row).map_or("", String::as_str);
            let r = b.get(row).map_or("", String::as_str);
            let line = format!(" {mark}{label} | {} | {r}", column(l, width));
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    text
}

/// Everything `synack diff` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffCommand {
    /// Files and directories (searched recursively for `*.yaml`).
    pub paths: Vec<PathBuf>,
    /// The filter, parallelism and seed (the target is not used).
    pub suite: SuiteOptions,
    /// Whether to show a progress line on `err`.
    pub progress: bool,
}

/// Run `synack diff`: the report goes to `out`, progress and errors to
/// `err`. Return the exit status.
pub fn execute(command: &DiffCommand, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = try_execute(command, out, err);
    command::exit_status(result, err)
}

/// [`execute`], with I/O errors returned.
fn try_execute(command: &DiffCommand, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let Some(files) = command::find_scripts(TargetKind::Linux, &command.paths, err)? else {
        return Ok(ScriptError::EXIT_CODE);
    };
    let report = run_diff(&files, &command.suite, |result, done, total| {
        if command.progress {
            command::show_progress(err, result, done, total);
        }
    });
    if command.progress {
        write!(err, "\r\x1b[K")?;
    }
    if report.scripts.is_empty() {
        writeln!(err, "error: no script matches the filter")?;
        return Ok(ScriptError::EXIT_CODE);
    }
    report.write(out)?;
    Ok(report.exit_code())
}
