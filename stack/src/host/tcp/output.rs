//! TCP output and timers on the host: segments pulled from the connections
//! into IPv4 datagrams, RSTs for segments without a connection, and the
//! connections' timeouts run from the deadline index.

use super::table::ConnHandle;
use crate::host::ipv4::FRAME_HEADROOM;
use crate::host::neighbor::Origin;
use crate::host::Host;
use crate::tcp::FourTuple;
use crate::time::Instant;
use crate::wire::ethernet::MIN_FRAME_LEN;
use crate::wire::ipv4::Ipv4Repr;
use crate::wire::tcp::{TcpRepr, TcpSegment};
use crate::wire::{ChecksumPolicy, IpProtocol};

/// Write `seg` from `tuple.local` to `tuple.remote` into `frame`, after
/// [`FRAME_HEADROOM`] bytes left for the Ethernet and IPv4 headers.
///
/// `frame` may hold an earlier frame: it is cut to its headers, which are
/// zeroed (the emits set every field but reserved bits), and the data is
/// appended once, not zeroed first and then overwritten.
fn emit(seg: &TcpRepr<'_>, tuple: FourTuple, policy: ChecksumPolicy, frame: &mut Vec<u8>) {
    let header_end = FRAME_HEADROOM + seg.header_len();
    frame.clear();
    // One allocation for a new buffer, padding included.
    frame.reserve((header_end + seg.payload.len()).max(MIN_FRAME_LEN));
    frame.resize(header_end, 0);
    frame.extend_from_slice(seg.payload);
    seg.emit_header(
        &mut TcpSegment::new_unchecked(&mut frame[FRAME_HEADROOM..]),
        *tuple.local.ip(),
        *tuple.remote.ip(),
        policy,
    );
}

impl Host {
    /// Pull segments from the connections until a frame is queued, no
    /// connection has anything to send, or the poll budget is spent.
    ///
    /// Fair: each connection sends one segment per turn, then goes to the
    /// back of the queue. A connection with nothing to send leaves the
    /// queue, and is freed if it has ended and nobody holds it.
    pub(in crate::host) fn pull_tcp(&mut self, now: Instant) {
        for _ in 0..self.tcp.config.poll_budget {
            let Some(handle) = self.tcp.table.pop_dirty() else {
                return;
            };
            if self.pull_segment(now, handle) && !self.tx.is_empty() {
                return;
            }
        }
    }

    /// Send the connection's next segment, if it has one; return whether it had.
    fn pull_segment(&mut self, now: Instant, handle: ConnHandle) -> bool {
        let policy = self.config.checksums;
        let mut frame = self.frame_buffer();
        let tcp = &mut self.tcp;
        let Some(entry) = tcp.table.get_mut(handle) else {
            self.recycle(frame);
            return false;
        };
        let (tuple, tos) = (entry.conn.tuple(), entry.tos);
        // Emitted where it lies, by reference: moving the segment out of
        // the `Option` would copy it right after it was written.
        let seg = entry.conn.poll_segment(now);
        let sent = seg.is_some();
        if let Some(seg) = &seg {
            emit(seg, tuple, policy, &mut frame);
        }
        tcp.table.reindex(handle);
        if !sent {
            tcp.table.reap(handle);
            self.recycle(frame);
            return false;
        }
        tcp.table.push_dirty(handle);
        self.send_tcp_datagram(now, tuple, tos, frame);
        true
    }

    /// Send the RST of RFC 9293 3.10.7.1 (or 3.10.7.2) for a segment that
    /// came from `tuple.remote` to `tuple.local`.
    pub(super) fn tcp_send_reset(&mut self, now: Instant, tuple: FourTuple, rst: &TcpRepr<'_>) {
        let mut frame = self.frame_buffer();
        emit(rst, tuple, self.config.checksums, &mut frame);
        self.stats.tcp_resets_sent += 1;
        self.send_tcp_datagram(now, tuple, 0, frame);
    }

    /// Wrap the segment that `frame` holds (after [`FRAME_HEADROOM`]) in
    /// IPv4: DF set (path MTU discovery, RFC 1191), the connection's TOS
    /// (MUST-48); TTL and ID come from `send_framed`.
    fn send_tcp_datagram(&mut self, now: Instant, tuple: FourTuple, tos: u8, frame: Vec<u8>) {
        let (src, dst) = (*tuple.local.ip(), *tuple.remote.ip());
        let len = frame.len() - FRAME_HEADROOM;
        let mut header = Ipv4Repr::new(src, dst, IpProtocol::Tcp, len);
        header.dont_frag = true;
        header.tos = tos;
        match self.send_framed(now, header, frame, Origin::Host) {
            Ok(()) => self.stats.tcp_segments_sent += 1,
            // TCP recovers from a lost segment by itself: count and go on.
            Err(_) => self.stats.tcp_send_errors += 1,
        }
    }

    /// Run the timers of every connection whose deadline passed.
    pub(in crate::host) fn tcp_timeouts(&mut self, now: Instant) {
        let mut due = Vec::new();
        self.tcp.table.take_expired(now, &mut due);
        for handle in due {
            if let Some(entry) = self.tcp.table.get_mut(handle) {
                entry.conn.handle_timeout(now);
                self.tcp.settle(handle);
            }
        }
    }

    /// Return when TCP next needs the host: at once ([`Instant::ZERO`])
    /// while a connection may have a segment to send, else the earliest
    /// connection deadline.
    pub(in crate::host) fn tcp_poll_timeout(&self) -> Option<Instant> {
        if self.tcp.table.has_output() {
            return Some(Instant::ZERO);
        }
        self.tcp.table.next_deadline()
    }
}
