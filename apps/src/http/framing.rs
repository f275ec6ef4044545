//! Message body length and connection persistence, worked out from the
//! framing fields of a head (RFC 9112 6.3 and 9.3).

use super::scan::{self, for_each_element, is_name, run, trim_ows};
use super::{Error, Header, Version};

/// How the body of a message is delimited (RFC 9112 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// There is no body: the message ends with its head. Requests without
    /// Content-Length or Transfer-Encoding (rule 6); responses to HEAD, and
    /// 1xx, 204 and 304 responses (rule 1).
    None,
    /// Content-Length: exactly this many bytes follow the head (rule 6).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 7.1) follows the head (rule 4).
    Chunked,
    /// A response whose body runs until the server closes the connection
    /// (rules 4 and 7); the connection does not persist.
    CloseDelimited,
    /// A 2xx response to CONNECT: the connection is a tunnel from the end of
    /// the head on (rule 2).
    Tunnel,
}

/// What the Content-Length field lines say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContentLength {
    Absent,
    Value(u64),
    Invalid,
    Duplicate,
}

/// Return a key for a field name: its length, and its first and last
/// bytes lowered.
#[inline(always)]
const fn key(name: &[u8]) -> u32 {
    match name {
        [first, .., last] => {
            (name.len() as u32) << 16 | ((*first | 0x20) as u32) << 8 | (*last | 0x20) as u32
        }
        _ => 0,
    }
}

/// The keys of the fields that framing depends on.
const HOST: u32 = key(b"host");
const CONNECTION: u32 = key(b"connection");
const CONTENT_LENGTH: u32 = key(b"content-length");
const TRANSFER_ENCODING: u32 = key(b"transfer-encoding");

/// The framing fields of one head.
#[derive(Debug, Clone, Copy)]
struct Fields {
    content_length: ContentLength,
    /// A Transfer-Encoding field line is present (maybe empty).
    te: bool,
    /// How many times `chunked` appears among the transfer codings.
    chunked: u32,
    /// `chunked` is the last transfer coding.
    chunked_last: bool,
    /// A transfer coding other than `chunked` appears.
    other_coding: bool,
    /// Connection lists `close`.
    close: bool,
    /// Connection lists `keep-alive`.
    keep_alive: bool,
    /// How many Host field lines there are.
    hosts: u32,
    /// Every Host value is `uri-host [ ":" port ]`.
    hosts_valid: bool,
}

