//! A suite: the scripts under some paths, loaded, filtered and run, in
//! parallel on `jobs` threads, each against a fresh target.

use core::time::Duration;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::{run_script, Failure, RunOptions, RunReport};
use crate::script::{Script, ScriptError};
use crate::target::TargetKind;

/// How a suite is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteOptions {
    /// The target every script runs against.
    pub target: TargetKind,
    /// Run only scripts whose path, name or a tag contains this text.
    pub filter: Option<String>,
    /// How many scripts run at once (at least 1).
    pub jobs: usize,
    /// How each script is run.
    pub run: RunOptions,
}

impl Default for SuiteOptions {
    fn default() -> SuiteOptions {
        SuiteOptions {
            target: TargetKind::Reference,
            filter: None,
            jobs: 1,
            run: RunOptions::default(),
        }
    }
}

/// How one script ended.
#[derive(Debug)]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step failed.
    Failed(Failure),
    /// The script did not load.
    Bad(ScriptError),
}

/// One script's result.
#[derive(Debug)]
pub struct ScriptResult {
    /// The file.
    pub path: PathBuf,
    /// The script, if it loaded.
    pub script: Option<Script>,
    /// How it ended.
    pub status: Status,
    /// The run, if the script loaded and its target could be built.
    pub report: Option<RunReport>,
    /// The wall time the script took.
    pub wall: Duration,
    /// On a real-clock target, the timing failure of a first run that a
    /// second run then passed (see [`run_file`]); reported as a warning.
    pub retried_after: Option<Failure>,
}

impl ScriptResult {
    /// Return the script's name, or its file name if it did not load.
    pub fn name(&self) -> String {
        match &self.script {
            Some(script) => script.name.clone(),
            None => self.path.display().to_string(),
        }
    }

    /// Return whether the script is bad: it did not load, or a step could
    /// not run as written.
    pub fn is_bad(&self) -> bool {
        match &self.status {
            Status::Bad(_) => true,
            Status::Failed(f) => f.kind.is_bad_script(),
            Status::Passed => false,
        }
    }

    /// Return whether every step passed.
    pub fn passed(&self) -> bool {
        matches!(self.status, Status::Passed)
    }
}

/// The results of a suite, in the order of the files.
#[derive(Debug, Default)]
pub struct Suite {
    /// One result per script run.
    pub results: Vec<ScriptResult>,
    /// The wall time of the whole run.
    pub wall: Duration,
}

impl Suite {
    /// Return how many scripts passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// Return how many scripts failed (bad ones included).
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Return how many scripts are bad.
    pub fn bad(&self) -> usize {
        self.results.iter().filter(|r| r.is_bad()).count()
    }

    /// Return the process exit status: 0 all passed, 1 a failure, 2 a bad
    /// script (which wins over a failure).
    pub fn exit_code(&self) -> i32 {
        if self.bad() > 0 {
            ScriptError::EXIT_CODE
        } else if self.failed() > 0 {
            1
        } else {
            0
        }
    }

    /// Return how many scripts ran per second of wall time.
    pub fn scripts_per_second(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.results.len() as f64 / secs
        } else {
            0.0
        }
    }
}

/// Return every `*.yaml` file under `paths` (a file is taken as is, a
/// directory searched recursively), sorted, without duplicates.
pub fn discover(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            let what = format!("no such file or directory: {}", path.display());
            return Err(io::Error::new(io::ErrorKind::NotFound, what));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Collect the `*.yaml` files under `dir`.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    Ok(())
}

/// Return whether a script is selected by `filter`.
fn selected(filter: Option<&str>, path: &Path, script: Option<&Script>) -> bool {
    let Some(filter) = filter else { return true };
    path.display().to_string().contains(filter)
        || script.is_some_and(|s| s.name.contains(filter) || s.tags.iter().any(|t| t == filter))
}

