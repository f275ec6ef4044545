//! Helpers shared by the stateful targets' unit tests.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Run `f`; return its panic message, or `None` if it did not panic.
pub fn panic_message(f: impl FnOnce()) -> Option<String> {
    let err = catch_unwind(AssertUnwindSafe(f)).err()?;
    let text = (err.downcast_ref::<String>().cloned())
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()));
    Some(text.unwrap_or_default())
}

/// Return `corpus/<target>/`.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target)
}

/// Return every file of `corpus/<target>/`.
pub fn corpus_files(target: &str) -> Vec<Vec<u8>> {
    let dir = corpus_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}
