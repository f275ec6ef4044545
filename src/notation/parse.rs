//! The notation parser: text to [`SegmentPattern`].

use stack::tcp::SeqNumber;
use stack::wire::tcp::TcpFlags;

use super::cursor::{Cursor, SyntaxError};
use super::pattern::{build_options, OptionPattern, OptionsPattern, SegmentPattern};
use super::Wild;

/// Parse the segment of an `out` step: wildcards allowed, `win` optional.
pub fn parse_segment(text: &str) -> Result<SegmentPattern, SyntaxError> {
    Parser {
        c: Cursor::new(text),
        wildcards: true,
    }
    .segment()
}

/// Parse the segment of an `in` step: no wildcards, `win` required.
pub fn parse_inbound(text: &str) -> Result<SegmentPattern, SyntaxError> {
    Parser {
        c: Cursor::new(text),
        wildcards: false,
    }
    .segment()
}

/// The flag letters, in the order `Display` prints them.
const LETTERS: [(char, TcpFlags); 9] = [
    ('F', TcpFlags::FIN),
    ('S', TcpFlags::SYN),
    ('R', TcpFlags::RST),
    ('P', TcpFlags::PSH),
    ('.', TcpFlags::ACK),
    ('U', TcpFlags::URG),
    ('E', TcpFlags::ECE),
    ('W', TcpFlags::CWR),
    ('A', TcpFlags::AE),
];

/// A parse in progress.
struct Parser<'a> {
    c: Cursor<'a>,
    /// Whether `*` and `<...>` are allowed (an `out` step).
    wildcards: bool,
}

