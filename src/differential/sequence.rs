//! A random segment sequence: what the generator draws (a handshake, then
//! segments from the peer and socket calls), and the script it becomes.
//!
//! The generator picks numbers by meaning, not by value: a segment's
//! sequence number is *at* the next byte the target expects, or a chosen
//! distance behind or ahead of it; its acknowledgment is of everything the
//! target sent, or a duplicate, or behind or beyond. [`Sequence::render`]
//! turns the meanings into relative numbers by following a small model of
//! the connection (what the peer sent in order, what the target should
//! have sent), and every target is given the same numbers.
//!
//! Every input is followed by a settle wait of [`SETTLE`]: longer than
//! Linux's delayed ACK (`TCP_DELACK_MIN`, 40 ms, at a tiny RTT, plus a
//! jiffy), so that an ACK Linux delays (after a FIN, in its interactive
//! "pingpong" mode) still comes in the input's group, and so that a `write`
//! never lands within `TCP_ATO_MIN` of a received segment; and short enough
//! that a whole sequence ends before any 1 s retransmission timer.

use core::fmt::Write as _;
use core::time::Duration;

use proptest::prelude::*;

/// The wait after each input.
pub const SETTLE: Duration = Duration::from_millis(60);
/// The most inputs after the handshake.
pub const MAX_INPUTS: usize = 10;
/// The target's port.
pub const TARGET_PORT: u16 = 8080;
/// The socket of the connection: `accept()` gives 4 after a passive open,
/// and a `connect` is on the script's first socket, 3.
const PASSIVE_SOCKET: u32 = 4;
/// The peer's first TSval; each segment adds one.
const FIRST_TSVAL: u32 = 1000;

/// What both ends offer in their SYNs: the target's from its `config`,
/// the peer's in the segment the script injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    /// The target's `timestamps`.
    pub timestamps: bool,
    /// The target's `sack`.
    pub sack: bool,
    /// The target's `window_scaling`.
    pub window_scaling: bool,
    /// The peer offers Timestamps.
    pub peer_timestamps: bool,
    /// The peer offers SACK-permitted.
    pub peer_sack: bool,
    /// The peer offers a window scale (7).
    pub peer_window_scaling: bool,
}

impl Features {
    /// Return whether both ends use Timestamps (RFC 7323 3.2): then every
    /// segment of the peer carries them.
    pub fn timestamps_on(&self) -> bool {
        self.timestamps && self.peer_timestamps
    }
}

/// How the connection opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Open {
    /// The target listens; the peer connects.
    Passive,
    /// As `Passive`, with 100 bytes of data on the handshake's last ACK.
    PassiveWithData,
    /// The target connects; the peer answers.
    Active,
}

/// What a segment from the peer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A pure ACK.
    Ack,
    /// Data with ACK and PSH.
    Data(u16),
    /// FIN and ACK, with that much data.
    Fin(u16),
    /// RST alone.
    Rst,
    /// RST and ACK.
    RstAck,
    /// SYN alone, in a synchronized state (RFC 5961 4).
    Syn,
    /// Data without the ACK bit (RFC 9293 3.10.7.4 fifth: dropped).
    DataNoAck(u16),
}

/// Where a segment's sequence number is, from the next byte the target
/// expects (RCV.NXT, as the model has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqAt {
    /// At RCV.NXT.
    Next,
    /// This many bytes behind.
    Behind(u32),
    /// This many bytes ahead.
    Ahead(u32),
}

/// What a segment acknowledges, from what the target sent (SND.NXT, as the
/// model has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckAt {
    /// Everything sent.
    Next,
    /// What the peer acknowledged last: a duplicate.
    Una,
    /// This many bytes behind SND.NXT.
    Behind(u32),
    /// This many bytes beyond SND.NXT: something not yet sent.
    Beyond(u32),
}

/// The window a segment offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Win {
    /// 65535.
    Full,
    /// A zero window.
    Zero,
    /// A small one.
    Small(u16),
}

