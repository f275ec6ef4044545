//! Fuzz target `http_request`: see `apps::http::fuzz::http_request` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apps::http::fuzz::http_request(data));
