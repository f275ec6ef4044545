//! Partial input and pipelining: valid messages, generated, cut anywhere.

use proptest::prelude::*;

use super::super::{BodyDecoder, Event};
use super::chunked::decode_in_pieces;
use super::{request, response, Body, Error, Head, Limits, Status, Version};

/// A generated message body.
#[derive(Debug, Clone)]
pub(super) enum GenBody {
    None,
    Length(Vec<u8>),
    /// Chunks with an extension each, then trailers.
    Chunked(Vec<(Vec<u8>, String)>, Vec<(String, String)>),
}

impl GenBody {
    /// The data the body carries.
    fn data(&self) -> Vec<u8> {
        match self {
            GenBody::None => Vec::new(),
            GenBody::Length(data) => data.clone(),
            GenBody::Chunked(chunks, _) => chunks.iter().flat_map(|(c, _)| c.clone()).collect(),
        }
    }

    /// The framing field and the body's bytes.
    fn wire(&self) -> (Option<String>, Vec<u8>) {
        match self {
            GenBody::None => (None, Vec::new()),
            GenBody::Length(data) => (
                Some(format!("Content-Length: {}", data.len())),
                data.clone(),
            ),
            GenBody::Chunked(chunks, trailers) => {
                let mut out = Vec::new();
                for (chunk, ext) in chunks {
                    out.extend(format!("{:X}{ext}\r\n", chunk.len()).bytes());
                    out.extend(chunk);
                    out.extend(b"\r\n");
                }
                out.extend(b"0\r\n");
                for (name, value) in trailers {
                    out.extend(format!("{name}: {value}\r\n").bytes());
                }
                out.extend(b"\r\n");
                (Some("Transfer-Encoding: chunked".into()), out)
            }
        }
    }
}

/// A generated request, valid by construction.
#[derive(Debug, Clone)]
pub(super) struct GenRequest {
    pub method: String,
    pub target: String,
    pub http10: bool,
    pub headers: Vec<(String, String)>,
    pub close: bool,
    pub body: GenBody,
}

impl GenRequest {
    /// The request on the wire, and the length of its head.
    pub(super) fn wire(&self) -> (Vec<u8>, usize) {
        let version = if self.http10 { "1.0" } else { "1.1" };
        let mut head = format!(
            "{} {} HTTP/{version}\r\nHost: example.org\r\n",
            self.method, self.target
        );
        let (framing, body) = self.body.wire();
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}:{value}\r\n"));
        }
        framing
            .into_iter()
            .for_each(|f| head.push_str(&format!("{f}\r\n")));
        if self.close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let head_len = head.len();
        ([head.into_bytes(), body].concat(), head_len)
    }

    /// What parsing the head must give.
    fn expected(&self, head_len: usize) -> Head {
        let (framing, _) = self.body.wire();
        let body = match &self.body {
            GenBody::None => Body::None,
            GenBody::Length(data) => Body::Length(data.len() as u64),
            GenBody::Chunked(..) => Body::Chunked,
        };
        let mut headers = vec![("Host".to_owned(), "example.org".to_owned())];
        headers.extend(
            self.headers
                .iter()
                .map(|(n, v)| (n.clone(), v.trim_matches([' ', '\t']).to_owned())),
        );
        if let Some(f) = framing {
            let (n, v) = f.split_once(": ").unwrap();
            headers.push((n.into(), v.into()));
        }
        if self.close {
            headers.push(("Connection".into(), "close".into()));
        }
        Head {
            start: self.method.clone(),
            detail: self.target.clone().into_bytes(),
            version: if self.http10 {
                Version::Http10
            } else {
                Version::Http11
            },
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.into_bytes(), v.into_bytes()))
                .collect(),
            head_len,
            body,
            keep_alive: !self.close && !self.http10,
        }
    }
}

/// Field names that do not touch framing or Host.
fn name() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}".prop_filter("a framing field", |n| {
        !["host", "content-length", "transfer-encoding", "connection"]
            .contains(&n.to_ascii_lowercase().as_str())
    })
}

