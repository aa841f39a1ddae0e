//! Enums kept as short text codes: in a database column, a form value or
//! an attribute of the page. One list of `Variant => "code"` pairs, given
//! to [`coded_enum!`](crate::coded_enum), makes the enum and both
//! directions of its codes, so they can never drift apart.

use std::fmt;

/// A text that is none of an enum's codes. Names the enum, never the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownCode {
    /// The enum the text was read as.
    pub of: &'static str,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a known {} code", self.of)
    }
}

impl std::error::Error for UnknownCode {}

/// Declares an enum from one list of `Variant => "code"` pairs, with:
///
/// - `ALL`: every variant, in the order listed;
/// - `code(self) -> &'static str`;
/// - `from_code(&str) -> Option<Self>`: exact match, no trimming or case
///   folding (a stored value that is not a code is not silently another);
/// - `TryFrom<String>` with [`UnknownCode`] as the error, for
///   `#[sqlx(try_from = "String")]` and `#[serde(try_from = "String")]`.
///
/// Attributes and doc comments on the enum and its variants are kept; the
/// enum must derive `Clone` and `Copy`. Two variants with the same code do
/// not compile without a warning (an unreachable pattern).
///
/// ```
/// app::coded_enum! {
///     /// What an appointment is for.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Kind {
///         /// Biometrics and a document check.
///         Enrolment => "enrolment",
///         Collection => "collection",
///     }
/// }
/// assert_eq!(Kind::Collection.code(), "collection");
/// assert_eq!(Kind::from_code("enrolment"), Some(Kind::Enrolment));
/// assert_eq!(Kind::from_code("Enrolment"), None);
/// assert_eq!(Kind::ALL.len(), 2);
/// assert!(Kind::try_from("other".to_string()).is_err());
/// ```
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $code:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in the order of the list.
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            /// The code that stands for this variant.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The variant `code` stands for, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                Self::from_code(&code).ok_or($crate::codes::UnknownCode {
                    of: stringify!($name),
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::UnknownCode;

    crate::coded_enum! {
        /// A test enum.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Colour {
            /// With a doc comment.
            Red => "red",
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn every_variant_round_trips_through_its_code() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
        for colour in Colour::ALL {
            assert_eq!(Colour::from_code(colour.code()), Some(colour));
            assert_eq!(Colour::try_from(colour.code().to_string()), Ok(colour));
        }
        assert_eq!(Colour::DarkBlue.code(), "dark_blue");
    }

    #[test]
    fn anything_else_is_unknown_and_the_error_does_not_repeat_it() {
        for text in ["", "Red", " red", "red ", "dark-blue", "green"] {
            assert_eq!(Colour::from_code(text), None, "{text:?}");
        }
        let error = Colour::try_from("secret value".to_string()).unwrap_err();
        assert_eq!(error, UnknownCode { of: "Colour" });
        assert_eq!(error.to_string(), "not a known Colour code");
    }
}
