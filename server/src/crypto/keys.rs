//! Data-key rotation while the portal keeps serving (`usajili keys rotate`).
//!
//! 1. A new data key is created; from then on it is the newest.
//! 2. Running servers pick it up within `USAJILI_KEY_REFRESH_SECS`
//!    (the `data keys` job, `FieldCipher::refresh`), so they can read values sealed with it and seal
//!    new values with it. The command waits that long (the *settle* time)
//!    before it re-encrypts anything, so no server meets a value sealed with
//!    a key it does not have yet.
//! 3. Every encrypted column is read in batches (by primary key) and each
//!    value sealed with an older key is decrypted and sealed again with the
//!    new one, written back only if the row still holds the value that was
//!    read (compare-and-set), so a concurrent change by the portal is never
//!    overwritten. Passes repeat until one finds nothing left to do.
//!
//! The same passes upgrade values sealed before values were bound to their
//! rows ([`bind_to_rows`], once, at start-up).
//!
//! Old data keys stay in `data_keys` (they cost nothing and keep old
//! backups readable); removing them is a separate, deliberate step.

use crate::crypto::columns::ENCRYPTED_COLUMNS;
use crate::crypto::{FieldCipher, MasterKey};
use sqlx::AnyPool;
use std::time::Duration;

/// Most passes before giving up (a server still sealing with an old key).
const MAX_PASSES: u32 = 10;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub new_key: u32,
    /// Values sealed again with the new key.
    pub rewritten: u64,
    /// Values the portal changed while they were being rewritten (left as
    /// the portal wrote them, and checked again on the next pass).
    pub changed_meanwhile: u64,
    pub passes: u32,
}

/// Creates a new data key, waits `settle` for running servers to load it,
/// then re-encrypts every value sealed with an older key, `batch` rows at
/// a time. (The command that runs it records the rotation in the audit
/// chain.)
pub async fn rotate(
    db: &AnyPool,
    cipher: &FieldCipher,
    master: &MasterKey,
    batch: i64,
    settle: Duration,
) -> anyhow::Result<Report> {
    let new_key = cipher.rotate(db, master).await?;
    tracing::info!(
        new_key,
        settle_secs = settle.as_secs(),
        "new data key; waiting for running servers to load it"
    );
    tokio::time::sleep(settle).await;
    let mut report = Report {
        new_key,
        ..Report::default()
    };
    let newest = cipher.active_key_id();
    let stale = |value: &[u8]| {
        FieldCipher::key_id_of(value).is_some_and(|id| id != newest)
            || FieldCipher::is_unbound(value)
    };
    loop {
        report.passes += 1;
        let (rewritten, changed) = reencrypt_pass(db, cipher, batch, &stale).await?;
        report.rewritten += rewritten;
        report.changed_meanwhile += changed;
        tracing::info!(
            pass = report.passes,
            rewritten,
            changed,
            "re-encryption pass"
        );
        if rewritten == 0 && changed == 0 {
            return Ok(report);
        }
        if report.passes >= MAX_PASSES {
            anyhow::bail!(
                "values are still being sealed with an older key after {MAX_PASSES} passes: \
                 is a server running without USAJILI_KEY_REFRESH_SECS, or with another master key?"
            );
        }
    }
}

/// The upgrade's name in `crypto_upgrades`.
const ROW_BINDING: &str = "row-binding";

/// Seals every value still bound to its column only (sealed before values
/// were bound to their rows) again, bound to its row. Runs at start-up;
/// once a pass finds none left, it is recorded in `crypto_upgrades` and
/// later starts skip it. Several servers starting at once may each run it:
/// every write is compare-and-set, so they cannot undo each other.
/// Returns the number of values sealed again.
pub async fn bind_to_rows(db: &AnyPool, cipher: &FieldCipher, batch: i64) -> anyhow::Result<u64> {
    let done: Option<i64> =
        sqlx::query_scalar("SELECT done_at FROM crypto_upgrades WHERE name = $1")
            .bind(ROW_BINDING)
            .fetch_optional(db)
            .await?;
    if done.is_some() {
        return Ok(0);
    }
    let mut total = 0;
    for _ in 0..MAX_PASSES {
        let (rewritten, changed) =
            reencrypt_pass(db, cipher, batch, &FieldCipher::is_unbound).await?;
        total += rewritten;
        if rewritten == 0 && changed == 0 {
            sqlx::query(
                "INSERT INTO crypto_upgrades (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(ROW_BINDING)
            .bind(crate::clock::unix_now())
            .execute(db)
            .await?;
            tracing::info!(rewritten = total, "encrypted values bound to their rows");
            return Ok(total);
        }
    }
    anyhow::bail!(
        "values bound to their column only are still being written after {MAX_PASSES} passes: is a server of an older release still running?"
    )
}

/// One pass over every encrypted column, sealing again each value `stale`
/// picks: (rewritten, changed meanwhile).
async fn reencrypt_pass(
    db: &AnyPool,
    cipher: &FieldCipher,
    batch: i64,
    stale: &dyn Fn(&[u8]) -> bool,
) -> anyhow::Result<(u64, u64)> {
    let (mut rewritten, mut changed) = (0, 0);
    for sealed_column in &ENCRYPTED_COLUMNS {
        let (table, column, key) = (sealed_column.table, sealed_column.column, sealed_column.key);
        let context = sealed_column.context;
        let select = format!(
            "SELECT {key} AS id, {column} AS value FROM {table} WHERE {key} > $1 AND {column} IS NOT NULL ORDER BY {key} LIMIT $2"
        );
        let update = format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3");
        let mut after = String::new();
        loop {
            let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(&select)
                .bind(&after)
                .bind(batch)
                .fetch_all(db)
                .await?;
            let Some((last, _)) = rows.last() else { break };
            after = last.clone();
            for (id, value) in &rows {
                // Emptied values (a pending verification with an outcome) and
                // values already as they should be are left alone.
                if !stale(value) {
                    continue;
                }
                let sealed = cipher.reseal(sealed_column, id, value).map_err(|error| {
                    anyhow::anyhow!("{context} of one row (id {id}) does not decrypt: {error}")
                })?;
                let done = sqlx::query(&update)
                    .bind(sealed)
                    .bind(id)
                    .bind(value)
                    .execute(db)
                    .await?
                    .rows_affected();
                if done == 1 {
                    rewritten += 1;
                } else {
                    changed += 1;
                }
            }
            // Room for the portal's own queries between batches.
            tokio::task::yield_now().await;
        }
    }
    Ok((rewritten, changed))
}
