//! Fuzz target `tftp`: see `apps::tftp::fuzz::tftp` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apps::tftp::fuzz::tftp(data));
