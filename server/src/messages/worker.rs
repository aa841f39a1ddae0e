//! [`OutboxWorker`]: delivers the outbox's due messages.
//!
//! It claims each due message with a conditional update and a lease (so
//! several server processes can share one database), hands it to a
//! [`Transport`] and records what happened: `sent` (with the provider's id
//! for the message, if it gave one), or another try later with growing
//! pauses (5 s doubling, up to 10 minutes, plus up to a fifth at random), or
//! `failed` after [`MAX_ATTEMPTS`] tries or a permanent refusal. Once a
//! message is sent, its text is wiped, so codes do not linger; a failed
//! notice keeps its (encrypted) text for an administrator to send again.
//!
//! The server's own logs (tracing) name messages by id, kind, state and
//! attempt count only: never a recipient, a text or a code.

use super::outbox::short;
use super::templates::SIGN_IN_CODE;
use super::transport::{Channel, Outgoing, Recipient, Transport, TransportError};
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::observe::series::{self as observe, Delivery};
use app::i18n::Locale;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// Tries before a message is given up as `failed`.
pub const MAX_ATTEMPTS: i64 = 8;
/// The pause after the first failed try; it doubles after each further one…
const FIRST_RETRY_SECS: i64 = 5;
/// …up to this…
const MAX_RETRY_SECS: i64 = 600;
/// …and each pause is lengthened by up to this fraction at random.
const JITTER: f64 = 0.2;
/// How long a claimed message is left alone while one worker sends it.
const CLAIM_LEASE_SECS: i64 = 60;
/// How long a transport may take over one message (less than the lease).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the worker looks for due messages.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Messages handled per pass.
const BATCH: i64 = 100;

/// The pause before the next try, after `attempts` failed tries (from 1):
/// 5 s doubling to at most 10 minutes, then up to a fifth more at random
/// (`roll`, from 0 to 1), so that messages that failed together (the
/// provider was down) do not all come back in the same second. Never less
/// than the doubling alone.
fn retry_delay(attempts: i64, roll: f64) -> i64 {
    let base = (FIRST_RETRY_SECS << (attempts - 1).clamp(0, 20)).min(MAX_RETRY_SECS);
    base + (base as f64 * JITTER * roll.clamp(0.0, 1.0)).floor() as i64
}

/// Delivers due messages from the outbox through a transport.
pub struct OutboxWorker {
    pub db: AnyPool,
    pub cipher: FieldCipher,
    pub transport: Arc<dyn Transport>,
}

