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
//!
//! The planner, pure, is in `plan.rs`; this module is the store around it.

mod plan;

pub use plan::{Change, Held, Move, Plan, changed_centre, plan, rules_of};

use crate::booking::bookings::{Kind, Seat, stored_day, stored_slot};
use crate::booking::centres::{Centre, Closure, ClosureRow, closures_from_rows};
use crate::booking::schedule::Schedule;
use app::dates::CivilDate;
use sqlx::{AnyConnection, AnyPool, Connection};
use std::collections::HashMap;

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
                // The same closure confirmed twice (a double submit) is
                // one closure: changes to a centre take its row in turn
                // (PostgreSQL's row lock; SQLite's transactions take the
                // write lock as they begin), and the closure is added only
                // if that centre has no closure of the same day and hours.
                sqlx::query("UPDATE centres SET counters = counters WHERE id = $1")
                    .bind(&centre.id)
                    .execute(&mut *tx)
                    .await?;
                let added = sqlx::query(
                    "INSERT INTO closures (id, centre_id, day, starts, ends, reason, created_at) \
                     SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM closures \
                     WHERE centre_id = $2 AND day = $3 AND COALESCE(starts, -1) = COALESCE($4, -1) \
                     AND COALESCE(ends, -1) = COALESCE($5, -1))",
                )
                .bind(crate::crypto::random_id())
                .bind(&centre.id)
                .bind(closure.day.to_string())
                .bind(closure.span.map(|(s, _)| i64::from(s)))
                .bind(closure.span.map(|(_, e)| i64::from(e)))
                .bind(&closure.reason)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added == 0 {
                    // In force already, and its bookings moved then.
                    return Ok(Some(Plan::default()));
                }
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
}

#[cfg(test)]
mod properties;
