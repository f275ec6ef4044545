//! Requests the parser accepts, one rule per row.

use super::super::{Header, Limits, Request, TargetForm, EMPTY_HEADER};
use super::{complete_request, Body, Status, Version};

#[test]
fn small_get_parses_field_by_field() {
    let buf = b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n";
    let mut headers = [EMPTY_HEADER; 4];
    let Ok(Status::Complete(r)) = Request::parse(buf, &mut headers, &Limits::DEFAULT) else {
        panic!("complete");
    };
    assert_eq!(r.method, b"GET");
    assert_eq!(r.method_str(), "GET");
    assert_eq!(r.target_str(), "/index.html?q=1");
    assert_eq!(r.form, TargetForm::Origin);
    assert_eq!(r.version, Version::Http11);
    assert_eq!(
        r.headers,
        [
            Header {
                name: b"Host",
                value: b"example.org"
            },
            Header {
                name: b"Accept",
                value: b"*/*"
            }
        ]
    );
    assert!(r.headers[0].is("HOST"));
    assert_eq!(r.headers[1].name_str(), "Accept");
    assert_eq!(r.head_len, buf.len());
    assert_eq!(r.body, Body::None);
    assert!(r.keep_alive);
}

/// One row: input, target form, version, body, keep-alive.
type Row = (&'static [u8], TargetForm, Version, Body, bool);

#[test]
fn request_lines_and_target_forms() {
    use TargetForm::*;
    use Version::*;
    let rows: &[Row] = &[
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            true,
        ),
        // RFC 9112 3.2.2: absolute-form, to a proxy.
        (
            b"GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
            Absolute,
            Http11,
            Body::None,
            true,
        ),
        (
            b"GET urn+x-y.z:thing HTTP/1.1\r\nHost: a\r\n\r\n",
            Absolute,
            Http11,
            Body::None,
            true,
        ),
        // RFC 9112 3.2.3: authority-form, CONNECT only.
        (
            b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
            Authority,
            Http11,
            Body::None,
            true,
        ),
        (
            b"CONNECT [::1]:8080 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
            Authority,
            Http11,
            Body::None,
            true,
        ),
        // RFC 9112 3.2.4: asterisk-form, OPTIONS only.
        (
            b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
            Asterisk,
            Http11,
            Body::None,
            true,
        ),
        // Methods are tokens, not a fixed list.
        (
            b"M-SEARCH! /x HTTP/1.1\r\nHost: a\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            true,
        ),
        // RFC 9110 6.2: HTTP/1.9 is processed as 1.1.
        (
            b"GET / HTTP/1.9\r\nHost: a\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            true,
        ),
        // HTTP/1.0 needs no Host and closes by default (RFC 9112 9.3).
        (b"GET / HTTP/1.0\r\n\r\n", Origin, Http10, Body::None, false),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            Origin,
            Http10,
            Body::None,
            true,
        ),
        // One option on its own, any case, OWS around it.
        (
            b"GET / HTTP/1.0\r\nConnection: \tKEEP-Alive \r\n\r\n",
            Origin,
            Http10,
            Body::None,
            true,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            false,
        ),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive-x\r\n\r\n",
            Origin,
            Http10,
            Body::None,
            false,
        ),
        (
            b"GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n",
            Origin,
            Http10,
            Body::None,
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nConnection: x\r\nHost: a\r\nConnection: close\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            false,
        ),
        // Targets take every RFC 3986 character but `#`.
        (
            b"GET /a-._~%20:@!$&'()*+,;=/?x=[y] HTTP/1.1\r\nHost: a\r\n\r\n",
            Origin,
            Http11,
            Body::None,
            true,
        ),
    ];
    for &(buf, form, version, body, keep_alive) in rows {
        let head = complete_request(buf);
        let mut headers = [EMPTY_HEADER; 4];
        let Ok(Status::Complete(r)) = Request::parse(buf, &mut headers, &Limits::DEFAULT) else {
            unreachable!()
        };
        let what = String::from_utf8_lossy(buf);
        assert_eq!(
            (r.form, head.version, head.body, head.keep_alive),
            (form, version, body, keep_alive),
            "{what}"
        );
        assert_eq!(head.head_len, buf.len(), "{what}");
    }
}