impl Fields {
    /// Read the framing fields among `headers`.
    ///
    /// A second walk over the field lines, after they are parsed. Measured
    /// slower for issue 8 (medians of single runs, 20 field lines): taking
    /// each line in as `head::fields` reads it, through a callback, 290 ns
    /// against 278 ns; the same with only the key compare in the loop and
    /// the rest out of line, 305 ns. This loop reads parsed slices from a
    /// cache-hot array and depends on nothing the parse still computes, so
    /// it runs off the parse's critical path, while in the parse loop its
    /// branches and stores lengthen every iteration.
    #[inline]
    fn scan(headers: &[Header<'_>]) -> Self {
        let mut f = Fields {
            content_length: ContentLength::Absent,
            te: false,
            chunked: 0,
            chunked_last: false,
            other_coding: false,
            close: false,
            keep_alive: false,
            hosts: 0,
            hosts_valid: true,
        };
        for h in headers {
            // A cheap key (length, first and last letter) rules out most
            // other fields with one or two well-predicted branches.
            match key(h.name) {
                HOST if is_name(h.name, b"host") => {
                    f.hosts += 1;
                    f.hosts_valid &= run(h.value, &scan::HOST) == h.value.len();
                }
                CONNECTION if is_name(h.name, b"connection") => f.connection(h.value),
                CONTENT_LENGTH if is_name(h.name, b"content-length") => f.content_length(h.value),
                TRANSFER_ENCODING if is_name(h.name, b"transfer-encoding") => {
                    f.transfer_encoding(h.value)
                }
                _ => {}
            }
        }
        f
    }

    /// RFC 9110 8.6: `Content-Length = 1*DIGIT`. A second line or a list is
    /// a duplicate (RFC 9112 6.3 rule 5 lets a recipient reject those).
    fn content_length(&mut self, value: &[u8]) {
        self.content_length = match self.content_length {
            ContentLength::Absent if value.contains(&b',') => ContentLength::Duplicate,
            ContentLength::Absent => match parse_decimal(value) {
                Some(n) => ContentLength::Value(n),
                None => ContentLength::Invalid,
            },
            _ => ContentLength::Duplicate,
        };
    }

    /// RFC 9112 6.1: `Transfer-Encoding = #transfer-coding`, codings being
    /// a token and parameters; the lines of the field form one list.
    fn transfer_encoding(&mut self, value: &[u8]) {
        self.te = true;
        let _ = for_each_element::<()>(value, |coding| {
            let name = trim_ows(coding.split(|&b| b == b';').next().unwrap_or_default());
            if name.eq_ignore_ascii_case(b"chunked") {
                self.chunked += 1;
                self.chunked_last = true;
            } else {
                self.other_coding = true;
                self.chunked_last = false;
            }
            Ok(())
        });
    }

    /// RFC 9110 7.6.1: `Connection = #connection-option`.
    fn connection(&mut self, value: &[u8]) {
        // The usual value is one option. `value` has no OWS at either end,
        // so a one-element list is the whole of it: compared at once, as
        // the list walk (a split, a trim and a closure per element) measured
        // 2.5% of parsing the benchmark's 20 field lines (issue 8).
        if value.eq_ignore_ascii_case(b"keep-alive") {
            self.keep_alive = true;
            return;
        }
        if value.eq_ignore_ascii_case(b"close") {
            self.close = true;
            return;
        }
        let _ = for_each_element::<()>(value, |option| {
            self.close |= option.eq_ignore_ascii_case(b"close");
            self.keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
            Ok(())
        });
    }

    /// RFC 9112 9.3: whether the connection persists after this message,
    /// before the body framing has its say.
    fn persistent(&self, version: Version) -> bool {
        if self.close {
            false
        } else {
            version >= Version::Http11 || self.keep_alive
        }
    }

    /// The body length from Content-Length alone (RFC 9112 6.3 rule 5, 6).
    fn length(&self) -> Result<Option<u64>, Error> {
        match self.content_length {
            ContentLength::Absent => Ok(None),
            ContentLength::Value(n) => Ok(Some(n)),
            ContentLength::Invalid => Err(Error::ContentLength),
            ContentLength::Duplicate => Err(Error::DuplicateContentLength),
        }
    }
}

/// Parse `1*DIGIT` as a u64, refusing signs, spaces and overflow.
pub(crate) fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Return the framing and persistence of a request (RFC 9112 6.3, 9.3),
/// after the Host rules of RFC 9112 3.2.
#[inline]
pub(crate) fn request(version: Version, headers: &[Header<'_>]) -> Result<(Body, bool), Error> {
    let f = Fields::scan(headers);
    // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without
    // Host, to any request with two Host lines, or an invalid Host value.
    match f.hosts {
        0 if version == Version::Http11 => return Err(Error::MissingHost),
        0 | 1 => {}
        _ => return Err(Error::DuplicateHost),
    }
    if !f.hosts_valid {
        return Err(Error::Host);
    }
    let body = if f.te {
        if version == Version::Http10 {
            return Err(Error::TransferEncodingHttp10);
        }
        // RFC 9112 6.1: a server MAY reject a request with both fields, and
        // MUST close the connection anyway; rejecting stops smuggling here.
        if f.content_length != ContentLength::Absent {
            return Err(Error::ContentLengthWithTransferEncoding);
        }
        // RFC 9112 6.3 rule 4: chunked not last is a 400 and a close.
        if f.chunked != 1 || !f.chunked_last {
            return Err(Error::TransferEncoding);
        }
        if f.other_coding {
            return Err(Error::UnsupportedTransferCoding);
        }
        Body::Chunked
    } else {
        f.length()?.map_or(Body::None, Body::Length)
    };
    Ok((body, f.persistent(version)))
}

/// Return the framing and persistence of a response with status `code` to
/// a request with method `request_method` (RFC 9112 6.3, 9.3).
pub(crate) fn response(
    version: Version,
    code: u16,
    request_method: &[u8],
    headers: &[Header<'_>],
) -> Result<(Body, bool), Error> {
    let f = Fields::scan(headers);
    let persistent = f.persistent(version);
    // Rule 1: these responses end with their head, whatever the fields say.
    if request_method == b"HEAD" || code < 200 || code == 204 || code == 304 {
        return Ok((Body::None, persistent));
    }
    // Rule 2: the connection becomes a tunnel.
    if request_method == b"CONNECT" && (200..300).contains(&code) {
        return Ok((Body::Tunnel, false));
    }
    if f.te {
        if version == Version::Http10 {
            return Err(Error::TransferEncodingHttp10);
        }
        if f.chunked > 1 {
            return Err(Error::TransferEncoding);
        }
        // Rule 4: chunked last frames the body; otherwise it runs to the
        // close. Rule 3: Transfer-Encoding overrides Content-Length, and as
        // the pair may be an attack, the connection is not reused.
        let body = if f.chunked_last {
            Body::Chunked
        } else {
            Body::CloseDelimited
        };
        let reusable = body == Body::Chunked && f.content_length == ContentLength::Absent;
        return Ok((body, persistent && reusable));
    }
    match f.length()? {
        Some(n) => Ok((Body::Length(n), persistent)),
        // Rule 7: read until the connection closes.
        None => Ok((Body::CloseDelimited, false)),
    }
}
