//! Every error, from the input that causes it to the status a server sends.

use std::collections::HashSet;

use super::super::{Request, EMPTY_HEADER};
use super::{request, request_with, response, Error, Limits, Status};

/// Every variant, to check that each is produced and described.
const ALL: [Error; 31] = [
    Error::Method,
    Error::Target,
    Error::TargetForm,
    Error::TargetTooLong,
    Error::Version,
    Error::VersionNotSupported,
    Error::StatusCode,
    Error::Reason,
    Error::LineEnding,
    Error::HeaderName,
    Error::WhitespaceBeforeColon,
    Error::HeaderValue,
    Error::ObsFold,
    Error::TooManyHeaders,
    Error::HeadTooLarge,
    Error::MissingHost,
    Error::DuplicateHost,
    Error::Host,
    Error::ContentLength,
    Error::DuplicateContentLength,
    Error::ContentLengthWithTransferEncoding,
    Error::TransferEncoding,
    Error::UnsupportedTransferCoding,
    Error::TransferEncodingHttp10,
    Error::ChunkSize,
    Error::ChunkSizeOverflow,
    Error::ChunkExtension,
    Error::ChunkExtensionTooLong,
    Error::ChunkData,
    Error::TooManyTrailers,
    Error::TrailersTooLarge,
];

/// Requests that are invalid, and why.
const BAD_REQUESTS: &[(&[u8], Error)] = &[
    (b"GE(T / HTTP/1.1\r\n", Error::Method),
    (b" GET / HTTP/1.1\r\n", Error::Method),
    (b"GET\t/ HTTP/1.1\r\n", Error::Method),
    (b"\r\n\r\nGET\r\n", Error::Method),
    (b"GET  / HTTP/1.1\r\n", Error::Target),
    (b"GET /a\"b HTTP/1.1\r\n", Error::Target),
    (b"GET /a#frag HTTP/1.1\r\n", Error::Target),
    (b"GET /a{b} HTTP/1.1\r\n", Error::Target),
    (b"GET /\x7f HTTP/1.1\r\n", Error::Target),
    (b"GET /caf\xc3\xa9 HTTP/1.1\r\n", Error::Target),
    (b"GET /\x00 HTTP/1.1\r\n", Error::Target),
    (b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"GET x HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"GET 1x:2 HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"CONNECT a.example: HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"CONNECT a/b:80 HTTP/1.1\r\nHost: a\r\n\r\n", Error::TargetForm),
    (b"GET / HTTP/1.1 \r\n", Error::Version),
    (b"GET / http/1.1\r\n", Error::Version),
    (b"GET / HTTP/1.x\r\n", Error::Version),
    (b"GET / HTTP/11\r\n", Error::Version),
    (b"GET / HTTP/1.10\r\n", Error::Version),
    (b"GET /\r\n", Error::Version),
    (b"GET / HTTP/2.0\r\n", Error::VersionNotSupported),
    (b"GET / HTTP/0.9\r\n", Error::VersionNotSupported),
    (b"\n", Error::LineEnding),
    (b"\r\r", Error::LineEnding),
    (b"GET / HTTP/1.1\n", Error::LineEnding),
    (b"GET / HTTP/1.1\r\nHost: a\n", Error::LineEnding),
    (b"GET / HTTP/1.1\r\nHost: a\r\n\n", Error::LineEnding),
    (b"GET / HTTP/1.1\r\nHost: a\rb\r\n", Error::LineEnding),
    (b"GET / HTTP/1.1\r\nHo(st: a\r\n", Error::HeaderName),
    (b"GET / HTTP/1.1\r\n: a\r\n", Error::HeaderName),
    (b"GET / HTTP/1.1\r\nX\x00: a\r\n", Error::HeaderName),
    (b"GET / HTTP/1.1\r\nHost : a\r\n", Error::WhitespaceBeforeColon),
    (b"GET / HTTP/1.1\r\nHost\t: a\r\n", Error::WhitespaceBeforeColon),
    (b"GET / HTTP/1.1\r\nX: a\x00b\r\n", Error::HeaderValue),
    (b"GET / HTTP/1.1\r\nX: a\x7f\r\n", Error::HeaderValue),
    (b"GET / HTTP/1.1\r\nX: \x1b[0m\r\n", Error::HeaderValue),
    (b"GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", Error::ObsFold),
    (b"GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n", Error::ObsFold),
    (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", Error::ObsFold),
    (b"GET / HTTP/1.1\r\n\r\n", Error::MissingHost),
    (b"GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", Error::MissingHost),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", Error::DuplicateHost),
    (b"GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", Error::DuplicateHost),
    (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Error::Host),
    (b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Error::Host),
    (b"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", Error::Host),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", Error::ContentLength),
    // Smuggling: two lengths, even equal, or a list (RFC 9112 6.3 rule 5).
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", Error::DuplicateContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", Error::DuplicateContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Error::DuplicateContentLength),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\nContent-Length: 6\r\n\r\n", Error::DuplicateContentLength),
    // Smuggling: CL.TE and TE.CL (RFC 9112 6.1).
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", Error::ContentLengthWithTransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", Error::ContentLengthWithTransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n", Error::ContentLengthWithTransferEncoding),
    // Smuggling: chunked not last, or twice (RFC 9112 6.1, 6.3 rule 4).
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Error::UnsupportedTransferCoding),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", Error::UnsupportedTransferCoding),
    (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Error::TransferEncodingHttp10),
];

