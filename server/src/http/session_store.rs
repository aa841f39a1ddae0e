//! tower-sessions' store on our database (SQLite or PostgreSQL through the
//! `Any` pool). Rows are keyed by the SHA-256 of the session id, so the
//! table alone cannot be used to take over a session. Expired rows are
//! never loaded, and `citizen::sign_in::sweep` deletes them.
//!
//! Every page request extends a session's expiry (idle timeout), which
//! would make every request a database write. The store remembers what it
//! last read or wrote for each session and skips the write when the data is
//! unchanged and the expiry moves by less than `EXTEND_EVERY_SECS`: the idle
//! timeout is then exact to within that. Skipping never writes anything a
//! row did not already hold, so several processes stay correct (at worst
//! one of them writes when it need not).
//!
//! `save` only updates a row, never inserts one (new sessions come through
//! `create`): a session deleted while a request holding it was under way
//! (signed out on another device, its account deleted) stays deleted.
//!
//! The session library stamps expiries from the system clock; the store
//! moves them onto the server's [`Clock`], so idle timeouts follow the same
//! time as everything else (in production the two are the same).
//!
//! A request the page makes on its own, marked with
//! [`app::components::in_place::AUTOMATIC`] (the staff day list's refresh),
//! is no sign of activity: [`automatic_requests_are_no_activity`] saves
//! its session without moving the expiry.

use crate::clock::{Clock, unix_now};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// Expiry changes smaller than this are not written.
const EXTEND_EVERY_SECS: i64 = 60;
/// Sessions remembered before the memory is cleared.
const REMEMBERED: usize = 50_000;

tokio::task_local! {
    /// Set while a request the page made on its own is answered.
    static AUTOMATIC_REQUEST: ();
}

/// Answers a request marked [`app::components::in_place::AUTOMATIC`]
/// without counting it as activity: its session's expiry stays where the
/// last request a person made put it. (Put this layer outside the session
/// layer, so that the session's save runs inside it.)
pub async fn automatic_requests_are_no_activity(request: Request, next: Next) -> Response {
    if request
        .headers()
        .contains_key(app::components::in_place::AUTOMATIC)
    {
        AUTOMATIC_REQUEST.scope((), next.run(request)).await
    } else {
        next.run(request).await
    }
}

fn automatic_request() -> bool {
    AUTOMATIC_REQUEST.try_with(|()| ()).is_ok()
}

/// What a session row holds, as this process last saw it: a hash of its
/// data and its expiry.
type Seen = std::collections::HashMap<String, (u64, i64)>;

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: AnyPool,
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
    /// Rows whose expiry is past this clock's time are never loaded.
    clock: Clock,
}

impl DbSessionStore {
    /// A store on the system clock.
    pub fn new(db: AnyPool) -> Self {
        DbSessionStore {
            db,
            seen: Default::default(),
            clock: Clock::system(),
        }
    }

    /// The same store, telling expired rows by `clock` (the server's).
    pub fn with_clock(self, clock: Clock) -> Self {
        DbSessionStore { clock, ..self }
    }

    fn remember(&self, key: &str, data: &str, expires_at: i64) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= REMEMBERED {
                seen.clear();
            }
            seen.insert(key.to_string(), (digest(data), expires_at));
        }
    }

    fn forget(&self, key: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(key);
        }
    }

    /// The library's expiry (system clock) on the server's clock.
    fn stamp(&self, expiry: time::OffsetDateTime) -> i64 {
        expiry.unix_timestamp() + (self.clock.now() - unix_now())
    }

    /// Whether the row already holds `data` (whatever its expiry).
    fn holds(&self, key: &str, data: &str) -> bool {
        let Ok(seen) = self.seen.lock() else {
            return false;
        };
        seen.get(key).is_some_and(|&(hash, _)| hash == digest(data))
    }

    /// Whether the row already holds `data` and an expiry close enough.
    fn unchanged(&self, key: &str, data: &str, expires_at: i64) -> bool {
        let Ok(seen) = self.seen.lock() else {
            return false;
        };
        seen.get(key).is_some_and(|&(hash, seen_expiry)| {
            hash == digest(data) && (0..EXTEND_EVERY_SECS).contains(&(expires_at - seen_expiry))
        })
    }
}

fn digest(data: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    hasher.finish()
}

fn key(id: &Id) -> String {
    crate::crypto::hex(&Sha256::digest(id.0.to_le_bytes()))
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id; on the astronomically unlikely clash, another.
        loop {
            let data = serde_json::to_string(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(key(&record.id))
            .bind(&data)
            .bind(self.stamp(record.expiry_date))
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                self.remember(&key(&record.id), &data, self.stamp(record.expiry_date));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let key = key(&record.id);
        if automatic_request() {
            // No activity: the data if it changed, the expiry never.
            if !self.holds(&key, &data) {
                sqlx::query("UPDATE sessions SET data = $2 WHERE id = $1")
                    .bind(&key)
                    .bind(&data)
                    .execute(&self.db)
                    .await
                    .map_err(backend)?;
                self.forget(&key);
            }
            return Ok(());
        }
        let expires_at = self.stamp(record.expiry_date);
        if self.unchanged(&key, &data, expires_at) {
            return Ok(());
        }
        // An update only: a row deleted since this request loaded it is
        // not written back.
        let updated = sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id = $1")
            .bind(&key)
            .bind(&data)
            .bind(expires_at)
            .execute(&self.db)
            .await
            .map_err(backend)?;
        if updated.rows_affected() == 1 {
            self.remember(&key, &data, expires_at);
        } else {
            self.forget(&key);
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(key(id))
        .bind(self.clock.now())
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        self.remember(&key(id), &data, expires_at);
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        // Back onto the system clock, the library's.
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp(expires_at - (self.clock.now() - unix_now()))
                .map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.forget(&key(id));
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(key(id))
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