impl Parser<'_> {
    /// Read a whole segment.
    fn segment(mut self) -> Result<SegmentPattern, SyntaxError> {
        let mut flags = self.flags()?;
        let (seq, new_isn, len) = self.range(flags)?;
        let ack = self.field("ack", "an acknowledgment number")?;
        let window = self.field("win", "a window (0 to 65535)")?;
        let urgent = self.field("urg", "an urgent pointer (0 to 65535)")?;
        if self.c.eat_word("rsv") {
            let at = self.c.peek_position();
            let rsv: u16 = self.c.number("reserved bits (1 to 7)")?;
            if !(1..=7).contains(&rsv) {
                return Err(self.c.error_at(at, self.c.pos(), "reserved bits (1 to 7)"));
            }
            flags |= TcpFlags::from_bits_retain(rsv << 9);
        }
        let options = self.options()?;
        self.c
            .end("`ack`, `win`, `urg`, `rsv`, `<` options or the end of the segment")?;
        if flags.contains(TcpFlags::ACK) && ack.is_none() {
            return Err(self.missing("`ack N` (or `ack *`): the segment has the ACK flag `.`"));
        }
        if flags.contains(TcpFlags::URG) && urgent.is_none() {
            return Err(self.missing("`urg N`: the segment has the URG flag `U`"));
        }
        if !self.wildcards && window.is_none() {
            return Err(self.missing("`win N`: an injected segment needs a window"));
        }
        Ok(SegmentPattern {
            flags,
            seq,
            new_isn,
            len,
            ack,
            window,
            urgent,
            options,
        })
    }

    /// An error at the end of the input, for a field that should have been written.
    fn missing(&mut self, expected: &'static str) -> SyntaxError {
        let end = self.c.pos();
        self.c.error_at(end, end, expected)
    }

    /// Read the flags word.
    fn flags(&mut self) -> Result<TcpFlags, SyntaxError> {
        const EXPECTED: &str = "flags: letters from F S R P . U E W A, or `none`";
        let at = self.c.peek_position();
        let word = self.c.peek_word();
        if word.is_empty() {
            return Err(self.c.error_char(EXPECTED));
        }
        let mut flags = TcpFlags::empty();
        if word != "none" {
            for (i, letter) in word.char_indices() {
                let bad = self
                    .c
                    .error_at(at + i, at + i + letter.len_utf8(), EXPECTED);
                let (_, flag) = LETTERS.iter().find(|(l, _)| *l == letter).ok_or(bad)?;
                if flags.contains(*flag) {
                    return Err(SyntaxError {
                        expected: "each flag letter once",
                        ..bad
                    });
                }
                flags |= *flag;
            }
        }
        self.c.word();
        Ok(flags)
    }

    /// Read `start:end(len)`, or `*:*(len)` on a SYN in an `out` step
    /// (a new ISN); return the start, whether it is a new ISN, and the length.
    fn range(&mut self, flags: TcpFlags) -> Result<(u32, bool, u32), SyntaxError> {
        if self.c.peek() == Some('*') {
            if !self.wildcards || !flags.contains(TcpFlags::SYN) {
                return Err(self.c.error_char(
                    "a relative sequence number (`*:*` only on a SYN in an `out` step)",
                ));
            }
            self.c.eat('*');
            self.c.expect(':', "`:*` after `*`")?;
            self.c.expect('*', "`*`: a new ISN is written `*:*(len)`")?;
            self.c.expect('(', "`(` and the data length")?;
            let len: u32 = self.c.number("the data length")?;
            self.c.expect(')', "`)`")?;
            return Ok((0, true, len));
        }
        let start: u32 = self
            .c
            .number("a relative sequence number, as in `0:0(0)`")?;
        self.c.expect(':', "`:` and the end sequence number")?;
        let end_at = self.c.peek_position();
        let end: u32 = self.c.number("the end sequence number")?;
        let end_to = self.c.pos();
        self.c.expect('(', "`(` and the data length")?;
        let len: u32 = self.c.number("the data length")?;
        self.c.expect(')', "`)`")?;
        if start.wrapping_add(len) != end {
            return Err(self.c.error_at(
                end_at,
                end_to,
                "an end equal to the start plus the length",
            ));
        }
        Ok((start, false, len))
    }

    /// Read `keyword value` if `keyword` comes next.
    fn field<T: core::str::FromStr>(
        &mut self,
        keyword: &str,
        expected: &'static str,
    ) -> Result<Option<Wild<T>>, SyntaxError> {
        if !self.c.eat_word(keyword) {
            return Ok(None);
        }
        self.value(expected).map(Some)
    }

    /// Read a number, or `*` where wildcards are allowed.
    fn value<T: core::str::FromStr>(
        &mut self,
        expected: &'static str,
    ) -> Result<Wild<T>, SyntaxError> {
        if self.c.peek() == Some('*') {
            if !self.wildcards {
                return Err(self
                    .c
                    .error_char("a number (wildcards only in `out` steps)"));
            }
            self.c.eat('*');
            return Ok(Wild::Any);
        }
        self.c.number(expected).map(Wild::Exact)
    }

    /// Read `<options>`, `<...>` or nothing.
    fn options(&mut self) -> Result<OptionsPattern, SyntaxError> {
        let open = self.c.peek_position();
        if !self.c.eat('<') {
            return Ok(OptionsPattern::List(Vec::new()));
        }
        if self.c.rest().trim_start().starts_with("...") {
            if !self.wildcards {
                return Err(self.c.error_word("options (`<...>` only in `out` steps)"));
            }
            self.c.word();
            self.c.expect('>', "`>`")?;
            return Ok(OptionsPattern::Any);
        }
        let mut list = Vec::new();
        loop {
            list.push(self.option()?);
            if self.c.eat('>') {
                break;
            }
            self.c.expect(',', "`,` and another option, or `>`")?;
        }
        // Check the list makes a well-formed area, wildcards as zeros.
        let concrete: Vec<OptionPattern> = list.iter().map(zero_wildcards).collect();
        if build_options(&concrete, SeqNumber(0)).is_none() {
            let close = self.c.pos();
            return Err(self.c.error_at(
                open,
                close,
                "options that fit in 40 bytes, each well-formed",
            ));
        }
        Ok(OptionsPattern::List(list))
    }

    /// Read one option.
    fn option(&mut self) -> Result<OptionPattern, SyntaxError> {
        const EXPECTED: &str = "an option: eol, nop, mss, wscale, sackOK, sack, TS or opt";
        let option = match self.c.peek_word() {
            "eol" => {
                self.c.word();
                OptionPattern::Eol(self.hex()?)
            }
            "nop" => {
                self.c.word();
                OptionPattern::Nop
            }
            "sackOK" => {
                self.c.word();
                OptionPattern::SackPermitted
            }
            "mss" => {
                self.c.word();
                OptionPattern::Mss(self.value("an MSS (0 to 65535)")?)
            }
            "wscale" => {
                self.c.word();
                OptionPattern::WindowScale(self.value("a shift count (0 to 255)")?)
            }
            "sack" => {
                self.c.word();
                OptionPattern::Sack(self.sack_blocks()?)
            }
            "TS" => {
                self.c.word();
                self.c.expect_word("val", "`val`")?;
                let val = self.value("a TSval (0 to 4294967295)")?;
                self.c.expect_word("ecr", "`ecr`")?;
                OptionPattern::Timestamps {
                    val,
                    ecr: self.value("a TSecr (0 to 4294967295)")?,
                }
            }
            "opt" => {
                self.c.word();
                let kind = self.c.number("an option kind (0 to 255)")?;
                OptionPattern::Unknown {
                    kind,
                    data: self.hex()?,
                }
            }
            _ => return Err(self.c.error_word(EXPECTED)),
        };
        Ok(option)
    }

    /// Read `*` or one to four `left:right` blocks.
    fn sack_blocks(&mut self) -> Result<Wild<Vec<(u32, u32)>>, SyntaxError> {
        if self.c.peek() == Some('*') {
            self.value::<u32>("SACK blocks")?;
            return Ok(Wild::Any);
        }
        let mut blocks = Vec::new();
        loop {
            let left = self.c.number("a SACK block `left:right`")?;
            self.c.expect(':', "`:` and the block's right edge")?;
            blocks.push((left, self.c.number("the block's right edge")?));
            if !self.c.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Ok(Wild::Exact(blocks));
            }
        }
    }

    /// Read an optional word of hex digit pairs.
    fn hex(&mut self) -> Result<Vec<u8>, SyntaxError> {
        const EXPECTED: &str = "hex bytes (two digits each)";
        if matches!(self.c.peek(), Some(',' | '>') | None) {
            return Ok(Vec::new());
        }
        let at = self.c.peek_position();
        let word = self.c.peek_word();
        let bad = self.c.error_at(at, at + word.len().max(1), EXPECTED);
        if word.is_empty()
            || !word.len().is_multiple_of(2)
            || !word.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad);
        }
        let bytes = (0..word.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&word[i..i + 2], 16).map_err(|_| bad))
            .collect::<Result<Vec<u8>, _>>()?;
        self.c.word();
        Ok(bytes)
    }
}

/// Return an option with its wildcards replaced by zeros.
fn zero_wildcards(option: &OptionPattern) -> OptionPattern {
    let zero = |w: &Wild<u32>| Wild::Exact(w.exact().unwrap_or(0));
    match option {
        OptionPattern::Mss(w) => OptionPattern::Mss(Wild::Exact(w.exact().unwrap_or(0))),
        OptionPattern::WindowScale(w) => {
            OptionPattern::WindowScale(Wild::Exact(w.exact().unwrap_or(0)))
        }
        OptionPattern::Sack(Wild::Any) => OptionPattern::Sack(Wild::Exact(vec![(0, 0)])),
        OptionPattern::Timestamps { val, ecr } => OptionPattern::Timestamps {
            val: zero(val),
            ecr: zero(ecr),
        },
        other => other.clone(),
    }
}
