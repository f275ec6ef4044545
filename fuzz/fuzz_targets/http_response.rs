//! Fuzz target `http_response`: see `apps::http::fuzz::http_response` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apps::http::fuzz::http_response(data));
