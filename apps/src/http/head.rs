//! The pieces request and response heads share: the HTTP version, line
//! ends, field lines (also used for trailers) and the head size limit.

use super::scan::{run, trim_ows, value_run, TCHAR};
use super::{Error, Header, Status, Version};

/// Unwrap a `Status::Complete` or return `Ok(Status::Partial)`.
macro_rules! complete {
    ($e:expr) => {
        match $e? {
            Status::Complete(item) => item,
            Status::Partial => return Ok(Status::Partial),
        }
    };
}
pub(crate) use complete;

/// Parse `HTTP-version` (RFC 9112 2.3) at the start of `buf`, 8 bytes.
pub(crate) fn version(buf: &[u8]) -> Result<Status<Version>, Error> {
    match buf.get(..8) {
        Some(b"HTTP/1.1") => return Ok(Status::Complete(Version::Http11)),
        Some(b"HTTP/1.0") => return Ok(Status::Complete(Version::Http10)),
        _ => {}
    }
    for (i, &b) in buf.iter().take(8).enumerate() {
        let ok = match i {
            5 | 7 => b.is_ascii_digit(),
            6 => b == b'.',
            _ => b"HTTP/".get(i) == Some(&b),
        };
        if !ok {
            return Err(Error::Version);
        }
    }
    match (buf.get(5), buf.get(7)) {
        (Some(b'1'), Some(b'0')) => Ok(Status::Complete(Version::Http10)),
        // RFC 9110 6.2: a higher minor version is processed as the highest
        // one implemented.
        (Some(b'1'), Some(_)) => Ok(Status::Complete(Version::Http11)),
        (Some(_), Some(_)) => Err(Error::VersionNotSupported),
        _ => Ok(Status::Partial),
    }
}

/// Check that `buf` starts with CRLF (RFC 9112 2.2); any byte other than
/// CR or LF is the error `other`.
#[inline]
pub(crate) fn line_end(buf: &[u8], other: Error) -> Result<Status<()>, Error> {
    match buf {
        [] | [b'\r'] => Ok(Status::Partial),
        [b'\r', b'\n', ..] => Ok(Status::Complete(())),
        [b'\r' | b'\n', ..] => Err(Error::LineEnding),
        _ => Err(other),
    }
}

/// Parse one field line (RFC 9112 5) at the start of `buf`; return it and
/// the length of the line with its CRLF.
#[inline(always)]
pub(crate) fn field_line(buf: &[u8]) -> Result<Status<(Header<'_>, usize)>, Error> {
    // The name, colon and OWS are all VALUE bytes: the run of them from the
    // start of the line ends where the value does, if the name is valid.
    // Scanned first, so that where the line ends (and the next one
    // starts) does not wait for the name's scan.
    let line_len = value_run(buf, 0);
    let name_len = run(buf, &TCHAR);
    match buf.get(name_len) {
        None => return Ok(Status::Partial),
        Some(b':') if name_len > 0 => {}
        // RFC 9112 5.1: a server MUST reject whitespace before the colon.
        Some(b' ' | b'\t') if name_len > 0 => return Err(Error::WhitespaceBeforeColon),
        // RFC 9112 5.2 (obs-fold) and 2.2 (whitespace after the start line).
        Some(b' ' | b'\t') => return Err(Error::ObsFold),
        Some(_) => return Err(Error::HeaderName),
    }
    complete!(line_end(
        buf.get(line_len..).unwrap_or_default(),
        Error::HeaderValue
    ));
    // After a colon, so `line_len` is past it.
    let value = buf.get(name_len + 1..line_len).unwrap_or_default();
    // Leading and trailing OWS are not part of the value (RFC 9112 5.1).
    let header = Header {
        name: buf.get(..name_len).unwrap_or_default(),
        value: trim_field_value(value),
    };
    Ok(Status::Complete((header, line_len + 2)))
}

