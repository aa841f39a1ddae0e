//! Taking, moving and giving up seats.
//!
//! Every change is atomic on its own: a savepoint inside the caller's
//! transaction (or a transaction of its own on a bare connection), so a
//! handler can make the change, queue its message and record its audit
//! event on one transaction and commit once. Capacity is guaranteed by the database,
//! not by a lock in this process: a booking takes a free seat number below
//! the centre's counters, and the unique index on live seats refuses a
//! second booking of the same seat. When two requests pick the same seat at
//! once, one of them gets the unique violation and tries again; when no
//! seat is free the insert affects no row and the slot is full.

use super::centres::Centre;
use super::schedule::{Schedule, SlotProblem};
use app::dates::CivilDate;
use sqlx::{AnyConnection, AnyPool, Connection};
use std::collections::HashMap;

app::coded_enum! {
    /// What an appointment is for (`bookings.kind`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Kind {
        /// Biometrics and a document check, for a verified application.
        Enrolment => "enrolment",
        /// Collecting a ready card.
        Collection => "collection",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub id: String,
    pub application_id: String,
    pub kind: Kind,
    pub centre_id: String,
    pub day: CivilDate,
    pub slot: u16,
    /// The appointment's start, Unix seconds.
    pub starts_at: i64,
    pub family_id: Option<String>,
}

/// One person in a booking request.
#[derive(Clone, Debug)]
pub struct Member {
    pub application_id: String,
    pub kind: Kind,
    /// The live booking this one replaces (a reschedule), if any.
    pub replaces: Option<String>,
}

/// Why nothing was booked, changed or cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The slot (of member `member`) is not bookable at all.
    Slot { member: usize, problem: SlotProblem },
    /// The slot of member `member` has no seat left.
    Full { member: usize },
    /// Member `member`'s application cannot have this appointment now (not
    /// verified, card not ready, or ready at another centre).
    NotEligible { member: usize },
    /// The booking to change is no longer live (already changed or
    /// cancelled, perhaps by a double click).
    Changed,
    /// Too close to the appointment to change it online.
    TooLate,
    /// Too many tries lost to other bookings at the same moment.
    Busy,
}

/// Result of a booking request that did not fail on our side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Booked(Vec<Booking>),
    /// The first member already holds a live booking of this kind (a
    /// double-clicked Book): nothing new was made.
    AlreadyBooked(Booking),
    Refused(Refused),
}

const COLUMNS: &str = "id, application_id, kind, centre_id, day, slot, starts_at, family_id";

#[derive(sqlx::FromRow)]
struct BookingRow {
    id: String,
    application_id: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    centre_id: String,
    day: String,
    slot: i64,
    starts_at: i64,
    family_id: Option<String>,
}

impl TryFrom<BookingRow> for Booking {
    type Error = anyhow::Error;

    fn try_from(row: BookingRow) -> anyhow::Result<Self> {
        Ok(Booking {
            id: row.id,
            application_id: row.application_id,
            kind: row.kind,
            centre_id: row.centre_id,
            day: stored_day(&row.day)?,
            slot: stored_slot(row.slot)?,
            starts_at: row.starts_at,
            family_id: row.family_id,
        })
    }
}

/// A booking's `day` as stored; not a date is a corrupted row.
pub(crate) fn stored_day(day: &str) -> anyhow::Result<CivilDate> {
    day.parse().map_err(|()| anyhow::anyhow!("bad booking day"))
}

/// A booking's `slot` (or `seat`) as stored; out of range is a corrupted row.
pub(crate) fn stored_slot(slot: i64) -> anyhow::Result<u16> {
    u16::try_from(slot).map_err(|_| anyhow::anyhow!("a booking's slot or seat is out of range"))
}

#[derive(sqlx::FromRow)]
struct TakenRow {
    centre_id: String,
    day: String,
    slot: i64,
    seats: i64,
}

/// A unique-index violation (another request took the seat, or made the
/// same booking, first), or PostgreSQL giving up one of two transactions
/// that wait for each other (deadlock, 40P01) or could not be serialised
/// (40001): either way, trying again may succeed.
pub(crate) fn lost_a_race(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(error) = error else {
        return false;
    };
    error.is_unique_violation() || matches!(error.code().as_deref(), Some("40P01" | "40001"))
}

/// Most retries a request gets when other requests keep taking the seat it
/// picked. Each lost race means a seat was taken, so this bounds the work,
/// not the outcome: past the counters, the insert finds the slot full.
const MAX_ATTEMPTS: usize = 80;

pub struct Bookings<'a> {
    pub db: &'a AnyPool,
    /// Changes and cancellations close this long before the appointment.
    pub cutoff_secs: i64,
}

