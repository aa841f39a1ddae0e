//! Attempt limits on matching what someone typed with the registry, so
//! that the portal cannot be used to mine the registry.
//!
//! Each of the three ways in (proving an adult's ID, submitting an adult
//! application, adding a child) goes through [`Tries::attempt`]: before the
//! registry is asked, a try is taken from the account's bucket (at most
//! `per_account` failed matches in any 24 hours) and from the identifier's
//! (the ID or birth-certificate number, by its blind index: at most
//! `per_identifier` in any 24 hours, from any account). A try that found a
//! match, or found the registry unavailable, is given back; a mismatch
//! keeps it. With either bucket empty the registry is not asked, and the
//! answer is the same whichever it was.
//!
//! Counted in the database (`registry_tries`): a try takes one of a
//! bucket's slots with one conditional upsert (only a slot last used 24
//! hours ago or more, or given back), so the limits hold across server
//! processes, and any number of concurrent tries take at most as many slots
//! as there are. A centre supervisor can give a person's tries back
//! ([`reset_in`]).

use crate::crypto::{FieldCipher, columns};
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use sqlx::{AnyConnection, AnyPool};
use std::future::Future;

/// The window of the limits: a rolling 24 hours.
pub const WINDOW_SECS: i64 = 24 * 3600;

/// How many failed matches are allowed, from configuration.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptLimits {
    /// Failed matches with the registry one account may make in any 24
    /// hours, across proving an ID, submitting an application and adding a
    /// child.
    #[arg(
        long = "registry-tries-per-account",
        env = "USAJILI_REGISTRY_TRIES_PER_ACCOUNT",
        default_value_t = 5,
        global = true
    )]
    pub per_account: i64,
    /// Failed matches with the registry for one ID or birth-certificate
    /// number in any 24 hours, from any account.
    #[arg(
        long = "registry-tries-per-identifier",
        env = "USAJILI_REGISTRY_TRIES_PER_IDENTIFIER",
        default_value_t = 5,
        global = true
    )]
    pub per_identifier: i64,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        AttemptLimits {
            per_account: 5,
            per_identifier: 5,
        }
    }
}

/// The number a try is about.
#[derive(Clone, Copy, Debug)]
pub enum Identifier<'a> {
    NationalId(&'a NationalIdNumber),
    BirthCertificate(&'a BirthCertificateNumber),
}

/// The tries are used up: nothing was asked. `until` (Unix seconds) is
/// when trying again is sure to be allowed: 24 hours from now, the same
/// for either limit, so that the answer tells neither which limit it was
/// nor when anyone else tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TriesUsed {
    pub until: i64,
}

/// A slot taken for a try, until it is kept or given back.
struct Taken {
    bucket: String,
    slot: i64,
    at: i64,
}

/// The limits over the database, and the cipher for the blind indexes.
pub struct Tries<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub limits: AttemptLimits,
}

fn account_bucket(account: &str) -> String {
    format!("account:{account}")
}

/// An identifier's bucket: its blind index, never the number.
fn identifier_bucket(cipher: &FieldCipher, identifier: Identifier<'_>) -> String {
    match identifier {
        Identifier::NationalId(number) => format!(
            "id:{}",
            cipher.blind_index(columns::NATIONAL_ID_INDEX, number.as_ref())
        ),
        Identifier::BirthCertificate(number) => format!(
            "birth:{}",
            cipher.blind_index(columns::BIRTH_CERTIFICATE_INDEX, number.as_ref())
        ),
    }
}

impl Tries<'_> {
    /// Runs `check` (which asks the registry) only if a try is left for the
    /// account and for the identifier. The try is kept if `counts` says the
    /// result is a failed match, and given back otherwise (a match, the
    /// registry unavailable, a refusal before the registry was asked, an
    /// error).
    pub async fn attempt<T>(
        &self,
        account: &str,
        identifier: Identifier<'_>,
        now: i64,
        check: impl Future<Output = anyhow::Result<T>>,
        counts: impl FnOnce(&T) -> bool,
    ) -> anyhow::Result<Result<T, TriesUsed>> {
        let refused = TriesUsed {
            until: now + WINDOW_SECS,
        };
        let Some(mine) = self
            .take(account_bucket(account), self.limits.per_account, now)
            .await?
        else {
            tracing::info!("registry tries used up: nothing asked");
            return Ok(Err(refused));
        };
        let Some(its) = self
            .take(
                identifier_bucket(self.cipher, identifier),
                self.limits.per_identifier,
                now,
            )
            .await?
        else {
            self.give_back(&mine).await?;
            tracing::info!("registry tries used up: nothing asked");
            return Ok(Err(refused));
        };
        let result = check.await;
        if !matches!(&result, Ok(value) if counts(value)) {
            self.give_back(&mine).await?;
            self.give_back(&its).await?;
        }
        result.map(Ok)
    }

    /// Takes a free slot of `bucket` (one of `limit`), if there is one.
    async fn take(&self, bucket: String, limit: i64, now: i64) -> anyhow::Result<Option<Taken>> {
        for slot in 0..limit {
            let taken: Option<i64> = sqlx::query_scalar(
                "INSERT INTO registry_tries (bucket, slot, used_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (bucket, slot) DO UPDATE SET used_at = excluded.used_at \
                 WHERE registry_tries.used_at <= $4 RETURNING slot",
            )
            .bind(&bucket)
            .bind(slot)
            .bind(now)
            .bind(now - WINDOW_SECS)
            .fetch_optional(self.db)
            .await?;
            if taken.is_some() {
                return Ok(Some(Taken {
                    bucket,
                    slot,
                    at: now,
                }));
            }
        }
        Ok(None)
    }

    async fn give_back(&self, taken: &Taken) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE registry_tries SET used_at = 0 WHERE bucket = $1 AND slot = $2 AND used_at = $3",
        )
        .bind(&taken.bucket)
        .bind(taken.slot)
        .bind(taken.at)
        .execute(self.db)
        .await?;
        Ok(())
    }
}

/// Gives back every try of `identifier`'s bucket and of the accounts in
/// `accounts`, on the caller's connection (a supervisor's reset, in the
/// transaction that records it). Returns how many failed tries were given
/// back.
pub async fn reset_in(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    identifier: Identifier<'_>,
    accounts: &[String],
    now: i64,
) -> anyhow::Result<u64> {
    let mut buckets = vec![identifier_bucket(cipher, identifier)];
    buckets.extend(accounts.iter().map(|a| account_bucket(a)));
    let mut given = 0;
    for bucket in buckets {
        given +=
            sqlx::query("UPDATE registry_tries SET used_at = 0 WHERE bucket = $1 AND used_at > $2")
                .bind(bucket)
                .bind(now - WINDOW_SECS)
                .execute(&mut *conn)
                .await?
                .rows_affected();
    }
    Ok(given)
}

/// Deletes the slots that no longer count (last used 24 hours ago or more,
/// or given back): a try finds none and takes a new one.
pub async fn sweep(db: &AnyPool, now: i64) -> anyhow::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM registry_tries WHERE used_at <= $1")
            .bind(now - WINDOW_SECS)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
