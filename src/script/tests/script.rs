//! Loading whole scripts: every step kind, positions, defaults, overrides.

use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration as StdDuration;

use super::lower::{ArpLine, Echo, IcmpMessage, UdpChecksum, UdpPayload};
use super::*;
use crate::notation::{parse_segment, Wild};

const EXAMPLE: &str = include_str!("every_step_kind.yaml");

#[track_caller]
fn load(text: &str) -> Script {
    Script::from_str("test.yaml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn ms(n: u64) -> Duration {
    Duration::Fixed(StdDuration::from_millis(n))
}

#[test]
fn the_example_loads_with_every_step_kind() {
    let script = load(EXAMPLE);
    assert_eq!(script.name, "every step kind");
    assert_eq!(script.tags, ["example", "format"]);
    assert_eq!(script.refs.len(), 3);
    assert_eq!(
        script
            .requirements()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        ["MUST-10", "SHLD-4"]
    );
    let kinds: Vec<&str> = script.steps.iter().map(|s| s.action.kind()).collect();
    let mut sorted = kinds.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let mut all = STEP_KINDS.to_vec();
    all.sort_unstable();
    assert_eq!(sorted, all, "every step kind appears");
    assert_eq!(script.config.msl, StdDuration::from_secs(30));
    assert!(script.config.sack && !script.config.timestamps);
}

#[test]
fn steps_are_typed() {
    let s = load(EXAMPLE).steps;
    let connect = Call::Connect(SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), 40000));
    assert_eq!(
        s[0].action,
        Action::Call(CallStep {
            call: connect,
            expect: Expect::Success
        })
    );
    assert_eq!(
        s[1].action,
        Action::Out(parse_segment("S 0:0(0) <mss 1460,sackOK,eol>").unwrap())
    );
    assert_eq!(
        s[1].time,
        TimeBound::Between(TimePoint::Relative(ms(0)), TimePoint::Relative(ms(10)))
    );
    assert_eq!(
        s[2].time,
        TimeBound::At(TimePoint::Relative(ms(100))),
        "packetdrill prefix"
    );
    let Action::In(syn_ack) = &s[2].action else {
        panic!("{:?}", s[2].action)
    };
    assert_eq!(syn_ack.to_string(), "S. 0:0(0) ack 1 win 32792 <mss 1000>");
    assert_eq!(s[4].action, Action::State(TcpState::Established));
    assert_eq!(
        s[5].time,
        TimeBound::Between(TimePoint::Relative(ms(200)), TimePoint::Relative(ms(400)))
    );
    assert_eq!(s[7].socket, Some(3));
    assert_eq!(
        s[7].action,
        Action::Call(CallStep {
            call: Call::Read {
                len: 1000,
                oob: false
            },
            expect: Expect::Errno(Errno::Eagain)
        })
    );
    assert_eq!(s[8].action, Action::Wait(Duration::Msl(2)));
    assert_eq!(s[9].action, Action::Silent(ms(1500)));
    let Action::ArpIn(ArpLine {
        target_ip,
        sender_ip,
        ..
    }) = s[10].action
    else {
        panic!()
    };
    assert_eq!(
        (target_ip, sender_ip),
        (
            Some(Ipv4Addr::new(198, 51, 100, 1)),
            Ipv4Addr::new(198, 51, 100, 2)
        )
    );
    let echo = Echo {
        id: Wild::Exact(1),
        seq: Wild::Exact(1),
        len: Wild::Exact(56),
    };
    assert_eq!(
        s[12].action,
        Action::IcmpIn(lower::IcmpLine {
            addrs: None,
            message: IcmpMessage::EchoRequest(echo)
        })
    );
    let Action::UdpIn(udp) = &s[14].action else {
        panic!()
    };
    assert_eq!(
        (udp.payload.clone(), udp.checksum),
        (UdpPayload::Len(10), UdpChecksum::Bad)
    );
    let Action::FrameIn(frame) = &s[16].action else {
        panic!()
    };
    assert_eq!(frame.0.len(), 14);
    let Action::FrameOut(frame) = &s[17].action else {
        panic!()
    };
    assert_eq!(frame.0.iter().filter(|b| b.is_none()).count(), 6);
}

