//! [`Wild`]: a value a pattern either fixes or leaves open (`*`).

use core::fmt;

/// A field of a pattern: any value (`*`), or exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Wild<T> {
    /// Any value matches (`*`, or a field left out).
    #[default]
    Any,
    /// Only this value matches.
    Exact(T),
}

impl<T: PartialEq> Wild<T> {
    /// Return whether `value` satisfies the pattern.
    pub fn matches(&self, value: &T) -> bool {
        match self {
            Wild::Any => true,
            Wild::Exact(v) => v == value,
        }
    }
}

impl<T: Copy> Wild<T> {
    /// Return the exact value, or `None` for [`Wild::Any`].
    pub fn exact(&self) -> Option<T> {
        match self {
            Wild::Any => None,
            Wild::Exact(v) => Some(*v),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Wild<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wild::Any => f.write_str("*"),
            Wild::Exact(v) => write!(f, "{v}"),
        }
    }
}
