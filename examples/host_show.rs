//! Print the op list a `host` fuzz input decodes to, then replay it.
//!
//!     cargo run --example host_show -- fuzz/artifacts/host/crash-<hash>
//!
//! The replay is `synack::fuzz::host`, so a crash shows its panic message
//! after the ops that led to it.

use synack::fuzz::host::Scenario;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: host_show <input file>");
        std::process::exit(2);
    };
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scenario = Scenario::decode(&data);
    println!("{:#?}", scenario.setup);
    for (i, op) in scenario.ops.iter().enumerate() {
        println!("op {i}: {op:?}");
    }
    synack::fuzz::host(&data);
    println!("replayed: no invariant broken");
}