/// A booking by id, on `executor` (the pool, or a transaction's connection).
async fn booking_on<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> anyhow::Result<Option<Booking>> {
    let row =
        sqlx::query_as::<_, BookingRow>(&format!("SELECT {COLUMNS} FROM bookings WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?;
    row.map(Booking::try_from).transpose()
}

/// An application's live bookings, on `executor`.
async fn live_on<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    application_id: &str,
) -> anyhow::Result<Vec<Booking>> {
    let rows = sqlx::query_as::<_, BookingRow>(&format!(
        "SELECT {COLUMNS} FROM bookings WHERE application_id = $1 AND live = 1 ORDER BY starts_at"
    ))
    .bind(application_id)
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(Booking::try_from).collect()
}

impl Bookings<'_> {
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Booking>> {
        booking_on(self.db, id).await
    }

    /// The application's live bookings (at most one of each kind).
    pub async fn live_for(&self, application_id: &str) -> anyhow::Result<Vec<Booking>> {
        live_on(self.db, application_id).await
    }

    pub async fn live_of_kind(
        &self,
        application_id: &str,
        kind: Kind,
    ) -> anyhow::Result<Option<Booking>> {
        Ok(self
            .live_for(application_id)
            .await?
            .into_iter()
            .find(|b| b.kind == kind))
    }

    /// Seats taken per (centre, day, slot) from `from` to `to`, for one
    /// centre or (with `None`) all of them.
    pub async fn taken(
        &self,
        centre_id: Option<&str>,
        from: CivilDate,
        to: CivilDate,
    ) -> anyhow::Result<HashMap<(String, CivilDate, u16), u16>> {
        let rows = sqlx::query_as::<_, TakenRow>(
            "SELECT centre_id, day, slot, COUNT(*) AS seats FROM bookings \
             WHERE live = 1 AND day >= $1 AND day <= $2 AND ($3 = '' OR centre_id = $3) \
             GROUP BY centre_id, day, slot",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(centre_id.unwrap_or(""))
        .fetch_all(self.db)
        .await?;
        let mut taken = HashMap::new();
        for row in rows {
            taken.insert(
                (row.centre_id, stored_day(&row.day)?, stored_slot(row.slot)?),
                u16::try_from(row.seats)?,
            );
        }
        Ok(taken)
    }

    /// Books every member into `centre` on `(day, slot)`, the first at
    /// `slot` and each next one in the following slot, or nobody, on the
    /// caller's connection `conn` (see the module's comment).
    pub async fn book(
        &self,
        conn: &mut AnyConnection,
        schedule: &Schedule<'_>,
        today: CivilDate,
        members: &[Member],
        (day, slot): (CivilDate, u16),
        now: i64,
    ) -> anyhow::Result<Outcome> {
        let centre = schedule.centre;
        let slots: Vec<u16> = (0..members.len())
            .map(|i| {
                slot.saturating_add(
                    centre
                        .slot_minutes
                        .saturating_mul(u16::try_from(i).unwrap_or(u16::MAX)),
                )
            })
            .collect();
        for (member, &slot) in slots.iter().enumerate() {
            if let Err(problem) = schedule.check(today, day, slot) {
                return Ok(Outcome::Refused(Refused::Slot { member, problem }));
            }
        }
        // Reads inside the caller's transaction go on its connection: it may
        // hold SQLite's write lock, and a second connection from the pool
        // could wait for ever behind requests waiting for that lock.
        for member in members {
            if let Some(old) = &member.replaces {
                match booking_on(&mut *conn, old).await? {
                    Some(old) if old.starts_at - now < self.cutoff_secs => {
                        return Ok(Outcome::Refused(Refused::TooLate));
                    }
                    _ => {}
                }
            }
        }
        let family_id = (members.len() > 1).then(crate::crypto::random_id);
        for _ in 0..MAX_ATTEMPTS {
            let mut savepoint = conn.begin().await?;
            let attempt = self
                .try_book(
                    &mut savepoint,
                    centre,
                    members,
                    day,
                    &slots,
                    family_id.as_deref(),
                    now,
                )
                .await;
            match attempt {
                Ok(outcome @ Outcome::Booked(_)) => {
                    savepoint.commit().await?;
                    return Ok(outcome);
                }
                Ok(outcome) => {
                    savepoint.rollback().await?;
                    return Ok(outcome);
                }
                Err(error) if lost_a_race(&error) => {
                    savepoint.rollback().await?;
                    // A double click: the other request booked it already.
                    let first = &members[0];
                    if first.replaces.is_none()
                        && let Some(existing) = live_on(&mut *conn, &first.application_id)
                            .await?
                            .into_iter()
                            .find(|b| b.kind == first.kind)
                    {
                        return Ok(Outcome::AlreadyBooked(existing));
                    }
                    tokio::task::yield_now().await;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(Outcome::Refused(Refused::Busy))
    }

    /// One try; a refusal leaves changes behind for the caller to roll back.
    #[allow(clippy::too_many_arguments)]
    async fn try_book(
        &self,
        tx: &mut AnyConnection,
        centre: &Centre,
        members: &[Member],
        day: CivilDate,
        slots: &[u16],
        family_id: Option<&str>,
        now: i64,
    ) -> Result<Outcome, sqlx::Error> {
        let mut booked = Vec::with_capacity(members.len());
        for (index, (member, &slot)) in members.iter().zip(slots).enumerate() {
            // The first statement writes, so SQLite takes its write lock at
            // once (no deadlock from upgrading a read).
            // A first booking needs a verified application; a change, a booked one.
            let from_state = if member.replaces.is_some() {
                "booked"
            } else {
                "verified"
            };
            let eligible = match member.kind {
                Kind::Enrolment => sqlx::query(
                    "UPDATE applications SET state = 'booked', updated_at = $2 WHERE id = $1 AND state = $3",
                )
                .bind(&member.application_id)
                .bind(now)
                .bind(from_state)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                Kind::Collection => sqlx::query(
                    "UPDATE applications SET updated_at = $2 WHERE id = $1 AND state = 'card_ready' \
                     AND (card_centre_id IS NULL OR card_centre_id = $3)",
                )
                .bind(&member.application_id)
                .bind(now)
                .bind(&centre.id)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            if eligible == 0 {
                return Ok(Outcome::Refused(Refused::NotEligible { member: index }));
            }
            if let Some(old) = &member.replaces {
                let freed = sqlx::query(
                    "UPDATE bookings SET live = 0, status = 'moved', ended_at = $2 \
                     WHERE id = $1 AND application_id = $3 AND live = 1",
                )
                .bind(old)
                .bind(now)
                .bind(&member.application_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if freed == 0 {
                    return Ok(Outcome::Refused(Refused::Changed));
                }
            }
            let booking = Booking {
                id: crate::crypto::random_id(),
                application_id: member.application_id.clone(),
                kind: member.kind,
                centre_id: centre.id.clone(),
                day,
                slot,
                starts_at: day.nairobi_unix_at(slot),
                family_id: family_id.map(str::to_string),
            };
            let inserted =
                insert_on_free_seat(tx, &booking, centre.counters, now, Seat::AtRandom).await?;
            if !inserted {
                return Ok(Outcome::Refused(Refused::Full { member: index }));
            }
            booked.push(booking);
        }
        Ok(Outcome::Booked(booked))
    }

    /// Gives up a live booking, on the caller's connection `conn`: the seat
    /// is free once that commits. An enrolment booking's application goes
    /// back to verified, ready to book again.
    pub async fn cancel(
        &self,
        conn: &mut AnyConnection,
        booking: &Booking,
        now: i64,
    ) -> anyhow::Result<Result<(), Refused>> {
        if booking.starts_at - now < self.cutoff_secs {
            return Ok(Err(Refused::TooLate));
        }
        let mut tx = conn.begin().await?;
        let ended = sqlx::query("UPDATE bookings SET live = 0, status = 'cancelled', ended_at = $2 WHERE id = $1 AND live = 1")
            .bind(&booking.id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if ended == 0 {
            tx.rollback().await?;
            return Ok(Err(Refused::Changed));
        }
        if booking.kind == Kind::Enrolment {
            sqlx::query("UPDATE applications SET state = 'verified', updated_at = $2 WHERE id = $1 AND state = 'booked'")
                .bind(&booking.application_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Whether a booking may still be changed or cancelled online.
    pub fn changeable(&self, booking: &Booking, now: i64) -> bool {
        booking.starts_at - now >= self.cutoff_secs
    }
}

/// Which free seat [`insert_on_free_seat`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seat {
    /// Any, at random: citizens racing for one slot seldom pick the same.
    AtRandom,
    /// The lowest: a planned move fills seats in order.
    Lowest,
}

/// Inserts `booking`, live, on a free seat of its slot below `counters`, in
/// one statement (the unique index on live seats settles a race); `false`
/// when every seat is taken.
pub(crate) async fn insert_on_free_seat(
    conn: &mut AnyConnection,
    booking: &Booking,
    counters: u16,
    now: i64,
    seat: Seat,
) -> Result<bool, sqlx::Error> {
    let order = match seat {
        Seat::AtRandom => "random()",
        Seat::Lowest => "n",
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO bookings \
         (id, application_id, kind, centre_id, day, slot, seat, starts_at, live, status, family_id, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, n, $7, 1, 'booked', $8, $9 FROM seat_numbers \
         WHERE n < $10 AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.centre_id = $4 AND b.day = $5 \
         AND b.slot = $6 AND b.live = 1 AND b.seat = seat_numbers.n) \
         ORDER BY {order} LIMIT 1"
    ))
    .bind(&booking.id)
    .bind(&booking.application_id)
    .bind(booking.kind.code())
    .bind(&booking.centre_id)
    .bind(booking.day.to_string())
    .bind(i64::from(booking.slot))
    .bind(booking.starts_at)
    .bind(booking.family_id.as_deref())
    .bind(now)
    .bind(i64::from(counters))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
