//! Fuzz target `arp`: see `synack::fuzz::arp` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::arp(data));
