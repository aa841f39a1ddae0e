//! Verifications that wait for the registry.
//!
//! When the registry is down or slow, an application is not refused and the
//! citizen sees no error: `submit` keeps what they typed, encrypted, as a
//! *pending verification*, and `retry_due` (run by a background job every
//! few seconds) asks the registry again, with growing pauses between
//! attempts, until there is an outcome. Nobody has to act.
//!
//! Each retry first claims its row with a conditional update (moving
//! `next_attempt_at` forward), so several server processes can run the job
//! against one database without verifying the same row twice at once.

use crate::crypto::FieldCipher;
use crate::registry::verification::{Applicant, ApplicationKind, Outcome, verify};
use app::dates::CivilDate;
use sqlx::AnyPool;

use crate::crypto::columns::PENDING_APPLICANT;
/// How long a claimed row is left alone while one process verifies it.
const CLAIM_LEASE_SECS: i64 = 60;
/// Pauses between attempts double from the configured first pause, up to an hour.
const MAX_RETRY_SECS: i64 = 3600;

/// Where a verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending { attempts: i64 },
    Done(Outcome),
}

fn retry_delay(first: i64, attempts: i64) -> i64 {
    (first.max(1) << attempts.clamp(0, 12)).min(MAX_RETRY_SECS)
}

fn outcome_code(outcome: Outcome) -> String {
    serde_json::to_string(&outcome).expect("an outcome serialises")
}

fn outcome_from_code(code: &str) -> Option<Outcome> {
    serde_json::from_str(code).ok()
}

pub struct PendingVerifications {
    pub db: AnyPool,
    pub cipher: FieldCipher,
    pub registry: crate::registry::SharedRegistry,
    /// The first pause before a retry, in seconds; also how often the job runs.
    pub retry_secs: i64,
}

impl PendingVerifications {
    /// Verifies now if the registry answers. If not, keeps the verification
    /// pending and returns `(RegistryUnavailable, Some(id))`: the caller
    /// shows *pending verification* and later reads `status(id)`.
    pub async fn submit(
        &self,
        subject: &str,
        applicant: &Applicant,
        kind: ApplicationKind,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<(Outcome, Option<String>)> {
        let outcome = verify(self.registry.as_ref(), applicant, kind, today).await;
        if outcome != Outcome::RegistryUnavailable {
            return Ok((outcome, None));
        }
        let id = crate::crypto::random_id();
        let sealed = self
            .cipher
            .encrypt(&PENDING_APPLICANT, &id, &serde_json::to_vec(applicant)?);
        sqlx::query(
            "INSERT INTO pending_verifications \
             (id, subject, kind, applicant, outcome, attempts, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, 1, $5, $6, $7)",
        )
        .bind(&id)
        .bind(subject)
        .bind(kind.code())
        .bind(sealed)
        .bind(now + retry_delay(self.retry_secs, 0))
        .bind(now)
        .bind(now)
        .execute(&self.db)
        .await?;
        tracing::info!(verification = %id, subject, "registry unavailable: verification pending");
        Ok((outcome, Some(id)))
    }

    pub async fn status(&self, id: &str) -> anyhow::Result<Option<Status>> {
        let row: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT outcome, attempts FROM pending_verifications WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db)
                .await?;
        row.map(|(outcome, attempts)| -> anyhow::Result<Status> {
            Ok(match outcome {
                Some(code) => Status::Done(
                    outcome_from_code(&code)
                        .ok_or_else(|| anyhow::anyhow!("an unknown outcome"))?,
                ),
                None => Status::Pending { attempts },
            })
        })
        .transpose()
    }

    /// Retries every pending verification that is due at `now`; returns how
    /// many reached an outcome.
    pub async fn retry_due(&self, today: CivilDate, now: i64) -> anyhow::Result<usize> {
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM pending_verifications WHERE outcome IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.db)
        .await?;
        let mut decided = 0;
        for id in due {
            // Claim: only the process whose update matched goes on.
            let claimed = sqlx::query(
                "UPDATE pending_verifications SET next_attempt_at = $1, updated_at = $2 \
                 WHERE id = $3 AND outcome IS NULL AND next_attempt_at <= $4",
            )
            .bind(now + CLAIM_LEASE_SECS)
            .bind(now)
            .bind(&id)
            .bind(now)
            .execute(&self.db)
            .await?
            .rows_affected();
            if claimed == 1 && self.retry_one(&id, today, now).await? {
                decided += 1;
            }
        }
        Ok(decided)
    }

    async fn retry_one(&self, id: &str, today: CivilDate, now: i64) -> anyhow::Result<bool> {
        let (kind, sealed, attempts): (String, Vec<u8>, i64) = sqlx::query_as(
            "SELECT kind, applicant, attempts FROM pending_verifications WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        let kind =
            ApplicationKind::from_code(&kind).ok_or_else(|| anyhow::anyhow!("an unknown kind"))?;
        let plaintext = self.cipher.decrypt(&PENDING_APPLICANT, id, &sealed)?;
        let applicant: Applicant = serde_json::from_slice(&plaintext)?;
        let outcome = verify(self.registry.as_ref(), &applicant, kind, today).await;
        if outcome == Outcome::RegistryUnavailable {
            sqlx::query("UPDATE pending_verifications SET attempts = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4")
                .bind(attempts + 1)
                .bind(now + retry_delay(self.retry_secs, attempts))
                .bind(now)
                .bind(id)
                .execute(&self.db)
                .await?;
            return Ok(false);
        }
        // The outcome is all that is kept: the typed details are no longer needed.
        sqlx::query(
            "UPDATE pending_verifications SET outcome = $1, applicant = $2, attempts = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(outcome_code(outcome))
        .bind(Vec::<u8>::new())
        .bind(attempts + 1)
        .bind(now)
        .bind(id)
        .execute(&self.db)
        .await?;
        tracing::info!(verification = %id, ?outcome, "pending verification decided");
        Ok(true)
    }
}

/// How many verifications are still waiting for the registry, and how
/// long, in seconds, the oldest has waited (0 when none waits): for the
/// metrics (`observe`).
pub async fn backlog(db: &AnyPool, now: i64) -> anyhow::Result<(i64, i64)> {
    let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM pending_verifications WHERE outcome IS NULL",
    )
    .fetch_one(db)
    .await?;
    Ok((waiting, oldest.map_or(0, |at| (now - at).max(0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(15, 0), 15);
        assert_eq!(retry_delay(15, 1), 30);
        assert_eq!(retry_delay(15, 3), 120);
        assert_eq!(retry_delay(15, 10), 3600);
        assert_eq!(retry_delay(15, 1000), 3600);
        assert_eq!(retry_delay(0, 0), 1);
    }

    #[test]
    fn outcomes_round_trip_through_their_stored_form() {
        for outcome in [
            Outcome::Verified,
            Outcome::Mismatch,
            Outcome::AlreadyHoldsId,
        ] {
            assert_eq!(outcome_from_code(&outcome_code(outcome)), Some(outcome));
        }
        assert_eq!(
            outcome_code(Outcome::Mismatch),
            r#""Mismatch""#,
            "as the migration writes it"
        );
    }
}
