//! Replay every file of `corpus/<target>/` through the body of fuzz target
//! `<target>` (`synack::fuzz`, `apps::http::fuzz`), on stable: a crash once
//! found and kept as a regression input stays fixed.

use std::fs;
use std::path::{Path, PathBuf};

use stack::wire::frame::FrameRepr;
use stack::wire::ChecksumPolicy;

/// The body of a fuzz target.
type Body = fn(&[u8]);

/// The parser fuzz targets and their bodies.
const TARGETS: &[(&str, Body)] = &[
    ("ethernet", synack::fuzz::ethernet),
    ("arp", synack::fuzz::arp),
    ("ipv4", synack::fuzz::ipv4),
    ("icmpv4", synack::fuzz::icmpv4),
    ("udp", synack::fuzz::udp),
    ("tcp", synack::fuzz::tcp),
    ("frame", synack::fuzz::frame),
    ("script", synack::fuzz::script),
    ("dns", apps::dns::fuzz::dns),
    ("tftp", apps::tftp::fuzz::tftp),
    ("http_request", apps::http::fuzz::http_request),
    ("http_response", apps::http::fuzz::http_response),
    ("http_chunked", apps::http::fuzz::http_chunked),
    ("host", synack::fuzz::host),
    ("tcp_connection", synack::fuzz::tcp_connection),
    ("pair", synack::fuzz::pair),
];

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_replays_through_its_target() {
    let mut total = 0;
    for (target, body) in TARGETS {
        let files = corpus_files(target);
        assert!(!files.is_empty(), "corpus/{target}/ has no seeds");
        for file in &files {
            let data = fs::read(file).unwrap();
            // A panic here names the file that reproduces it.
            eprintln!("replaying {}", file.display());
            body(&data);
        }
        total += files.len();
    }
    eprintln!("replayed {total} corpus files");
}

#[test]
fn every_fuzz_target_has_a_corpus_and_a_replayed_body() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml")).unwrap();
    let declared: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "synack-fuzz" && !name.starts_with("peer_"))
        .collect();
    for name in &declared {
        assert!(
            TARGETS.iter().any(|(t, _)| t == name),
            "fuzz target {name} is not replayed by tests/corpus.rs"
        );
    }
    for (target, _) in TARGETS {
        assert!(
            declared.contains(target),
            "{target} is not a fuzz target in fuzz/Cargo.toml"
        );
    }
}

#[test]
fn frame_seeds_are_valid_frames() {
    for file in corpus_files("frame").iter().filter(|f| {
        f.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("seed-")
    }) {
        let data = fs::read(file).unwrap();
        if let Err(e) = FrameRepr::parse(&data, ChecksumPolicy::Verify) {
            panic!("{}: {e}", file.display());
        }
    }
}