/// Field values, with whitespace around them that the parser trims.
fn value() -> impl Strategy<Value = String> {
    "[ \t]{0,2}([!-~]([ \t!-~]{0,20}[!-~])?)?[ \t]{0,2}"
}

fn body() -> impl Strategy<Value = GenBody> {
    let ext = r#"( ?;[a-z]{1,4}(=([a-z0-9]{1,4}|"([ a-z]|\\[a-z"]){0,4}"))?){0,2}"#;
    let chunk = (proptest::collection::vec(any::<u8>(), 1..40), ext);
    prop_oneof![
        Just(GenBody::None),
        proptest::collection::vec(any::<u8>(), 0..60).prop_map(GenBody::Length),
        (
            proptest::collection::vec(chunk, 0..4),
            proptest::collection::vec((name(), "[!-~]{1,10}"), 0..3)
        )
            .prop_map(|(chunks, trailers)| GenBody::Chunked(chunks, trailers)),
    ]
}

pub(super) fn gen_request() -> impl Strategy<Value = GenRequest> {
    let method = prop_oneof![
        Just("GET".to_owned()),
        Just("POST".to_owned()),
        "[!#$%&'*+.^_`|~0-9A-Z-]{1,8}"
    ]
    .prop_filter("CONNECT and OPTIONS have their own target forms", |m| {
        m != "CONNECT" && m != "OPTIONS"
    });
    let target = "/[A-Za-z0-9._~%!$&'()*+,;=:@/?-]{0,40}";
    (
        method,
        target,
        any::<bool>(),
        proptest::collection::vec((name(), value()), 0..10),
        any::<bool>(),
        body(),
    )
        .prop_map(|(method, target, http10, headers, close, body)| {
            // HTTP/1.0 cannot carry Transfer-Encoding (RFC 9112 6.1).
            let body = if http10 && matches!(body, GenBody::Chunked(..)) {
                GenBody::None
            } else {
                body
            };
            GenRequest {
                method,
                target,
                http10,
                headers,
                close,
                body,
            }
        })
}

/// Read every request of `stream` as a server would: each head, then its
/// body, until a request does not keep the connection alive.
fn serve(stream: &[u8]) -> Result<Vec<(Head, Vec<u8>)>, Error> {
    let mut at = 0;
    let mut served = Vec::new();
    while at < stream.len() {
        let Status::Complete(head) = request(&stream[at..])? else {
            panic!("a head cut short at {at}");
        };
        at += head.head_len;
        let mut decoder = BodyDecoder::new(head.body, &Limits::DEFAULT);
        let mut body = Vec::new();
        loop {
            let step = decoder.decode(&stream[at..])?;
            at += step.consumed;
            match step.event {
                Event::Data(data) => body.extend_from_slice(data),
                Event::Trailer(_) => {}
                Event::End => break,
                Event::Partial => panic!("a body cut short at {at}"),
            }
        }
        let keep_alive = head.keep_alive;
        served.push((head, body));
        if !keep_alive {
            break;
        }
    }
    assert_eq!(at, stream.len());
    Ok(served)
}

#[test]
fn a_pipelined_batch_of_three_is_answered_in_order() {
    let stream = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n\
        POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
        POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
        2;x=y\r\nwo\r\n3\r\nrld\r\n0\r\nZ: 1\r\n\r\n";
    let served = serve(stream).unwrap();
    let summary: Vec<(&[u8], Body, bool, &[u8])> = served
        .iter()
        .map(|(h, body)| (h.detail.as_slice(), h.body, h.keep_alive, body.as_slice()))
        .collect();
    assert_eq!(
        summary,
        [
            (&b"/1"[..], Body::None, true, &b""[..]),
            (b"/2", Body::Length(5), true, b"hello"),
            (b"/3", Body::Chunked, false, b"world"),
        ]
    );
}

