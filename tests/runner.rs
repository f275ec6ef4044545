//! The runner against the mock target: matching, ISN learning, time bounds
//! on both clocks, silence, calls, states, overrides, and failures that
//! read like compiler errors.

use core::time::Duration;
use std::cell::Cell;
use std::rc::Rc;

use stack::tcp::SeqNumber;
use stack::time::Instant;
use stack::wire::ethernet::EthernetRepr;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::ipv4::Ipv4Repr;
use stack::wire::tcp::{TcpFlags, TcpRepr};
use stack::wire::{ChecksumPolicy, EtherType, IpProtocol};
use synack::notation::{parse_inbound, Isns};
use synack::run::{run_script, FailureKind, RunOptions, RunReport};
use synack::script::{Call, Config, Script, TargetName, TcpState};
use synack::target::{CallOutcome, ClockKind, MockTarget, Reaction, Target, TargetKind};

/// The target's ISN in these tests.
const TARGET_ISN: u32 = 5000;

/// Load a script from text, or fail the test with the loader's error.
#[track_caller]
fn script(text: &str) -> Script {
    Script::from_str("test.yaml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Build the frame of a segment the target sends, written in notation
/// with the given ISNs and ports.
fn from_target(text: &str, isns: Isns, ports: (u16, u16)) -> Vec<u8> {
    let config = Config::default();
    let pattern = parse_inbound(text).unwrap();
    let payload = vec![0; pattern.len as usize];
    let mut segment = pattern.to_repr(isns, &payload).unwrap();
    (segment.src_port, segment.dst_port) = ports;
    let header = Ipv4Repr::new(config.local, config.remote, IpProtocol::Tcp, 0);
    let frame = FrameRepr {
        ethernet: EthernetRepr {
            dst_addr: config.remote_mac,
            src_addr: config.local_mac,
            vlan: None,
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            header,
            transport: TransportRepr::Tcp(segment),
        },
    };
    let mut bytes = vec![0; frame.buffer_len()];
    frame.emit(&mut bytes, ChecksumPolicy::Verify);
    bytes
}

/// Read the TCP segment of a frame.
fn segment(frame: &[u8]) -> Option<TcpRepr<'_>> {
    match FrameRepr::parse(frame, ChecksumPolicy::Verify)
        .ok()?
        .network
    {
        NetworkRepr::Ipv4 {
            transport: TransportRepr::Tcp(segment),
            ..
        } => Some(segment),
        _ => None,
    }
}

/// A mock that listens on 8080: it answers a SYN with a SYN-ACK after
/// `delay`, and goes ESTABLISHED on the ACK of its SYN.
fn listener(clock: ClockKind, delay: Duration) -> MockTarget {
    MockTarget::new(clock)
        .on_call(|_, _, call| match call {
            Call::Listen { .. } => Some((
                CallOutcome::Value(0),
                Reaction::default().with_state(3, TcpState::Listen),
            )),
            Call::Accept => Some((CallOutcome::Value(4), Reaction::default())),
            _ => None,
        })
        .on_frame(move |_, frame| {
            let syn = segment(frame)?;
            if syn.flags != TcpFlags::SYN {
                return None;
            }
            let isns = Isns {
                sender: SeqNumber(TARGET_ISN),
                receiver: syn.seq_number,
            };
            let reply = from_target(
                "S. 0:0(0) ack 1 win 65535 <mss 1460>",
                isns,
                (syn.dst_port, syn.src_port),
            );
            Some(Reaction::emit(delay, reply).with_state(3, TcpState::SynReceived))
        })
        .on_frame(|_, frame| {
            let ack = segment(frame)?;
            (ack.flags == TcpFlags::ACK && ack.ack_number == SeqNumber(TARGET_ISN + 1))
                .then(|| Reaction::default().with_state(3, TcpState::Established))
        })
}

const PASSIVE_OPEN: &str = "\
name: passive open
steps:
  - call: listen(8080)
  - in: S 0:0(0) win 1000 <mss 1460>
  - out: S. 0:0(0) ack 1 win 65535 <mss 1460>
  - in: . 1:1(0) ack 1 win 1000
  - state: ESTABLISHED
  - call: accept() = 4
  - wait: 2msl
  - silent: 1s
";

fn run(text: &str, target: &mut dyn Target) -> RunReport {
    run_script(&script(text), target, &RunOptions::default())
}

#[test]
fn passive_open_passes_with_relative_numbers_and_free_2msl() {
    let mut target = listener(ClockKind::Virtual, Duration::ZERO);
    let started = std::time::Instant::now();
    let report = run(PASSIVE_OPEN, &mut target);
    assert!(report.passed(), "{}", report.outcome.unwrap_err());
    // 2MSL of the default 2 minutes and 1 s of silence, in virtual time.
    assert_eq!(report.end, Instant::from_secs(241));
    assert!(started.elapsed() < Duration::from_secs(5));
    let trace = report.render_trace();
    assert!(
        trace.contains("out: S. 0:0(0) ack 1 win 65535 <mss 1460>"),
        "{trace}"
    );
    assert!(trace.contains("in: . 1:1(0) ack 1 win 1000"), "{trace}");
    assert!(trace.contains("state: ESTABLISHED"), "{trace}");
    assert!(trace.contains("call: accept() = 4"), "{trace}");
    // The peer's frames went to the listening port with its ISN + 1 acked.
    let received = target.received();
    let ack = segment(&received[1].1).unwrap();
    assert_eq!((ack.src_port, ack.dst_port), (40000, 8080));
    assert_eq!(ack.ack_number, SeqNumber(TARGET_ISN + 1));
    let syn = segment(&received[0].1).unwrap();
    assert_eq!(ack.seq_number, syn.seq_number + 1);
}

#[test]
fn a_flipped_ack_fails_like_a_compiler_error() {
    let text = PASSIVE_OPEN.replace("ack 1 win 65535", "ack 2 win 65535");
    let report = run(&text, &mut listener(ClockKind::Virtual, Duration::ZERO));
    let failure = report.outcome.unwrap_err();
    assert_eq!(failure.kind, FailureKind::Mismatch);
    assert_eq!(failure.message, "the frame differs in ack");
    assert_eq!(
        (failure.step, failure.pos.line, failure.pos.column),
        (2, 5, 5)
    );
    assert_eq!(
        failure.expected.as_deref(),
        Some("out: S. 0:0(0) ack 2 win 65535 <mss 1460>")
    );
    assert_eq!(
        failure.actual.as_deref(),
        Some("out: S. 0:0(0) ack 1 win 65535 <mss 1460>")
    );
    let shown = failure.to_string();
    assert!(
        shown.starts_with("test.yaml:5:5: step 3 failed: the frame differs in ack\n"),
        "{shown}"
    );
    assert!(shown.contains("5 |   - out: S. 0:0(0) ack 2 win 65535 <mss 1460>\n  |     ^^^"));
    assert!(shown.contains("trace so far:\n"), "{shown}");
    assert!(
        shown.contains("in: S 0:0(0) win 1000 <mss 1460>"),
        "{shown}"
    );
}

#[test]
fn active_open_learns_the_target_port_and_isn() {
    let mut target = MockTarget::new(ClockKind::Virtual).on_call(|_, _, call| {
        let Call::Connect(addr) = call else {
            return None;
        };
        let isns = Isns {
            sender: SeqNumber(77_777),
            receiver: SeqNumber(0),
        };
        let syn = from_target("S 0:0(0) win 65535 <mss 1460>", isns, (50_123, addr.port()));
        Some((CallOutcome::Value(0), Reaction::emit(Duration::ZERO, syn)))
    });
    let report = run(
        "name: active open
steps:
  - call: connect(198.51.100.2:41000)
  - out: S 0:0(0) <mss 1460>
  - in: S. 0:0(0) ack 1 win 1000
",
        &mut target,
    );
    assert!(report.passed(), "{}", report.outcome.unwrap_err());
    let syn_ack = segment(&target.received()[0].1).unwrap();
    assert_eq!((syn_ack.src_port, syn_ack.dst_port), (41_000, 50_123));
    assert_eq!(syn_ack.ack_number, SeqNumber(77_778));
}

#[test]
fn time_bounds_on_the_virtual_clock_are_exact() {
    let delayed = || listener(ClockKind::Virtual, Duration::from_millis(200));
    let with_bound = |bound: &str| {
        PASSIVE_OPEN.replace(
            "  - out: S. 0:0(0) ack 1 win 65535 <mss 1460>\n",
            &format!("  - out: S. 0:0(0) ack 1 win 65535 <mss 1460>\n    at: {bound}\n"),
        )
    };
    let report = run(&with_bound("+0.1~+0.3"), &mut delayed());
    assert!(report.passed(), "{}", report.outcome.unwrap_err());
    let failure = run(&with_bound("+0.1"), &mut delayed())
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Missing);
    assert_eq!(failure.message, "nothing was emitted by 0.100s");
    let failure = run(&with_bound("+0.3"), &mut delayed())
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::TooEarly);
    assert_eq!(failure.message, "emitted at 0.200s, before 0.300s");
    // A packetdrill prefix is the same bound.
    let text = PASSIVE_OPEN.replace("out: S.", "out: +0.2 S.");
    assert!(run(&text, &mut delayed()).passed());
}

