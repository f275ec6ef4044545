//! Helpers shared by the stateful targets' unit tests.

use core::fmt;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use arbitrary::Arbitrary;

use crate::fuzz::host::encode::Encode;
use crate::fuzz::{Scenario, ScenarioOp};

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
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

/// Check a target's seeds: each has ops, encodes to bytes that decode back
/// to it, and is what `corpus/<target>/seed-<name>` holds (the files
/// `cargo run --example host_seeds` writes).
pub fn check_seeds<Setup, Op>(target: &str, seeds: &[(&str, Scenario<Setup, Op>)])
where
    Setup: for<'a> Arbitrary<'a> + Encode + fmt::Debug + PartialEq,
    Op: for<'a> Arbitrary<'a> + Encode + ScenarioOp + fmt::Debug + PartialEq,
{
    for (name, scenario) in seeds {
        assert!(!scenario.ops.is_empty(), "{name}");
        assert_eq!(Scenario::decode(&scenario.encode()), *scenario, "{name}");
        let path = corpus_dir(target).join(format!("seed-{name}"));
        let on_disk = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            on_disk,
            scenario.encode(),
            "{name}: run `cargo run --example host_seeds`"
        );
    }
}

/// Return the seed called `name` of `seeds`.
pub fn find_seed<T>(seeds: Vec<(&str, T)>, name: &str) -> T {
    let found = seeds.into_iter().find(|(n, _)| *n == name);
    found.unwrap_or_else(|| panic!("no seed {name}")).1
}

/// Run seed `name` through `f`; return what it returns, or panic with the
/// seed's name and the message if it panics.
pub fn run_seed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let mut out = None;
    if let Some(message) = panic_message(|| out = Some(f())) {
        panic!("seed {name}: {message}");
    }
    // NOTE(unwrap): `f` returned, so `out` is set.
    out.unwrap()
}

/// Return `count` inputs of fixed pseudo-random bytes, each shorter than
/// `max_len`: an xorshift stream from `state`, the same on every run.
pub fn xorshift_inputs(mut state: u64, count: usize, max_len: u64) -> Vec<Vec<u8>> {
    (0..count)
        .map(|_| {
            let len = (state % max_len) as usize;
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect()
        })
        .collect()
}

/// Run every seed through `run` (failing with the seed's name if it panics)
/// and check with `reached` that it got where it was written to go.
pub fn assert_seeds_reach<S, T: fmt::Debug>(
    seeds: Vec<(&str, S)>,
    run: impl Fn(&S) -> T,
    reached: impl Fn(&str, &T) -> bool,
) {
    for (name, seed) in seeds {
        let outcome = run_seed(name, || run(&seed));
        assert!(
            reached(name, &outcome),
            "seed {name} missed its path: {outcome:#?}"
        );
    }
}

/// Check that `run` panics on at least one file of `corpus/<target>/`: the
/// fuzzer's replay of the corpus catches `what` (a target broken on purpose).
pub fn assert_corpus_catches(target: &str, what: &str, run: impl Fn(&[u8])) {
    let caught = (corpus_files(target).iter())
        .filter(|data| panic_message(|| run(data)).is_some())
        .count();
    assert!(caught > 0, "no corpus file catches {what}");
}

/// Run `f`, which must panic (a target broken on purpose is noticed), and
/// return its panic message; fail saying that `what` went unnoticed if it
/// returns.
pub fn expect_panic<T>(what: &str, f: impl FnOnce() -> T) -> String {
    let message = panic_message(|| {
        let _ = f();
    });
    message.unwrap_or_else(|| panic!("{what} went unnoticed"))
}