impl Win {
    fn value(self) -> u16 {
        match self {
            Win::Full => 65535,
            Win::Zero => 0,
            Win::Small(w) => w,
        }
    }
}

/// A socket call on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallInput {
    /// `write(n)`.
    Write(u32),
    /// `read(n)`.
    Read(u32),
    /// `shutdown(wr)`.
    ShutdownWrite,
    /// `shutdown(rd)`.
    ShutdownRead,
    /// `close()`.
    Close,
    /// `abort()`.
    Abort,
}

/// One input after the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    /// A segment from the peer.
    Segment {
        /// What it carries.
        kind: Kind,
        /// Its sequence number.
        seq: SeqAt,
        /// Its acknowledgment number (unused without ACK).
        ack: AckAt,
        /// Its window.
        win: Win,
    },
    /// A call on the target's socket.
    Call(CallInput),
}

impl Input {
    /// Return whether the input is a segment that occupies no sequence
    /// space (no data, SYN or FIN): the kind Linux answers at most once
    /// per `tcp_invalid_ratelimit` when it is out of window.
    pub fn is_empty_segment(&self) -> bool {
        matches!(
            self,
            Input::Segment {
                kind: Kind::Ack | Kind::Rst | Kind::RstAck | Kind::Syn,
                ..
            }
        )
    }
}

/// A whole random sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sequence {
    /// What each end offers.
    pub features: Features,
    /// How the connection opens.
    pub open: Open,
    /// The inputs after the handshake.
    pub inputs: Vec<Input>,
}

/// What the model knew of a segment input, for the declared rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// It carries an ACK below SND.UNA: an old acknowledgment.
    pub ack_below_una: bool,
    /// It carries an ACK beyond SND.NXT: of data not yet sent.
    pub ack_beyond_nxt: bool,
    /// It carries an ACK of new data: SND.UNA < SEG.ACK =< SND.NXT.
    pub acks_new: bool,
    /// Its sequence number, relative to the peer's ISN.
    pub seq: u32,
    /// Its acknowledgment number, relative to the target's ISN.
    pub ack: u32,
    /// It is an old duplicate whose data ends exactly at RCV.NXT: RFC 9293
    /// 3.10.7.4's test finds it unacceptable, Linux's (`tcp_sequence`:
    /// `end_seq >= rcv_wup`) takes it, and its ACK.
    pub ends_at_rcv_nxt: bool,
    /// Its sequence number is below that of an earlier ACK-bearing
    /// segment: RFC 9293's SND.WL1 test keeps its window out.
    pub below_wl1: bool,
    /// Linux takes its window: `tcp_sequence` accepts it (within
    /// [`LINUX_RCV_WND`] of RCV.NXT), its ACK is within SND.UNA..=SND.NXT,
    /// and `tcp_may_update_window` passes (an ACK of new data, or a
    /// sequence number at or past RCV.NXT).
    pub linux_window: bool,
}

/// Linux's initial receive window at an MSS of 1460 (65535 rounded down to
/// whole segments, `tcp_select_initial_window`): how far ahead of RCV.NXT
/// its acceptability test takes a segment.
pub const LINUX_RCV_WND: u32 = 64240;

/// One step of a rendered script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepText {
    /// The step's YAML, each line indented as in `steps:`.
    pub yaml: String,
    /// Which input it belongs to: 0 for the handshake, `i + 1` for input `i`.
    pub group: usize,
    /// The call it makes, if it is a call step whose result is filled in later.
    pub call: Option<String>,
    /// What the model knew of the segment it injects, if it injects one.
    pub facts: Option<Facts>,
}

/// The model the renderer follows, in relative numbers.
#[derive(Debug, Clone, Copy)]
struct Model {
    /// The peer's next sequence number (the target's RCV.NXT if it took
    /// everything in order).
    peer_nxt: u32,
    /// The target's SND.NXT if it sent everything written.
    target_nxt: u32,
    /// What the peer acknowledged last.
    acked: u32,
    /// The peer's next TSval.
    tsval: u32,
    /// Whether the target was asked for its FIN.
    fin_sent: bool,
    /// The highest sequence number of an ACK-bearing segment so far: a
    /// stand-in for the target's SND.WL1.
    wl1: Option<u32>,
}