/// Return a field value without its leading and trailing OWS (RFC 9112
/// 5.1): [`trim_ows`], with a shortcut for what nearly every field line
/// has, one SP after the colon and none at the end.
#[inline(always)]
fn trim_field_value(value: &[u8]) -> &[u8] {
    let ows = |b: u8| b == b' ' || b == b'\t';
    if let [b' ', rest @ ..] = value {
        match rest {
            [first, .., last] if !ows(*first) && !ows(*last) => return rest,
            [only] if !ows(*only) => return rest,
            _ => {}
        }
    }
    trim_ows(value)
}

/// Parse the field lines of `buf` from `pos` on, up to and including the
/// empty line, into `headers`; return where the head ends and how many
/// field lines were read.
#[inline]
pub(crate) fn fields<'b>(
    buf: &'b [u8],
    mut pos: usize,
    headers: &mut [Header<'b>],
) -> Result<Status<(usize, usize)>, Error> {
    let mut count = 0;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        match rest.first() {
            None => return Ok(Status::Partial),
            Some(b'\r' | b'\n') => {
                complete!(line_end(rest, Error::LineEnding));
                return Ok(Status::Complete((pos + 2, count)));
            }
            Some(_) => {}
        }
        let Some(slot) = headers.get_mut(count) else {
            return Err(Error::TooManyHeaders);
        };
        let (header, len) = complete!(field_line(rest));
        *slot = header;
        count += 1;
        pos += len;
    }
}

/// Parse a head with `parse`, on at most `limit` bytes of `buf`: a head
/// still partial at the limit is [`Error::HeadTooLarge`], so the limit
/// fails as soon as it is crossed, and a head within it parses the same
/// whatever follows it.
#[inline]
pub(crate) fn within<'b, T>(
    buf: &'b [u8],
    limit: usize,
    too_large: Error,
    parse: impl FnOnce(&'b [u8]) -> Result<Status<T>, Error>,
) -> Result<Status<T>, Error> {
    let view = buf.get(..limit).unwrap_or(buf);
    match parse(view)? {
        Status::Partial if buf.len() > view.len() => Err(too_large),
        status => Ok(status),
    }
}

/// Return the bytes `emit_fields` writes for `headers` and the empty line.
pub(crate) fn fields_len(headers: &[Header<'_>]) -> usize {
    headers
        .iter()
        .map(|h| h.name.len() + 2 + h.value.len() + 2)
        .sum::<usize>()
        + 2
}

/// A cursor that writes into a buffer checked to be large enough.
pub(crate) struct Out<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Out<'a> {
    /// Write into `buf` from its start.
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Out { buf, pos: 0 }
    }

    /// Append `bytes`.
    ///
    /// # Panics
    ///
    /// If the buffer is too short: callers check its length first.
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }

    /// Append each field line of `headers`, then the empty line.
    pub(crate) fn fields(&mut self, headers: &[Header<'_>]) {
        for header in headers {
            self.put(header.name);
            self.put(b": ");
            self.put(header.value);
            self.put(b"\r\n");
        }
        self.put(b"\r\n");
    }

    /// Return how many bytes were written.
    pub(crate) fn len(&self) -> usize {
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{trim_field_value, trim_ows};

    #[test]
    fn the_shortcut_trims_as_trim_ows_does() {
        for value in [
            &b""[..],
            b" ",
            b"  ",
            b" a",
            b"a",
            b" ab",
            b"  a",
            b" \ta",
            b" a ",
            b" a\t",
            b"\ta",
        ] {
            assert_eq!(trim_field_value(value), trim_ows(value), "{value:?}");
        }
    }

    proptest! {
        #[test]
        fn trim_field_value_is_trim_ows(
            value in proptest::collection::vec(prop::sample::select(vec![b' ', b'\t', b'a']), 0..8)
        ) {
            prop_assert_eq!(trim_field_value(&value), trim_ows(&value));
        }
    }
}
