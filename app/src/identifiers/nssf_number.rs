use super::{FieldError, non_blank, upper_alphanumeric};
use serde::{Deserialize, Serialize};

/// A member number with the National Social Security Fund.
///
/// No format is published, so only letters and digits, 4 to 20 of them, are
/// checked; the number is upper-cased so that the same card matches itself.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NssfNumber(String);

impl NssfNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::NssfMissing)?;
        upper_alphanumeric(value, 4..=20)
            .map(Self)
            .ok_or(FieldError::NssfFormat)
    }
}

string_identifier!(NssfNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_member_number_is_accepted_upper_cased() {
        assert_eq!(
            NssfNumber::parse(" 2001234567 ").unwrap().as_ref(),
            "2001234567"
        );
        assert_eq!(NssfNumber::parse("ab12").unwrap().as_ref(), "AB12");
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(NssfNumber::parse(""), Err(FieldError::NssfMissing));
    }

    #[test]
    fn numbers_of_the_wrong_length_or_with_punctuation_are_rejected() {
        for bad in ["12", "123456789012345678901", "2001-234567", "2001 234567"] {
            assert_eq!(NssfNumber::parse(bad), Err(FieldError::NssfFormat), "{bad}");
        }
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert!(serde_json::from_str::<NssfNumber>("\"2001234567\"").is_ok());
        assert!(serde_json::from_str::<NssfNumber>("\"20-01\"").is_err());
    }

    proptest! {
        #[test]
        fn any_four_to_twenty_letters_and_digits_parse_upper_cased(number in "[A-Za-z0-9]{4,20}") {
            let parsed = NssfNumber::parse(&number).unwrap();
            prop_assert_eq!(parsed.as_ref(), number.to_ascii_uppercase());
            prop_assert_eq!(NssfNumber::parse(parsed.as_ref()), Ok(parsed.clone()));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = NssfNumber::parse(&input);
        }
    }
}
