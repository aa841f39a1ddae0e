//! The audit log: an append-only record of who did what to which record,
//! when, and from where, as a hash chain.
//!
//! Each entry's `hash` is an HMAC (under a key derived from the master key,
//! `FieldCipher::chain_mac`) over its own fields and the previous entry's
//! hash; `seq` counts from 1 without gaps. `verify` (and `usajili audit
//! verify`) recomputes the chain and names the first entry that was edited,
//! inserted or deleted. Truncating the newest entries leaves a shorter valid
//! chain, so operators record the head outside the database (`usajili
//! audit head`) and check the chain against it later ([`anchor`]).
//!
//! Entries hold ids, action names and counts, never personal data. A
//! citizen's connection is kept as a keyed hash of the address; a staff
//! member's as the address itself.

pub mod anchor;

use crate::crypto::FieldCipher;
use sqlx::{AnyConnection, AnyPool, Connection};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "genesis";
const MAX_ATTEMPTS: usize = 50;

/// Who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor<'a> {
    /// A citizen, by account id.
    Citizen(&'a str),
    /// A member of staff, by staff account id.
    Staff(&'a str),
    /// The portal itself (a scheduled job, a command-line tool).
    System(&'a str),
}

impl Actor<'_> {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Actor::Citizen(id) => ("citizen", id),
            Actor::Staff(id) => ("staff", id),
            Actor::System(name) => ("system", name),
        }
    }
}

/// One thing that happened. `detail` is for counts and reasons, never
/// personal data.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub actor: Actor<'a>,
    pub action: &'a str,
    pub record: Option<(&'a str, &'a str)>,
    pub source: Option<String>,
    pub detail: Option<String>,
    /// The centre the entry belongs to (its supervisors see it).
    pub centre: Option<&'a str>,
}

impl<'a> Event<'a> {
    pub fn new(actor: Actor<'a>, action: &'a str) -> Self {
        Event {
            actor,
            action,
            record: None,
            source: None,
            detail: None,
            centre: None,
        }
    }

    pub fn at_centre(mut self, centre: Option<&'a str>) -> Self {
        self.centre = centre;
        self
    }

    pub fn on(mut self, kind: &'a str, id: &'a str) -> Self {
        self.record = Some((kind, id));
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A citizen's connection: a keyed hash of the address, not the address.
    pub fn from_citizen_address(mut self, cipher: &FieldCipher, address: &str) -> Self {
        self.source = Some(format!(
            "hmac:{}",
            &cipher.blind_index("audit:address", address)[..32]
        ));
        self
    }

    /// A staff member's connection: the address itself.
    pub fn from_staff_address(mut self, address: &str) -> Self {
        self.source = Some(address.to_string());
        self
    }
}

/// A stored entry (its row as it is: every column a field).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: String,
    pub action: String,
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub source: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub centre_id: Option<String>,
}

impl Entry {
    /// The bytes the HMAC covers: every field but `hash`, each length-prefixed
    /// (a missing one marked apart from an empty one), so no two different
    /// entries share them.
    fn message(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let mut put = |field: Option<&str>| match field {
            Some(text) => {
                out.extend_from_slice(
                    &u32::try_from(text.len())
                        .unwrap_or(u32::MAX - 1)
                        .to_be_bytes(),
                );
                out.extend_from_slice(text.as_bytes());
            }
            None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
        };
        put(Some(&self.seq.to_string()));
        put(Some(&self.at.to_string()));
        put(Some(&self.actor_kind));
        put(Some(&self.actor_id));
        put(Some(&self.action));
        put(self.record_kind.as_deref());
        put(self.record_id.as_deref());
        put(self.source.as_deref());
        put(self.detail.as_deref());
        put(Some(&self.prev_hash));
        // Added with the staff console: entries without a centre hash as
        // they did before, so older chains still verify.
        if let Some(centre) = &self.centre_id {
            put(Some(centre));
        }
        out
    }
}

