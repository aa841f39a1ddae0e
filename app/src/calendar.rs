//! Kenya's public holidays, and appointment times as people read them.
//!
//! The holidays fixed by the Public Holidays Act move to the Monday when
//! they fall on a Sunday; Good Friday and Easter Monday follow Easter.
//! Idd-ul-Fitr is gazetted each year, so staff enter it as a closure.

use crate::dates::CivilDate;
use crate::i18n::Locale;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holiday {
    NewYear,
    GoodFriday,
    EasterMonday,
    Labour,
    Madaraka,
    Utamaduni,
    Mashujaa,
    Jamhuri,
    Christmas,
    Boxing,
}

impl Holiday {
    pub fn name(self, locale: Locale) -> &'static str {
        use Holiday::*;
        match (self, locale) {
            (NewYear, Locale::en) => "New Year's Day",
            (NewYear, Locale::sw) => "Siku ya Mwaka Mpya",
            (GoodFriday, Locale::en) => "Good Friday",
            (GoodFriday, Locale::sw) => "Ijumaa Kuu",
            (EasterMonday, Locale::en) => "Easter Monday",
            (EasterMonday, Locale::sw) => "Jumatatu ya Pasaka",
            (Labour, Locale::en) => "Labour Day",
            (Labour, Locale::sw) => "Siku ya Wafanyakazi",
            (Madaraka, Locale::en) => "Madaraka Day",
            (Madaraka, Locale::sw) => "Siku ya Madaraka",
            (Utamaduni, Locale::en) => "Utamaduni Day",
            (Utamaduni, Locale::sw) => "Siku ya Utamaduni",
            (Mashujaa, Locale::en) => "Mashujaa Day",
            (Mashujaa, Locale::sw) => "Siku ya Mashujaa",
            (Jamhuri, Locale::en) => "Jamhuri Day",
            (Jamhuri, Locale::sw) => "Siku ya Jamhuri",
            (Christmas, Locale::en) => "Christmas Day",
            (Christmas, Locale::sw) => "Siku ya Krismasi",
            (Boxing, Locale::en) => "Boxing Day",
            (Boxing, Locale::sw) => "Siku ya Kutoa Zawadi",
        }
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm).
pub fn easter_sunday(year: i32) -> CivilDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    CivilDate::new(year, month as u8, day as u8).expect("Easter is always a real date")
}

/// The days the centres close for public holidays in `year`, with the
/// holiday each is for, in date order.
pub fn public_holidays(year: i32) -> Vec<(CivilDate, Holiday)> {
    const FIXED: [(u8, u8, Holiday); 8] = [
        (1, 1, Holiday::NewYear),
        (5, 1, Holiday::Labour),
        (6, 1, Holiday::Madaraka),
        (10, 10, Holiday::Utamaduni),
        (10, 20, Holiday::Mashujaa),
        (12, 12, Holiday::Jamhuri),
        (12, 25, Holiday::Christmas),
        (12, 26, Holiday::Boxing),
    ];
    let mut days: Vec<(CivilDate, Holiday)> = Vec::with_capacity(10);
    // Christmas on a Sunday moves to the Monday, which is Boxing Day: it
    // then takes the next free day, the Tuesday.
    for &(month, day, holiday) in &FIXED {
        let Some(date) = CivilDate::new(year, month, day) else {
            continue;
        };
        let mut observed = if date.weekday() == 6 {
            date.add_days(1)
        } else {
            date
        };
        while FIXED.iter().any(|&(m, d, _)| {
            CivilDate::new(year, m, d) == Some(observed) && (m, d) != (month, day)
        }) || days.iter().any(|(taken, _)| *taken == observed)
        {
            observed = observed.add_days(1);
        }
        days.push((observed, holiday));
    }
    let easter = easter_sunday(year);
    days.push((easter.add_days(-2), Holiday::GoodFriday));
    days.push((easter.add_days(1), Holiday::EasterMonday));
    days.sort_by_key(|(date, _)| *date);
    days
}

/// The holiday on `date`, if it is one.
pub fn holiday_on(date: CivilDate) -> Option<Holiday> {
    public_holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h)
}

const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYS_SW: [&str; 7] = [
    "Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_SW: [&str; 12] = [
    "Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Jul", "Ago", "Sep", "Okt", "Nov", "Des",
];

