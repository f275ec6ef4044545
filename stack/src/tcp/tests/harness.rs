//! The trace harness: one [`Connection`] driven by segments written in
//! packetdrill notation, relative sequence numbers, on a virtual clock.

use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;
use std::collections::VecDeque;

use super::notation::{self, Num, Spec};
use crate::tcp::{Config, Connection, FourTuple, Seeds, SeqNumber, State, TcpEvent, Verdict};
use crate::time::Instant;
use crate::wire::tcp::{TcpFlags, TcpOptions, TcpRepr};

pub const LOCAL: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), 8080);
pub const REMOTE: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), 40000);
pub const TUPLE: FourTuple = FourTuple {
    local: LOCAL,
    remote: REMOTE,
};
/// Our ISS: close to the wrap, so every trace crosses 2^32.
pub const OUR_ISS: u32 = 0xffff_ff00;
/// The peer's ISS.
pub const PEER_ISS: u32 = 0x7000_0000;
pub const TS_OFFSET: u32 = 1_000_000;

/// The configuration of most traces: no timestamps, SACK or window
/// scaling, so segments read short; a 65535-byte receive buffer.
pub fn plain() -> Config {
    Config {
        timestamps: false,
        sack: false,
        window_scaling: false,
        recv_buffer: 65535,
        send_buffer: 65535,
        ..Config::default()
    }
}

/// A segment the connection sent, relative to the ISSs.
#[derive(Debug, Clone)]
pub struct Out {
    pub at: Instant,
    pub flags: TcpFlags,
    pub seq: u32,
    pub ack: u32,
    pub win: u16,
    pub urg: u16,
    pub options: TcpOptions,
    pub payload: Vec<u8>,
}

impl core::fmt::Display for Out {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let len = self.payload.len() as u32;
        write!(
            f,
            "{} {}:{}({len})",
            self.flags,
            self.seq,
            self.seq.wrapping_add(len)
        )?;
        if self.flags.contains(TcpFlags::ACK) {
            write!(f, " ack {}", self.ack)?;
        }
        write!(f, " win {}", self.win)?;
        if self.flags.contains(TcpFlags::URG) {
            write!(f, " urg {}", self.urg)?;
        }
        if !self.options.is_empty() {
            write!(f, " <{}>", self.options)?;
        }
        Ok(())
    }
}

/// Return the octet the peer sends at relative sequence number `seq`.
pub fn peer_byte(seq: u32) -> u8 {
    (seq % 251) as u8
}

pub struct Harness {
    pub conn: Connection,
    pub now: Instant,
    pub out: VecDeque<Out>,
}

impl Harness {
    /// A connection in SYN-SENT whose SYN has not been polled yet.
    pub fn connect(config: Config) -> Harness {
        let seeds = Seeds {
            iss: SeqNumber(OUR_ISS),
            ts_offset: TS_OFFSET,
        };
        let conn = Connection::connect(Instant::ZERO, config, TUPLE, seeds).expect("valid config");
        Harness {
            conn,
            now: Instant::ZERO,
            out: VecDeque::new(),
        }
    }

    /// A connection in LISTEN (fully specified passive OPEN).
    pub fn listen(config: Config) -> Harness {
        let seeds = Seeds {
            iss: SeqNumber(OUR_ISS),
            ts_offset: TS_OFFSET,
        };
        let conn = Connection::listen(Instant::ZERO, config, TUPLE, seeds).expect("valid config");
        Harness {
            conn,
            now: Instant::ZERO,
            out: VecDeque::new(),
        }
    }

    /// ESTABLISHED through a real active handshake, with `plain()`.
    pub fn established() -> Harness {
        Harness::established_with(plain())
    }

    /// ESTABLISHED through a real active handshake.
    pub fn established_with(config: Config) -> Harness {
        let mut h = Harness::connect(config);
        h.expect("S 0:0(0) <mss 1460>");
        h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460>");
        h.expect(". 1:1(0) ack 1");
        assert_eq!(h.state(), State::Established);
        h.drain_events();
        h
    }

    /// ESTABLISHED through a real passive handshake, with `plain()`.
    pub fn accepted() -> Harness {
        let mut h = Harness::listen(plain());
        h.inject("S 0:0(0) win 65535 <mss 1460>");
        h.expect("S. 0:0(0) ack 1 win 65535 <mss 1460>");
        h.inject(". 1:1(0) ack 1 win 65535");
        assert_eq!(h.state(), State::Established);
        h.drain_events();
        h
    }

    pub fn state(&self) -> State {
        self.conn.state()
    }

    fn our_iss(&self) -> u32 {
        self.conn.status().iss.0
    }

