//! The `linux` target against the real kernel: the whole conformance suite,
//! the namespace's settings, and TCP scripts that assert what the kernel
//! actually does (handshakes, RST to a closed port, options from `config`,
//! urgent data, errnos, abort, TIME-WAIT's fixed 60 s).
//!
//! These TCP scripts assert what Linux does where it differs from the RFC
//! or from the reference stack (window sizes, the RST on abort, the
//! urgent pointer, TIME-WAIT's length), so they live here: conformance/
//! scripts describe the RFC and run on every target.
//!
//! Each test starts with `netns::require_support`: without root and
//! /dev/net/tun it prints why and returns, except under `CI=true`, where
//! it fails.

use std::path::PathBuf;
use std::time::Duration;

use synack::netns;
use synack::run::suite::{self, SuiteOptions};
use synack::run::{run_script, RunOptions, RunReport};
use synack::script::{Config, Script, TcpState};
use synack::target::linux::{Setup, TCP_TIMEWAIT_LEN};
use synack::target::{LinuxTarget, Target, TargetError, TargetKind};

/// Run a script written inline on a fresh Linux target.
#[track_caller]
fn run(text: &str) -> RunReport {
    let script = Script::from_str("inline.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let mut target = LinuxTarget::new(&script.config, 0).unwrap_or_else(|e| panic!("{e}"));
    run_script(&script, &mut target, &RunOptions::default())
}

/// Run a script inline and fail the test with the runner's report if a
/// step fails.
#[track_caller]
fn passes(text: &str) -> RunReport {
    let report = run(text);
    if let Err(failure) = &report.outcome {
        panic!("{failure}\nwhole trace:\n{}", report.render_trace());
    }
    report
}

#[test]
fn conformance_suite_passes_on_linux() {
    if !netns::require_support("conformance_suite_passes_on_linux") {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let files = suite::discover(&[root]).unwrap();
    assert!(files.len() >= 20, "{} scripts", files.len());
    let options = SuiteOptions {
        target: TargetKind::Linux,
        // As `synack run --target linux` does: scripts mostly sleep, but
        // more at once than this starves a 2-core machine of timely wake-ups.
        jobs: files.len().min(16),
        ..SuiteOptions::default()
    };
    let result = suite::run_suite(&files, &options, |_, _, _| {});
    let failures: Vec<String> = result
        .results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| match &r.status {
            suite::Status::Failed(f) => f.to_string(),
            suite::Status::Bad(e) => e.to_string(),
            suite::Status::Passed => unreachable!(),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!(
        "{} scripts passed on linux in {:.1} s",
        result.results.len(),
        result.wall.as_secs_f64()
    );
}

#[test]
fn config_becomes_the_namespace_sysctls() {
    if !netns::require_support("config_becomes_the_namespace_sysctls") {
        return;
    }
    let config = Config {
        timestamps: true,
        sack: false,
        window_scaling: true,
        ecn: true,
        rcv_buf: 100_000,
        ..Config::default()
    };
    let setup = Setup::new(&config).unwrap();
    let read = netns::run(&setup.netns, |ns| {
        let keys = [
            "net.ipv4.tcp_timestamps",
            "net.ipv4.tcp_sack",
            "net.ipv4.tcp_window_scaling",
            "net.ipv4.tcp_ecn",
            "net.ipv4.tcp_rmem",
            "net/ipv6/conf/synack0/disable_ipv6",
        ];
        keys.map(|k| ns.sysctl(k).unwrap())
    })
    .unwrap();
    assert_eq!(read[..4], ["1", "0", "1", "1"]);
    assert_eq!(read[4].split_whitespace().collect::<Vec<_>>()[1], "100000");
    assert_eq!(read[5], "1");
}

#[test]
fn a_fresh_namespace_says_nothing() {
    if !netns::require_support("a_fresh_namespace_says_nothing") {
        return;
    }
    // With IPv6 on, the kernel would send router solicitations, MLD
    // reports and duplicate address detection within a second or two.
    passes("name: silence\nsteps:\n  - silent: 3s\n");
}

#[test]
fn settings_linux_lacks_are_refused_before_anything_is_made() {
    let config = Config {
        rto_initial: Duration::from_millis(200),
        ..Config::default()
    };
    match LinuxTarget::new(&config, 0) {
        Err(TargetError::Config(why)) => assert!(why.contains("TCP_TIMEOUT_INIT"), "{why}"),
        other => panic!("expected a config error, got {other:?}"),
    }
}

/// A passive open through accept(), data both ways, urgent data, and an
/// active close through FIN-WAIT-1 and FIN-WAIT-2 to TIME-WAIT.
const PASSIVE_OPEN_TO_TIME_WAIT: &str = r#"
name: passive open, data, urgent data, active close
steps:
  - call: listen(8080)
  - state: LISTEN
  - in: S 0:0(0) win 65535 <mss 1460>
  - out: S. 0:0(0) ack 1 win * <mss 1460>
    within: 10ms
  - state: SYN-RECEIVED
  - in: . 1:1(0) ack 1 win 65535
  - state: ESTABLISHED
  - call: accept() = 4
  - call: accept() = EAGAIN
  - state: LISTEN
  - state: ESTABLISHED
    socket: 4
  - call: write(100) = 100
    socket: 4
  - out: P. 1:101(100) ack 1 win *
    socket: 4
    within: 10ms
  - in: . 1:1(0) ack 101 win 65535
    socket: 4
  - in: P. 1:51(50) ack 101 win 65535
    socket: 4
  - out: . 101:101(0) ack 51 win *
    socket: 4
  - call: read(100) = 50
    socket: 4
  - call: read(100) = EAGAIN
    socket: 4
  # Linux's urgent pointer points past the urgent byte (RFC 6093 3.1).
  - call: write(1, oob) = 1
    socket: 4
  - out: P.U 101:102(1) ack 51 win * urg 1
    socket: 4
  - call: close()
    socket: 4
  - out: F. 102:102(0) ack 51 win *
    socket: 4
  - state: FIN-WAIT-1
    socket: 4
  - in: . 51:51(0) ack 103 win 65535
    socket: 4
  - state: FIN-WAIT-2
    socket: 4
  - in: F. 51:51(0) ack 103 win 65535
    socket: 4
  - out: . 103:103(0) ack 52
    socket: 4
  - state: TIME-WAIT
    socket: 4
  - call: write(1) = EBADF
    socket: 4
"#;

#[test]
fn passive_open_data_urgent_and_active_close() {
    if !netns::require_support("passive_open_data_urgent_and_active_close") {
        return;
    }
    let report = passes(PASSIVE_OPEN_TO_TIME_WAIT);
    // The listener's SYN-RECEIVED and the accepted socket's states are
    // all in the trace.
    let trace = report.render_trace();
    for state in ["SYN-RECEIVED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"] {
        assert!(trace.contains(&format!("state: {state}")), "{trace}");
    }
}

#[test]
fn syn_to_a_closed_port_draws_a_reset() {
    if !netns::require_support("syn_to_a_closed_port_draws_a_reset") {
        return;
    }
    // RFC 9293 3.10.7.1: no ACK in the SYN, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    passes(
        r#"
name: RST to a closed port
steps:
  - in: S 0:0(0) win 65535 <mss 1460>
  - out: R. 0:0(0) ack 1 win 0
    within: 10ms
  - state: CLOSED
  - in: . 1:1(0) ack 1 win 65535
  - out: R 1:1(0) win 0
    within: 10ms
"#,
    );
}

#[test]
fn active_open_offers_the_configured_options_and_abort_resets() {
    if !netns::require_support("active_open_offers_the_configured_options_and_abort_resets") {
        return;
    }
    passes(
        r#"
name: active open with options, then abort
config: {sack: true, timestamps: true, window_scaling: true, wscale: 7, mss: 1000}
steps:
  - call: connect(198.51.100.2:40000) = EINPROGRESS
  - out: S 0:0(0) win * <mss 1000,sackOK,TS val * ecr 0,nop,wscale 7>
    within: 10ms
  - state: SYN-SENT
  - call: connect(198.51.100.2:40000) = EALREADY
  - in: S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 2>
  - out: . 1:1(0) ack 1 win * <nop,nop,TS val * ecr 100>
    within: 10ms
  - state: ESTABLISHED
  - call: abort()
  - out: R. 1:1(0) ack 1 win * <nop,nop,TS val * ecr 100>
    within: 10ms
  - state: CLOSED
"#,
    );
}

#[test]
fn resets_turn_into_errnos() {
    if !netns::require_support("resets_turn_into_errnos") {
        return;
    }
    passes(
        r#"
name: refused, then reset by the peer
steps:
  - call: connect(198.51.100.2:40000) = EINPROGRESS
  - out: S 0:0(0) win * <mss 1460>
  - in: R. 0:0(0) ack 1 win 0
  - state: CLOSED
  - call: connect(198.51.100.2:40000) = ECONNREFUSED
  - call: listen(8080)
    socket: 5
  - in: S 0:0(0) win 65535 <mss 1460>
    socket: 5
  - out: S. 0:0(0) ack 1 win * <mss 1460>
    socket: 5
  - in: . 1:1(0) ack 1 win 65535
    socket: 5
  - call: accept() = 4
    socket: 5
  - in: R. 1:1(0) ack 1 win 0
    socket: 4
  - call: read(10) = ECONNRESET
    socket: 4
  - call: write(10) = EPIPE
    socket: 4
  - state: CLOSED
    socket: 4
  - state: LISTEN
    socket: 5
"#,
    );
}

#[test]
fn time_wait_lasts_tcp_timewait_len_whatever_the_msl() {
    if !netns::require_support("time_wait_lasts_tcp_timewait_len_whatever_the_msl") {
        return;
    }
    // The script's msl of 2 min would make 2MSL 4 min; Linux holds TIME-WAIT
    // for TCP_TIMEWAIT_LEN, 60 s, and its timer wheel may fire up to 4.1 s
    // late at that range (kernel/time/timer.c, HZ=1000).
    assert_eq!(TCP_TIMEWAIT_LEN, Duration::from_secs(60));
    let report = passes(
        r#"
name: TIME-WAIT lasts 60 s on Linux
steps:
  - call: connect(198.51.100.2:40000)
  - out: S 0:0(0) win * <mss 1460>
  - in: S. 0:0(0) ack 1 win 65535 <mss 1460>
  - out: . 1:1(0) ack 1 win *
  - call: close()
  - out: F. 1:1(0) ack 1 win *
  - in: F. 1:1(0) ack 2 win 65535
  - out: . 2:2(0) ack 2 win *
  - state: TIME-WAIT
  - wait: 58s
  - state: TIME-WAIT
  - wait: 7s
  - state: CLOSED
  - call: connect(198.51.100.2:40000) = EBADF
"#,
    );
    assert!(report.end.since_start() >= Duration::from_secs(65));
}

#[test]
fn the_target_says_what_it_is() {
    if !netns::require_support("the_target_says_what_it_is") {
        return;
    }
    let target = LinuxTarget::new(&Config::default(), 0).unwrap();
    assert_eq!(target.name(), "linux");
    assert_eq!(target.clock(), synack::target::ClockKind::Real);
    assert_eq!(
        target.override_name(),
        Some(synack::script::TargetName::Linux)
    );
    assert_eq!(target.poll_timeout(), None);
    // A socket the script never used is CLOSED, as a fresh socket is.
    assert_eq!(target.tcp_state(7), Ok(TcpState::Closed));
}
