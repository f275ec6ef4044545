//! Fuzz target `tcp`: see `synack::fuzz::tcp` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::tcp(data));
