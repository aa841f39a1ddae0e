//! The identifiers a citizen types into a form, each a type that can only
//! hold a valid value.
//!
//! Parse, don't validate: a `NationalIdNumber` exists only if `parse`
//! accepted it, and deserialising goes through `parse` too, so a value that
//! arrives from the browser is checked again on the server. The same code
//! runs in the WASM islands and in the server functions, so the instant
//! feedback and the final check can never disagree. The one exception is
//! `PhoneNumber`, whose rules are too large for the browser.

// Before the `mod` lines: macros are visible only below their definition.
/// The traits every string-backed identifier shares: read as `&str`, shown
/// as itself, and (de)serialised as the bare string through `parse`.
/// `Debug` is redacted: these are personal data, and `{:?}` ends up in
/// logs, panics and test output.
macro_rules! string_identifier {
    ($name:ident) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(
                    f,
                    concat!(stringify!($name), "(<{} chars redacted>)"),
                    self.0.chars().count()
                )
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::identifiers::FieldError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

pub mod application_reference;
mod birth_certificate_number;
mod county_code;
mod date_of_birth;
mod email_address;
mod error;
mod kra_pin;
mod national_id_number;
mod nhif_number;
mod nssf_number;
mod passport_number;
mod person_name;
mod phone_number;
mod postal_code;

pub use application_reference::ApplicationReference;
pub use birth_certificate_number::BirthCertificateNumber;
pub use county_code::{CountyCode, localised_place};
pub use date_of_birth::DateOfBirth;
pub use email_address::EmailAddress;
pub use error::FieldError;
pub use kra_pin::KraPin;
pub use national_id_number::NationalIdNumber;
pub use nhif_number::NhifNumber;
pub use nssf_number::NssfNumber;
pub use passport_number::PassportNumber;
pub use person_name::PersonName;
pub use phone_number::PhoneNumber;
pub use postal_code::PostalCode;

use std::ops::RangeInclusive;

/// The input without surrounding whitespace, or `None` if nothing is left:
/// an empty field gets "enter your …", not "that is the wrong format".
#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_value() {
        let id = NationalIdNumber::parse("12345678").unwrap();
        let name = PersonName::parse("Wanjiru").unwrap();
        assert_eq!(format!("{id:?}"), "NationalIdNumber(<8 chars redacted>)");
        assert!(!format!("{name:?}").contains("Wanjiru"));
    }
}

fn non_blank(input: &str) -> Option<&str> {
    Some(input.trim()).filter(|s| !s.is_empty())
}

fn is_ascii_digits(value: &str, lengths: RangeInclusive<usize>) -> bool {
    lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// Document numbers without a published format (passport, NHIF/SHA, NSSF):
/// letters and digits only, upper-cased because people type them either way.
fn upper_alphanumeric(value: &str, lengths: RangeInclusive<usize>) -> Option<String> {
    (lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| value.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_of_only_spaces_counts_as_blank() {
        assert_eq!(non_blank(" \t\n "), None);
        assert_eq!(non_blank(" 12 "), Some("12"));
    }

    #[test]
    fn digit_checks_count_bytes_so_non_ascii_digits_never_pass() {
        assert!(is_ascii_digits("1234", 4..=4));
        assert!(!is_ascii_digits("١٢٣٤", 4..=8));
        assert!(!is_ascii_digits("１２３４", 4..=12));
    }

    #[test]
    fn document_numbers_are_upper_cased_and_refuse_punctuation() {
        assert_eq!(upper_alphanumeric("ak12", 4..=4), Some("AK12".to_string()));
        assert_eq!(upper_alphanumeric("ak-12", 4..=9), None);
        assert_eq!(upper_alphanumeric("Äk12", 4..=9), None);
    }
}
