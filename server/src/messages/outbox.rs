//! The outbox: messages to citizens, queued in the database.
//!
//! A message (a sign-in code, news of an application) is rendered in the
//! citizen's language and written to the `outbox` table by [`enqueue`],
//! usually inside the transaction that makes the change it announces, so a
//! message is queued if and only if that change commits. The recipient and
//! the text are encrypted at rest. The worker (`messages::worker`) sends
//! them; a provider's delivery report then moves a `sent` message on
//! ([`record_delivery`]): `delivered`, or `failed` with the provider's reason.
//!
//! Administrators see the queue through [`recent`] and [`counts`], never
//! with a recipient or a text, and send a failed notice again with
//! [`retry`].

use super::templates::Message;
use super::transport::{Recipient, one_line};
use crate::crypto::{FieldCipher, columns};
use app::i18n::Locale;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::Notify;
use zeroize::Zeroizing;

/// `last_error` is kept short.
const LAST_ERROR_MAX_CHARS: usize = 200;

/// Wakes the workers of this process early (they also look every second).
pub(super) static WAKE: Notify = Notify::const_new();

/// Asks the outbox workers of this process to look for due messages now
/// rather than at their next tick. [`enqueue`] does this itself; a caller
/// that enqueued inside a transaction may call it again once it commits.
pub fn wake_worker() {
    WAKE.notify_waiters();
}

/// What [`wake_worker`] notifies: the outbox job waits on it besides its
/// interval.
pub fn wake() -> &'static Notify {
    &WAKE
}

/// Queues `message` for `to`, rendered in `locale`, due at once. Runs on
/// the caller's connection, so it can be part of the caller's transaction
/// (`&mut tx` of a `sqlx::Transaction<'_, sqlx::Any>`, or a pooled
/// connection). Returns the message's id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    to: &Recipient,
    locale: Locale,
    message: &Message,
    now: i64,
) -> anyhow::Result<String> {
    let id = crate::crypto::random_id();
    let text = Zeroizing::new(message.text(locale));
    sqlx::query(
        "INSERT INTO outbox \
         (id, channel, recipient, body, kind, state, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at, locale) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, $7, $8, NULL, $9)",
    )
    .bind(&id)
    .bind(to.channel().code())
    .bind(cipher.encrypt_str(&columns::OUTBOX_RECIPIENT, &id, to.address()))
    .bind(cipher.encrypt_str(&columns::OUTBOX_BODY, &id, &text))
    .bind(message.kind())
    .bind(now)
    .bind(now)
    .bind(now)
    .bind(app::language::code(locale))
    .execute(&mut *conn)
    .await?;
    tracing::info!(message_id = %id, kind = message.kind(), "message queued");
    wake_worker();
    Ok(id)
}

/// `last_error` as stored: one line, at most [`LAST_ERROR_MAX_CHARS`] characters.
pub(super) fn short(reason: &str) -> String {
    let reason = one_line(reason);
    match reason.char_indices().nth(LAST_ERROR_MAX_CHARS) {
        Some((cut, _)) => reason[..cut].to_string(),
        None => reason,
    }
}

// ---- delivery reports ---------------------------------------------------------------

/// A provider's final word on a message it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The message reached the handset.
    Delivered,
    /// It never will; the reason is short and holds no personal data.
    Failed(String),
}

/// Records a delivery report for the message(s) the provider knows as
/// `provider_id`. Only a `sent` message moves: to `delivered` (with
/// `delivered_at`), or to `failed` with `last_error` set to the reason, so
/// a report repeated, or arriving after another final one, changes nothing.
///
/// The report is kept (`delivery_reports`) before it is applied: a
/// provider can report a delivery before its answer to the send has
/// reached the worker, and the worker applies a kept report as it records
/// `sent` ([`apply_kept_report`]). Each side writes first and then reads
/// what the other wrote, so whichever comes second applies it.
/// Returns the outbox ids of the messages that moved: none for an id we
/// never had, or for a report that came before the send was recorded (the
/// worker applies that one).
pub async fn record_delivery(
    db: &AnyPool,
    provider_id: &str,
    outcome: &DeliveryOutcome,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let (code, reason) = match outcome {
        DeliveryOutcome::Delivered => ("delivered", None),
        DeliveryOutcome::Failed(reason) => ("failed", Some(short(reason))),
    };
    sqlx::query(
        "INSERT INTO delivery_reports (provider_id, outcome, reason, received_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (provider_id) DO NOTHING",
    )
    .bind(provider_id)
    .bind(code)
    .bind(reason)
    .bind(now)
    .execute(db)
    .await?;
    apply_kept_report(db, provider_id, now).await
}

