//! Fuzz target `frame`: see `synack::fuzz::frame` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::frame(data));
