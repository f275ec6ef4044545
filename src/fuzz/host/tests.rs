//! Tests of the `host` target: the encoding, the seeds, the oracle, and
//! that a host broken on purpose is caught.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use arbitrary::{Arbitrary, Unstructured};
use stack::host::Sabotage;

use super::encode::{encode_variant, Bytes};
use super::ops::*;
use super::oracle::tiles_exactly;
use super::seeds::seeds;
use super::{run, run_scenario, Outcome};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/host")
}

fn seed(name: &str) -> Scenario {
    let found = seeds().into_iter().find(|(n, _)| *n == name);
    found.unwrap_or_else(|| panic!("no seed {name}")).1
}

/// Run `f`; return its panic message, or `None` if it did not panic.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    let err = catch_unwind(AssertUnwindSafe(f)).err()?;
    let text = (err.downcast_ref::<String>().cloned())
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()));
    Some(text.unwrap_or_default())
}

#[test]
fn variant_tags_decode_to_their_variant() {
    for count in 1..=24u64 {
        for index in 0..count as usize {
            let mut out = Vec::new();
            encode_variant(index, count as usize, &mut out);
            let v = u32::from_le_bytes(out.try_into().unwrap());
            assert_eq!(
                (u64::from(v) * count) >> 32,
                index as u64,
                "{index} of {count}"
            );
        }
    }
}

#[test]
fn every_seed_decodes_back_to_its_op_list() {
    for (name, scenario) in seeds() {
        assert!(!scenario.ops.is_empty(), "{name}");
        assert_eq!(Scenario::decode(&scenario.encode()), scenario, "{name}");
    }
}

#[test]
fn one_op_of_every_kind_round_trips_through_arbitrary() {
    let ops = [
        Op::Raw(Bytes(vec![1, 2, 3])),
        Op::Wait(Wait::Secs(3)),
        Op::Read(Read::All),
        Op::Reopen(Socket::Sender),
    ];
    for op in ops {
        let mut bytes = Vec::new();
        super::encode::Encode::encode(&op, &mut bytes);
        let mut u = Unstructured::new(&bytes);
        assert_eq!(Op::arbitrary(&mut u).unwrap(), op);
        assert!(u.is_empty(), "{op:?} left bytes over");
    }
}

#[test]
fn seed_files_are_what_the_generator_writes() {
    for (name, scenario) in seeds() {
        let path = corpus_dir().join(format!("seed-{name}"));
        let on_disk = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            on_disk,
            scenario.encode(),
            "{name}: run `cargo run --example host_seeds`"
        );
    }
}

/// Return whether a seed's run reached what the seed was written for.
fn reached(name: &str, o: &Outcome) -> bool {
    let (s, r) = (&o.stats, &o.reassembly);
    match name {
        "arp-request-reply" => s.rx_accepted == 1 && s.tx_frames == 1,
        "udp-deliver-read" => s.rx_accepted == 1,
        "udp-port-unreachable" | "icmp-error-to-socket" => {
            s.icmp_errors_sent == u64::from(name == "udp-port-unreachable") && s.rx_accepted >= 1
        }
        "echo-fragmented" => s.reassembled == 1 && s.tx_frames == 4,
        "echo-small-mtu" => s.tx_frames > 4,
        "fragments-duplicate-overlap" => r.completed == 2 && r.duplicates == 2 && r.overlaps == 1,
        "reassembly-timeout" => s.reassembly_timeouts == 1 && s.icmp_errors_sent == 1,
        "reassembly-memory" => r.evicted == 1 && r.completed == 1,
        "arp-resolve-send" => s.arp_requests == 1 && s.tx_frames == 2,
        "arp-give-up" => s.arp_failures == 2,
        "no-error-about-error" => {
            s.icmp_suppressed.get("about_icmp_error") == 1 && s.icmp_errors_sent == 1
        }
        "broadcasts" => s.icmp_suppressed.get("ip_broadcast") == 1 && s.tx_frames == 3,
        "ping-reply" => s.rx_accepted == 2,
        "corrupt-and-raw" => s.dropped.total() == 4,
        "rate-limit" => s.icmp_suppressed.get("rate_limited") == 1 && s.icmp_errors_sent == 3,
        _ => false,
    }
}

#[test]
fn every_seed_runs_clean_and_reaches_its_path() {
    for (name, scenario) in seeds() {
        let mut outcome = None;
        if let Some(message) = panic_message(|| outcome = Some(run_scenario(&scenario, None))) {
            panic!("seed {name}: {message}");
        }
        let outcome = outcome.unwrap();
        assert!(
            reached(name, &outcome),
            "seed {name} missed its path: {outcome:#?}"
        );
    }
}

#[test]
fn arbitrary_bytes_run_without_breaking_an_invariant() {
    // A fixed xorshift stream: a few hundred inputs, the same on every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        let len = (state % 512) as usize;
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
fn icmp_error_about_icmp_error_is_caught() {
    let scenario = seed("no-error-about-error");
    let sabotage = Some(Sabotage::IcmpErrorAboutIcmpError);
    let message = panic_message(|| drop(run_scenario(&scenario, sabotage)));
    let message = message.expect("the sabotaged host went unnoticed");
    assert!(
        message.contains("ICMP error about an ICMP error"),
        "{message}"
    );
}

#[test]
fn corrupt_udp_checksum_is_caught() {
    let scenario = seed("arp-resolve-send");
    let sabotage = Some(Sabotage::CorruptUdpChecksum);
    let message = panic_message(|| drop(run_scenario(&scenario, sabotage)));
    let message = message.expect("the sabotaged host went unnoticed");
    assert!(
        message.contains("does not parse with checksums verified"),
        "{message}"
    );
}

/// What the fuzzer's replay does: the corpus, through the target's body.
#[test]
fn corpus_replay_catches_each_sabotage() {
    let files: Vec<Vec<u8>> = (fs::read_dir(corpus_dir()).unwrap())
        .map(|entry| fs::read(entry.unwrap().path()).unwrap())
        .collect();
    for sabotage in [
        Sabotage::IcmpErrorAboutIcmpError,
        Sabotage::CorruptUdpChecksum,
    ] {
        let caught = (files.iter())
            .filter(|data| {
                let scenario = Scenario::decode(data);
                panic_message(|| drop(run_scenario(&scenario, Some(sabotage)))).is_some()
            })
            .count();
        assert!(caught > 0, "no corpus file catches {sabotage:?}");
    }
}

#[test]
fn tiles_follow_any_order_and_reject_gaps_and_changed_bytes() {
    let target = b"0123456789abcdef";
    assert!(tiles_exactly(&[(8, b"89abcdef"), (0, b"01234567")], target));
    assert!(tiles_exactly(
        &[(0, b"0123"), (0, b"01234567"), (8, b"89abcdef")],
        target
    ));
    assert!(!tiles_exactly(&[(0, b"01234567")], target));
    assert!(!tiles_exactly(
        &[(0, b"01234567"), (8, b"89abcdeX")],
        target
    ));
    assert!(!tiles_exactly(
        &[(0, b"01234567"), (8, b"89abcdef0")],
        target
    ));
}
