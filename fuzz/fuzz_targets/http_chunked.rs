//! Fuzz target `http_chunked`: see `apps::http::fuzz::http_chunked` for what it checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| apps::http::fuzz::http_chunked(data));