impl Sequence {
    /// Return the connection's socket.
    pub fn socket(&self) -> u32 {
        match self.open {
            Open::Active => crate::target::FIRST_SOCKET,
            _ => PASSIVE_SOCKET,
        }
    }

    /// Return a name for the script: how it opens and what it does.
    pub fn name(&self) -> String {
        let open = match self.open {
            Open::Passive => "passive open",
            Open::PassiveWithData => "passive open with data",
            Open::Active => "active open",
        };
        format!("random differential ({open}, {} inputs)", self.inputs.len())
    }

    /// Return the script's `config` line.
    pub fn config_yaml(&self) -> String {
        let f = self.features;
        format!(
            "config: {{timestamps: {}, sack: {}, window_scaling: {}, nodelay: true, initial_window: 10}}",
            f.timestamps, f.sack, f.window_scaling
        )
    }

    /// Render the sequence as script steps.
    pub fn steps(&self) -> Vec<StepText> {
        let mut model = Model {
            peer_nxt: 1,
            target_nxt: 1,
            acked: 1,
            tsval: FIRST_TSVAL,
            fin_sent: false,
            wl1: None,
        };
        let mut steps = self.handshake(&mut model);
        for (i, input) in self.inputs.iter().enumerate() {
            let group = i + 1;
            steps.push(match *input {
                Input::Segment { .. } => {
                    let (text, facts) = self.segment(input, &mut model);
                    StepText {
                        yaml: format!("  - in: {text}\n"),
                        group,
                        call: None,
                        facts: Some(facts),
                    }
                }
                Input::Call(call) => self.call(call, &mut model, group),
            });
            steps.push(wait(group));
        }
        steps
    }

    /// Render the whole script, with the results of the calls that have one.
    pub fn render(&self, name: &str, results: &[Option<String>]) -> String {
        let mut text = format!("name: {name}\n{}\nsteps:\n", self.config_yaml());
        for (index, step) in self.steps().iter().enumerate() {
            let result = results.get(index).and_then(Option::as_deref);
            text.push_str(&self.render_step(step, result));
        }
        text
    }

    /// Render one step, with its call's result if it has one.
    pub fn render_step(&self, step: &StepText, result: Option<&str>) -> String {
        match (&step.call, result) {
            (Some(call), Some(result)) => {
                format!("  - call: {call} = {result}\n{}", self.socket_key())
            }
            _ => step.yaml.clone(),
        }
    }

    fn socket_key(&self) -> String {
        match self.socket() {
            crate::target::FIRST_SOCKET => String::new(),
            s => format!("    socket: {s}\n"),
        }
    }

    /// The SYN options the peer offers.
    fn syn_options(&self, model: &mut Model) -> String {
        let f = self.features;
        let mut options = vec!["mss 1460".to_owned()];
        if f.peer_sack {
            options.push("sackOK".into());
        }
        if f.peer_timestamps {
            options.push(format!("TS val {} ecr 0", model.tsval));
            model.tsval += 1;
        }
        if f.peer_window_scaling {
            options.push("nop".into());
            options.push("wscale 7".into());
        }
        format!("<{}>", options.join(","))
    }

    /// The Timestamps option of a segment after the SYN, if they are on.
    fn ts_options(&self, model: &mut Model) -> String {
        if !self.features.timestamps_on() {
            return String::new();
        }
        model.tsval += 1;
        format!(" <nop,nop,TS val {} ecr 0>", model.tsval - 1)
    }