#[test]
fn time_bounds_on_a_real_clock_allow_the_tolerance() {
    let text = PASSIVE_OPEN
        .replace("out: S.", "out: +0.03 S.")
        .replace("  - wait: 2msl\n", "");
    let started = std::time::Instant::now();
    let mut target = listener(ClockKind::Real, Duration::from_millis(30));
    let report = run(&text, &mut target);
    assert!(report.passed(), "{}", report.outcome.unwrap_err());
    assert!(started.elapsed() >= Duration::from_millis(1030));
    let tight = text.replace("name: passive open", "name: tight\nconfig: {tolerance: 0s}");
    let tight = tight.replace("+0.03 S.", "+0.01 S.");
    let mut target = listener(ClockKind::Real, Duration::from_millis(30));
    let failure = run(&tight, &mut target).outcome.unwrap_err();
    assert_eq!(failure.kind, FailureKind::Missing, "{failure}");
}

#[test]
fn silence_fails_on_anything_emitted_and_wait_keeps_it_for_out() {
    let stray = from_target("R 9:9(0) win 0", Isns::default(), (8080, 40000));
    let mock =
        || MockTarget::new(ClockKind::Virtual).emit_at(Instant::from_millis(500), stray.clone());
    let failure = run("name: s\nsteps:\n  - silent: 1s\n", &mut mock())
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Unexpected);
    assert_eq!(failure.message, "1 frame(s) emitted that no step expected");
    assert_eq!(failure.actual.as_deref(), Some("out: R 9:9(0) win 0"));
    assert_eq!(failure.at, Instant::from_millis(500));
    let report = run(
        "name: w\nsteps:\n  - wait: 1s\n  - out: R 9:9(0)\n    at: 0.5\n",
        &mut mock(),
    );
    assert!(report.passed(), "{}", report.outcome.unwrap_err());
    // Left over at the end: reported, not failed.
    let report = run("name: end\nsteps:\n  - wait: 1s\n", &mut mock());
    assert!(report.passed());
    assert_eq!(report.unexpected.len(), 1);
    assert!(report
        .render()
        .contains("unexpected at 0.500s: out: R 9:9(0) win 0"));
}

