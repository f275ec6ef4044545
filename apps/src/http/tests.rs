//! Tests of the HTTP/1.1 parser: a table per rule, partial input, pipelines,
//! chunked bodies, and the differential check against httparse.

mod chunked;
mod differential;
mod errors;
mod partial;
mod request;
mod response;
mod seeds;
mod serve;

use super::{Body, Error, Header, Limits, Request, Response, Status, Version, EMPTY_HEADER};

/// What a test checks of a parsed request or response: owned, so a helper
/// can return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Head {
    /// The method or, for a response, the status code as text.
    pub start: String,
    /// The target or, for a response, the reason phrase.
    pub detail: Vec<u8>,
    pub version: Version,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub head_len: usize,
    pub body: Body,
    pub keep_alive: bool,
}

/// Copy the field lines out.
fn owned(headers: &[Header<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.to_vec(), h.value.to_vec()))
        .collect()
}

impl Head {
    fn of_request(r: &Request<'_, '_>) -> Self {
        Head {
            start: r.method_str().to_owned(),
            detail: r.target.to_vec(),
            version: r.version,
            headers: owned(r.headers),
            head_len: r.head_len,
            body: r.body,
            keep_alive: r.keep_alive,
        }
    }

    fn of_response(r: &Response<'_, '_>) -> Self {
        Head {
            start: r.code.to_string(),
            detail: r.reason.to_vec(),
            version: r.version,
            headers: owned(r.headers),
            head_len: r.head_len,
            body: r.body,
            keep_alive: r.keep_alive,
        }
    }
}

/// Parse a request with 16 field-line slots and `limits`.
pub(super) fn request_with(buf: &[u8], limits: &Limits) -> Result<Status<Head>, Error> {
    let mut headers = [EMPTY_HEADER; 16];
    Request::parse(buf, &mut headers, limits).map(|s| match s {
        Status::Complete(r) => Status::Complete(Head::of_request(&r)),
        Status::Partial => Status::Partial,
    })
}

/// Parse a request with the default limits.
pub(super) fn request(buf: &[u8]) -> Result<Status<Head>, Error> {
    request_with(buf, &Limits::DEFAULT)
}

/// Parse a response to `method` with the default limits.
pub(super) fn response(buf: &[u8], method: &str) -> Result<Status<Head>, Error> {
    let mut headers = [EMPTY_HEADER; 16];
    Response::parse(buf, &mut headers, method.as_bytes(), &Limits::DEFAULT).map(|s| match s {
        Status::Complete(r) => Status::Complete(Head::of_response(&r)),
        Status::Partial => Status::Partial,
    })
}

/// Parse a request that must be complete.
#[track_caller]
pub(super) fn complete_request(buf: &[u8]) -> Head {
    match request(buf) {
        Ok(Status::Complete(head)) => head,
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(buf)),
    }
}

/// Parse a response that must be complete.
#[track_caller]
pub(super) fn complete_response(buf: &[u8], method: &str) -> Head {
    match response(buf, method) {
        Ok(Status::Complete(head)) => head,
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(buf)),
    }
}
