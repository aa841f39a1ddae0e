use super::{FieldError, non_blank};
use ::email_address::Options;
use serde::{Deserialize, Serialize};

/// An email address as the person typed it, except that the domain is
/// lower-cased: domains are case-insensitive, but the part before the `@`
/// may not be, so it is left alone.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// RFC 5321's limit on a forward path, less the angle brackets around it.
const MAX_CHARS: usize = 254;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = non_blank(input).ok_or(FieldError::EmailMissing)?;
        if value.chars().count() > MAX_CHARS {
            return Err(FieldError::EmailTooLong);
        }
        // Stricter than the crate's defaults: a citizen's address has a
        // top-level domain, and never a display name or an IP literal.
        let options = Options::default()
            .with_required_tld()
            .without_display_text()
            .without_domain_literal();
        ::email_address::EmailAddress::parse_with_options(value, options)
            .map_err(|_| FieldError::EmailFormat)?;
        // The domain cannot contain an '@', so the last one separates it.
        let (local_part, domain) = value.rsplit_once('@').ok_or(FieldError::EmailFormat)?;
        Ok(Self(format!("{local_part}@{}", domain.to_lowercase())))
    }
}

string_identifier!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_plain_address_is_accepted_unchanged() {
        assert_eq!(
            EmailAddress::parse("wanjiru@example.co.ke")
                .unwrap()
                .as_ref(),
            "wanjiru@example.co.ke"
        );
    }

    #[test]
    fn only_the_domain_is_lower_cased() {
        assert_eq!(
            EmailAddress::parse(" Wanjiru.K@Example.CO.KE ")
                .unwrap()
                .as_ref(),
            "Wanjiru.K@example.co.ke"
        );
    }

    #[test]
    fn an_empty_field_is_reported_as_missing() {
        assert_eq!(EmailAddress::parse("\t"), Err(FieldError::EmailMissing));
    }

    #[test]
    fn addresses_in_the_wrong_format_are_rejected() {
        for bad in [
            "wanjiru",
            "wanjiru@",
            "@example.com",
            "wanjiru@localhost",
            "wanjiru@@example.com",
            "wanjiru @example.com",
            "wanjiru@example..com",
            "Wanjiru <wanjiru@example.com>",
            "wanjiru@[127.0.0.1]",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(FieldError::EmailFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_address_over_254_characters_is_too_long() {
        let long = format!("{}@{}.example.com", "a".repeat(60), "b".repeat(190));
        assert_eq!(EmailAddress::parse(&long), Err(FieldError::EmailTooLong));
    }

    #[test]
    fn deserialising_checks_the_address_again() {
        assert!(serde_json::from_str::<EmailAddress>("\"a@example.com\"").is_ok());
        assert!(serde_json::from_str::<EmailAddress>("\"not an address\"").is_err());
    }

    proptest! {
        #[test]
        fn simple_addresses_keep_their_local_part_and_lower_case_their_domain(
            local in "[A-Za-z0-9]{1,20}([._+-][A-Za-z0-9]{1,10})?",
            domain in "[A-Za-z0-9]{1,20}\\.(com|CO\\.KE|Org)",
        ) {
            let parsed = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(parsed.as_ref(), format!("{local}@{}", domain.to_lowercase()));
        }

        #[test]
        fn a_parsed_address_parses_to_itself_again(input in "[a-zA-Z0-9.@_-]{1,40}") {
            if let Ok(address) = EmailAddress::parse(&input) {
                prop_assert_eq!(EmailAddress::parse(address.as_ref()), Ok(address.clone()));
            }
        }

        #[test]
        fn text_without_an_at_sign_is_never_an_address(input in "[^@]{1,60}") {
            prop_assert!(EmailAddress::parse(&input).is_err());
        }
    }
}
