//! The one error type of the HTTP/1.1 parser.

use core::fmt;

/// Why bytes cannot be an HTTP/1.1 message.
///
/// Each variant names one cause; [`Error::status_code`] gives the status a
/// server answers a request with when it has this fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The method is empty or holds a byte that is not a token character
    /// (RFC 9112 3.1), or is not followed by a single space.
    Method,
    /// The request target is empty or holds a byte outside RFC 3986's
    /// characters (a space, a control, `"`, `#`, `<`, `>`, `\`, `^`, `` ` ``,
    /// `{`, `|`, `}`, or a byte over 0x7E) (RFC 9112 3.2).
    Target,
    /// The request target has the wrong form for the method: CONNECT needs
    /// `host:port`, `*` is only for OPTIONS, anything else starts with `/` or
    /// a scheme (RFC 9112 3.2).
    TargetForm,
    /// The request target is longer than [`Limits::max_target_len`](super::Limits).
    TargetTooLong,
    /// The HTTP version is not `HTTP/` DIGIT `.` DIGIT followed by the end of
    /// the line (RFC 9112 2.3), or the request line has no version.
    Version,
    /// The HTTP version is well formed but its major version is not 1.
    VersionNotSupported,
    /// The status code is not three digits from 100 (RFC 9112 4), or is not
    /// followed by a space.
    StatusCode,
    /// The reason phrase holds a control character (RFC 9112 4).
    Reason,
    /// A line ends in a bare CR or a bare LF instead of CRLF (RFC 9112 2.2).
    LineEnding,
    /// A field name is empty or holds a byte that is not a token character
    /// (RFC 9112 5).
    HeaderName,
    /// Whitespace stands between a field name and its colon; a server MUST
    /// reject this with 400 (RFC 9112 5.1).
    WhitespaceBeforeColon,
    /// A field value holds a control character other than HTAB (RFC 9110
    /// 5.5), such as NUL or DEL.
    HeaderValue,
    /// A field line starts with whitespace: obsolete line folding (RFC 9112
    /// 5.2), or whitespace between the start line and the first field
    /// (RFC 9112 2.2).
    ObsFold,
    /// More field lines than the caller's `&mut [Header]` holds.
    TooManyHeaders,
    /// The head is longer than [`Limits::max_head_len`](super::Limits).
    HeadTooLarge,
    /// An HTTP/1.1 request has no Host field (RFC 9112 3.2).
    MissingHost,
    /// A request has more than one Host field line (RFC 9112 3.2).
    DuplicateHost,
    /// The Host field value is not `uri-host [ ":" port ]` (RFC 9112 3.2).
    Host,
    /// A Content-Length value is not one decimal number that fits in 64 bits
    /// (RFC 9110 8.6).
    ContentLength,
    /// Content-Length appears twice, or as a list, even of equal values
    /// (RFC 9112 6.3, rule 5).
    DuplicateContentLength,
    /// A request carries both Content-Length and Transfer-Encoding: a request
    /// smuggling vector (RFC 9112 6.1).
    ContentLengthWithTransferEncoding,
    /// `chunked` is applied twice, or is not the last transfer coding of a
    /// request (RFC 9112 6.1, 6.3 rule 4).
    TransferEncoding,
    /// A request uses a transfer coding other than `chunked`, which this
    /// parser does not decode (RFC 9112 6.1: a server SHOULD answer 501).
    UnsupportedTransferCoding,
    /// An HTTP/1.0 message carries Transfer-Encoding: its framing MUST be
    /// treated as faulty (RFC 9112 6.1).
    TransferEncodingHttp10,
    /// A chunk size is missing or holds a byte that is not a hex digit
    /// (RFC 9112 7.1).
    ChunkSize,
    /// A chunk size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// A chunk extension breaks the grammar of RFC 9112 7.1.1.
    ChunkExtension,
    /// Chunk extensions exceed [`Limits::max_chunk_ext_len`](super::Limits)
    /// on one line or [`Limits::max_chunk_ext_total`](super::Limits) over the
    /// body.
    ChunkExtensionTooLong,
    /// Chunk data is not followed by CRLF (RFC 9112 7.1).
    ChunkData,
    /// More trailer fields than [`Limits::max_trailers`](super::Limits).
    TooManyTrailers,
    /// The trailer section is longer than
    /// [`Limits::max_trailer_len`](super::Limits).
    TrailersTooLarge,
}

impl Error {
    /// Return the status code a server answers a request with when the
    /// request has this fault.
    ///
    /// Faults that only a response can have (a bad status code or reason
    /// phrase) give 502 Bad Gateway, which is what a gateway answers its own
    /// client with when the upstream response is invalid.
    pub fn status_code(self) -> u16 {
        match self {
            Error::TargetTooLong => 414,
            Error::TooManyHeaders
            | Error::HeadTooLarge
            | Error::TooManyTrailers
            | Error::TrailersTooLarge => 431,
            Error::UnsupportedTransferCoding => 501,
            Error::StatusCode | Error::Reason => 502,
            Error::VersionNotSupported => 505,
            _ => 400,
        }
    }

    /// Return a one-line description of the fault.
    pub fn as_str(self) -> &'static str {
        match self {
            Error::Method => "invalid method",
            Error::Target => "invalid byte in request target",
            Error::TargetForm => "request target form does not fit the method",
            Error::TargetTooLong => "request target too long",
            Error::Version => "invalid HTTP version",
            Error::VersionNotSupported => "HTTP major version not supported",
            Error::StatusCode => "invalid status code",
            Error::Reason => "invalid byte in reason phrase",
            Error::LineEnding => "line does not end in CRLF",
            Error::HeaderName => "invalid field name",
            Error::WhitespaceBeforeColon => "whitespace between field name and colon",
            Error::HeaderValue => "invalid byte in field value",
            Error::ObsFold => "field line starts with whitespace (obsolete line folding)",
            Error::TooManyHeaders => "too many field lines",
            Error::HeadTooLarge => "header section too large",
            Error::MissingHost => "HTTP/1.1 request without Host",
            Error::DuplicateHost => "more than one Host field",
            Error::Host => "invalid Host field value",
            Error::ContentLength => "invalid Content-Length",
            Error::DuplicateContentLength => "more than one Content-Length",
            Error::ContentLengthWithTransferEncoding => {
                "request has both Content-Length and Transfer-Encoding"
            }
            Error::TransferEncoding => "chunked is repeated or not the last transfer coding",
            Error::UnsupportedTransferCoding => "transfer coding other than chunked",
            Error::TransferEncodingHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
            Error::ChunkSize => "invalid chunk size",
            Error::ChunkSizeOverflow => "chunk size overflows 64 bits",
            Error::ChunkExtension => "invalid chunk extension",
            Error::ChunkExtensionTooLong => "chunk extensions too long",
            Error::ChunkData => "chunk data not followed by CRLF",
            Error::TooManyTrailers => "too many trailer fields",
            Error::TrailersTooLarge => "trailer section too large",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Error {}
