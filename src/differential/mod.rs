//! The random differential: proptest draws segment sequences, each runs
//! on `reference` and on `linux`, and the two runs are compared after
//! normalisation (`synack diff --random N`).
//!
//! A sequence ([`sequence::Sequence`]) is a handshake (passive, passive
//! with data on the last ACK, or active, with each end's options drawn)
//! and up to [`sequence::MAX_INPUTS`] inputs: segments from the peer (pure
//! ACKs, data, FIN, RST, RST+ACK, SYN, data without ACK) at RCV.NXT or
//! behind or ahead of it, acknowledging everything, a duplicate, or behind
//! or beyond what was sent, offering a full, small or zero window; and
//! socket calls (write, read, shutdown, close, abort). Each becomes a
//! script, which runs:
//!
//! 1. on the reference (virtual clock, delayed ACKs off: see below),
//!    again and again, writing each call's result into the script until it
//!    passes: the reference's answers become the script's expectations;
//! 2. on Linux, in a namespace of its own (real clock);
//! 3. both traces are cut into one group per input, normalised and
//!    compared ([`compare`]). A difference that a declared rule explains
//!    ([`compare::DECLARED`]) is counted by rule; any other is a
//!    divergence.
//!
//! A divergence is run once more (to tell a real one from a real-time
//! accident), then shrunk with proptest's value tree, each candidate run on
//! both targets, to a minimal sequence, printed as a script ready for
//! `conformance/`: the reference's answers as `out` steps and silences,
//! Linux's as comments.
//!
//! **Normalisation** (besides [`compare`]'s): the reference runs with
//! delayed ACKs off, because Linux acknowledges at once in its quick-ACK
//! mode (the first 16 segments of a connection, `TCP_MAX_QUICKACKS`), and
//! when to acknowledge is the receiver's choice (RFC 9293 3.8.6.3, SHLD-18,
//! MUST-40). Every script has `nodelay: true` (Nagle's algorithm is
//! Minshall's variant on Linux, RFC 9293 3.7.4 leaves the choice) and
//! `initial_window: 10` on both.
//!
//! Cases run in parallel, each Linux run in its own namespace: they mostly
//! sleep through their settle waits.

pub mod compare;
pub mod sequence;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant as StdInstant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};

use crate::run::{run_script, EventKind, FailureKind, RunOptions, RunReport};
use crate::script::Script;
use crate::target::{LinuxTarget, ReferenceTarget, TargetError};
use compare::{compare, observe, Comparison, Difference, Group};
use sequence::Sequence;

/// How a random differential run goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomOptions {
    /// How many sequences.
    pub cases: usize,
    /// The seed every sequence is drawn from.
    pub seed: u64,
    /// How many cases run at once.
    pub jobs: usize,
    /// The most candidate sequences tried while shrinking one divergence.
    pub shrink_budget: usize,
    /// The most divergences shrunk (the others are printed as found).
    pub shrink_divergences: usize,
}

impl Default for RandomOptions {
    fn default() -> RandomOptions {
        RandomOptions {
            cases: 1000,
            seed: 0,
            jobs: 24,
            shrink_budget: 64,
            shrink_divergences: 3,
        }
    }
}

/// One sequence run on both targets.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// The script, with the reference's call results written in.
    pub yaml: String,
    /// How the runs compare.
    pub comparison: Comparison,
    /// The reference's groups.
    pub reference: Vec<Group>,
    /// Linux's groups.
    pub linux: Vec<Group>,
    /// The script as a conformance script: the reference's answers as
    /// steps, Linux's where they differ as comments.
    pub conformance: String,
}

/// A divergence no rule declares, shrunk.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The case it was found in.
    pub case: usize,
    /// The number of inputs of the sequence as found.
    pub found_inputs: usize,
    /// The minimal sequence.
    pub sequence: Sequence,
    /// Its run.
    pub run: CaseRun,
    /// How many candidates shrinking tried.
    pub shrink_tries: usize,
}

/// What a random differential run found.
#[derive(Debug, Default)]
pub struct RandomReport {
    /// Sequences run.
    pub cases: usize,
    /// Sequences whose runs compare equal.
    pub same: usize,
    /// Sequences whose runs differ only where declared rules explain it.
    pub declared_only: usize,
    /// Differences explained by a declared rule, by rule.
    pub declared: BTreeMap<&'static str, usize>,
    /// Sequences that diverged once but not when run again.
    pub flaky: Vec<usize>,
    /// Sequences that could not be compared (a target failed to start, or
    /// the reference failed its own script), with why.
    pub invalid: Vec<(usize, String)>,
    /// The divergences, shrunk (the first few) or as found.
    pub divergences: Vec<Divergence>,
    /// The wall time.
    pub wall: Duration,
}