#[test]
fn smuggling_attempts_stop_the_pipeline() {
    // CL.TE: a front end reading Content-Length would see one request with
    // a body; one reading chunked would see a second, smuggled request.
    let cl_te = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX";
    assert_eq!(
        serve(cl_te).err(),
        Some(Error::ContentLengthWithTransferEncoding)
    );
    let two_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /x HTTP/1.1\r\n";
    assert_eq!(serve(two_cl).err(), Some(Error::DuplicateContentLength));
    let bad_size = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;\r\nhello\r\n0\r\n\r\n";
    assert_eq!(serve(bad_size).err(), Some(Error::ChunkExtension));
    let neg = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-0\r\n\r\n";
    assert_eq!(serve(neg).err(), Some(Error::ChunkSize));
    let huge =
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n";
    assert_eq!(serve(huge).err(), Some(Error::ChunkSizeOverflow));
}

proptest! {
    #[test]
    fn a_request_cut_anywhere_is_partial_until_its_head_is_whole(req in gen_request()) {
        let (wire, head_len) = req.wire();
        let expected = req.expected(head_len);
        for k in 0..head_len {
            prop_assert_eq!(request(&wire[..k]), Ok(Status::Partial), "cut at {}", k);
        }
        for k in head_len..=wire.len() {
            prop_assert_eq!(request(&wire[..k]), Ok(Status::Complete(expected.clone())), "cut at {}", k);
        }
    }

    #[test]
    fn a_chunked_body_cut_anywhere_decodes_the_same(body in body(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let (_, wire) = body.wire();
        let GenBody::Chunked(_, trailers) = &body else { return Ok(()) };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        cuts.sort_unstable();
        let d = decode_in_pieces(&wire, &cuts, &Limits::DEFAULT);
        prop_assert_eq!(d.end, Ok(true));
        prop_assert_eq!(d.consumed, wire.len());
        prop_assert_eq!(d.data, body.data());
        let expect: Vec<String> = trailers.iter().map(|(n, v)| format!("{n}={v}")).collect();
        prop_assert_eq!(d.trailers, expect);
    }

    #[test]
    fn a_pipeline_of_three_requests_reads_back(reqs in proptest::collection::vec(gen_request(), 3)) {
        let mut reqs = reqs;
        reqs[0].close = false;
        reqs[1].close = false;
        reqs[0].http10 = false;
        reqs[1].http10 = false;
        let stream: Vec<u8> = reqs.iter().flat_map(|r| r.wire().0).collect();
        let served = serve(&stream).unwrap();
        prop_assert_eq!(served.len(), 3);
        let mut at = 0;
        for (req, (head, body)) in reqs.iter().zip(&served) {
            let (wire, head_len) = req.wire();
            prop_assert_eq!(head, &req.expected(head_len));
            prop_assert_eq!(body, &req.body.data());
            at += wire.len();
        }
        prop_assert_eq!(at, stream.len());
    }

    #[test]
    fn a_response_cut_anywhere_is_partial_until_its_head_is_whole(
        code in 200u16..600,
        reason in "[ -~]{0,12}",
        headers in proptest::collection::vec((name(), value()), 0..6),
        len in 0usize..100,
    ) {
        prop_assume!(code != 204 && code != 304);
        let mut head = format!("HTTP/1.1 {code} {reason}\r\n");
        for (n, v) in &headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {len}\r\n\r\n"));
        let wire = [head.as_bytes(), &vec![b'.'; len]].concat();
        let Ok(Status::Complete(whole)) = response(&wire, "GET") else {
            panic!("{head:?} is valid");
        };
        prop_assert_eq!(whole.head_len, head.len());
        prop_assert_eq!(whole.body, Body::Length(len as u64));
        for k in 0..head.len() {
            prop_assert_eq!(response(&wire[..k], "GET"), Ok(Status::Partial), "cut at {}", k);
        }
        prop_assert_eq!(response(&wire[..head.len()], "GET"), Ok(Status::Complete(whole)));
    }
}
