//! Responses: the status line, and framing that depends on the request.

use super::super::{Header, Limits, Response, EMPTY_HEADER};
use super::{complete_response, Body, Status, Version};

#[test]
fn response_parses_field_by_field() {
    let buf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nServer: x\r\n\r\nnope!";
    let mut headers = [EMPTY_HEADER; 4];
    let Ok(Status::Complete(r)) = Response::parse(buf, &mut headers, b"GET", &Limits::DEFAULT)
    else {
        panic!("complete");
    };
    assert_eq!(r.version, Version::Http11);
    assert_eq!(r.code, 404);
    assert_eq!(r.reason, b"Not Found");
    assert_eq!(
        r.headers,
        [
            Header {
                name: b"Content-Length",
                value: b"5"
            },
            Header {
                name: b"Server",
                value: b"x"
            }
        ]
    );
    assert_eq!(&buf[r.head_len..], b"nope!");
    assert_eq!(r.body, Body::Length(5));
    assert!(r.keep_alive);
}

#[test]
fn reason_phrases_may_be_empty_and_hold_tabs_and_obs_text() {
    assert_eq!(
        complete_response(b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", "GET").detail,
        b""
    );
    let odd = b"HTTP/1.1 200 Tr\xe8s\tbien \r\nContent-Length: 0\r\n\r\n";
    assert_eq!(complete_response(odd, "GET").detail, b"Tr\xe8s\tbien ");
    // RFC 9110 15: codes up to 999 are read; the class is the caller's call.
    assert_eq!(
        complete_response(b"HTTP/1.1 999 ?\r\nContent-Length: 0\r\n\r\n", "GET").start,
        "999"
    );
}

/// One row: the request method, the response, its body and keep-alive.
type Row = (&'static str, &'static [u8], Body, bool);

#[test]
fn body_framing_follows_rfc_9112_6_3() {
    let rows: &[Row] = &[
        // Rule 1: HEAD, 1xx, 204 and 304 end with the head, whatever they say.
        (
            "HEAD",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            Body::None,
            true,
        ),
        (
            "HEAD",
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            Body::None,
            true,
        ),
        (
            "HEAD",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            Body::None,
            true,
        ),
        ("GET", b"HTTP/1.1 100 Continue\r\n\r\n", Body::None, true),
        (
            "GET",
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\n",
            Body::None,
            true,
        ),
        (
            "GET",
            b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
            Body::None,
            true,
        ),
        (
            "GET",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
            Body::None,
            true,
        ),
        // Rule 2: a 2xx to CONNECT makes a tunnel; other codes have bodies.
        ("CONNECT", b"HTTP/1.1 200 OK\r\n\r\n", Body::Tunnel, false),
        (
            "CONNECT",
            b"HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\n",
            Body::Length(2),
            true,
        ),
        // Rule 3: TE overrides CL, and the connection is not reused.
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            Body::Chunked,
            false,
        ),
        // Rule 4: chunked last; otherwise the body runs to the close.
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            Body::Chunked,
            true,
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            Body::Chunked,
            true,
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            Body::CloseDelimited,
            false,
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            Body::CloseDelimited,
            false,
        ),
        // Rule 6 and 7: a length, or read until the close.
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            Body::Length(0),
            true,
        ),
        (
            "POST",
            b"HTTP/1.1 200 OK\r\n\r\n",
            Body::CloseDelimited,
            false,
        ),
        // RFC 9112 9.3: persistence by version and Connection.
        (
            "GET",
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
            Body::Length(1),
            false,
        ),
        (
            "GET",
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n",
            Body::Length(1),
            true,
        ),
        (
            "GET",
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
            Body::CloseDelimited,
            false,
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n",
            Body::Length(1),
            false,
        ),
    ];
    for &(method, buf, body, keep_alive) in rows {
        let head = complete_response(buf, method);
        let what = format!("{method}: {}", String::from_utf8_lossy(buf));
        assert_eq!((head.body, head.keep_alive), (body, keep_alive), "{what}");
        assert_eq!(head.head_len, buf.len(), "{what}");
    }
}

#[test]
fn emit_writes_the_canonical_head() {
    let buf = b"HTTP/1.0 301 Moved  \r\nLocation:/x\r\n\r\n";
    let mut headers = [EMPTY_HEADER; 4];
    let Ok(Status::Complete(r)) = Response::parse(buf, &mut headers, b"GET", &Limits::DEFAULT)
    else {
        panic!("complete");
    };
    let mut out = vec![0xa5; r.buffer_len()];
    assert_eq!(r.emit(&mut out), out.len());
    assert_eq!(out, b"HTTP/1.0 301 Moved  \r\nLocation: /x\r\n\r\n");
    let code_7 = Response { code: 107, ..r };
    let mut out = vec![0; code_7.buffer_len()];
    code_7.emit(&mut out);
    assert!(out.starts_with(b"HTTP/1.0 107 "));
}
