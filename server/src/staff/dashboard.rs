//! The figures on a centre's dashboard: bookings against capacity for the
//! next 14 days, today's no-shows, and the cards waiting to be collected.

use crate::booking::centres::Centres;
use crate::booking::schedule::Schedule;
use app::dates::CivilDate;
use app::pages::staff::{DayLoad, Uncollected};
use sqlx::AnyPool;

pub const DAYS: i64 = 14;
const UNCOLLECTED_SHOWN: i64 = 50;

/// Bookings (live or done, not cancelled or moved) and seats per day.
pub async fn load(db: &AnyPool, centre_id: &str, today: CivilDate) -> anyhow::Result<Vec<DayLoad>> {
    let centres = Centres { db };
    let Some(centre) = centres.get(centre_id).await? else {
        return Ok(Vec::new());
    };
    let last = today.add_days(DAYS - 1);
    let closures = centres.closures(today, last).await?;
    let schedule = Schedule {
        centre: &centre,
        closures: &closures,
    };
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT day, COUNT(*) FROM bookings WHERE centre_id = $1 AND day >= $2 AND day <= $3 \
         AND status NOT IN ('cancelled', 'moved') GROUP BY day",
    )
    .bind(centre_id)
    .bind(today.to_string())
    .bind(last.to_string())
    .fetch_all(db)
    .await?;
    Ok((0..DAYS)
        .map(|offset| {
            let day = today.add_days(offset);
            let booked = counts
                .iter()
                .find(|(d, _)| *d == day.to_string())
                .map_or(0, |(_, n)| *n);
            DayLoad {
                day,
                booked: u32::try_from(booked).unwrap_or(u32::MAX),
                capacity: schedule.slots_on(day).len() as u32 * u32::from(centre.counters),
            }
        })
        .collect())
}

/// Today's no-shows, and the bookings whose time has come.
pub async fn no_shows_today(
    db: &AnyPool,
    centre: &str,
    today: CivilDate,
    now: i64,
) -> anyhow::Result<(u32, u32)> {
    let (no_shows, due): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END), 0), COUNT(*) FROM bookings \
         WHERE centre_id = $1 AND day = $2 AND starts_at <= $3 AND status NOT IN ('cancelled', 'moved')",
    )
    .bind(centre)
    .bind(today.to_string())
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok((no_shows as u32, due as u32))
}

/// Cards ready at the centre and not yet collected, longest waiting first.
pub async fn uncollected(
    db: &AnyPool,
    centre: &str,
    now: i64,
) -> anyhow::Result<(Vec<Uncollected>, u32)> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE state = 'card_ready' AND card_centre_id = $1",
    )
    .bind(centre)
    .fetch_one(db)
    .await?;
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT reference, updated_at FROM applications WHERE state = 'card_ready' AND card_centre_id = $1 \
         ORDER BY updated_at, id LIMIT $2",
    )
    .bind(centre)
    .bind(UNCOLLECTED_SHOWN)
    .fetch_all(db)
    .await?;
    let waiting = rows
        .into_iter()
        .map(|(reference, since)| Uncollected {
            reference: reference.unwrap_or_default(),
            waiting_days: u32::try_from((now - since).max(0) / 86_400).unwrap_or(0),
        })
        .collect();
    Ok((waiting, total as u32))
}
