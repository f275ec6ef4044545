//! Comparing two runs of one sequence, after normalisation.
//!
//! Each run's trace is cut into *groups*, one per input (group 0 is the
//! handshake), and each group is reduced to what both targets must agree
//! on ([`Group`]):
//!
//! - **Segments**, normalised ([`NormSegment`]): sequence numbers relative
//!   to the target's ISN (and to its new ISN after it opens a new
//!   connection), acknowledgments relative to the peer's; PSH dropped;
//!   the window only as zero or not; options as a set, without NOP and EOL
//!   padding and in a fixed order, the MSS value, SACK blocks and the
//!   Timestamps echo kept, the window shift and TSval reduced to their
//!   presence.
//! - **Call results**, as the runner recorded them.
//! - **The connection's state** at the end of the group; once it is CLOSED
//!   on a target, later states are not compared.
//! - **Other frames** (ICMP, ARP), as trace lines.
//!
//! The first group that differs is a divergence, unless a declared rule
//! ([`DECLARED`]) explains it; the comparison then goes on, or ends there
//! when the rule leaves the two connections in different states.

mod normalise;
mod rules;

pub use normalise::{observe, Group, NormSegment};
pub use rules::{Context, Rule, DECLARED};

use super::sequence::{Facts, Input};

/// A group where the two runs differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The group: 0 for the handshake, `i + 1` for input `i`.
    pub group: usize,
    /// What the reference did.
    pub reference: Group,
    /// What Linux did.
    pub linux: Group,
}

/// Return `groups` with empty groups up to `count`.
fn pad(groups: &[Group], count: usize) -> Vec<Group> {
    let mut all = groups.to_vec();
    all.resize(count, Group::default());
    all
}

/// How two runs compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The declared rules that explained a difference, by id.
    pub declared: Vec<&'static str>,
    /// The first difference no rule explains.
    pub undeclared: Option<Difference>,
}

/// Compare the groups of the two runs; `facts[g]` is what the model knew
/// of group `g`'s segment input.
pub fn compare(
    inputs: &[Input],
    facts: &[Option<Facts>],
    reference: &[Group],
    linux: &[Group],
) -> Comparison {
    let mut declared = Vec::new();
    let count = reference.len().max(linux.len());
    for group in 0..count {
        let (r, l) = (
            reference.get(group).cloned().unwrap_or_default(),
            linux.get(group).cloned().unwrap_or_default(),
        );
        if r == l {
            continue;
        }
        let (reference_all, linux_all) = (pad(reference, count), pad(linux, count));
        let cx = Context {
            group,
            inputs,
            facts,
            reference: &reference_all,
            linux: &linux_all,
        };
        match DECLARED.iter().find(|rule| (rule.applies)(&cx)) {
            Some(rule) if rule.stops => {
                declared.push(rule.id);
                break;
            }
            Some(rule) => declared.push(rule.id),
            None => {
                return Comparison {
                    declared,
                    undeclared: Some(Difference {
                        group,
                        reference: r,
                        linux: l,
                    }),
                }
            }
        }
    }
    Comparison {
        declared,
        undeclared: None,
    }
}