/// Load and run one file; `None` if the filter leaves it out.
pub fn run_file(path: &Path, options: &SuiteOptions) -> Option<ScriptResult> {
    let start = std::time::Instant::now();
    let script = match Script::load(path) {
        Ok(script) => script,
        Err(error) => {
            return selected(options.filter.as_deref(), path, None).then(|| ScriptResult {
                path: path.to_owned(),
                script: None,
                status: Status::Bad(error),
                report: None,
                wall: start.elapsed(),
                retried_after: None,
            });
        }
    };
    if !selected(options.filter.as_deref(), path, Some(&script)) {
        return None;
    }
    let mut retried_after = None;
    let mut outcome = run_once(&script, options);
    // A real clock is shared with everything else the machine runs: a
    // script that failed only on timing gets one more run in a fresh
    // target, and a pass the second time is reported with the first
    // failure as a warning, never silently.
    if let (Status::Failed(failure), Some(report)) = &outcome {
        if report.real_clock && failure.kind.is_timing() {
            let first = failure.clone();
            outcome = run_once(&script, options);
            if matches!(outcome.0, Status::Passed) {
                retried_after = Some(first);
            }
        }
    }
    let (status, report) = outcome;
    Some(ScriptResult {
        path: path.to_owned(),
        script: Some(script),
        status,
        report,
        wall: start.elapsed(),
        retried_after,
    })
}

/// Run a loaded script once, on a new target.
fn run_once(script: &Script, options: &SuiteOptions) -> (Status, Option<RunReport>) {
    match options.target.create(script, options.run.seed) {
        Ok(mut target) => {
            let report = run_script(script, target.as_mut(), &options.run);
            let status = match &report.outcome {
                Ok(()) => Status::Passed,
                Err(failure) => Status::Failed(failure.clone()),
            };
            (status, Some(report))
        }
        Err(error) => (Status::Failed(setup_failure(script, &error)), None),
    }
}

/// The failure of a script whose target could not be built.
fn setup_failure(script: &Script, error: &crate::target::TargetError) -> Failure {
    Failure {
        kind: super::FailureKind::Target,
        file: script.file.clone(),
        step: 0,
        pos: Default::default(),
        line_text: String::new(),
        message: error.to_string(),
        expected: None,
        actual: None,
        at: Default::default(),
        trace: String::new(),
    }
}

/// Return the order to start `files` in (indices into `files`). On a
/// real-clock target the longest scripts start first, so that the suite
/// takes about as long as its longest script rather than that script
/// started last; a script's length is estimated by its run on the
/// reference's virtual clock (instant). On the reference, the files' order.
fn schedule(files: &[PathBuf], options: &SuiteOptions) -> Vec<usize> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    if options.target == TargetKind::Reference || files.len() <= options.jobs {
        return order;
    }
    let estimate = SuiteOptions {
        target: TargetKind::Reference,
        filter: options.filter.clone(),
        jobs: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        run: options.run.clone(),
    };
    let mut length = vec![Duration::ZERO; files.len()];
    let size = files.len().div_ceil(estimate.jobs);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(size)
            .map(|chunk| {
                let estimate = &estimate;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|path| {
                            run_file(path, estimate)
                                .and_then(|r| r.report)
                                .map_or(Duration::ZERO, |r| r.end.since_start())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (n, handle) in handles.into_iter().enumerate() {
            // A script that panicked the reference keeps length zero.
            for (k, took) in handle.join().unwrap_or_default().into_iter().enumerate() {
                length[n * size + k] = took;
            }
        }
    });
    // Stable: equal lengths keep the files' order.
    order.sort_by_key(|&i| core::cmp::Reverse(length[i]));
    order
}

/// Run `files` on `options.jobs` threads. `progress` is called on the
/// calling thread after each script with the result, how many are done
/// and how many there are.
pub fn run_suite(
    files: &[PathBuf],
    options: &SuiteOptions,
    mut progress: impl FnMut(&ScriptResult, usize, usize),
) -> Suite {
    let start = std::time::Instant::now();
    let order = schedule(files, options);
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut results: Vec<(usize, ScriptResult)> = Vec::with_capacity(files.len());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, files.len().max(1)) {
            let tx = tx.clone();
            let next = &next;
            let order = &order;
            scope.spawn(move || {
                while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let path = &files[index];
                    let result = run_file(path, options);
                    if tx.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (index, result) in rx {
            if let Some(result) = result {
                progress(&result, results.len() + 1, files.len());
                results.push((index, result));
            }
        }
    });
    results.sort_by_key(|(index, _)| *index);
    Suite {
        results: results.into_iter().map(|(_, r)| r).collect(),
        wall: start.elapsed(),
    }
}
