//! Calendar dates without a time-zone database.
//!
//! Kenya keeps East Africa Time (UTC+3) all year, with no daylight saving,
//! so "today in Africa/Nairobi" is today at UTC+3. Keeping this arithmetic
//! small matters: it runs in the browser as well as on the server.

use serde::{Deserialize, Serialize};

/// Nairobi's offset from UTC, in seconds (EAT, no daylight saving).
pub const NAIROBI_UTC_OFFSET_SECS: i64 = 3 * 3600;

/// Serialised as ISO 8601 text (`"2007-03-27"`), in the registry API and in
/// island props alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

impl CivilDate {
    /// A date, if the day exists in that month and year.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(CivilDate { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date in Nairobi at `unix_secs` seconds after the epoch.
    pub fn in_nairobi_at(unix_secs: i64) -> Self {
        let days = (unix_secs + NAIROBI_UTC_OFFSET_SECS).div_euclid(86_400);
        Self::from_days_since_epoch(days)
    }

    /// Minutes after midnight in Nairobi at `unix_secs` (the inverse of
    /// `nairobi_unix_at` within a day).
    pub fn nairobi_minute_at(unix_secs: i64) -> u16 {
        ((unix_secs + NAIROBI_UTC_OFFSET_SECS).rem_euclid(86_400) / 60) as u16
    }

    /// Howard Hinnant's `civil_from_days`.
    fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400) as i32 + i32::from(month <= 2);
        CivilDate { year, month, day }
    }

    /// Howard Hinnant's `days_from_civil`: days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let month = i64::from(self.month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days later (earlier if negative).
    pub fn add_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Monday is 0, Sunday 6.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (3).
        (self.days_since_epoch() + 3).rem_euclid(7) as u8
    }

    /// The Unix time of `minute` minutes after midnight on this day in Nairobi.
    pub fn nairobi_unix_at(self, minute: u16) -> i64 {
        self.days_since_epoch() * 86_400 + i64::from(minute) * 60 - NAIROBI_UTC_OFFSET_SECS
    }

    /// Whole years from `self` (a birth date) to `today`.
    ///
    /// Someone born on 29 February becomes a year older on 1 March in a
    /// common year: (2, 28) is still before (2, 29).
    pub fn age_on(self, today: CivilDate) -> i32 {
        let had_birthday = (today.month, today.day) >= (self.month, self.day);
        today.year - self.year - i32::from(!had_birthday)
    }

    /// The day someone born on this date turns `age`, as [`Self::age_on`]
    /// counts it: the birthday that year, or 1 March for someone born on
    /// 29 February when that year has none.
    pub fn turns(self, age: i32) -> CivilDate {
        let year = self.year + age;
        CivilDate::new(year, self.month, self.day).unwrap_or(CivilDate {
            year,
            month: 3,
            day: 1,
        })
    }
}

/// ISO 8601 (`2007-03-27`): how dates are stored and exchanged.
impl std::fmt::Display for CivilDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for CivilDate {
    type Err = ();

    /// Reads `YYYY-MM-DD`; anything else, or a day that does not exist, is an error.
    fn from_str(s: &str) -> Result<Self, ()> {
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u32, ()> {
            let part = &s[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| ())
            } else {
                Err(())
            }
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        CivilDate::new(year as i32, month as u8, day as u8).ok_or(())
    }
}

impl From<CivilDate> for String {
    fn from(date: CivilDate) -> String {
        date.to_string()
    }
}

