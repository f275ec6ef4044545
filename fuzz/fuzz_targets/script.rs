//! Fuzz target `script`: see `synack::fuzz::script` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::script(data));
