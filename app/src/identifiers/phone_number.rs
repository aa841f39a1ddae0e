use super::{FieldError, non_blank};
use phonenumber::{Mode, Type, country, metadata::DATABASE};
use serde::{Deserialize, Serialize};

/// A Kenyan mobile number, kept in E.164 form (`+254712345678`) however it
/// was typed (`0712 345 678`, `254712345678`, `+254 712 345678`). Only
/// mobiles are accepted because the service reaches people by text message.
///
/// Validation of phones happens on the server: never in an island (metadata too big for WASM).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

const KENYA_CALLING_CODE: u16 = 254;

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::PhoneMissing)?;
        // libphonenumber reads letters as keypad digits and "ext. 12" as an
        // extension; E.164 would then silently drop part of what was typed.
        let typed_as_a_number = value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            && value.rfind('+').is_none_or(|at| at == 0);
        if !typed_as_a_number {
            return Err(FieldError::PhoneFormat);
        }
        let number = phonenumber::parse(Some(country::Id::KE), value)
            .map_err(|_| FieldError::PhoneFormat)?;
        if number.code().value() != KENYA_CALLING_CODE {
            return Err(FieldError::PhoneNotKenyan);
        }
        if !phonenumber::is_valid(&number) {
            return Err(FieldError::PhoneFormat);
        }
        match number.number_type(&DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {
                Ok(Self(number.format().mode(Mode::E164).to_string()))
            }
            _ => Err(FieldError::PhoneNotMobile),
        }
    }
}

string_identifier!(PhoneNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(input: &str) -> String {
        PhoneNumber::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .to_string()
    }

    #[test]
    fn safaricom_airtel_and_telkom_mobiles_are_accepted_in_every_usual_form() {
        assert_eq!(e164("0712345678"), "+254712345678"); // Safaricom 07xx
        assert_eq!(e164("0712 345 678"), "+254712345678");
        assert_eq!(e164("254712345678"), "+254712345678");
        assert_eq!(e164("+254712345678"), "+254712345678");
        assert_eq!(e164("+254 (0) 712-345-678"), "+254712345678");
        assert_eq!(e164("0110 123 456"), "+254110123456"); // Safaricom 011x
        assert_eq!(e164("0100123456"), "+254100123456"); // Airtel 010x
        assert_eq!(e164("+254 101 234 567"), "+254101234567");
        assert_eq!(e164("0733 123456"), "+254733123456"); // Airtel 07xx
        assert_eq!(e164("0771234567"), "+254771234567"); // Telkom 07xx
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(PhoneNumber::parse(" "), Err(FieldError::PhoneMissing));
    }

    #[test]
    fn landlines_and_service_numbers_are_not_mobiles() {
        for landline in [
            "020 2222222",
            "+254 20 2222222",
            "041 2312345",
            "0800 723 253",
        ] {
            assert_eq!(
                PhoneNumber::parse(landline),
                Err(FieldError::PhoneNotMobile),
                "{landline}"
            );
        }
    }

    #[test]
    fn numbers_from_other_countries_are_not_kenyan() {
        for foreign in ["+255 712 345 678", "+256 772 123456", "+44 7700 900123"] {
            assert_eq!(
                PhoneNumber::parse(foreign),
                Err(FieldError::PhoneNotKenyan),
                "{foreign}"
            );
        }
    }

    #[test]
    fn numbers_of_the_wrong_length_or_with_letters_are_the_wrong_format() {
        for bad in [
            "07123",
            "07123456789",
            "0712 345 67",
            "0712 ABC DEF",
            "0712345678 ext 1",
            "07+12345678",
            "hello",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(FieldError::PhoneFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn deserialising_checks_the_number_again() {
        assert_eq!(
            serde_json::from_str::<PhoneNumber>("\"0712345678\"")
                .unwrap()
                .as_ref(),
            "+254712345678"
        );
        assert!(serde_json::from_str::<PhoneNumber>("\"020 2222222\"").is_err());
    }

    proptest! {
        #[test]
        fn any_07_mobile_gives_the_same_e164_in_all_three_forms(subscriber in "7[0-9]{8}") {
            let expected = format!("+254{subscriber}");
            for typed in [format!("0{subscriber}"), format!("254{subscriber}"), expected.clone()] {
                prop_assert_eq!(PhoneNumber::parse(&typed).unwrap().to_string(), expected.as_str());
            }
        }

        #[test]
        fn a_parsed_number_parses_to_itself_again(subscriber in "(7[0-9]|1[01])[0-9]{7}") {
            if let Ok(number) = PhoneNumber::parse(&format!("0{subscriber}")) {
                prop_assert_eq!(PhoneNumber::parse(number.as_ref()), Ok(number.clone()));
            }
        }

        #[test]
        fn parsing_never_panics(input in "\\PC{0,30}") {
            let _ = PhoneNumber::parse(&input);
        }
    }
}
