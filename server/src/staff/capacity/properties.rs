//! Property tests of the capacity planner: for any change of rules or
//! closures and any bookings the database could hold, no slot ends up over
//! its counters because of a move, nobody is moved earlier than booked or
//! into the past, and every booking the change displaces is either moved
//! to a real slot or released.

use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

const CENTRE: &str = "gpo";

fn today() -> CivilDate {
    CivilDate::new(2026, 11, 30).unwrap()
}

/// A centre's rules: counters, minutes per appointment, horizon, and the
/// same hours every day but Sunday (closed) and Saturday (mornings).
fn rules() -> impl Strategy<Value = Centre> {
    (1u16..=4, 10u16..=60, 1u16..=20, 360u16..=600, 780u16..=1080).prop_map(
        |(counters, slot_minutes, horizon_days, opens, closes)| {
            let weekday = Some((opens, closes));
            Centre {
                id: CENTRE.into(),
                name: "Huduma Centre GPO".into(),
                county_code: "047".into(),
                address: String::new(),
                counters,
                slot_minutes,
                horizon_days,
                hours: [
                    weekday,
                    weekday,
                    weekday,
                    weekday,
                    weekday,
                    Some((opens, 780)),
                    None,
                ],
            }
        },
    )
}

/// A new closure of this centre (or of every centre), a whole day or a
/// span, within the horizon.
fn closure() -> impl Strategy<Value = Closure> {
    (
        any::<bool>(),
        0i64..20,
        proptest::option::of((360u16..1080, 30u16..600)),
    )
        .prop_map(|(everywhere, offset, span)| Closure {
            centre_id: (!everywhere).then(|| CENTRE.into()),
            day: today().add_days(offset),
            span: span.map(|(from, length)| (from, from + length)),
        })
}

/// Bookings as wishes: a day from today, which of that day's slots, when
/// made, and whether checked in. Off-schedule wishes are kept off the slot
/// grid (a booking made by hand outside the hours).
type Wish = (i64, usize, i64, bool, bool);

fn wishes() -> impl Strategy<Value = Vec<Wish>> {
    proptest::collection::vec(
        (
            0i64..20,
            0usize..64,
            0i64..1_000,
            proptest::bool::weighted(0.1),
            proptest::bool::weighted(0.05),
        ),
        0..60,
    )
}

/// The live bookings the database could hold under `before`: each on one
/// of its slots (or, for an off-schedule wish, after closing), at most
/// `counters` per slot with distinct seats below the counters; those
/// already begun, or checked in, cannot move.
fn held_from(before: &Schedule<'_>, wishes: &[Wish], now: i64) -> Vec<Held> {
    let mut seats: HashMap<(CivilDate, u16), u16> = HashMap::new();
    let mut held = Vec::new();
    for (i, &(offset, pick, created_at, checked_in, off_schedule)) in wishes.iter().enumerate() {
        let day = today().add_days(offset);
        let slot = if off_schedule {
            1400
        } else {
            let slots = before.slots_on(day);
            if slots.is_empty() {
                continue;
            }
            slots[pick % slots.len()]
        };
        let seat = seats.entry((day, slot)).or_insert(0);
        if *seat >= before.centre.counters {
            continue;
        }
        let starts_at = day.nairobi_unix_at(slot);
        held.push(Held {
            id: format!("b{i:02}"),
            application_id: format!("a{i:02}"),
            kind: Kind::Enrolment,
            day,
            slot,
            seat: *seat,
            starts_at,
            created_at,
            movable: !checked_in && starts_at >= now,
        });
        *seat += 1;
    }
    held
}

