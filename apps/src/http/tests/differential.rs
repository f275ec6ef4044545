//! The differential check against httparse, through the fuzz bodies (which
//! compare with httparse in this crate's tests), on generated messages and
//! mutations of them.

use proptest::prelude::*;
use proptest::sample::Index;

use super::super::fuzz;
use super::partial::gen_request;
use super::{request, response, Error, Status};

/// Bytes that matter to the grammar, for mutations.
const INTERESTING: &[u8] = b" \t\r\n:;,=\"\\/?#*\x00\x7f\x80\xffaZ09-";

/// One edit of a message.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Index, Index),
    Insert(Index, Index),
    Delete(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<Index>().prop_map(Mutation::Delete),
    ]
}

/// Apply `mutations` to `bytes`, with replacement bytes from [`INTERESTING`].
fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let pick = |b: &Index| *b.get(INTERESTING);
        match m {
            Mutation::Replace(at, b) if !bytes.is_empty() => {
                let i = at.index(bytes.len());
                bytes[i] = pick(b);
            }
            Mutation::Insert(at, b) => {
                let i = at.index(bytes.len() + 1);
                bytes.insert(i, pick(b));
            }
            Mutation::Delete(at) if !bytes.is_empty() => {
                bytes.remove(at.index(bytes.len()));
            }
            _ => {}
        }
    }
    bytes
}

/// Build a response to GET from generated parts.
fn response_wire(code: u16, reason: &str, fields: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {code} {reason}\r\n");
    for (name, value) in fields {
        head.push_str(&format!("{name}:{value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    [head.as_bytes(), body].concat()
}

#[test]
fn what_httparse_accepts_and_rfc_9112_forbids_is_rejected() {
    // Divergences on purpose: httparse is lenient where these matter for
    // smuggling or the RFC says MUST.
    let requests: &[(&[u8], Error)] = &[
        (b"GET / HTTP/1.1\nHost: a\n\n", Error::LineEnding),
        (b"GET /{x} HTTP/1.1\r\nHost: a\r\n\r\n", Error::Target),
        (
            b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
            Error::Target,
        ),
        (b"GET / HTTP/1.1\r\n\r\n", Error::MissingHost),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            Error::DuplicateContentLength,
        ),
    ];
    for &(buf, error) in requests {
        let mut headers = [httparse::EMPTY_HEADER; 8];
        let peer = httparse::Request::new(&mut headers).parse(buf);
        assert!(
            matches!(peer, Ok(httparse::Status::Complete(_))),
            "httparse: {peer:?}"
        );
        assert_eq!(
            request(buf),
            Err(error),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
    let buf = b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
    let mut headers = [httparse::EMPTY_HEADER; 8];
    assert!(httparse::Response::new(&mut headers).parse(buf).is_ok());
    assert_eq!(response(buf, "GET"), Err(Error::StatusCode));
}

#[test]
fn httparse_and_this_parser_agree_on_the_usual_requests() {
    let buf = b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\nAccept:  */* \r\n\r\n";
    let mut headers = [httparse::EMPTY_HEADER; 8];
    let mut peer = httparse::Request::new(&mut headers);
    assert_eq!(peer.parse(buf), Ok(httparse::Status::Complete(buf.len())));
    let Ok(Status::Complete(ours)) = request(buf) else {
        panic!("complete")
    };
    assert_eq!(peer.path.map(str::as_bytes), Some(ours.detail.as_slice()));
    let peer_headers: Vec<(Vec<u8>, Vec<u8>)> = peer
        .headers
        .iter()
        .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
        .collect();
    assert_eq!(peer_headers, ours.headers);
    // And the fuzz body, with every check it makes, passes on it.
    fuzz::http_request(buf);
}

proptest! {
    #[test]
    fn valid_requests_pass_the_fuzz_body(req in gen_request()) {
        // The body asserts that httparse accepts these too, and agrees.
        fuzz::http_request(&req.wire().0);
    }

    #[test]
    fn mutated_requests_pass_the_fuzz_body(
        req in gen_request(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        fuzz::http_request(&mutate(req.wire().0, &mutations));
    }

    #[test]
    fn mutated_responses_pass_the_fuzz_body(
        method in 0u8..3,
        code in 100u16..1000,
        reason in "[ -~]{0,10}",
        fields in proptest::collection::vec(("[A-Za-z-]{1,10}", "[ -~]{0,12}"), 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..20),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let wire = [vec![method], response_wire(code, &reason, &fields, &body)].concat();
        fuzz::http_response(&mutate(wire, &mutations));
    }

    #[test]
    fn mutated_chunked_bodies_pass_the_fuzz_body(
        req in gen_request(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let (wire, head_len) = req.wire();
        fuzz::http_chunked(&mutate(wire[head_len..].to_vec(), &mutations));
    }

    #[test]
    fn arbitrary_bytes_pass_every_fuzz_body(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        fuzz::http_request(&data);
        fuzz::http_response(&data);
        fuzz::http_chunked(&data);
    }
}
