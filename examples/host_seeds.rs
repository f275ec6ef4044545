//! Write the seeds of the stateful fuzz targets: every op list of
//! `synack::fuzz::host::seeds`, `synack::fuzz::tcp_connection::seeds` and
//! `synack::fuzz::pair::seeds`, encoded, as `corpus/<target>/seed-<name>`,
//! and their libFuzzer dictionaries (`synack::fuzz::dict`) as
//! `fuzz/dict/<target>.dict`.
//!
//!     cargo run --example host_seeds
//!
//! The unit tests of each target check that the files on disk are what
//! this writes, so run it after changing the seeds or the op types.

use std::fs;
use std::path::Path;

use synack::fuzz::{dict, host, pair, tcp_connection};

/// Replace the `seed-*` files of `corpus/<target>/` with `seeds`.
fn write(target: &str, seeds: Vec<(&str, Vec<u8>, usize)>) -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    fs::create_dir_all(&dir)?;
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        {
            fs::remove_file(path)?;
        }
    }
    for (name, bytes, ops) in seeds {
        fs::write(dir.join(format!("seed-{name}")), &bytes)?;
        println!("{target}/seed-{name}: {ops} ops, {} bytes", bytes.len());
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let host = host::seeds::seeds().into_iter();
    write(
        "host",
        host.map(|(n, s)| (n, s.encode(), s.ops.len())).collect(),
    )?;
    let tcp = tcp_connection::seeds::seeds().into_iter();
    write(
        "tcp_connection",
        tcp.map(|(n, s)| (n, s.encode(), s.ops.len())).collect(),
    )?;
    let pair = pair::seeds::seeds().into_iter();
    write(
        "pair",
        pair.map(|(n, s)| (n, s.encode(), s.ops.len())).collect(),
    )?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (target, d) in [
        ("host", dict::host()),
        ("tcp_connection", dict::tcp_connection()),
        ("pair", dict::pair()),
    ] {
        let path = root.join("fuzz/dict").join(format!("{target}.dict"));
        fs::write(&path, d.render(&dict::header(target)))?;
        println!("fuzz/dict/{target}.dict: {} entries", d.entries().len());
    }
    Ok(())
}
