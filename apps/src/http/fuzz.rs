//! The bodies of the HTTP fuzz targets `http_request`, `http_response` and
//! `http_chunked`.
//!
//! Each `fuzz/fuzz_targets/<name>.rs` calls the function of the same name,
//! and the root crate's `tests/corpus.rs` replays `corpus/<name>/` through
//! it on stable. Every body checks more than "no panic":
//!
//! - **Prefixes agree with the whole.** A prefix shorter than a complete
//!   head is `Partial`, a longer one gives the same message, and a prefix
//!   of anything fails only with the error the whole input fails with: an
//!   error is found at a fixed byte, never guessed from missing input.
//! - **Round trip.** A parsed head, emitted, parses back to the same
//!   message; a decoded chunked body, encoded again, decodes to the same
//!   data and trailers.
//! - **Incremental decoding.** A chunked body fed one byte at a time gives
//!   the same data, trailers, length and error as fed whole.
//! - **Differential.** With the `httparse` feature (and in this crate's
//!   tests), whatever httparse and
//!   this parser both accept has the same method, target, version, status,
//!   field lines and head length; what this parser accepts with version
//!   1.0 or 1.1, httparse accepts too.
//!
//! No body allocates per run: field lines go to arrays on the stack, and
//! output to buffers kept across runs.

use core::cell::RefCell;

use super::{
    chunk_len, emit_chunk, emit_last_chunk, last_chunk_len, ChunkedDecoder, Error, Event, Header,
    Limits, Request, Response, Status, EMPTY_HEADER,
};

/// Field-line slots: the fuzzer reaches [`Error::TooManyHeaders`] easily.
pub const HEADERS: usize = 24;

/// The limits the bodies parse with: small, so that inputs of a few hundred
/// bytes reach every one.
pub const LIMITS: Limits = Limits {
    max_head_len: 2048,
    max_target_len: 256,
    max_chunk_ext_len: 64,
    max_chunk_ext_total: 256,
    max_trailers: 8,
    max_trailer_len: 512,
};

/// No limits but the field-line slots, for parsing what was emitted (an
/// emitted head may be a little longer than the one parsed).
const UNLIMITED: Limits = Limits {
    max_head_len: usize::MAX,
    max_target_len: usize::MAX,
    max_chunk_ext_len: usize::MAX,
    max_chunk_ext_total: u64::MAX,
    max_trailers: HEADERS,
    max_trailer_len: usize::MAX,
};

/// The request methods a response fuzz input can answer, picked by its
/// first byte (modulo 3).
pub const METHODS: [&[u8]; 3] = [b"GET", b"HEAD", b"CONNECT"];

thread_local! {
    /// Buffers reused across runs, to keep allocation off the hot path.
    static SCRATCH: RefCell<[Vec<u8>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// Run `f` with two cleared scratch buffers.
fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>, &mut Vec<u8>) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let [a, b] = &mut *bufs;
        a.clear();
        b.clear();
        f(a, b)
    })
}

/// Return the prefix lengths to check for an input of `len` bytes: all of
/// them for short inputs, 24 spread ones and the head's edges otherwise.
fn split_points(len: usize, head_len: Option<usize>) -> impl Iterator<Item = usize> {
    let step = if len <= 64 { 1 } else { len / 24 };
    let edges = head_len.map(|h| [h.saturating_sub(1), h]);
    (0..len).step_by(step).chain(edges.into_iter().flatten())
}

/// Check that parsing any prefix of an input agrees with parsing it whole.
///
/// `whole` is the whole input's result, with the head length for a
/// message; `parse(k)` parses the first `k` bytes and, for a message, says
/// whether it equals the whole input's.
fn check_prefixes(
    len: usize,
    whole: Result<Status<usize>, Error>,
    mut parse: impl FnMut(usize) -> Result<Status<bool>, Error>,
) {
    let end = match whole {
        Ok(Status::Complete(head_len)) => Some(head_len),
        _ => None,
    };
    for k in split_points(len, end) {
        let prefix = parse(k);
        match (whole, prefix) {
            (_, Ok(Status::Partial)) if end.is_none_or(|end| k < end) => {}
            (Ok(Status::Complete(_)), Ok(Status::Complete(true)))
                if end.is_some_and(|e| k >= e) => {}
            (Err(e), Err(p)) => assert_eq!(p, e, "prefix of {k} bytes"),
            _ => panic!("prefix of {k} bytes gives {prefix:?}, the whole {whole:?}"),
        }
    }
}

/// Map a parse result to what [`check_prefixes`] compares: the head length
/// of a message, or whether it equals `whole`.
fn summary<T: PartialEq, R>(
    result: &Result<Status<T>, Error>,
    f: impl FnOnce(&T) -> R,
) -> Result<Status<R>, Error> {
    match result {
        Ok(Status::Complete(message)) => Ok(Status::Complete(f(message))),
        Ok(Status::Partial) => Ok(Status::Partial),
        Err(e) => Err(*e),
    }
}

