//! The slots a centre's rules give on a day. Pure: the same rules answer
//! "what can I book?" for the finder and "may this be booked?" for the
//! booking itself, so the two can never disagree.

use super::centres::{Centre, Closure};
use app::calendar::holiday_on;
use app::dates::CivilDate;

/// Why a requested slot cannot be booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotProblem {
    /// Today or earlier: booking opens from tomorrow.
    TooSoon,
    BeyondHorizon,
    /// A public holiday, a closure, or a day the centre does not open.
    Closed,
    /// Not one of the day's appointment times.
    NotASlot,
}

pub struct Schedule<'a> {
    pub centre: &'a Centre,
    /// Closures near the days asked about; those for other centres are ignored.
    pub closures: &'a [Closure],
}

impl Schedule<'_> {
    /// The first and last day that may be booked, seen from `today`.
    pub fn window(&self, today: CivilDate) -> (CivilDate, CivilDate) {
        (
            today.add_days(1),
            today.add_days(i64::from(self.centre.horizon_days)),
        )
    }

    /// The start of every appointment on `day` (minutes after midnight),
    /// whatever is already booked.
    pub fn slots_on(&self, day: CivilDate) -> Vec<u16> {
        let Some((opens, closes)) = self.centre.hours[usize::from(day.weekday())] else {
            return Vec::new();
        };
        if holiday_on(day).is_some() {
            return Vec::new();
        }
        let closures: Vec<Option<(u16, u16)>> = self
            .closures
            .iter()
            .filter(|c| c.day == day && c.applies_to(&self.centre.id))
            .map(|c| c.span)
            .collect();
        if closures.iter().any(Option::is_none) {
            return Vec::new();
        }
        let length = self.centre.slot_minutes.max(1);
        let mut slots = Vec::new();
        let mut start = opens;
        while start + length <= closes {
            let end = start + length;
            let overlaps_closure = closures
                .iter()
                .flatten()
                .any(|&(from, to)| start < to && from < end);
            if !overlaps_closure {
                slots.push(start);
            }
            start = end;
        }
        slots
    }

    /// The days from tomorrow to the horizon.
    pub fn days(&self, today: CivilDate) -> impl Iterator<Item = CivilDate> {
        let (first, last) = self.window(today);
        (0..=(last.days_since_epoch() - first.days_since_epoch()).max(-1))
            .map(move |offset| first.add_days(offset))
    }

    /// Whether `slot` on `day` may be booked at all (capacity aside).
    pub fn check(&self, today: CivilDate, day: CivilDate, slot: u16) -> Result<(), SlotProblem> {
        let (first, last) = self.window(today);
        if day < first {
            return Err(SlotProblem::TooSoon);
        }
        if day > last {
            return Err(SlotProblem::BeyondHorizon);
        }
        let slots = self.slots_on(day);
        if slots.is_empty() {
            return Err(SlotProblem::Closed);
        }
        if !slots.contains(&slot) {
            return Err(SlotProblem::NotASlot);
        }
        Ok(())
    }
}

/// Seats taken per (centre, day, slot), as `Bookings::taken` reads them.
pub type Taken = std::collections::HashMap<(String, CivilDate, u16), u16>;