impl OutboxWorker {
    /// Tries every message due at `now` (up to a batch of 100, sign-in
    /// codes first, then the longest due); returns how many were sent. A
    /// message another worker has claimed is left to it.
    pub async fn drain_due(&self, now: i64) -> anyhow::Result<usize> {
        // `sending` rows are due again only if their worker's lease ran out
        // (it stopped mid-send): such a message may arrive twice, never not at all.
        // Sign-in codes first: a citizen is waiting for one on the page,
        // and it expires in minutes, while a notice can wait its turn
        // (under load a worker sends no faster than its provider's pace).
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 \
             ORDER BY CASE WHEN kind = $3 THEN 0 ELSE 1 END, next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .bind(SIGN_IN_CODE)
        .fetch_all(&self.db)
        .await?;
        let mut sent = 0;
        for id in due {
            // Claim: only the worker whose update matched goes on.
            let claimed = sqlx::query(
                "UPDATE outbox SET state = 'sending', next_attempt_at = $1, updated_at = $2 \
                 WHERE id = $3 AND state IN ('pending', 'sending') AND next_attempt_at <= $4",
            )
            .bind(now + CLAIM_LEASE_SECS)
            .bind(now)
            .bind(&id)
            .bind(now)
            .execute(&self.db)
            .await?
            .rows_affected();
            if claimed != 1 {
                continue;
            }
            match self.deliver(&id, now).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                // The claim runs out and the message is tried again.
                Err(error) => {
                    tracing::error!(message_id = %id, error = %format!("{error:#}"), "delivering a message failed")
                }
            }
        }
        Ok(sent)
    }

    /// Sends one claimed message and records the result; `true` if sent.
    async fn deliver(&self, id: &str, now: i64) -> anyhow::Result<bool> {
        let row = sqlx::query_as::<_, ClaimedRow>(
            "SELECT id, channel, recipient, body, kind, attempts, locale FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        let kind = row.kind.as_str();
        let attempts = row.attempts + 1;
        let channel = Channel::from_code(&row.channel).map_or("other", |c| c.code());

        let result = match self.open(&row) {
            Ok((to, text, locale)) => {
                let outgoing = Outgoing {
                    id,
                    kind,
                    to: &to,
                    locale,
                    text: &text,
                };
                match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(&outgoing)).await {
                    Ok(result) => result,
                    Err(_) => Err(TransportError::Temporary(format!(
                        "the {} transport did not answer within {} s",
                        self.transport.name(),
                        SEND_TIMEOUT.as_secs()
                    ))),
                }
            }
            Err(reason) => Err(TransportError::Permanent(reason.to_string())),
        };

        match result {
            Ok(sent) => {
                sqlx::query(
                    "UPDATE outbox SET state = 'sent', body = NULL, attempts = $1, last_error = NULL, \
                     sent_at = $2, updated_at = $3, provider_id = $4 WHERE id = $5 AND state = 'sending'",
                )
                .bind(attempts)
                .bind(now)
                .bind(now)
                .bind(&sent.provider_id)
                .bind(id)
                .execute(&self.db)
                .await?;
                observe::outbox_delivery(channel, Delivery::Sent);
                tracing::info!(message_id = %id, kind, state = "sent", attempts, transport = self.transport.name(), "message sent");
                // The provider may have reported on it already.
                if let Some(provider_id) = &sent.provider_id
                    && let Err(error) =
                        super::outbox::apply_kept_report(&self.db, provider_id, now).await
                {
                    tracing::warn!(message_id = %id, error = format!("{error:#}"), "an early delivery report was not applied");
                }
                Ok(true)
            }
            Err(error) => {
                let reason = short(&error.to_string());
                if matches!(error, TransportError::Permanent(_)) || attempts >= MAX_ATTEMPTS {
                    // A failed notice keeps its (encrypted) text, so that an
                    // administrator can send it again; a code does not: it
                    // will have expired, and the citizen asks for another.
                    sqlx::query(
                        "UPDATE outbox SET state = 'failed', \
                         body = CASE WHEN kind = $1 THEN NULL ELSE body END, attempts = $2, last_error = $3, \
                         updated_at = $4 WHERE id = $5 AND state = 'sending'",
                    )
                    .bind(SIGN_IN_CODE)
                    .bind(attempts)
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&self.db)
                    .await?;
                    observe::outbox_delivery(channel, Delivery::Failed);
                    tracing::warn!(message_id = %id, kind, state = "failed", attempts, error = %reason, "message given up");
                } else {
                    let next = now + retry_delay(attempts, rand::random::<f64>());
                    sqlx::query(
                        "UPDATE outbox SET state = 'pending', attempts = $1, next_attempt_at = $2, last_error = $3, \
                         updated_at = $4 WHERE id = $5 AND state = 'sending'",
                    )
                    .bind(attempts)
                    .bind(next)
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&self.db)
                    .await?;
                    observe::outbox_delivery(channel, Delivery::Retried);
                    tracing::info!(message_id = %id, kind, state = "pending", attempts, next_attempt_at = next, error = %reason, "message not sent; will try again");
                }
                Ok(false)
            }
        }
    }

    /// Decrypts a stored message; a reason (without personal data) if it
    /// cannot be, or if its language is none the portal writes in.
    fn open(
        &self,
        row: &ClaimedRow,
    ) -> Result<(Recipient, Zeroizing<String>, Locale), &'static str> {
        let body = row.body.as_deref().ok_or("the message has no text")?;
        let locale = app::language::parse_code(&row.locale).ok_or("an unknown language")?;
        let address = self
            .cipher
            .decrypt_string(&columns::OUTBOX_RECIPIENT, &row.id, &row.recipient)
            .map_err(|_| "the recipient does not decrypt")?;
        let to = Recipient::from_stored(&row.channel, address.to_string())
            .ok_or("an unknown channel")?;
        let text = self
            .cipher
            .decrypt_string(&columns::OUTBOX_BODY, &row.id, body)
            .map_err(|_| "the text does not decrypt")?;
        Ok((to, text, locale))
    }
}

/// A claimed message as stored (recipient and body sealed).
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    channel: String,
    recipient: Vec<u8>,
    body: Option<Vec<u8>>,
    kind: String,
    attempts: i64,
    locale: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_five_seconds_to_ten_minutes_with_up_to_a_fifth_more_at_random() {
        assert_eq!(retry_delay(1, 0.0), 5);
        assert_eq!(retry_delay(2, 0.0), 10);
        assert_eq!(retry_delay(3, 0.0), 20);
        assert_eq!(retry_delay(7, 0.0), 320);
        assert_eq!(retry_delay(8, 0.0), 600);
        assert_eq!(retry_delay(1000, 0.0), 600);
        assert_eq!(retry_delay(0, 0.0), 5);
        assert_eq!(retry_delay(-3, 0.0), 5);
        assert_eq!(retry_delay(1, 1.0), 6);
        assert_eq!(retry_delay(3, 0.5), 22);
        assert_eq!(retry_delay(8, 1.0), 720);
        assert_eq!(retry_delay(8, 7.0), 720, "the roll is clamped");
        // Drawn at random, pauses spread over the whole band.
        let pauses: std::collections::HashSet<i64> = (0..200)
            .map(|_| retry_delay(8, rand::random::<f64>()))
            .collect();
        assert!(pauses.iter().all(|p| (600..=720).contains(p)), "{pauses:?}");
        assert!(pauses.len() > 20, "{pauses:?}");
    }
}