    fn handshake(&self, model: &mut Model) -> Vec<StepText> {
        let step = |yaml: String| StepText {
            yaml,
            group: 0,
            call: None,
            facts: None,
        };
        let mut steps = Vec::new();
        if self.open == Open::Active {
            steps.push(step("  - call: connect(198.51.100.2:40000)\n".into()));
            steps.push(step("  - out: S 0:0(0) <...>\n".into()));
            let options = self.syn_options(model);
            steps.push(step(format!(
                "  - in: S. 0:0(0) ack 1 win 65535 {options}\n"
            )));
            steps.push(step("  - out: . 1:1(0) ack 1 <...>\n".into()));
        } else {
            steps.push(step(format!("  - call: listen({TARGET_PORT})\n")));
            let options = self.syn_options(model);
            steps.push(step(format!("  - in: S 0:0(0) win 65535 {options}\n")));
            steps.push(step("  - out: S. 0:0(0) ack 1 <...>\n".into()));
            let ts = self.ts_options(model);
            let ack = if self.open == Open::PassiveWithData {
                model.peer_nxt = 101;
                format!("  - in: P. 1:101(100) ack 1 win 65535{ts}\n")
            } else {
                format!("  - in: . 1:1(0) ack 1 win 65535{ts}\n")
            };
            steps.push(step(ack));
            steps.push(step(format!("  - call: accept() = {PASSIVE_SOCKET}\n")));
        }
        steps.push(wait(0));
        steps
    }

    /// The notation of a segment input and what the model knew of it,
    /// advancing the model.
    fn segment(&self, input: &Input, model: &mut Model) -> (String, Facts) {
        let Input::Segment {
            kind,
            seq,
            ack,
            win,
        } = *input
        else {
            return (String::new(), Facts::default());
        };
        let start = match seq {
            SeqAt::Next => model.peer_nxt,
            SeqAt::Behind(n) => model.peer_nxt.wrapping_sub(n),
            SeqAt::Ahead(n) => model.peer_nxt.wrapping_add(n),
        };
        let ack = match ack {
            AckAt::Next => model.target_nxt,
            AckAt::Una => model.acked,
            AckAt::Behind(n) => model.target_nxt.wrapping_sub(n),
            AckAt::Beyond(n) => model.target_nxt.wrapping_add(n),
        };
        let (flags, len, has_ack) = match kind {
            Kind::Ack => (".", 0, true),
            Kind::Data(len) => ("P.", len, true),
            Kind::Fin(len) => ("F.", len, true),
            Kind::Rst => ("R", 0, false),
            Kind::RstAck => ("R.", 0, true),
            Kind::Syn => ("S", 0, false),
            Kind::DataNoAck(len) => ("P", len, false),
        };
        let len = u32::from(len);
        let before = |a: u32, b: u32| (a.wrapping_sub(b) as i32) < 0;
        let end = start.wrapping_add(len);
        let ack_below_una = has_ack && before(ack, model.acked);
        let ack_beyond_nxt = has_ack && before(model.target_nxt, ack);
        let acks_new = has_ack && before(model.acked, ack) && !ack_beyond_nxt;
        let window_kind = matches!(kind, Kind::Ack | Kind::Data(_) | Kind::Fin(_));
        let below_wl1 = model.wl1.is_some_and(|wl1| before(start, wl1));
        let linux_seq = !before(end, model.peer_nxt)
            && !before(model.peer_nxt.wrapping_add(LINUX_RCV_WND), start);
        let facts = Facts {
            ack_below_una,
            ack_beyond_nxt,
            acks_new,
            seq: start,
            ack,
            ends_at_rcv_nxt: len > 0 && before(start, model.peer_nxt) && end == model.peer_nxt,
            below_wl1,
            linux_window: window_kind
                && linux_seq
                && !ack_below_una
                && !ack_beyond_nxt
                && (acks_new || !before(start, model.peer_nxt)),
        };
        if window_kind && !below_wl1 {
            model.wl1 = Some(start);
        }
        if seq == SeqAt::Next && has_ack {
            let fin = u32::from(matches!(kind, Kind::Fin(_)));
            model.peer_nxt = start.wrapping_add(len + fin);
        }
        // An acknowledgment between the last one and SND.NXT moves SND.UNA.
        let outstanding = model.target_nxt.wrapping_sub(model.acked);
        if has_ack && ack.wrapping_sub(model.acked) <= outstanding {
            model.acked = ack;
        }
        let mut text = format!("{flags} {start}:{}({len})", start.wrapping_add(len));
        if has_ack {
            let _ = write!(text, " ack {ack}");
        }
        let _ = write!(text, " win {}", win.value());
        text.push_str(&self.ts_options(model));
        (text, facts)
    }

