//! Fuzz target `host`: a reference host driven by a list of operations,
//! its invariants checked after each; see `synack::fuzz::host`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::host(data));
