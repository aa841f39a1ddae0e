//! A centre's appointment rules and closures as a supervisor types them:
//! the same reading of the form on the server as anywhere else, with one
//! error per field in the reader's language.

use crate::dates::CivilDate;
use crate::forms::{FieldIssue, Form};
use crate::identifiers::FieldError;
use serde::{Deserialize, Serialize};

/// Most counters (appointments at once) a centre may have: the seat table's size.
pub const MAX_COUNTERS: u16 = 64;
pub const MIN_SLOT_MINUTES: u16 = 5;
pub const MAX_SLOT_MINUTES: u16 = 120;
pub const MAX_HORIZON_DAYS: u16 = 90;
pub const MAX_REASON_CHARS: usize = 200;

/// The names of the rules form's fields: three numbers, then each
/// weekday's opening and closing time (Monday first).
pub const RULES_FIELDS: [&str; 17] = [
    "counters",
    "slot_minutes",
    "horizon_days",
    "opens-0",
    "closes-0",
    "opens-1",
    "closes-1",
    "opens-2",
    "closes-2",
    "opens-3",
    "closes-3",
    "opens-4",
    "closes-4",
    "opens-5",
    "closes-5",
    "opens-6",
    "closes-6",
];

/// The names of the closure form's fields.
pub const CLOSURE_FIELDS: [&str; 7] = [
    "closure-day",
    "closure-month",
    "closure-year",
    "span",
    "from",
    "to",
    "reason",
];

/// When and how a centre gives appointments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentreRules {
    /// Appointments served at once.
    pub counters: u16,
    pub slot_minutes: u16,
    /// How many days ahead people may book.
    pub horizon_days: u16,
    /// Opening and closing minute per weekday (Monday first); `None`: closed.
    pub hours: [Option<(u16, u16)>; 7],
}

/// A day, or part of one, when a centre is closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureRequest {
    pub day: CivilDate,
    /// From and to, minutes after midnight; `None`: the whole day.
    pub span: Option<(u16, u16)>,
    pub reason: String,
}

