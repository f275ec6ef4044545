//! The `synack` command line.

fn main() {
    println!("synack {}", env!("CARGO_PKG_VERSION"));
}