#[test]
fn each_bad_request_fails_with_its_error() {
    for &(buf, error) in BAD_REQUESTS {
        assert_eq!(
            request(buf),
            Err(error),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

/// Responses (to GET) that are invalid, and why.
const BAD_RESPONSES: &[(&[u8], Error)] = &[
    (b"HTTP/1.1 20 OK\r\n", Error::StatusCode),
    (b"HTTP/1.1 2000 OK\r\n", Error::StatusCode),
    (b"HTTP/1.1 099 Low\r\n", Error::StatusCode),
    (b"HTTP/1.1 2x0 OK\r\n", Error::StatusCode),
    // RFC 9112 4: the space after the code is not optional.
    (b"HTTP/1.1 200\r\n", Error::StatusCode),
    (b"HTTP/1.1  200 OK\r\n", Error::StatusCode),
    (b"HTTP/1.1 200 O\x00K\r\n", Error::Reason),
    (b"HTTP/1.1 200 OK\x7f\r\n", Error::Reason),
    (b"HTTP/1.1 200 OK\n", Error::LineEnding),
    (b"HTTP/1.1 200 OK\r\nX: 1\r\r\n", Error::LineEnding),
    (b"HTTP/2 200 OK\r\n", Error::Version),
    (b"HTTP/1.1\t200 OK\r\n", Error::Version),
    (b"ICY 200 OK\r\n", Error::Version),
    (b"HTTP/2.0 200 OK\r\n", Error::VersionNotSupported),
    (
        b"HTTP/1.1 200 OK\r\nX : 1\r\n",
        Error::WhitespaceBeforeColon,
    ),
    (b"HTTP/1.1 200 OK\r\nX: 1\r\n folded\r\n", Error::ObsFold),
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
        Error::DuplicateContentLength,
    ),
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: one\r\n\r\n",
        Error::ContentLength,
    ),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        Error::TransferEncoding,
    ),
    (
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        Error::TransferEncodingHttp10,
    ),
];

