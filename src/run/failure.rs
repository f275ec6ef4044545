//! A failed step, reported like a compiler error:
//!
//! ```text
//! conformance/tcp/open.yaml:12:5: step 4 failed: segment differs in ack
//!    |
//! 12 |   - out: S. 0:0(0) ack 1 win 65535
//!    |     ^^^
//!    = expected: out: S. 0:0(0) ack 1 win 65535
//!    =   actual: out: S. 0:0(0) ack 2 win 65535 <mss 1460,eol>   (at 0.000s)
//!    |                          ^
//! trace so far:
//!     0.000s  in: S 0:0(0) win 65535 <mss 1460>
//!     0.000s  out: S. 0:0(0) ack 2 win 65535 <mss 1460,eol>
//! ```

use core::fmt;

use stack::time::Instant;

use crate::script::Pos;

/// Why a step failed: one variant per cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// An emitted frame differs from the expected one.
    Mismatch,
    /// Nothing was emitted by the step's deadline.
    Missing,
    /// The expected frame came before its time bound.
    TooEarly,
    /// A step's time had passed when the runner reached it.
    TooLate,
    /// The target emitted frames no step expected, where silence was demanded.
    Unexpected,
    /// A call returned something else.
    CallResult,
    /// The connection is in another state.
    State,
    /// The target cannot do what the step asks (yet).
    Unsupported,
    /// The target failed.
    Target,
    /// The step cannot run as written (e.g. `udp_in` with a `*` port): a
    /// bad script, found at run time.
    BadStep,
}

impl FailureKind {
    /// Return whether the failure is about when something happened (or
    /// had not happened yet): on a real clock, a loaded machine can cause it.
    pub const fn is_timing(self) -> bool {
        matches!(
            self,
            FailureKind::Missing
                | FailureKind::TooEarly
                | FailureKind::TooLate
                | FailureKind::State
        )
    }

    /// Return whether the failure is the script's fault (exit status 2)
    /// rather than the target's (exit status 1).
    pub const fn is_bad_script(self) -> bool {
        matches!(self, FailureKind::BadStep)
    }

    /// Return a short name, for reports.
    pub const fn name(self) -> &'static str {
        match self {
            FailureKind::Mismatch => "mismatch",
            FailureKind::Missing => "missing",
            FailureKind::TooEarly => "too early",
            FailureKind::TooLate => "too late",
            FailureKind::Unexpected => "unexpected",
            FailureKind::CallResult => "call result",
            FailureKind::State => "state",
            FailureKind::Unsupported => "unsupported",
            FailureKind::Target => "target error",
            FailureKind::BadStep => "bad step",
        }
    }
}

/// A failed step, with everything a report needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The cause.
    pub kind: FailureKind,
    /// The script's file.
    pub file: String,
    /// The step's index (0-based; printed 1-based).
    pub step: usize,
    /// Where the step is.
    pub pos: Pos,
    /// The text of the step's line.
    pub line_text: String,
    /// What went wrong, in a few words.
    pub message: String,
    /// What the step expected, as a script line.
    pub expected: Option<String>,
    /// What happened instead, as a script line.
    pub actual: Option<String>,
    /// The time of the failure.
    pub at: Instant,
    /// The trace up to the failure, rendered.
    pub trace: String,
}

/// Return the first character index at which two strings differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.chars().count().min(b.chars().count()))
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: step {} failed: {}",
            self.file,
            self.pos,
            self.step + 1,
            self.message
        )?;
        let number = self.pos.line.to_string();
        let gutter = " ".repeat(number.len());
        if self.pos.line > 0 {
            let indent = " ".repeat(self.pos.column.saturating_sub(1) as usize);
            let key_len = self
                .line_text
                .chars()
                .skip(indent.len())
                .take_while(|c| *c != ':');
            let carets = "^".repeat(key_len.count().max(1));
            write!(
                f,
                "\n{gutter} |\n{number} | {}\n{gutter} | {indent}{carets}",
                self.line_text
            )?;
        }
        if let Some(expected) = &self.expected {
            write!(f, "\n{gutter} = expected: {expected}")?;
        }
        if let Some(actual) = &self.actual {
            write!(f, "\n{gutter} =   actual: {actual}   (at {})", self.at)?;
            if let Some(expected) = &self.expected {
                let column = first_difference(expected, actual);
                write!(f, "\n{gutter} |           {}^", " ".repeat(column))?;
            }
        }
        if !self.trace.is_empty() {
            write!(f, "\ntrace so far:\n{}", self.trace.trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}
