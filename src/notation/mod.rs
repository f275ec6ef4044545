//! packetdrill segment notation: parsing it into a [`SegmentPattern`] (what
//! an `out` step expects, wildcards allowed) and building concrete segments
//! from it (what an `in` step injects).

pub(crate) mod cursor;
mod wild;

pub use cursor::{SyntaxError, EXPECTED_ADDRESS};
pub use wild::Wild;
