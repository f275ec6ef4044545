//! Tests of the `tcp_connection` target: the seeds, the state table, and
//! that an engine broken on purpose is caught.

use std::fs;

use stack::tcp::{Sabotage, State};

use super::oracle::{allowed, Trigger};
use super::seeds::seeds;
use super::{run, run_scenario, Scenario};
use crate::fuzz::test_util::{corpus_dir, corpus_files, panic_message};

fn seed(name: &str) -> Scenario {
    let found = seeds().into_iter().find(|(n, _)| *n == name);
    found.unwrap_or_else(|| panic!("no seed {name}")).1
}

#[test]
fn every_seed_decodes_back_to_its_op_list() {
    for (name, scenario) in seeds() {
        assert_eq!(Scenario::decode(&scenario.encode()), scenario, "{name}");
    }
}

#[test]
fn seed_files_are_what_the_generator_writes() {
    for (name, scenario) in seeds() {
        let path = corpus_dir("tcp_connection").join(format!("seed-{name}"));
        let on_disk = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            on_disk,
            scenario.encode(),
            "{name}: run `cargo run --example host_seeds`"
        );
    }
}

/// The states each seed leaves its two connections in (client, server).
fn expected(name: &str) -> [State; 2] {
    use State::*;
    match name {
        "client-handshake" => [Established, Listen],
        "server-handshake" => [SynSent, Established],
        "transfer-both-ways" => [Established, Listen],
        "active-close-time-wait" => [Closed, Closed],
        "passive-close-last-ack" => [Closed, Listen],
        "out-of-order-sack" => [SynSent, Established],
        "zero-window-probe" => [Established, Listen],
        "retransmission-timeout" => [Established, Listen],
        "rst-after-abort" => [SynSent, Closed],
        "rst-in-window-challenge" => [Closed, Listen],
        "simultaneous-open" => [Established, Listen],
        "syn-received-return-to-listen" => [SynSent, Established],
        "urgent-and-shutdown-read" => [SynSent, FinWait1],
        _ => panic!("no expected states for {name}"),
    }
}

#[test]
fn every_seed_runs_clean_and_reaches_its_states() {
    for (name, scenario) in seeds() {
        let mut states = None;
        if let Some(message) = panic_message(|| states = Some(run_scenario(&scenario, None))) {
            panic!("seed {name}: {message}");
        }
        assert_eq!(states.unwrap(), expected(name), "seed {name}");
    }
}

#[test]
fn arbitrary_bytes_run_without_breaking_an_invariant() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..300 {
        let len = (state % 700) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        run(&data);
    }
}

#[test]
fn the_state_table_follows_the_diagram() {
    use State::*;
    // A segment may make several moves, never backwards.
    assert!(allowed(Trigger::Segment, SynSent, CloseWait));
    assert!(allowed(Trigger::Segment, FinWait1, TimeWait));
    assert!(allowed(Trigger::Segment, SynReceived, Listen));
    assert!(!allowed(Trigger::Segment, Established, SynReceived));
    assert!(!allowed(Trigger::Segment, CloseWait, FinWait2));
    assert!(!allowed(Trigger::Segment, TimeWait, Established));
    assert!(!allowed(Trigger::Segment, Closed, Listen));
    // Timers only close; calls close along one CLOSE edge.
    assert!(allowed(Trigger::Timer, TimeWait, Closed));
    assert!(!allowed(Trigger::Timer, FinWait1, FinWait2));
    assert!(allowed(Trigger::Close, CloseWait, LastAck));
    assert!(!allowed(Trigger::Close, Established, CloseWait));
    assert!(!allowed(Trigger::Call, Established, Closed));
}

/// Run `seed` with `sabotage`; return the panic message.
fn caught(seed_name: &str, sabotage: Sabotage) -> String {
    let scenario = seed(seed_name);
    let message = panic_message(|| {
        let _ = run_scenario(&scenario, Some(sabotage));
    });
    message.unwrap_or_else(|| panic!("{sabotage:?} went unnoticed on {seed_name}"))
}

#[test]
fn an_ack_beyond_what_arrived_is_caught() {
    let message = caught("client-handshake", Sabotage::AckBeyondReceived);
    assert!(
        message.contains("acknowledges past what arrived"),
        "{message}"
    );
}

#[test]
fn data_past_the_peer_window_is_caught() {
    let message = caught("zero-window-probe", Sabotage::IgnorePeerWindow);
    assert!(message.contains("past the peer's window edge"), "{message}");
}

#[test]
fn a_rst_for_a_rst_is_caught() {
    let message = caught("rst-after-abort", Sabotage::RstForRst);
    assert!(message.contains("RST in reply to a RST"), "{message}");
}

/// What the fuzzer's replay does: the corpus files, through the body.
#[test]
fn corpus_replay_catches_each_sabotage() {
    let files = corpus_files("tcp_connection");
    for sabotage in [
        Sabotage::AckBeyondReceived,
        Sabotage::IgnorePeerWindow,
        Sabotage::RstForRst,
    ] {
        let caught = (files.iter())
            .filter(|data| {
                let scenario = Scenario::decode(data);
                panic_message(|| {
                    let _ = run_scenario(&scenario, Some(sabotage));
                })
                .is_some()
            })
            .count();
        assert!(caught > 0, "no corpus file catches {sabotage:?}");
    }
}
