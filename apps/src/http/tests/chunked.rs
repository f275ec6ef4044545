//! The chunked decoder and writers, and the body decoder.

use super::super::{
    chunk_len, emit_chunk, emit_last_chunk, last_chunk_len, BodyDecoder, ChunkedDecoder, Event,
};
use super::{Body, Error, Header, Limits};

/// What decoding a whole input gave: the data, the trailers as
/// `name=value` strings, the bytes consumed, and how it stopped.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Decoding {
    pub data: Vec<u8>,
    pub trailers: Vec<String>,
    pub consumed: usize,
    pub end: Result<bool, Error>,
}

/// Decode `input` in pieces cut at `cuts` (ascending), as a caller keeping
/// its unconsumed bytes would; `end` is `Ok(true)` at the end of the body,
/// `Ok(false)` when the input ran out.
pub(super) fn decode_in_pieces(input: &[u8], cuts: &[usize], limits: &Limits) -> Decoding {
    let mut decoder = ChunkedDecoder::new(limits);
    let mut out = Decoding {
        data: Vec::new(),
        trailers: Vec::new(),
        consumed: 0,
        end: Ok(false),
    };
    for &arrived in cuts.iter().chain([&input.len()]) {
        loop {
            let step = match decoder.decode(&input[out.consumed..arrived]) {
                Ok(step) => step,
                Err(e) => {
                    out.end = Err(e);
                    out.consumed = decoder.offset() as usize;
                    return out;
                }
            };
            out.consumed += step.consumed;
            match step.event {
                Event::Data(data) => out.data.extend_from_slice(data),
                Event::Trailer(h) => out.trailers.push(format!(
                    "{}={}",
                    h.name_str(),
                    String::from_utf8_lossy(h.value)
                )),
                Event::End => {
                    assert!(decoder.is_done());
                    out.end = Ok(true);
                    return out;
                }
                Event::Partial => break,
            }
        }
    }
    out
}

/// Decode `input` whole with the default limits.
fn decode(input: &[u8]) -> Decoding {
    decode_in_pieces(input, &[], &Limits::DEFAULT)
}

#[test]
fn chunks_with_extensions_and_trailers() {
    let input = b"5;name=value\r\nhello\r\n6 ; a ; b = \"q\\\"x\\\\\" ;c=d\r\n world\r\n\
                  000;last\r\nDigest: sha-256=x\r\nX-Note:  done \r\n\r\nNEXT";
    let d = decode(input);
    assert_eq!(d.data, b"hello world");
    assert_eq!(d.trailers, ["Digest=sha-256=x", "X-Note=done"]);
    assert_eq!(d.end, Ok(true));
    assert_eq!(&input[d.consumed..], b"NEXT");
}

#[test]
fn chunk_sizes_are_hex_of_any_case_with_leading_zeros() {
    let d = decode(b"a\r\n0123456789\r\n0000B\r\nabcdefghijk\r\n0\r\n\r\n");
    assert_eq!(d.data, b"0123456789abcdefghijk");
    assert_eq!(d.end, Ok(true));
    // u64::MAX is a valid size: the decoder waits for the data.
    let d = decode(b"ffffffffffffffff\r\nabc");
    assert_eq!((d.data.len(), d.end), (3, Ok(false)));
}

#[test]
fn an_empty_body_is_the_last_chunk_alone() {
    let d = decode(b"0\r\n\r\n");
    assert_eq!((d.data.len(), d.consumed, d.end), (0, 5, Ok(true)));
}

