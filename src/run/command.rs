//! `synack run`: find the scripts, run them, write the reports, and return
//! the exit status (0 all passed, 1 a failure, 2 a bad script). The binary
//! only parses its arguments into a [`Command`] and calls [`execute`].

use std::io::{self, Write};
use std::path::PathBuf;

use super::suite::{self, ScriptResult, SuiteOptions};
use crate::report::{self, Coverage, Format};
use crate::script::ScriptError;
use crate::target::TargetKind;

/// Where to show progress while scripts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Progress {
    /// Nowhere.
    #[default]
    Off,
    /// One line on a terminal, rewritten after each script.
    Line,
}

/// Everything `synack run` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Files and directories (searched recursively for `*.yaml`).
    pub paths: Vec<PathBuf>,
    /// The target, filter, parallelism and seed.
    pub suite: SuiteOptions,
    /// The report's format.
    pub format: Format,
    /// Where to write a pcap file per script.
    pub pcap: Option<PathBuf>,
    /// Where to write a ladder diagram per script.
    pub diagram: Option<PathBuf>,
    /// Where to write the coverage report (Markdown).
    pub coverage: Option<PathBuf>,
    /// Where to show progress.
    pub progress: Progress,
}

/// Run the command: the report goes to `out`, progress and errors about
/// files to `err`. Return the exit status.
pub fn execute(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = try_execute(command, out, err);
    exit_status(result, err)
}

/// [`execute`], with I/O errors returned.
fn try_execute(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let Some(files) = find_scripts(command.suite.target, &command.paths, err)? else {
        return Ok(ScriptError::EXIT_CODE);
    };
    let suite = suite::run_suite(&files, &command.suite, |result, done, total| {
        if command.progress == Progress::Line {
            show_progress(err, result, done, total);
        }
    });
    if command.progress == Progress::Line {
        write!(err, "\r\x1b[K")?;
    }
    if suite.results.is_empty() {
        writeln!(err, "error: no script matches the filter")?;
        return Ok(ScriptError::EXIT_CODE);
    }
    let target = command.suite.target.name();
    for result in &suite.results {
        report::write_artifacts(
            result,
            target,
            command.pcap.as_deref(),
            command.diagram.as_deref(),
        )?;
    }
    let coverage = Coverage::of(&suite);
    if let Some(path) = &command.coverage {
        std::fs::write(path, coverage.render())?;
    }
    report::write(command.format, &suite, target, out)?;
    match command.format {
        Format::Text => writeln!(out, "{}", coverage.summary())?,
        Format::Junit | Format::Json => writeln!(err, "{}", report::text::summary(&suite))?,
    }
    Ok(suite.exit_code())
}

/// Turn what a command's body returned into its exit status: an I/O error
/// is said on `err` and exits as a bad script does. (`synack run` and
/// `synack diff` both end here.)
pub(crate) fn exit_status(result: io::Result<i32>, err: &mut dyn Write) -> i32 {
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ScriptError::EXIT_CODE
        }
    }
}

/// Return the scripts (`*.yaml`) under `paths`, or `None` after saying on
/// `err` why none can run: `target` is not supported here, or there are none.
pub(crate) fn find_scripts(
    target: TargetKind,
    paths: &[PathBuf],
    err: &mut dyn Write,
) -> io::Result<Option<Vec<PathBuf>>> {
    if let Err(e) = target.check_support() {
        writeln!(err, "error: {e}")?;
        return Ok(None);
    }
    let files = suite::discover(paths)?;
    if files.is_empty() {
        writeln!(err, "error: no scripts (*.yaml) found")?;
        return Ok(None);
    }
    Ok(Some(files))
}

/// Rewrite the one-line progress display on `err` after `done` of `total`
/// scripts, the last being `result`. Progress is best effort: a failed
/// write is ignored.
pub(crate) fn show_progress(err: &mut dyn Write, result: &ScriptResult, done: usize, total: usize) {
    let line = report::text::progress(result, done, total);
    let _ = write!(err, "\r\x1b[K{line}");
    let _ = err.flush();
}
