//! Responses: the status line (RFC 9112 4), then the shared head rules.

use super::framing::{self, Body};
use super::head::{self, complete, Out};
use super::scan::value_run;
use super::{Error, Header, Limits, Status, Version};

/// A parsed response head, borrowing the input and the field-line array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'b, 'h> {
    /// The HTTP version.
    pub version: Version,
    /// The status code, from 100 to 999 (RFC 9110 15: a client treats an
    /// unknown code as the x00 of its class, and one over 599 as a 5xx).
    pub code: u16,
    /// The reason phrase, possibly empty; clients SHOULD ignore it.
    pub reason: &'b [u8],
    /// The field lines, in order.
    pub headers: &'h [Header<'b>],
    /// The length of the head, up to the end of the empty line: the body
    /// starts here.
    pub head_len: usize,
    /// How the body is delimited, given the request method.
    pub body: Body,
    /// Whether the connection persists after this response (RFC 9112 9.3).
    pub keep_alive: bool,
}

/// The status line.
struct Line<'b> {
    version: Version,
    code: u16,
    reason: &'b [u8],
    /// Where the field lines start.
    end: usize,
}

impl<'b, 'h> Response<'b, 'h> {
    /// Parse a response head at the start of `buf`, filling `headers`.
    /// `request_method` is the method of the request this answers, which
    /// the framing depends on (HEAD and CONNECT, RFC 9112 6.3).
    ///
    /// Return `Ok(Status::Partial)` while `buf` is a valid beginning of a
    /// head, and an error as soon as it cannot be one.
    pub fn parse(
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
        request_method: &[u8],
        limits: &Limits,
    ) -> Result<Status<Self>, Error> {
        let (line, head_len, count) = complete!(head::within(
            buf,
            limits.max_head_len,
            Error::HeadTooLarge,
            |view| {
                let line = complete!(status_line(view));
                let (end, count) = complete!(head::fields(view, line.end, headers));
                Ok(Status::Complete((line, end, count)))
            }
        ));
        let headers: &'h [Header<'b>] = headers;
        let headers = headers.get(..count).unwrap_or_default();
        let (body, keep_alive) =
            framing::response(line.version, line.code, request_method, headers)?;
        Ok(Status::Complete(Response {
            version: line.version,
            code: line.code,
            reason: line.reason,
            headers,
            head_len,
            body,
            keep_alive,
        }))
    }

    /// Return the length of the head [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        8 + 1 + 3 + 1 + self.reason.len() + 2 + head::fields_len(self.headers)
    }

    /// Write the head: the status line, the field lines as `name: value`,
    /// and the empty line. Return its length, [`buffer_len`](Self::buffer_len).
    ///
    /// # Panics
    ///
    /// If `out` is shorter than [`buffer_len`](Self::buffer_len), or the
    /// code is over 999.
    pub fn emit(&self, out: &mut [u8]) -> usize {
        assert!(
            self.code <= 999,
            "status code {} is not 3 digits",
            self.code
        );
        let digits = [100, 10, 1].map(|unit| b'0' + (self.code / unit % 10) as u8);
        let mut out = Out::new(out);
        out.put(self.version.as_bytes());
        out.put(b" ");
        out.put(&digits);
        out.put(b" ");
        out.put(self.reason);
        out.put(b"\r\n");
        out.fields(self.headers);
        out.len()
    }
}

/// Parse the status line (RFC 9112 4):
/// `HTTP-version SP status-code SP [ reason-phrase ] CRLF`.
#[inline]
fn status_line(buf: &[u8]) -> Result<Status<Line<'_>>, Error> {
    let version = complete!(head::version(buf));
    match buf.get(8) {
        None => return Ok(Status::Partial),
        Some(b' ') => {}
        Some(_) => return Err(Error::Version),
    }
    let mut code = 0u16;
    for &b in buf.iter().skip(9).take(3) {
        if !b.is_ascii_digit() {
            return Err(Error::StatusCode);
        }
        code = code * 10 + u16::from(b - b'0');
    }
    match buf.get(12) {
        None => return Ok(Status::Partial),
        Some(b' ') if code >= 100 => {}
        Some(_) => return Err(Error::StatusCode),
    }
    let rest = buf.get(13..).unwrap_or_default();
    let reason_len = value_run(buf, 13);
    complete!(head::line_end(
        rest.get(reason_len..).unwrap_or_default(),
        Error::Reason
    ));
    Ok(Status::Complete(Line {
        version,
        code,
        reason: rest.get(..reason_len).unwrap_or_default(),
        end: 13 + reason_len + 2,
    }))
}