const COLUMNS: &str = "seq, at, actor_kind, actor_id, action, record_kind, record_id, source, detail, prev_hash, hash, centre_id";

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry checks out; the head is the newest entry (`None`: empty log).
    Intact {
        entries: u64,
        head: Option<(i64, String)>,
    },
    /// The first entry that does not fit the chain, and why.
    Broken { seq: i64, problem: Problem },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Entries before this one are missing (`seq` skips).
    Missing,
    /// Its fields are not the ones its hash was made over.
    Edited,
    /// It does not follow on from the entry before it.
    Unlinked,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Intact { entries: 0, .. } => write!(f, "the audit log is empty"),
            Verdict::Intact {
                entries,
                head: Some((seq, hash)),
            } => {
                write!(
                    f,
                    "the audit log is intact: {entries} entries; the newest is {seq} with hash {hash}"
                )
            }
            Verdict::Intact {
                entries,
                head: None,
            } => write!(f, "the audit log is intact: {entries} entries"),
            Verdict::Broken {
                seq,
                problem: Problem::Missing,
            } => {
                write!(
                    f,
                    "the audit log is broken: entries before {seq} have been deleted"
                )
            }
            Verdict::Broken {
                seq,
                problem: Problem::Edited,
            } => {
                write!(f, "the audit log is broken: entry {seq} has been edited")
            }
            Verdict::Broken {
                seq,
                problem: Problem::Unlinked,
            } => write!(
                f,
                "the audit log is broken: entry {seq} does not follow the entry before it (one was replaced or inserted)"
            ),
        }
    }
}

pub struct Audit<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

