//! Fuzz target `ethernet`: see `synack::fuzz::ethernet` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::ethernet(data));
