//! Script errors, reported like a compiler's:
//!
//! ```text
//! conformance/tcp/open.yaml:12:20: bad segment notation: expected a flag letter, found `X`
//!    |
//! 12 |   - out: S. 0:0(0) X
//!    |                    ^
//! ```

use core::fmt;
use core::ops::Range;

use serde_saphyr::Location;

use crate::notation::SyntaxError;

/// A place in a script: 1-based line, and 1-based column counted in
/// characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1, in characters.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What is wrong with a script: one variant per cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The text is not YAML.
    YamlSyntax,
    /// A value has the wrong YAML type, e.g. a list where a string belongs.
    WrongType,
    /// A key the format does not know (at the top, in `config` or in a step).
    UnknownKey,
    /// A step's first key is not a step kind.
    UnknownStepKind,
    /// A required key (`name`, `steps`) is missing.
    MissingKey,
    /// A key appears twice in one mapping.
    DuplicateKey,
    /// A step is malformed as a whole: no kind, two kinds, a key that does
    /// not apply to its kind, or both `at` and `within`.
    BadStep,
    /// An `in`/`out` segment does not parse.
    BadNotation,
    /// A `call` does not parse.
    BadCall,
    /// A duration (`wait`, `silent`, `within`, config times) does not parse.
    BadDuration,
    /// A time bound (`at`, or a `+0.2` prefix) does not parse.
    BadTime,
    /// A `state` is not a TCP state name.
    BadState,
    /// An `arp_in`/`arp_out` line does not parse.
    BadArp,
    /// An `icmp_in`/`icmp_out` line does not parse.
    BadIcmp,
    /// A `udp_in`/`udp_out` line does not parse.
    BadUdp,
    /// A `frame_in`/`frame_out` hex dump does not parse.
    BadFrame,
    /// A malformed IPv4 or MAC address, anywhere.
    BadAddress,
    /// A socket selector that is not a number.
    BadSocket,
    /// A `refs` entry that is neither `rfcN[#section]` nor an Appendix B id.
    BadRef,
    /// A `refs` id shaped like MUST-n that RFC 9293 Appendix B does not list.
    UnknownRequirement,
    /// A per-target override without a `why`.
    MissingWhy,
    /// A `why` without a per-target override.
    StrayWhy,
}

impl ErrorKind {
    /// Return the words the report uses for this kind of error.
    pub const fn describe(self) -> &'static str {
        match self {
            ErrorKind::Io => "cannot read script",
            ErrorKind::YamlSyntax => "YAML syntax error",
            ErrorKind::WrongType => "wrong type",
            ErrorKind::UnknownKey => "unknown key",
            ErrorKind::UnknownStepKind => "unknown step kind",
            ErrorKind::MissingKey => "missing key",
            ErrorKind::DuplicateKey => "duplicate key",
            ErrorKind::BadStep => "malformed step",
            ErrorKind::BadNotation => "bad segment notation",
            ErrorKind::BadCall => "bad socket call",
            ErrorKind::BadDuration => "bad duration",
            ErrorKind::BadTime => "bad time",
            ErrorKind::BadState => "bad TCP state",
            ErrorKind::BadArp => "bad ARP line",
            ErrorKind::BadIcmp => "bad ICMP line",
            ErrorKind::BadUdp => "bad UDP line",
            ErrorKind::BadFrame => "bad frame",
            ErrorKind::BadAddress => "bad address",
            ErrorKind::BadSocket => "bad socket",
            ErrorKind::BadRef => "bad reference",
            ErrorKind::UnknownRequirement => "unknown RFC 9293 Appendix B id",
            ErrorKind::MissingWhy => "override without `why`",
            ErrorKind::StrayWhy => "`why` without an override",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A script that cannot be loaded, located like a compiler error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The cause.
    pub kind: ErrorKind,
    /// The script's file name, as given to the loader.
    pub file: String,
    /// Where the fault starts.
    pub pos: Pos,
    /// How many characters the caret line underlines (at least 1).
    pub width: u32,
    /// What was expected, or the whole message when `found` is `None`.
    pub expected: String,
    /// What was found instead.
    pub found: Option<String>,
    /// The text of line `pos.line`, quoted under the message.
    pub line_text: String,
}

impl ScriptError {
    /// The process exit status for a bad script (0 pass, 1 mismatch, 2 bad script).
    pub const EXIT_CODE: i32 = 2;
}

impl std::error::Error for ScriptError {}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: ", self.file, self.pos, self.kind)?;
        match &self.found {
            Some(found) => write!(f, "expected {}, found {found}", self.expected)?,
            None => f.write_str(&self.expected)?,
        }
        if self.pos.line == 0 {
            return Ok(());
        }
        let number = self.pos.line.to_string();
        let gutter = " ".repeat(number.len());
        let indent = " ".repeat(self.pos.column.saturating_sub(1) as usize);
        let carets = "^".repeat(self.width.max(1) as usize);
        write!(
            f,
            "\n{gutter} |\n{number} | {}\n{gutter} | {indent}{carets}",
            self.line_text
        )
    }
}