#[test]
fn each_bad_chunked_body_fails_with_its_error() {
    let rows: &[(&[u8], Error)] = &[
        (b"\r\n", Error::ChunkSize),
        (b"g\r\n", Error::ChunkSize),
        (b"-1\r\n", Error::ChunkSize),
        (b"0x5\r\n", Error::ChunkSize),
        (b"+5\r\n", Error::ChunkSize),
        (b"5\r\nhello\r\nz\r\n", Error::ChunkSize),
        (b"10000000000000000\r\n", Error::ChunkSizeOverflow),
        (
            b"00000000000000000ffffffffffffffff0\r\n",
            Error::ChunkSizeOverflow,
        ),
        (b"5\r\nhelloX\r\n", Error::ChunkData),
        (b"5\r\nhello\rX", Error::ChunkData),
        (b"5\r\nhello\n", Error::ChunkData),
        (b"5\n", Error::LineEnding),
        (b"5\rX", Error::LineEnding),
        (b"5;a\n", Error::LineEnding),
        (b"0\r\n\n", Error::LineEnding),
        (b"0\r\nX: 1\n", Error::LineEnding),
        (b"5 \r\n", Error::ChunkExtension),
        (b"5;\r\n", Error::ChunkExtension),
        (b"5;=b\r\n", Error::ChunkExtension),
        (b"5;a=\r\n", Error::ChunkExtension),
        (b"5;a b\r\n", Error::ChunkExtension),
        (b"5;a=b c\r\n", Error::ChunkExtension),
        (b"5;a=\"b\"c\r\n", Error::ChunkExtension),
        (b"5;a=\"b\r\n", Error::ChunkExtension),
        (b"5;a=\"\\\x00\"\r\n", Error::ChunkExtension),
        (b"5;a=(b)\r\n", Error::ChunkExtension),
        (b"5x\r\n", Error::ChunkSize),
        (b"0\r\nX : 1\r\n", Error::WhitespaceBeforeColon),
        (b"0\r\nX: 1\r\n more\r\n", Error::ObsFold),
        (b"0\r\n(: 1\r\n", Error::HeaderName),
        (b"0\r\nX: \x00\r\n", Error::HeaderValue),
    ];
    for &(input, error) in rows {
        let d = decode(input);
        assert_eq!(d.end, Err(error), "{:?}", String::from_utf8_lossy(input));
        // An error sticks, and the offset points at the fault.
        let mut decoder = ChunkedDecoder::new(&Limits::DEFAULT);
        let mut at = 0;
        let first = loop {
            match decoder.decode(&input[at..]) {
                Ok(step) => at += step.consumed,
                Err(e) => break e,
            }
        };
        assert_eq!((first, decoder.decode(b"0\r\n\r\n")), (error, Err(error)));
        assert_eq!(decoder.offset() as usize, d.consumed);
        assert!(d.consumed < input.len());
    }
}

#[test]
fn chunk_extension_limits_per_line_and_per_body() {
    let limits = Limits {
        max_chunk_ext_len: 8,
        max_chunk_ext_total: 12,
        ..Limits::DEFAULT
    };
    // `;abcdefg` is 8 bytes: at the limit; one more is over.
    let at_limit = decode_in_pieces(b"1;abcdefg\r\nx\r\n0\r\n\r\n", &[], &limits);
    assert_eq!(at_limit.end, Ok(true));
    let over = decode_in_pieces(b"1;abcdefgh\r\nx\r\n", &[], &limits);
    assert_eq!(over.end, Err(Error::ChunkExtensionTooLong));
    // 6 + 6 bytes fit the body's 12, and 1 more does not.
    let body = b"1;abcde\r\nx\r\n1;abcde\r\ny\r\n0;z\r\n\r\n";
    assert_eq!(
        decode_in_pieces(body, &[], &limits).end,
        Err(Error::ChunkExtensionTooLong)
    );
    assert_eq!(decode_in_pieces(&body[..24], &[], &limits).data, b"xy");
}

