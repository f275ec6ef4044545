//! The seed corpora of the fuzz targets: `seed-*` files are valid messages,
//! `bad-*` files are not, under the limits the fuzz bodies use.

use std::fs;
use std::path::PathBuf;

use super::super::fuzz::{HEADERS, LIMITS, METHODS};
use super::super::{ChunkedDecoder, Event, Request, Response, EMPTY_HEADER};
use super::Error;

/// Return the files of `corpus/<target>/`, as (name, bytes).
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(
        files.iter().any(|(n, _)| n.starts_with("seed-"))
            && files.iter().any(|(n, _)| n.starts_with("bad-"))
    );
    files
}

/// Check that seeds give `Ok(true)` and bad files an error.
fn check(target: &str, parse: impl Fn(&[u8]) -> Result<bool, Error>) {
    for (name, data) in corpus(target) {
        let result = parse(&data);
        if name.starts_with("seed-") {
            assert_eq!(result, Ok(true), "{target}/{name}");
        } else if name.starts_with("bad-") {
            assert!(result.is_err(), "{target}/{name}: {result:?}");
        }
    }
}

#[test]
fn request_seeds_parse_and_bad_ones_fail() {
    check("http_request", |data| {
        let mut headers = [EMPTY_HEADER; HEADERS];
        Request::parse(data, &mut headers, &LIMITS).map(|s| s.is_complete())
    });
}

#[test]
fn response_seeds_parse_and_bad_ones_fail() {
    check("http_response", |data| {
        let (&pick, data) = data.split_first().unwrap();
        let method = METHODS[usize::from(pick) % METHODS.len()];
        let mut headers = [EMPTY_HEADER; HEADERS];
        Response::parse(data, &mut headers, method, &LIMITS).map(|s| s.is_complete())
    });
}

#[test]
fn chunked_seeds_decode_and_bad_ones_fail() {
    check("http_chunked", |data| {
        let mut decoder = ChunkedDecoder::new(&LIMITS);
        let mut at = 0;
        loop {
            let step = decoder.decode(&data[at..])?;
            at += step.consumed;
            match step.event {
                Event::End => return Ok(true),
                Event::Partial => return Ok(false),
                Event::Data(_) | Event::Trailer(_) => {}
            }
        }
    });
}

#[test]
fn the_fuzz_bodies_pass_on_every_seed() {
    for (name, data) in corpus("http_request") {
        eprintln!("http_request/{name}");
        super::super::fuzz::http_request(&data);
    }
    for (name, data) in corpus("http_response") {
        eprintln!("http_response/{name}");
        super::super::fuzz::http_response(&data);
    }
    for (name, data) in corpus("http_chunked") {
        eprintln!("http_chunked/{name}");
        super::super::fuzz::http_chunked(&data);
    }
}