/// Fuzz the request parser: see the module docs for what is checked.
pub fn http_request(data: &[u8]) {
    let mut headers = [EMPTY_HEADER; HEADERS];
    let whole = Request::parse(data, &mut headers, &LIMITS);
    if let Err(e) = whole {
        assert!(
            matches!(e.status_code(), 400 | 414 | 431 | 501 | 505),
            "{e}"
        );
    }
    let mut again = [EMPTY_HEADER; HEADERS];
    check_prefixes(data.len(), summary(&whole, |r| r.head_len), |k| {
        let prefix = Request::parse(&data[..k], &mut again, &LIMITS);
        summary(&prefix, |p| Ok(Status::Complete(*p)) == whole)
    });
    #[cfg(any(test, feature = "httparse"))]
    peer::request(data, &whole);
    let Ok(Status::Complete(request)) = whole else {
        return;
    };
    with_scratch(|out, _| {
        out.resize(request.buffer_len(), 0);
        assert_eq!(request.emit(out), out.len());
        let mut again = [EMPTY_HEADER; HEADERS];
        match Request::parse(out, &mut again, &UNLIMITED) {
            Ok(Status::Complete(parsed)) => {
                assert_eq!(parsed.head_len, out.len());
                assert_eq!(
                    Request {
                        head_len: parsed.head_len,
                        ..request
                    },
                    parsed
                );
            }
            other => panic!("{request:?} emitted as {out:?} parses as {other:?}"),
        }
    });
}

/// Fuzz the response parser; the first byte picks the request method.
pub fn http_response(data: &[u8]) {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(pick) % METHODS.len()];
    let mut headers = [EMPTY_HEADER; HEADERS];
    let whole = Response::parse(data, &mut headers, method, &LIMITS);
    let mut again = [EMPTY_HEADER; HEADERS];
    check_prefixes(data.len(), summary(&whole, |r| r.head_len), |k| {
        let prefix = Response::parse(&data[..k], &mut again, method, &LIMITS);
        summary(&prefix, |p| Ok(Status::Complete(*p)) == whole)
    });
    #[cfg(any(test, feature = "httparse"))]
    peer::response(data, &whole);
    let Ok(Status::Complete(response)) = whole else {
        return;
    };
    with_scratch(|out, _| {
        out.resize(response.buffer_len(), 0);
        assert_eq!(response.emit(out), out.len());
        let mut again = [EMPTY_HEADER; HEADERS];
        match Response::parse(out, &mut again, method, &UNLIMITED) {
            Ok(Status::Complete(parsed)) => {
                assert_eq!(parsed.head_len, out.len());
                assert_eq!(
                    Response {
                        head_len: parsed.head_len,
                        ..response
                    },
                    parsed
                );
            }
            other => panic!("{response:?} emitted as {out:?} parses as {other:?}"),
        }
    });
}

/// What decoding a whole chunked body gave.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// Bytes consumed, up to the end of the body, where the input ran out,
    /// or the byte at fault.
    consumed: usize,
    /// The end was reached (else the input ran out).
    ended: bool,
    /// The error, if any.
    error: Option<Error>,
    /// Trailer fields read.
    trailers: usize,
}

/// Return the decoder's offset, which fits in memory.
fn offset(decoder: &ChunkedDecoder) -> usize {
    usize::try_from(decoder.offset()).unwrap_or(usize::MAX)
}

/// Decode `input` as one chunked body, appending its data to `data` and
/// storing its trailers in `trailers`.
fn decode_all<'a>(
    input: &'a [u8],
    limits: &Limits,
    data: &mut Vec<u8>,
    trailers: &mut [Header<'a>],
) -> Outcome {
    let mut decoder = ChunkedDecoder::new(limits);
    let mut outcome = Outcome {
        consumed: 0,
        ended: false,
        error: None,
        trailers: 0,
    };
    loop {
        let step = match decoder.decode(&input[outcome.consumed..]) {
            Ok(step) => step,
            Err(e) => {
                outcome.error = Some(e);
                outcome.consumed = offset(&decoder);
                return outcome;
            }
        };
        outcome.consumed += step.consumed;
        match step.event {
            Event::Data(piece) => data.extend_from_slice(piece),
            Event::Trailer(header) => {
                trailers[outcome.trailers] = header;
                outcome.trailers += 1;
            }
            Event::End => {
                outcome.ended = true;
                return outcome;
            }
            Event::Partial => return outcome,
        }
    }
}