impl RandomReport {
    /// Return how many sequences ran per second of wall time.
    pub fn sequences_per_second(&self) -> f64 {
        self.cases as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Return the exit status: 2 when a case could not be compared, else
    /// 1 when one diverged undeclared, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.invalid.is_empty() {
            2
        } else {
            i32::from(!self.divergences.is_empty())
        }
    }

    /// Return the summary line.
    pub fn summary(&self) -> String {
        let declared: usize = self.declared.values().sum();
        format!(
            "random differential: {} sequences: {} same, {} with declared divergences only \
             ({declared} rule matches), {} undeclared, {} flaky, {} invalid, in {:.1} s \
             ({:.1} sequences/s)",
            self.cases,
            self.same,
            self.declared_only,
            self.divergences.len(),
            self.flaky.len(),
            self.invalid.len(),
            self.wall.as_secs_f64(),
            self.sequences_per_second()
        )
    }

    /// Write the report: each divergence with its script, the declared
    /// rules that applied, then the summary.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        for d in &self.divergences {
            write_divergence(d, out)?;
        }
        for (case, why) in &self.invalid {
            writeln!(out, "invalid case {case}: {why}")?;
        }
        for (id, count) in &self.declared {
            let why = compare::DECLARED
                .iter()
                .find(|r| r.id == *id)
                .map_or("", |r| r.why);
            writeln!(out, "declared {id} ({count}x): {why}")?;
        }
        if !self.flaky.is_empty() {
            writeln!(
                out,
                "flaky (diverged once, not twice): cases {:?}",
                self.flaky
            )?;
        }
        writeln!(out, "{}", self.summary())
    }
}

/// Write one divergence: where, both sides, and the minimal script.
fn write_divergence(d: &Divergence, out: &mut dyn Write) -> io::Result<()> {
    let Some(diff) = &d.run.comparison.undeclared else {
        return Ok(());
    };
    writeln!(
        out,
        "undeclared divergence: case {} ({} inputs, shrunk to {} in {} tries), at input {}",
        d.case,
        d.found_inputs,
        d.sequence.inputs.len(),
        d.shrink_tries,
        diff.group
    )?;
    writeln!(out, "  reference: {}", diff.reference.describe())?;
    writeln!(out, "  linux:     {}", diff.linux.describe())?;
    writeln!(out, "  minimal script (for conformance/):")?;
    writeln!(out, "---")?;
    out.write_all(d.run.conformance.as_bytes())?;
    writeln!(out, "...")
}

/// The options scripts run with: `out` steps on the real clock wait 1 s.
fn run_options(seed: u64) -> RunOptions {
    RunOptions {
        seed,
        out_wait_real: Duration::from_secs(1),
        ..RunOptions::default()
    }
}

/// Return the outcome text of the call made at `step`.
fn call_result(report: &RunReport, step: usize) -> Option<String> {
    report
        .trace
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Call {
                outcome: Ok(result),
                ..
            } if e.step == Some(step) => Some(result.to_string()),
            _ => None,
        })
}

/// A sequence's script as the reference passes it.
#[derive(Debug)]
pub struct ReferenceRun {
    /// The script's text, with the results written in.
    pub yaml: String,
    /// The result written in for each step (calls that failed only).
    pub results: Vec<Option<String>>,
    /// The script.
    pub script: Script,
    /// The reference's run of it.
    pub report: RunReport,
}

/// Run `sequence` on the reference, writing each call's result into the
/// script until it passes.
pub fn on_reference(sequence: &Sequence, name: &str, seed: u64) -> Result<ReferenceRun, String> {
    let steps = sequence.steps();
    let mut results = vec![None; steps.len()];
    for _ in 0..=steps.len() {
        let yaml = sequence.render(name, &results);
        let script = Script::from_str(name, &yaml).map_err(|e| e.to_string())?;
        let mut target = ReferenceTarget::with_tcp(&script.config, seed, |tcp| {
            tcp.delayed_ack = None;
        })
        .map_err(|e| e.to_string())?;
        let report = run_script(&script, &mut target, &run_options(seed));
        match &report.outcome {
            Ok(()) => {
                return Ok(ReferenceRun {
                    yaml,
                    results,
                    script,
                    report,
                })
            }
            Err(f) if f.kind == FailureKind::CallResult && results[f.step].is_none() => {
                results[f.step] = call_result(&report, f.step);
            }
            Err(f) => return Err(format!("the reference fails its own script: {}", f.message)),
        }
    }
    Err("the reference's call results do not settle".into())
}