impl Schedule<'_> {
    /// The day's slots with the places left in each, leaving out full ones.
    pub fn free_slots(&self, day: CivilDate, taken: &Taken) -> Vec<(u16, u16)> {
        self.slots_on(day)
            .into_iter()
            .map(|slot| {
                let used = taken
                    .get(&(self.centre.id.clone(), day, slot))
                    .copied()
                    .unwrap_or(0);
                (slot, self.centre.counters.saturating_sub(used))
            })
            .filter(|&(_, left)| left > 0)
            .collect()
    }

    /// The bookable days that still have a free place, soonest first.
    pub fn free_days(&self, today: CivilDate, taken: &Taken) -> Vec<CivilDate> {
        self.days(today)
            .filter(|&day| !self.free_slots(day, taken).is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre() -> Centre {
        let weekday = Some((480, 1020));
        Centre {
            id: "kibra".into(),
            name: "Huduma Centre Kibra".into(),
            county_code: "047".into(),
            address: "Nairobi County".into(),
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
        }
    }

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn a_weekday_has_thirty_six_slots_and_a_saturday_twenty() {
        let centre = centre();
        let schedule = Schedule {
            centre: &centre,
            closures: &[],
        };
        let tuesday = schedule.slots_on(date(2026, 12, 1));
        assert_eq!(tuesday.len(), 36);
        assert_eq!(tuesday.first(), Some(&480));
        assert_eq!(tuesday.last(), Some(&(17 * 60 - 15)));
        assert_eq!(
            schedule.slots_on(date(2026, 12, 5)).len(),
            20,
            "Saturday 08:00-13:00"
        );
        assert!(schedule.slots_on(date(2026, 12, 6)).is_empty(), "Sunday");
    }

    #[test]
    fn a_slot_that_would_run_past_closing_is_not_offered() {
        let mut centre = centre();
        centre.slot_minutes = 25;
        let schedule = Schedule {
            centre: &centre,
            closures: &[],
        };
        let slots = schedule.slots_on(date(2026, 12, 1));
        assert_eq!(slots.len(), 21, "540 minutes / 25");
        assert!(slots.iter().all(|s| s + 25 <= 1020));
    }

    #[test]
    fn holidays_and_closures_remove_slots() {
        let centre = centre();
        let closures = [
            Closure {
                centre_id: None,
                day: date(2026, 12, 2),
                span: None,
            },
            Closure {
                centre_id: Some("kibra".into()),
                day: date(2026, 12, 3),
                span: Some((600, 720)),
            },
            Closure {
                centre_id: Some("gpo".into()),
                day: date(2026, 12, 4),
                span: None,
            },
        ];
        let schedule = Schedule {
            centre: &centre,
            closures: &closures,
        };
        assert!(
            schedule.slots_on(date(2026, 12, 25)).is_empty(),
            "Christmas"
        );
        assert!(
            schedule.slots_on(date(2026, 12, 2)).is_empty(),
            "closed everywhere"
        );
        let thursday = schedule.slots_on(date(2026, 12, 3));
        assert_eq!(thursday.len(), 36 - 8, "10:00-12:00 closed");
        assert!(!thursday.contains(&600) && !thursday.contains(&705) && thursday.contains(&720));
        assert_eq!(
            schedule.slots_on(date(2026, 12, 4)).len(),
            36,
            "another centre's closure"
        );
    }

    #[test]
    fn booking_opens_tomorrow_and_ends_at_the_horizon() {
        let centre = centre();
        let schedule = Schedule {
            centre: &centre,
            closures: &[],
        };
        let today = date(2026, 11, 30);
        assert_eq!(schedule.check(today, today, 480), Err(SlotProblem::TooSoon));
        assert_eq!(schedule.check(today, date(2026, 12, 1), 480), Ok(()));
        assert_eq!(schedule.check(today, date(2026, 12, 30), 480), Ok(()));
        assert_eq!(
            schedule.check(today, date(2026, 12, 31), 480),
            Err(SlotProblem::BeyondHorizon)
        );
        assert_eq!(
            schedule.check(today, date(2026, 12, 1), 481),
            Err(SlotProblem::NotASlot)
        );
        assert_eq!(
            schedule.check(today, date(2026, 12, 1), 1020),
            Err(SlotProblem::NotASlot),
            "closing time"
        );
        assert_eq!(
            schedule.check(today, date(2026, 12, 6), 480),
            Err(SlotProblem::Closed),
            "Sunday"
        );
        assert_eq!(schedule.days(today).count(), 30);
    }

    #[test]
    fn places_left_are_counters_minus_live_bookings() {
        let centre = centre();
        let schedule = Schedule {
            centre: &centre,
            closures: &[],
        };
        let tuesday = date(2026, 12, 1);
        let mut taken = Taken::new();
        taken.insert(("kibra".into(), tuesday, 480), 4);
        taken.insert(("kibra".into(), tuesday, 495), 3);
        taken.insert(("gpo".into(), tuesday, 510), 4);
        let free = schedule.free_slots(tuesday, &taken);
        assert_eq!(free.len(), 35, "the full 08:00 slot is left out");
        assert_eq!(free[0], (495, 1));
        assert_eq!(free[1], (510, 4), "another centre's bookings do not count");
        for slot in schedule.slots_on(tuesday) {
            taken.insert(("kibra".into(), tuesday, slot), 4);
        }
        assert_eq!(
            schedule.free_days(date(2026, 11, 30), &taken).first(),
            Some(&date(2026, 12, 2))
        );
    }
}

#[cfg(test)]
mod properties;