#[test]
fn each_bad_response_fails_with_its_error() {
    for &(buf, error) in BAD_RESPONSES {
        assert_eq!(
            response(buf, "GET"),
            Err(error),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn a_target_over_the_limit_is_414_even_before_the_line_ends() {
    let limits = Limits {
        max_target_len: 16,
        ..Limits::DEFAULT
    };
    let fits = b"GET /234567890123456 HTTP/1.1\r\nHost: a\r\n\r\n";
    assert!(matches!(
        request_with(fits, &limits),
        Ok(Status::Complete(_))
    ));
    let over = b"GET /2345678901234567";
    assert_eq!(request_with(over, &limits), Err(Error::TargetTooLong));
    assert_eq!(Error::TargetTooLong.status_code(), 414);
    // The default is RFC 9112 3's 8000 octets.
    let long = [
        b"GET /".as_slice(),
        &[b'a'; 7999],
        b" HTTP/1.1\r\nHost: a\r\n\r\n",
    ]
    .concat();
    assert!(matches!(request(&long), Ok(Status::Complete(_))));
    let longer = [b"GET /".as_slice(), &[b'a'; 8000]].concat();
    assert_eq!(request(&longer), Err(Error::TargetTooLong));
}

#[test]
fn a_head_over_the_limit_is_431_even_before_it_ends() {
    let limits = Limits {
        max_head_len: 40,
        ..Limits::DEFAULT
    };
    let fits = b"GET / HTTP/1.1\r\nHost: a\r\nX: 01234567\r\n\r\n";
    assert_eq!(fits.len(), 40);
    assert!(matches!(
        request_with(fits, &limits),
        Ok(Status::Complete(_))
    ));
    // The same head one byte longer, whole or cut short, and a body after
    // a head that fits, which is not part of the head.
    let over = b"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\r\n\r\n";
    assert_eq!(request_with(over, &limits), Err(Error::HeadTooLarge));
    assert_eq!(request_with(&over[..41], &limits), Err(Error::HeadTooLarge));
    assert_eq!(request_with(&over[..40], &limits), Ok(Status::Partial));
    let with_body = [&fits[..], &[b'x'; 100]].concat();
    assert!(matches!(
        request_with(&with_body, &limits),
        Ok(Status::Complete(_))
    ));
    // Empty lines before the request line count.
    let padded = [&b"\r\n"[..], fits].concat();
    assert_eq!(request_with(&padded, &limits), Err(Error::HeadTooLarge));
}

#[test]
fn more_field_lines_than_slots_is_431() {
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\nC: 3\r\n\r\n";
    let mut two = [EMPTY_HEADER; 2];
    assert_eq!(
        Request::parse(buf, &mut two, &Limits::DEFAULT),
        Err(Error::TooManyHeaders)
    );
    // Cut right after the second line, more may still be the empty line.
    assert_eq!(
        Request::parse(&buf[..31], &mut two, &Limits::DEFAULT),
        Ok(Status::Partial)
    );
    assert_eq!(Error::TooManyHeaders.status_code(), 431);
}

#[test]
fn every_error_has_a_distinct_description_and_the_right_status() {
    let mut seen = HashSet::new();
    for error in ALL {
        let text = error.to_string();
        assert!(
            !text.is_empty() && seen.insert(text.clone()),
            "{error:?}: {text}"
        );
        let expected = match error {
            Error::TargetTooLong => 414,
            Error::TooManyHeaders
            | Error::HeadTooLarge
            | Error::TooManyTrailers
            | Error::TrailersTooLarge => 431,
            Error::UnsupportedTransferCoding => 501,
            Error::StatusCode | Error::Reason => 502,
            Error::VersionNotSupported => 505,
            _ => 400,
        };
        assert_eq!(error.status_code(), expected, "{error:?}");
    }
}

#[test]
fn every_head_error_is_produced_by_some_table_row() {
    let produced: HashSet<Error> = BAD_REQUESTS
        .iter()
        .chain(BAD_RESPONSES)
        .map(|&(_, e)| e)
        .chain([
            Error::TargetTooLong,
            Error::HeadTooLarge,
            Error::TooManyHeaders,
        ])
        .collect();
    // The chunked errors are produced in tests/chunked.rs.
    for error in &ALL[..24] {
        assert!(produced.contains(error), "{error:?} is never produced");
    }
}
