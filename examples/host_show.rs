//! Print the op list a stateful fuzz input decodes to, then replay it.
//!
//!     cargo run --example host_show -- fuzz/artifacts/host/crash-<hash>
//!     cargo run --example host_show -- tcp_connection <input file>
//!     cargo run --example host_show -- pair <input file>
//!
//! The replay is the target's body (`synack::fuzz::<target>`), so a crash
//! shows its panic message after the ops that led to it.

use synack::fuzz::{host, pair, tcp_connection};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (target, path) = match args.as_slice() {
        [path] => ("host", path),
        [target, path] => (target.as_str(), path),
        _ => {
            eprintln!("usage: host_show [host|tcp_connection|pair] <input file>");
            std::process::exit(2);
        }
    };
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    match target {
        "host" => {
            let scenario = host::Scenario::decode(&data);
            println!("{:#?}", scenario.setup);
            for (i, op) in scenario.ops.iter().enumerate() {
                println!("op {i}: {op:?}");
            }
        }
        "tcp_connection" => {
            let scenario = tcp_connection::Scenario::decode(&data);
            println!("{:#?}", scenario.setup);
            for (i, op) in scenario.ops.iter().enumerate() {
                println!("op {i}: {op:?}");
            }
        }
        "pair" => {
            let scenario = pair::Scenario::decode(&data);
            println!("{:#?}", scenario.setup);
            for (i, op) in scenario.ops.iter().enumerate() {
                println!("op {i}: {op:?}");
            }
        }
        _ => {
            eprintln!("no stateful target {target}");
            std::process::exit(2);
        }
    }
    let start = std::time::Instant::now();
    match target {
        "host" => synack::fuzz::host(&data),
        "tcp_connection" => synack::fuzz::tcp_connection(&data),
        _ => synack::fuzz::pair(&data),
    }
    println!("replayed in {:?}: no invariant broken", start.elapsed());
}
