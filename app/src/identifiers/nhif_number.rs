use super::{FieldError, non_blank, upper_alphanumeric};
use serde::{Deserialize, Serialize};

/// A member number with the Social Health Authority (SHA), or with the NHIF
/// it replaced: people still hold NHIF cards and the numbers carry over.
///
/// No format is published, so only letters and digits, 4 to 20 of them, are
/// checked; the number is upper-cased so that the same card matches itself.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhifNumber(String);

impl NhifNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::NhifMissing)?;
        upper_alphanumeric(value, 4..=20)
            .map(Self)
            .ok_or(FieldError::NhifFormat)
    }
}

string_identifier!(NhifNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_member_number_is_accepted_upper_cased() {
        assert_eq!(
            NhifNumber::parse(" cr1234567890 ").unwrap().as_ref(),
            "CR1234567890"
        );
        assert_eq!(NhifNumber::parse("1234").unwrap().as_ref(), "1234");
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(NhifNumber::parse(" "), Err(FieldError::NhifMissing));
    }

    #[test]
    fn numbers_of_the_wrong_length_or_with_punctuation_are_rejected() {
        for bad in ["123", "123456789012345678901", "1234/5678", "1234 5678"] {
            assert_eq!(NhifNumber::parse(bad), Err(FieldError::NhifFormat), "{bad}");
        }
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert!(serde_json::from_str::<NhifNumber>("\"12345678\"").is_ok());
        assert!(serde_json::from_str::<NhifNumber>("\"12\"").is_err());
    }

    proptest! {
        #[test]
        fn any_four_to_twenty_letters_and_digits_parse_upper_cased(number in "[A-Za-z0-9]{4,20}") {
            let parsed = NhifNumber::parse(&number).unwrap();
            prop_assert_eq!(parsed.as_ref(), number.to_ascii_uppercase());
            prop_assert_eq!(NhifNumber::parse(parsed.as_ref()), Ok(parsed.clone()));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = NhifNumber::parse(&input);
        }
    }
}
