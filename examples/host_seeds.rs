//! Write the seeds of the `host` fuzz target: every op list of
//! `synack::fuzz::host::seeds`, encoded, as `corpus/host/seed-<name>`.
//!
//!     cargo run --example host_seeds
//!
//! The unit tests of `synack::fuzz::host` check that the files on disk are
//! what this writes, so run it after changing the seeds or the op types.

use std::fs;
use std::path::Path;

use synack::fuzz::host::seeds::seeds;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/host");
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
    for (name, scenario) in seeds() {
        let bytes = scenario.encode();
        fs::write(dir.join(format!("seed-{name}")), &bytes)?;
        println!(
            "seed-{name}: {} ops, {} bytes",
            scenario.ops.len(),
            bytes.len()
        );
    }
    Ok(())
}
