use super::{FieldError, is_ascii_digits, non_blank};
use serde::{Deserialize, Serialize};

/// The entry number of a Kenyan birth certificate ("Entry No."), the key the
/// civil registry files a birth under.
///
/// Leading zeros are part of the number: the registry matches it as text.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BirthCertificateNumber(String);

impl BirthCertificateNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::BirthCertificateMissing)?;
        // People copy the number in the groups it is printed or read out in
        // ("0012 3456"); the spaces carry no meaning.
        let value: String = value.split_whitespace().collect();
        if is_ascii_digits(&value, 4..=10) {
            Ok(Self(value))
        } else {
            Err(FieldError::BirthCertificateFormat)
        }
    }
}

string_identifier!(BirthCertificateNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_entry_number_of_four_to_ten_digits_is_accepted() {
        for good in ["1234", "1234567", "1234567890"] {
            assert_eq!(BirthCertificateNumber::parse(good).unwrap().as_ref(), good);
        }
    }

    #[test]
    fn leading_zeros_are_kept() {
        assert_eq!(
            BirthCertificateNumber::parse("0001234").unwrap().as_ref(),
            "0001234"
        );
    }

    #[test]
    fn spaces_inside_the_number_are_removed() {
        assert_eq!(
            BirthCertificateNumber::parse(" 0012 3456 ")
                .unwrap()
                .as_ref(),
            "00123456"
        );
        assert_eq!(
            BirthCertificateNumber::parse("12 34\t56").unwrap().as_ref(),
            "123456"
        );
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(
            BirthCertificateNumber::parse(" "),
            Err(FieldError::BirthCertificateMissing)
        );
    }

    #[test]
    fn letters_punctuation_and_wrong_lengths_are_rejected() {
        for bad in [
            "123",
            "12345678901",
            "1234-5678",
            "B1234567",
            "12 3",
            "1234.0",
        ] {
            assert_eq!(
                BirthCertificateNumber::parse(bad),
                Err(FieldError::BirthCertificateFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert!(serde_json::from_str::<BirthCertificateNumber>("\"00123456\"").is_ok());
        assert!(serde_json::from_str::<BirthCertificateNumber>("\"ABC\"").is_err());
    }

    proptest! {
        #[test]
        fn any_four_to_ten_digits_parse_to_themselves(digits in "[0-9]{4,10}") {
            prop_assert_eq!(BirthCertificateNumber::parse(&digits).unwrap().to_string(), digits.as_str());
        }

        #[test]
        fn spaces_anywhere_do_not_change_the_number(
            digits in "[0-9]{4,10}",
            cuts in proptest::collection::vec(0usize..10, 0..4),
        ) {
            let mut spaced = digits.clone();
            for cut in cuts.into_iter().rev() {
                spaced.insert(cut.min(spaced.len()), ' ');
            }
            prop_assert_eq!(BirthCertificateNumber::parse(&spaced).unwrap().to_string(), digits.as_str());
        }

        #[test]
        fn a_parsed_number_parses_to_itself_again(input in "[0-9 ]{0,16}") {
            if let Ok(number) = BirthCertificateNumber::parse(&input) {
                prop_assert_eq!(BirthCertificateNumber::parse(number.as_ref()), Ok(number.clone()));
            }
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = BirthCertificateNumber::parse(&input);
        }
    }
}
