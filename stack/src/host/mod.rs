//! The reference host: everything below TCP (RFC 1122), sans-IO.
pub mod fragment;
pub mod reassembly;
