//! What a citizen typed into a form, and what is wrong with it.
//!
//! The server reads a submitted form into a `Form`, checks it with the
//! identifier types, and renders the page again from the same `Form` when
//! something is wrong: every value comes back as typed, each field shows its
//! own message, and the error summary lists them all.

use crate::components::error_summary::FieldProblem;
use crate::i18n::Locale;
use crate::identifiers::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest value kept from any one field: longer input is cut here, before
/// any checks, so a hostile post cannot make the server hold megabytes.
pub const MAX_FIELD_CHARS: usize = 500;

/// One problem with one field (`field` is the form name, which is also the
/// input's id; a date's three inputs are `{name}-day`, `-month`, `-year`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    pub field: String,
    pub error: FieldError,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, error: FieldError) -> Self {
        FieldIssue {
            field: field.into(),
            error,
        }
    }
}

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    pub values: BTreeMap<String, String>,
    pub errors: Vec<FieldIssue>,
}

/// Names only: the values are personal data.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("fields", &self.values.keys().collect::<Vec<_>>())
            .field("errors", &self.errors)
            .finish()
    }
}

/// Control characters (other than tab and newline) never reach storage.
fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(MAX_FIELD_CHARS)
        .collect()
}

impl Form {
    /// From the submitted name/value pairs. Only the names a page expects
    /// are kept; a repeated name keeps its first value.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        expected: &[&str],
    ) -> Self {
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            if expected.contains(&name) && !values.contains_key(name) {
                values.insert(name.to_string(), clean(value));
            }
        }
        Form {
            values,
            errors: Vec::new(),
        }
    }

    pub fn with_values(values: BTreeMap<String, String>) -> Self {
        Form {
            values,
            errors: Vec::new(),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    /// The first problem with a field: the date's three inputs share one.
    pub fn error(&self, name: &str) -> Option<FieldError> {
        self.errors
            .iter()
            .find(|issue| issue.field == name)
            .map(|issue| issue.error)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The error summary's lines, in the reader's language. A date links to
    /// its day field.
    pub fn problems(&self, locale: Locale) -> Vec<FieldProblem> {
        self.errors
            .iter()
            .map(|issue| FieldProblem {
                field_id: if issue.field.ends_with("dob")
                    || self.values.contains_key(&format!("{}-day", issue.field))
                {
                    format!("{}-day", issue.field)
                } else {
                    issue.field.clone()
                },
                message: issue.error.message(locale).to_string(),
            })
            .collect()
    }
}

/// A sign-in code as typed: six digits, spaces and hyphens ignored (people
/// paste "123 456"). The server compares it with the hash it kept.
pub fn sign_in_code_digits(input: &str) -> Result<String, FieldError> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() {
        return Err(FieldError::CodeMissing);
    }
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::CodeFormat);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_expected_names_and_the_first_of_each() {
        let form = Form::from_pairs(
            [("a", "1"), ("b", "2"), ("a", "3"), ("evil", "x")],
            &["a", "b"],
        );
        assert_eq!(form.value("a"), "1");
        assert_eq!(form.value("b"), "2");
        assert_eq!(form.value("evil"), "");
    }

    #[test]
    fn strips_control_characters_and_caps_length() {
        let long = "x".repeat(10_000);
        let form = Form::from_pairs(
            [("a", "Wan\u{0}jiru\u{1b}[31m"), ("b", long.as_str())],
            &["a", "b"],
        );
        assert_eq!(form.value("a"), "Wanjiru[31m");
        assert_eq!(form.value("b").len(), MAX_FIELD_CHARS);
    }

    #[test]
    fn codes_may_be_pasted_with_spaces() {
        assert_eq!(sign_in_code_digits(" 123 456 "), Ok("123456".to_string()));
        assert_eq!(sign_in_code_digits(""), Err(FieldError::CodeMissing));
        assert_eq!(sign_in_code_digits("12345"), Err(FieldError::CodeFormat));
        assert_eq!(sign_in_code_digits("12345a"), Err(FieldError::CodeFormat));
    }

    #[test]
    fn debug_shows_names_not_values() {
        let form = Form::from_pairs([("surname", "Otieno")], &["surname"]);
        assert!(!format!("{form:?}").contains("Otieno"));
    }
}