/// The script's text and name: turns byte offsets and serde-saphyr
/// locations into [`ScriptError`]s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    /// Return the line and column of byte `offset` (clamped to the text).
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset);
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() as u32 + 1,
            column: before[line_start..].chars().count() as u32 + 1,
        }
    }

    /// Return the text of line `line` (1-based), without its end of line.
    pub fn line_text(&self, line: u32) -> &'a str {
        let text = self
            .text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("");
        text.trim_end_matches('\r')
    }

    /// Return the byte offset a serde-saphyr location points at.
    pub fn offset(&self, location: &Location) -> usize {
        if let Some(byte) = location.span().byte_offset() {
            return byte as usize;
        }
        let mut offset = 0;
        for (i, line) in self.text.split_inclusive('\n').enumerate() {
            if i as u64 + 1 == location.line() {
                let column = location.column().saturating_sub(1) as usize;
                return offset
                    + line
                        .char_indices()
                        .nth(column)
                        .map_or(line.len(), |(b, _)| b);
            }
            offset += line.len();
        }
        offset
    }

    /// Build an error covering bytes `range` of the text.
    pub fn error(
        &self,
        kind: ErrorKind,
        range: Range<usize>,
        expected: impl Into<String>,
        found: Option<String>,
    ) -> ScriptError {
        let pos = self.pos(range.start);
        let line_text = self.line_text(pos.line);
        let start = floor_char_boundary(self.text, range.start);
        let end = floor_char_boundary(self.text, range.end.max(range.start));
        let width = self.text[start..end]
            .lines()
            .next()
            .map_or(0, |s| s.chars().count());
        let room = line_text.chars().count() as u32 + 1
            - pos.column.min(line_text.chars().count() as u32 + 1);
        ScriptError {
            kind,
            file: self.file.to_owned(),
            pos,
            width: (width as u32).min(room).max(1),
            expected: expected.into(),
            found,
            line_text: line_text.to_owned(),
        }
    }

    /// Build an error at a location, covering `len` bytes.
    pub fn error_at(
        &self,
        kind: ErrorKind,
        location: &Location,
        len: usize,
        expected: impl Into<String>,
        found: Option<String>,
    ) -> ScriptError {
        let start = self.offset(location);
        self.error(kind, start..start + len, expected, found)
    }

    /// Return the byte offset in the text of byte `at` of a scalar `value`
    /// that starts at `location`, when the scalar is written verbatim
    /// (plain, quoted without escapes, or a block scalar); else the
    /// scalar's own start.
    pub fn offset_in_value(&self, location: &Location, value: &str, at: usize) -> usize {
        let base = self.offset(location);
        let Some(after) = self.text.get(base..) else {
            return base;
        };
        // Which line of the value holds `at`, and where that line starts.
        let line_start = value
            .get(..at)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let mut search = base;
        if after.starts_with(['"', '\'']) {
            search += 1;
        }
        let mut value_offset = 0;
        for line in value.split_inclusive('\n') {
            let content = line.trim_end_matches('\n');
            let Some(found) = self.text.get(search..).and_then(|t| t.find(content)) else {
                return base;
            };
            if value_offset == line_start {
                return search + found + (at - line_start);
            }
            search += found + content.len();
            value_offset += line.len();
        }
        base
    }

    /// Build an error for a mini-language `error` inside the scalar `value`
    /// at `location`.
    pub fn syntax_error(
        &self,
        kind: ErrorKind,
        location: &Location,
        value: &str,
        error: &SyntaxError,
    ) -> ScriptError {
        let start = self.offset_in_value(location, value, error.at.min(value.len()));
        let len = error.end.saturating_sub(error.at);
        let found = if error.at >= value.trim_end().len() {
            "end of input".to_owned()
        } else {
            format!("`{}`", error.found(value))
        };
        self.error(kind, start..start + len, error.expected, Some(found))
    }
}

/// Return the largest char boundary of `text` at or below `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