    /// The step of a call, advancing the model.
    fn call(&self, call: CallInput, model: &mut Model, group: usize) -> StepText {
        let text = match call {
            CallInput::Write(n) => {
                model.target_nxt = model.target_nxt.wrapping_add(n);
                format!("write({n})")
            }
            CallInput::Read(n) => format!("read({n})"),
            CallInput::ShutdownWrite | CallInput::Close => {
                // The FIN takes one number, once.
                if !model.fin_sent {
                    model.target_nxt = model.target_nxt.wrapping_add(1);
                    model.fin_sent = true;
                }
                match call {
                    CallInput::Close => "close()".to_owned(),
                    _ => "shutdown(wr)".to_owned(),
                }
            }
            CallInput::ShutdownRead => "shutdown(rd)".to_owned(),
            CallInput::Abort => "abort()".to_owned(),
        };
        StepText {
            yaml: format!("  - call: {text}\n{}", self.socket_key()),
            group,
            call: Some(text),
            facts: None,
        }
    }
}

/// The settle wait after an input.
fn wait(group: usize) -> StepText {
    StepText {
        yaml: format!("  - wait: {}ms\n", SETTLE.as_millis()),
        group,
        call: None,
        facts: None,
    }
}

// --- strategies -----------------------------------------------------------

/// Distances for `Behind` and `Ahead`: one byte, within a segment, a
/// segment, within the smallest window either target offers, and far
/// outside any window.
fn distance() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![1u32, 50, 100, 1000, 20_000, 1 << 20, 1 << 30])
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => Just(Kind::Ack),
        4 => prop::sample::select(vec![1u16, 100, 1000]).prop_map(Kind::Data),
        1 => Just(Kind::Fin(0)),
        1 => Just(Kind::Fin(100)),
        2 => Just(Kind::Rst),
        1 => Just(Kind::RstAck),
        1 => Just(Kind::Syn),
        1 => Just(Kind::DataNoAck(100)),
    ]
}

fn seq_at() -> impl Strategy<Value = SeqAt> {
    prop_oneof![
        6 => Just(SeqAt::Next),
        1 => distance().prop_map(SeqAt::Behind),
        1 => distance().prop_map(SeqAt::Ahead),
    ]
}

fn ack_at() -> impl Strategy<Value = AckAt> {
    prop_oneof![
        6 => Just(AckAt::Next),
        2 => Just(AckAt::Una),
        1 => distance().prop_map(AckAt::Behind),
        1 => distance().prop_map(AckAt::Beyond),
    ]
}

fn win() -> impl Strategy<Value = Win> {
    prop_oneof![
        8 => Just(Win::Full),
        1 => Just(Win::Zero),
        1 => prop::sample::select(vec![1u16, 100, 1000]).prop_map(Win::Small),
    ]
}

fn call_input() -> impl Strategy<Value = CallInput> {
    prop_oneof![
        3 => prop::sample::select(vec![1u32, 100, 1000, 3000]).prop_map(CallInput::Write),
        2 => prop::sample::select(vec![1u32, 100, 5000]).prop_map(CallInput::Read),
        1 => Just(CallInput::ShutdownWrite),
        1 => Just(CallInput::ShutdownRead),
        1 => Just(CallInput::Close),
        1 => Just(CallInput::Abort),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => (kind(), seq_at(), ack_at(), win())
            .prop_map(|(kind, seq, ack, win)| Input::Segment { kind, seq, ack, win }),
        1 => call_input().prop_map(Input::Call),
    ]
}

fn features() -> impl Strategy<Value = Features> {
    any::<[bool; 6]>().prop_map(|b| Features {
        timestamps: b[0],
        sack: b[1],
        window_scaling: b[2],
        peer_timestamps: b[3],
        peer_sack: b[4],
        peer_window_scaling: b[5],
    })
}

