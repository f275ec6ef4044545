//! HTTP/1.1 messages (RFC 9112): an allocation-free parser over byte slices.
//!
//! The parser works the way httparse does. The caller owns the buffer and a
//! `&mut [Header]` for the field lines; parsed values borrow both. A message
//! whose head has not fully arrived gives `Ok(Status::Partial)`, and only
//! bytes that cannot start a valid message give `Err`: incomplete is not
//! invalid, so a prefix of a valid message is never an error.
//!
//! Beyond syntax, the parser applies the rules a server or client must apply
//! before it can read the next message on the connection:
//!
//! - [`Request::parse`] and [`Response::parse`] read the head, check the
//!   limits of [`Limits`], and work out the message body's framing
//!   ([`Body`], RFC 9112 6.3) and whether the connection persists
//!   (`keep_alive`, RFC 9112 9.3). Request smuggling vectors (Content-Length
//!   with Transfer-Encoding, two Content-Lengths, `chunked` not last) are
//!   errors.
//! - [`BodyDecoder`] reads the body that follows, over partial input;
//!   chunked bodies go through [`ChunkedDecoder`] (RFC 9112 7.1), with
//!   chunk extensions and trailer fields.
//! - Pipelining: a message ends at `head_len` plus what the body decoder
//!   consumed, and the next message starts right there.
//!
//! Every failure is one [`Error`] variant, whose
//! [`status_code`](Error::status_code) is what a server answers (400, 414,
//! 431, 501, 505).
//!
//! ```
//! use apps::http::{Body, Header, Limits, Request, Status, EMPTY_HEADER};
//!
//! let buf = b"POST /form HTTP/1.1\r\nHost: example.org\r\nContent-Length: 3\r\n\r\na=1";
//! let mut headers = [EMPTY_HEADER; 16];
//! let Ok(Status::Complete(request)) = Request::parse(buf, &mut headers, &Limits::DEFAULT) else {
//!     panic!("a complete request");
//! };
//! assert_eq!(request.method, b"POST");
//! assert_eq!(request.headers[0], Header { name: b"Host", value: b"example.org" });
//! assert_eq!(request.body, Body::Length(3));
//! assert_eq!(&buf[request.head_len..], b"a=1");
//! ```

mod body;
mod chunked;
pub mod client;
mod error;
mod framing;
mod head;
mod request;
mod response;
mod response_out;
mod scan;
pub mod server;

pub mod fuzz;

#[cfg(test)]
mod tests;

pub use body::{BodyDecoder, Decoded, Event};
pub use chunked::{chunk_len, emit_chunk, emit_last_chunk, last_chunk_len, ChunkedDecoder};
pub use error::Error;
pub use framing::Body;
pub use request::{Request, TargetForm};
pub use response::Response;

/// The result of parsing input that may not have fully arrived yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// The input holds a whole item.
    Complete(T),
    /// The input is a valid beginning, but more bytes are needed.
    Partial,
}

impl<T> Status<T> {
    /// Return the item if it is complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(item) => Some(item),
            Status::Partial => None,
        }
    }

    /// Return whether the item is complete.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }
}

/// One field line: a name and its value with the surrounding whitespace
/// trimmed (RFC 9112 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'b> {
    /// The field name, a token (RFC 9110 5.1); compare it ignoring case.
    pub name: &'b [u8],
    /// The field value: visible characters, spaces, tabs and obs-text
    /// (bytes 0x80 to 0xFF), without leading or trailing whitespace.
    pub value: &'b [u8],
}

/// A blank [`Header`], to fill the array given to the parser.
pub const EMPTY_HEADER: Header<'static> = Header {
    name: b"",
    value: b"",
};

impl<'b> Header<'b> {
    /// Return the name as a string (a token is always ASCII).
    pub fn name_str(&self) -> &'b str {
        core::str::from_utf8(self.name).unwrap_or_default()
    }

    /// Return whether the name is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// The HTTP version of a message (RFC 9112 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// HTTP/1.0: connections close after each message unless
    /// `Connection: keep-alive` says otherwise.
    Http10,
    /// HTTP/1.1, and HTTP/1.2 to 1.9, which RFC 9110 6.2 says to process as
    /// the highest minor version implemented.
    Http11,
}

impl Version {
    /// Return the version as it appears on the wire.
    pub fn as_bytes(self) -> &'static [u8; 8] {
        match self {
            Version::Http10 => b"HTTP/1.0",
            Version::Http11 => b"HTTP/1.1",
        }
    }
}

/// The limits the caller sets on what one message may hold.
///
/// The field-line count is the length of the `&mut [Header]` given to the
/// parser. A limit that is reached fails at once, before the message is
/// complete, so a peer cannot make a server wait on an endless head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a head: start line, field lines and the empty line (and any
    /// empty lines before a request line). Over it: [`Error::HeadTooLarge`].
    pub max_head_len: usize,
    /// Bytes of a request target. Over it: [`Error::TargetTooLong`]. RFC 9112
    /// 3 recommends supporting request lines of at least 8000 octets.
    pub max_target_len: usize,
    /// Bytes of chunk extensions on one chunk-size line. Over it:
    /// [`Error::ChunkExtensionTooLong`].
    pub max_chunk_ext_len: usize,
    /// Bytes of chunk extensions over a whole body, so that tiny chunks with
    /// long extensions cannot multiply the work per body byte. Over it:
    /// [`Error::ChunkExtensionTooLong`].
    pub max_chunk_ext_total: u64,
    /// Number of trailer fields. Over it: [`Error::TooManyTrailers`].
    pub max_trailers: usize,
    /// Bytes of the trailer section. Over it: [`Error::TrailersTooLarge`].
    pub max_trailer_len: usize,
}

impl Limits {
    /// The defaults: a 16 KiB head, an 8000-byte target, 256 bytes of chunk
    /// extensions per chunk and 16 KiB per body, 32 trailer fields in 8 KiB.
    pub const DEFAULT: Limits = Limits {
        max_head_len: 16 * 1024,
        max_target_len: 8000,
        max_chunk_ext_len: 256,
        max_chunk_ext_total: 16 * 1024,
        max_trailers: 32,
        max_trailer_len: 8 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
