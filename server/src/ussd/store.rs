//! The USSD tables: the numbers that use USSD (language, PIN hash, wrong
//! tries) and the sessions' state. A number is only ever its contact blind
//! index here; see `migrations/20261130000022_ussd.sql`.

use sqlx::{AnyConnection, AnyPool};

/// Wrong PINs in one Nairobi day that lock USSD for a number until the
/// next day.
pub const MAX_WRONG_PINS: i64 = 3;
/// How long a session's state lasts after its last step (networks end a
/// session after about 180 seconds).
pub const SESSION_SECS: i64 = 180;
/// How long after its last step a session left part-way may be resumed.
pub const RESUME_SECS: i64 = 600;
/// How often the job deleting sessions past resuming runs.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// A number's row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Number {
    pub language: String,
    pub pin_hash: Option<String>,
    pub wrong_pins: i64,
    pub wrong_day: Option<String>,
}

impl Number {
    /// Whether too many wrong PINs were typed on `today` (`YYYY-MM-DD`).
    pub fn locked_on(&self, today: &str) -> bool {
        self.wrong_day.as_deref() == Some(today) && self.wrong_pins >= MAX_WRONG_PINS
    }
}

/// A session's row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub state: String,
    pub consumed: i64,
    pub finished: i64,
    pub expires_at: i64,
    pub updated_at: i64,
}

/// [`SessionRow`] with its id.
#[derive(sqlx::FromRow)]
struct ResumableRow {
    session_id: String,
    state: String,
    consumed: i64,
    finished: i64,
    expires_at: i64,
    updated_at: i64,
}

pub struct Store<'a> {
    pub db: &'a AnyPool,
}

impl Store<'_> {
    pub async fn number(&self, index: &str) -> anyhow::Result<Option<Number>> {
        Ok(sqlx::query_as(
            "SELECT language, pin_hash, wrong_pins, wrong_day FROM ussd_numbers WHERE contact_index = $1",
        )
        .bind(index)
        .fetch_optional(self.db)
        .await?)
    }

    /// Records the language chosen for a number (its row made on first use).
    pub async fn set_language(&self, index: &str, language: &str, now: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO ussd_numbers (contact_index, language, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (contact_index) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
        )
        .bind(index)
        .bind(language)
        .bind(now)
        .execute(self.db)
        .await?;
        Ok(())
    }

    /// Sets the number's first PIN, on the caller's transaction; false if
    /// it already has one (another session set it first).
    pub async fn set_pin(
        conn: &mut AnyConnection,
        index: &str,
        hash: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let set = sqlx::query(
            "UPDATE ussd_numbers SET pin_hash = $2, wrong_pins = 0, wrong_day = NULL, updated_at = $3 \
             WHERE contact_index = $1 AND pin_hash IS NULL",
        )
        .bind(index)
        .bind(hash)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected();
        Ok(set == 1)
    }

    /// Takes one PIN try for `today` before the PIN is compared: one
    /// conditional update, so that concurrent tries from any process count
    /// one by one. Returns the tries taken today including this one, or
    /// `None` when the number is locked for the day (or has no PIN).
    pub async fn take_pin_try(
        &self,
        index: &str,
        today: &str,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "UPDATE ussd_numbers SET wrong_pins = CASE WHEN wrong_day = $2 THEN wrong_pins + 1 ELSE 1 END, \
             wrong_day = $2, updated_at = $3 \
             WHERE contact_index = $1 AND pin_hash IS NOT NULL \
             AND (wrong_day IS NULL OR wrong_day <> $2 OR wrong_pins < $4) \
             RETURNING wrong_pins",
        )
        .bind(index)
        .bind(today)
        .bind(now)
        .bind(MAX_WRONG_PINS)
        .fetch_optional(self.db)
        .await?)
    }

    /// Gives back the try a right PIN took.
    pub async fn give_pin_try_back(&self, index: &str, today: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE ussd_numbers SET wrong_pins = wrong_pins - 1 \
             WHERE contact_index = $1 AND wrong_day = $2 AND wrong_pins > 0",
        )
        .bind(index)
        .bind(today)
        .execute(self.db)
        .await?;
        Ok(())
    }

    /// Marks the number's row as changed by its lock, on the caller's
    /// transaction (the first write, before the lock's audit event).
    pub async fn touch(conn: &mut AnyConnection, index: &str, now: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE ussd_numbers SET updated_at = $2 WHERE contact_index = $1")
            .bind(index)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// This number's session `session_id`, whatever its expiry.
    pub async fn session(
        &self,
        session_id: &str,
        index: &str,
    ) -> anyhow::Result<Option<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT state, consumed, finished, expires_at, updated_at FROM ussd_sessions \
             WHERE session_id = $1 AND contact_index = $2",
        )
        .bind(session_id)
        .bind(index)
        .fetch_optional(self.db)
        .await?)
    }

    /// The number's latest other session left part-way in the last
    /// [`RESUME_SECS`], to offer to resume: its id and row.
    pub async fn unfinished(
        &self,
        session_id: &str,
        index: &str,
        now: i64,
    ) -> anyhow::Result<Option<(String, SessionRow)>> {
        let row: Option<ResumableRow> = sqlx::query_as(
            "SELECT session_id, state, consumed, finished, expires_at, updated_at FROM ussd_sessions \
             WHERE contact_index = $1 AND session_id <> $2 AND finished = 0 AND updated_at > $3 \
             ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(index)
        .bind(session_id)
        .bind(now - RESUME_SECS)
        .fetch_optional(self.db)
        .await?;
        Ok(row.map(|r| {
            (
                r.session_id,
                SessionRow {
                    state: r.state,
                    consumed: r.consumed,
                    finished: r.finished,
                    expires_at: r.expires_at,
                    updated_at: r.updated_at,
                },
            )
        }))
    }

    /// Marks a session finished: its state was taken over by a new one.
    pub async fn finish(&self, session_id: &str, index: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE ussd_sessions SET finished = 1 WHERE session_id = $1 AND contact_index = $2",
        )
        .bind(session_id)
        .bind(index)
        .execute(self.db)
        .await?;
        Ok(())
    }

    /// Saves a session's state after a step; a finished session (its last
    /// screen shown) is never resumed.
    pub async fn save(
        &self,
        session_id: &str,
        index: &str,
        (state, consumed, finished): (&str, i64, bool),
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO ussd_sessions (session_id, contact_index, state, consumed, finished, expires_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (session_id, contact_index) DO UPDATE SET state = excluded.state, \
             consumed = excluded.consumed, finished = excluded.finished, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        )
        .bind(session_id)
        .bind(index)
        .bind(state)
        .bind(consumed)
        .bind(i64::from(finished))
        .bind(now + SESSION_SECS)
        .bind(now)
        .execute(self.db)
        .await?;
        Ok(())
    }

    /// Deletes sessions no one can resume any more (a row is kept
    /// [`RESUME_SECS`] at most after it expires): the job `ussd sessions`
    /// (`startup.rs`), every [`SWEEP_INTERVAL`] in every process. One
    /// conditional delete, so processes running it at once delete each
    /// row once, and a session being answered is never one of them.
    pub async fn sweep(db: &AnyPool, now: i64) -> anyhow::Result<u64> {
        Ok(
            sqlx::query("DELETE FROM ussd_sessions WHERE expires_at < $1")
                .bind(now - RESUME_SECS)
                .execute(db)
                .await?
                .rows_affected(),
        )
    }
}
