//! Macros shared by the wire modules.

/// Define a lossless code-point enum: every value of the underlying integer
/// maps to a named variant or to `Unknown(n)`, and converts back unchanged.
///
/// Borrowed from smoltcp's `enum_with_unknown!`: a parser must be able to
/// re-emit exactly what it read, so unknown code points are kept, not dropped.
///
/// A second form gives every variant a mnemonic (`Name = 1 => "NAME"`) and
/// adds `mnemonic()`, which returns it (`None` for `Unknown`); the
/// application crates use it for the names their tools print.
#[macro_export]
macro_rules! enum_with_unknown {
    (
        $( #[$enum_attr:meta] )*
        pub enum $name:ident($ty:ty) {
            $(
              $( #[$variant_attr:meta] )*
              $variant:ident = $value:literal => $text:literal
            ),+ $(,)?
        }
    ) => {
        $crate::enum_with_unknown! {
            $( #[$enum_attr] )*
            pub enum $name($ty) {
                $(
                  $( #[$variant_attr] )*
                  $variant = $value
                ),+
            }
        }

        impl $name {
            /// Return the mnemonic of a named code point (as the usual
            /// tools print it), or `None` for an unknown one.
            pub const fn mnemonic(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text) ),*,
                    $name::Unknown(_) => None
                }
            }
        }
    };
    (
        $( #[$enum_attr:meta] )*
        pub enum $name:ident($ty:ty) {
            $(
              $( #[$variant_attr:meta] )*
              $variant:ident = $value:expr
            ),+ $(,)?
        }
    ) => {
        $( #[$enum_attr] )*
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Clone, Copy)]
        pub enum $name {
            $(
              $( #[$variant_attr] )*
              $variant
            ),*,
            /// A code point this implementation does not name, kept as read.
            Unknown($ty)
        }

        impl ::core::convert::From<$ty> for $name {
            fn from(value: $ty) -> Self {
                match value {
                    $( $value => $name::$variant ),*,
                    other => $name::Unknown(other)
                }
            }
        }

        impl ::core::convert::From<$name> for $ty {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => $value ),*,
                    $name::Unknown(other) => other
                }
            }
        }
    };
}
