//! Capacity and closures: a supervisor changes a centre's rules (counters,
//! minutes per appointment, horizon, hours) or closes it for a day or part
//! of one. Bookings that no longer fit are moved, not cancelled: each to the
//! earliest free slot at the same centre that is not earlier than it was
//! booked for. Whoever cannot be placed before the horizon loses the
//! booking and is asked to book again.
//!
//! [`plan`] is pure: the preview and the change itself compute the same
//! moves from the same rules. [`Capacity::apply`] makes the change and its
//! moves in one transaction, planned again inside it, so what it moves is
//! what the database holds at that moment; a race with a citizen booking
//! the same seat starts it over.

use crate::booking::bookings::{Kind, Seat, stored_day, stored_slot};
use crate::booking::centres::{Centre, Closure, ClosureRow, closures_from_rows};
use crate::booking::schedule::Schedule;
use app::capacity::{CentreRules, ClosureRequest};
use app::dates::CivilDate;
use sqlx::{AnyConnection, AnyPool, Connection};
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

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: String,
    application_id: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    day: String,
    slot: i64,
    seat: i64,
    starts_at: i64,
    created_at: i64,
    status: String,
}

/// A closure with what the supervisor's list shows beside it.
#[derive(sqlx::FromRow)]
struct ClosureLineRow {
    id: String,
    reason: String,
    #[sqlx(flatten)]
    closure: ClosureRow,
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

pub struct Capacity<'a> {
    pub db: &'a AnyPool,
}

/// Most times a change starts over after losing a race for a seat.
const MAX_ATTEMPTS: usize = 10;

/// The change could not be made: the closure or rules were lost to
/// constant races (each try changed nothing).
#[derive(Debug, thiserror::Error)]
#[error("the change lost {MAX_ATTEMPTS} races for seats in a row")]
pub struct Busy;

