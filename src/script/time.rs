//! Durations (`200ms`, `1.5s`, `2msl`) and time bounds (`0.1`, `+0.2`,
//! `+0.2~+0.4`, `*`): the grammars of `wait`, `silent`, `at` and `within`.
//!
//! ```text
//! duration = number [unit]          a number alone is seconds, as in packetdrill
//! number   = digits ["." digits]    exact to the microsecond; no float rounding
//! unit     = "us" | "ms" | "s" | "min" | "h" | "msl"
//! bound    = "*" | point ["~" point]
//! point    = ["+"] duration         "+" is relative to the previous step's time
//! ```
//!
//! `msl` multiples are kept symbolic ([`Duration::Msl`]) and resolved against
//! the script's `config.msl` by the runner: `2msl` is the TIME-WAIT of
//! RFC 9293 3.4 (MUST-13) whatever MSL the script chose.

use core::fmt;
use core::time::Duration as StdDuration;

use crate::notation::cursor::Cursor;
use crate::notation::SyntaxError;

/// A length of time as a script writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    /// A fixed length (`200ms`, `1.5s`, `0.2`).
    Fixed(StdDuration),
    /// A whole number of MSLs (`2msl`), resolved with [`Duration::resolve`].
    Msl(u32),
}

impl Duration {
    /// Return the length of time, given the maximum segment lifetime.
    pub fn resolve(self, msl: StdDuration) -> StdDuration {
        match self {
            Duration::Fixed(d) => d,
            Duration::Msl(n) => msl.saturating_mul(n),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Duration::Msl(1) => f.write_str("msl"),
            Duration::Msl(n) => write!(f, "{n}msl"),
            Duration::Fixed(d) => {
                let us = d.as_micros();
                if us % 1_000_000 == 0 {
                    write!(f, "{}s", us / 1_000_000)
                } else if us % 1_000 == 0 {
                    write!(f, "{}ms", us / 1_000)
                } else {
                    write!(f, "{us}us")
                }
            }
        }
    }
}

/// What a duration's text must look like.
const EXPECTED_DURATION: &str = "a duration such as `200ms`, `1.5s`, `2msl` or `0.2`";

/// Parse a whole duration, e.g. the value of `wait:` or `silent:`.
pub fn parse_duration(text: &str) -> Result<Duration, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let duration = duration(&mut cursor)?;
    cursor.end("the end of the duration")?;
    Ok(duration)
}

/// Read one duration word.
pub(crate) fn duration(cursor: &mut Cursor<'_>) -> Result<Duration, SyntaxError> {
    let at = cursor.peek_position();
    let word = cursor.peek_word();
    let bad = SyntaxError {
        at,
        end: at + word.len(),
        expected: EXPECTED_DURATION,
    };
    let split = word
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(word.len());
    let (number, unit) = word.split_at(split);
    let micros_per_unit: u64 = match unit {
        "us" => 1,
        "ms" => 1_000,
        "" | "s" => 1_000_000,
        "min" => 60_000_000,
        "h" => 3_600_000_000,
        "msl" => {
            let n = match number {
                "" => 1,
                n => n.parse().map_err(|_| bad)?,
            };
            cursor.word();
            return Ok(Duration::Msl(n));
        }
        _ => return Err(bad),
    };
    let micros = scaled(number, micros_per_unit).ok_or(bad)?;
    cursor.word();
    Ok(Duration::Fixed(StdDuration::from_micros(micros)))
}

/// Return `number` (decimal, with an optional fraction) times `scale`,
/// exactly; `None` if it is malformed, overflows or is finer than 1 us.
fn scaled(number: &str, scale: u64) -> Option<u64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_ok(whole) || !digits_ok(fraction) {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    let mut value = whole.parse::<u64>().ok()?.checked_mul(scale)?;
    let mut place = scale;
    for digit in fraction.bytes() {
        if !place.is_multiple_of(10) {
            return None;
        }
        place /= 10;
        value = value.checked_add(u64::from(digit - b'0') * place)?;
    }
    Some(value)
}

/// A point in time a step is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimePoint {
    /// Counted from the start of the script (`0.1`).
    Absolute(Duration),
    /// Counted from the time of the previous step (`+0.1`).
    Relative(Duration),
}

impl fmt::Display for TimePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimePoint::Absolute(d) => write!(f, "{d}"),
            TimePoint::Relative(d) => write!(f, "+{d}"),
        }
    }
}

/// When a step happens (for `in` and calls) or must happen (for `out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeBound {
    /// At any time (`*`), or no bound written: an `out` is then awaited
    /// until the runner's deadline, an `in` is injected at once.
    #[default]
    Any,
    /// At this time.
    At(TimePoint),
    /// Between these times, both included (`+0.2~+0.4`; `within: 200ms`
    /// is `+0~+200ms`).
    Between(TimePoint, TimePoint),
}

