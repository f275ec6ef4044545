//! A run's trace as a pcap file (through the stack's pcap writer), for
//! Wireshark and tshark: every frame the peer injected and the target
//! emitted, at its (virtual or real) time.

use std::io::{self, Write};

use stack::device::{write_pcap, Direction, TraceEntry};

use crate::run::{EventKind, Trace};

/// Return the trace's frames as the device layer records them: frames the
/// target received are `Rx`, frames it sent `Tx`.
pub fn entries(trace: &Trace) -> Vec<TraceEntry> {
    trace
        .events
        .iter()
        .filter_map(|event| {
            let (frame, direction) = match &event.kind {
                EventKind::In { frame, .. } => (frame, Direction::Rx),
                EventKind::Out { frame, .. } => (frame, Direction::Tx),
                _ => return None,
            };
            Some(TraceEntry {
                at: event.at,
                direction,
                frame: frame.clone(),
            })
        })
        .collect()
}

/// Write the trace's frames to `sink` as a pcap file.
pub fn write<W: Write>(trace: &Trace, sink: W) -> io::Result<W> {
    write_pcap(sink, &entries(trace))
}
