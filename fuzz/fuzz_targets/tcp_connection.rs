//! Fuzz target `tcp_connection`: two reference TCP connections driven as
//! their peer and application, RFC 9293's invariants checked after every
//! step; see `synack::fuzz::tcp_connection`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::tcp_connection(data));
