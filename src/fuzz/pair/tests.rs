//! Tests of the `pair` target: the seeds, and that a TCP broken on
//! purpose is caught.

use stack::tcp::Sabotage;

use super::seeds::seeds;
use super::{run, run_scenario, Outcome, Scenario};
use crate::fuzz::test_util::{
    assert_corpus_catches, assert_seeds_reach, check_seeds, expect_panic, find_seed, panic_message,
    xorshift_inputs,
};

#[test]
fn seeds_round_trip_and_match_their_files() {
    check_seeds("pair", &seeds());
}

/// Return whether a seed's run reached what it was written for.
fn reached(name: &str, o: &Outcome) -> bool {
    let whole = o.eof == [true, true] && o.read == [o.written[1], o.written[0]];
    match name {
        "clean-both-ways" => whole && o.written == [4000, 3000],
        "lossy-transfer" => whole && o.written[0] > 4000 && o.written[1] == 100,
        "reorder-duplicate-delay" => whole && o.written == [4000, 4000],
        "half-close" => whole && o.written == [100, 4000],
        "small-buffers-no-options" => whole && o.written[0] > 0,
        "abort-mid-transfer" => o.accepted && !o.eof[0],
        "corrupt-and-close" => o.accepted && o.written[0] > 0,
        _ => false,
    }
}

#[test]
fn every_seed_runs_clean_and_reaches_its_path() {
    assert_seeds_reach(seeds(), |s| run_scenario(s, None), reached);
}

#[test]
fn arbitrary_bytes_run_without_breaking_an_invariant() {
    for data in xorshift_inputs(0x1234_5678_9abc_def1, 40, 120) {
        if let Some(m) = panic_message(|| run(&data)) {
            panic!("{m}\n{:#?}", Scenario::decode(&data));
        }
    }
}

#[test]
fn an_ack_beyond_what_arrived_is_caught() {
    let scenario = find_seed(seeds(), "clean-both-ways");
    let sabotage = Some(Sabotage::AckBeyondReceived);
    let message = expect_panic("the sabotaged pair", || run_scenario(&scenario, sabotage));
    assert!(
        message.contains("never read the end of the stream"),
        "{message}"
    );
}

/// What the fuzzer's replay does: the corpus files, through the body.
#[test]
fn corpus_replay_catches_the_sabotage() {
    let sabotage = Sabotage::AckBeyondReceived;
    assert_corpus_catches("pair", &format!("{sabotage:?}"), |data| {
        let _ = run_scenario(&Scenario::decode(data), Some(sabotage));
    });
}
