//! A tiny test-only reader of packetdrill segment notation, with relative
//! sequence numbers: `S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>`.
//!
//! Grammar (a subset of the wire module's, plus `*` as "any value" in
//! expectations): flags (`S . F R P U E W` letters), `seq:end(len)`, then
//! optional `ack N`, `win N`, `urg N`, and `<options>`. Without `<...>`
//! an expectation demands no options at all.

use crate::wire::tcp::{SackBlock, SackBlocks, TcpFlags, TcpOption, TcpOptions, Timestamps};

/// A number, or `*` for any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    Is(u32),
    Any,
}

impl Num {
    pub fn matches(self, value: u32) -> bool {
        self == Num::Any || self == Num::Is(value)
    }

    /// The value; panics on `*` (injected segments need exact values).
    #[track_caller]
    pub fn value(self) -> u32 {
        match self {
            Num::Is(v) => v,
            Num::Any => panic!("`*` only in expectations"),
        }
    }
}

/// One option as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opt {
    Nop,
    Eol,
    Mss(Num),
    WindowScale(Num),
    SackOk,
    Sack(Vec<(u32, u32)>),
    Ts(Num, Num),
}

/// A parsed segment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub flags: TcpFlags,
    pub seq: u32,
    pub len: u32,
    pub ack: Option<Num>,
    pub win: Option<Num>,
    pub urg: Option<Num>,
    pub options: Option<Vec<Opt>>,
}

fn num(token: &str) -> Num {
    if token == "*" {
        return Num::Any;
    }
    Num::Is(
        token
            .parse()
            .unwrap_or_else(|_| panic!("bad number {token:?}")),
    )
}

fn flags(token: &str) -> TcpFlags {
    let mut flags = TcpFlags::empty();
    for c in token.chars() {
        flags |= match c {
            'F' => TcpFlags::FIN,
            'S' => TcpFlags::SYN,
            'R' => TcpFlags::RST,
            'P' => TcpFlags::PSH,
            '.' => TcpFlags::ACK,
            'U' => TcpFlags::URG,
            'E' => TcpFlags::ECE,
            'W' => TcpFlags::CWR,
            _ => panic!("bad flag {c:?} in {token:?}"),
        };
    }
    flags
}

fn option(text: &str) -> Opt {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["nop"] => Opt::Nop,
        ["eol"] => Opt::Eol,
        ["sackOK"] => Opt::SackOk,
        ["mss", v] => Opt::Mss(num(v)),
        ["wscale", v] => Opt::WindowScale(num(v)),
        ["TS", "val", v, "ecr", e] => Opt::Ts(num(v), num(e)),
        ["sack", blocks @ ..] => Opt::Sack(
            blocks
                .iter()
                .map(|b| {
                    let (l, r) = b.split_once(':').expect("sack block l:r");
                    (num(l).value(), num(r).value())
                })
                .collect(),
        ),
        _ => panic!("bad option {text:?}"),
    }
}

/// Parse one line of notation.
#[track_caller]
pub fn parse(line: &str) -> Spec {
    let (head, options) = match line.split_once('<') {
        Some((head, rest)) => {
            let list = rest
                .trim_end()
                .strip_suffix('>')
                .expect("options end with >");
            let opts = if list.trim().is_empty() {
                vec![]
            } else {
                list.split(',').map(|o| option(o.trim())).collect()
            };
            (head, Some(opts))
        }
        None => (line, None),
    };
    let mut words = head.split_whitespace();
    let flags = flags(words.next().expect("flags"));
    let range = words.next().expect("seq:end(len)");
    let (seq, rest) = range.split_once(':').expect("seq:end");
    let (end, len) = rest.split_once('(').expect("end(len)");
    let (seq, end) = (num(seq).value(), num(end).value());
    let len = num(len.trim_end_matches(')')).value();
    assert_eq!(
        end.wrapping_sub(seq),
        len,
        "end - seq must equal len in {line:?}"
    );
    let mut spec = Spec {
        flags,
        seq,
        len,
        ack: None,
        win: None,
        urg: None,
        options,
    };
    while let Some(word) = words.next() {
        let value = num(words
            .next()
            .unwrap_or_else(|| panic!("{word} needs a value")));
        match word {
            "ack" => spec.ack = Some(value),
            "win" => spec.win = Some(value),
            "urg" => spec.urg = Some(value),
            _ => panic!("bad field {word:?} in {line:?}"),
        }
    }
    spec
}

