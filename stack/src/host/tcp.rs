//! The seam where TCP plugs in.
//!
//! IPv4 input hands every TCP segment for us to `Host::handle_tcp`, and
//! ICMP input hands every error quoting one of our TCP segments to
//! `Host::handle_tcp_icmp_error`. There is no TCP engine yet, so both
//! answer nothing and return [`Why::NoTcpYet`], which
//! [`HostStats::dropped`](super::HostStats::dropped) counts under
//! `"no_tcp_yet"`. In particular the host sends no ICMP port unreachable
//! for TCP: a segment for no connection is TCP's to answer, with a RST
//! (RFC 9293 3.10.7.1).
//!
//! When the engine lands, these two functions are where it goes: verify
//! the checksum, demultiplex on the 4-tuple to a connection handle (as
//! quinn-proto's `Endpoint::handle` does), let a listener make a
//! `Connection` per SYN, and hand ICMP errors to the connection they quote
//! (RFC 9293 3.9.2.2, RFC 5927). The segments it emits go out through the
//! same `send_datagram` as UDP's.

use super::ipv4::RxMeta;
use super::{FrameVerdict, Host, Why};
use crate::time::Instant;
use crate::wire::icmpv4::Icmpv4Quote;
use crate::wire::ipv4::Ipv4Repr;

impl Host {
    /// Take in a TCP segment (a whole IPv4 payload): the extension point.
    pub(super) fn handle_tcp(
        &mut self,
        now: Instant,
        rx: RxMeta,
        header: &Ipv4Repr,
        segment: &[u8],
    ) -> FrameVerdict {
        let _ = (now, rx, header, segment);
        FrameVerdict::Dropped(Why::NoTcpYet)
    }

    /// Take in an ICMP error quoting a TCP segment we sent: the extension point.
    pub(super) fn handle_tcp_icmp_error(
        &mut self,
        now: Instant,
        header: &Ipv4Repr,
        quote: &Icmpv4Quote<'_>,
    ) -> FrameVerdict {
        let _ = (now, header, quote);
        FrameVerdict::Dropped(Why::NoTcpYet)
    }
}
