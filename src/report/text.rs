//! The text report: each failure like a compiler error, warnings for
//! frames no step took, then a summary with the run's speed.

use std::io::{self, Write};

use crate::run::suite::{ScriptResult, Status, Suite};
use crate::run::trace;

/// Return the progress line printed after each script: `[12/80] name: ok`.
pub fn progress(result: &ScriptResult, done: usize, total: usize) -> String {
    let verdict = match &result.status {
        Status::Passed => "ok",
        Status::Failed(f) if f.kind.is_bad_script() => "BAD SCRIPT",
        Status::Failed(_) => "FAILED",
        Status::Bad(_) => "BAD SCRIPT",
    };
    format!("[{done}/{total}] {}: {verdict}", result.path.display())
}

/// Write the details of one result: its failure, or its left-over frames.
pub fn write_result(result: &ScriptResult, out: &mut dyn Write) -> io::Result<()> {
    match &result.status {
        Status::Passed => {}
        Status::Failed(failure) => writeln!(out, "error: {failure}\n")?,
        Status::Bad(error) => writeln!(out, "error: {error}\n")?,
    }
    if let Some(first) = &result.retried_after {
        writeln!(
            out,
            "warning: {}: passed on a second run; the first failed on timing (real clock):\n{first}\n",
            result.path.display()
        )?;
    }
    if let Some(report) = &result.report {
        for &index in &report.unexpected {
            let event = &report.trace.events[index];
            writeln!(
                out,
                "warning: {}: at {}, emitted and expected by no step: {}",
                result.path.display(),
                event.at,
                trace::line(event, index, &report.flows)
            )?;
        }
    }
    Ok(())
}

/// Return the summary line.
pub fn summary(suite: &Suite) -> String {
    let bad = match suite.bad() {
        0 => String::new(),
        n => format!(" ({n} bad)"),
    };
    format!(
        "{} scripts: {} passed, {} failed{bad} in {:.3} s ({:.0} scripts/s)",
        suite.results.len(),
        suite.passed(),
        suite.failed(),
        suite.wall.as_secs_f64(),
        suite.scripts_per_second()
    )
}

/// Write the whole text report.
pub fn write(suite: &Suite, out: &mut dyn Write) -> io::Result<()> {
    for result in &suite.results {
        write_result(result, out)?;
    }
    writeln!(out, "{}", summary(suite))
}
