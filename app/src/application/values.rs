//! The small types the answers are made of that are not identifiers of
//! their own: sex, a free-text location, the language for messages, and
//! the channel an application came by.

use crate::identifiers::FieldError;
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Sex {
        Female => "F",
        Male => "M",
    }
}

crate::coded_enum! {
    /// How an application was made: on the web (every task, the photo
    /// uploaded), or by USSD (pre-registration: the registry's details and
    /// a contact; the photo taken at the counter at enrolment).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Channel {
        Web => "web",
        Ussd => "ussd",
    }
}

impl Sex {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::from_code(input).ok_or(FieldError::SexMissing)
    }
}

/// A sub-county or location, as free text: letters, digits and a little
/// punctuation, at most 80 characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Location(String);

impl Location {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return Err(FieldError::LocationMissing);
        }
        if value.chars().count() > 80 {
            return Err(FieldError::LocationTooLong);
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || " ,.-'/".contains(c) || c == '\u{2019}')
        {
            return Err(FieldError::LocationCharacters);
        }
        Ok(Location(value))
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location(<redacted>)")
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Location {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        Self::parse(&value)
    }
}

impl From<Location> for String {
    fn from(value: Location) -> String {
        value.0
    }
}

crate::coded_enum! {
    /// The language the citizen wants messages in.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum MessageLanguage {
        En => "en",
        Sw => "sw",
    }
}

impl MessageLanguage {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::from_code(input).ok_or(FieldError::LanguageMissing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_refuses_markup() {
        assert_eq!(
            Location::parse("<script>").unwrap_err(),
            FieldError::LocationCharacters
        );
        assert_eq!(
            Location::parse(&"a".repeat(81)).unwrap_err(),
            FieldError::LocationTooLong
        );
    }
}
