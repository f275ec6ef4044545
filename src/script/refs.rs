//! `refs`: RFC sections and RFC 9293 Appendix B requirement ids.
//!
//! ```text
//! ref = "rfc" digits ["#" section]      rfc9293#3.10.7.4, rfc5961
//!     | level "-" digits                MUST-10, SHLD-4, MAY-2, REC-1
//! ```
//!
//! Requirement ids are checked against the list in
//! `conformance/rfc9293-appendix-b.md`, built into the crate.

use core::fmt;
use std::sync::OnceLock;

/// The level of an RFC 9293 Appendix B requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// MUST (or MUST NOT).
    Must,
    /// SHOULD (or SHOULD NOT), written SHLD.
    Should,
    /// MAY.
    May,
    /// RECOMMENDED, written REC.
    Recommended,
}

impl Level {
    /// Return the prefix Appendix B writes.
    pub const fn prefix(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHLD",
            Level::May => "MAY",
            Level::Recommended => "REC",
        }
    }
}

/// An RFC 9293 Appendix B id such as MUST-10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    /// MUST, SHLD, MAY or REC.
    pub level: Level,
    /// The number after the dash.
    pub number: u16,
}

impl Requirement {
    /// Parse `MUST-10` and the like (whether or not Appendix B lists it).
    pub fn parse(text: &str) -> Option<Requirement> {
        let (prefix, number) = text.split_once('-')?;
        let level = [Level::Must, Level::Should, Level::May, Level::Recommended]
            .into_iter()
            .find(|l| l.prefix() == prefix)?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Requirement {
            level,
            number: number.parse().ok()?,
        })
    }

    /// Return the one-line summary Appendix B gives, or `None` if it does
    /// not list the id.
    pub fn summary(self) -> Option<&'static str> {
        appendix_b()
            .iter()
            .find(|(r, _)| *r == self)
            .map(|(_, s)| *s)
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.level.prefix(), self.number)
    }
}

/// Return every id in RFC 9293 Appendix B with its summary, in the order of
/// `conformance/rfc9293-appendix-b.md`.
pub fn appendix_b() -> &'static [(Requirement, &'static str)] {
    static LIST: OnceLock<Vec<(Requirement, &'static str)>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../conformance/rfc9293-appendix-b.md")
            .lines()
            .filter_map(|line| {
                let mut cells = line.strip_prefix('|')?.split('|').map(str::trim);
                let id = Requirement::parse(cells.next()?)?;
                Some((id, cells.next()?))
            })
            .collect()
    })
}

/// A reference a script cites.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ref {
    /// An RFC, and a section in it if given.
    Rfc {
        /// The RFC number.
        number: u32,
        /// The section, e.g. `3.10.7.4`.
        section: Option<String>,
    },
    /// An RFC 9293 Appendix B requirement.
    Requirement(Requirement),
}

/// Why a `refs` entry was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    /// Neither `rfcN[#section]` nor a requirement id.
    Malformed,
    /// A requirement id Appendix B does not list.
    Unknown,
}

impl Ref {
    /// Parse a `refs` entry, checking requirement ids against Appendix B.
    pub fn parse(text: &str) -> Result<Ref, RefError> {
        if let Some(rest) = text.strip_prefix("rfc") {
            let (number, section) = match rest.split_once('#') {
                Some((n, s)) => (n, Some(s)),
                None => (rest, None),
            };
            let number_ok = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
            let section_ok = section.is_none_or(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            });
            return match (number_ok, section_ok, number.parse()) {
                (true, true, Ok(number)) => Ok(Ref::Rfc {
                    number,
                    section: section.map(str::to_owned),
                }),
                _ => Err(RefError::Malformed),
            };
        }
        let id = Requirement::parse(text).ok_or(RefError::Malformed)?;
        id.summary().ok_or(RefError::Unknown)?;
        Ok(Ref::Requirement(id))
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Rfc {
                number,
                section: Some(s),
            } => write!(f, "rfc{number}#{s}"),
            Ref::Rfc {
                number,
                section: None,
            } => write!(f, "rfc{number}"),
            Ref::Requirement(id) => write!(f, "{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_b_is_read_from_the_list() {
        let list = appendix_b();
        assert_eq!(list.len(), 69 + 31 + 18 + 1);
        assert_eq!(list[0].0.to_string(), "MUST-1");
        assert_eq!(
            Requirement::parse("MUST-13").and_then(Requirement::summary),
            Some("TIME-WAIT lasts 2MSL")
        );
        assert!(list.iter().any(|(r, _)| r.to_string() == "REC-1"));
    }

    #[test]
    fn refs_parse_and_validate() {
        assert_eq!(
            Ref::parse("rfc9293#3.5").unwrap().to_string(),
            "rfc9293#3.5"
        );
        assert_eq!(
            Ref::parse("rfc5961"),
            Ok(Ref::Rfc {
                number: 5961,
                section: None
            })
        );
        assert_eq!(Ref::parse("MUST-10").unwrap().to_string(), "MUST-10");
        assert_eq!(Ref::parse("SHLD-31").unwrap().to_string(), "SHLD-31");
        assert_eq!(Ref::parse("MUST-70"), Err(RefError::Unknown));
        assert_eq!(Ref::parse("MAY-19"), Err(RefError::Unknown));
        for bad in [
            "RFC9293", "rfc", "rfc93x", "rfc9293#", "MUST10", "MUST-", "must-1", "SHOULD-1",
        ] {
            assert_eq!(Ref::parse(bad), Err(RefError::Malformed), "{bad}");
        }
    }
}
