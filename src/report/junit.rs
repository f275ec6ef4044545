//! The JUnit XML report, for CI: one `testsuite`, one `testcase` per
//! script; a failed step is a `failure`, a bad script an `error`.

use std::io::{self, Write};

use super::ladder::xml_escape;
use crate::run::suite::{Status, Suite};

/// Write the report.
pub fn write(suite: &Suite, target: &str, out: &mut dyn Write) -> io::Result<()> {
    let errors = suite.bad();
    let failures = suite.failed() - errors;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="synack" tests="{}" failures="{failures}" errors="{errors}" time="{:.6}">"#,
        suite.results.len(),
        suite.wall.as_secs_f64()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="synack run --target {}" tests="{}" failures="{failures}" errors="{errors}" time="{:.6}">"#,
        xml_escape(target),
        suite.results.len(),
        suite.wall.as_secs_f64()
    )?;
    for result in &suite.results {
        let file = result.path.display().to_string();
        let classname = file
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml")
            .replace(['/', '\\'], ".");
        write!(
            out,
            r#"    <testcase classname="{}" name="{}" file="{}" time="{:.6}""#,
            xml_escape(&classname),
            xml_escape(&result.name()),
            xml_escape(&file),
            result.wall.as_secs_f64()
        )?;
        let (tag, kind, message, body) = match &result.status {
            Status::Passed => {
                writeln!(out, "/>")?;
                continue;
            }
            Status::Failed(f) => {
                let tag = if f.kind.is_bad_script() {
                    "error"
                } else {
                    "failure"
                };
                (tag, f.kind.name(), f.message.clone(), f.to_string())
            }
            Status::Bad(e) => (
                "error",
                "bad script",
                e.kind.describe().to_owned(),
                e.to_string(),
            ),
        };
        writeln!(out, ">")?;
        writeln!(
            out,
            r#"      <{tag} type="{}" message="{}">{}</{tag}>"#,
            xml_escape(kind),
            xml_escape(&message),
            xml_escape(&body)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>\n</testsuites>")
}
