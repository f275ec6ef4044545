//! [`SegmentPattern`]: a TCP segment as a script writes it, with relative
//! sequence numbers and wildcards; building and matching concrete segments.

use core::fmt;

use stack::tcp::SeqNumber;
use stack::wire::tcp::{
    SackBlock, SackBlocks, TcpFlags, TcpOption, TcpOptions, TcpRepr, Timestamps, MAX_OPTIONS_LEN,
};

use super::Wild;

/// One option of a pattern, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OptionPattern {
    /// End of option list, and the bytes written after it (`eol 0102`).
    Eol(Vec<u8>),
    /// No-operation.
    Nop,
    /// Maximum segment size.
    Mss(Wild<u16>),
    /// Window scale shift count.
    WindowScale(Wild<u8>),
    /// SACK permitted.
    SackPermitted,
    /// SACK blocks `(left, right)`, relative to the receiver's ISN.
    Sack(Wild<Vec<(u32, u32)>>),
    /// Timestamps (absolute).
    Timestamps {
        /// TSval.
        val: Wild<u32>,
        /// TSecr.
        ecr: Wild<u32>,
    },
    /// Any other kind with its raw data (`opt 253 0102`).
    Unknown {
        /// The kind byte.
        kind: u8,
        /// The data after the kind and length bytes.
        data: Vec<u8>,
    },
}

/// The options of a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OptionsPattern {
    /// `<...>`: any options at all.
    Any,
    /// Exactly these, in order (none when empty), zero padding allowed after.
    List(Vec<OptionPattern>),
}

/// A TCP segment as a script writes it (see the [module docs](super)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SegmentPattern {
    /// The flags, reserved bits (`rsv`) included.
    pub flags: TcpFlags,
    /// The sequence number, relative to the sender's ISN.
    pub seq: u32,
    /// `*:*(len)` on a SYN in an `out` step: the target picks a new ISN
    /// that the script does not fix (a new incarnation on a real clock),
    /// and the runner takes it as the connection's ISN from then on; `seq`
    /// is then 0.
    pub new_isn: bool,
    /// The data length.
    pub len: u32,
    /// The acknowledgment number, relative to the receiver's ISN; `None`
    /// when not written (the ACK flag is then clear).
    pub ack: Option<Wild<u32>>,
    /// The window; `None` when not written (any, in an `out` step).
    pub window: Option<Wild<u16>>,
    /// The urgent pointer; `None` when not written (the URG flag is then clear).
    pub urgent: Option<Wild<u16>>,
    /// The options.
    pub options: OptionsPattern,
}

/// The initial sequence numbers that turn relative numbers into absolute
/// ones: the segment's sender's and its receiver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Isns {
    /// The ISN of the side that sends the segment.
    pub sender: SeqNumber,
    /// The ISN of the side that receives it.
    pub receiver: SeqNumber,
}

/// The first field in which a segment differs from a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentField {
    /// The flags (or reserved bits).
    Flags,
    /// The sequence number.
    Seq,
    /// The data length.
    Len,
    /// The acknowledgment number.
    Ack,
    /// The window.
    Window,
    /// The urgent pointer.
    Urgent,
    /// The options.
    Options,
}

impl SegmentField {
    /// Return the field's name in notation.
    pub const fn name(self) -> &'static str {
        match self {
            SegmentField::Flags => "flags",
            SegmentField::Seq => "sequence number",
            SegmentField::Len => "length",
            SegmentField::Ack => "ack",
            SegmentField::Window => "win",
            SegmentField::Urgent => "urg",
            SegmentField::Options => "options",
        }
    }
}