/// Run one sequence on both targets and compare.
pub fn run_case(sequence: &Sequence, name: &str, seed: u64) -> Result<CaseRun, String> {
    let ReferenceRun {
        yaml,
        results,
        script,
        report: reference,
    } = on_reference(sequence, name, seed)?;
    let mut target =
        LinuxTarget::new(&script.config, seed).map_err(|e: TargetError| e.to_string())?;
    let linux = run_script(&script, &mut target, &run_options(seed));
    drop(target);
    let step_groups: Vec<usize> = sequence.steps().iter().map(|s| s.group).collect();
    let socket = sequence.socket();
    let ref_groups = observe(&reference, &step_groups, socket);
    let linux_groups = observe(&linux, &step_groups, socket);
    let mut facts = vec![None; sequence.inputs.len() + 1];
    for step in sequence.steps() {
        if step.facts.is_some() {
            facts[step.group] = step.facts;
        }
    }
    let comparison = compare(&sequence.inputs, &facts, &ref_groups, &linux_groups);
    let conformance = conformance_script(sequence, &results, &reference, &comparison);
    Ok(CaseRun {
        yaml,
        comparison,
        reference: ref_groups,
        linux: linux_groups,
        conformance,
    })
}

/// Turn the probe script into a conformance script: each settle wait
/// becomes the reference's answers (`out` steps, any window, options only
/// where the groups differ) then the wait (a silence at the divergence,
/// where the reference said nothing); Linux's answers at the divergence
/// are comments.
fn conformance_script(
    sequence: &Sequence,
    results: &[Option<String>],
    reference: &RunReport,
    comparison: &Comparison,
) -> String {
    let at = comparison.undeclared.as_ref().map(|d| d.group);
    let mut text = format!("name: {}\n", sequence.name());
    if let Some(group) = at {
        text.push_str(&format!(
            "about: >\n  Found by the random differential (synack diff --random): the\n  \
             reference and Linux differ at input {group}.\ntags: [tcp, differential]\n"
        ));
    }
    text.push_str(&format!("{}\nsteps:\n", sequence.config_yaml()));
    for (index, step) in sequence.steps().iter().enumerate() {
        let is_settle = step.yaml.starts_with("  - wait:") && step.group > 0;
        if !is_settle {
            let pinned = results.get(index).cloned().flatten();
            let result = pinned.or_else(|| call_result(reference, index));
            text.push_str(&sequence.render_step(step, result.as_deref()));
            continue;
        }
        let here = at == Some(step.group);
        let said = answers(&mut text, reference, index, here);
        if let (Some(diff), true) = (&comparison.undeclared, here) {
            linux_comments(&mut text, diff);
        }
        // Silence is asserted where it is the point: the reference said
        // nothing at the divergence. Elsewhere the script lets time pass,
        // so that it also runs with the reference's delayed ACKs on.
        let kind = if here && said == 0 { "silent" } else { "wait" };
        text.push_str(&format!("  - {kind}: {}ms\n", sequence::SETTLE.as_millis()));
    }
    text
}

/// Write the reference's `out` steps of the group whose settle step is
/// `settle` (its input is the step before); keep their options if `keep`.
/// Return how many there were.
fn answers(text: &mut String, report: &RunReport, settle: usize, keep: bool) -> usize {
    let mut count = 0;
    for (index, event) in report.trace.events.iter().enumerate() {
        let in_group = event.step == Some(settle) || event.step == Some(settle.saturating_sub(1));
        let EventKind::Out { auto: false, .. } = event.kind else {
            continue;
        };
        if !in_group {
            continue;
        }
        let line = crate::run::trace::line(event, index, &report.flows);
        let line = line.split("  #").next().unwrap_or(&line).to_owned();
        text.push_str(&format!("  - {}\n", strip_window(&line, keep)));
        count += 1;
    }
    count
}

