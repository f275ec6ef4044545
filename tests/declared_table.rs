//! conformance/README.md's table of declared divergences lists every
//! script with a `linux:` override, and only those, each with the numbers
//! of its declared steps: a divergence added to a script without its row
//! (or a row left after its override went) fails. On a mismatch the test
//! prints the rows the table should have. The random differential's
//! declared rules must each have their row too.

use std::collections::BTreeMap;
use std::path::Path;

use synack::diff::{declared, Declared};
use synack::run::suite::discover;
use synack::script::Script;

/// The heading of the table's section in conformance/README.md.
const SECTION: &str = "### Declared divergences";

/// Return `text` on one line, safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Return the numbers of the declared steps, counted from 1.
fn numbers(steps: &[Declared]) -> String {
    let numbers: Vec<String> = steps.iter().map(|d| (d.step + 1).to_string()).collect();
    numbers.join(", ")
}

/// Return the row the table should have for `script` (path relative to
/// conformance/) and its declared steps.
fn row(script: &str, steps: &[Declared]) -> String {
    let mut does: Vec<String> = Vec::new();
    let mut why: Vec<String> = Vec::new();
    for d in steps {
        let what = match &d.linux {
            Some(linux) => format!("`{}`", cell(linux)),
            None => "(step left out)".to_owned(),
        };
        if !does.contains(&what) {
            does.push(what);
        }
        let reason = cell(&d.why);
        if !reason.is_empty() && !why.contains(&reason) {
            why.push(reason);
        }
    }
    format!(
        "| `{script}` | {} | {} | {} |",
        numbers(steps),
        does.join("; "),
        why.join(" ")
    )
}

/// Return the script paths (relative to conformance/) the README's table
/// has rows for, each with its step cell.
fn listed(readme: &str) -> Vec<(String, String)> {
    let Some(start) = readme.find(SECTION) else {
        return Vec::new();
    };
    let section = &readme[start + SECTION.len()..];
    let end = section.find("\n#").unwrap_or(section.len());
    section[..end]
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, rest)| {
            let steps = rest.split('|').nth(1).unwrap_or("").trim().to_owned();
            (path.to_owned(), steps)
        })
        .collect()
}

#[test]
fn readme_lists_every_declared_divergence() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let files = discover(std::slice::from_ref(&root)).expect("conformance/ is readable");
    // Each script's row, and its step numbers.
    let mut expected: BTreeMap<String, (String, String)> = BTreeMap::new();
    for file in &files {
        let script = Script::load(file).unwrap_or_else(|e| panic!("{e}"));
        let steps = declared(&script);
        if steps.is_empty() {
            continue;
        }
        let relative = file.strip_prefix(&root).unwrap_or(file);
        let name = relative.display().to_string();
        expected.insert(name.clone(), (row(&name, &steps), numbers(&steps)));
    }
    assert!(
        !expected.is_empty(),
        "no script declares a divergence: the scripts were not found"
    );
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let listed = listed(&readme);
    // A row is missing if no row names the script with its step numbers
    // first in the step cell (a row may say more after them).
    let missing: Vec<&String> = expected
        .iter()
        .filter(|(path, (_, steps))| {
            !listed
                .iter()
                .any(|(p, cell)| p == *path && cell.starts_with(steps.as_str()))
        })
        .map(|(_, (row, _))| row)
        .collect();
    let stale: Vec<&String> = listed
        .iter()
        .map(|(path, _)| path)
        .filter(|path| !expected.contains_key(*path))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "conformance/README.md's \"{SECTION}\" table is out of date.\n\
         Rows missing or with other steps (to paste):\n{}\nRows for scripts without a linux: override: {stale:?}",
        missing
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The random differential's declared rules: each has its row in
/// conformance/README.md's table of rules.
#[test]
fn readme_lists_every_random_differential_rule() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let missing: Vec<&str> = synack::differential::compare::DECLARED
        .iter()
        .map(|rule| rule.id)
        .filter(|id| !readme.contains(&format!("| `{id}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "conformance/README.md has no row for these rules: {missing:?}"
    );
}
