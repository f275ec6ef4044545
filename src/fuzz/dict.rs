//! The libFuzzer dictionaries of the stateful targets, built from their op
//! types, so that every entry is the exact encoding the target decodes.
//!
//! The stateful targets read their input through `arbitrary`: an enum is a
//! 4-byte little-endian tag whose variant is `(tag * N) >> 32`, then its
//! field. Raw protocol tokens (TCP option kinds, flag bytes) mean nothing
//! there: the segments are built from fields. What a mutation needs instead
//! is the tag sequences that pick a kind of op, a side, a flag set or a
//! window edge whole, which random bytes hit rarely (a 4-byte tag names a
//! variant only within its slice of the `u32` range; an op kind, side and
//! flag set together are 12 bytes). `cargo run --example host_seeds` writes
//! `fuzz/dict/<target>.dict` from [`host`], [`tcp_connection`] and
//! [`pair`]; a unit test checks the files are what these return.

use crate::fuzz::host::encode::{encode_variant, Encode};

/// A dictionary: named byte strings, in order, without duplicate values.
#[derive(Debug, Default)]
pub struct Dict {
    entries: Vec<(String, Vec<u8>)>,
}

impl Dict {
    /// Add the concatenated encodings of `parts` as `name` (a value already
    /// present is skipped: one name per token is enough for libFuzzer).
    pub fn add(&mut self, name: impl Into<String>, parts: &[&dyn Encode]) {
        let mut bytes = Vec::new();
        for part in parts {
            part.encode(&mut bytes);
        }
        if !self.entries.iter().any(|(_, b)| *b == bytes) {
            self.entries.push((name.into(), bytes));
        }
    }

    /// Add one entry per variant name: `{prefix}_{name}`, the variant
    /// tag of the `index`th of `names` (the order the op type declares).
    pub fn add_tags(&mut self, prefix: &str, names: &[&str]) {
        for (i, name) in names.iter().enumerate() {
            self.add(format!("{prefix}_{name}"), &[&Tag(i, names.len())]);
        }
    }

    /// Return the entries, in order.
    pub fn entries(&self) -> &[(String, Vec<u8>)] {
        &self.entries
    }

    /// Return the dictionary in libFuzzer's format, after `header` (each
    /// line of it becomes a `#` comment).
    pub fn render(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
        for (name, bytes) in &self.entries {
            let hex: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
            out.push_str(&format!("{name}=\"{hex}\"\n"));
        }
        out
    }
}

/// The tag of variant `index` of an enum of `count` variants.
struct Tag(usize, usize);

impl Encode for Tag {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_variant(self.0, self.1, out);
    }
}

/// Bytes written as they are.
struct Raw<'a>(&'a [u8]);

impl Encode for Raw<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0);
    }
}