impl fmt::Display for SegmentField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl SegmentPattern {
    /// Return whether the pattern has no wildcard and a window: whether it
    /// describes exactly one segment.
    pub fn is_concrete(&self) -> bool {
        let wild = |w: Option<Wild<u32>>| matches!(w, Some(Wild::Any));
        let option_wild = |o: &OptionPattern| match o {
            OptionPattern::Mss(w) => *w == Wild::Any,
            OptionPattern::WindowScale(w) => *w == Wild::Any,
            OptionPattern::Sack(w) => *w == Wild::Any,
            OptionPattern::Timestamps { val, ecr } => *val == Wild::Any || *ecr == Wild::Any,
            _ => false,
        };
        !self.new_isn
            && !wild(self.ack)
            && matches!(self.window, Some(Wild::Exact(_)))
            && !matches!(self.urgent, Some(Wild::Any))
            && match &self.options {
                OptionsPattern::Any => false,
                OptionsPattern::List(list) => !list.iter().any(option_wild),
            }
    }

    /// Build the segment an `in` step injects, with `payload` as its data
    /// and ports 0 (the runner sets them).
    ///
    /// Returns `None` unless the pattern [is concrete](Self::is_concrete),
    /// `payload` is `len` bytes long and the options are well-formed.
    pub fn to_repr<'a>(&self, isns: Isns, payload: &'a [u8]) -> Option<TcpRepr<'a>> {
        if !self.is_concrete() || payload.len() != self.len as usize {
            return None;
        }
        let OptionsPattern::List(list) = &self.options else {
            return None;
        };
        Some(TcpRepr {
            src_port: 0,
            dst_port: 0,
            seq_number: isns.sender + self.seq,
            ack_number: self
                .ack
                .and_then(|a| a.exact())
                .map_or(SeqNumber(0), |a| isns.receiver + a),
            flags: self.flags,
            window: self.window.and_then(|w| w.exact())?,
            urgent_pointer: self.urgent.and_then(|u| u.exact()).unwrap_or(0),
            options: build_options(list, isns.receiver)?,
            payload,
        })
    }

    /// Describe a concrete segment as the concrete pattern that builds it,
    /// with sequence numbers made relative to `isns`: what a trace or a
    /// failure prints beside an expected pattern.
    ///
    /// Bytes after an end-of-list option are kept (`eol 0102`) up to the
    /// last non-zero one; zero padding is left out.
    pub fn from_repr(seg: &TcpRepr<'_>, isns: Isns) -> SegmentPattern {
        let relative = |n: SeqNumber, isn: SeqNumber| n.0.wrapping_sub(isn.0);
        let has_ack = seg.flags.contains(TcpFlags::ACK) || seg.ack_number.0 != 0;
        let has_urg = seg.flags.contains(TcpFlags::URG) || seg.urgent_pointer != 0;
        let mut list = Vec::new();
        let mut rest = seg.options.wire_bytes();
        while let Ok((after, option)) = TcpOption::parse(rest) {
            list.push(match option {
                TcpOption::EndOfList => {
                    let kept = after.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                    OptionPattern::Eol(after[..kept].to_vec())
                }
                TcpOption::NoOperation => OptionPattern::Nop,
                TcpOption::MaxSegmentSize(mss) => OptionPattern::Mss(Wild::Exact(mss)),
                TcpOption::WindowScale(shift) => OptionPattern::WindowScale(Wild::Exact(shift)),
                TcpOption::SackPermitted => OptionPattern::SackPermitted,
                TcpOption::Sack(blocks) => OptionPattern::Sack(Wild::Exact(
                    blocks
                        .as_slice()
                        .iter()
                        .map(|b| {
                            (
                                relative(b.left_edge, isns.receiver),
                                relative(b.right_edge, isns.receiver),
                            )
                        })
                        .collect(),
                )),
                TcpOption::Timestamps(ts) => OptionPattern::Timestamps {
                    val: Wild::Exact(ts.tsval),
                    ecr: Wild::Exact(ts.tsecr),
                },
                TcpOption::Unknown { kind, data } => OptionPattern::Unknown {
                    kind,
                    data: data.to_vec(),
                },
            });
            if option == TcpOption::EndOfList {
                break;
            }
            rest = after;
        }
        SegmentPattern {
            flags: seg.flags,
            seq: relative(seg.seq_number, isns.sender),
            new_isn: false,
            len: seg.payload.len() as u32,
            ack: has_ack.then(|| Wild::Exact(relative(seg.ack_number, isns.receiver))),
            window: Some(Wild::Exact(seg.window)),
            urgent: has_urg.then_some(Wild::Exact(seg.urgent_pointer)),
            options: OptionsPattern::List(list),
        }
    }

    /// Check a concrete segment against the pattern, given the ISNs; return
    /// the first field that differs.
    pub fn matches(&self, seg: &TcpRepr<'_>, isns: Isns) -> Result<(), SegmentField> {
        let check = |ok: bool, field| if ok { Ok(()) } else { Err(field) };
        check(seg.flags == self.flags, SegmentField::Flags)?;
        check(
            self.new_isn || seg.seq_number == isns.sender + self.seq,
            SegmentField::Seq,
        )?;
        check(seg.payload.len() == self.len as usize, SegmentField::Len)?;
        if let Some(Wild::Exact(ack)) = self.ack {
            check(seg.ack_number == isns.receiver + ack, SegmentField::Ack)?;
        }
        if let Some(window) = self.window {
            check(window.matches(&seg.window), SegmentField::Window)?;
        }
        if let Some(urgent) = self.urgent {
            check(urgent.matches(&seg.urgent_pointer), SegmentField::Urgent)?;
        }
        match &self.options {
            OptionsPattern::Any => Ok(()),
            OptionsPattern::List(list) => check(
                options_match(list, &seg.options, isns.receiver),
                SegmentField::Options,
            ),
        }
    }
}