/// Drop a segment line's window (any window matches) and, unless `keep`,
/// its options (`<...>`).
fn strip_window(line: &str, keep_options: bool) -> String {
    let mut words: Vec<&str> = line.split(' ').collect();
    if let Some(at) = words.iter().position(|w| *w == "win") {
        words.drain(at..(at + 2).min(words.len()));
    }
    let mut line = words.join(" ");
    if let (false, Some(at)) = (keep_options, line.find(" <")) {
        line.truncate(at);
        line.push_str(" <...>");
    }
    line
}

/// Write Linux's side of the divergent group as comments.
fn linux_comments(text: &mut String, diff: &Difference) {
    text.push_str(&format!(
        "  # reference: {}\n  # linux:     {}\n",
        diff.reference.describe(),
        diff.linux.describe()
    ));
}

/// Return the seed bytes of case `index`.
fn case_seed(seed: u64, index: usize) -> [u8; 32] {
    let mut bytes = [0; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    bytes[16..24].copy_from_slice(b"synack-d");
    bytes
}

/// Return the value tree of case `index`: the same for the same seed.
fn case_tree(seed: u64, index: usize) -> impl ValueTree<Value = Sequence> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &case_seed(seed, index));
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), rng);
    // NOTE(unwrap): the strategy maps and never filters, so it never rejects.
    sequence::sequence().new_tree(&mut runner).unwrap()
}

/// Return the sequence of case `index`.
pub fn case(seed: u64, index: usize) -> Sequence {
    case_tree(seed, index).current()
}

/// Run `cases` on `jobs` threads; `progress` is called after each.
fn run_all(
    options: &RandomOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<(usize, Result<CaseRun, String>)> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut results = Vec::with_capacity(options.cases);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, options.cases.max(1)) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= options.cases {
                    break;
                }
                let name = format!("random-{}-{index}", options.seed);
                let run = run_case(&case(options.seed, index), &name, options.seed);
                if tx.send((index, run)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for result in rx {
            results.push(result);
            progress(results.len(), options.cases);
        }
    });
    results.sort_by_key(|(index, _)| *index);
    results
}

/// Shrink the divergence of case `index` (whose run is `found`).
fn shrink(options: &RandomOptions, index: usize, found: CaseRun) -> Divergence {
    let mut tree = case_tree(options.seed, index);
    let found_inputs = tree.current().inputs.len();
    let (mut best, mut run, mut tries) = (tree.current(), found, 0);
    let name = format!("random-{}-{index}-min", options.seed);
    if tree.simplify() {
        while tries < options.shrink_budget {
            tries += 1;
            let candidate = tree.current();
            let diverges = match run_case(&candidate, &name, options.seed) {
                Ok(r) if r.comparison.undeclared.is_some() => {
                    (best, run) = (candidate, r);
                    true
                }
                _ => false,
            };
            let more = if diverges {
                tree.simplify()
            } else {
                tree.complicate()
            };
            if !more {
                break;
            }
        }
    }
    Divergence {
        case: index,
        found_inputs,
        sequence: best,
        run,
        shrink_tries: tries,
    }
}

/// Run the random differential.
pub fn run_random(options: &RandomOptions, progress: &mut dyn FnMut(usize, usize)) -> RandomReport {
    let start = StdInstant::now();
    let mut report = RandomReport {
        cases: options.cases,
        ..RandomReport::default()
    };
    for (index, result) in run_all(options, progress) {
        let run = match result {
            Ok(run) => run,
            Err(why) => {
                report.invalid.push((index, why));
                continue;
            }
        };
        for id in &run.comparison.declared {
            *report.declared.entry(id).or_default() += 1;
        }
        if run.comparison.undeclared.is_none() {
            if run.comparison.declared.is_empty() {
                report.same += 1;
            } else {
                report.declared_only += 1;
            }
            continue;
        }
        // Once more, to tell a divergence from an accident of real time.
        let name = format!("random-{}-{index}", options.seed);
        match run_case(&case(options.seed, index), &name, options.seed) {
            Ok(again) if again.comparison.undeclared.is_some() => {
                let divergence = if report.divergences.len() < options.shrink_divergences {
                    shrink(options, index, again)
                } else {
                    unshrunk(options.seed, index, again)
                };
                report.divergences.push(divergence);
            }
            _ => report.flaky.push(index),
        }
    }
    report.wall = start.elapsed();
    report
}

/// A divergence reported as found.
fn unshrunk(seed: u64, index: usize, run: CaseRun) -> Divergence {
    let sequence = case(seed, index);
    Divergence {
        case: index,
        found_inputs: sequence.inputs.len(),
        sequence,
        run,
        shrink_tries: 0,
    }
}
