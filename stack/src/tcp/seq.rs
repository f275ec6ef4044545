//! TCP sequence numbers and their modular arithmetic.
//!
//! RFC 9293 3.4: "It is essential to remember that the actual sequence number
//! space is finite, though very large ... the comparison of sequence numbers
//! must be done modulo 2**32." Every later piece of TCP code compares
//! [`SeqNumber`]s, never raw `u32`s, so that wrap-around is handled in one place.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Sub};

/// A TCP sequence (or acknowledgment) number: a point in the 2^32 circle.
///
/// Ordering is *serial-number* ordering (RFC 1982 style, as RFC 9293 3.4
/// requires): `a < b` when `b` is less than 2^31 ahead of `a`. This order is
/// not transitive over the whole space, which is why `SeqNumber` implements
/// [`PartialOrd`] but not `Ord`; the two points exactly 2^31 apart are
/// unordered (`partial_cmp` returns `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// Return the raw 32-bit value, as carried on the wire.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Return the signed distance from `self` to `other` (`other - self`),
    /// interpreted in the half-open range [-2^31, 2^31).
    pub const fn distance_to(self, other: SeqNumber) -> i32 {
        other.0.wrapping_sub(self.0) as i32
    }

    /// Return whether `self` lies in the half-open window `[start, start + len)`.
    ///
    /// This is the building block of the RFC 9293 3.10.7.4 acceptability
    /// test; a window of length zero contains nothing.
    pub const fn in_window(self, start: SeqNumber, len: u32) -> bool {
        self.0.wrapping_sub(start.0) < len
    }

    /// Return whether `start <= self <= end` in sequence space, with `end`
    /// reached from `start` by going forward (both bounds included).
    pub const fn in_range_inclusive(self, start: SeqNumber, end: SeqNumber) -> bool {
        self.0.wrapping_sub(start.0) <= end.0.wrapping_sub(start.0)
    }

    /// Return the larger of two sequence numbers in serial order (`self` on a tie
    /// or when they are unordered).
    pub fn max(self, other: SeqNumber) -> SeqNumber {
        if other > self {
            other
        } else {
            self
        }
    }

    /// Return the smaller of two sequence numbers in serial order (`self` on a
    /// tie or when they are unordered).
    pub fn min(self, other: SeqNumber) -> SeqNumber {
        if other < self {
            other
        } else {
            self
        }
    }
}

impl PartialOrd for SeqNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let d = self.distance_to(*other);
        match d {
            0 => Some(Ordering::Equal),
            i32::MIN => None,
            d if d > 0 => Some(Ordering::Less),
            _ => Some(Ordering::Greater),
        }
    }
}

impl Add<u32> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(rhs))
    }
}

impl AddAssign<u32> for SeqNumber {
    fn add_assign(&mut self, rhs: u32) {
        self.0 = self.0.wrapping_add(rhs);
    }
}

impl Sub<u32> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(rhs))
    }
}

impl Sub for SeqNumber {
    type Output = i32;
    /// Return the signed distance `self - rhs` (see [`SeqNumber::distance_to`]).
    fn sub(self, rhs: SeqNumber) -> i32 {
        rhs.distance_to(self)
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordering_wraps_around() {
        let a = SeqNumber(u32::MAX - 10);
        let b = a + 20; // wrapped past zero
        assert_eq!(b.0, 9);
        assert!(a < b);
        assert!(b > a);
        assert_eq!(b - a, 20);
        assert_eq!(a - b, -20);
    }

    #[test]
    fn half_circle_apart_is_unordered() {
        let a = SeqNumber(5);
        let b = a + (1 << 31);
        assert_eq!(a.partial_cmp(&b), None);
        assert!(a.partial_cmp(&b).is_none() && b.partial_cmp(&a).is_none());
        assert_ne!(a.max(b), b.max(a), "max of unordered numbers keeps self");
    }

    #[test]
    fn window_membership_across_wrap() {
        let start = SeqNumber(u32::MAX - 1);
        assert!(start.in_window(start, 1));
        assert!((start + 3).in_window(start, 4));
        assert!(!(start + 4).in_window(start, 4));
        assert!(!SeqNumber(0).in_window(SeqNumber(0), 0));
        assert!((start + 2).in_range_inclusive(start, start + 2));
        assert!(!(start + 3).in_range_inclusive(start, start + 2));
    }

    proptest! {
        #[test]
        fn adding_less_than_half_is_greater(base: u32, step in 1u32..(1 << 31)) {
            let a = SeqNumber(base);
            prop_assert!(a + step > a);
            prop_assert_eq!((a + step) - a, step as i32);
            prop_assert_eq!((a + step).max(a), a + step);
            prop_assert_eq!((a + step).min(a), a);
        }
    }
}
