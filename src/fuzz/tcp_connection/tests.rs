//! Tests of the `tcp_connection` target: the seeds, the state table, and
//! that an engine broken on purpose is caught.

use stack::tcp::{Sabotage, State};

use super::oracle::{allowed, Trigger};
use super::seeds::seeds;
use super::{run, run_scenario, Scenario};
use crate::fuzz::test_util::{
    assert_corpus_catches, check_seeds, expect_panic, find_seed, run_seed, xorshift_inputs,
};

#[test]
fn seeds_round_trip_and_match_their_files() {
    check_seeds("tcp_connection", &seeds());
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
        let states = run_seed(name, || run_scenario(&scenario, None));
        assert_eq!(states, expected(name), "seed {name}");
    }
}

#[test]
fn arbitrary_bytes_run_without_breaking_an_invariant() {
    for data in xorshift_inputs(0x2545_f491_4f6c_dd1d, 300, 700) {
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
    let scenario = find_seed(seeds(), seed_name);
    let what = format!("{sabotage:?} on {seed_name}");
    expect_panic(&what, || run_scenario(&scenario, Some(sabotage)))
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
    for sabotage in [
        Sabotage::AckBeyondReceived,
        Sabotage::IgnorePeerWindow,
        Sabotage::RstForRst,
    ] {
        assert_corpus_catches("tcp_connection", &format!("{sabotage:?}"), |data| {
            let _ = run_scenario(&Scenario::decode(data), Some(sabotage));
        });
    }
}