    /// Build the segment a line describes; SACK blocks are relative to our ISS.
    pub fn segment(&self, line: &str) -> (Spec, TcpOptions, Vec<u8>) {
        let spec = notation::parse(line);
        let options =
            notation::build_options(spec.options.as_deref().unwrap_or(&[]), self.our_iss());
        // Data on a SYN starts one after its sequence number.
        let first = spec
            .seq
            .wrapping_add(u32::from(spec.flags.contains(TcpFlags::SYN)));
        let payload = (0..spec.len)
            .map(|i| peer_byte(first.wrapping_add(i)))
            .collect();
        (spec, options, payload)
    }

    /// Hand the connection a segment from the peer and return the verdict.
    #[track_caller]
    pub fn inject(&mut self, line: &str) -> Verdict {
        let (spec, options, payload) = self.segment(line);
        let ack = spec
            .ack
            .map_or(0, |a| a.value().wrapping_add(self.our_iss()));
        let repr = TcpRepr {
            src_port: REMOTE.port(),
            dst_port: LOCAL.port(),
            seq_number: SeqNumber(spec.seq.wrapping_add(PEER_ISS)),
            ack_number: SeqNumber(ack),
            flags: spec.flags,
            window: spec.win.map_or(65535, |w| w.value() as u16),
            urgent_pointer: spec.urg.map_or(0, |u| u.value() as u16),
            options,
            payload: &payload,
        };
        self.conn.handle_segment(self.now, &repr)
    }

    /// Inject and check the verdict.
    #[track_caller]
    pub fn inject_expect(&mut self, line: &str, verdict: Verdict) {
        let got = self.inject(line);
        assert_eq!(got, verdict, "verdict for `{line}`");
    }

    /// Move everything the connection wants to send into `out`.
    pub fn flush(&mut self) {
        let our_iss = self.our_iss();
        while let Some(seg) = self.conn.poll_segment(self.now) {
            let rel_seq = seg.seq_number.0.wrapping_sub(our_iss);
            self.out.push_back(Out {
                at: self.now,
                flags: seg.flags,
                seq: rel_seq,
                ack: seg.ack_number.0.wrapping_sub(PEER_ISS),
                win: seg.window,
                urg: seg.urgent_pointer,
                options: seg.options,
                payload: seg.payload.to_vec(),
            });
        }
    }

    /// Take the next segment sent.
    #[track_caller]
    pub fn next_out(&mut self) -> Out {
        self.flush();
        self.out
            .pop_front()
            .unwrap_or_else(|| panic!("nothing sent at {}", self.now))
    }

    /// Check that the next segment sent matches `line`, and return it.
    #[track_caller]
    pub fn expect(&mut self, line: &str) -> Out {
        let spec = notation::parse(line);
        self.flush();
        let Some(out) = self.out.pop_front() else {
            panic!("expected `{line}` at {}, nothing sent", self.now);
        };
        let ok = out.flags == spec.flags
            && out.seq == spec.seq
            && out.payload.len() as u32 == spec.len
            && spec.ack.is_none_or(|a| a.matches(out.ack))
            && spec.win.is_none_or(|w| w.matches(u32::from(out.win)))
            && spec.urg.is_none_or(|u| u.matches(u32::from(out.urg)))
            && match &spec.options {
                None => out.options.is_empty(),
                Some(opts) => notation::options_match(opts, &out.options, PEER_ISS),
            };
        assert!(ok, "at {}:\nexpected `{line}`\n     got `{out}`", self.now);
        out
    }

    /// Check that nothing is sent now.
    #[track_caller]
    pub fn expect_nothing(&mut self) {
        self.flush();
        if let Some(out) = self.out.pop_front() {
            panic!("expected silence at {}, got `{out}`", self.now);
        }
    }

    /// Let `d` pass, firing timers as they fall due; what is sent queues in `out`.
    pub fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        self.flush();
        while let Some(at) = self.conn.poll_timeout().filter(|&at| at <= end) {
            self.now = self.now.max(at);
            self.conn.handle_timeout(self.now);
            self.flush();
        }
        self.now = end;
    }

    /// Jump to the next timer, fire it and return the time it fired at.
    #[track_caller]
    pub fn next_timer(&mut self) -> Instant {
        self.flush();
        let at = self.conn.poll_timeout().expect("a timer is armed");
        self.now = self.now.max(at);
        self.conn.handle_timeout(self.now);
        self.flush();
        self.now
    }

    pub fn drain_events(&mut self) -> Vec<TcpEvent> {
        core::iter::from_fn(|| self.conn.poll_event()).collect()
    }

    /// Send `data` as the application and return how much was queued.
    pub fn send(&mut self, data: &[u8]) -> usize {
        self.conn.send(self.now, data).expect("send")
    }

    /// Read everything readable.
    pub fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = self.conn.recv(&mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
        out
    }
}

/// The data the peer sends over relative range `seq..seq+len`.
pub fn peer_data(seq: u32, len: u32) -> Vec<u8> {
    (0..len).map(|i| peer_byte(seq + i)).collect()
}

#[allow(dead_code)]
pub fn any() -> Num {
    Num::Any
}
