//! Property tests of the schedule: for any centre rules and closures, the
//! slots lie within the opening hours, none falls on a holiday or a
//! closure, the finder and the booking check agree, and places left are
//! the counters less what is taken, never more and never below zero.

use super::*;
use proptest::prelude::*;

const CENTRE: &str = "gpo";

fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).unwrap()
}

/// Opening hours: closed, or from an opening minute to a closing one, in
/// any order the form could allow (a closing time before opening gives no
/// slots).
fn hours() -> impl Strategy<Value = Option<(u16, u16)>> {
    prop_oneof![
        1 => Just(None),
        4 => (0u16..1200, 0u16..=1440).prop_map(|(opens, closes)| Some((opens, closes))),
    ]
}

fn centre() -> impl Strategy<Value = Centre> {
    (
        1u16..=8,
        5u16..=120,
        1u16..=90,
        proptest::array::uniform7(hours()),
    )
        .prop_map(|(counters, slot_minutes, horizon_days, hours)| Centre {
            id: CENTRE.into(),
            name: "Huduma Centre GPO".into(),
            county_code: "047".into(),
            address: String::new(),
            counters,
            slot_minutes,
            horizon_days,
            hours,
        })
}

/// Today: some day in 2026-2029 (holidays included).
fn today() -> impl Strategy<Value = CivilDate> {
    (0i64..1460).prop_map(|n| date(2026, 1, 1).add_days(n))
}

/// Closures near `today`: of this centre, every centre or another one;
/// whole days or spans.
/// A generated closure: (whose: 0 this centre, 1 every centre, 2 another;
/// days after `today`; span).
type RawClosure = (u8, i64, Option<(u16, u16)>);

fn closures() -> impl Strategy<Value = Vec<RawClosure>> {
    proptest::collection::vec(
        (
            0u8..3,
            0i64..100,
            proptest::option::of((0u16..1440, 0u16..=1440)),
        ),
        0..6,
    )
}

fn closures_from(today: CivilDate, raw: &[RawClosure]) -> Vec<Closure> {
    raw.iter()
        .map(|&(whose, offset, span)| Closure {
            centre_id: match whose {
                0 => Some(CENTRE.into()),
                1 => None,
                _ => Some("kibra".into()),
            },
            day: today.add_days(offset),
            span,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn slots_lie_within_the_hours_and_off_every_closure_and_holiday(
        centre in centre(),
        today in today(),
        raw in closures(),
    ) {
        let closures = closures_from(today, &raw);
        let schedule = Schedule { centre: &centre, closures: &closures };
        for day in schedule.days(today) {
            let slots = schedule.slots_on(day);
            if slots.is_empty() {
                continue;
            }
            let (opens, closes) = centre.hours[usize::from(day.weekday())]
                .expect("slots only on a day the centre opens");
            prop_assert!(app::calendar::holiday_on(day).is_none(), "{day} is a holiday");
            prop_assert!(slots.windows(2).all(|w| w[0] + centre.slot_minutes <= w[1]), "in order, apart");
            for &slot in &slots {
                let end = slot + centre.slot_minutes;
                prop_assert!(opens <= slot && end <= closes, "{slot} outside {opens}-{closes}");
                for closure in closures.iter().filter(|c| c.day == day && c.applies_to(CENTRE)) {
                    let (from, to) = closure.span.expect("no slots on a day closed all day");
                    prop_assert!(!(slot < to && from < end), "{slot} in a closure {from}-{to}");
                }
            }
        }
    }

    #[test]
    fn another_centres_closures_change_nothing(
        centre in centre(),
        today in today(),
        raw in closures(),
    ) {
        let closures = closures_from(today, &raw);
        let others: Vec<Closure> = closures.iter().filter(|c| !c.applies_to(CENTRE)).cloned().collect();
        let with = Schedule { centre: &centre, closures: &others };
        let without = Schedule { centre: &centre, closures: &[] };
        for day in without.days(today) {
            prop_assert_eq!(with.slots_on(day), without.slots_on(day));
        }
    }

    #[test]
    fn the_booking_check_accepts_exactly_the_slots_offered(
        centre in centre(),
        today in today(),
        raw in closures(),
        offset in -3i64..100,
        minute in 0u16..1440,
    ) {
        let closures = closures_from(today, &raw);
        let schedule = Schedule { centre: &centre, closures: &closures };
        let day = today.add_days(offset);
        let offered = schedule.days(today).any(|d| d == day) && schedule.slots_on(day).contains(&minute);
        prop_assert_eq!(schedule.check(today, day, minute).is_ok(), offered);
        for slot in schedule.slots_on(day) {
            prop_assert_eq!(schedule.check(today, day, slot).is_ok(), schedule.days(today).any(|d| d == day));
        }
    }

    #[test]
    fn places_left_are_the_counters_less_what_is_taken(
        centre in centre(),
        today in today(),
        taken_counts in proptest::collection::vec(0u16..12, 0..40),
        offset in 1i64..30,
    ) {
        let schedule = Schedule { centre: &centre, closures: &[] };
        let day = today.add_days(offset);
        let slots = schedule.slots_on(day);
        let mut taken = Taken::new();
        for (slot, &count) in slots.iter().zip(&taken_counts) {
            taken.insert((CENTRE.into(), day, *slot), count);
        }
        let free = schedule.free_slots(day, &taken);
        for &(slot, left) in &free {
            prop_assert!(slots.contains(&slot));
            let used = taken.get(&(CENTRE.into(), day, slot)).copied().unwrap_or(0);
            prop_assert!(left > 0 && left <= centre.counters);
            prop_assert_eq!(left, centre.counters - used);
        }
        // Every slot with room is listed; the full ones are not.
        let with_room = slots
            .iter()
            .filter(|&&slot| taken.get(&(CENTRE.into(), day, slot)).copied().unwrap_or(0) < centre.counters)
            .count();
        prop_assert_eq!(free.len(), with_room);
        let free_days = schedule.free_days(today, &taken);
        prop_assert!(free_days.iter().all(|d| !schedule.free_slots(*d, &taken).is_empty()));
        prop_assert!(free_days.windows(2).all(|w| w[0] < w[1]));
    }
}
