//! Writing a server's responses into a reused output buffer.

use std::io::Write;

use super::{chunk_len, emit_chunk, emit_last_chunk, last_chunk_len};

/// The parts of a response head the server varies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head<'a> {
    /// The status code.
    pub code: u16,
    /// The Content-Type value.
    pub content_type: &'a str,
    /// The Content-Length; `None` for a chunked body.
    pub len: Option<usize>,
    /// Send `Connection: close` (RFC 9112 9.6).
    pub close: bool,
    /// Send `Connection: keep-alive` to an HTTP/1.0 client (RFC 9112 9.3).
    pub keep_alive_10: bool,
    /// Send `Allow: GET, HEAD` (RFC 9110 15.5.6: a 405 MUST carry Allow).
    pub allow: bool,
}

/// Return the reason phrase of the codes the server sends.
pub(crate) fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Append the head of a response to `out`.
pub(crate) fn head(out: &mut Vec<u8>, head: &Head<'_>) {
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\nServer: synack\r\nContent-Type: {}\r\n",
        head.code,
        reason(head.code),
        head.content_type
    );
    match head.len {
        Some(len) => {
            let _ = write!(out, "Content-Length: {len}\r\n");
        }
        None => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
    }
    if head.allow {
        out.extend_from_slice(b"Allow: GET, HEAD\r\n");
    }
    if head.close {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if head.keep_alive_10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Append `body` with the chunked transfer coding (RFC 9112 7.1), in
/// chunks of `chunk_size` bytes, then the last chunk and no trailers.
pub(crate) fn chunked(out: &mut Vec<u8>, body: &[u8], chunk_size: usize) {
    for chunk in body.chunks(chunk_size.max(1)) {
        let start = out.len();
        out.resize(start + chunk_len(chunk.len()), 0);
        emit_chunk(chunk, &mut out[start..]);
    }
    let start = out.len();
    out.resize(start + last_chunk_len(&[]), 0);
    emit_last_chunk(&[], &mut out[start..]);
}
