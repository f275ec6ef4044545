//! Reading a message body, whatever its framing, over partial input.

use super::chunked::ChunkedDecoder;
use super::{Body, Error, Header, Limits};

/// What one decoding step found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// Body data, borrowed from the input.
    Data(&'a [u8]),
    /// A trailer field of a chunked body (RFC 9112 7.1.2).
    Trailer(Header<'a>),
    /// The body is complete; the next message starts after the consumed
    /// bytes.
    End,
    /// The input ran out; call again with more.
    Partial,
}

/// The result of one decoding step: how many input bytes it consumed, and
/// what they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Bytes of the input consumed; the next call starts after them.
    pub consumed: usize,
    /// What was found.
    pub event: Event<'a>,
}

impl<'a> Decoded<'a> {
    /// Return a step that consumed `consumed` bytes and found `event`.
    pub(crate) fn new(consumed: usize, event: Event<'a>) -> Self {
        Decoded { consumed, event }
    }
}

/// A decoder for the body of one message, framed as its head said.
///
/// ```
/// use apps::http::{Body, BodyDecoder, Event, Limits};
///
/// let mut decoder = BodyDecoder::new(Body::Chunked, &Limits::DEFAULT);
/// let input = b"3;ext=1\r\nabc\r\n0\r\nDigest: x\r\n\r\nGET /next";
/// let mut at = 0;
/// let mut events = Vec::new();
/// loop {
///     let step = decoder.decode(&input[at..]).unwrap();
///     at += step.consumed;
///     events.push(step.event);
///     if matches!(step.event, Event::End | Event::Partial) {
///         break;
///     }
/// }
/// assert!(matches!(events[0], Event::Data(b"abc")));
/// assert!(matches!(events[1], Event::Trailer(h) if h.value == b"x"));
/// assert_eq!(events[2], Event::End);
/// assert_eq!(&input[at..], b"GET /next");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyDecoder {
    /// A Content-Length body with this many bytes left.
    Length(u64),
    /// A chunked body.
    Chunked(ChunkedDecoder),
    /// A body that runs until the connection closes: every byte is data,
    /// and the caller ends it when the peer closes.
    UntilClose,
    /// No body, or the body has been read.
    Done,
}

impl BodyDecoder {
    /// Return a decoder for a body framed as `body`. A [`Body::Tunnel`] has
    /// no HTTP body: its decoder is done at once, and the bytes after the
    /// head belong to the tunnel.
    pub fn new(body: Body, limits: &Limits) -> Self {
        match body {
            Body::None | Body::Tunnel | Body::Length(0) => BodyDecoder::Done,
            Body::Length(n) => BodyDecoder::Length(n),
            Body::Chunked => BodyDecoder::Chunked(ChunkedDecoder::new(limits)),
            Body::CloseDelimited => BodyDecoder::UntilClose,
        }
    }

    /// Return whether the whole body has been read.
    pub fn is_done(&self) -> bool {
        match self {
            BodyDecoder::Done => true,
            BodyDecoder::Chunked(chunked) => chunked.is_done(),
            BodyDecoder::Length(_) | BodyDecoder::UntilClose => false,
        }
    }

    /// Decode from the start of `input`, the bytes not consumed so far; see
    /// [`ChunkedDecoder::decode`]. A Content-Length body ends with
    /// [`Event::End`] on the call after its last data.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, Error> {
        match self {
            BodyDecoder::Done => Ok(Decoded::new(0, Event::End)),
            BodyDecoder::Chunked(chunked) => chunked.decode(input),
            _ if input.is_empty() => Ok(Decoded::new(0, Event::Partial)),
            BodyDecoder::UntilClose => Ok(Decoded::new(input.len(), Event::Data(input))),
            BodyDecoder::Length(remaining) => {
                let n = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
                *remaining -= n as u64;
                if *remaining == 0 {
                    *self = BodyDecoder::Done;
                }
                Ok(Decoded::new(n, Event::Data(&input[..n])))
            }
        }
    }
}