/// Build the options of an injected segment; SACK blocks and TS values as
/// absolute numbers (the caller offsets the SACK blocks).
pub fn build_options(opts: &[Opt], sack_base: u32) -> TcpOptions {
    let mut out = TcpOptions::new();
    for opt in opts {
        let o = match opt {
            Opt::Nop => TcpOption::NoOperation,
            Opt::Eol => TcpOption::EndOfList,
            Opt::SackOk => TcpOption::SackPermitted,
            Opt::Mss(v) => TcpOption::MaxSegmentSize(v.value() as u16),
            Opt::WindowScale(v) => TcpOption::WindowScale(v.value() as u8),
            Opt::Ts(v, e) => TcpOption::Timestamps(Timestamps {
                tsval: v.value(),
                tsecr: e.value(),
            }),
            Opt::Sack(blocks) => {
                let blocks: Vec<SackBlock> = blocks
                    .iter()
                    .map(|&(l, r)| {
                        SackBlock::new(l.wrapping_add(sack_base), r.wrapping_add(sack_base))
                    })
                    .collect();
                TcpOption::Sack(SackBlocks::new(&blocks).expect("1 to 4 SACK blocks"))
            }
        };
        out.push(o).expect("options fit");
    }
    out
}

/// Return whether emitted options match the written ones, SACK blocks taken
/// relative to `sack_base`.
pub fn options_match(written: &[Opt], emitted: &TcpOptions, sack_base: u32) -> bool {
    let emitted: Vec<TcpOption<'_>> = emitted
        .iter()
        .filter(|o| *o != TcpOption::EndOfList)
        .collect();
    let written: Vec<&Opt> = written.iter().filter(|o| **o != Opt::Eol).collect();
    written.len() == emitted.len()
        && written.iter().zip(&emitted).all(|(w, e)| match (w, e) {
            (Opt::Nop, TcpOption::NoOperation) | (Opt::SackOk, TcpOption::SackPermitted) => true,
            (Opt::Mss(v), TcpOption::MaxSegmentSize(m)) => v.matches(u32::from(*m)),
            (Opt::WindowScale(v), TcpOption::WindowScale(s)) => v.matches(u32::from(*s)),
            (Opt::Ts(v, e), TcpOption::Timestamps(ts)) => {
                v.matches(ts.tsval) && e.matches(ts.tsecr)
            }
            (Opt::Sack(blocks), TcpOption::Sack(got)) => {
                let got: Vec<(u32, u32)> = got
                    .as_slice()
                    .iter()
                    .map(|b| {
                        (
                            b.left_edge.0.wrapping_sub(sack_base),
                            b.right_edge.0.wrapping_sub(sack_base),
                        )
                    })
                    .collect();
                *blocks == got
            }
            _ => false,
        })
}

#[test]
fn notation_reads_fields_and_options() {
    let spec = parse("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 7>");
    assert_eq!(spec.flags, TcpFlags::SYN | TcpFlags::ACK);
    assert_eq!(
        (spec.seq, spec.len, spec.ack, spec.win),
        (0, 0, Some(Num::Is(1)), Some(Num::Is(65535)))
    );
    let opts = spec.options.unwrap();
    assert_eq!(opts[2], Opt::Ts(Num::Any, Num::Is(0)));
    assert_eq!(opts[4], Opt::WindowScale(Num::Is(7)));
    let spec = parse("P. 1:101(100) ack 1");
    assert_eq!((spec.seq, spec.len, spec.options), (1, 100, None));
    let built = build_options(&[Opt::Nop, Opt::Nop, Opt::Sack(vec![(10, 20)])], 1000);
    assert_eq!(built.to_string(), "nop,nop,sack 1010:1020");
    assert!(options_match(
        &[Opt::Nop, Opt::Nop, Opt::Sack(vec![(10, 20)])],
        &built,
        1000
    ));
    assert!(!options_match(&[Opt::Nop], &built, 1000));
}
