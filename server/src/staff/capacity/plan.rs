//! The capacity planner, pure: which bookings a change of a centre's rules
//! or closures displaces, and where each goes (the earliest free slot at the
//! same centre, never earlier than booked, up to the horizon). The preview
//! and the change itself (`Capacity::apply`) compute the same moves from the
//! same rules.

use crate::booking::bookings::Kind;
use crate::booking::centres::Centre;
use crate::booking::schedule::Schedule;
use app::capacity::{CentreRules, ClosureRequest};
use app::dates::CivilDate;
use std::collections::HashMap;

/// What a supervisor asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Rules(CentreRules),
    Closure(ClosureRequest),
}

/// A live booking at the centre, as the planner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub application_id: String,
    pub kind: Kind,
    pub day: CivilDate,
    pub slot: u16,
    pub seat: u16,
    pub starts_at: i64,
    pub created_at: i64,
    /// Still to come and not checked in: the only bookings that may move.
    pub movable: bool,
}

/// One booking that no longer fits, and where it goes (`None`: nowhere
/// before the horizon; the person is asked to book again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub booking: Held,
    pub to: Option<(CivilDate, u16)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub moves: Vec<Move>,
    /// Bookings that stay in their slot but must take a lower seat number
    /// (counters went down): (booking id, new seat).
    pub reseats: Vec<(String, u16)>,
}

impl Plan {
    pub fn moved(&self) -> usize {
        self.moves.iter().filter(|m| m.to.is_some()).count()
    }

    pub fn unplaced(&self) -> usize {
        self.moves.len() - self.moved()
    }
}

/// The centre as it would be after `change`.
pub fn changed_centre(centre: &Centre, change: &Change) -> Centre {
    let mut centre = centre.clone();
    if let Change::Rules(rules) = change {
        centre.counters = rules.counters;
        centre.slot_minutes = rules.slot_minutes;
        centre.horizon_days = rules.horizon_days;
        centre.hours = rules.hours;
    }
    centre
}

/// Which of `held` (every live booking at the centre from today) the
/// change from `before` to `after` (the centre's rules and closures)
/// displaces, and where each goes.
///
/// A slot that the change removes moves all its bookings; a slot with more
/// bookings than the new counters keeps the earliest made. A booking that
/// did not sit on a slot of the schedule before the change (one made by
/// hand, outside the hours) is not the change's doing and stays. Moves are placed in the
/// order of their appointments, each in the earliest slot with a free seat
/// that starts no earlier than the booking did and is not in the past, up
/// to the horizon seen from `today` (or the booking's own day, if later).
pub fn plan(
    before: Schedule<'_>,
    after: Schedule<'_>,
    held: &[Held],
    today: CivilDate,
    now: i64,
) -> Plan {
    let centre = after.centre;
    let schedule = after;
    let counters = centre.counters;
    let mut slots_before: HashMap<CivilDate, Vec<u16>> = HashMap::new();
    let mut was_a_slot = |day: CivilDate, slot: u16| {
        slots_before
            .entry(day)
            .or_insert_with(|| before.slots_on(day))
            .contains(&slot)
    };
    let mut slots_by_day: HashMap<CivilDate, Vec<u16>> = HashMap::new();
    let mut slots_of = |day: CivilDate| {
        slots_by_day
            .entry(day)
            .or_insert_with(|| schedule.slots_on(day))
            .clone()
    };

    let mut by_slot: HashMap<(CivilDate, u16), Vec<&Held>> = HashMap::new();
    for booking in held {
        by_slot
            .entry((booking.day, booking.slot))
            .or_default()
            .push(booking);
    }
    let mut keys: Vec<_> = by_slot.keys().copied().collect();
    keys.sort();
    let mut occupied: HashMap<(CivilDate, u16), u16> = HashMap::new();
    let mut displaced: Vec<&Held> = Vec::new();
    let mut reseats = Vec::new();
    for key in keys {
        let mut bookings = by_slot.remove(&key).unwrap_or_default();
        // Those that cannot move (checked in, or already past) first, then
        // the earliest made.
        bookings.sort_by_key(|b| (b.movable, b.created_at, b.id.clone()));
        let exists = slots_of(key.0).contains(&key.1);
        let off_the_schedule = !was_a_slot(key.0, key.1);
        let mut kept = Vec::new();
        for booking in bookings {
            if !booking.movable
                || off_the_schedule
                || (exists && kept.len() < usize::from(counters))
            {
                kept.push(booking);
            } else {
                displaced.push(booking);
            }
        }
        // Kept bookings must sit on seats below the counters.
        let mut free_seats = (0..counters).filter(|s| !kept.iter().any(|b| b.seat == *s));
        for booking in &kept {
            if booking.seat >= counters
                && let Some(seat) = free_seats.next()
            {
                reseats.push((booking.id.clone(), seat));
            }
        }
        occupied.insert(key, u16::try_from(kept.len()).unwrap_or(u16::MAX));
    }
    displaced.sort_by_key(|b| (b.starts_at, b.created_at, b.id.clone()));

    let horizon = today.add_days(i64::from(centre.horizon_days));
    let mut moves = Vec::new();
    for booking in displaced {
        let last = horizon.max(booking.day);
        let mut to = None;
        let mut day = booking.day;
        'days: while day <= last {
            for slot in slots_of(day) {
                let starts = day.nairobi_unix_at(slot);
                if starts < booking.starts_at || starts < now {
                    continue;
                }
                let used = occupied.entry((day, slot)).or_insert(0);
                if *used < counters {
                    *used += 1;
                    to = Some((day, slot));
                    break 'days;
                }
            }
            day = day.add_days(1);
        }
        moves.push(Move {
            booking: booking.clone(),
            to,
        });
    }
    Plan { moves, reseats }
}

