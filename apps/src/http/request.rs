//! Requests: the request line (RFC 9112 3), then the shared head rules.

use super::framing::{self, Body};
use super::head::{self, complete, Out};
use super::scan::{run, target_run, HOST, TCHAR};
use super::{Error, Header, Limits, Status, Version};

/// The form of a request target (RFC 9112 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetForm {
    /// `/path?query`: the usual form, to an origin server (3.2.1).
    Origin,
    /// `scheme:...`: a whole URI, to a proxy (3.2.2).
    Absolute,
    /// `host:port`: CONNECT's form, and only CONNECT's (3.2.3).
    Authority,
    /// `*`: OPTIONS for the server as a whole (3.2.4).
    Asterisk,
}

/// A parsed request head, borrowing the input and the field-line array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'b, 'h> {
    /// The method, a case-sensitive token (RFC 9110 9.1).
    pub method: &'b [u8],
    /// The request target, as sent.
    pub target: &'b [u8],
    /// Which form the target has.
    pub form: TargetForm,
    /// The HTTP version.
    pub version: Version,
    /// The field lines, in order.
    pub headers: &'h [Header<'b>],
    /// The length of the head, from the start of the input (with any empty
    /// lines before the request line) to the end of the empty line: the body
    /// starts here.
    pub head_len: usize,
    /// How the body is delimited.
    pub body: Body,
    /// Whether the connection persists after this request (RFC 9112 9.3).
    pub keep_alive: bool,
}

/// The request line.
struct Line<'b> {
    method: &'b [u8],
    target: &'b [u8],
    version: Version,
    /// Where the field lines start.
    end: usize,
}

impl<'b, 'h> Request<'b, 'h> {
    /// Parse a request head at the start of `buf`, filling `headers`.
    ///
    /// Return `Ok(Status::Partial)` while `buf` is a valid beginning of a
    /// head, and an error as soon as it cannot be one: a prefix of a valid
    /// request is never an error. The bytes after `head_len` are the body,
    /// framed as `body` says, and then the next request.
    pub fn parse(
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
        limits: &Limits,
    ) -> Result<Status<Self>, Error> {
        let (line, head_len, count) = complete!(head::within(
            buf,
            limits.max_head_len,
            Error::HeadTooLarge,
            |view| {
                let line = complete!(request_line(view, limits));
                let (end, count) = complete!(head::fields(view, line.end, headers));
                Ok(Status::Complete((line, end, count)))
            }
        ));
        let headers: &'h [Header<'b>] = headers;
        let headers = headers.get(..count).unwrap_or_default();
        let form = target_form(line.method, line.target)?;
        let (body, keep_alive) = framing::request(line.version, headers)?;
        Ok(Status::Complete(Request {
            method: line.method,
            target: line.target,
            form,
            version: line.version,
            headers,
            head_len,
            body,
            keep_alive,
        }))
    }

    /// Return the method as a string (a token is always ASCII).
    pub fn method_str(&self) -> &'b str {
        core::str::from_utf8(self.method).unwrap_or_default()
    }

    /// Return the target as a string (a valid target is always ASCII).
    pub fn target_str(&self) -> &'b str {
        core::str::from_utf8(self.target).unwrap_or_default()
    }

    /// Return the length of the head [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        self.method.len() + 1 + self.target.len() + 1 + 8 + 2 + head::fields_len(self.headers)
    }

    /// Write the head: the request line, the field lines as `name: value`,
    /// and the empty line. Return its length, [`buffer_len`](Self::buffer_len).
    ///
    /// # Panics
    ///
    /// If `out` is shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, out: &mut [u8]) -> usize {
        let mut out = Out::new(out);
        out.put(self.method);
        out.put(b" ");
        out.put(self.target);
        out.put(b" ");
        out.put(self.version.as_bytes());
        out.put(b"\r\n");
        out.fields(self.headers);
        out.len()
    }
}

/// Parse the request line (RFC 9112 3), after any empty lines.
#[inline]
fn request_line<'b>(buf: &'b [u8], limits: &Limits) -> Result<Status<Line<'b>>, Error> {
    // RFC 9112 2.2: a server SHOULD ignore empty lines before the request
    // line (left behind by an earlier message's body, say).
    let mut start = 0;
    while let Some(b'\r' | b'\n') = buf.get(start) {
        complete!(head::line_end(&buf[start..], Error::LineEnding));
        start += 2;
    }
    let line = buf.get(start..).unwrap_or_default();
    let method_len = run(line, &TCHAR);
    match line.get(method_len) {
        None => return Ok(Status::Partial),
        Some(b' ') if method_len > 0 => {}
        Some(_) => return Err(Error::Method),
    }
    let rest = line.get(method_len + 1..).unwrap_or_default();
    let target_len = target_run(line, method_len + 1);
    if target_len > limits.max_target_len {
        return Err(Error::TargetTooLong);
    }
    match rest.get(target_len) {
        None => return Ok(Status::Partial),
        Some(b' ') if target_len > 0 => {}
        // HTTP/0.9's `GET /` has no version; 1.x needs one.
        Some(b'\r' | b'\n') if target_len > 0 => return Err(Error::Version),
        Some(_) => return Err(Error::Target),
    }
    let rest = rest.get(target_len + 1..).unwrap_or_default();
    let version = complete!(head::version(rest));
    complete!(head::line_end(
        rest.get(8..).unwrap_or_default(),
        Error::Version
    ));
    Ok(Status::Complete(Line {
        method: line.get(..method_len).unwrap_or_default(),
        target: line
            .get(method_len + 1..method_len + 1 + target_len)
            .unwrap_or_default(),
        version,
        end: start + method_len + 1 + target_len + 1 + 10,
    }))
}

/// Classify the target, and check that the method allows its form
/// (RFC 9112 3.2).
fn target_form(method: &[u8], target: &[u8]) -> Result<TargetForm, Error> {
    if method == b"CONNECT" {
        return if is_authority(target) {
            Ok(TargetForm::Authority)
        } else {
            Err(Error::TargetForm)
        };
    }
    match target {
        [b'/', ..] => Ok(TargetForm::Origin),
        b"*" if method == b"OPTIONS" => Ok(TargetForm::Asterisk),
        _ if has_scheme(target) => Ok(TargetForm::Absolute),
        _ => Err(Error::TargetForm),
    }
}

/// `authority-form = uri-host ":" port` (RFC 9112 3.2.3), with a port.
fn is_authority(target: &[u8]) -> bool {
    let Some(colon) = target.iter().rposition(|&b| b == b':') else {
        return false;
    };
    let (host, port) = (&target[..colon], &target[colon + 1..]);
    !host.is_empty()
        && run(host, &HOST) == host.len()
        && !port.is_empty()
        && port.iter().all(u8::is_ascii_digit)
}

/// `scheme ":"` at the start (RFC 3986 3.1): a letter, then letters,
/// digits, `+`, `-` or `.`.
fn has_scheme(target: &[u8]) -> bool {
    let Some(colon) = target.iter().position(|&b| b == b':') else {
        return false;
    };
    let scheme = &target[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}