/// Build the options of a concrete list; `None` if one is a wildcard or
/// they do not make a well-formed area of at most 40 bytes.
pub(crate) fn build_options(list: &[OptionPattern], receiver: SeqNumber) -> Option<TcpOptions> {
    let mut area = [0u8; MAX_OPTIONS_LEN];
    let mut len = 0;
    for option in list {
        let mut put = |bytes: &[u8]| -> Option<()> {
            area.get_mut(len..len + bytes.len())?.copy_from_slice(bytes);
            len += bytes.len();
            Some(())
        };
        if let OptionPattern::Eol(trailing) = option {
            put(&[0])?;
            put(trailing)?;
            continue;
        }
        let blocks: Vec<SackBlock>;
        let wire = match option {
            OptionPattern::Nop => TcpOption::NoOperation,
            OptionPattern::Mss(mss) => TcpOption::MaxSegmentSize(mss.exact()?),
            OptionPattern::WindowScale(shift) => TcpOption::WindowScale(shift.exact()?),
            OptionPattern::SackPermitted => TcpOption::SackPermitted,
            OptionPattern::Sack(Wild::Exact(edges)) => {
                blocks = edges
                    .iter()
                    .map(|&(l, r)| SackBlock {
                        left_edge: receiver + l,
                        right_edge: receiver + r,
                    })
                    .collect();
                TcpOption::Sack(SackBlocks::new(&blocks)?)
            }
            OptionPattern::Timestamps { val, ecr } => TcpOption::Timestamps(Timestamps {
                tsval: val.exact()?,
                tsecr: ecr.exact()?,
            }),
            OptionPattern::Unknown { kind, data } => TcpOption::Unknown { kind: *kind, data },
            OptionPattern::Sack(Wild::Any) | OptionPattern::Eol(_) => return None,
        };
        let need = wire.buffer_len();
        wire.emit(area.get_mut(len..len + need)?);
        len += need;
    }
    TcpOptions::parse(&area[..len]).ok()
}

/// Return whether concrete options match a list: option by option, then
/// nothing but zero padding.
fn options_match(list: &[OptionPattern], options: &TcpOptions, receiver: SeqNumber) -> bool {
    let wire = options.wire_bytes();
    let mut rest = wire;
    for pattern in list {
        let Ok((after, option)) = TcpOption::parse(rest) else {
            return false;
        };
        if let OptionPattern::Eol(trailing) = pattern {
            return option == TcpOption::EndOfList && padded_equal(after, trailing);
        }
        if !option_matches(pattern, &option, receiver) {
            return false;
        }
        rest = after;
    }
    match TcpOption::parse(rest) {
        Err(_) => rest.is_empty(),
        Ok((after, TcpOption::EndOfList)) => after.iter().all(|&b| b == 0),
        Ok(_) => false,
    }
}

