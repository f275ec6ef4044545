//! The bodies of the fuzz targets.
//!
//! Each `fuzz/fuzz_targets/<name>.rs` calls the function of the same name
//! here, and `tests/corpus.rs` replays every file of `corpus/<name>/` through
//! it on stable, so a crash once found stays fixed.
//!
//! Every body checks more than "no panic". Bytes are parsed with
//! [`ChecksumPolicy::Ignore`], so that any input gets past the checksums
//! without a `cfg(fuzzing)` bypass; whatever parses is then emitted with
//! [`ChecksumPolicy::Verify`] (checksums computed) and must parse back, with
//! checksums verified, to the same `Repr`. That proves the emitter, the
//! checksum computation and the verifier agree on every input the parser
//! accepts. The `frame` target also prints every layer's `Repr` (reports
//! print them), so every `Display` is fuzzed there; the per-layer targets
//! leave printing out to keep their exec/s high.
//!
//! The stateful target [`host()`] drives a whole reference host with a list
//! of operations and checks its invariants after every one; its parts live
//! in [`mod@host`]. [`tcp_connection()`] does the same for the TCP engine
//! ([`mod@tcp_connection`]), and [`pair()`] for two hosts on a faulty link
//! ([`mod@pair`]). All three read a [`Scenario`]: a setup, then a list of
//! ops ([`mod@scenario`]).

pub mod dict;
pub mod host;
pub mod pair;
pub mod scenario;
pub mod tcp_connection;

#[cfg(test)]
mod test_util;

pub use scenario::{Scenario, ScenarioOp, Wait};

use stack::wire::arp::{ArpPacket, ArpRepr};
use stack::wire::ethernet::{EthernetFrame, EthernetRepr};
use stack::wire::frame::{FrameRepr, NetworkRepr};
use stack::wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use stack::wire::ipv4::{Ipv4Packet, Ipv4Repr};
use stack::wire::tcp::{TcpRepr, TcpSegment};
use stack::wire::udp::{UdpPacket, UdpRepr};
use stack::wire::{ChecksumPolicy, Ipv4Addr};

/// The addresses of the pseudo-header for the transport targets.
const SRC: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

use core::cell::RefCell;
use core::fmt::{self, Write};

/// A `fmt::Write` that keeps nothing: rendering runs every `Display` path
/// without allocating, so the targets stay fast under AddressSanitizer.
struct Discard;

impl Write for Discard {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        core::hint::black_box(s);
        Ok(())
    }
}

/// Render a `Repr` the way reports do; only a panic can fail here.
fn render(repr: &dyn fmt::Display) {
    // NOTE(unwrap): `Discard` never fails, so only a Display impl could.
    write!(Discard, "{repr}").unwrap();
}

thread_local! {
    /// Output buffers reused across runs, to keep allocation off the hot path.
    static SCRATCH: RefCell<[Vec<u8>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// Run `f` with two zeroed scratch buffers of `first` and `second` bytes.
fn with_scratch<R>(first: usize, second: usize, f: impl FnOnce(&mut [u8], &mut [u8]) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let [a, b] = &mut *bufs;
        a.clear();
        a.resize(first, 0);
        b.clear();
        b.resize(second, 0);
        f(a, b)
    })
}

/// Fuzz the Ethernet II header (with its 802.1Q tag).
pub fn ethernet(data: &[u8]) {
    let Ok(frame) = EthernetFrame::new_checked(data) else {
        return;
    };
    let Ok(repr) = EthernetRepr::parse(&frame) else {
        return;
    };
    let payload = frame.payload();
    with_scratch(repr.buffer_len(payload.len()), 0, |out, _| {
        let mut view = EthernetFrame::new_unchecked(&mut *out);
        repr.emit(&mut view);
        view.payload_mut()[..payload.len()].copy_from_slice(payload);
        // NOTE(unwrap): a frame just emitted from a Repr must read back.
        let again = EthernetFrame::new_checked(&*out).unwrap();
        assert_eq!(EthernetRepr::parse(&again), Ok(repr));
        assert_eq!(&again.payload()[..payload.len()], payload);
    });
}

/// Fuzz ARP for Ethernet and IPv4.
pub fn arp(data: &[u8]) {
    let Ok(packet) = ArpPacket::new_checked(data) else {
        return;
    };
    let Ok(repr) = ArpRepr::parse(&packet) else {
        return;
    };
    with_scratch(repr.buffer_len(), 0, |out, _| {
        repr.emit(&mut ArpPacket::new_unchecked(&mut *out));
        let again = ArpPacket::new_checked(&*out).unwrap();
        assert_eq!(ArpRepr::parse(&again), Ok(repr));
    });
}

/// Fuzz the IPv4 header and its options.
pub fn ipv4(data: &[u8]) {
    let Ok(packet) = Ipv4Packet::new_checked(data) else {
        return;
    };
    let Ok(repr) = Ipv4Repr::parse(&packet, ChecksumPolicy::Ignore) else {
        return;
    };
    // Walk the options: their iterator must not panic on what parse accepted.
    for option in repr.options.iter() {
        core::hint::black_box(option);
    }
    with_scratch(repr.buffer_len(), 0, |out, _| {
        let mut view = Ipv4Packet::new_unchecked(&mut *out);
        repr.emit(&mut view, ChecksumPolicy::Verify);
        view.payload_mut().copy_from_slice(packet.payload());
        let again = Ipv4Packet::new_checked(&*out).unwrap();
        assert_eq!(Ipv4Repr::parse(&again, ChecksumPolicy::Verify), Ok(repr));
        assert_eq!(again.payload(), packet.payload());
    });
}

