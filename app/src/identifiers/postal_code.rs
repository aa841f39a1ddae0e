use super::{FieldError, is_ascii_digits, non_blank};
use serde::{Deserialize, Serialize};

/// A Kenyan postal code: 5 digits naming a post office, such as `00100`
/// (Nairobi GPO). Leading zeros are part of the code.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::PostalCodeMissing)?;
        if is_ascii_digits(value, 5..=5) {
            Ok(Self(value.to_string()))
        } else {
            Err(FieldError::PostalCodeFormat)
        }
    }
}

string_identifier!(PostalCode);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_five_digit_code_is_accepted_with_its_leading_zeros() {
        assert_eq!(PostalCode::parse(" 00100 ").unwrap().as_ref(), "00100");
        assert_eq!(PostalCode::parse("80100").unwrap().as_ref(), "80100");
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(PostalCode::parse(""), Err(FieldError::PostalCodeMissing));
    }

    #[test]
    fn codes_that_are_not_five_digits_are_rejected() {
        for bad in ["100", "0010", "001000", "001 00", "GPO01", "00100-"] {
            assert_eq!(
                PostalCode::parse(bad),
                Err(FieldError::PostalCodeFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn deserialising_checks_the_code_again() {
        assert!(serde_json::from_str::<PostalCode>("\"00100\"").is_ok());
        assert!(serde_json::from_str::<PostalCode>("\"100\"").is_err());
    }

    proptest! {
        #[test]
        fn any_five_digits_parse_to_themselves(code in "[0-9]{5}") {
            prop_assert_eq!(PostalCode::parse(&code).unwrap().to_string(), code.as_str());
        }

        #[test]
        fn any_other_number_of_digits_is_rejected(code in "[0-9]{1,4}|[0-9]{6,12}") {
            prop_assert_eq!(PostalCode::parse(&code), Err(FieldError::PostalCodeFormat));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = PostalCode::parse(&input);
        }
    }
}