#[test]
fn a_frame_of_another_kind_is_a_mismatch() {
    let stray = from_target("R 0:0(0) win 0", Isns::default(), (8080, 40000));
    let mut mock = MockTarget::new(ClockKind::Virtual).emit_at(Instant::ZERO, stray);
    let failure = run("name: k\nsteps:\n  - icmp_out: echo reply\n", &mut mock)
        .outcome
        .unwrap_err();
    assert_eq!(failure.message, "expected a `icmp_out` frame, got `out`");
}

#[test]
fn call_results_and_unsupported_calls_fail_with_the_reason() {
    let mut mock = MockTarget::new(ClockKind::Virtual).on_call(|_, _, call| {
        matches!(call, Call::Write { .. }).then(|| (CallOutcome::Value(10), Reaction::default()))
    });
    let failure = run("name: c\nsteps:\n  - call: write(10) = EPIPE\n", &mut mock)
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::CallResult);
    assert_eq!(failure.expected.as_deref(), Some("call: write(10) = EPIPE"));
    assert_eq!(failure.actual.as_deref(), Some("call: write(10) = 10"));
    let failure = run("name: c\nsteps:\n  - call: close()\n", &mut mock)
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Unsupported);
    assert_eq!(
        failure.message,
        "not supported by the target: mock has no rule for close()"
    );
}

