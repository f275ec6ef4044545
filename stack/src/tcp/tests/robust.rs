//! Random segments, timeouts and commands against a connection: it never
//! panics, and its invariants hold after every step.

use core::time::Duration;

use proptest::prelude::*;

use super::harness::{plain, Harness, LOCAL, PEER_ISS, REMOTE};
use crate::tcp::{Config, SeqNumber, Shutdown};
use crate::wire::tcp::{
    SackBlock, SackBlocks, TcpFlags, TcpOption, TcpOptions, TcpRepr, Timestamps,
};

#[derive(Debug, Clone)]
enum Op {
    Segment {
        flags: u16,
        seq: i32,
        ack: i32,
        window: u16,
        len: usize,
        urg: u16,
        ts: Option<u32>,
        sack: Option<(i32, i32)>,
    },
    Wait(u32),
    Send(usize),
    Recv,
    Shutdown,
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<u16>(), prop_oneof![-70_000..70_000i32, -10..3000i32], prop_oneof![-3000..3000i32, -2..3000i32], any::<u16>(), 0..2000usize, any::<u16>(),
              proptest::option::of(any::<u32>()), proptest::option::of((-3000..3000i32, -3000..3000i32)))
            .prop_map(|(flags, seq, ack, window, len, urg, ts, sack)| Op::Segment { flags, seq, ack, window, len, urg, ts, sack }),
        2 => (0..5_000u32).prop_map(Op::Wait),
        2 => (0..5000usize).prop_map(Op::Send),
        1 => Just(Op::Recv),
        1 => Just(Op::Shutdown),
        1 => Just(Op::Close),
    ]
}

fn apply(h: &mut Harness, op: &Op) {
    match *op {
        Op::Segment {
            flags,
            seq,
            ack,
            window,
            len,
            urg,
            ts,
            sack,
        } => {
            let status = h.conn.status();
            let mut options = TcpOptions::new();
            if let Some(tsval) = ts {
                options
                    .push(TcpOption::Timestamps(Timestamps { tsval, tsecr: 0 }))
                    .unwrap();
            }
            if let Some((l, r)) = sack {
                let block = SackBlock {
                    left_edge: status.snd_una + l as u32,
                    right_edge: status.snd_una + r as u32,
                };
                options
                    .push(TcpOption::Sack(SackBlocks::new(&[block]).unwrap()))
                    .unwrap();
            }
            let payload = vec![0x42; len];
            let seg = TcpRepr {
                src_port: REMOTE.port(),
                dst_port: LOCAL.port(),
                seq_number: status.rcv_nxt + seq as u32,
                ack_number: status.snd_una + ack as u32,
                flags: TcpFlags::from_bits_truncate(flags) - TcpFlags::RESERVED,
                window,
                urgent_pointer: urg,
                options,
                payload: &payload,
            };
            h.conn.handle_segment(h.now, &seg);
        }
        Op::Wait(ms) => h.advance(Duration::from_millis(u64::from(ms))),
        Op::Send(n) => {
            let _ = h.conn.send(h.now, &vec![1; n]);
        }
        Op::Recv => {
            let _ = h.conn.recv(&mut [0; 3000]);
        }
        Op::Shutdown => {
            let _ = h.conn.shutdown(Shutdown::Write);
        }
        Op::Close => {
            let _ = h.conn.close();
        }
    }
    h.flush();
}

fn check(h: &Harness, last_edge: &mut Option<SeqNumber>) {
    let c = &h.conn;
    assert!(c.snd.una <= c.snd.nxt, "SND.UNA <= SND.NXT");
    if c.state == crate::tcp::State::Closed {
        return; // the queues are gone
    }
    assert!(
        c.data_base >= c.snd.una || c.snd.una == c.snd.iss,
        "no acknowledged data kept"
    );
    assert!(
        c.snd.nxt <= c.data_end() + 1,
        "nothing sent beyond the data and FIN"
    );
    assert!(c.send_queue.len() <= c.config.send_buffer);
    if c.state.is_synchronized() && c.state.can_receive() {
        let edge = c.rcv.adv;
        if let Some(last) = *last_edge {
            assert!(edge >= last, "the offered window's right edge moved left");
        }
        *last_edge = Some(edge);
    }
    for out in &h.out {
        assert!(
            out.options.mss().is_none() || out.flags.contains(TcpFlags::SYN),
            "MUST-65"
        );
        assert!(out.payload.len() <= 1460);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn established_survives_random_input(ops in proptest::collection::vec(op(), 1..60), all in any::<bool>()) {
        let config = if all { Config { recv_buffer: 65535, ..Config::default() } } else { plain() };
        let mut h = if all {
            let mut h = Harness::connect(config);
            h.next_out();
            h.inject("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1 ecr 1,nop,wscale 3>");
            h
        } else {
            Harness::established_with(config)
        };
        let _ = PEER_ISS;
        let mut edge = None;
        for op in &ops {
            apply(&mut h, op);
            check(&h, &mut edge);
            h.out.clear();
        }
    }
}