impl TryFrom<String> for CivilDate {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse().map_err(|()| "a date as YYYY-MM-DD")
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Which application a date of birth leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Eligibility {
    /// 18 or over: a national ID card, applied for by the person themself.
    Adult,
    /// 6 to 17: a minor's card, applied for by a parent or guardian.
    Minor,
    /// Under 6: no card yet; the birth certificate is the child's document.
    TooYoung,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateOfBirthProblem {
    /// Missing, not a number, or a day that does not exist.
    Invalid,
    InFuture,
    BeforeEarliestYear,
}

pub const EARLIEST_BIRTH_YEAR: i32 = 1900;
pub const MINOR_CARD_MIN_AGE: i32 = 6;
pub const ADULT_AGE: i32 = 18;

/// Reads a date of birth typed into three fields (day, month, year).
pub fn parse_date_of_birth(
    day: &str,
    month: &str,
    year: &str,
    today: CivilDate,
) -> Result<CivilDate, DateOfBirthProblem> {
    let number = |s: &str| s.trim().parse::<i64>().ok();
    let (Some(d), Some(m), Some(y)) = (number(day), number(month), number(year)) else {
        return Err(DateOfBirthProblem::Invalid);
    };
    if !(1000..=9999).contains(&y) {
        return Err(DateOfBirthProblem::Invalid);
    }
    let (Ok(m), Ok(d)) = (u8::try_from(m), u8::try_from(d)) else {
        return Err(DateOfBirthProblem::Invalid);
    };
    let date = CivilDate::new(y as i32, m, d).ok_or(DateOfBirthProblem::Invalid)?;
    if date > today {
        Err(DateOfBirthProblem::InFuture)
    } else if date.year < EARLIEST_BIRTH_YEAR {
        Err(DateOfBirthProblem::BeforeEarliestYear)
    } else {
        Ok(date)
    }
}

pub fn eligibility(date_of_birth: CivilDate, today: CivilDate) -> Eligibility {
    match date_of_birth.age_on(today) {
        age if age >= ADULT_AGE => Eligibility::Adult,
        age if age >= MINOR_CARD_MIN_AGE => Eligibility::Minor,
        _ => Eligibility::TooYoung,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn the_day_someone_turns_an_age_is_the_first_day_age_on_gives_it() {
        for born in [date(2008, 11, 30), date(2008, 2, 29), date(2007, 12, 31)] {
            let day = born.turns(ADULT_AGE);
            assert_eq!(born.age_on(day), ADULT_AGE, "{born}");
            assert_eq!(born.age_on(day.add_days(-1)), ADULT_AGE - 1, "{born}");
        }
        assert_eq!(date(2008, 2, 29).turns(18), date(2026, 3, 1));
    }

    #[test]
    fn dates_are_written_and_read_as_iso_8601() {
        assert_eq!(date(2007, 3, 27).to_string(), "2007-03-27");
        assert_eq!("2007-03-27".parse::<CivilDate>(), Ok(date(2007, 3, 27)));
        assert_eq!("2024-02-29".parse::<CivilDate>(), Ok(date(2024, 2, 29)));
        for bad in [
            "2023-02-29",
            "2007-3-27",
            "27-03-2007",
            "2007-03-27 ",
            "+007-03-27",
            "2007-13-01",
            "",
        ] {
            assert_eq!(bad.parse::<CivilDate>(), Err(()), "{bad}");
        }
    }

    #[test]
    fn dates_serialise_as_iso_text() {
        let json = serde_json::to_string(&date(1988, 4, 12)).unwrap();
        assert_eq!(json, "\"1988-04-12\"");
        assert_eq!(
            serde_json::from_str::<CivilDate>(&json).unwrap(),
            date(1988, 4, 12)
        );
        assert!(serde_json::from_str::<CivilDate>("\"1988-02-30\"").is_err());
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        assert!(CivilDate::new(2023, 2, 29).is_none());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(1900, 2, 29).is_none());
        assert!(CivilDate::new(2000, 2, 29).is_some());
        assert!(CivilDate::new(2024, 4, 31).is_none());
        assert!(CivilDate::new(2024, 13, 1).is_none());
        assert!(CivilDate::new(2024, 1, 0).is_none());
    }

    #[test]
    fn nairobi_is_three_hours_ahead_of_utc() {
        // 2026-11-25T20:59:59Z is 23:59:59 in Nairobi; one second later it is the 26th.
        assert_eq!(CivilDate::in_nairobi_at(1_795_640_399), date(2026, 11, 25));
        assert_eq!(CivilDate::in_nairobi_at(1_795_640_400), date(2026, 11, 26));
        assert_eq!(CivilDate::in_nairobi_at(0), date(1970, 1, 1));
        assert_eq!(CivilDate::in_nairobi_at(-3 * 3600 - 1), date(1969, 12, 31));
        assert_eq!(CivilDate::nairobi_minute_at(1_795_640_399), 23 * 60 + 59);
        assert_eq!(CivilDate::nairobi_minute_at(1_795_640_400), 0);
        assert_eq!(
            CivilDate::nairobi_minute_at(date(2026, 11, 26).nairobi_unix_at(9 * 60 + 30)),
            9 * 60 + 30
        );
    }

    #[test]
    fn an_eighteenth_birthday_today_makes_an_adult() {
        let today = date(2026, 11, 25);
        assert_eq!(eligibility(date(2008, 11, 25), today), Eligibility::Adult);
        assert_eq!(eligibility(date(2008, 11, 26), today), Eligibility::Minor);
    }

    #[test]
    fn a_sixth_birthday_today_makes_a_minor() {
        let today = date(2026, 11, 25);
        assert_eq!(eligibility(date(2020, 11, 25), today), Eligibility::Minor);
        assert_eq!(
            eligibility(date(2020, 11, 26), today),
            Eligibility::TooYoung
        );
    }

    #[test]
    fn a_leap_day_birthday_comes_on_the_first_of_march_in_common_years() {
        let born = date(2008, 2, 29);
        assert_eq!(born.age_on(date(2026, 2, 28)), 17);
        assert_eq!(born.age_on(date(2026, 3, 1)), 18);
        assert_eq!(born.age_on(date(2028, 2, 29)), 20);
    }

    #[test]
    fn three_fields_parse_into_a_date_of_birth() {
        let today = date(2026, 11, 25);
        assert_eq!(
            parse_date_of_birth(" 27", "3", "2007 ", today),
            Ok(date(2007, 3, 27))
        );
        assert_eq!(
            parse_date_of_birth("", "3", "2007", today),
            Err(DateOfBirthProblem::Invalid)
        );
        assert_eq!(
            parse_date_of_birth("31", "2", "2007", today),
            Err(DateOfBirthProblem::Invalid)
        );
        assert_eq!(
            parse_date_of_birth("1", "1", "07", today),
            Err(DateOfBirthProblem::Invalid)
        );
        assert_eq!(
            parse_date_of_birth("300", "1", "2007", today),
            Err(DateOfBirthProblem::Invalid)
        );
        assert_eq!(
            parse_date_of_birth("26", "11", "2026", today),
            Err(DateOfBirthProblem::InFuture)
        );
        assert_eq!(
            parse_date_of_birth("31", "12", "1899", today),
            Err(DateOfBirthProblem::BeforeEarliestYear)
        );
    }

    #[test]
    fn civil_dates_round_trip_through_day_counts_for_four_centuries() {
        let mut expected = date(1900, 1, 1);
        for days in -25_567..(-25_567 + 146_097) {
            assert_eq!(CivilDate::from_days_since_epoch(days), expected);
            expected = match CivilDate::new(expected.year, expected.month, expected.day + 1) {
                Some(next) => next,
                None => CivilDate::new(expected.year, expected.month + 1, 1).unwrap_or(date(
                    expected.year + 1,
                    1,
                    1,
                )),
            };
        }
    }
}

#[cfg(test)]
mod properties;
