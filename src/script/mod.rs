//! Conformance scripts: YAML read into a typed [`Script`].
//!
//! A script is metadata (`name`, `about`, `refs`, `tags`), a [`Config`] for
//! the target, and [`Step`]s. Every step keeps its line and column, so a
//! runner can report a mismatch like a compiler error; a bad script is a
//! [`ScriptError`] that reads the same way. `conformance/README.md` is the
//! format reference; each mini-language's grammar is also in the docs of
//! its module ([`time`], [`call`], [`lower`], [`crate::notation`]).

pub mod call;
pub mod config;
pub mod error;
mod load;
pub mod lower;
mod raw;
pub mod refs;
pub mod step;
pub mod time;

use std::path::Path;

pub use call::{Call, CallStep, Errno, Expect, Shutdown, SockOpt};
pub use config::Config;
pub use error::{ErrorKind, Pos, ScriptError};
pub use load::STEP_KINDS;
pub use refs::{appendix_b, Level, Ref, Requirement};
pub use step::{Action, Override, Step, TargetName, TcpState};
pub use time::{Duration, TimeBound, TimePoint};

/// A conformance script, loaded and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The file name it was loaded from (as given).
    pub file: String,
    /// The YAML text, kept to quote lines in reports.
    pub source: String,
    /// The `name`.
    pub name: String,
    /// The `about` text.
    pub about: Option<String>,
    /// What the script checks: RFC sections and Appendix B ids.
    pub refs: Vec<Ref>,
    /// Free-form tags, for `--filter`.
    pub tags: Vec<String>,
    /// The target's settings.
    pub config: Config,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Script {
    /// Load a script from YAML text; `file` names it in errors.
    pub fn from_str(file: &str, text: &str) -> Result<Script, ScriptError> {
        load::load(file, text)
    }

    /// Read and load a script file.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScriptError {
            kind: ErrorKind::Io,
            file: file.clone(),
            pos: Pos::default(),
            width: 1,
            expected: e.to_string(),
            found: None,
            line_text: String::new(),
        })?;
        Script::from_str(&file, &text)
    }

    /// Return the text of line `line` (1-based), to quote in a report.
    pub fn line(&self, line: u32) -> &str {
        self.source
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("")
    }

    /// Return the Appendix B ids the script cites.
    pub fn requirements(&self) -> impl Iterator<Item = Requirement> + '_ {
        self.refs.iter().filter_map(|r| match r {
            Ref::Requirement(id) => Some(*id),
            Ref::Rfc { .. } => None,
        })
    }
}

#[cfg(test)]
#[path = "tests/script.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/errors.rs"]
mod error_tests;
