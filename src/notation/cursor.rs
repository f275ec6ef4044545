//! A byte cursor over one line of a mini-language, and its error type.
//!
//! Every small grammar in a script (segment notation, socket calls,
//! durations, ARP/ICMP/UDP lines, hex frames) reads its text through a
//! [`Cursor`], so that every error is a [`SyntaxError`] holding the byte
//! range at fault: the script loader adds the YAML line and column.

use core::fmt;
use core::net::Ipv4Addr;

/// What a mini-language parser expected, and where in its input it failed.
///
/// `at..end` is a byte range of the input (`at == end` at the end of the
/// input); [`found`](Self::found) quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte offset where the unexpected text starts.
    pub at: usize,
    /// The byte offset just past the unexpected text.
    pub end: usize,
    /// What would have been accepted there, e.g. "`win`, `urg` or `<`".
    pub expected: &'static str,
}

/// What [`SyntaxError::expected`] says when an IPv4 address is malformed, so
/// that a caller can tell a bad address from other syntax errors.
pub const EXPECTED_ADDRESS: &str = "an IPv4 address (a.b.c.d)";

impl SyntaxError {
    /// Return the text the error quotes, or "end of input".
    pub fn found<'a>(&self, input: &'a str) -> &'a str {
        match input.get(self.at..self.end) {
            Some("") | None => "end of input",
            Some(text) => text,
        }
    }

    /// Return whether the error is a malformed IPv4 address.
    pub fn is_address(&self) -> bool {
        self.expected == EXPECTED_ADDRESS
    }

    /// Return the error with its range moved `by` bytes to the right, for
    /// a text parsed out of a longer one.
    pub fn shifted(self, by: usize) -> SyntaxError {
        SyntaxError {
            at: self.at + by,
            end: self.end + by,
            expected: self.expected,
        }
    }

    /// Return a value that displays as `column N: expected X, found Y`.
    pub fn display<'a>(&'a self, input: &'a str) -> impl fmt::Display + 'a {
        DisplayError { error: self, input }
    }
}

/// The `Display` of a [`SyntaxError`] with its input.
struct DisplayError<'a> {
    error: &'a SyntaxError,
    input: &'a str,
}

impl fmt::Display for DisplayError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = self
            .input
            .get(..self.error.at)
            .map_or(0, |s| s.chars().count())
            + 1;
        let found = self.error.found(self.input);
        write!(
            f,
            "column {column}: expected {}, found ",
            self.error.expected
        )?;
        if self.error.at >= self.input.len() {
            f.write_str(found)
        } else {
            write!(f, "`{found}`")
        }
    }
}

/// A cursor over a mini-language input. Spaces separate tokens; a token is
/// a run of characters that are neither spaces nor one of the punctuation
/// characters the grammar names.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    input: &'a str,
    pos: usize,
}

/// Characters that end a word (besides spaces).
const PUNCTUATION: &[u8] = b"()<>,:=~*";

impl<'a> Cursor<'a> {
    /// Start at the beginning of `input`.
    pub(crate) fn new(input: &'a str) -> Cursor<'a> {
        Cursor { input, pos: 0 }
    }

    /// Return the byte offset of the next unread character.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Return the input not read yet.
    pub(crate) fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    /// Skip spaces and tabs.
    pub(crate) fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Return whether only spaces are left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_space();
        self.rest().is_empty()
    }

    /// Fail unless only spaces are left.
    pub(crate) fn end(&mut self, expected: &'static str) -> Result<(), SyntaxError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error_word(expected))
        }
    }

    /// Return the next character after spaces, without reading it.
    pub(crate) fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.rest().chars().next()
    }

    /// Read `c` (after spaces) if it comes next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Read `c` (after spaces), or fail.
    pub(crate) fn expect(&mut self, c: char, expected: &'static str) -> Result<(), SyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error_word(expected))
        }
    }

    /// Return the next word (after spaces) without reading it.
    pub(crate) fn peek_word(&mut self) -> &'a str {
        self.skip_space();
        let rest = self.rest();
        let len = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace() || PUNCTUATION.contains(&b))
            .unwrap_or(rest.len());
        &rest[..len]
    }

    /// Read the next word (after spaces); empty at punctuation or the end.
    pub(crate) fn word(&mut self) -> &'a str {
        let word = self.peek_word();
        self.pos += word.len();
        word
    }

    /// Read (after spaces) the longest run of characters satisfying `keep`.
    pub(crate) fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        self.skip_space();
        let rest = self.rest();
        let len = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// Read `keyword` if it is the next word.
    pub(crate) fn eat_word(&mut self, keyword: &str) -> bool {
        if self.peek_word() == keyword {
            self.pos += keyword.len();
            true
        } else {
            false
        }
    }

    /// Read `keyword` as the next word, or fail.
    pub(crate) fn expect_word(
        &mut self,
        keyword: &str,
        expected: &'static str,
    ) -> Result<(), SyntaxError> {
        if self.eat_word(keyword) {
            Ok(())
        } else {
            Err(self.error_word(expected))
        }
    }

    /// Read a decimal number of type `T` (a word of digits), or fail.
    pub(crate) fn number<T: core::str::FromStr>(
        &mut self,
        expected: &'static str,
    ) -> Result<T, SyntaxError> {
        let start = self.peek_position();
        let word = self.peek_word();
        if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error_word(expected));
        }
        let value = word.parse().map_err(|_| SyntaxError {
            at: start,
            end: start + word.len(),
            expected,
        })?;
        self.pos += word.len();
        Ok(value)
    }

    /// Read a dotted-quad IPv4 address, or fail with [`EXPECTED_ADDRESS`].
    pub(crate) fn ipv4(&mut self) -> Result<Ipv4Addr, SyntaxError> {
        let word = self.peek_word();
        let addr = word
            .parse()
            .map_err(|_| self.error_word(EXPECTED_ADDRESS))?;
        self.pos += word.len();
        Ok(addr)
    }

    /// Return the offset of the next non-space character.
    pub(crate) fn peek_position(&mut self) -> usize {
        self.skip_space();
        self.pos
    }

    /// Build an error covering the next word (or the next character when
    /// the next thing is punctuation).
    pub(crate) fn error_word(&mut self, expected: &'static str) -> SyntaxError {
        let at = self.peek_position();
        let word = self.peek_word();
        if word.is_empty() {
            return self.error_char(expected);
        }
        SyntaxError {
            at,
            end: at + word.len(),
            expected,
        }
    }

    /// Build an error covering the next character.
    pub(crate) fn error_char(&mut self, expected: &'static str) -> SyntaxError {
        let at = self.peek_position();
        let len = self.rest().chars().next().map_or(0, char::len_utf8);
        SyntaxError {
            at,
            end: at + len,
            expected,
        }
    }

    /// Build an error covering `at..end`.
    pub(crate) fn error_at(&self, at: usize, end: usize, expected: &'static str) -> SyntaxError {
        SyntaxError { at, end, expected }
    }
}
