//! Reports of TCP runs (against the mock target, until the reference
//! stack has a TCP engine): the ladder diagram with both sides' states,
//! coverage of states, transitions and cited requirements, and JUnit
//! escaping.

use core::time::Duration;
use std::path::PathBuf;

use stack::tcp::SeqNumber;
use stack::wire::ethernet::EthernetRepr;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::ipv4::Ipv4Repr;
use stack::wire::tcp::{TcpFlags, TcpRepr};
use stack::wire::{ChecksumPolicy, EtherType, IpProtocol};
use synack::notation::{parse_inbound, Isns};
use synack::report::coverage::{Coverage, TRANSITIONS};
use synack::report::{junit, ladder};
use synack::run::suite::{ScriptResult, Status, Suite};
use synack::run::{run_script, RunOptions};
use synack::script::{Call, Config, Level, Requirement, Script, TcpState};
use synack::target::{CallOutcome, ClockKind, MockTarget, Reaction};

/// A segment from the target to the peer, as a frame.
fn from_target(text: &str, isns: Isns, ports: (u16, u16)) -> Vec<u8> {
    let config = Config::default();
    let pattern = parse_inbound(text).unwrap();
    let payload = vec![0; pattern.len as usize];
    let mut segment = pattern.to_repr(isns, &payload).unwrap();
    (segment.src_port, segment.dst_port) = ports;
    let frame = FrameRepr {
        ethernet: EthernetRepr {
            dst_addr: config.remote_mac,
            src_addr: config.local_mac,
            vlan: None,
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            header: Ipv4Repr::new(config.local, config.remote, IpProtocol::Tcp, 0),
            transport: TransportRepr::Tcp(segment),
        },
    };
    let mut bytes = vec![0; frame.buffer_len()];
    frame.emit(&mut bytes, ChecksumPolicy::Verify);
    bytes
}

fn segment(frame: &[u8]) -> Option<TcpRepr<'_>> {
    match FrameRepr::parse(frame, ChecksumPolicy::Verify)
        .ok()?
        .network
    {
        NetworkRepr::Ipv4 {
            transport: TransportRepr::Tcp(s),
            ..
        } => Some(s),
        _ => None,
    }
}

/// A mock that opens passively and closes passively: LISTEN, SYN-RECEIVED,
/// ESTABLISHED, CLOSE-WAIT, LAST-ACK, CLOSED.
fn passive_mock() -> MockTarget {
    let isn = SeqNumber(9000);
    MockTarget::new(ClockKind::Virtual)
        .on_call(|_, _, call| match call {
            Call::Listen { .. } => Some((
                CallOutcome::Value(0),
                Reaction::default().with_state(3, TcpState::Listen),
            )),
            _ => None,
        })
        .on_frame(move |_, frame| {
            let seg = segment(frame)?;
            let isns = Isns {
                sender: isn,
                receiver: seg.seq_number
                    - if seg.flags.contains(TcpFlags::SYN) {
                        0
                    } else {
                        1
                    },
            };
            let ports = (seg.dst_port, seg.src_port);
            let reply = |text, state| {
                Some(
                    Reaction::emit(Duration::from_millis(10), from_target(text, isns, ports))
                        .with_state(3, state),
                )
            };
            match seg.flags {
                f if f == TcpFlags::SYN => reply("S. 0:0(0) ack 1 win 1000", TcpState::SynReceived),
                f if f == TcpFlags::FIN | TcpFlags::ACK => {
                    reply("F. 1:1(0) ack 2 win 1000", TcpState::LastAck)
                }
                f if f == TcpFlags::ACK && seg.ack_number == isn + 2 => {
                    Some(Reaction::default().with_state(3, TcpState::Closed))
                }
                f if f == TcpFlags::ACK => {
                    Some(Reaction::default().with_state(3, TcpState::Established))
                }
                _ => None,
            }
        })
}