fn check_plan(
    before: &Schedule<'_>,
    after: &Schedule<'_>,
    held: &[Held],
    plan: &Plan,
    now: i64,
) -> Result<(), TestCaseError> {
    let counters = after.centre.counters;
    let moved: HashSet<&str> = plan.moves.iter().map(|m| m.booking.id.as_str()).collect();
    prop_assert_eq!(moved.len(), plan.moves.len(), "a booking moved twice");

    // Who stays where they are, and who arrives.
    let mut occupants: HashMap<(CivilDate, u16), u16> = HashMap::new();
    let mut forced: HashMap<(CivilDate, u16), u16> = HashMap::new();
    for booking in held {
        let key = (booking.day, booking.slot);
        let on_old_grid = before.slots_on(booking.day).contains(&booking.slot);
        let still_a_slot = after.slots_on(booking.day).contains(&booking.slot);
        if moved.contains(booking.id.as_str()) {
            prop_assert!(booking.movable, "{} cannot move", booking.id);
            prop_assert!(on_old_grid, "{} was not the change's doing", booking.id);
        } else {
            // Every booking the change displaces is in the plan.
            prop_assert!(
                !booking.movable || !on_old_grid || still_a_slot,
                "{} lost its slot but is not in the plan",
                booking.id
            );
            *occupants.entry(key).or_default() += 1;
            if !booking.movable || !on_old_grid {
                *forced.entry(key).or_default() += 1;
            }
        }
    }
    let horizon = today().add_days(i64::from(after.centre.horizon_days));
    let mut arrivals: HashSet<(CivilDate, u16)> = HashSet::new();
    for m in &plan.moves {
        prop_assert!(held.contains(&m.booking));
        // Moved or released: a destination is a real slot, never earlier.
        if let Some((day, slot)) = m.to {
            prop_assert!(
                after.slots_on(day).contains(&slot),
                "{day} {slot} is no slot"
            );
            let starts = day.nairobi_unix_at(slot);
            prop_assert!(
                starts >= m.booking.starts_at,
                "{} moved earlier",
                m.booking.id
            );
            prop_assert!(starts >= now, "{} moved into the past", m.booking.id);
            prop_assert!(
                day <= horizon.max(m.booking.day),
                "{} beyond the horizon",
                m.booking.id
            );
            prop_assert_ne!(
                (day, slot),
                (m.booking.day, m.booking.slot),
                "moved to where it was"
            );
            *occupants.entry((day, slot)).or_default() += 1;
            arrivals.insert((day, slot));
        }
    }
    // Never over the counters: a slot that takes in a moved booking is at
    // most full, and no slot holds more than the counters unless those
    // over them could not move.
    for (key, &count) in &occupants {
        if arrivals.contains(key) {
            prop_assert!(
                count <= counters,
                "{key:?}: {count} over {counters} counters"
            );
        }
        prop_assert!(
            count <= counters.max(forced.get(key).copied().unwrap_or(0)),
            "{key:?}: {count} over {counters} counters"
        );
    }
    // New seat numbers are below the counters, one booking per seat.
    let mut seats: HashSet<(CivilDate, u16, u16)> = HashSet::new();
    let reseated: HashMap<&str, u16> = plan
        .reseats
        .iter()
        .map(|(id, seat)| (id.as_str(), *seat))
        .collect();
    for booking in held.iter().filter(|b| !moved.contains(b.id.as_str())) {
        if let Some(&seat) = reseated.get(booking.id.as_str()) {
            prop_assert!(seat < counters);
            prop_assert!(
                booking.seat >= counters,
                "{} reseated needlessly",
                booking.id
            );
        }
        let seat = reseated
            .get(booking.id.as_str())
            .copied()
            .unwrap_or(booking.seat);
        prop_assert!(
            seats.insert((booking.day, booking.slot, seat)),
            "seat {seat} given twice"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn new_rules_move_bookings_within_the_counters_never_earlier(
        old in rules(),
        new in rules(),
        wishes in wishes(),
        minute in 420u16..1020,
    ) {
        let now = today().nairobi_unix_at(minute);
        let before = Schedule { centre: &old, closures: &[] };
        let held = held_from(&before, &wishes, now);
        let after = Schedule { centre: &new, closures: &[] };
        let plan = plan(Schedule { centre: &old, closures: &[] }, Schedule { centre: &new, closures: &[] }, &held, today(), now);
        check_plan(&before, &after, &held, &plan, now)?;
    }

    #[test]
    fn closures_move_bookings_within_the_counters_never_earlier(
        centre in rules(),
        closures in proptest::collection::vec(closure(), 1..4),
        wishes in wishes(),
        minute in 420u16..1020,
    ) {
        let now = today().nairobi_unix_at(minute);
        let before = Schedule { centre: &centre, closures: &[] };
        let held = held_from(&before, &wishes, now);
        let after = Schedule { centre: &centre, closures: &closures };
        let plan = plan(
            Schedule { centre: &centre, closures: &[] },
            Schedule { centre: &centre, closures: &closures },
            &held,
            today(),
            now,
        );
        check_plan(&before, &after, &held, &plan, now)?;
    }
}
