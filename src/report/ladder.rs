//! The ladder diagram of a run, as SVG: the picture every TCP textbook
//! draws, generated from the real trace.
//!
//! Two timelines, the script's peer on the left and the target on the
//! right, time running down. Each frame is an arrow labelled in the
//! script's notation; each side's TCP state is written beside its line
//! when it changes (the target's as it reported it, else inferred from the
//! segments; the peer's inferred, see [`super::observer`]). Calls are
//! written beside the target's line; a failure closes the picture in red.

use core::fmt::Write as _;

use crate::run::seen::Seen;
use crate::run::trace::{self, EventKind};
use crate::run::RunReport;
use crate::script::TcpState;

use super::observer::Observer;

const WIDTH: u32 = 1000;
const PEER_X: u32 = 280;
const TARGET_X: u32 = 720;
const TOP: u32 = 90;
const ROW: u32 = 36;
const SLANT: u32 = 14;

/// Escape text for XML.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Return an arrow's label: the line's value, named by its protocol
/// unless it is TCP.
fn label(line: &str) -> String {
    let Some((kind, value)) = line.split_once(": ") else {
        return line.to_owned();
    };
    match kind {
        "in" | "out" => value.to_owned(),
        _ => {
            let protocol = kind.split('_').next().unwrap_or(kind);
            let protocol = if protocol == "frame" {
                "frame".to_owned()
            } else {
                protocol.to_uppercase()
            };
            format!("{protocol} {value}")
        }
    }
}

/// The drawing in progress.
struct Ladder {
    svg: String,
    y: u32,
}

impl Ladder {
    fn text(&mut self, x: u32, y: u32, anchor: &str, class: &str, text: &str) {
        let _ = writeln!(
            self.svg,
            r#"<text x="{x}" y="{y}" text-anchor="{anchor}" class="{class}">{}</text>"#,
            xml_escape(text)
        );
    }

    fn arrow(&mut self, inbound: bool, class: &str, text: &str, at: &str) {
        let (x1, x2) = if inbound {
            (PEER_X, TARGET_X)
        } else {
            (TARGET_X, PEER_X)
        };
        let y = self.y;
        let _ = writeln!(
            self.svg,
            r#"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{}" class="{class}" marker-end="url(#head)"/>"#,
            y + SLANT
        );
        self.text(
            (PEER_X + TARGET_X) / 2,
            y - 4,
            "middle",
            &format!("label {class}"),
            text,
        );
        self.text(12, y + 4, "start", "time", at);
    }

    fn state(&mut self, peer: bool, state: TcpState) {
        let (x, anchor) = if peer {
            (PEER_X - 10, "end")
        } else {
            (TARGET_X + 10, "start")
        };
        let y = self.y + SLANT;
        self.text(x, y, anchor, "state", state.name());
    }
}

/// Draw the ladder diagram of a run of the script named `name` against
/// `target`.
pub fn render(name: &str, target: &str, report: &RunReport) -> String {
    let reported = report
        .trace
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::State { .. }));
    let mut ladder = Ladder {
        svg: String::new(),
        y: TOP,
    };
    let (mut peer, mut guess) = (Observer::default(), Observer::default());
    for (index, event) in report.trace.events.iter().enumerate() {
        let at = event.at.to_string();
        match &event.kind {
            EventKind::In { frame, auto, .. } | EventKind::Out { frame, auto } => {
                let inbound = matches!(event.kind, EventKind::In { .. });
                let line = trace::line(event, index, &report.flows);
                let class = if report.unexpected.contains(&index) {
                    "unexpected"
                } else if *auto {
                    "auto"
                } else {
                    "frame"
                };
                ladder.arrow(inbound, class, &label(&line), &at);
                if let Seen::Tcp { segment, .. } = Seen::read(frame) {
                    let (p, t) = if inbound {
                        (peer.sent(&segment), guess.received(&segment))
                    } else {
                        (peer.received(&segment), guess.sent(&segment))
                    };
                    if let Some(state) = p {
                        ladder.state(true, state);
                    }
                    if let Some(state) = t.filter(|_| !reported) {
                        ladder.state(false, state);
                    }
                }
            }
            EventKind::Call { .. } => {
                let line = trace::line(event, index, &report.flows);
                ladder.text(TARGET_X + 10, ladder.y + 4, "start", "call", &line);
                ladder.text(12, ladder.y + 4, "start", "time", &at);
            }
            EventKind::State { state, .. } => {
                ladder.y -= ROW / 2;
                ladder.state(false, *state);
                ladder.y += ROW / 2;
                continue;
            }
        }
        ladder.y += ROW;
    }
    let outcome = match &report.outcome {
        Ok(()) => format!("passed at {}", report.end),
        Err(f) => format!(
            "step {} (line {}) failed: {}",
            f.step + 1,
            f.pos.line,
            f.message
        ),
    };
    let class = if report.passed() { "passed" } else { "failed" };
    ladder.text(WIDTH / 2, ladder.y + 10, "middle", class, &outcome);
    frame(name, target, &ladder.svg, ladder.y + 30)
}

/// Wrap the drawing: header, the two timelines, styles.
fn frame(name: &str, target: &str, body: &str, height: u32) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">
<style>
text {{ font-family: monospace; font-size: 12px; fill: #222; paint-order: stroke; stroke: white; stroke-width: 3px; }}
.title {{ font-size: 15px; font-weight: bold; }}
.side {{ font-size: 13px; font-weight: bold; }}
.time {{ fill: #777; }}
.state {{ fill: #1a5fb4; font-weight: bold; }}
.call {{ fill: #6b3fa0; }}
line.frame {{ stroke: #222; stroke-width: 1.3; }}
line.auto {{ stroke: #999; stroke-dasharray: 4 3; }}
line.unexpected {{ stroke: #c01c28; stroke-width: 1.6; }}
text.auto {{ fill: #999; }}
text.unexpected, .failed {{ fill: #c01c28; font-weight: bold; }}
.passed {{ fill: #26a269; font-weight: bold; }}
.lifeline {{ stroke: #555; stroke-width: 2; }}
</style>
<defs><marker id="head" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#222"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" text-anchor="middle" class="title">{}</text>"#,
        WIDTH / 2,
        xml_escape(name)
    );
    for (x, label) in [
        (PEER_X, "peer (script)".to_owned()),
        (TARGET_X, format!("target ({target})")),
    ] {
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="56" text-anchor="middle" class="side">{}</text>"#,
            xml_escape(&label)
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="64" x2="{x}" y2="{}" class="lifeline"/>"#,
            height - 30
        );
    }
    svg.push_str(body);
    svg.push_str("</svg>\n");
    svg
}