/// Applies the kept report for `provider_id`, if there is one, to the
/// messages of that id that are `sent`; a report that moved a message is
/// then removed. The worker calls this once it has recorded `sent`.
pub async fn apply_kept_report(
    db: &AnyPool,
    provider_id: &str,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let report: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT outcome, reason FROM delivery_reports WHERE provider_id = $1")
            .bind(provider_id)
            .fetch_optional(db)
            .await?;
    let Some((code, reason)) = report else {
        return Ok(Vec::new());
    };
    let outcome = match code.as_str() {
        "delivered" => DeliveryOutcome::Delivered,
        _ => DeliveryOutcome::Failed(reason.unwrap_or_default()),
    };
    let candidates: Vec<(String, String)> =
        sqlx::query_as("SELECT id, kind FROM outbox WHERE provider_id = $1 AND state = 'sent'")
            .bind(provider_id)
            .fetch_all(db)
            .await?;
    let mut moved = Vec::new();
    for (id, kind) in candidates {
        let changed = match &outcome {
            DeliveryOutcome::Delivered => sqlx::query(
                "UPDATE outbox SET state = 'delivered', delivered_at = $1, updated_at = $2 \
                 WHERE id = $3 AND state = 'sent'",
            )
            .bind(now)
            .bind(now)
            .bind(&id),
            DeliveryOutcome::Failed(reason) => sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = $1, updated_at = $2 WHERE id = $3 AND state = 'sent'",
            )
            .bind(reason.clone())
            .bind(now)
            .bind(&id),
        }
        .execute(db)
        .await?
        .rows_affected();
        if changed == 1 {
            match &outcome {
                DeliveryOutcome::Delivered => {
                    tracing::info!(message_id = %id, kind, state = "delivered", "message delivered")
                }
                DeliveryOutcome::Failed(reason) => {
                    tracing::warn!(message_id = %id, kind, state = "failed", error = %reason, "message not delivered")
                }
            }
            moved.push(id);
        }
    }
    if !moved.is_empty() {
        sqlx::query("DELETE FROM delivery_reports WHERE provider_id = $1")
            .bind(provider_id)
            .execute(db)
            .await?;
    }
    Ok(moved)
}

// ---- the administrators' view -------------------------------------------------------

/// One message as administrators see it: what, where to (the channel, not
/// the address) and how its delivery went; never its recipient or text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Failed, with its text still kept: [`retry`] can send it again. A
    /// failed sign-in code cannot be (its text is wiped).
    pub retryable: bool,
}

/// The states, in the order a message goes through them (the page's filter offers the same).
pub use app::pages::staff::outbox::OutboxState;

/// The newest `limit` messages, of one state or all, newest first.
pub async fn recent(db: &AnyPool, state: Option<&str>, limit: i64) -> anyhow::Result<Vec<Entry>> {
    let rows = sqlx::query_as::<_, EntryRow>(
        "SELECT id, kind, channel, state, attempts, last_error, created_at, updated_at, \
         CASE WHEN body IS NULL THEN 0 ELSE 1 END AS has_body FROM outbox \
         WHERE ($1 = '' OR state = $1) ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(state.unwrap_or(""))
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Entry {
            retryable: row.state == "failed" && row.has_body == 1,
            id: row.id,
            kind: row.kind,
            channel: row.channel,
            state: row.state,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    kind: String,
    channel: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    has_body: i64,
}

/// How many messages are in each state (states with none left out).
pub async fn counts(db: &AnyPool) -> anyhow::Result<Vec<(String, i64)>> {
    let counted: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .fetch_all(db)
            .await?;
    Ok(OutboxState::ALL
        .iter()
        .filter_map(|state| counted.iter().find(|(s, _)| s == state.code()).cloned())
        .chain(
            counted
                .iter()
                .filter(|(s, _)| OutboxState::from_code(s).is_none())
                .cloned(),
        )
        .collect())
}

/// What is waiting in the outbox, for the metrics (`observe`).
pub struct Backlog {
    /// Messages by state and channel, for the states that are not history
    /// (`pending`, `sending`, `failed`): every such pair, zero included.
    pub by_state_and_channel: Vec<(&'static str, &'static str, i64)>,
    /// By channel, the age in seconds of the oldest message still to be
    /// sent (`pending` or `sending`); 0 when none waits.
    pub oldest_waiting_secs: Vec<(&'static str, i64)>,
}

/// The states [`Backlog`] counts. `sent` and `delivered` are the record of
/// what was done and grow with every message: counting them on each scrape
/// would read the whole table.
const BACKLOG_STATES: [OutboxState; 3] = [
    OutboxState::Pending,
    OutboxState::Sending,
    OutboxState::Failed,
];

/// Counts the messages not yet sent or given up on, and how long the
/// oldest one waiting has waited, by channel (through the `state` index).
pub async fn backlog(db: &AnyPool, now: i64) -> anyhow::Result<Backlog> {
    use super::transport::Channel;
    let counted: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT state, channel, COUNT(*), MIN(created_at) FROM outbox \
         WHERE state IN ('pending', 'sending', 'failed') GROUP BY state, channel",
    )
    .fetch_all(db)
    .await?;
    let found = |state: &str, channel: &str| {
        counted
            .iter()
            .find(|(s, c, _, _)| s == state && c == channel)
            .map(|(_, _, count, oldest)| (*count, *oldest))
    };
    let mut backlog = Backlog {
        by_state_and_channel: Vec::new(),
        oldest_waiting_secs: Vec::new(),
    };
    for channel in Channel::ALL {
        let channel = channel.code();
        for state in BACKLOG_STATES {
            let count = found(state.code(), channel).map_or(0, |(count, _)| count);
            backlog
                .by_state_and_channel
                .push((state.code(), channel, count));
        }
        let oldest = [OutboxState::Pending, OutboxState::Sending]
            .iter()
            .filter_map(|state| found(state.code(), channel).map(|(_, oldest)| oldest))
            .min();
        backlog
            .oldest_waiting_secs
            .push((channel, oldest.map_or(0, |at| (now - at).max(0))));
    }
    Ok(backlog)
}

/// Sends a failed message again: due now, with a fresh count of tries.
/// `false` (and nothing changes) unless it is failed and its text kept.
pub async fn retry(conn: &mut AnyConnection, id: &str, now: i64) -> anyhow::Result<bool> {
    let changed = sqlx::query(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'failed' AND body IS NOT NULL",
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    if changed == 1 {
        tracing::info!(message_id = %id, state = "pending", "message queued again by an administrator");
        wake_worker();
    }
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_kept_short_and_on_one_line() {
        assert_eq!(short("a\nb"), "a b");
        assert_eq!(
            short(&"é".repeat(500)).chars().count(),
            LAST_ERROR_MAX_CHARS
        );
    }
}
