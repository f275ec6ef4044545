//! The typed steps of a script.

use core::fmt;

use super::call::{named_enum, CallStep};
use super::error::Pos;
use super::lower::{ArpLine, Frame, IcmpLine, UdpLine};
use super::time::{Duration, TimeBound};
use crate::notation::SegmentPattern;

named_enum! {
    /// A TCP connection state (RFC 9293 3.3.2), as a `state` step names it.
    ///
    /// Scripts write the RFC's names, with `-` or `_`: `SYN-SENT`, `TIME_WAIT`.
    pub enum TcpState {
        /// No connection.
        Closed = "CLOSED",
        /// Waiting for a SYN.
        Listen = "LISTEN",
        /// SYN sent, waiting for a matching SYN.
        SynSent = "SYN-SENT",
        /// SYN received and sent, waiting for the ACK of ours.
        SynReceived = "SYN-RECEIVED",
        /// Open: data flows both ways.
        Established = "ESTABLISHED",
        /// We closed, waiting for the ACK of our FIN or the peer's FIN.
        FinWait1 = "FIN-WAIT-1",
        /// Our FIN is acknowledged, waiting for the peer's FIN.
        FinWait2 = "FIN-WAIT-2",
        /// The peer closed, waiting for our application to close.
        CloseWait = "CLOSE-WAIT",
        /// Both closed at once, waiting for the ACK of our FIN.
        Closing = "CLOSING",
        /// The peer closed then we did, waiting for the ACK of our FIN.
        LastAck = "LAST-ACK",
        /// Waiting 2MSL for old duplicates to die (MUST-13).
        TimeWait = "TIME-WAIT",
    }
}

impl TcpState {
    /// Look a state up by its RFC name, with `-` or `_` between words.
    pub fn parse(text: &str) -> Option<TcpState> {
        TcpState::from_name(&text.trim().replace('_', "-"))
    }
}

named_enum! {
    /// A target a step can be overridden for.
    pub enum TargetName {
        /// The Linux kernel's stack, in a namespace behind a TAP device.
        Linux = "linux",
        /// The reference stack behind a real TAP device, on a real clock.
        ReferenceTap = "reference_tap",
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Inject a TCP segment (always concrete: no wildcards).
    In(SegmentPattern),
    /// Expect a TCP segment matching the pattern.
    Out(SegmentPattern),
    /// Make a socket call and check its result.
    Call(CallStep),
    /// Assert the connection's state.
    State(TcpState),
    /// Let time pass; whatever the target emits meanwhile is left for the
    /// next `out` steps.
    Wait(Duration),
    /// Let time pass and assert the target emits nothing at all.
    Silent(Duration),
    /// Inject an ARP packet.
    ArpIn(ArpLine),
    /// Expect an ARP packet.
    ArpOut(ArpLine),
    /// Inject an ICMP message.
    IcmpIn(IcmpLine),
    /// Expect an ICMP message.
    IcmpOut(IcmpLine),
    /// Inject a UDP datagram.
    UdpIn(UdpLine),
    /// Expect a UDP datagram.
    UdpOut(UdpLine),
    /// Inject a raw Ethernet frame.
    FrameIn(Frame),
    /// Expect a raw Ethernet frame (`??` bytes match anything).
    FrameOut(Frame),
}

impl Action {
    /// Return the step kind: the YAML key that introduces it.
    pub const fn kind(&self) -> &'static str {
        match self {
            Action::In(_) => "in",
            Action::Out(_) => "out",
            Action::Call(_) => "call",
            Action::State(_) => "state",
            Action::Wait(_) => "wait",
            Action::Silent(_) => "silent",
            Action::ArpIn(_) => "arp_in",
            Action::ArpOut(_) => "arp_out",
            Action::IcmpIn(_) => "icmp_in",
            Action::IcmpOut(_) => "icmp_out",
            Action::UdpIn(_) => "udp_in",
            Action::UdpOut(_) => "udp_out",
            Action::FrameIn(_) => "frame_in",
            Action::FrameOut(_) => "frame_out",
        }
    }
}

impl fmt::Display for Action {
    /// Print the step as a script writes it, e.g. `out: S. 0:0(0) ack 1 win *`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind())?;
        match self {
            Action::In(s) | Action::Out(s) => write!(f, "{s}"),
            Action::Call(c) => write!(f, "{c}"),
            Action::State(s) => write!(f, "{s}"),
            Action::Wait(d) | Action::Silent(d) => write!(f, "{d}"),
            Action::ArpIn(a) | Action::ArpOut(a) => write!(f, "{a}"),
            Action::IcmpIn(i) | Action::IcmpOut(i) => write!(f, "{i}"),
            Action::UdpIn(u) | Action::UdpOut(u) => write!(f, "{u}"),
            Action::FrameIn(x) | Action::FrameOut(x) => write!(f, "{x}"),
        }
    }
}

/// A declared divergence: what a step becomes on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The target.
    pub target: TargetName,
    /// Where the override's key is.
    pub pos: Pos,
    /// The step on that target (same kind), or `None` (`linux: ~`) when the
    /// step is skipped there.
    pub action: Option<Action>,
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Where the step's kind key is (`in`, `out`, ...).
    pub pos: Pos,
    /// Where the step's value starts.
    pub value_pos: Pos,
    /// What the step does on the reference target.
    pub action: Action,
    /// When it happens (`at`, `within`, or a `+0.2` prefix).
    pub time: TimeBound,
    /// Which socket a call, state or segment is about (`socket: 4`);
    /// `None` for the script's first socket.
    pub socket: Option<u32>,
    /// The bytes the step carries (`data:`): the payload an `in` segment
    /// injects or an `out` segment must have, what a `write` sends, or what
    /// a `read` must return. `None`: filler bytes, not checked.
    pub data: Option<Vec<u8>>,
    /// Per-target replacements.
    pub overrides: Vec<Override>,
    /// Why the overrides exist; present exactly when they do.
    pub why: Option<String>,
}

impl Step {
    /// Return what the step does on `target` (`None` for the reference
    /// stack): the override if there is one, else the step's own action.
    /// `None` means the step is skipped on that target.
    pub fn action_for(&self, target: Option<TargetName>) -> Option<&Action> {
        match self.overrides.iter().find(|o| Some(o.target) == target) {
            Some(o) => o.action.as_ref(),
            None => Some(&self.action),
        }
    }
}