#[test]
fn empty_lines_before_the_request_line_are_skipped() {
    // RFC 9112 2.2: SHOULD ignore at least one empty line.
    let buf = b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let head = complete_request(buf);
    assert_eq!(head.start, "GET");
    assert_eq!(head.head_len, buf.len());
}

#[test]
fn field_values_lose_surrounding_whitespace_and_keep_inner() {
    let head = complete_request(
        b"GET / HTTP/1.1\r\nHost:a\r\nX-A:  \t one \t two\t \r\nX-Empty:\r\nX-Blank: \t \r\nX-Obs: caf\xc3\xa9\r\n\r\n",
    );
    let values: Vec<&[u8]> = head.headers.iter().map(|(_, v)| v.as_slice()).collect();
    assert_eq!(values, [&b"a"[..], b"one \t two", b"", b"", b"caf\xc3\xa9"]);
}

#[test]
fn field_names_keep_their_case_and_match_ignoring_it() {
    let head = complete_request(b"GET / HTTP/1.1\r\nhOsT: a\r\ncontent-LENGTH: 3\r\n\r\nabc");
    assert_eq!(head.headers[0].0, b"hOsT");
    assert_eq!(head.body, Body::Length(3));
}

#[test]
fn content_length_frames_the_body() {
    let rows: &[(&[u8], Body)] = &[
        (b"Content-Length: 0", Body::Length(0)),
        (b"Content-Length: 42", Body::Length(42)),
        (b"Content-Length:007", Body::Length(7)),
        (
            b"Content-Length: 18446744073709551615",
            Body::Length(u64::MAX),
        ),
    ];
    for &(field, body) in rows {
        let buf = [b"POST / HTTP/1.1\r\nHost: a\r\n", field, b"\r\n\r\n"].concat();
        assert_eq!(
            complete_request(&buf).body,
            body,
            "{}",
            String::from_utf8_lossy(field)
        );
    }
}

#[test]
fn transfer_encoding_chunked_frames_the_body() {
    let rows: &[&[u8]] = &[
        b"Transfer-Encoding: chunked",
        b"Transfer-Encoding: CHUNKED",
        // RFC 9110 5.6.1: empty list elements are accepted.
        b"Transfer-Encoding: , chunked ,",
    ];
    for field in rows {
        let buf = [b"POST / HTTP/1.1\r\nHost: a\r\n", *field, b"\r\n\r\n"].concat();
        let head = complete_request(&buf);
        assert_eq!(
            head.body,
            Body::Chunked,
            "{}",
            String::from_utf8_lossy(field)
        );
        assert!(head.keep_alive);
    }
}

#[test]
fn field_lines_fill_exactly_the_slots_given() {
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\n\r\n";
    let mut two = [EMPTY_HEADER; 2];
    let parsed = Request::parse(buf, &mut two, &Limits::DEFAULT);
    assert!(matches!(parsed, Ok(Status::Complete(r)) if r.headers.len() == 2));
}

#[test]
fn emit_writes_the_canonical_head() {
    let buf = b"\r\nPUT /x HTTP/1.1\r\nHost:a\r\nX-Y:  z  \r\n\r\n";
    let mut headers = [EMPTY_HEADER; 4];
    let Ok(Status::Complete(r)) = Request::parse(buf, &mut headers, &Limits::DEFAULT) else {
        panic!("complete");
    };
    let mut out = vec![0xa5; r.buffer_len()];
    assert_eq!(r.emit(&mut out), out.len());
    assert_eq!(out, b"PUT /x HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n");
}