/// The strategy of whole sequences: shrinking drops inputs, and moves
/// each choice toward the first of its alternatives (a pure ACK at
/// RCV.NXT acknowledging everything, a full window).
pub fn sequence() -> impl Strategy<Value = Sequence> {
    let open = prop_oneof![
        Just(Open::Passive),
        Just(Open::Active),
        Just(Open::PassiveWithData)
    ];
    (
        features(),
        open,
        prop::collection::vec(input(), 1..=MAX_INPUTS),
    )
        .prop_map(|(features, open, inputs)| Sequence {
            features,
            open,
            inputs,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Script;

    fn plain() -> Features {
        Features {
            timestamps: false,
            sack: false,
            window_scaling: false,
            peer_timestamps: false,
            peer_sack: false,
            peer_window_scaling: false,
        }
    }

    #[test]
    fn a_passive_sequence_renders_a_loadable_script() {
        let sequence = Sequence {
            features: plain(),
            open: Open::Passive,
            inputs: vec![
                Input::Segment {
                    kind: Kind::Data(100),
                    seq: SeqAt::Next,
                    ack: AckAt::Next,
                    win: Win::Full,
                },
                Input::Call(CallInput::Write(10)),
                Input::Segment {
                    kind: Kind::Ack,
                    seq: SeqAt::Ahead(1 << 20),
                    ack: AckAt::Next,
                    win: Win::Zero,
                },
            ],
        };
        let text = sequence.render("case", &[]);
        let script = Script::from_str("case.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(
            text.contains("  - in: P. 1:101(100) ack 1 win 65535\n"),
            "{text}"
        );
        assert!(
            text.contains("  - call: write(10)\n    socket: 4\n"),
            "{text}"
        );
        // The model: the data moved RCV.NXT to 101, the write SND.NXT to 11.
        assert!(
            text.contains("  - in: . 1048677:1048677(0) ack 11 win 0\n"),
            "{text}"
        );
        assert!(text.contains("  - wait: 60ms\n"), "{text}");
        let steps = sequence.steps();
        assert_eq!(script.steps.len(), steps.len());
        assert_eq!(steps.iter().map(|s| s.group).max(), Some(3));
    }

    #[test]
    fn call_results_are_written_in() {
        let sequence = Sequence {
            features: plain(),
            open: Open::Active,
            inputs: vec![Input::Call(CallInput::Read(100))],
        };
        let steps = sequence.steps();
        let at = steps.iter().position(|s| s.call.is_some()).unwrap();
        let mut results = vec![None; steps.len()];
        results[at] = Some("EAGAIN".to_owned());
        let text = sequence.render("case", &results);
        assert!(text.contains("  - call: read(100) = EAGAIN\n"), "{text}");
        assert!(!text.contains("socket: 4"), "{text}");
        Script::from_str("case.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }

    #[test]
    fn timestamps_ride_on_every_segment_once_both_offer_them() {
        let sequence = Sequence {
            features: Features {
                timestamps: true,
                peer_timestamps: true,
                ..plain()
            },
            open: Open::Passive,
            inputs: vec![Input::Segment {
                kind: Kind::Rst,
                seq: SeqAt::Next,
                ack: AckAt::Next,
                win: Win::Full,
            }],
        };
        let text = sequence.render("case", &[]);
        assert!(text.contains("<mss 1460,TS val 1000 ecr 0>"), "{text}");
        assert!(
            text.contains(". 1:1(0) ack 1 win 65535 <nop,nop,TS val 1001 ecr 0>"),
            "{text}"
        );
        assert!(
            text.contains("R 1:1(0) win 65535 <nop,nop,TS val 1002 ecr 0>"),
            "{text}"
        );
        Script::from_str("case.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }

    proptest! {
        #[test]
        fn every_sequence_renders_a_loadable_script(sequence in sequence()) {
            let text = sequence.render("case", &[]);
            let script = Script::from_str("case.yaml", &text);
            prop_assert!(script.is_ok(), "{:?}\n{}", script.err(), text);
        }
    }
}
