//! The centres and their closures, read from the database.

use app::dates::CivilDate;
use sqlx::AnyPool;

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

/// A `closures` row as the booking rules read it.
#[derive(sqlx::FromRow)]
pub(crate) struct ClosureRow {
    centre_id: Option<String>,
    day: String,
    starts: Option<i64>,
    ends: Option<i64>,
}

impl TryFrom<ClosureRow> for Closure {
    type Error = anyhow::Error;

    /// Fails on a day that is not a date or a minute out of range (a
    /// corrupted row: the portal only writes dates and minutes).
    fn try_from(row: ClosureRow) -> anyhow::Result<Self> {
        let span = match (row.starts, row.ends) {
            (Some(starts), Some(ends)) => Some((
                stored_u16(starts, "a closure's start")?,
                stored_u16(ends, "a closure's end")?,
            )),
            _ => None,
        };
        Ok(Closure {
            centre_id: row.centre_id,
            day: row
                .day
                .parse()
                .map_err(|_| anyhow::anyhow!("a closure's day is not a date"))?,
            span,
        })
    }
}

/// [`Closure`]s from their rows.
pub(crate) fn closures_from_rows(rows: Vec<ClosureRow>) -> anyhow::Result<Vec<Closure>> {
    rows.into_iter().map(Closure::try_from).collect()
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

/// A stored minute, count or number of days; out of range is a corrupted row.
fn stored_u16(value: i64, what: &'static str) -> anyhow::Result<u16> {
    u16::try_from(value).map_err(|_| anyhow::anyhow!("{what} is out of range"))
}

#[derive(sqlx::FromRow)]
struct CentreRow {
    id: String,
    name: String,
    county_code: String,
    address: String,
    counters: i64,
    slot_minutes: i64,
    horizon_days: i64,
}

impl TryFrom<CentreRow> for Centre {
    type Error = anyhow::Error;

    fn try_from(row: CentreRow) -> anyhow::Result<Self> {
        Ok(Centre {
            id: row.id,
            name: row.name,
            county_code: row.county_code,
            address: row.address,
            counters: stored_u16(row.counters, "a centre's counters")?.min(64),
            slot_minutes: stored_u16(row.slot_minutes, "a centre's slot length")?.max(1),
            horizon_days: stored_u16(row.horizon_days, "a centre's horizon")?,
            hours: [None; 7],
        })
    }
}

#[derive(sqlx::FromRow)]
struct HoursRow {
    centre_id: String,
    weekday: i64,
    opens: i64,
    closes: i64,
}

pub struct Centres<'a> {
    pub db: &'a AnyPool,
}

impl Centres<'_> {
    /// Every centre, or those in one county, whose name contains `text`
    /// (any case), by name as people read it: letters alike whatever their
    /// case ("Huduma Centre GPO" after "Garissa", not between "Embu" and it).
    pub async fn search(&self, county: Option<&str>, text: &str) -> anyhow::Result<Vec<Centre>> {
        let rows = sqlx::query_as::<_, CentreRow>(
            "SELECT id, name, county_code, address, counters, slot_minutes, horizon_days FROM centres \
             WHERE ($1 = '' OR county_code = $1) ORDER BY LOWER(name), id",
        )
        .bind(county.unwrap_or(""))
        .fetch_all(self.db)
        .await?;
        let needle = text.trim().to_lowercase();
        let mut centres = Vec::new();
        for row in rows {
            if needle.is_empty() || row.name.to_lowercase().contains(&needle) {
                centres.push(Centre::try_from(row)?);
            }
        }
        self.with_hours(centres).await
    }

    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Centre>> {
        let row = sqlx::query_as::<_, CentreRow>(
            "SELECT id, name, county_code, address, counters, slot_minutes, horizon_days FROM centres WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(self.with_hours(vec![Centre::try_from(row)?]).await?.pop())
    }

    async fn with_hours(&self, mut centres: Vec<Centre>) -> anyhow::Result<Vec<Centre>> {
        // One centre (a booking, a day page): only its rows.
        let only = match centres.as_slice() {
            [one] => one.id.clone(),
            _ => String::new(),
        };
        let rows = sqlx::query_as::<_, HoursRow>("SELECT centre_id, weekday, opens, closes FROM centre_hours WHERE ($1 = '' OR centre_id = $1)")
            .bind(only)
            .fetch_all(self.db)
            .await?;
        for row in rows {
            // Hours of centres not asked for (all centres' rows are read at once).
            let Some(centre) = centres.iter_mut().find(|c| c.id == row.centre_id) else {
                continue;
            };
            let slot = usize::try_from(row.weekday)
                .ok()
                .and_then(|w| centre.hours.get_mut(w))
                .ok_or_else(|| anyhow::anyhow!("a centre's opening weekday is out of range"))?;
            *slot = Some((
                stored_u16(row.opens, "a centre's opening minute")?,
                stored_u16(row.closes, "a centre's closing minute")?,
            ));
        }
        Ok(centres)
    }

    /// Closures from `from` to `to` inclusive, for any centre.
    pub async fn closures(&self, from: CivilDate, to: CivilDate) -> anyhow::Result<Vec<Closure>> {
        let rows = sqlx::query_as::<_, ClosureRow>(
            "SELECT centre_id, day, starts, ends FROM closures WHERE day >= $1 AND day <= $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.db)
        .await?;
        closures_from_rows(rows)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn closure(day: &str, starts: Option<i64>, ends: Option<i64>) -> ClosureRow {
        ClosureRow {
            centre_id: None,
            day: day.to_string(),
            starts,
            ends,
        }
    }

    #[test]
    fn a_closure_row_reads_as_a_closure() {
        let read = Closure::try_from(closure("2026-12-25", Some(480), Some(720))).unwrap();
        assert_eq!(read.day, "2026-12-25".parse().unwrap());
        assert_eq!(read.span, Some((480, 720)));
        assert_eq!(read.centre_id, None);
        let whole_day = Closure::try_from(closure("2026-12-25", None, None)).unwrap();
        assert_eq!(whole_day.span, None);
    }

    #[test]
    fn a_corrupted_closure_row_fails_to_load() {
        assert!(Closure::try_from(closure("someday", None, None)).is_err());
        assert!(Closure::try_from(closure("2026-12-25", Some(-1), Some(720))).is_err());
        assert!(Closure::try_from(closure("2026-12-25", Some(480), Some(70_000))).is_err());
    }

    #[tokio::test]
    async fn centres_are_listed_by_name_whatever_its_letters_case() {
        let db = crate::db::connect("sqlite::memory:", 1).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let names: Vec<String> = Centres { db: &db }
            .search(None, "")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        let at = |name: &str| names.iter().position(|n| n == name).unwrap();
        assert!(
            at("Huduma Centre Garissa") < at("Huduma Centre GPO"),
            "{names:?}"
        );
        assert!(
            at("Huduma Centre GPO") < at("Huduma Centre Homa Bay"),
            "{names:?}"
        );
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted);
    }

    #[test]
    fn a_centre_row_out_of_range_fails_to_load() {
        let row = |counters| CentreRow {
            id: "c".into(),
            name: "Centre".into(),
            county_code: "047".into(),
            address: "Nairobi".into(),
            counters,
            slot_minutes: 15,
            horizon_days: 30,
        };
        assert_eq!(Centre::try_from(row(4)).unwrap().counters, 4);
        assert_eq!(Centre::try_from(row(100)).unwrap().counters, 64);
        assert!(Centre::try_from(row(-1)).is_err());
    }
}