const PASSIVE: &str = "\
name: passive open, passive close
refs: [rfc9293#3.5, MUST-10, SHLD-4]
steps:
  - call: listen(8080)
  - in: S 0:0(0) win 1000
  - out: S. 0:0(0) ack 1 win 1000
    within: 10ms
  - in: . 1:1(0) ack 1 win 1000
  - state: ESTABLISHED
  - in: F. 1:1(0) ack 1 win 1000
  - out: F. 1:1(0) ack 2 win 1000
  - in: . 2:2(0) ack 2 win 1000
  - state: CLOSED
";

fn suite_of(text: &str) -> Suite {
    let script = Script::from_str("tcp/passive.yaml", text).unwrap();
    let mut target = passive_mock();
    let report = run_script(&script, &mut target, &RunOptions::default());
    let status = match &report.outcome {
        Ok(()) => Status::Passed,
        Err(f) => Status::Failed(f.clone()),
    };
    Suite {
        results: vec![ScriptResult {
            path: PathBuf::from("tcp/passive.yaml"),
            script: Some(script),
            status,
            report: Some(report),
            wall: Duration::from_millis(1),
            retried_after: None,
        }],
        wall: Duration::from_millis(1),
    }
}

#[test]
fn coverage_counts_states_transitions_and_cited_ids() {
    let suite = suite_of(PASSIVE);
    assert!(suite.results[0].passed(), "{:?}", suite.results[0].status);
    let coverage = Coverage::of(&suite);
    use TcpState::*;
    let states: Vec<TcpState> = coverage.states.keys().copied().collect();
    assert_eq!(states, [Closed, Listen, SynReceived, Established, LastAck]);
    let transitions: Vec<_> = coverage.transitions.keys().copied().collect();
    assert_eq!(
        transitions,
        [
            (Closed, Listen),
            (Listen, SynReceived),
            (SynReceived, Established),
            (Established, LastAck),
            (LastAck, Closed),
        ]
    );
    // ESTABLISHED -> LAST-ACK skips CLOSE-WAIT (the mock never reports it):
    // seen, but not one of the diagram's transitions.
    assert!(!TRANSITIONS
        .iter()
        .any(|&(a, b, _)| (a, b) == (Established, LastAck)));
    let must10 = Requirement {
        level: Level::Must,
        number: 10,
    };
    assert!(coverage.cited.contains_key(&must10));
    assert!(!coverage.uncited().contains(&must10));
    assert!(coverage
        .summary()
        .starts_with("coverage: 5/11 TCP states, 4/21 state-diagram transitions, 2/"));
    let text = coverage.render();
    assert!(
        text.contains("| LISTEN | SYN-RECEIVED | rcv SYN / snd SYN,ACK | 1 |"),
        "{text}"
    );
    assert!(
        text.contains("- ESTABLISHED → LAST-ACK: 1 script(s)"),
        "{text}"
    );
    assert!(text.contains("| MUST-10 | "), "{text}");
}

#[test]
fn the_ladder_shows_segments_and_both_sides_states() {
    let suite = suite_of(PASSIVE);
    let report = suite.results[0].report.as_ref().unwrap();
    let svg = ladder::render("passive open, passive close", "mock", report);
    assert_eq!(svg.matches("marker-end=").count(), 6, "six segments");
    assert!(svg.contains(">S. 0:0(0) ack 1 win 1000</text>"));
    assert!(svg.contains("target (mock)"));
    // The peer's states, inferred; the target's, as reported.
    for state in ["SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "TIME-WAIT"] {
        assert!(
            svg.contains(&format!("text-anchor=\"end\" class=\"state\">{state}<")),
            "{state}"
        );
    }
    for state in ["LISTEN", "SYN-RECEIVED", "LAST-ACK", "CLOSED"] {
        assert!(
            svg.contains(&format!("text-anchor=\"start\" class=\"state\">{state}<")),
            "{state}"
        );
    }
    assert!(svg.contains("class=\"passed\">passed at "));
    // A failed run ends in red with the step.
    let failed = suite_of(&PASSIVE.replace("out: F. 1:1(0) ack 2", "out: F. 1:1(0) ack 3"));
    let svg = ladder::render("x", "mock", failed.results[0].report.as_ref().unwrap());
    assert!(
        svg.contains("class=\"failed\">step 7 (line 11) failed: the frame differs in ack<"),
        "{svg}"
    );
}

#[test]
fn junit_escapes_and_counts_failures() {
    let suite = suite_of(&PASSIVE.replace("out: F. 1:1(0) ack 2", "out: F. 1:1(0) ack 3"));
    let mut out = Vec::new();
    junit::write(&suite, "mock", &mut out).unwrap();
    let xml = String::from_utf8(out).unwrap();
    assert!(
        xml.contains(r#"tests="1" failures="1" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure type="mismatch" message="the frame differs in ack">"#),
        "{xml}"
    );
    assert!(
        xml.contains("&lt;") || !xml.contains("<mss"),
        "options escaped"
    );
    assert!(
        xml.contains("= expected: out: F. 1:1(0) ack 3 win 1000"),
        "{xml}"
    );
}