#[test]
fn steps_keep_their_positions() {
    let script = load(EXAMPLE);
    let first = script
        .steps
        .iter()
        .position(|s| s.action.kind() == "call")
        .unwrap();
    let step = &script.steps[first];
    assert_eq!(
        script.line(step.pos.line).trim(),
        "- call: connect(198.51.100.2:40000)"
    );
    assert_eq!((step.pos.column, step.value_pos.column), (5, 11));
    for step in &script.steps {
        let line = script.line(step.pos.line);
        let key = &line[step.pos.column as usize - 1..];
        assert!(key.starts_with(step.action.kind()), "{line}");
    }
}

#[test]
fn overrides_carry_their_target_and_why() {
    let steps = load(EXAMPLE).steps;
    let out = &steps[3];
    assert_eq!(out.overrides.len(), 1);
    assert_eq!(out.overrides[0].target, TargetName::Linux);
    assert_eq!(
        out.why.as_deref(),
        Some("Linux adds timestamps when the peer offers them")
    );
    let Some(Action::Out(linux)) = out.action_for(Some(TargetName::Linux)) else {
        panic!()
    };
    assert_eq!(linux.to_string(), ". 1:1(0) ack 1 win * <...>");
    assert_eq!(out.action_for(None), Some(&out.action));
    assert_eq!(
        out.action_for(Some(TargetName::ReferenceTap)),
        Some(&out.action)
    );
    let skipped = &steps[15];
    assert_eq!(
        skipped.action_for(Some(TargetName::Linux)),
        None,
        "linux: ~ skips the step"
    );
}

#[test]
fn config_defaults_and_overrides() {
    let script = load("name: x\nsteps: []\n");
    assert_eq!(script.config, Config::default());
    assert_eq!(script.config.local, Ipv4Addr::new(198, 51, 100, 1));
    assert_eq!(script.config.remote, Ipv4Addr::new(198, 51, 100, 2));
    let text = "name: x\nconfig: {msl: 500ms, window_scaling: true, wscale: 2, local_mac: '02:aa:00:00:00:01', rto_min: 200ms, initial_window: 10}\nsteps: []\n";
    let config = load(text).config;
    assert_eq!(config.msl, StdDuration::from_millis(500));
    assert_eq!(config.resolve(Duration::Msl(2)), StdDuration::from_secs(1));
    assert!(config.window_scaling);
    assert_eq!((config.wscale, config.initial_window), (2, Some(10)));
    assert_eq!(config.local_mac.to_string(), "02:aa:00:00:00:01");
    assert_eq!(config.rto_min, StdDuration::from_millis(200));
}

#[test]
fn state_names_take_dashes_or_underscores() {
    let script = load("name: x\nsteps:\n  - state: TIME_WAIT\n  - state: FIN-WAIT-2\n");
    assert_eq!(script.steps[0].action, Action::State(TcpState::TimeWait));
    assert_eq!(script.steps[1].action, Action::State(TcpState::FinWait2));
    assert_eq!(TcpState::ALL.len(), 11);
}

#[test]
fn actions_print_as_written() {
    let script = load(EXAMPLE);
    let printed: Vec<String> = script.steps.iter().map(|s| s.action.to_string()).collect();
    assert_eq!(printed[0], "call: connect(198.51.100.2:40000)");
    assert_eq!(printed[6], "out: P. 1:101(100) ack 1");
    assert_eq!(printed[8], "wait: 2msl");
    assert_eq!(
        printed[11],
        "arp_out: reply 198.51.100.1 is-at 02:00:00:00:00:01"
    );
    assert_eq!(
        printed[13],
        "icmp_out: 198.51.100.1 > 198.51.100.2 echo reply id 1 seq 1 len 56"
    );
    assert_eq!(
        printed[14],
        "udp_in: 198.51.100.2.40000 > 53 len 10 csum bad"
    );
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = Script::load(std::path::Path::new("/nonexistent/x.yaml")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(err
        .to_string()
        .starts_with("/nonexistent/x.yaml:0:0: cannot read script: "));
}

#[test]
fn every_script_in_the_format_reference_loads() {
    let readme = include_str!("../../../conformance/README.md");
    let mut loaded = 0;
    for block in readme.split("```yaml\n").skip(1) {
        let yaml = block.split("```").next().unwrap_or("");
        let script =
            Script::from_str("conformance/README.md", yaml).unwrap_or_else(|e| panic!("{e}"));
        assert!(!script.steps.is_empty(), "{}", script.name);
        loaded += 1;
    }
    assert_eq!(loaded, 10);
}
