use super::FieldError;
use crate::dates::{self, CivilDate, DateOfBirthProblem};
use serde::Serialize;

/// A date of birth typed into three fields (day, month, year): a real day,
/// in 1900 or later, and not after today in Nairobi. The rules are those of
/// `crate::dates`, which the eligibility checker uses too.
///
/// Deliberately not `Deserialize`: "not in the future" depends on the day
/// it is checked, so a date that arrives from the browser has to be parsed
/// again, with the server's today, rather than trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct DateOfBirth(CivilDate);

impl DateOfBirth {
    pub fn parse(day: &str, month: &str, year: &str, today: CivilDate) -> Result<Self, FieldError> {
        Ok(Self(dates::parse_date_of_birth(day, month, year, today)?))
    }

    pub fn date(self) -> CivilDate {
        self.0
    }
}

impl From<DateOfBirthProblem> for FieldError {
    fn from(problem: DateOfBirthProblem) -> Self {
        match problem {
            DateOfBirthProblem::Invalid => FieldError::DateOfBirthInvalid,
            DateOfBirthProblem::InFuture => FieldError::DateOfBirthInFuture,
            DateOfBirthProblem::BeforeEarliestYear => FieldError::DateOfBirthTooEarly,
        }
    }
}

/// ISO 8601, like every date the service stores.
impl std::fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<DateOfBirth> for String {
    fn from(value: DateOfBirth) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 25).unwrap()
    }

    #[test]
    fn three_fields_make_a_date_of_birth() {
        let born = DateOfBirth::parse(" 27", "3", "2007 ", today()).unwrap();
        assert_eq!(born.date(), CivilDate::new(2007, 3, 27).unwrap());
        assert_eq!(born.to_string(), "2007-03-27");
    }

    #[test]
    fn each_problem_from_the_date_rules_has_its_own_field_error() {
        assert_eq!(
            DateOfBirth::parse("31", "2", "2007", today()),
            Err(FieldError::DateOfBirthInvalid)
        );
        assert_eq!(
            DateOfBirth::parse("", "", "", today()),
            Err(FieldError::DateOfBirthInvalid)
        );
        assert_eq!(
            DateOfBirth::parse("26", "11", "2026", today()),
            Err(FieldError::DateOfBirthInFuture)
        );
        assert_eq!(
            DateOfBirth::parse("31", "12", "1899", today()),
            Err(FieldError::DateOfBirthTooEarly)
        );
    }

    #[test]
    fn today_is_a_possible_date_of_birth() {
        assert!(DateOfBirth::parse("25", "11", "2026", today()).is_ok());
    }

    #[test]
    fn it_serialises_as_an_iso_date() {
        let born = DateOfBirth::parse("1", "1", "2000", today()).unwrap();
        assert_eq!(serde_json::to_string(&born).unwrap(), "\"2000-01-01\"");
    }

    proptest! {
        #[test]
        fn any_real_past_date_from_1900_parses_to_itself(year in 1900i32..=2025, month in 1u8..=12, day in 1u8..=31) {
            let result = DateOfBirth::parse(&day.to_string(), &month.to_string(), &year.to_string(), today());
            match CivilDate::new(year, month, day) {
                Some(date) => prop_assert_eq!(result.map(DateOfBirth::date), Ok(date)),
                None => prop_assert_eq!(result, Err(FieldError::DateOfBirthInvalid)),
            }
        }

        #[test]
        fn parsing_never_panics(day in "\\PC{0,4}", month in "\\PC{0,4}", year in "\\PC{0,6}") {
            let _ = DateOfBirth::parse(&day, &month, &year, today());
        }
    }
}
