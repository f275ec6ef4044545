//! What each case measured, and the summary table.

use std::alloc::System;
use std::time::Duration;

use stats_alloc::StatsAlloc;

use super::clock::Span;

/// The parameters of one bulk transfer.
#[derive(Debug, Clone, Copy)]
pub struct BulkParams {
    /// The bytes to move from the client to the server.
    pub bytes: u64,
    /// The send and the receive buffer of each socket.
    pub buffer: usize,
    /// The probability that the link drops a frame.
    pub drop: f64,
    /// The seed of the drop decisions.
    pub seed: u64,
    /// Check every byte received against what was sent.
    pub verify: bool,
}

/// The pattern the client sends, over and over: stream byte `k` is
/// `PATTERN[k % PATTERN_LEN]`.
pub const PATTERN_LEN: usize = 64 * 1024;

/// Return the pattern the client sends.
pub fn pattern() -> Vec<u8> {
    (0..PATTERN_LEN).map(|i| (i % 251) as u8).collect()
}

/// Check `got`, received at stream offset `at`, against the pattern.
pub fn check(pattern: &[u8], at: u64, got: &[u8]) {
    for (i, &byte) in got.iter().enumerate() {
        let k = (at as usize + i) % PATTERN_LEN;
        assert_eq!(byte, pattern[k], "stream byte {} differs", at as usize + i);
    }
}

/// Return the bytes allocated and not yet freed.
pub fn live_bytes(alloc: &StatsAlloc<System>) -> usize {
    let stats = alloc.stats();
    stats.bytes_allocated - stats.bytes_deallocated
}

/// Return the allocations made so far.
pub fn allocations(alloc: &StatsAlloc<System>) -> u64 {
    alloc.stats().allocations as u64
}

/// What one bulk transfer measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Transfer {
    /// Bytes delivered to the receiving application.
    pub bytes: u64,
    /// From the end of the handshake to the last byte read.
    pub span: Span,
    /// Frames sent, both ways.
    pub frames: u64,
    /// Frames the link dropped.
    pub dropped: u64,
    /// Heap allocations made.
    pub allocations: u64,
}

impl Transfer {
    /// Return the goodput in Gbit/s over the time the stacks saw pass
    /// (CPU time plus skipped time).
    pub fn gbps(&self) -> f64 {
        self.bytes as f64 * 8.0 / self.span.elapsed().as_secs_f64() / 1e9
    }

    /// Return the goodput in Gbit/s over wall-clock time plus skipped time.
    pub fn wall_gbps(&self) -> f64 {
        let t = self.span.wall + self.span.skipped;
        self.bytes as f64 * 8.0 / t.as_secs_f64() / 1e9
    }

    /// Print one line about the run.
    pub fn print(&self, who: &str, case: &str) {
        let s = &self.span;
        println!(
            "  {who:<8} {case:<9} {:>8} Gbit/s ({} on wall time) | {} MiB in {:.3} s CPU + {:.3} s skipped ({:.3} s wall) | {} frames, {} dropped, {:.2} allocations/frame",
            figure(self.gbps()),
            figure(self.wall_gbps()),
            self.bytes >> 20,
            s.cpu.as_secs_f64(),
            s.skipped.as_secs_f64(),
            s.wall.as_secs_f64(),
            self.frames,
            self.dropped,
            self.allocations as f64 / self.frames.max(1) as f64,
        );
    }
}

/// Return the run with the median goodput.
pub fn median(mut runs: Vec<Transfer>) -> Transfer {
    runs.sort_by(|a, b| a.gbps().total_cmp(&b.gbps()));
    runs[runs.len() / 2]
}

/// What opening and closing many concurrent connections measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conns {
    /// Connections open at once on each side.
    pub count: usize,
    /// Live heap bytes per connection with all open, buffers excluded,
    /// averaged over both sides.
    pub state_bytes: f64,
    /// The size of one connection's struct (the heap part is in `state_bytes`).
    pub struct_bytes: usize,
    /// The buffer bytes excluded from `state_bytes`, per connection.
    pub buffer_bytes: usize,
    /// Opening them all: handshakes, and accepts where there are any.
    pub open: Span,
    /// Closing them all, through TIME-WAIT expiry, and freeing them.
    pub close: Span,
}

impl Conns {
    /// Print one line about the run.
    pub fn print(&self, who: &str) {
        println!(
            "  {who:<8} {} connections: {:.0} bytes of state each (struct {} B; {} B of buffers excluded) | open {:.3} s CPU ({:.3} s wall), close {:.3} s CPU ({:.3} s wall, {:.0} s skipped)",
            self.count,
            self.state_bytes,
            self.struct_bytes,
            self.buffer_bytes,
            self.open.cpu.as_secs_f64(),
            self.open.wall.as_secs_f64(),
            self.close.cpu.as_secs_f64(),
            self.close.wall.as_secs_f64(),
            self.close.skipped.as_secs_f64(),
        );
    }

    /// Return the CPU time to open and close them all.
    pub fn cpu(&self) -> Duration {
        self.open.cpu + self.close.cpu
    }
}

/// One row of the summary: a figure for each stack, and which way is better.
pub struct Row {
    /// What was measured, with its unit.
    pub what: String,
    /// synack's figure.
    pub synack: f64,
    /// smoltcp's figure.
    pub smoltcp: f64,
    /// A larger figure is better (goodput), or a smaller one (bytes, time).
    pub higher_is_better: bool,
}

/// Print the summary table: each figure for both stacks and synack /
/// smoltcp, with a note where synack is behind.
pub fn print_table(rows: &[Row]) {
    println!();
    println!("| figure | synack | smoltcp | synack / smoltcp |");
    println!("|---|---:|---:|---:|");
    for row in rows {
        let ratio = row.synack / row.smoltcp;
        let ahead = if row.higher_is_better {
            ratio >= 1.0
        } else {
            ratio <= 1.0
        };
        let note = if ahead { "" } else { " (behind)" };
        println!(
            "| {} | {} | {} | {}{note} |",
            row.what,
            figure(row.synack),
            figure(row.smoltcp),
            figure(ratio)
        );
    }
}

/// Print `x` with three significant digits (at least two decimals).
pub fn figure(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x:.2}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(2, 8) as usize;
    format!("{x:.decimals$}")
}
