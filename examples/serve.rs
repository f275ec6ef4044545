//! Run the reference host with a UDP echo service on a TAP device, inside a
//! network namespace of its own, for people to poke at (issue: `synack serve`).
//!
//! ```text
//! cargo run --example serve -- [--seconds N] [--pcap FILE] [-- COMMAND [ARGS...]]
//! ```
//!
//! It needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and `/dev/net/tun`.
//! Inside a fresh, unnamed namespace the kernel is 198.51.100.1 on the TAP
//! device `synack0`, and the reference host is 198.51.100.2: it answers ARP
//! and ping, and echoes UDP on port 7 (RFC 862). Nothing is created outside
//! the namespace, and the namespace goes away with this process.
//!
//! Two ways to poke at it:
//!
//! - Give a command after `--`: it runs inside the namespace once the host
//!   is up, and the run ends when it exits. For example
//!   `-- ping -c 3 -s 3000 198.51.100.2` (a fragmented ping),
//!   `-- bash` (an interactive shell inside), or, with bash alone,
//!   `-- bash -c 'exec 3<>/dev/udp/198.51.100.2/7; echo hi >&3; head -c 3 <&3'`.
//!   Ctrl-C then goes to the command; the service stops when it exits.
//! - Without a command, the example prints an `nsenter` line for another
//!   terminal (as root), and serves for `--seconds N` or until Ctrl-C.
//!
//! `--pcap FILE` writes every frame on the TAP device to FILE (libpcap
//! format; `tshark -r FILE`). `ping` and `nc` come from Debian's
//! `iputils-ping` and `netcat-openbsd`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM};
use synack::serve::{serve, Ready, ServeConfig, ServeReport, StopReason};

const USAGE: &str =
    "usage: cargo run --example serve -- [--seconds N] [--pcap FILE] [-- COMMAND [ARGS...]]";

/// The command line, parsed.
struct Args {
    config: ServeConfig,
    command: Option<Command>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut config = ServeConfig::default();
    let mut command = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                let seconds: f64 = value
                    .parse()
                    .map_err(|_| format!("bad --seconds {value:?}"))?;
                let duration = Duration::try_from_secs_f64(seconds)
                    .map_err(|_| format!("bad --seconds {value:?}"))?;
                config.duration = Some(duration);
            }
            "--pcap" => {
                config.pcap = Some(PathBuf::from(args.next().ok_or("--pcap needs a file")?))
            }
            "--" => {
                let program = args.next().ok_or("`--` needs a command after it")?;
                let mut cmd = Command::new(program);
                cmd.args(args.by_ref());
                command = Some(cmd);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args { config, command })
}

/// Print the layout and how to reach it.
fn print_ready(config: &ServeConfig, ready: &Ready, with_command: bool) {
    let (kernel, host, port) = (config.kernel_addr, config.host_addr, config.echo_port);
    println!(
        "synack serve: a private network namespace, TAP device {}",
        config.tap
    );
    println!("  kernel          {kernel}/24  {}", config.kernel_mac);
    println!(
        "  reference host  {host}     {}  (ARP, ICMP echo, UDP echo on port {port})",
        config.host_mac
    );
    if let Some(path) = &config.pcap {
        println!("  capture         {}", path.display());
    }
    if with_command {
        println!("running the command inside the namespace; the service stops when it exits");
        return;
    }
    let enter = format!("nsenter --net={}", ready.netns_path);
    println!("from another terminal, as root:");
    println!("  {enter} ping -c 3 {host}");
    println!("  {enter} ping -c 3 -s 10000 {host}     # fragmented both ways");
    println!("  echo hello | {enter} nc -u -w 1 {host} {port}");
    println!("  {enter} bash                          # a shell inside");
    match config.duration {
        Some(d) => println!("serving for {:.1} s (Ctrl-C stops sooner)", d.as_secs_f64()),
        None => println!("serving until Ctrl-C"),
    }
}

fn print_report(report: &ServeReport) {
    let why = match report.stopped {
        StopReason::Asked => "stopped".to_owned(),
        StopReason::TimeUp => "time is up".to_owned(),
        StopReason::CommandExited(status) => format!("the command exited ({status})"),
    };
    let (host, driver) = (&report.host, &report.driver);
    println!(
        "{why} after {:.1} s: {} frames in, {} out; {} UDP datagrams echoed; {} reassembled; {} frames dropped",
        report.served_for.as_secs_f64(),
        driver.frames_in,
        driver.frames_out,
        report.echoed,
        host.reassembled,
        host.dropped.total(),
    );
    for (why, count) in host.dropped.iter() {
        println!("  dropped {count:>6}  {why}");
    }
    if let Some(frames) = report.pcap_frames {
        println!("{frames} frames written to the capture");
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("{why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Args {
        config,
        mut command,
    } = args;
    // SIGTERM always stops the service. Ctrl-C (SIGINT) does too, unless a
    // command runs inside: then it is the command's (a shell's, a ping's),
    // and this process only catches it so as not to die of it.
    let stop = Arc::new(AtomicBool::new(false));
    let ignored = Arc::new(AtomicBool::new(false));
    let on_sigint = if command.is_some() { &ignored } else { &stop };
    for (signal, flag) in [(SIGTERM, &stop), (SIGINT, on_sigint)] {
        if let Err(e) = signal_hook::flag::register(signal, Arc::clone(flag)) {
            eprintln!("cannot install the signal handler: {e}");
            return ExitCode::FAILURE;
        }
    }
    let with_command = command.is_some();
    let result = serve(&config, &stop, command.as_mut(), |ready| {
        print_ready(&config, ready, with_command);
    });
    match result {
        Ok(report) => {
            print_report(&report);
            match report.stopped {
                StopReason::CommandExited(status) if !status.success() => ExitCode::FAILURE,
                _ => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!("synack serve: {e}");
            ExitCode::FAILURE
        }
    }
}