#[test]
fn states_are_checked_and_sampled() {
    let failure = run(
        &PASSIVE_OPEN.replace("state: ESTABLISHED", "state: CLOSE-WAIT"),
        &mut listener(ClockKind::Virtual, Duration::ZERO),
    )
    .outcome
    .unwrap_err();
    assert_eq!(failure.kind, FailureKind::State);
    assert_eq!(
        failure.message,
        "the connection is in ESTABLISHED, not CLOSE-WAIT"
    );
    // Sampled after each step: LISTEN, SYN-RECEIVED, ESTABLISHED in order.
    let report = run(
        PASSIVE_OPEN,
        &mut listener(ClockKind::Virtual, Duration::ZERO),
    );
    let trace = report.render_trace();
    let at = |s: &str| trace.find(s).unwrap_or_else(|| panic!("{s} in {trace}"));
    assert!(at("state: LISTEN") < at("state: SYN-RECEIVED"));
    assert!(at("state: SYN-RECEIVED") < at("state: ESTABLISHED"));
}

#[test]
fn overrides_apply_on_their_target_only() {
    let text = "name: o
steps:
  - out: R 0:0(0)
    linux: ~
    why: skipped there
";
    let mut linux = MockTarget::new(ClockKind::Virtual).with_override_name(TargetName::Linux);
    assert!(run(text, &mut linux).passed());
    let mut plain = MockTarget::new(ClockKind::Virtual);
    let options = RunOptions {
        out_wait_virtual: Duration::from_secs(5),
        ..RunOptions::default()
    };
    let report = run_script(&script(text), &mut plain, &options);
    assert_eq!(
        report.outcome.unwrap_err().message,
        "nothing was emitted by 5.000s"
    );
}

#[test]
fn an_in_step_that_cannot_be_built_is_a_bad_script() {
    let mut mock = MockTarget::new(ClockKind::Virtual);
    let failure = run("name: b\nsteps:\n  - udp_in: '* > 53'\n", &mut mock)
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::BadStep);
    assert!(failure.kind.is_bad_script());
    assert_eq!(
        failure.message,
        "an injected UDP datagram needs both ports, not `*`"
    );
}

#[test]
fn a_target_stuck_on_one_instant_is_reported() {
    let woken = Rc::new(Cell::new(0u32));
    struct Stuck(Rc<Cell<u32>>);
    impl Target for Stuck {
        fn name(&self) -> &'static str {
            "stuck"
        }
        fn override_name(&self) -> Option<TargetName> {
            None
        }
        fn clock(&self) -> ClockKind {
            ClockKind::Virtual
        }
        fn handle_frame(
            &mut self,
            _: Instant,
            _: &[u8],
        ) -> Result<Option<String>, synack::target::TargetError> {
            Ok(None)
        }
        fn poll_transmit(&mut self, _: Instant) -> Option<Vec<u8>> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            Some(Instant::from_secs(1))
        }
        fn handle_timeout(&mut self, _: Instant) {
            self.0.set(self.0.get() + 1);
        }
        fn call(
            &mut self,
            _: Instant,
            _: u32,
            _: &Call,
        ) -> Result<CallOutcome, synack::target::TargetError> {
            Ok(CallOutcome::Value(0))
        }
        fn tcp_state(&self, _: u32) -> Result<TcpState, synack::target::TargetError> {
            Ok(TcpState::Closed)
        }
    }
    let failure = run("name: w\nsteps:\n  - wait: 2s\n", &mut Stuck(woken.clone()))
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Target);
    assert_eq!(failure.at, Instant::from_secs(1));
    assert!(woken.get() > 1000);
}

#[test]
fn tcp_on_the_reference_target_runs_the_engine() {
    // The handshake passes, and a wrong expectation of the SYN,ACK fails
    // at that step: the reference target really answers TCP.
    let good = "\
name: passive open on the reference stack
steps:
  - call: listen(8080)
  - in: S 0:0(0) win 1000 <mss 1460>
  - out: S. 0:0(0) ack 1 <mss 1460>
  - in: . 1:1(0) ack 1 win 1000
  - call: accept() = 4
  - state: ESTABLISHED
    socket: 4
  - state: LISTEN
";
    let passing = script(good);
    let mut target = TargetKind::Reference.create(&passing, 0).unwrap();
    let report = run_script(&passing, target.as_mut(), &RunOptions::default());
    assert!(report.outcome.is_ok(), "{:?}", report.outcome);
    let bad = script(&good.replace("out: S. 0:0(0) ack 1", "out: S. 0:0(0) ack 2"));
    let mut target = TargetKind::Reference.create(&bad, 0).unwrap();
    let failure = run_script(&bad, target.as_mut(), &RunOptions::default())
        .outcome
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Mismatch, "{failure}");
    assert_eq!(failure.pos.line, 5, "{failure}");
}
