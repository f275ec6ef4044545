//! The JSON report, for tools: the summary, and per script its status,
//! failure (located, with expected and actual lines) and trace.

use std::io::{self, Write};

use serde::Serialize;

use crate::run::suite::{ScriptResult, Status, Suite};
use crate::run::trace;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// The target the scripts ran against.
    pub target: String,
    /// The counts.
    pub summary: JsonSummary,
    /// One entry per script.
    pub scripts: Vec<JsonScript>,
}

/// The counts of a run.
#[derive(Debug, Serialize)]
pub struct JsonSummary {
    /// Scripts run.
    pub scripts: usize,
    /// Scripts that passed.
    pub passed: usize,
    /// Scripts that failed, bad ones included.
    pub failed: usize,
    /// Scripts that are bad (did not load, or a step cannot run).
    pub bad: usize,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Scripts per second of wall time.
    pub scripts_per_second: f64,
    /// The process exit status.
    pub exit_code: i32,
}

/// One script's result.
#[derive(Debug, Serialize)]
pub struct JsonScript {
    /// The file.
    pub file: String,
    /// The script's name.
    pub name: String,
    /// `passed`, `failed` or `bad`.
    pub status: &'static str,
    /// Wall time, seconds.
    pub seconds: f64,
    /// The failure, if any.
    pub failure: Option<JsonFailure>,
    /// Frames no step took, as script lines.
    pub unexpected: Vec<String>,
    /// The trace, one line per event.
    pub trace: Vec<String>,
}

/// Where and how a script failed.
#[derive(Debug, Serialize)]
pub struct JsonFailure {
    /// The cause (`mismatch`, `missing`, ..., or the loader's error kind).
    pub kind: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
    /// The step, from 1 (0 for a script that did not load).
    pub step: usize,
    /// What went wrong.
    pub message: String,
    /// What the step expected.
    pub expected: Option<String>,
    /// What happened instead.
    pub actual: Option<String>,
    /// The whole compiler-style message.
    pub text: String,
}

/// Return a script's failure, located.
fn failure(status: &Status) -> Option<JsonFailure> {
    match status {
        Status::Passed => None,
        Status::Failed(f) => Some(JsonFailure {
            kind: f.kind.name().to_owned(),
            line: f.pos.line,
            column: f.pos.column,
            step: f.step + 1,
            message: f.message.clone(),
            expected: f.expected.clone(),
            actual: f.actual.clone(),
            text: f.to_string(),
        }),
        Status::Bad(e) => Some(JsonFailure {
            kind: e.kind.describe().to_owned(),
            line: e.pos.line,
            column: e.pos.column,
            step: 0,
            message: e.expected.clone(),
            expected: None,
            actual: e.found.clone(),
            text: e.to_string(),
        }),
    }
}

/// Return one script's entry.
fn entry(result: &ScriptResult) -> JsonScript {
    let (unexpected, trace) = match &result.report {
        Some(r) => (
            r.unexpected
                .iter()
                .map(|&i| trace::line(&r.trace.events[i], i, &r.flows))
                .collect(),
            r.render_trace()
                .lines()
                .map(|l| l.trim().to_owned())
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let status = if result.passed() {
        "passed"
    } else if result.is_bad() {
        "bad"
    } else {
        "failed"
    };
    JsonScript {
        file: result.path.display().to_string(),
        name: result.name(),
        status,
        seconds: result.wall.as_secs_f64(),
        failure: failure(&result.status),
        unexpected,
        trace,
    }
}

/// Build the report of a suite.
pub fn report(suite: &Suite, target: &str) -> JsonReport {
    JsonReport {
        target: target.to_owned(),
        summary: JsonSummary {
            scripts: suite.results.len(),
            passed: suite.passed(),
            failed: suite.failed(),
            bad: suite.bad(),
            seconds: suite.wall.as_secs_f64(),
            scripts_per_second: suite.scripts_per_second(),
            exit_code: suite.exit_code(),
        },
        scripts: suite.results.iter().map(entry).collect(),
    }
}

/// Write the report as pretty JSON.
pub fn write(suite: &Suite, target: &str, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report(suite, target))?;
    writeln!(out)
}
