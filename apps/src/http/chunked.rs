//! The chunked transfer coding (RFC 9112 7.1): an incremental decoder, and
//! the writers for chunks and the last chunk.
//!
//! ```text
//! chunked-body   = *chunk last-chunk trailer-section CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-val  = token / quoted-string
//! ```

use super::body::{Decoded, Event};
use super::head::{self, fields_len, Out};
use super::scan::{QDTEXT, TCHAR, VALUE};
use super::{Error, Header, Limits, Status};

/// Where the decoder is in the chunked grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a chunk-size line.
    Size,
    /// In the hex digits of the chunk size.
    SizeDigits,
    /// In the chunk extensions.
    Ext(Ext),
    /// After the CR of a chunk-size line.
    SizeLf,
    /// In chunk data, with `remaining` bytes to go.
    Data,
    /// After chunk data, before its CR.
    DataCr,
    /// After the CR that follows chunk data.
    DataLf,
    /// In the trailer section, at the start of a line.
    Trailers,
    /// After the final CRLF.
    Done,
    /// After an error, which every call repeats.
    Failed(Error),
}

/// Where the decoder is in a chunk extension (RFC 9112 7.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ext {
    /// After `;`, before the name (BWS allowed).
    NameStart,
    /// In the name.
    Name,
    /// After the name and some whitespace: `=` or `;` must follow.
    AfterName,
    /// After `=`, before the value (BWS allowed).
    ValueStart,
    /// In a token value.
    Token,
    /// In a quoted-string value.
    Quoted,
    /// After a backslash in a quoted string.
    QuotedPair,
    /// Right after the closing quote.
    AfterQuoted,
    /// After a value (or the size) and whitespace: only `;` may follow.
    AfterValue,
}

/// A decoder for a chunked body, fed the input as it arrives.
///
/// Each call to [`decode`](Self::decode) reads from the start of the bytes
/// not yet consumed and reports one [`Event`]: data, a trailer field, the
/// end, or that more input is needed. Chunk-size lines are consumed byte by
/// byte into the decoder's state; a trailer field line is consumed only when
/// it is whole, so the caller keeps unconsumed bytes and appends to them.
/// The limits on chunk extensions and trailers come from [`Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedDecoder {
    state: State,
    /// The chunk size while reading it, then the data bytes left.
    remaining: u64,
    /// Extension bytes on this chunk-size line.
    ext_len: usize,
    /// Extension bytes over the whole body.
    ext_total: u64,
    /// Trailer fields read.
    trailers: usize,
    /// Bytes of trailer field lines read.
    trailer_len: usize,
    /// Bytes consumed since the start of the body.
    offset: u64,
    limits: Limits,
}

impl ChunkedDecoder {
    /// Return a decoder at the start of a chunked body.
    pub fn new(limits: &Limits) -> Self {
        ChunkedDecoder {
            state: State::Size,
            remaining: 0,
            ext_len: 0,
            ext_total: 0,
            trailers: 0,
            trailer_len: 0,
            offset: 0,
            limits: *limits,
        }
    }

