//! Fuzz target `dns`: see `apps::dns::fuzz::dns` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apps::dns::fuzz::dns(data));