/// A clock time as people type it: `8:00`, `08:00`, `08.00`, `0800` or `8`
/// (24-hour). `None` for anything else.
pub fn read_clock(text: &str) -> Option<u16> {
    let text = text.trim();
    let (hours, minutes) = match text.split_once([':', '.', 'h']) {
        Some((h, m)) => (h, m),
        None if text.len() == 4 => text.split_at(2),
        None if (1..=2).contains(&text.len()) => (text, "00"),
        None => return None,
    };
    if hours.is_empty()
        || hours.len() > 2
        || minutes.len() != 2
        || !(hours
            .chars()
            .chain(minutes.chars())
            .all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    // 24:00 is the end of the day, which a closing time may be.
    (hours < 24 && minutes < 60 || hours == 24 && minutes == 0).then_some(hours * 60 + minutes)
}

fn number_in(text: &str, min: u16, max: u16) -> Option<u16> {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

impl CentreRules {
    /// Reads the rules form, or says what is wrong with each field.
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let counters = number_in(form.value("counters"), 1, MAX_COUNTERS);
        if counters.is_none() {
            issues.push(FieldIssue::new("counters", FieldError::CountersRange));
        }
        let slot_minutes = number_in(
            form.value("slot_minutes"),
            MIN_SLOT_MINUTES,
            MAX_SLOT_MINUTES,
        );
        if slot_minutes.is_none() {
            issues.push(FieldIssue::new(
                "slot_minutes",
                FieldError::SlotMinutesRange,
            ));
        }
        let horizon_days = number_in(form.value("horizon_days"), 1, MAX_HORIZON_DAYS);
        if horizon_days.is_none() {
            issues.push(FieldIssue::new("horizon_days", FieldError::HorizonRange));
        }
        let mut hours = [None; 7];
        for (weekday, day_hours) in hours.iter_mut().enumerate() {
            let (opens_field, closes_field) =
                (format!("opens-{weekday}"), format!("closes-{weekday}"));
            let (opens, closes) = (
                form.value(&opens_field).trim(),
                form.value(&closes_field).trim(),
            );
            match (opens.is_empty(), closes.is_empty()) {
                (true, true) => continue,
                (false, true) => {
                    issues.push(FieldIssue::new(closes_field, FieldError::HoursHalf));
                    continue;
                }
                (true, false) => {
                    issues.push(FieldIssue::new(opens_field, FieldError::HoursHalf));
                    continue;
                }
                (false, false) => {}
            }
            let Some(opens) = read_clock(opens).filter(|&m| m < 24 * 60) else {
                issues.push(FieldIssue::new(opens_field, FieldError::ClockFormat));
                continue;
            };
            let Some(closes) = read_clock(closes) else {
                issues.push(FieldIssue::new(closes_field, FieldError::ClockFormat));
                continue;
            };
            if closes < opens + slot_minutes.unwrap_or(MIN_SLOT_MINUTES) {
                issues.push(FieldIssue::new(closes_field, FieldError::HoursOrder));
                continue;
            }
            *day_hours = Some((opens, closes));
        }
        match (counters, slot_minutes, horizon_days) {
            (Some(counters), Some(slot_minutes), Some(horizon_days)) if issues.is_empty() => {
                Ok(CentreRules {
                    counters,
                    slot_minutes,
                    horizon_days,
                    hours,
                })
            }
            _ => Err(issues),
        }
    }

    /// The form filled in with these rules.
    pub fn to_form(&self) -> Form {
        let mut values = std::collections::BTreeMap::new();
        values.insert("counters".to_string(), self.counters.to_string());
        values.insert("slot_minutes".to_string(), self.slot_minutes.to_string());
        values.insert("horizon_days".to_string(), self.horizon_days.to_string());
        for (weekday, hours) in self.hours.iter().enumerate() {
            if let Some((opens, closes)) = hours {
                values.insert(
                    format!("opens-{weekday}"),
                    crate::calendar::clock_label(*opens),
                );
                values.insert(
                    format!("closes-{weekday}"),
                    crate::calendar::clock_label(*closes),
                );
            }
        }
        Form::with_values(values)
    }
}

impl ClosureRequest {
    /// Reads the closure form: a day from `today` on, the whole day or a
    /// part of it, and a reason.
    pub fn from_form(form: &Form, today: CivilDate) -> Result<Self, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let number = |name: &str| form.value(name).trim().parse::<i64>().ok();
        let day = match (
            number("closure-day"),
            number("closure-month"),
            number("closure-year"),
        ) {
            (Some(d), Some(m), Some(y)) if (2000..=9999).contains(&y) => u8::try_from(m)
                .ok()
                .zip(u8::try_from(d).ok())
                .and_then(|(m, d)| CivilDate::new(y as i32, m, d)),
            _ => None,
        };
        match day {
            None => issues.push(FieldIssue::new("closure", FieldError::ClosureDay)),
            Some(day) if day < today => {
                issues.push(FieldIssue::new("closure", FieldError::ClosureDayPast))
            }
            Some(_) => {}
        }
        let span = match form.value("span") {
            "whole" => Some(None),
            "part" => {
                let from = read_clock(form.value("from")).filter(|&m| m < 24 * 60);
                let to = read_clock(form.value("to"));
                if from.is_none() {
                    issues.push(FieldIssue::new("from", FieldError::ClockFormat));
                }
                if to.is_none() {
                    issues.push(FieldIssue::new("to", FieldError::ClockFormat));
                }
                match (from, to) {
                    (Some(from), Some(to)) if to <= from => {
                        issues.push(FieldIssue::new("to", FieldError::ClosureOrder));
                        None
                    }
                    (Some(from), Some(to)) => Some(Some((from, to))),
                    _ => None,
                }
            }
            _ => {
                issues.push(FieldIssue::new("span", FieldError::ClosureSpan));
                None
            }
        };
        let reason = form.value("reason").trim().to_string();
        if reason.is_empty() {
            issues.push(FieldIssue::new("reason", FieldError::ClosureReasonMissing));
        } else if reason.chars().count() > MAX_REASON_CHARS {
            issues.push(FieldIssue::new("reason", FieldError::ClosureReasonTooLong));
        }
        match (day, span) {
            (Some(day), Some(span)) if issues.is_empty() => {
                Ok(ClosureRequest { day, span, reason })
            }
            _ => Err(issues),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        let names: Vec<&str> = RULES_FIELDS
            .iter()
            .chain(CLOSURE_FIELDS.iter())
            .copied()
            .collect();
        Form::from_pairs(pairs.iter().copied(), &names)
    }

    fn errors(issues: Vec<FieldIssue>) -> Vec<(String, FieldError)> {
        issues.into_iter().map(|i| (i.field, i.error)).collect()
    }

    #[test]
    fn clock_times_are_read_as_people_type_them() {
        assert_eq!(read_clock("08:00"), Some(480));
        assert_eq!(read_clock("8:30"), Some(510));
        assert_eq!(read_clock("17.15"), Some(1035));
        assert_eq!(read_clock("1300"), Some(780));
        assert_eq!(read_clock(" 9 "), Some(540));
        assert_eq!(read_clock("24:00"), Some(1440));
        for bad in [
            "", "25:00", "8:5", "08:60", "noon", "-1:00", "8:00pm", "123",
        ] {
            assert_eq!(read_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn rules_round_trip_through_their_form() {
        let weekday = Some((480, 1020));
        let rules = CentreRules {
            counters: 4,
            slot_minutes: 15,
            horizon_days: 30,
            hours: [
                weekday,
                weekday,
                weekday,
                weekday,
                weekday,
                Some((480, 780)),
                None,
            ],
        };
        assert_eq!(CentreRules::from_form(&rules.to_form()), Ok(rules));
    }

    #[test]
    fn each_bad_rule_is_named_at_its_field() {
        let issues = CentreRules::from_form(&form(&[
            ("counters", "0"),
            ("slot_minutes", "300"),
            ("horizon_days", "ninety"),
            ("opens-0", "08:00"),
            ("opens-1", "8am"),
            ("closes-1", "17:00"),
            ("opens-2", "12:00"),
            ("closes-2", "11:00"),
        ]))
        .unwrap_err();
        assert_eq!(
            errors(issues),
            vec![
                ("counters".into(), FieldError::CountersRange),
                ("slot_minutes".into(), FieldError::SlotMinutesRange),
                ("horizon_days".into(), FieldError::HorizonRange),
                ("closes-0".into(), FieldError::HoursHalf),
                ("opens-1".into(), FieldError::ClockFormat),
                ("closes-2".into(), FieldError::HoursOrder),
            ]
        );
    }

    #[test]
    fn a_closure_needs_a_day_from_today_a_span_and_a_reason() {
        let today = CivilDate::new(2026, 11, 26).unwrap();
        let good = form(&[
            ("closure-day", "1"),
            ("closure-month", "12"),
            ("closure-year", "2026"),
            ("span", "part"),
            ("from", "13:00"),
            ("to", "17:00"),
            ("reason", "Power maintenance"),
        ]);
        assert_eq!(
            ClosureRequest::from_form(&good, today),
            Ok(ClosureRequest {
                day: CivilDate::new(2026, 12, 1).unwrap(),
                span: Some((780, 1020)),
                reason: "Power maintenance".into()
            })
        );
        let whole = form(&[
            ("closure-day", "26"),
            ("closure-month", "11"),
            ("closure-year", "2026"),
            ("span", "whole"),
            ("reason", "Staff day"),
        ]);
        assert_eq!(
            ClosureRequest::from_form(&whole, today).unwrap().span,
            None,
            "today may be closed"
        );
        let bad = form(&[
            ("closure-day", "25"),
            ("closure-month", "11"),
            ("closure-year", "2026"),
            ("span", "part"),
            ("from", "14:00"),
            ("to", "13:00"),
        ]);
        assert_eq!(
            errors(ClosureRequest::from_form(&bad, today).unwrap_err()),
            vec![
                ("closure".into(), FieldError::ClosureDayPast),
                ("to".into(), FieldError::ClosureOrder),
                ("reason".into(), FieldError::ClosureReasonMissing),
            ]
        );
        let nothing = form(&[
            ("closure-day", "31"),
            ("closure-month", "2"),
            ("closure-year", "2027"),
            ("reason", &"x".repeat(201)),
        ]);
        assert_eq!(
            errors(ClosureRequest::from_form(&nothing, today).unwrap_err()),
            vec![
                ("closure".into(), FieldError::ClosureDay),
                ("span".into(), FieldError::ClosureSpan),
                ("reason".into(), FieldError::ClosureReasonTooLong),
            ]
        );
    }
}
