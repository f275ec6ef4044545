//! Coverage of a run: which TCP states and which RFC 9293 state-diagram
//! transitions the suite exercised, and which Appendix B requirements its
//! scripts cite.
//!
//! States and transitions come from the target: the states its `state`
//! steps asserted and the states it reported after each step (the trace's
//! `state` events). The script's first socket starts CLOSED.

use core::fmt::Write as _;
use std::collections::{BTreeMap, BTreeSet};

use crate::run::suite::Suite;
use crate::run::EventKind;
use crate::script::{appendix_b, Requirement, TcpState};
use crate::target::FIRST_SOCKET;

/// A transition of the RFC 9293 3.3.2 state diagram (Figure 5), with its
/// event, plus the two that the text of 3.10.7 adds.
pub const TRANSITIONS: &[(TcpState, TcpState, &str)] = {
    use TcpState::*;
    &[
        (Closed, Listen, "passive OPEN"),
        (Closed, SynSent, "active OPEN / snd SYN"),
        (Listen, SynReceived, "rcv SYN / snd SYN,ACK"),
        (Listen, SynSent, "SEND / snd SYN"),
        (Listen, Closed, "CLOSE / delete TCB"),
        (
            SynSent,
            SynReceived,
            "rcv SYN / snd SYN,ACK (simultaneous open)",
        ),
        (SynSent, Established, "rcv SYN,ACK / snd ACK"),
        (SynSent, Closed, "CLOSE / delete TCB"),
        (SynReceived, Established, "rcv ACK of SYN"),
        (SynReceived, FinWait1, "CLOSE / snd FIN"),
        (SynReceived, Listen, "rcv RST (3.10.7.3, passive OPEN)"),
        (Established, FinWait1, "CLOSE / snd FIN"),
        (Established, CloseWait, "rcv FIN / snd ACK"),
        (FinWait1, FinWait2, "rcv ACK of FIN"),
        (FinWait1, Closing, "rcv FIN / snd ACK (simultaneous close)"),
        (FinWait1, TimeWait, "rcv FIN,ACK of FIN (3.10.7.4)"),
        (FinWait2, TimeWait, "rcv FIN / snd ACK"),
        (Closing, TimeWait, "rcv ACK of FIN"),
        (CloseWait, LastAck, "CLOSE / snd FIN"),
        (LastAck, Closed, "rcv ACK of FIN"),
        (TimeWait, Closed, "timeout = 2MSL / delete TCB"),
    ]
};

/// What a suite covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Each state reached, with the scripts that reached it.
    pub states: BTreeMap<TcpState, BTreeSet<String>>,
    /// Each transition seen, with the scripts that made it.
    pub transitions: BTreeMap<(TcpState, TcpState), BTreeSet<String>>,
    /// Each Appendix B id cited, with the scripts that cite it.
    pub cited: BTreeMap<Requirement, BTreeSet<String>>,
    /// How many scripts were counted.
    pub scripts: usize,
}

impl Coverage {
    /// Count what the scripts of a suite exercised and cite.
    pub fn of(suite: &Suite) -> Coverage {
        let mut coverage = Coverage::default();
        for result in &suite.results {
            let Some(script) = &result.script else {
                continue;
            };
            coverage.scripts += 1;
            let file = script.file.clone();
            for id in script.requirements() {
                coverage.cited.entry(id).or_default().insert(file.clone());
            }
            let Some(report) = &result.report else {
                continue;
            };
            let mut last: BTreeMap<u32, TcpState> = BTreeMap::new();
            for event in &report.trace.events {
                let EventKind::State { socket, state } = event.kind else {
                    continue;
                };
                coverage
                    .states
                    .entry(state)
                    .or_default()
                    .insert(file.clone());
                // The first socket starts CLOSED; an accepted one starts
                // wherever its listener's connection was.
                let from = match last.insert(socket, state) {
                    Some(from) => Some(from),
                    None => (socket == FIRST_SOCKET).then_some(TcpState::Closed),
                };
                if let Some(from) = from.filter(|&from| from != state) {
                    let scripts = coverage.transitions.entry((from, state)).or_default();
                    scripts.insert(file.clone());
                }
            }
        }
        coverage
    }

    /// Return the Appendix B ids no script cites.
    pub fn uncited(&self) -> Vec<Requirement> {
        appendix_b()
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !self.cited.contains_key(id))
            .collect()
    }

    /// Return one line: states, diagram transitions and ids covered.
    pub fn summary(&self) -> String {
        let diagram = TRANSITIONS
            .iter()
            .filter(|&&(a, b, _)| self.transitions.contains_key(&(a, b)))
            .count();
        format!(
            "coverage: {}/{} TCP states, {}/{} state-diagram transitions, {}/{} RFC 9293 Appendix B ids cited",
            self.states.len(),
            TcpState::ALL.len(),
            diagram,
            TRANSITIONS.len(),
            self.cited.len(),
            appendix_b().len()
        )
    }

    /// Render the whole report as Markdown.
    pub fn render(&self) -> String {
        let mut out = format!(
            "# Coverage\n\n{} scripts. {}\n\n",
            self.scripts,
            self.summary()
        );
        out.push_str("## TCP states (RFC 9293 3.3.2)\n\n| state | scripts |\n|---|---|\n");
        for state in TcpState::ALL {
            let n = self.states.get(state).map_or(0, BTreeSet::len);
            let _ = writeln!(out, "| {state} | {} |", count(n));
        }
        out.push_str("\n## State-diagram transitions\n\n| from | to | event | scripts |\n|---|---|---|---|\n");
        for &(from, to, event) in TRANSITIONS {
            let n = self.transitions.get(&(from, to)).map_or(0, BTreeSet::len);
            let _ = writeln!(out, "| {from} | {to} | {event} | {} |", count(n));
        }
        let others: Vec<_> = self
            .transitions
            .iter()
            .filter(|(k, _)| !TRANSITIONS.iter().any(|&(a, b, _)| (a, b) == **k))
            .collect();
        if !others.is_empty() {
            out.push_str(
                "\nOther transitions seen (outside the diagram, e.g. on RST or ABORT):\n\n",
            );
            for ((from, to), scripts) in others {
                let _ = writeln!(out, "- {from} → {to}: {} script(s)", scripts.len());
            }
        }
        out.push_str("\n## RFC 9293 Appendix B requirements cited\n\n| id | requirement | scripts |\n|---|---|---|\n");
        for (id, summary) in appendix_b() {
            if let Some(scripts) = self.cited.get(id) {
                let names: Vec<&str> = scripts.iter().map(String::as_str).collect();
                let _ = writeln!(out, "| {id} | {summary} | {} |", names.join(", "));
            }
        }
        let uncited = self.uncited();
        let _ = write!(out, "\nNot cited by any script ({}): ", uncited.len());
        let ids: Vec<String> = uncited.iter().map(ToString::to_string).collect();
        out.push_str(&ids.join(", "));
        out.push('\n');
        out
    }
}

/// Print a count, or a dash for none.
fn count(n: usize) -> String {
    if n == 0 {
        "—".to_owned()
    } else {
        n.to_string()
    }
}