/// The dictionary of the `tcp_connection` target.
pub fn tcp_connection() -> Dict {
    use crate::fuzz::tcp_connection::ops::{
        Call, Edge, Flags, Maybe16, Maybe8, Number, Offset, Point, Side, Ts, Wait,
    };
    let mut d = Dict::default();
    let sides = [("client", Side::Client), ("server", Side::Server)];
    let op_segment = Tag(0, 3);
    let op_call = Tag(1, 3);
    let op_wait = Tag(2, 3);
    // An op's kind, its side and its control bits: the start of a segment.
    let flags = [
        ("syn", Flags::Syn),
        ("synack", Flags::SynAck),
        ("ack", Flags::Ack),
        ("pshack", Flags::PshAck),
        ("finack", Flags::FinAck),
        ("rst", Flags::Rst),
        ("rstack", Flags::RstAck),
        ("urgack", Flags::UrgAck),
        // Combinations no named kind gives (RFC 9293 3.10.7: SYN with FIN or
        // RST, no bits at all, every bit with NS).
        ("synfin", Flags::Raw(0x003)),
        ("synrst", Flags::Raw(0x006)),
        ("finpshurg", Flags::Raw(0x029)),
        ("null", Flags::Raw(0x000)),
        ("all", Flags::Raw(0x1ff)),
        ("synfinack", Flags::Raw(0x013)),
    ];
    for (side_name, side) in &sides {
        for (name, f) in &flags {
            d.add(format!("seg_{side_name}_{name}"), &[&op_segment, side, f]);
        }
    }
    // SEG.SEQ and SEG.ACK at every edge the engine decides on, ±1 and ± a
    // window (RFC 9293 3.10.7.4's acceptability test and 3.4's ACK range).
    let edges = [
        ("rcvnxt", Edge::RcvNxt),
        ("rcvedge", Edge::RcvEdge),
        ("snduna", Edge::SndUna),
        ("sndnxt", Edge::SndNxt),
        ("sndedge", Edge::SndEdge),
        ("iss", Edge::Iss),
        ("irs", Edge::Irs),
        ("peeriss", Edge::PeerIss),
    ];
    let offsets = [
        ("", Offset::Zero),
        ("_plus1", Offset::PlusOne),
        ("_minus1", Offset::MinusOne),
        ("_pluswnd", Offset::PlusWindow),
        ("_minuswnd", Offset::MinusWindow),
    ];
    for (edge_name, edge) in &edges {
        for (offset_name, offset) in &offsets {
            let at = Number::At(Point {
                edge: edge.clone(),
                offset: offset.clone(),
            });
            d.add(format!("at_{edge_name}{offset_name}"), &[&at]);
        }
    }
    // Windows and lengths: zero (probes, 3.8.6.1), one octet, the largest.
    d.add("u16_zero", &[&0u16]);
    d.add("u16_one", &[&1u16]);
    d.add("u16_max", &[&u16::MAX]);
    d.add("len_mss", &[&1460u16]);
    // Options: MSS and window-scale values at their limits (RFC 7323 2.3:
    // a shift above 14 is taken as 14), timestamps new and old (PAWS).
    for (name, mss) in [("0", 0u16), ("1", 1), ("536", 536), ("max", u16::MAX)] {
        d.add(format!("opt_mss_{name}"), &[&Maybe16::Some(mss)]);
    }
    for shift in [0u8, 14, 15, 255] {
        d.add(format!("opt_wscale_{shift}"), &[&Maybe8::Some(shift)]);
    }
    d.add("opt_ts_fresh", &[&Ts::Fresh(1)]);
    d.add("opt_ts_old", &[&Ts::Old(1)]);
    d.add("opt_ts_old_2g", &[&Ts::Old(u16::MAX)]);
    // Application calls, whole.
    let calls = [
        ("send", Call::Send(1)),
        ("send_nopush", Call::SendNoPush(1)),
        ("send_urgent", Call::SendUrgent(1)),
        ("recv", Call::Recv(1)),
        ("recv_all", Call::RecvAll),
        ("shutdown_read", Call::ShutdownRead),
        ("shutdown_write", Call::ShutdownWrite),
        ("shutdown_both", Call::ShutdownBoth),
        ("close", Call::Close),
        ("abort", Call::Abort),
    ];
    for (side_name, side) in &sides {
        for (name, call) in &calls {
            d.add(format!("call_{side_name}_{name}"), &[&op_call, side, call]);
        }
    }
    // Waits: the delayed ACK (200 ms), an RTO, 2MSL and beyond, timers.
    let waits = [
        ("1us", Wait::Micros(1)),
        ("200ms", Wait::Millis(200)),
        ("1s", Wait::Millis(1000)),
        ("2s", Wait::Secs(2)),
        ("16s", Wait::Secs(16)),
        ("next_timer", Wait::NextTimer),
        ("quiet", Wait::Quiet),
    ];
    for (name, wait) in &waits {
        d.add(format!("wait_{name}"), &[&op_wait, wait]);
    }
    d
}

/// The dictionary of the `pair` target.
pub fn pair() -> Dict {
    use crate::fuzz::pair::ops::{End, Op, WriteOp};
    let mut d = Dict::default();
    let ends = [("client", End::Client), ("server", End::Server)];
    for (end_name, end) in &ends {
        for len in [1u16, 536, 1460, 4096] {
            let write = Op::Write(WriteOp {
                end: end.clone(),
                len,
            });
            d.add(format!("write_{end_name}_{len}"), &[&write]);
        }
        d.add(
            format!("shutdown_{end_name}"),
            &[&Op::Shutdown(end.clone())],
        );
        d.add(format!("close_{end_name}"), &[&Op::Close(end.clone())]);
        d.add(format!("abort_{end_name}"), &[&Op::Abort(end.clone())]);
    }
    // Waits: a delayed ACK, the 1 s MSL (TIME-WAIT is 2 s), the longest.
    for ms in [200u16, 1000, 2000] {
        d.add(format!("wait_{ms}ms"), &[&Op::Wait(ms)]);
    }
    // The link's drop, duplicate, reorder, corrupt, delay and jitter bytes
    // (after the 4-byte seed): a clean link (invariant 5 applies), a link
    // that only duplicates and reorders (invariant 5 still applies), and
    // every rate at its largest.
    d.add("link_clean", &[&Raw(&[0, 0, 0, 0, 0, 0])]);
    d.add("link_dup_reorder", &[&Raw(&[0, 40, 40, 0, 49, 19])]);
    d.add("link_worst", &[&Raw(&[40, 40, 40, 20, 49, 19])]);
    d
}

