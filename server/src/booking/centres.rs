//! The centres and their closures, read from the database.

use app::dates::CivilDate;
use sqlx::{AnyPool, Row};

/// A Huduma Centre and the rules its slots are computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Centre {
    pub id: String,
    pub name: String,
    pub county_code: String,
    pub address: String,
    /// Appointments served at once: the capacity of every slot.
    pub counters: u16,
    pub slot_minutes: u16,
    /// How many days ahead people may book.
    pub horizon_days: u16,
    /// Opening and closing minute per weekday (Monday first); `None`: closed.
    pub hours: [Option<(u16, u16)>; 7],
}

/// Reads a `closures` row (`centre_id`, `day`, `starts`, `ends`); `None`
/// for a day that is not a date.
pub fn closure_from_row(row: &sqlx::any::AnyRow) -> anyhow::Result<Option<Closure>> {
    let day: String = row.try_get("day")?;
    let Ok(day) = day.parse() else {
        return Ok(None);
    };
    let starts: Option<i64> = row.try_get("starts")?;
    let ends: Option<i64> = row.try_get("ends")?;
    Ok(Some(Closure {
        centre_id: row.try_get("centre_id")?,
        day,
        span: starts.zip(ends).map(|(s, e)| (small(s), small(e))),
    }))
}

/// [`closure_from_row`] for each row, leaving out those without a date.
pub fn closures_from_rows(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<Vec<Closure>> {
    Ok(rows
        .iter()
        .map(closure_from_row)
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// A day, or part of one, when a centre (or every centre) is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    pub centre_id: Option<String>,
    pub day: CivilDate,
    /// Minutes after midnight; `None`: the whole day.
    pub span: Option<(u16, u16)>,
}

impl Closure {
    pub fn applies_to(&self, centre_id: &str) -> bool {
        self.centre_id.as_deref().is_none_or(|id| id == centre_id)
    }
}

fn small(value: i64) -> u16 {
    u16::try_from(value.clamp(0, i64::from(u16::MAX))).unwrap_or(0)
}

pub struct Centres<'a> {
    pub db: &'a AnyPool,
}

impl Centres<'_> {
    /// Every centre, or those in one county, whose name contains `text`
    /// (any case), by name.
    pub async fn search(&self, county: Option<&str>, text: &str) -> anyhow::Result<Vec<Centre>> {
        let rows = sqlx::query(
            "SELECT id, name, county_code, address, counters, slot_minutes, horizon_days FROM centres \
             WHERE ($1 = '' OR county_code = $1) ORDER BY name",
        )
        .bind(county.unwrap_or(""))
        .fetch_all(self.db)
        .await?;
        let needle = text.trim().to_lowercase();
        let mut centres = Vec::new();
        for row in rows {
            let name: String = row.try_get("name")?;
            if needle.is_empty() || name.to_lowercase().contains(&needle) {
                centres.push(self.decode(&row)?);
            }
        }
        self.with_hours(centres).await
    }

    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Centre>> {
        let row = sqlx::query(
            "SELECT id, name, county_code, address, counters, slot_minutes, horizon_days FROM centres WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(self.with_hours(vec![self.decode(&row)?]).await?.pop())
    }

    fn decode(&self, row: &sqlx::any::AnyRow) -> anyhow::Result<Centre> {
        Ok(Centre {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            county_code: row.try_get("county_code")?,
            address: row.try_get("address")?,
            counters: small(row.try_get("counters")?).min(64),
            slot_minutes: small(row.try_get("slot_minutes")?).max(1),
            horizon_days: small(row.try_get("horizon_days")?),
            hours: [None; 7],
        })
    }

    async fn with_hours(&self, mut centres: Vec<Centre>) -> anyhow::Result<Vec<Centre>> {
        // One centre (a booking, a day page): only its rows.
        let only = match centres.as_slice() {
            [one] => one.id.clone(),
            _ => String::new(),
        };
        let rows = sqlx::query("SELECT centre_id, weekday, opens, closes FROM centre_hours WHERE ($1 = '' OR centre_id = $1)")
            .bind(only)
            .fetch_all(self.db)
            .await?;
        for row in rows {
            let centre_id: String = row.try_get("centre_id")?;
            let weekday: i64 = row.try_get("weekday")?;
            let Some(centre) = centres.iter_mut().find(|c| c.id == centre_id) else {
                continue;
            };
            if let Some(slot) = usize::try_from(weekday)
                .ok()
                .and_then(|w| centre.hours.get_mut(w))
            {
                *slot = Some((small(row.try_get("opens")?), small(row.try_get("closes")?)));
            }
        }
        Ok(centres)
    }

    /// Closures from `from` to `to` inclusive, for any centre.
    pub async fn closures(&self, from: CivilDate, to: CivilDate) -> anyhow::Result<Vec<Closure>> {
        let rows = sqlx::query(
            "SELECT centre_id, day, starts, ends FROM closures WHERE day >= $1 AND day <= $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.db)
        .await?;
        closures_from_rows(&rows)
    }

    /// Closes a centre (or every centre) for a day or part of one.
    pub async fn add_closure(
        &self,
        centre_id: Option<&str>,
        day: CivilDate,
        span: Option<(u16, u16)>,
        reason: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO closures (id, centre_id, day, starts, ends, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(crate::crypto::random_id())
        .bind(centre_id)
        .bind(day.to_string())
        .bind(span.map(|(s, _)| i64::from(s)))
        .bind(span.map(|(_, e)| i64::from(e)))
        .bind(reason)
        .bind(now)
        .execute(self.db)
        .await?;
        Ok(())
    }
}
