//! Reports of a suite: text for people, JUnit XML for CI, JSON for tools;
//! and per script on request a pcap file of its trace and a ladder
//! diagram; per run a coverage report.

pub mod coverage;
pub mod json;
pub mod junit;
pub mod ladder;
pub mod observer;
pub mod pcap;
pub mod text;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::run::suite::{ScriptResult, Suite};

pub use coverage::Coverage;

/// The format of the report printed at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// For people: failures like compiler errors, then a summary.
    #[default]
    Text,
    /// JUnit XML, for CI.
    Junit,
    /// JSON, for tools.
    Json,
}

/// Write the report of `suite` against `target` in `format`.
pub fn write(format: Format, suite: &Suite, target: &str, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(suite, out),
        Format::Junit => junit::write(suite, target, out),
        Format::Json => json::write(suite, target, out),
    }
}

/// Return the name a script's files (pcap, diagram) get: its path without
/// the extension, `/` turned into `__`, so that scripts of one name in
/// different directories do not collide.
pub fn artifact_name(path: &Path) -> String {
    let text = path.with_extension("").display().to_string();
    let text = text.trim_start_matches("./").trim_start_matches('/');
    text.replace(['/', '\\'], "__")
}

/// Write the per-script files a run asked for: a pcap file into
/// `pcap_dir`, a ladder diagram into `diagram_dir`. Return the files written.
pub fn write_artifacts(
    result: &ScriptResult,
    target: &str,
    pcap_dir: Option<&Path>,
    diagram_dir: Option<&Path>,
) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let Some(report) = &result.report else {
        return Ok(written);
    };
    let name = artifact_name(&result.path);
    if let Some(dir) = pcap_dir {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{name}.pcap"));
        pcap::write(&report.trace, std::fs::File::create(&path)?)?;
        written.push(path);
    }
    if let Some(dir) = diagram_dir {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, ladder::render(&result.name(), target, report))?;
        written.push(path);
    }
    Ok(written)
}