/// `Tue 14 Apr 2026` (English) or `Jumanne 14 Apr 2026` (Kiswahili).
pub fn day_label(date: CivilDate, locale: Locale) -> String {
    let (days, months) = match locale {
        Locale::en => (DAYS_EN, MONTHS_EN),
        Locale::sw => (DAYS_SW, MONTHS_SW),
    };
    format!(
        "{} {} {} {}",
        days[usize::from(date.weekday())],
        date.day(),
        months[usize::from(date.month() - 1)],
        date.year()
    )
}

/// `09:30`: minutes after midnight as a 24-hour clock time.
pub fn clock_label(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Reads `09:30` back; anything else is `None`.
pub fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

/// `Tue 14 Apr 2026, 09:30`, in Nairobi time, as the acknowledgement and
/// the messages show an appointment.
pub fn appointment_label(date: CivilDate, minute: u16, locale: Locale) -> String {
    format!("{}, {}", day_label(date, locale), clock_label(minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn easter_falls_on_the_published_dates() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn the_2026_holidays_include_good_friday_and_easter_monday() {
        let days: Vec<CivilDate> = public_holidays(2026).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            days,
            vec![
                date(2026, 1, 1),
                date(2026, 4, 3),
                date(2026, 4, 6),
                date(2026, 5, 1),
                date(2026, 6, 1),
                date(2026, 10, 10),
                date(2026, 10, 20),
                date(2026, 12, 12),
                date(2026, 12, 25),
                date(2026, 12, 26),
            ]
        );
    }

    #[test]
    fn a_holiday_on_a_sunday_moves_to_the_monday() {
        // 2027: Utamaduni (10 Oct), Jamhuri (12 Dec) and Boxing Day (26 Dec)
        // fall on Sundays; Christmas falls on a Saturday and stays.
        assert_eq!(holiday_on(date(2027, 10, 11)), Some(Holiday::Utamaduni));
        assert_eq!(holiday_on(date(2027, 10, 10)), None);
        assert_eq!(holiday_on(date(2027, 12, 13)), Some(Holiday::Jamhuri));
        assert_eq!(holiday_on(date(2027, 12, 27)), Some(Holiday::Boxing));
        assert_eq!(holiday_on(date(2027, 12, 25)), Some(Holiday::Christmas));
        assert_eq!(holiday_on(date(2027, 3, 26)), Some(Holiday::GoodFriday));
        assert_eq!(holiday_on(date(2027, 3, 29)), Some(Holiday::EasterMonday));
        assert_eq!(public_holidays(2027).len(), 10);
    }

    #[test]
    fn christmas_on_a_sunday_is_kept_on_the_tuesday() {
        // 2022: Christmas was a Sunday, Boxing Day the Monday.
        assert_eq!(holiday_on(date(2022, 12, 26)), Some(Holiday::Boxing));
        assert_eq!(holiday_on(date(2022, 12, 27)), Some(Holiday::Christmas));
    }

    #[test]
    fn weekdays_and_day_arithmetic_agree_with_the_calendar() {
        assert_eq!(date(2026, 4, 14).weekday(), 1, "Tuesday");
        assert_eq!(date(2026, 11, 26).weekday(), 3, "Thursday");
        assert_eq!(date(2028, 2, 28).add_days(1), date(2028, 2, 29));
        assert_eq!(date(2026, 12, 31).add_days(1), date(2027, 1, 1));
        assert_eq!(date(2027, 1, 1).add_days(-1), date(2026, 12, 31));
        for offset in -800..800 {
            let d = date(2026, 6, 15).add_days(offset);
            assert_eq!(CivilDate::in_nairobi_at(d.nairobi_unix_at(0)), d);
            assert_eq!(CivilDate::in_nairobi_at(d.nairobi_unix_at(23 * 60 + 59)), d);
        }
    }

    #[test]
    fn appointments_read_as_people_write_them() {
        assert_eq!(
            appointment_label(date(2026, 4, 14), 9 * 60 + 30, Locale::en),
            "Tue 14 Apr 2026, 09:30"
        );
        assert_eq!(
            appointment_label(date(2026, 4, 14), 9 * 60 + 30, Locale::sw),
            "Jumanne 14 Apr 2026, 09:30"
        );
        assert_eq!(parse_clock("09:30"), Some(570));
        assert_eq!(parse_clock("9:30"), None);
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("12:60"), None);
        assert_eq!(parse_clock("ab:cd"), None);
    }
}
