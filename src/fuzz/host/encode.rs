//! The inverse of `arbitrary`'s decoding, for the types of the `host`
//! target: [`Encode`] writes the bytes that `Arbitrary` reads back as the
//! same value, so seeds can be written as op lists.
//!
//! The encoding is `arbitrary` 1.x's, for the few shapes the ops use:
//!
//! - integers: their little-endian bytes (`u8`, `u16`, `u32`, `u64`);
//! - `bool`: one byte, `1` or `0` (the decoder reads the low bit);
//! - an enum of `N` variants: a `u32` `v` whose variant is `(v * N) >> 32`,
//!   then the variant's field, if any (the types here have unit and
//!   one-field variants only);
//! - a struct: its fields in order;
//! - [`Bytes`]: a length byte, then that many bytes (a hand-written
//!   `Arbitrary`, so that no length is read from the end of the input).
//!
//! The types are declared through [`encoded_struct!`] and
//! [`encoded_enum!`], which derive `Arbitrary` and write `Encode` beside it,
//! so the two cannot drift apart; `tests.rs` checks the round trip.

use arbitrary::{Arbitrary, Result, Unstructured};

/// Write a value as the bytes `Arbitrary` decodes back to it.
pub trait Encode {
    /// Append the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);
}

macro_rules! encode_int {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

encode_int!(u8, u16, u32, u64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

/// Append the tag that `derive(Arbitrary)` decodes as variant `index` of
/// `count`: the smallest `v` with `(v * count) >> 32 == index`.
pub fn encode_variant(index: usize, count: usize, out: &mut Vec<u8>) {
    let v = ((index as u64) << 32).div_ceil(count as u64);
    // NOTE: `index < count`, so `v < 2^32`.
    (v as u32).encode(out);
}

/// Up to 255 bytes chosen by the input: a length byte, then the bytes (fewer
/// if the input ends first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl<'a> Arbitrary<'a> for Bytes {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = usize::from(u8::arbitrary(u)?).min(u.len());
        Ok(Bytes(u.bytes(len)?.to_vec()))
    }
}

impl Encode for Bytes {
    /// # Panics
    /// Panics past 255 bytes, which the decoder cannot give back.
    fn encode(&self, out: &mut Vec<u8>) {
        let len = u8::try_from(self.0.len()).expect("Bytes holds at most 255 bytes");
        len.encode(out);
        out.extend_from_slice(&self.0);
    }
}

/// Declare a struct that derives `Arbitrary` and implements [`Encode`].
macro_rules! encoded_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, arbitrary::Arbitrary)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        impl $crate::fuzz::host::encode::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $( $crate::fuzz::host::encode::Encode::encode(&self.$field, out); )*
            }
        }
    };
}

/// Declare an enum of unit and one-field variants that derives `Arbitrary`
/// and implements [`Encode`].
macro_rules! encoded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident $( ( $ty:ty ) )? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, arbitrary::Arbitrary)]
        pub enum $name {
            $( $(#[$vmeta])* $variant $( ($ty) )? ),*
        }

        impl $crate::fuzz::host::encode::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                let names: &[&str] = &[$( stringify!($variant) ),*];
                let mut index = 0;
                $(
                    encoded_enum!(@arm self, out, index, names.len(), $name, $variant $(, $ty)?);
                    index += 1;
                )*
                let _ = index;
            }
        }
    };
    (@arm $self:ident, $out:ident, $index:ident, $count:expr, $name:ident, $variant:ident, $ty:ty) => {
        if let $name::$variant(field) = $self {
            $crate::fuzz::host::encode::encode_variant($index, $count, $out);
            $crate::fuzz::host::encode::Encode::encode(field, $out);
        }
    };
    (@arm $self:ident, $out:ident, $index:ident, $count:expr, $name:ident, $variant:ident) => {
        if let $name::$variant = $self {
            $crate::fuzz::host::encode::encode_variant($index, $count, $out);
        }
    };
}

pub(crate) use {encoded_enum, encoded_struct};