impl fmt::Display for TimeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBound::Any => f.write_str("*"),
            TimeBound::At(p) => write!(f, "{p}"),
            TimeBound::Between(a, b) => write!(f, "{a}~{b}"),
        }
    }
}

/// What a time bound must look like.
const EXPECTED_POINT: &str = "a time such as `0.1`, `+0.2` or `+200ms`";

/// Parse a whole time bound, e.g. the value of `at:`.
pub fn parse_time_bound(text: &str) -> Result<TimeBound, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let bound = time_bound(&mut cursor)?;
    cursor.end("the end of the time (`~` for a range)")?;
    Ok(bound)
}

/// Parse the value of `within:`: a duration `d`, meaning `+0~+d`.
pub fn parse_within(text: &str) -> Result<TimeBound, SyntaxError> {
    let upper = parse_duration(text)?;
    let zero = Duration::Fixed(StdDuration::ZERO);
    Ok(TimeBound::Between(
        TimePoint::Relative(zero),
        TimePoint::Relative(upper),
    ))
}

/// Read a time bound.
pub(crate) fn time_bound(cursor: &mut Cursor<'_>) -> Result<TimeBound, SyntaxError> {
    if cursor.eat('*') {
        return Ok(TimeBound::Any);
    }
    let first = time_point(cursor)?;
    if cursor.eat('~') {
        let second = time_point(cursor)?;
        return Ok(TimeBound::Between(first, second));
    }
    Ok(TimeBound::At(first))
}

/// Read `["+"] duration`.
fn time_point(cursor: &mut Cursor<'_>) -> Result<TimePoint, SyntaxError> {
    let word = cursor.peek_word();
    if word.is_empty() {
        return Err(cursor.error_char(EXPECTED_POINT));
    }
    if let Some(rest) = word.strip_prefix('+') {
        let at = cursor.peek_position() + 1;
        let duration = parse_duration(rest).map_err(|e| e.shifted(at))?;
        cursor.word();
        Ok(TimePoint::Relative(duration))
    } else {
        duration(cursor)
            .map(TimePoint::Absolute)
            .map_err(|e| SyntaxError {
                expected: EXPECTED_POINT,
                ..e
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::Fixed(StdDuration::from_millis(n))
    }

    #[test]
    fn durations_parse_exactly() {
        assert_eq!(parse_duration("200ms"), Ok(ms(200)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1500)));
        assert_eq!(parse_duration("0.2"), Ok(ms(200)));
        assert_eq!(parse_duration("2msl"), Ok(Duration::Msl(2)));
        assert_eq!(parse_duration("msl"), Ok(Duration::Msl(1)));
        assert_eq!(parse_duration("2h"), Ok(ms(7_200_000)));
        assert_eq!(
            parse_duration(" 10us "),
            Ok(Duration::Fixed(StdDuration::from_micros(10)))
        );
        assert_eq!(
            parse_duration("0.000001"),
            Ok(Duration::Fixed(StdDuration::from_micros(1)))
        );
    }

    #[test]
    fn bad_durations_point_at_the_word() {
        for text in [
            "",
            "ms",
            "1.5.2s",
            "1.s",
            "2 days",
            "0.0000001s",
            "1.5msl",
            "fast",
            "-1s",
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(err.end <= text.len(), "{text}: {err:?}");
        }
        let err = parse_duration("2 days").unwrap_err();
        assert_eq!((err.at, err.end), (2, 6));
        let err = parse_duration("3parsecs").unwrap_err();
        assert_eq!((err.at, err.end, err.expected), (0, 8, EXPECTED_DURATION));
        assert!(parse_duration("99999999999999h").is_err());
    }

    #[test]
    fn durations_display_as_written() {
        for text in ["200ms", "2s", "15us", "2msl", "msl"] {
            assert_eq!(parse_duration(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Duration::Msl(2).resolve(StdDuration::from_secs(30)),
            StdDuration::from_secs(60)
        );
    }

    #[test]
    fn time_bounds() {
        use TimePoint::*;
        assert_eq!(parse_time_bound("*"), Ok(TimeBound::Any));
        assert_eq!(
            parse_time_bound("0.1"),
            Ok(TimeBound::At(Absolute(ms(100))))
        );
        assert_eq!(
            parse_time_bound("+0.2"),
            Ok(TimeBound::At(Relative(ms(200))))
        );
        assert_eq!(
            parse_time_bound("+0.2~+0.4"),
            Ok(TimeBound::Between(Relative(ms(200)), Relative(ms(400))))
        );
        assert_eq!(
            parse_within("200ms"),
            Ok(TimeBound::Between(Relative(ms(0)), Relative(ms(200))))
        );
        assert_eq!(
            parse_time_bound("+0.2~+0.4").unwrap().to_string(),
            "+200ms~+400ms"
        );
        let err = parse_time_bound("+0.2~+x").unwrap_err();
        assert_eq!((err.at, err.end), (6, 7));
        let err = parse_time_bound("+0.2 0.3").unwrap_err();
        assert_eq!((err.at, err.end), (5, 8));
    }
}
