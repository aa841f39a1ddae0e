//! Property tests of the date arithmetic: day counts, adding days,
//! weekdays, Nairobi time and ages agree with each other for any date.

use super::*;
use proptest::prelude::*;

/// Days since 1970-01-01 from the year 1500 to the year 2500.
const DAYS: std::ops::Range<i64> = -171_000..194_000;

fn any_date() -> impl Strategy<Value = CivilDate> {
    DAYS.prop_map(CivilDate::from_days_since_epoch)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_day_count_gives_a_real_date_and_back(days in DAYS) {
        let date = CivilDate::from_days_since_epoch(days);
        prop_assert_eq!(CivilDate::new(date.year(), date.month(), date.day()), Some(date));
        prop_assert_eq!(date.days_since_epoch(), days);
    }

    #[test]
    fn adding_days_round_trips_and_counts_exactly(date in any_date(), n in -40_000i64..40_000) {
        let later = date.add_days(n);
        prop_assert_eq!(later.add_days(-n), date);
        prop_assert_eq!(later.days_since_epoch() - date.days_since_epoch(), n);
        prop_assert_eq!(later > date, n > 0);
        prop_assert_eq!(later == date, n == 0);
    }

    #[test]
    fn the_next_day_is_the_next_calendar_day(date in any_date()) {
        let next = date.add_days(1);
        let expected = CivilDate::new(date.year(), date.month(), date.day() + 1)
            .or_else(|| CivilDate::new(date.year(), date.month() + 1, 1))
            .unwrap_or_else(|| CivilDate::new(date.year() + 1, 1, 1).unwrap());
        prop_assert_eq!(next, expected);
    }

    #[test]
    fn weekdays_follow_one_another(date in any_date(), weeks in -5_000i64..5_000) {
        prop_assert!(date.weekday() < 7);
        prop_assert_eq!(date.add_days(1).weekday(), (date.weekday() + 1) % 7);
        prop_assert_eq!(date.add_days(7 * weeks).weekday(), date.weekday());
    }

    #[test]
    fn iso_text_round_trips(date in any_date()) {
        prop_assert_eq!(date.to_string().parse::<CivilDate>(), Ok(date));
    }

    #[test]
    fn a_nairobi_minute_is_on_its_own_day(date in any_date(), minute in 0u16..1440) {
        let at = date.nairobi_unix_at(minute);
        prop_assert_eq!(CivilDate::in_nairobi_at(at), date);
        prop_assert_eq!(CivilDate::nairobi_minute_at(at), minute);
        prop_assert_eq!(CivilDate::in_nairobi_at(at + 59), date);
    }

    #[test]
    fn age_never_goes_down_as_the_days_pass(
        born in any_date(),
        after in 0i64..40_000,
        more in 0i64..800,
    ) {
        let today = born.add_days(after);
        let later = today.add_days(more);
        let (age, later_age) = (born.age_on(today), born.age_on(later));
        prop_assert!(age >= 0);
        prop_assert!(later_age >= age);
        // At most one birthday in 366 days.
        if more <= 365 {
            prop_assert!(later_age <= age + 1);
        }
        prop_assert_eq!(born.age_on(born), 0);
    }

    #[test]
    fn someone_born_later_is_never_older(
        born in any_date(),
        gap in 0i64..800,
        after in 0i64..40_000,
    ) {
        let younger = born.add_days(gap);
        let today = younger.add_days(after);
        prop_assert!(born.age_on(today) >= younger.age_on(today));
    }
}
