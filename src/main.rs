//! The `synack` command line: parses the arguments, calls the library and
//! sets the exit status (0 all passed, 1 a failure, 2 a bad script).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use synack::diff::{self, DiffCommand};
use synack::differential::{self, RandomOptions};
use synack::report::Format;
use synack::run::command::{execute, Command, Progress};
use synack::run::suite::SuiteOptions;
use synack::run::RunOptions;
use synack::target::TargetKind;

/// A conformance and fuzzing harness for TCP/IP.
#[derive(Debug, Parser)]
#[command(name = "synack", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Run conformance scripts against a target.
    Run(RunArgs),
    /// Run each script on `reference` and `linux` and compare: same,
    /// declared divergence, or undeclared divergence (exit status 1).
    Diff(DiffArgs),
}

/// The targets a script can run against.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TargetArg {
    /// The reference stack in process, on a virtual clock.
    Reference,
    /// The reference stack behind two bridged TAP devices in a private
    /// namespace, on the real clock (needs root and /dev/net/tun).
    ReferenceTap,
    /// The Linux kernel in a private namespace behind a TAP device (needs
    /// root and /dev/net/tun).
    Linux,
}

/// The report's format.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Failures like compiler errors, then a summary.
    Text,
    /// JUnit XML, for CI.
    Junit,
    /// JSON, for tools.
    Json,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Script files, or directories searched recursively for *.yaml.
    #[arg(default_value = "conformance")]
    paths: Vec<PathBuf>,
    /// The target to run against.
    #[arg(long, value_enum, default_value_t = TargetArg::Reference)]
    target: TargetArg,
    /// Run only scripts whose path, name or a tag contains TEXT.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Scripts to run at once (default: the number of CPUs; for `linux`
    /// and `reference-tap`, whose scripts mostly sleep on the real clock, 32).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write a pcap file of each script's trace into DIR.
    #[arg(long, value_name = "DIR")]
    pcap: Option<PathBuf>,
    /// Write a ladder diagram (SVG) of each script's trace into DIR.
    #[arg(long, value_name = "DIR")]
    diagram: Option<PathBuf>,
    /// Write the coverage report (Markdown) to FILE.
    #[arg(long, value_name = "FILE")]
    coverage: Option<PathBuf>,
    /// The seed of every random choice (ISNs, ports, IP IDs).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Skip the scripts that take longer than SECS on the reference's
    /// virtual clock (hours of keep-alive idle, say): on a real-clock
    /// target they would take as long. The skipped ones are listed.
    #[arg(long, value_name = "SECS")]
    real_time_budget: Option<u64>,
}

#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// Script files, or directories searched recursively for *.yaml.
    #[arg(default_value = "conformance")]
    paths: Vec<PathBuf>,
    /// Run only scripts whose path, name or a tag contains TEXT.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Scripts to run at once on `linux` (default 32: they mostly sleep).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// The seed of every random choice (ISNs, ports, IP IDs; with
    /// `--random`, the sequences).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Instead of scripts, run N random segment sequences on both targets
    /// and compare them after normalisation; a divergence is shrunk and
    /// printed as a script.
    #[arg(long, value_name = "N")]
    random: Option<usize>,
}

/// How many real-clock scripts run at once by default: they mostly sleep.
const REAL_CLOCK_JOBS: usize = 32;

fn main() {
    let code = match Cli::parse().command {
        Commands::Run(args) => run(args),
        Commands::Diff(DiffArgs {
            random: Some(cases),
            jobs,
            seed,
            ..
        }) => random(cases, jobs, seed),
        Commands::Diff(args) => {
            let command = DiffCommand {
                paths: args.paths,
                suite: SuiteOptions {
                    target: TargetKind::Linux,
                    filter: args.filter,
                    jobs: args.jobs.unwrap_or(REAL_CLOCK_JOBS),
                    run: RunOptions {
                        seed: args.seed,
                        ..RunOptions::default()
                    },
                },
                progress: std::io::stderr().is_terminal(),
            };
            diff::execute(&command, &mut std::io::stdout(), &mut std::io::stderr())
        }
    };
    std::process::exit(code);
}

/// How many random sequences run at once by default: each sleeps
/// through its settle waits in a namespace of its own.
const RANDOM_JOBS: usize = 24;

/// `synack diff --random N`.
fn random(cases: usize, jobs: Option<usize>, seed: u64) -> i32 {
    if let Err(e) = TargetKind::Linux.check_support() {
        eprintln!("error: {e}");
        return 2;
    }
    let options = RandomOptions {
        cases,
        seed,
        jobs: jobs.unwrap_or(RANDOM_JOBS),
        ..RandomOptions::default()
    };
    let show = std::io::stderr().is_terminal();
    let report = differential::run_random(&options, &mut |done, total| {
        if show {
            eprint!("\r\x1b[K{done}/{total} sequences");
        }
    });
    if show {
        eprint!("\r\x1b[K");
    }
    if let Err(e) = report.write(&mut std::io::stdout()) {
        eprintln!("error: {e}");
        return 2;
    }
    report.exit_code()
}

/// The scripts under `paths` that run within `secs` of virtual time on the
/// reference; the others are listed on stderr.
fn within_budget(paths: &[PathBuf], secs: u64) -> std::io::Result<Vec<PathBuf>> {
    let files = synack::run::suite::discover(paths)?;
    let budget = std::time::Duration::from_secs(secs);
    let (keep, long) = synack::target::reference_tap::within_real_time(&files, budget);
    for (path, took) in long {
        eprintln!(
            "skipped: {} takes {:.0} s on the virtual clock, more than the real-time budget of {secs} s",
            path.display(),
            took.as_secs_f64()
        );
    }
    Ok(keep)
}

/// `synack run`.
fn run(args: RunArgs) -> i32 {
    let target = match args.target {
        TargetArg::Reference => TargetKind::Reference,
        TargetArg::ReferenceTap => TargetKind::ReferenceTap,
        TargetArg::Linux => TargetKind::Linux,
    };
    let jobs = args.jobs.unwrap_or_else(|| match target {
        TargetKind::Linux | TargetKind::ReferenceTap => REAL_CLOCK_JOBS,
        TargetKind::Reference => {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }
    });
    let paths = match args.real_time_budget {
        Some(secs) => match within_budget(&args.paths, secs) {
            Ok(paths) => paths,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => args.paths,
    };
    let command = Command {
        paths,
        suite: SuiteOptions {
            target,
            filter: args.filter,
            jobs,
            run: RunOptions {
                seed: args.seed,
                ..RunOptions::default()
            },
        },
        format: match args.format {
            FormatArg::Text => Format::Text,
            FormatArg::Junit => Format::Junit,
            FormatArg::Json => Format::Json,
        },
        pcap: args.pcap,
        diagram: args.diagram,
        coverage: args.coverage,
        progress: if std::io::stderr().is_terminal() {
            Progress::Line
        } else {
            Progress::Off
        },
    };
    execute(&command, &mut std::io::stdout(), &mut std::io::stderr())
}