    /// Return whether the final CRLF has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Return how many bytes of the body were consumed: after an error, the
    /// offset of the byte (or trailer line) at fault.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Decode from the start of `input`, the bytes not consumed so far.
    ///
    /// Return how many bytes of `input` were consumed and what they held.
    /// [`Event::Partial`] means `input` ran out; the consumed bytes (a part
    /// of a chunk-size line, say) are in the decoder's state. After
    /// [`Event::End`], every call returns `End` and consumes nothing. After
    /// an error, every call returns the same error.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, Error> {
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        let mut pos = 0;
        match self.run(input, &mut pos) {
            Ok(decoded) => {
                self.offset += decoded.consumed as u64;
                Ok(decoded)
            }
            Err(e) => {
                self.offset += pos as u64;
                self.state = State::Failed(e);
                Err(e)
            }
        }
    }

    /// Decode from `input`, keeping in `pos` where the bytes not consumed
    /// start.
    fn run<'a>(&mut self, input: &'a [u8], pos: &mut usize) -> Result<Decoded<'a>, Error> {
        loop {
            let rest = input.get(*pos..).unwrap_or_default();
            match self.state {
                State::Data => return Ok(self.data(rest, *pos)),
                State::Trailers => return self.trailer(rest, *pos),
                State::Done => return Ok(Decoded::new(0, Event::End)),
                _ => {}
            }
            let Some(&b) = rest.first() else {
                return Ok(Decoded::new(*pos, Event::Partial));
            };
            self.step(b)?;
            *pos += 1;
        }
    }

    /// Return the next piece of chunk data from `rest`, found at `pos`.
    fn data<'a>(&mut self, rest: &'a [u8], pos: usize) -> Decoded<'a> {
        if rest.is_empty() {
            return Decoded::new(pos, Event::Partial);
        }
        let n = usize::try_from(self.remaining).map_or(rest.len(), |r| r.min(rest.len()));
        self.remaining -= n as u64;
        if self.remaining == 0 {
            self.state = State::DataCr;
        }
        Decoded::new(pos + n, Event::Data(&rest[..n]))
    }

    /// Read one line of the trailer section (RFC 9112 7.1.2) from `rest`,
    /// found at `pos`: a field line, or the final CRLF.
    fn trailer<'a>(&mut self, rest: &'a [u8], pos: usize) -> Result<Decoded<'a>, Error> {
        if let Some(b'\r' | b'\n') = rest.first() {
            return Ok(match head::line_end(rest, Error::LineEnding)? {
                Status::Partial => Decoded::new(pos, Event::Partial),
                Status::Complete(()) => {
                    self.state = State::Done;
                    Decoded::new(pos + 2, Event::End)
                }
            });
        }
        if rest.is_empty() {
            return Ok(Decoded::new(pos, Event::Partial));
        }
        if self.trailers == self.limits.max_trailers {
            return Err(Error::TooManyTrailers);
        }
        let budget = self.limits.max_trailer_len.saturating_sub(self.trailer_len);
        match head::within(rest, budget, Error::TrailersTooLarge, head::field_line)? {
            Status::Partial => Ok(Decoded::new(pos, Event::Partial)),
            Status::Complete((header, len)) => {
                self.trailers += 1;
                self.trailer_len += len;
                Ok(Decoded::new(pos + len, Event::Trailer(header)))
            }
        }
    }

    /// Take one byte of a chunk-size line, or of the CRLF after chunk data.
    fn step(&mut self, b: u8) -> Result<(), Error> {
        let next = match self.state {
            State::Size => {
                let digit = hex(b).ok_or(Error::ChunkSize)?;
                self.remaining = u64::from(digit);
                self.ext_len = 0;
                State::SizeDigits
            }
            State::SizeDigits => match (b, hex(b)) {
                (_, Some(digit)) => {
                    // RFC 9112 7.1: recipients MUST anticipate large sizes
                    // and guard against overflow.
                    if self.remaining > u64::MAX >> 4 {
                        return Err(Error::ChunkSizeOverflow);
                    }
                    self.remaining = self.remaining << 4 | u64::from(digit);
                    State::SizeDigits
                }
                (b'\r', _) => State::SizeLf,
                (b'\n', _) => return Err(Error::LineEnding),
                (b';', _) => State::Ext(Ext::NameStart),
                (b' ' | b'\t', _) => State::Ext(Ext::AfterValue),
                _ => return Err(Error::ChunkSize),
            },
            State::Ext(ext) => self.ext(ext, b)?,
            State::SizeLf if b == b'\n' => match self.remaining {
                0 => State::Trailers,
                _ => State::Data,
            },
            State::SizeLf => return Err(Error::LineEnding),
            State::DataCr if b == b'\r' => State::DataLf,
            State::DataLf if b == b'\n' => State::Size,
            State::DataCr | State::DataLf => return Err(Error::ChunkData),
            State::Data | State::Trailers | State::Done | State::Failed(_) => return Ok(()),
        };
        if let State::Ext(_) = next {
            self.count_ext()?;
        }
        self.state = next;
        Ok(())
    }

    /// Count one byte of chunk extensions against the limits.
    fn count_ext(&mut self) -> Result<(), Error> {
        if self.ext_len >= self.limits.max_chunk_ext_len
            || self.ext_total >= self.limits.max_chunk_ext_total
        {
            return Err(Error::ChunkExtensionTooLong);
        }
        self.ext_len += 1;
        self.ext_total += 1;
        Ok(())
    }

    /// Take one byte of a chunk extension, in state `ext`.
    fn ext(&self, ext: Ext, b: u8) -> Result<State, Error> {
        let tchar = TCHAR[usize::from(b)];
        let ws = b == b' ' || b == b'\t';
        let next = match ext {
            Ext::NameStart | Ext::ValueStart | Ext::AfterName | Ext::AfterValue if ws => ext,
            Ext::NameStart | Ext::Name if tchar => Ext::Name,
            Ext::Name if ws => Ext::AfterName,
            Ext::Name | Ext::AfterName if b == b'=' => Ext::ValueStart,
            Ext::ValueStart if b == b'"' => Ext::Quoted,
            Ext::ValueStart | Ext::Token if tchar => Ext::Token,
            Ext::Token | Ext::AfterQuoted if ws => Ext::AfterValue,
            Ext::Quoted if b == b'"' => Ext::AfterQuoted,
            Ext::Quoted if b == b'\\' => Ext::QuotedPair,
            Ext::Quoted if QDTEXT[usize::from(b)] => Ext::Quoted,
            Ext::QuotedPair if VALUE[usize::from(b)] => Ext::Quoted,
            Ext::Name | Ext::AfterName | Ext::Token | Ext::AfterQuoted | Ext::AfterValue
                if b == b';' =>
            {
                Ext::NameStart
            }
            Ext::Name | Ext::Token | Ext::AfterQuoted if b == b'\r' => return Ok(State::SizeLf),
            _ if b == b'\n' => return Err(Error::LineEnding),
            _ => return Err(Error::ChunkExtension),
        };
        Ok(State::Ext(next))
    }
}

