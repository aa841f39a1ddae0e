use super::{FieldError, non_blank};
use serde::{Deserialize, Serialize};

/// A person's KRA PIN (Kenya Revenue Authority taxpayer number), such as
/// `A012345678Z`.
///
/// PINs starting with `P` belong to companies and other non-individuals; a
/// person pasting their employer's PIN gets a message saying exactly that.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KraPin(String);

impl KraPin {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input)
            .ok_or(FieldError::KraPinMissing)?
            .to_ascii_uppercase();
        match value.as_bytes() {
            [kind @ (b'A' | b'P'), digits @ .., last]
                if digits.len() == 9
                    && digits.iter().all(u8::is_ascii_digit)
                    && last.is_ascii_uppercase() =>
            {
                if *kind == b'A' {
                    Ok(Self(value))
                } else {
                    Err(FieldError::KraPinCompany)
                }
            }
            _ => Err(FieldError::KraPinFormat),
        }
    }
}

string_identifier!(KraPin);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_personal_pin_is_accepted() {
        assert_eq!(
            KraPin::parse("A012345678Z").unwrap().as_ref(),
            "A012345678Z"
        );
    }

    #[test]
    fn a_pin_typed_in_lower_case_is_upper_cased() {
        assert_eq!(
            KraPin::parse(" a012345678z ").unwrap().as_ref(),
            "A012345678Z"
        );
    }

    #[test]
    fn a_company_pin_gets_its_own_message() {
        assert_eq!(KraPin::parse("P051234567Q"), Err(FieldError::KraPinCompany));
        assert_eq!(KraPin::parse("p051234567q"), Err(FieldError::KraPinCompany));
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(KraPin::parse("  "), Err(FieldError::KraPinMissing));
    }

    #[test]
    fn pins_of_the_wrong_shape_are_rejected() {
        for bad in [
            "A01234567Z",   // 8 digits
            "A0123456789Z", // 10 digits
            "B012345678Z",  // neither A nor P
            "A012345678",   // no final letter
            "A0123456789",  // a digit where the letter goes
            "A01234 678Z",  // a space inside
            "A012345678É",  // a letter, but not A to Z
            "P0512345",     // a company PIN, but too short to say so
        ] {
            assert_eq!(KraPin::parse(bad), Err(FieldError::KraPinFormat), "{bad}");
        }
    }

    #[test]
    fn deserialising_checks_the_pin_again() {
        assert!(serde_json::from_str::<KraPin>("\"A012345678Z\"").is_ok());
        assert!(serde_json::from_str::<KraPin>("\"P051234567Q\"").is_err());
    }

    proptest! {
        #[test]
        fn any_personal_pin_parses_in_either_case(pin in "[Aa][0-9]{9}[A-Za-z]") {
            prop_assert_eq!(KraPin::parse(&pin).unwrap().to_string(), pin.to_ascii_uppercase());
        }

        #[test]
        fn any_company_pin_is_refused_as_a_company_pin(pin in "[Pp][0-9]{9}[A-Za-z]") {
            prop_assert_eq!(KraPin::parse(&pin), Err(FieldError::KraPinCompany));
        }

        #[test]
        fn any_other_first_letter_is_the_wrong_format(pin in "[B-OQ-Zb-oq-z0-9][0-9]{9}[A-Z]") {
            prop_assert_eq!(KraPin::parse(&pin), Err(FieldError::KraPinFormat));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC*") {
            let _ = KraPin::parse(&input);
        }
    }
}
