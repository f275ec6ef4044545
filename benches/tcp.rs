//! TCP figures, synack against smoltcp in the same run (issue 4, "Figures").
//!
//! ```text
//! cargo bench --bench tcp                         # everything, 1 GiB per transfer
//! cargo bench --bench tcp -- --bytes 256M --runs 5 --conns 10000 --only bulk,loss,conns
//! cargo bench --bench tcp -- --only bulk --stack synack   # one stack, for a profiler
//! ```
//!
//! **Bulk transfer.** synack: two reference hosts (`stack::host::Host`)
//! joined by `stack::device::LocalPipe` (no latency), a 1500-byte IP MTU, every
//! checksum computed and verified (`ChecksumPolicy::Verify`), each TCP
//! socket with 256 KiB send and receive buffers and the engine's defaults
//! otherwise (window scaling, timestamps, SACK, delayed ACK, NewReno).
//! smoltcp: one `Interface` on its `Loopback` device with two TCP sockets,
//! the device announcing a 1514-byte frame and every checksum on (see
//! `smoltcp_side`), the same 256 KiB buffers, RFC 7323 timestamps as on
//! synack (so both carry the same options and 1448 bytes of data per
//! segment; smoltcp's TSval reads the run's clock from a static the driver
//! sets, no clock read per segment), smoltcp's defaults otherwise (window
//! scaling, SACK-permitted, no congestion control without its
//! `socket-tcp-reno`/`-cubic` features). On both sides the
//! application copies the data in (`tcp_send` / `send_slice`) from a 64 KiB
//! pattern and out (`tcp_recv` / `recv_slice`) into a 64 KiB buffer, calling
//! the socket only when it has room or data; the sending socket has Nagle
//! off on both, so that the last short segment does not wait for a delayed
//! ACK. One untimed transfer per case checks every byte first. Both make
//! one heap allocation per frame and copy each frame once, into it: synack
//! builds each frame in a buffer of its own and hands it to the pipe
//! (`Device::send_owned`), smoltcp's loopback allocates a buffer for each
//! frame it is asked to transmit; each line printed counts the allocations.
//!
//! **One frame at a time.** Each stack takes in one received frame, and
//! sends what it causes, before the next: synack's driver drains
//! `Host::poll_transmit` after each `handle_frame`; smoltcp's link hands the
//! `Interface` one frame per `poll`. A pipe without latency otherwise hands
//! a receiver a whole window at once, which it acknowledges with one ACK
//! (RFC 9293 MUST-58), and a lost ACK then costs a retransmission timeout.
//! Both stacks acknowledge every second full segment this way.
//!
//! **Loss.** The same with each frame dropped with probability 1 % or 5 %:
//! synack through `stack::device::Faults` on each end of the pipe (drop
//! only), smoltcp through its link's drop, both seeded from the same seed
//! per run (run `i` uses seed `i + 1` for both).
//!
//! **The clock.** Both stacks see a clock that follows the wall clock
//! and, when both ends only wait for a timer (nothing to send, nothing in
//! flight), jumps to the deadline instead of sleeping; the jumped time is
//! counted. Goodput is the bytes read by the receiving application divided
//! by the CPU time of the run plus the time skipped, from the end of the
//! handshake to the last byte. CPU time, not wall time: the machines are
//! shared (a load of 10 on 2 cores is common), and the wall clock then
//! mostly counts other processes; on an idle machine the two agree, and
//! each run prints both. Without loss nothing is skipped; with loss a
//! retransmission timeout costs its full length (a 1 s minimum RTO on both
//! stacks), as it would on a real link with this little delay.
//!
//! **Why not criterion.** One sample is a transfer of up to 1 GiB, whose
//! time includes timer-driven recovery: criterion's model of many identical
//! short iterations does not fit. Each case runs `--runs` times (3 by
//! default), alternating the stacks, and the median run is reported, with
//! every run printed.
//!
//! **Concurrent connections.** `--conns` connections (10 000 by default)
//! opened in batches of 1000 and all established at once, each socket with
//! 4 KiB send and receive buffers, then closed by the client, then by the
//! server, then TIME-WAIT left to expire on a virtual clock (synack: 2MSL
//! with its default 2-minute MSL; smoltcp: its fixed 10 s) and the sockets
//! freed (synack's table frees them; smoltcp's are removed from the
//! `SocketSet`). The bytes of state per connection are the live heap bytes
//! (a counting global allocator, `stats_alloc`) added by opening them,
//! divided by the connections on both sides, less the buffers allocated
//! with each (synack: the 4 KiB receive ring; its send buffer is allocated
//! once data is queued, so never here; smoltcp: both 4 KiB buffers). This
//! counts everything a connection costs: its struct, its heap (timers,
//! queues, SACK bookkeeping), and its share of the tables (synack's slot
//! vector, 4-tuple map and deadline index; smoltcp's socket set). The CPU
//! time is the process's (`CLOCK_PROCESS_CPUTIME_ID`).
//!
//! Without `--bench` (as under `cargo test --benches`), a quick run: 8 MiB
//! per transfer, one run, 500 connections.

#[path = "tcp/clock.rs"]
mod clock;
#[path = "tcp/report.rs"]
mod report;
#[path = "tcp/smoltcp_side.rs"]
mod smoltcp_side;
#[path = "tcp/synack_side.rs"]
mod synack_side;

use std::alloc::System;

use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

use report::{BulkParams, Conns, Row, Transfer};