/// Return the value of a hex digit.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Return the number of hex digits of `n` (1 for zero).
fn hex_len(n: usize) -> usize {
    (usize::BITS as usize - n.leading_zeros() as usize)
        .div_ceil(4)
        .max(1)
}

/// Return the bytes [`emit_chunk`] writes for `data_len` bytes of data:
/// the size line, the data and its CRLF.
pub fn chunk_len(data_len: usize) -> usize {
    match data_len {
        0 => 0,
        n => hex_len(n) + 2 + n + 2,
    }
}

/// Write `data` as one chunk (RFC 9112 7.1); return [`chunk_len`] of its
/// length. Empty data writes nothing, as a chunk of size 0 would end the
/// body.
///
/// # Panics
///
/// If `out` is shorter than [`chunk_len`].
pub fn emit_chunk(data: &[u8], out: &mut [u8]) -> usize {
    if data.is_empty() {
        return 0;
    }
    let digits = hex_len(data.len());
    let mut size = [0u8; 16];
    for (i, slot) in size[..digits].iter_mut().enumerate() {
        let nibble = (data.len() >> (4 * (digits - 1 - i))) & 0xf;
        *slot = b"0123456789abcdef"[nibble];
    }
    let mut out = Out::new(out);
    out.put(&size[..digits]);
    out.put(b"\r\n");
    out.put(data);
    out.put(b"\r\n");
    out.len()
}

/// Return the bytes [`emit_last_chunk`] writes for `trailers`.
pub fn last_chunk_len(trailers: &[Header<'_>]) -> usize {
    3 + fields_len(trailers)
}

/// Write the last chunk, the trailer fields and the final CRLF; return
/// [`last_chunk_len`].
///
/// # Panics
///
/// If `out` is shorter than [`last_chunk_len`].
pub fn emit_last_chunk(trailers: &[Header<'_>], out: &mut [u8]) -> usize {
    let mut out = Out::new(out);
    out.put(b"0\r\n");
    out.fields(trailers);
    out.len()
}
