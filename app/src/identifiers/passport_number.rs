use super::{FieldError, non_blank, upper_alphanumeric};
use serde::{Deserialize, Serialize};

/// A passport number, Kenyan or foreign, as printed on the data page:
/// 6 to 9 letters and digits (Kenyan e-passports look like `AK0123456`).
///
/// Countries number passports differently, so only the common shape is
/// checked; the number is upper-cased because the printed one always is.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassportNumber(String);

impl PassportNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::PassportMissing)?;
        upper_alphanumeric(value, 6..=9)
            .map(Self)
            .ok_or(FieldError::PassportFormat)
    }
}

string_identifier!(PassportNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_kenyan_e_passport_number_is_accepted() {
        assert_eq!(
            PassportNumber::parse("AK0123456").unwrap().as_ref(),
            "AK0123456"
        );
    }

    #[test]
    fn a_number_typed_in_lower_case_is_upper_cased_and_trimmed() {
        assert_eq!(
            PassportNumber::parse("  ak0123456 ").unwrap().as_ref(),
            "AK0123456"
        );
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(PassportNumber::parse(""), Err(FieldError::PassportMissing));
    }

    #[test]
    fn numbers_of_the_wrong_length_or_with_punctuation_are_rejected() {
        for bad in ["AK012", "AK01234567", "AK 012345", "AK-012345", "AKÖ12345"] {
            assert_eq!(
                PassportNumber::parse(bad),
                Err(FieldError::PassportFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert!(serde_json::from_str::<PassportNumber>("\"AK0123456\"").is_ok());
        assert!(serde_json::from_str::<PassportNumber>("\"AK\"").is_err());
    }

    proptest! {
        #[test]
        fn any_six_to_nine_letters_and_digits_parse_upper_cased(number in "[A-Za-z0-9]{6,9}") {
            prop_assert_eq!(PassportNumber::parse(&number).unwrap().to_string(), number.to_ascii_uppercase());
        }

        #[test]
        fn a_parsed_number_parses_to_itself_again(number in "[A-Za-z0-9]{6,9}") {
            let parsed = PassportNumber::parse(&number).unwrap();
            prop_assert_eq!(PassportNumber::parse(parsed.as_ref()), Ok(parsed.clone()));
        }

        #[test]
        fn any_other_length_is_rejected(number in "[A-Za-z0-9]{1,5}|[A-Za-z0-9]{10,20}") {
            prop_assert_eq!(PassportNumber::parse(&number), Err(FieldError::PassportFormat));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = PassportNumber::parse(&input);
        }
    }
}