/// Return whether `bytes` is `expected` followed by zeros only.
fn padded_equal(bytes: &[u8], expected: &[u8]) -> bool {
    bytes.len() >= expected.len()
        && bytes[..expected.len()] == *expected
        && bytes[expected.len()..].iter().all(|&b| b == 0)
}

/// Return whether one concrete option matches one option pattern.
fn option_matches(pattern: &OptionPattern, option: &TcpOption<'_>, receiver: SeqNumber) -> bool {
    match (pattern, option) {
        (OptionPattern::Nop, TcpOption::NoOperation) => true,
        (OptionPattern::SackPermitted, TcpOption::SackPermitted) => true,
        (OptionPattern::Mss(p), TcpOption::MaxSegmentSize(v)) => p.matches(v),
        (OptionPattern::WindowScale(p), TcpOption::WindowScale(v)) => p.matches(v),
        (OptionPattern::Timestamps { val, ecr }, TcpOption::Timestamps(ts)) => {
            val.matches(&ts.tsval) && ecr.matches(&ts.tsecr)
        }
        (OptionPattern::Sack(Wild::Any), TcpOption::Sack(_)) => true,
        (OptionPattern::Sack(Wild::Exact(edges)), TcpOption::Sack(blocks)) => {
            let blocks = blocks.as_slice();
            blocks.len() == edges.len()
                && blocks
                    .iter()
                    .zip(edges)
                    .all(|(b, &(l, r))| b.left_edge == receiver + l && b.right_edge == receiver + r)
        }
        (OptionPattern::Unknown { kind, data }, TcpOption::Unknown { kind: k, data: d }) => {
            kind == k && data[..] == **d
        }
        _ => false,
    }
}

/// Write bytes as lowercase hex.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

impl fmt::Display for OptionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionPattern::Eol(trailing) if trailing.is_empty() => f.write_str("eol"),
            OptionPattern::Eol(trailing) => {
                f.write_str("eol ")?;
                write_hex(f, trailing)
            }
            OptionPattern::Nop => f.write_str("nop"),
            OptionPattern::Mss(mss) => write!(f, "mss {mss}"),
            OptionPattern::WindowScale(shift) => write!(f, "wscale {shift}"),
            OptionPattern::SackPermitted => f.write_str("sackOK"),
            OptionPattern::Sack(Wild::Any) => f.write_str("sack *"),
            OptionPattern::Sack(Wild::Exact(edges)) => {
                f.write_str("sack")?;
                edges.iter().try_for_each(|(l, r)| write!(f, " {l}:{r}"))
            }
            OptionPattern::Timestamps { val, ecr } => write!(f, "TS val {val} ecr {ecr}"),
            OptionPattern::Unknown { kind, data } => {
                write!(f, "opt {kind}")?;
                if !data.is_empty() {
                    f.write_str(" ")?;
                }
                write_hex(f, data)
            }
        }
    }
}

impl fmt::Display for SegmentPattern {
    /// Print the pattern in notation; a concrete pattern prints as the
    /// segment it builds would with both ISNs 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.new_isn {
            write!(f, "{} *:*({})", self.flags, self.len)?;
        } else {
            let end = self.seq.wrapping_add(self.len);
            write!(f, "{} {}:{end}({})", self.flags, self.seq, self.len)?;
        }
        if let Some(ack) = self.ack {
            write!(f, " ack {ack}")?;
        }
        if let Some(window) = self.window {
            write!(f, " win {window}")?;
        }
        if let Some(urgent) = self.urgent {
            write!(f, " urg {urgent}")?;
        }
        let reserved = (self.flags & TcpFlags::RESERVED).bits() >> 9;
        if reserved != 0 {
            write!(f, " rsv {reserved}")?;
        }
        match &self.options {
            OptionsPattern::Any => f.write_str(" <...>"),
            OptionsPattern::List(list) if list.is_empty() => Ok(()),
            OptionsPattern::List(list) => {
                f.write_str(" <")?;
                for (i, option) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{option}")?;
                }
                f.write_str(">")
            }
        }
    }
}