impl Audit<'_> {
    /// Appends `event` at the end of the chain on a connection of its own;
    /// returns its `seq`. For an action that changes something, use
    /// [`Audit::record_in`] in the change's own transaction instead.
    pub async fn record(&self, event: &Event<'_>, now: i64) -> anyhow::Result<i64> {
        let mut conn = self.db.acquire().await?;
        self.append(&mut conn, event, now, false).await
    }

    /// Appends `event` inside the caller's transaction `tx`, so the entry
    /// exists if and only if the change it records commits. Call it after
    /// the change's first write (SQLite then already holds its write lock).
    pub async fn record_in(
        &self,
        tx: &mut AnyConnection,
        event: &Event<'_>,
        now: i64,
    ) -> anyhow::Result<i64> {
        self.append(tx, event, now, true).await
    }

    /// Two writers racing for the same `seq` meet the primary key: the
    /// loser reads the new head and tries again. Inside a transaction each
    /// try is a savepoint, because PostgreSQL refuses every statement after
    /// a failed one until the transaction (or savepoint) is rolled back.
    async fn append(
        &self,
        conn: &mut AnyConnection,
        event: &Event<'_>,
        now: i64,
        in_transaction: bool,
    ) -> anyhow::Result<i64> {
        for attempt in 0..MAX_ATTEMPTS {
            let appended = if in_transaction {
                let mut savepoint = conn.begin().await?;
                let appended = self.append_once(&mut savepoint, event, now).await?;
                if appended.is_some() {
                    savepoint.commit().await?;
                } else {
                    savepoint.rollback().await?;
                }
                appended
            } else {
                self.append_once(conn, event, now).await?
            };
            if let Some(seq) = appended {
                return Ok(seq);
            }
            // Someone else appended that `seq` first; spread the retries out.
            let pause = rand::random_range(1..=5u64) * (attempt as u64 + 1).min(10);
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        anyhow::bail!("could not append to the audit log after {MAX_ATTEMPTS} attempts")
    }

    /// One try at appending: `None` if another writer took the next `seq`.
    async fn append_once(
        &self,
        conn: &mut AnyConnection,
        event: &Event<'_>,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        let (actor_kind, actor_id) = event.actor.parts();
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
        let (seq, prev_hash) = match head {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_string()),
        };
        let mut entry = Entry {
            seq,
            at: now,
            actor_kind: actor_kind.to_string(),
            actor_id: actor_id.to_string(),
            action: event.action.to_string(),
            record_kind: event.record.map(|(kind, _)| kind.to_string()),
            record_id: event.record.map(|(_, id)| id.to_string()),
            source: event.source.clone(),
            detail: event.detail.clone(),
            prev_hash,
            hash: String::new(),
            centre_id: event.centre.map(str::to_string),
        };
        entry.hash = self.cipher.chain_mac(&entry.message());
        let inserted = sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(entry.seq)
        .bind(entry.at)
        .bind(&entry.actor_kind)
        .bind(&entry.actor_id)
        .bind(&entry.action)
        .bind(&entry.record_kind)
        .bind(&entry.record_id)
        .bind(&entry.source)
        .bind(&entry.detail)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .bind(&entry.centre_id)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => Ok(Some(seq)),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Recomputes the whole chain, a thousand entries at a time.
    pub async fn verify(&self) -> anyhow::Result<Verdict> {
        let mut entries = 0u64;
        let mut previous: Option<(i64, String)> = None;
        loop {
            let after = previous.as_ref().map_or(0, |(seq, _)| *seq);
            let rows = sqlx::query_as::<_, Entry>(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(self.db)
            .await?;
            if rows.is_empty() {
                return Ok(Verdict::Intact {
                    entries,
                    head: previous,
                });
            }
            for entry in rows {
                let (expected_seq, expected_prev) = match &previous {
                    Some((seq, hash)) => (seq + 1, hash.as_str()),
                    None => (1, GENESIS),
                };
                if entry.seq != expected_seq {
                    return Ok(Verdict::Broken {
                        seq: entry.seq,
                        problem: Problem::Missing,
                    });
                }
                if self.cipher.chain_mac(&entry.message()) != entry.hash {
                    return Ok(Verdict::Broken {
                        seq: entry.seq,
                        problem: Problem::Edited,
                    });
                }
                if entry.prev_hash != expected_prev {
                    return Ok(Verdict::Broken {
                        seq: entry.seq,
                        problem: Problem::Unlinked,
                    });
                }
                entries += 1;
                previous = Some((entry.seq, entry.hash));
            }
        }
    }

    /// The newest entries, newest first: one centre's (a supervisor's view)
    /// or everyone's (`None`, an administrator's).
    pub async fn trail(&self, centre: Option<&str>, limit: i64) -> anyhow::Result<Vec<Entry>> {
        let rows = match centre {
            Some(centre) => sqlx::query_as::<_, Entry>(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE centre_id = $1 ORDER BY seq DESC LIMIT $2"
            ))
            .bind(centre)
            .bind(limit)
            .fetch_all(self.db)
            .await?,
            None => {
                sqlx::query_as::<_, Entry>(&format!(
                    "SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(self.db)
                .await?
            }
        };
        Ok(rows)
    }

    /// Entries about one record, oldest first (for staff screens and tests).
    pub async fn about(&self, kind: &str, id: &str) -> anyhow::Result<Vec<Entry>> {
        let rows = sqlx::query_as::<_, Entry>(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE record_kind = $1 AND record_id = $2 ORDER BY seq"
        ))
        .bind(kind)
        .bind(id)
        .fetch_all(self.db)
        .await?;
        Ok(rows)
    }
}

/// Records that `usajili audit verify` found the chain intact at `now`
/// (with `entries` entries), so that the servers, other processes, can
/// tell the monitoring when the chain was last checked. One row, replaced.
pub async fn record_verified(db: &AnyPool, entries: u64, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO audit_verifications (chain, verified_at, entries) VALUES ('audit_log', $1, $2) \
         ON CONFLICT (chain) DO UPDATE SET verified_at = excluded.verified_at, entries = excluded.entries",
    )
    .bind(now)
    .bind(i64::try_from(entries).unwrap_or(i64::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// When `usajili audit verify` last found the chain intact (Unix seconds),
/// if it ever did.
pub async fn last_verified(db: &AnyPool) -> anyhow::Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT verified_at FROM audit_verifications WHERE chain = 'audit_log'")
            .fetch_optional(db)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 1,
            at: 10,
            actor_kind: "citizen".into(),
            actor_id: "a".into(),
            action: "account.download".into(),
            record_kind: Some("account".into()),
            record_id: Some("a".into()),
            source: None,
            detail: Some(String::new()),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            centre_id: None,
        }
    }

    #[test]
    fn the_centre_is_covered_by_the_hash_when_set() {
        let mut other = entry();
        other.centre_id = Some("C1".into());
        assert_ne!(entry().message(), other.message());
    }

    #[test]
    fn a_missing_field_and_an_empty_one_are_different_messages() {
        let mut other = entry();
        other.detail = None;
        assert_ne!(entry().message(), other.message());
    }

    #[test]
    fn moving_text_between_fields_changes_the_message() {
        let mut other = entry();
        // Run together, "a" + "account.download" and "aa" + "ccount.download" are equal.
        other.actor_id = "aa".into();
        other.action = "ccount.download".into();
        assert_ne!(entry().message(), other.message());
    }
}