/// The dictionary of the `host` target.
pub fn host() -> Dict {
    let mut d = Dict::default();
    let ops = [
        "raw", "arp", "ipv4", "wait", "send", "ping", "read", "reopen",
    ];
    d.add_tags("op", &ops);
    let addrs = [
        "us",
        "peer",
        "gateway",
        "offlink",
        "subnet_broadcast",
        "limited_broadcast",
        "multicast",
        "zero",
        "loopback",
        "raw",
    ];
    d.add_tags("addr", &addrs);
    let splits = ["whole", "pieces", "single"];
    d.add_tags("split", &splits);
    let tweaks = [
        "none",
        "duplicate",
        "drop",
        "poison",
        "overlap",
        "broadcast",
    ];
    d.add_tags("tweak", &tweaks);
    let payloads = ["udp", "icmp", "tcp", "other"];
    d.add_tags("payload", &payloads);
    let corrupts = [
        "none",
        "ip_checksum",
        "transport_checksum",
        "total_length",
        "truncate",
        "version_ihl",
    ];
    d.add_tags("corrupt", &corrupts);
    let waits = ["micros", "millis", "secs", "next_timer", "quiet"];
    for (i, name) in waits.iter().enumerate() {
        d.add(
            format!("wait_{name}"),
            &[&Tag(3, ops.len()), &Tag(i, waits.len())],
        );
    }
    // ICMP error kinds and codes (RFC 792): port unreachable, fragmentation
    // needed, reassembly time exceeded, parameter problem.
    for (name, kind, code) in [
        ("port_unreachable", 3u8, 3u8),
        ("frag_needed", 3, 4),
        ("ttl_exceeded", 11, 0),
        ("reassembly_exceeded", 11, 1),
        ("param_problem", 12, 0),
    ] {
        d.add(format!("icmp_{name}"), &[&kind, &code]);
    }
    // Ports and addresses that matter, in both byte orders where the op
    // reads a number (little-endian) or a frame carries it (big-endian).
    d.add("port_echo", &[&Raw(&[0, 7])]);
    d.add("port_echo_le", &[&7u16]);
    d.add("ip_us", &[&Raw(&[198, 51, 100, 1])]);
    d.add("ip_bcast", &[&u32::MAX]);
    // Fragment offsets: more fragments, and the last 8-octet unit.
    d.add("frag_mf", &[&Raw(&[0x20, 0x00])]);
    d.add("frag_last_unit", &[&Raw(&[0x1f, 0xff])]);
    d
}

/// The comment written at the top of `fuzz/dict/<target>.dict`.
pub fn header(target: &str) -> String {
    format!(
        "libFuzzer dictionary of the `{target}` target, written by\n\
         `cargo run --example host_seeds` from src/fuzz/dict.rs (do not edit):\n\
         `arbitrary`'s encodings of the op kinds, enum variants and values\n\
         that steer the target (see fuzz/README.md, Dictionaries)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every target's dictionary.
    fn files() -> Vec<(&'static str, Dict)> {
        vec![
            ("host", host()),
            ("tcp_connection", tcp_connection()),
            ("pair", pair()),
        ]
    }

    #[test]
    fn dictionary_files_are_what_the_generator_writes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/dict");
        for (target, dict) in files() {
            let path = dir.join(format!("{target}.dict"));
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                dict.render(&header(target)),
                "{}: run `cargo run --example host_seeds`",
                path.display()
            );
        }
    }

    #[test]
    fn entries_decode_to_what_they_name() {
        use crate::fuzz::tcp_connection::ops::{Call, Flags, Op, Side};
        let d = tcp_connection();
        let (_, bytes) = (d.entries().iter())
            .find(|(n, _)| n == "seg_server_rstack")
            .unwrap();
        let mut u = arbitrary::Unstructured::new(bytes);
        let tag = <u32 as arbitrary::Arbitrary>::arbitrary(&mut u).unwrap();
        assert_eq!((u64::from(tag) * 3) >> 32, 0, "an Op::Segment tag");
        let side: Side = arbitrary::Arbitrary::arbitrary(&mut u).unwrap();
        let flags: Flags = arbitrary::Arbitrary::arbitrary(&mut u).unwrap();
        assert_eq!((side, flags), (Side::Server, Flags::RstAck));
        let (_, bytes) = (d.entries().iter())
            .find(|(n, _)| n == "call_client_close")
            .unwrap();
        let mut u = arbitrary::Unstructured::new(bytes);
        let op: Op = arbitrary::Arbitrary::arbitrary(&mut u).unwrap();
        assert!(
            matches!(&op, Op::Call(c) if c.side == Side::Client && c.call == Call::Close),
            "{op:?}"
        );
    }
}
