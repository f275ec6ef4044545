//! Fuzz target `pair`: two reference hosts on a faulty link, one TCP
//! connection and a workload; delivery and termination checked; see
//! `synack::fuzz::pair`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::fuzz::pair(data));
