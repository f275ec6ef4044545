//! The seeds of the `pair` target: one workload and link per path
//! (`cargo run --example host_seeds` writes them to `corpus/pair/seed-<name>`).

use super::ops::*;

fn write(end: End, len: u16) -> Op {
    Op::Write(WriteOp { end, len })
}

fn scenario(setup: Setup, ops: Vec<Op>) -> Scenario {
    Scenario { setup, ops }
}

/// Every seed, by name.
pub fn seeds() -> Vec<(&'static str, Scenario)> {
    use End::{Client, Server};
    let clean = Setup::default();
    let lossy = Setup {
        drop: 10,
        duplicate: 5,
        reorder: 10,
        ..Setup::default()
    };
    vec![
        (
            "clean-both-ways",
            scenario(
                clean.clone(),
                vec![
                    Op::Wait(50),
                    write(Client, 4000),
                    write(Server, 3000),
                    Op::Wait(500),
                ],
            ),
        ),
        (
            "lossy-transfer",
            scenario(
                lossy.clone(),
                vec![
                    Op::Wait(2000),
                    write(Client, 4000),
                    write(Client, 4000),
                    Op::Wait(2000),
                    write(Server, 100),
                ],
            ),
        ),
        (
            "reorder-duplicate-delay",
            scenario(
                Setup {
                    duplicate: 30,
                    reorder: 30,
                    delay: 20,
                    jitter: 15,
                    ..Setup::default()
                },
                vec![
                    Op::Wait(400),
                    write(Client, 4000),
                    write(Server, 4000),
                    Op::Wait(1000),
                ],
            ),
        ),
        (
            "half-close",
            scenario(
                clean.clone(),
                vec![
                    Op::Wait(50),
                    write(Client, 100),
                    Op::Shutdown(Client),
                    Op::Wait(100),
                    write(Server, 4000),
                    Op::Wait(100),
                ],
            ),
        ),
        (
            "small-buffers-no-options",
            scenario(
                Setup {
                    buffer: 0,
                    timestamps: false,
                    sack: false,
                    window_scaling: false,
                    nodelay: true,
                    mss: 0,
                    ..Setup::default()
                },
                vec![Op::Wait(50), write(Client, 2000), Op::Wait(2000)],
            ),
        ),
        (
            "abort-mid-transfer",
            scenario(
                lossy,
                vec![
                    Op::Wait(2000),
                    write(Server, 8000),
                    Op::Wait(20),
                    Op::Abort(Client),
                ],
            ),
        ),
        (
            "corrupt-and-close",
            scenario(
                Setup {
                    corrupt: 10,
                    ..Setup::default()
                },
                vec![
                    Op::Wait(50),
                    write(Client, 6000),
                    Op::Wait(300),
                    Op::Close(Server),
                ],
            ),
        ),
    ]
}
