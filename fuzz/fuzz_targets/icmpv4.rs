//! Fuzz target `icmpv4`: see `synack::fuzz::icmpv4` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::icmpv4(data));