impl Capacity<'_> {
    /// Every live booking at `centre` from `today` on.
    async fn held(
        conn: &mut AnyConnection,
        centre: &str,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<Vec<Held>> {
        let rows = sqlx::query_as::<_, HeldRow>(
            "SELECT id, application_id, kind, day, slot, seat, starts_at, created_at, status FROM bookings \
             WHERE centre_id = $1 AND live = 1 AND day >= $2",
        )
        .bind(centre)
        .bind(today.to_string())
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Held {
                    day: stored_day(&row.day)?,
                    slot: stored_slot(row.slot)?,
                    seat: stored_slot(row.seat)?,
                    movable: row.status == "booked" && row.starts_at >= now,
                    id: row.id,
                    application_id: row.application_id,
                    kind: row.kind,
                    starts_at: row.starts_at,
                    created_at: row.created_at,
                })
            })
            .collect()
    }

    /// Closures from `today` to the horizon (and the booked days beyond it).
    async fn closures(conn: &mut AnyConnection, today: CivilDate) -> anyhow::Result<Vec<Closure>> {
        let rows = sqlx::query_as::<_, ClosureRow>(
            "SELECT centre_id, day, starts, ends FROM closures WHERE day >= $1",
        )
        .bind(today.to_string())
        .fetch_all(&mut *conn)
        .await?;
        closures_from_rows(rows)
    }

    /// What `change` would move, without changing anything.
    pub async fn preview(
        &self,
        centre: &Centre,
        change: &Change,
        now: i64,
    ) -> anyhow::Result<Plan> {
        let today = CivilDate::in_nairobi_at(now);
        let mut conn = self.db.acquire().await?;
        let held = Self::held(&mut conn, &centre.id, today, now).await?;
        let before = Self::closures(&mut conn, today).await?;
        let mut after = before.clone();
        if let Change::Closure(closure) = change {
            after.push(Closure {
                centre_id: Some(centre.id.clone()),
                day: closure.day,
                span: closure.span,
            });
        }
        let changed = changed_centre(centre, change);
        Ok(plan(
            Schedule {
                centre,
                closures: &before,
            },
            Schedule {
                centre: &changed,
                closures: &after,
            },
            &held,
            today,
            now,
        ))
    }

    /// Makes `change` and its moves on the caller's connection `conn`: a
    /// savepoint inside the caller's transaction (which then queues the
    /// moved people's messages and the audit event and commits once), or a
    /// transaction of its own on a bare connection. Returns what was moved.
    pub async fn apply(
        &self,
        conn: &mut AnyConnection,
        centre: &Centre,
        change: &Change,
        now: i64,
    ) -> anyhow::Result<Plan> {
        for _ in 0..MAX_ATTEMPTS {
            let mut savepoint = conn.begin().await?;
            match Self::try_apply(&mut savepoint, centre, change, now).await {
                Ok(Some(plan)) => {
                    savepoint.commit().await?;
                    return Ok(plan);
                }
                Ok(None) => {
                    savepoint.rollback().await?;
                    tokio::task::yield_now().await
                }
                Err(error)
                    if error
                        .downcast_ref::<sqlx::Error>()
                        .is_some_and(crate::booking::bookings::lost_a_race) =>
                {
                    savepoint.rollback().await?;
                    tokio::task::yield_now().await
                }
                Err(error) => return Err(error),
            }
        }
        Err(Busy.into())
    }

    /// One try: `None` when a seat was taken meanwhile (the caller rolls
    /// back what it changed).
    async fn try_apply(
        tx: &mut AnyConnection,
        centre: &Centre,
        change: &Change,
        now: i64,
    ) -> anyhow::Result<Option<Plan>> {
        let today = CivilDate::in_nairobi_at(now);
        let after = changed_centre(centre, change);
        // The change is written first, so SQLite takes its write lock at
        // once and citizens' bookings see the new rules from the commit.
        match change {
            Change::Rules(rules) => {
                sqlx::query("UPDATE centres SET counters = $2, slot_minutes = $3, horizon_days = $4 WHERE id = $1")
                    .bind(&centre.id)
                    .bind(i64::from(rules.counters))
                    .bind(i64::from(rules.slot_minutes))
                    .bind(i64::from(rules.horizon_days))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM centre_hours WHERE centre_id = $1")
                    .bind(&centre.id)
                    .execute(&mut *tx)
                    .await?;
                for (weekday, hours) in rules.hours.iter().enumerate() {
                    let Some((opens, closes)) = hours else {
                        continue;
                    };
                    sqlx::query("INSERT INTO centre_hours (centre_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)")
                        .bind(&centre.id)
                        .bind(weekday as i64)
                        .bind(i64::from(*opens))
                        .bind(i64::from(*closes))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Change::Closure(closure) => {
                sqlx::query(
                    "INSERT INTO closures (id, centre_id, day, starts, ends, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(crate::crypto::random_id())
                .bind(&centre.id)
                .bind(closure.day.to_string())
                .bind(closure.span.map(|(s, _)| i64::from(s)))
                .bind(closure.span.map(|(_, e)| i64::from(e)))
                .bind(&closure.reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        let held = Self::held(tx, &centre.id, today, now).await?;
        let closures = Self::closures(tx, today).await?;
        // The closures before the change: without the one just added.
        let mut earlier = closures.clone();
        if let Change::Closure(closure) = change {
            let added = Closure {
                centre_id: Some(centre.id.clone()),
                day: closure.day,
                span: closure.span,
            };
            if let Some(at) = earlier.iter().position(|c| *c == added) {
                earlier.remove(at);
            }
        }
        let plan = plan(
            Schedule {
                centre,
                closures: &earlier,
            },
            Schedule {
                centre: &after,
                closures: &closures,
            },
            &held,
            today,
            now,
        );
        for step in &plan.moves {
            let booking = &step.booking;
            let status = if step.to.is_some() {
                "moved"
            } else {
                "cancelled"
            };
            let ended = sqlx::query(
                "UPDATE bookings SET live = 0, status = $2, ended_at = $3 WHERE id = $1 AND live = 1 AND status = 'booked'",
            )
            .bind(&booking.id)
            .bind(status)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if ended == 0 {
                return Ok(None);
            }
            if step.to.is_none() && booking.kind == Kind::Enrolment {
                sqlx::query("UPDATE applications SET state = 'verified', updated_at = $2 WHERE id = $1 AND state = 'booked'")
                    .bind(&booking.application_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (id, seat) in &plan.reseats {
            sqlx::query("UPDATE bookings SET seat = $2 WHERE id = $1 AND live = 1")
                .bind(id)
                .bind(i64::from(*seat))
                .execute(&mut *tx)
                .await?;
        }
        for step in &plan.moves {
            let Some((day, slot)) = step.to else { continue };
            let moved = crate::booking::bookings::Booking {
                id: crate::crypto::random_id(),
                application_id: step.booking.application_id.clone(),
                kind: step.booking.kind,
                centre_id: centre.id.clone(),
                day,
                slot,
                starts_at: day.nairobi_unix_at(slot),
                family_id: None,
            };
            let inserted = crate::booking::bookings::insert_on_free_seat(
                tx,
                &moved,
                after.counters,
                now,
                Seat::Lowest,
            )
            .await?;
            if !inserted {
                return Ok(None);
            }
        }
        Ok(Some(plan))
    }

    /// Removes one of `centre`'s own closures from `today` on. Bookings
    /// moved for it stay where they are. Returns whether there was one.
    pub async fn reopen(
        &self,
        conn: &mut AnyConnection,
        centre: &str,
        closure_id: &str,
        today: CivilDate,
    ) -> anyhow::Result<bool> {
        let removed =
            sqlx::query("DELETE FROM closures WHERE id = $1 AND centre_id = $2 AND day >= $3")
                .bind(closure_id)
                .bind(centre)
                .bind(today.to_string())
                .execute(conn)
                .await?
                .rows_affected();
        Ok(removed == 1)
    }

    /// The references of the applications `plan` moves, by application id,
    /// for the preview's and the outcome's tables: one query (one per
    /// thousand moves), not one per move.
    pub async fn references(&self, plan: &Plan) -> anyhow::Result<HashMap<String, String>> {
        let ids: std::collections::BTreeSet<&str> = plan
            .moves
            .iter()
            .map(|m| m.booking.application_id.as_str())
            .collect();
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut references = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, reference FROM applications WHERE id IN ({}) AND reference IS NOT NULL",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String, String)>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            references.extend(query.fetch_all(self.db).await?);
        }
        Ok(references)
    }

    /// The closures ahead that apply to `centre` (its own and every
    /// centre's), soonest first: (id, day, span, reason, its own).
    pub async fn upcoming(
        &self,
        centre: &str,
        today: CivilDate,
    ) -> anyhow::Result<Vec<app::pages::staff::ClosureLine>> {
        let rows = sqlx::query_as::<_, ClosureLineRow>(
            "SELECT id, centre_id, day, starts, ends, reason FROM closures \
             WHERE day >= $1 AND (centre_id = $2 OR centre_id IS NULL) ORDER BY day, starts",
        )
        .bind(today.to_string())
        .bind(centre)
        .fetch_all(self.db)
        .await?;
        rows.into_iter()
            .map(|row| {
                let closure = Closure::try_from(row.closure)?;
                Ok(app::pages::staff::ClosureLine {
                    id: row.id,
                    day: closure.day,
                    span: closure.span,
                    reason: row.reason,
                    everywhere: closure.centre_id.is_none(),
                })
            })
            .collect()
    }
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

    #[tokio::test]
    async fn the_references_of_a_plan_come_in_one_query() {
        let db = crate::db::connect("sqlite::memory:", 1).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        sqlx::query(
            "INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) \
             VALUES ('acc', 'i', $1, 'phone', 0)",
        )
        .bind(vec![0u8])
        .execute(&db)
        .await
        .unwrap();
        for (id, reference) in [("a1", Some("REF-1")), ("a2", Some("REF-2")), ("a3", None)] {
            sqlx::query(
                "INSERT INTO applications (id, account_id, kind, state, answers, reference, created_at, updated_at) \
                 VALUES ($1, 'acc', 'adult_id', 'booked', $2, $3, 0, 0)",
            )
            .bind(id)
            .bind(vec![0u8])
            .bind(reference)
            .execute(&db)
            .await
            .unwrap();
        }
        let held = |application_id: &str| Held {
            id: format!("b-{application_id}"),
            application_id: application_id.into(),
            kind: Kind::Enrolment,
            day: date(2026, 12, 1),
            slot: 480,
            seat: 1,
            starts_at: 0,
            created_at: 0,
            movable: true,
        };
        let plan = Plan {
            moves: ["a1", "a2", "a3", "a1"]
                .into_iter()
                .map(|id| Move {
                    booking: held(id),
                    to: None,
                })
                .collect(),
            reseats: Vec::new(),
        };
        let references = Capacity { db: &db }.references(&plan).await.unwrap();
        assert_eq!(references.len(), 2);
        assert_eq!(references["a1"], "REF-1");
        assert_eq!(references["a2"], "REF-2");
        let none = Capacity { db: &db }
            .references(&Plan::default())
            .await
            .unwrap();
        assert!(none.is_empty());
    }

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

#[cfg(test)]
mod properties;
