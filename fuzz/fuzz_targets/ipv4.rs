//! Fuzz target `ipv4`: see `synack::fuzz::ipv4` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::ipv4(data));