/// Every allocation goes through this counter.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The send and receive buffers of a bulk transfer's sockets.
const BULK_BUFFER: usize = 256 * 1024;
/// The send and receive buffers of each of the many connections.
const CONN_BUFFER: usize = 4 * 1024;
/// Connections opened at once.
const CONN_BATCH: usize = 1000;
/// The loss rates.
const LOSSES: [f64; 2] = [0.01, 0.05];

/// The command line.
struct Args {
    bytes: u64,
    runs: usize,
    conns: usize,
    only: Vec<String>,
    /// Run one stack only (`synack` or `smoltcp`), for a profiler.
    stack: Option<String>,
}

impl Args {
    fn parse() -> Args {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = !args.iter().any(|a| a == "--bench");
        let mut parsed = Args {
            bytes: if quick { 8 << 20 } else { 1 << 30 },
            runs: if quick { 1 } else { 3 },
            conns: if quick { 500 } else { 10_000 },
            only: vec!["bulk".into(), "loss".into(), "conns".into()],
            stack: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = || it.next().expect("a value after the flag").clone();
            match arg.as_str() {
                "--bytes" => parsed.bytes = parse_size(&value()),
                "--runs" => parsed.runs = value().parse().expect("--runs N"),
                "--conns" => parsed.conns = value().parse().expect("--conns N"),
                "--only" => parsed.only = value().split(',').map(String::from).collect(),
                "--stack" => parsed.stack = Some(value()),
                _ => {}
            }
        }
        parsed
    }

    fn wants(&self, what: &str) -> bool {
        self.only.iter().any(|o| o == what)
    }

    fn runs_stack(&self, name: &str) -> bool {
        self.stack.as_deref().is_none_or(|s| s == name)
    }
}

/// Parse `1073741824`, `256M`, `1G` (binary units).
fn parse_size(s: &str) -> u64 {
    let (digits, shift) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 10),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 20),
        Some(b'G' | b'g') => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    digits.parse::<u64>().expect("a size like 1G or 256M") << shift
}

/// Run one bulk case on both stacks and return (synack, smoltcp) medians
/// (`None` for a stack left out with `--stack`).
fn bulk_case(args: &Args, name: &str, drop: f64) -> (Option<Transfer>, Option<Transfer>) {
    let params = |bytes, seed, verify| BulkParams {
        bytes,
        buffer: BULK_BUFFER,
        drop,
        seed,
        verify,
    };
    type Bulk = fn(&BulkParams) -> Transfer;
    let stacks: [(&str, Bulk); 2] = [
        ("synack", synack_side::bulk),
        ("smoltcp", smoltcp_side::bulk),
    ];
    let stacks: Vec<_> = stacks
        .into_iter()
        .filter(|(n, _)| args.runs_stack(n))
        .collect();
    // Every byte checked once, untimed.
    let check = params(args.bytes.min(8 << 20), 1, true);
    for (_, bulk) in &stacks {
        assert_eq!(bulk(&check).bytes, check.bytes);
    }
    println!(
        "{name}: {} MiB per run, {} runs",
        args.bytes >> 20,
        args.runs
    );
    let mut runs = vec![Vec::new(); stacks.len()];
    for run in 0..args.runs {
        let p = params(args.bytes, run as u64 + 1, false);
        // Alternate which stack goes first.
        for i in 0..stacks.len() {
            let i = (i + run) % stacks.len();
            let (who, bulk) = stacks[i];
            let t = bulk(&p);
            t.print(who, name);
            runs[i].push(t);
        }
    }
    let mut medians = stacks
        .iter()
        .zip(runs)
        .map(|((who, _), r)| (*who, report::median(r)));
    let mut take = |who| medians.find(|(w, _)| *w == who).map(|(_, t)| t);
    (take("synack"), take("smoltcp"))
}

fn conns_case(args: &Args) -> (Option<Conns>, Option<Conns>) {
    println!(
        "conns: {} concurrent connections, {} B buffers",
        args.conns, CONN_BUFFER
    );
    let ours = args.runs_stack("synack").then(|| {
        let c = synack_side::conns(args.conns, CONN_BATCH, CONN_BUFFER);
        c.print("synack");
        c
    });
    let theirs = args.runs_stack("smoltcp").then(|| {
        let c = smoltcp_side::conns(args.conns, CONN_BATCH, CONN_BUFFER);
        c.print("smoltcp");
        c
    });
    (ours, theirs)
}

fn main() {
    let args = Args::parse();
    let mut rows = Vec::new();
    let goodput = |what: String, medians| match medians {
        (Some(a), Some(b)) => Some(Row {
            what,
            synack: Transfer::gbps(&a),
            smoltcp: Transfer::gbps(&b),
            higher_is_better: true,
        }),
        _ => None,
    };
    if args.wants("bulk") {
        let medians = bulk_case(&args, "no loss", 0.0);
        rows.extend(goodput("goodput, no loss (Gbit/s)".into(), medians));
    }
    if args.wants("loss") {
        for drop in LOSSES {
            let name = format!("{:.0} % loss", drop * 100.0);
            let medians = bulk_case(&args, &name, drop);
            rows.extend(goodput(format!("goodput, {name} (Gbit/s)"), medians));
        }
    }
    if args.wants("conns") {
        if let (Some(a), Some(b)) = conns_case(&args) {
            let n = args.conns;
            rows.push(Row {
                what: format!("state per connection, {n} open (bytes, buffers excluded)"),
                synack: a.state_bytes,
                smoltcp: b.state_bytes,
                higher_is_better: false,
            });
            rows.push(Row {
                what: format!("CPU time to open and close {n} (s)"),
                synack: a.cpu().as_secs_f64(),
                smoltcp: b.cpu().as_secs_f64(),
                higher_is_better: false,
            });
        }
    }
    report::print_table(&rows);
}