/// The centre's current rules, as the form shows them.
pub fn rules_of(centre: &Centre) -> CentreRules {
    CentreRules {
        counters: centre.counters,
        slot_minutes: centre.slot_minutes,
        horizon_days: centre.horizon_days,
        hours: centre.hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::centres::Closure;

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    fn centre(counters: u16) -> Centre {
        let weekday = Some((480, 1020));
        Centre {
            id: "gpo".into(),
            name: "Huduma Centre GPO".into(),
            county_code: "047".into(),
            address: String::new(),
            counters,
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

    fn held(id: &str, day: CivilDate, slot: u16, seat: u16, created_at: i64) -> Held {
        Held {
            id: id.into(),
            application_id: format!("app-{id}"),
            kind: Kind::Enrolment,
            day,
            slot,
            seat,
            starts_at: day.nairobi_unix_at(slot),
            created_at,
            movable: true,
        }
    }

    const TODAY: (i32, u8, u8) = (2026, 11, 30);

    fn today() -> CivilDate {
        date(TODAY.0, TODAY.1, TODAY.2)
    }

    fn now() -> i64 {
        today().nairobi_unix_at(9 * 60)
    }

    #[test]
    fn closing_an_afternoon_moves_its_bookings_to_the_next_free_times_never_earlier() {
        let tuesday = date(2026, 12, 1);
        let centre = centre(1);
        // 13:00 and 14:00 booked; 17:00 is closing; Wednesday 08:00 is taken.
        let wednesday = date(2026, 12, 2);
        let bookings = [
            held("a", tuesday, 780, 0, 1),
            held("b", tuesday, 840, 0, 2),
            held("c", tuesday, 600, 0, 3),
            held("d", wednesday, 480, 0, 4),
        ];
        let closures = [Closure {
            centre_id: Some("gpo".into()),
            day: tuesday,
            span: Some((780, 1020)),
        }];
        let plan = plan(
            open(&centre),
            Schedule {
                centre: &centre,
                closures: &closures,
            },
            &bookings,
            today(),
            now(),
        );
        let moved: Vec<_> = plan
            .moves
            .iter()
            .map(|m| (m.booking.id.as_str(), m.to))
            .collect();
        assert_eq!(
            moved,
            vec![("a", Some((wednesday, 495))), ("b", Some((wednesday, 510)))],
            "the morning stays; 08:00 is full"
        );
        assert!(plan.reseats.is_empty());
    }

    #[test]
    fn whoever_finds_no_free_slot_before_the_horizon_is_unplaced() {
        let mut centre = centre(1);
        centre.horizon_days = 1;
        let tuesday = date(2026, 12, 1);
        let closures = [Closure {
            centre_id: None,
            day: tuesday,
            span: None,
        }];
        let plan = plan(
            open(&centre),
            Schedule {
                centre: &centre,
                closures: &closures,
            },
            &[held("a", tuesday, 480, 0, 1)],
            today(),
            now(),
        );
        assert_eq!(plan.moves.len(), 1);
        assert_eq!(plan.moves[0].to, None);
        assert_eq!((plan.moved(), plan.unplaced()), (0, 1));
    }

    #[test]
    fn fewer_counters_keep_the_earliest_made_and_renumber_their_seats() {
        let tuesday = date(2026, 12, 1);
        let (before, centre) = (centre(4), centre(2));
        let bookings = [
            held("late", tuesday, 480, 0, 30),
            held("first", tuesday, 480, 3, 10),
            held("second", tuesday, 480, 2, 20),
        ];
        let plan = plan(open(&before), open(&centre), &bookings, today(), now());
        assert_eq!(plan.moves.len(), 1);
        assert_eq!(plan.moves[0].booking.id, "late");
        assert_eq!(plan.moves[0].to, Some((tuesday, 495)));
        // The late one's seat 0 is free once it has moved.
        assert_eq!(
            plan.reseats,
            vec![("first".to_string(), 0), ("second".to_string(), 1)]
        );
    }

    #[test]
    fn checked_in_and_past_bookings_never_move() {
        let centre = centre(1);
        let mut inside = held("inside", today(), 600, 0, 1);
        inside.movable = false;
        let closures = [Closure {
            centre_id: Some("gpo".into()),
            day: today(),
            span: None,
        }];
        let plan = plan(
            open(&centre),
            Schedule {
                centre: &centre,
                closures: &closures,
            },
            &[inside],
            today(),
            now(),
        );
        assert!(plan.moves.is_empty());
    }

    #[test]
    fn longer_appointments_move_bookings_off_the_old_grid_to_the_next_slot() {
        let tuesday = date(2026, 12, 1);
        let before = centre(4);
        let mut centre = centre(4);
        centre.slot_minutes = 20;
        // 08:15 is not a 20-minute slot; 08:20 is the next one. 09:00 is on both grids.
        let bookings = [
            held("a", tuesday, 495, 0, 1),
            held("b", tuesday, 480 + 45 + 15, 0, 2),
        ];
        let plan = plan(open(&before), open(&centre), &bookings, today(), now());
        let moved: Vec<_> = plan
            .moves
            .iter()
            .map(|m| (m.booking.id.as_str(), m.to))
            .collect();
        assert_eq!(moved, vec![("a", Some((tuesday, 500)))]);
    }

    #[test]
    fn a_booking_that_was_off_the_schedule_before_the_change_is_not_moved_by_it() {
        let tuesday = date(2026, 12, 1);
        let centre = centre(1);
        // 17:30 is after closing (a demo booking made by hand); 14:00 is a slot.
        let bookings = [
            held("after-hours", tuesday, 17 * 60 + 30, 0, 1),
            held("afternoon", tuesday, 14 * 60, 0, 2),
        ];
        let closures = [Closure {
            centre_id: Some("gpo".into()),
            day: tuesday,
            span: Some((13 * 60, 17 * 60)),
        }];
        let plan = plan(
            open(&centre),
            Schedule {
                centre: &centre,
                closures: &closures,
            },
            &bookings,
            today(),
            now(),
        );
        let moved: Vec<_> = plan.moves.iter().map(|m| m.booking.id.as_str()).collect();
        assert_eq!(moved, vec!["afternoon"]);
    }

    /// The centre's schedule with no closures.
    fn open(centre: &Centre) -> Schedule<'_> {
        Schedule {
            centre,
            closures: &[],
        }
    }
}