/// Fuzz ICMPv4 messages, including the datagram an error quotes.
pub fn icmpv4(data: &[u8]) {
    let Ok(packet) = Icmpv4Packet::new_checked(data) else {
        return;
    };
    let Ok(repr) = Icmpv4Repr::parse(&packet, ChecksumPolicy::Ignore) else {
        return;
    };
    with_scratch(repr.buffer_len(), 0, |out, _| {
        let policy = ChecksumPolicy::Verify;
        repr.emit(&mut Icmpv4Packet::new_unchecked(&mut *out), policy);
        let again = Icmpv4Packet::new_checked(&*out).unwrap();
        assert_eq!(Icmpv4Repr::parse(&again, policy), Ok(repr));
    });
}

/// Fuzz UDP datagrams (checksum over the IPv4 pseudo-header).
pub fn udp(data: &[u8]) {
    let Ok(packet) = UdpPacket::new_checked(data) else {
        return;
    };
    let Ok(repr) = UdpRepr::parse(&packet, SRC, DST, ChecksumPolicy::Ignore) else {
        return;
    };
    with_scratch(repr.buffer_len(), 0, |out, _| {
        let policy = ChecksumPolicy::Verify;
        repr.emit(&mut UdpPacket::new_unchecked(&mut *out), SRC, DST, policy);
        let again = UdpPacket::new_checked(&*out).unwrap();
        assert_eq!(UdpRepr::parse(&again, SRC, DST, policy), Ok(repr));
    });
}

/// Fuzz TCP segments: flags, options, payload and checksum.
pub fn tcp(data: &[u8]) {
    let Ok(segment) = TcpSegment::new_checked(data) else {
        return;
    };
    let Ok(repr) = TcpRepr::parse(&segment, SRC, DST, ChecksumPolicy::Ignore) else {
        return;
    };
    with_scratch(repr.buffer_len(), 0, |out, _| {
        let policy = ChecksumPolicy::Verify;
        repr.emit(&mut TcpSegment::new_unchecked(&mut *out), SRC, DST, policy);
        let again = TcpSegment::new_checked(&*out).unwrap();
        assert_eq!(TcpRepr::parse(&again, SRC, DST, policy), Ok(repr));
    });
}

/// Fuzz a whole frame through every layer, printed as reports print it.
///
/// Emitting is a fixed point: what [`FrameRepr::emit`] writes parses back
/// to the same `Repr` and emits to the same bytes. (Raw payloads of unknown
/// EtherTypes gain the Ethernet padding on the first emit, so for those the
/// `Repr`s may differ by trailing zeroes; the bytes may not.)
pub fn frame(data: &[u8]) {
    let Ok(repr) = FrameRepr::parse(data, ChecksumPolicy::Ignore) else {
        return;
    };
    render(&repr);
    let len = repr.buffer_len();
    with_scratch(len, len, |first, second| {
        repr.emit(first, ChecksumPolicy::Verify);
        let again = match FrameRepr::parse(first, ChecksumPolicy::Verify) {
            Ok(again) => again,
            Err(e) => panic!("emitted frame does not parse: {e}\n{repr}"),
        };
        if !matches!(repr.network, NetworkRepr::Other(_)) {
            assert_eq!(again, repr);
        }
        assert_eq!(again.buffer_len(), len);
        again.emit(second, ChecksumPolicy::Verify);
        assert_eq!(first, second);
    });
}

/// Fuzz the script loader and the segment notation.
///
/// Any input gives a script or an error, never a panic. An error must point
/// inside the text (a line that exists, or line 0 for whole-file faults)
/// and print. A loaded script's segment patterns print back to text that
/// parses to the same pattern. Each input line is also fed to the notation
/// parser directly, so notation bugs do not hide behind YAML errors.
pub fn script(data: &[u8]) {
    use crate::notation::parse_segment;
    use crate::script::{Action, Script};

    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Ok(pattern) = parse_segment(line) {
            let printed = pattern.to_string();
            match parse_segment(&printed) {
                Ok(again) => assert_eq!(again, pattern, "{line:?} printed as {printed:?}"),
                Err(e) => panic!("{line:?} printed as {printed:?}, which does not parse: {e:?}"),
            }
        }
    }
    match Script::from_str("fuzz.yaml", &text) {
        Err(error) => {
            let lines = text.lines().count().max(1) as u32;
            assert!(
                error.pos.line <= lines + 1,
                "error at line {} of {lines}",
                error.pos.line
            );
            render(&error);
        }
        Ok(script) => {
            for step in &script.steps {
                if let Action::In(pattern) | Action::Out(pattern) = &step.action {
                    let printed = pattern.to_string();
                    assert_eq!(parse_segment(&printed).as_ref(), Ok(pattern), "{printed:?}");
                }
            }
        }
    }
}

/// Drive a reference host with the operations `data` decodes to, checking
/// its invariants after every one: see [`mod@host`].
pub fn host(data: &[u8]) {
    host::run(data);
}

/// Drive two reference TCP connections (one active, one passive) as their
/// peer and application, checking RFC 9293's invariants after every step:
/// see [`mod@tcp_connection`].
pub fn tcp_connection(data: &[u8]) {
    tcp_connection::run(data);
}

/// Run a workload over one TCP connection between two reference hosts on
/// a faulty link, checking delivery and termination: see [`mod@pair`].
pub fn pair(data: &[u8]) {
    pair::run(data);
}