#[test]
fn trailer_limits() {
    let limits = Limits {
        max_trailers: 1,
        max_trailer_len: 16,
        ..Limits::DEFAULT
    };
    assert_eq!(
        decode_in_pieces(b"0\r\nA: 1\r\n\r\n", &[], &limits).end,
        Ok(true)
    );
    let two = b"0\r\nA: 1\r\nB: 2\r\n\r\n";
    assert_eq!(
        decode_in_pieces(two, &[], &limits).end,
        Err(Error::TooManyTrailers)
    );
    // 16 bytes of line fit; 17 do not, even before the line ends.
    let fits = b"0\r\nA: 0123456789a\r\n\r\n";
    assert_eq!(decode_in_pieces(fits, &[], &limits).end, Ok(true));
    let over = b"0\r\nA: 0123456789ab\r\n\r\n";
    assert_eq!(
        decode_in_pieces(over, &[], &limits).end,
        Err(Error::TrailersTooLarge)
    );
    assert_eq!(
        decode_in_pieces(&over[..20], &[], &limits).end,
        Err(Error::TrailersTooLarge)
    );
    assert_eq!(decode_in_pieces(&over[..19], &[], &limits).end, Ok(false));
}

#[test]
fn every_split_of_a_chunked_body_decodes_the_same() {
    let input = b"5;e=\"a b\"\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nA: 1\r\nB:2\r\n\r\n";
    let whole = decode(input);
    assert_eq!(whole.end, Ok(true));
    for i in 0..=input.len() {
        for j in i..=input.len() {
            assert_eq!(
                decode_in_pieces(input, &[i, j], &Limits::DEFAULT),
                whole,
                "cut at {i}, {j}"
            );
        }
    }
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(decode_in_pieces(input, &bytewise, &Limits::DEFAULT), whole);
}

#[test]
fn writers_emit_the_chunked_coding() {
    let mut out = [0xa5u8; 64];
    assert_eq!(emit_chunk(b"hello", &mut out), chunk_len(5));
    assert_eq!(&out[..chunk_len(5)], b"5\r\nhello\r\n");
    assert_eq!((emit_chunk(b"", &mut out), chunk_len(0)), (0, 0));
    for (len, size_line) in [
        (15, "f"),
        (16, "10"),
        (255, "ff"),
        (256, "100"),
        (4096, "1000"),
    ] {
        let data = vec![b'x'; len];
        let mut out = vec![0; chunk_len(len)];
        assert_eq!(emit_chunk(&data, &mut out), out.len());
        assert!(
            out.starts_with(format!("{size_line}\r\n").as_bytes()),
            "{len}"
        );
        assert_eq!(decode(&[&out[..], b"0\r\n\r\n"].concat()).data, data);
    }
    let trailers = [Header {
        name: b"A",
        value: b"1",
    }];
    let mut out = vec![0; last_chunk_len(&trailers)];
    assert_eq!(emit_last_chunk(&trailers, &mut out), out.len());
    assert_eq!(out, b"0\r\nA: 1\r\n\r\n");
    assert_eq!(last_chunk_len(&[]), 5);
}

#[test]
fn body_decoder_reads_each_framing() {
    let limits = Limits::DEFAULT;
    let mut length = BodyDecoder::new(Body::Length(5), &limits);
    assert_eq!(length.decode(b"").map(|d| d.event), Ok(Event::Partial));
    let step = length.decode(b"hel").unwrap();
    assert_eq!((step.consumed, step.event), (3, Event::Data(b"hel")));
    let step = length.decode(b"lo!GET").unwrap();
    assert_eq!((step.consumed, step.event), (2, Event::Data(b"lo")));
    assert!(length.is_done());
    assert_eq!(
        length.decode(b"!GET").map(|d| (d.consumed, d.event)),
        Ok((0, Event::End))
    );
    for body in [Body::None, Body::Length(0), Body::Tunnel] {
        let mut none = BodyDecoder::new(body, &limits);
        assert!(none.is_done());
        assert_eq!(
            none.decode(b"x").map(|d| (d.consumed, d.event)),
            Ok((0, Event::End))
        );
    }
    let mut close = BodyDecoder::new(Body::CloseDelimited, &limits);
    assert_eq!(
        close.decode(b"abc").map(|d| d.event),
        Ok(Event::Data(b"abc"))
    );
    assert!(!close.is_done());
    let mut chunked = BodyDecoder::new(Body::Chunked, &limits);
    assert_eq!(
        chunked.decode(b"1\r\nz").map(|d| d.event),
        Ok(Event::Data(b"z"))
    );
    assert!(!chunked.is_done());
}
