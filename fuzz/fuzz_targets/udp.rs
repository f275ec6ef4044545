//! Fuzz target `udp`: see `synack::fuzz::udp` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::udp(data));
