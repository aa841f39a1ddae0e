use super::{FieldError, is_ascii_digits, non_blank};
use serde::{Deserialize, Serialize};

/// The number printed on a Kenyan national ID card: 7 digits on older
/// cards, 8 on newer ones.
///
/// The number has no published check digit, so none is checked: a typo that
/// keeps the shape is caught later, against the registry.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalIdNumber(String);

impl NationalIdNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::NationalIdMissing)?;
        // Inner spaces are refused rather than removed: a space in the middle
        // more often means two numbers pasted together than one split up.
        if is_ascii_digits(value, 7..=8) {
            Ok(Self(value.to_string()))
        } else {
            Err(FieldError::NationalIdFormat)
        }
    }
}

string_identifier!(NationalIdNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seven_and_eight_digit_numbers_are_accepted() {
        assert_eq!(
            NationalIdNumber::parse("1234567").unwrap().as_ref(),
            "1234567"
        );
        assert_eq!(
            NationalIdNumber::parse("12345678").unwrap().as_ref(),
            "12345678"
        );
    }

    #[test]
    fn surrounding_spaces_are_trimmed() {
        assert_eq!(
            NationalIdNumber::parse("  12345678\t").unwrap().to_string(),
            "12345678"
        );
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(
            NationalIdNumber::parse(""),
            Err(FieldError::NationalIdMissing)
        );
        assert_eq!(
            NationalIdNumber::parse("   "),
            Err(FieldError::NationalIdMissing)
        );
    }

    #[test]
    fn too_short_too_long_and_non_digit_numbers_are_rejected() {
        for bad in [
            "123456",
            "123456789",
            "1234 5678",
            "1234567A",
            "-1234567",
            "１２３４５６７",
        ] {
            assert_eq!(
                NationalIdNumber::parse(bad),
                Err(FieldError::NationalIdFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn it_serialises_as_the_bare_number() {
        let id = NationalIdNumber::parse("12345678").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"12345678\"");
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert!(serde_json::from_str::<NationalIdNumber>("\"12345678\"").is_ok());
        assert!(serde_json::from_str::<NationalIdNumber>("\"12\"").is_err());
    }

    proptest! {
        #[test]
        fn any_seven_or_eight_digits_parse_to_themselves(digits in "[0-9]{7,8}") {
            prop_assert_eq!(NationalIdNumber::parse(&digits).unwrap().to_string(), digits.as_str());
        }

        #[test]
        fn any_other_length_of_digits_is_rejected(digits in "[0-9]{1,6}|[0-9]{9,20}") {
            prop_assert_eq!(NationalIdNumber::parse(&digits), Err(FieldError::NationalIdFormat));
        }

        #[test]
        fn a_number_with_a_non_digit_inside_is_rejected(
            (head, other, tail) in ("[0-9]{3}", "[^0-9\\s]", "[0-9]{4}"),
        ) {
            let input = format!("{head}{other}{tail}");
            prop_assert_eq!(NationalIdNumber::parse(&input), Err(FieldError::NationalIdFormat));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = NationalIdNumber::parse(&input);
        }

        #[test]
        fn a_parsed_number_survives_a_trip_through_json(digits in "[0-9]{7,8}") {
            let id = NationalIdNumber::parse(&digits).unwrap();
            let back: NationalIdNumber = serde_json::from_str(&serde_json::to_string(&id).unwrap()).unwrap();
            prop_assert_eq!(back, id);
        }
    }
}