/// Feed `input` to a decoder one byte at a time, keeping unconsumed bytes
/// as a caller would; check the data and trailers against `data` and
/// `trailers`, and return the outcome.
fn decode_bytewise(input: &[u8], data: &[u8], trailers: &[Header<'_>]) -> Outcome {
    let mut decoder = ChunkedDecoder::new(&LIMITS);
    let mut outcome = Outcome {
        consumed: 0,
        ended: false,
        error: None,
        trailers: 0,
    };
    let mut seen = 0;
    for end in 1..=input.len() {
        loop {
            let step = match decoder.decode(&input[outcome.consumed..end]) {
                Ok(step) => step,
                Err(e) => {
                    outcome.error = Some(e);
                    outcome.consumed = offset(&decoder);
                    return outcome;
                }
            };
            outcome.consumed += step.consumed;
            match step.event {
                Event::Data(piece) => {
                    assert_eq!(data.get(seen..seen + piece.len()), Some(piece));
                    seen += piece.len();
                }
                Event::Trailer(header) => {
                    assert_eq!(trailers.get(outcome.trailers), Some(&header));
                    outcome.trailers += 1;
                }
                Event::End => {
                    outcome.ended = true;
                    assert_eq!(seen, data.len());
                    return outcome;
                }
                Event::Partial => break,
            }
        }
    }
    outcome
}

/// Fuzz the chunked decoder: whole, byte by byte, and re-encoded.
pub fn http_chunked(data: &[u8]) {
    with_scratch(|decoded, encoded| {
        let mut trailers = [EMPTY_HEADER; HEADERS];
        let whole = decode_all(data, &LIMITS, decoded, &mut trailers);
        let trailers = &trailers[..whole.trailers];
        if !data.is_empty() {
            assert_eq!(decode_bytewise(data, decoded, trailers), whole);
        }
        if !whole.ended {
            return;
        }
        encoded.resize(chunk_len(decoded.len()) + last_chunk_len(trailers), 0);
        let n = emit_chunk(decoded, encoded);
        emit_last_chunk(trailers, &mut encoded[n..]);
        let mut again = [EMPTY_HEADER; HEADERS];
        let mut redecoded = Vec::new();
        let outcome = decode_all(encoded, &UNLIMITED, &mut redecoded, &mut again);
        let expect = Outcome {
            consumed: encoded.len(),
            ended: true,
            error: None,
            trailers: trailers.len(),
        };
        assert_eq!(outcome, expect);
        assert_eq!(&redecoded, decoded);
        assert_eq!(&again[..trailers.len()], trailers);
    });
}

/// The differential check against httparse (a dev-dependency for this
/// crate's own tests).
#[cfg(any(test, feature = "httparse"))]
mod peer {
    use super::super::Version;
    use super::{Error, Request, Response, Status, HEADERS};

    /// Return the minor version httparse reports for `version`.
    fn minor(version: Version) -> u8 {
        match version {
            Version::Http10 => 0,
            Version::Http11 => 1,
        }
    }

    /// Compare httparse's field lines with ours.
    fn same_headers(peer: &[httparse::Header<'_>], ours: &[super::Header<'_>]) {
        assert_eq!(peer.len(), ours.len());
        for (p, o) in peer.iter().zip(ours) {
            assert_eq!((p.name.as_bytes(), p.value), (o.name, o.value));
        }
    }

    /// Check a request both parsers accept, and that httparse accepts ours.
    pub(super) fn request(data: &[u8], ours: &Result<Status<Request<'_, '_>>, Error>) {
        let mut headers = [httparse::EMPTY_HEADER; HEADERS];
        let mut peer = httparse::Request::new(&mut headers);
        let theirs = peer.parse(data);
        let Ok(Status::Complete(ours)) = ours else {
            return;
        };
        // The version as sent: it follows the target and a space.
        let target_at = ours.target.as_ptr() as usize - data.as_ptr() as usize;
        let raw_version = &data[target_at + ours.target.len() + 1..];
        match theirs {
            Ok(httparse::Status::Complete(n)) => {
                assert_eq!(n, ours.head_len);
                assert_eq!(peer.method.map(str::as_bytes), Some(ours.method));
                assert_eq!(peer.path.map(str::as_bytes), Some(ours.target));
                assert_eq!(peer.version, Some(minor(ours.version)));
                same_headers(peer.headers, ours.headers);
            }
            other
                if raw_version.starts_with(b"HTTP/1.0") || raw_version.starts_with(b"HTTP/1.1") =>
            {
                panic!("httparse gives {other:?} for a request we accept: {ours:?}")
            }
            _ => {}
        }
    }

    /// Check a response both parsers accept.
    pub(super) fn response(data: &[u8], ours: &Result<Status<Response<'_, '_>>, Error>) {
        let mut headers = [httparse::EMPTY_HEADER; HEADERS];
        let mut peer = httparse::Response::new(&mut headers);
        let theirs = peer.parse(data);
        let Ok(Status::Complete(ours)) = ours else {
            return;
        };
        match theirs {
            Ok(httparse::Status::Complete(n)) => {
                assert_eq!(n, ours.head_len);
                assert_eq!(peer.version, Some(minor(ours.version)));
                assert_eq!(peer.code, Some(ours.code));
                if ours.reason.is_ascii() {
                    assert_eq!(peer.reason.map(str::as_bytes), Some(ours.reason));
                }
                same_headers(peer.headers, ours.headers);
            }
            other if data.starts_with(b"HTTP/1.0") || data.starts_with(b"HTTP/1.1") => {
                panic!("httparse gives {other:?} for a response we accept: {ours:?}")
            }
            _ => {}
        }
    }
}
