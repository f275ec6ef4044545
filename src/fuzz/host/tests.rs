//! Tests of the `host` target: the encoding, the seeds, the oracle, and
//! that a host broken on purpose is caught.

use arbitrary::{Arbitrary, Unstructured};
use stack::host::Sabotage;

use super::encode::{encode_variant, Bytes};
use super::ops::*;
use super::oracle::tiles_exactly;
use super::seeds::seeds;
use super::{run, run_scenario, Outcome};
use crate::fuzz::test_util::{
    assert_corpus_catches, assert_seeds_reach, check_seeds, expect_panic, find_seed,
    xorshift_inputs,
};

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
fn seeds_round_trip_and_match_their_files() {
    check_seeds("host", &seeds());
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
    assert_seeds_reach(seeds(), |s| run_scenario(s, None), reached);
}

#[test]
fn arbitrary_bytes_run_without_breaking_an_invariant() {
    // A fixed xorshift stream: a few hundred inputs, the same on every run.
    for data in xorshift_inputs(0x9e37_79b9_7f4a_7c15, 300, 512) {
        run(&data);
    }
}

/// Run `seed` with `sabotage`; return the panic message.
fn caught(seed_name: &str, sabotage: Sabotage) -> String {
    let scenario = find_seed(seeds(), seed_name);
    let what = format!("{sabotage:?} on {seed_name}");
    expect_panic(&what, || run_scenario(&scenario, Some(sabotage)))
}

#[test]
fn icmp_error_about_icmp_error_is_caught() {
    let message = caught("no-error-about-error", Sabotage::IcmpErrorAboutIcmpError);
    assert!(
        message.contains("ICMP error about an ICMP error"),
        "{message}"
    );
}

#[test]
fn corrupt_udp_checksum_is_caught() {
    let message = caught("arp-resolve-send", Sabotage::CorruptUdpChecksum);
    assert!(
        message.contains("does not parse with checksums verified"),
        "{message}"
    );
}

/// What the fuzzer's replay does: the corpus, through the target's body.
#[test]
fn corpus_replay_catches_each_sabotage() {
    for sabotage in [
        Sabotage::IcmpErrorAboutIcmpError,
        Sabotage::CorruptUdpChecksum,
    ] {
        assert_corpus_catches("host", &format!("{sabotage:?}"), |data| {
            drop(run_scenario(&Scenario::decode(data), Some(sabotage)));
        });
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

#[test]
fn pattern_data_counts_up_and_wraps() {
    for (len, big) in [
        (0, 0),
        (1, 0),
        (255, 0),
        (256, 0),
        (1023, 0),
        (1500, 0),
        (1500, 7),
    ] {
        for start in [0u8, 1, 200, 255] {
            let data = Data::Pattern(Pattern { len, start, big });
            let mut out = vec![9];
            data.extend_into(&mut out);
            let expected_len = if big & 7 == 7 { len } else { len % 1024 };
            let expected: Vec<u8> = core::iter::once(9)
                .chain((0..expected_len).map(|i| start.wrapping_add(i as u8)))
                .collect();
            assert_eq!(out, expected, "len {len}, start {start}, big {big}");
        }
    }
}
