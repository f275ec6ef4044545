//! `synack run`: find the scripts, run them, write the reports, and return
//! the exit status (0 all passed, 1 a failure, 2 a bad script). The binary
//! only parses its arguments into a [`Command`] and calls [`execute`].

use std::io::{self, Write};
use std::path::PathBuf;

use super::suite::{self, SuiteOptions};
use crate::report::{self, Coverage, Format};
use crate::script::ScriptError;

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
    match try_execute(command, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ScriptError::EXIT_CODE
        }
    }
}

/// [`execute`], with I/O errors returned.
fn try_execute(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    if let Err(e) = command.suite.target.check_support() {
        writeln!(err, "error: {e}")?;
        return Ok(ScriptError::EXIT_CODE);
    }
    let files = suite::discover(&command.paths)?;
    if files.is_empty() {
        writeln!(err, "error: no scripts (*.yaml) found")?;
        return Ok(ScriptError::EXIT_CODE);
    }
    let suite = suite::run_suite(&files, &command.suite, |result, done, total| {
        if command.progress == Progress::Line {
            let line = report::text::progress(result, done, total);
            let _ = write!(err, "\r\x1b[K{line}");
            let _ = err.flush();
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
