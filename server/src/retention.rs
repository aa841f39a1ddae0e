//! Retention: personal data is deleted when its time is up, as
//! `docs/DATA.md` promises. `run` takes the time as an argument, so tests
//! (and an operator re-running a missed day) decide what "now" is; the
//! server runs it once a day, and `usajili retention run` runs it by hand.
//!
//! - A draft never submitted: 90 days after its last change.
//! - A collected, cancelled or expired application: 12 months after its last
//!   change, with its consent records.
//! - Outbox messages: 30 days after they were queued (bodies are already
//!   wiped on delivery).
//! - An account with no application left and no sign-in for 12 months.

use sqlx::AnyPool;

pub const DRAFT_DAYS: i64 = 90;
pub const CLOSED_DAYS: i64 = 365;
pub const OUTBOX_DAYS: i64 = 30;
pub const IDLE_ACCOUNT_DAYS: i64 = 365;
const DAY: i64 = 24 * 3600;

/// What one run deleted, by kind (counts only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub drafts: u64,
    pub closed_applications: u64,
    pub consents: u64,
    pub messages: u64,
    pub accounts: u64,
}

pub async fn run(db: &AnyPool, now: i64) -> anyhow::Result<Report> {
    let mut tx = db.begin().await?;
    let draft_cutoff = now - DRAFT_DAYS * DAY;
    let closed_cutoff = now - CLOSED_DAYS * DAY;
    let closed = "state IN ('collected', 'cancelled', 'expired') AND updated_at <= $1";

    let consents = sqlx::query(&format!(
        "DELETE FROM consents WHERE application_id IN (SELECT id FROM applications WHERE {closed}) \
         OR application_id IN (SELECT id FROM applications WHERE state = 'draft' AND updated_at <= $2)"
    ))
    .bind(closed_cutoff)
    .bind(draft_cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Bookings (history included) go with their application.
    sqlx::query(&format!("DELETE FROM bookings WHERE application_id IN (SELECT id FROM applications WHERE {closed})"))
        .bind(closed_cutoff)
        .execute(&mut *tx)
        .await?;
    let drafts = sqlx::query("DELETE FROM applications WHERE state = 'draft' AND updated_at <= $1")
        .bind(draft_cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let closed_applications = sqlx::query(&format!("DELETE FROM applications WHERE {closed}"))
        .bind(closed_cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let messages = sqlx::query("DELETE FROM outbox WHERE created_at <= $1 AND state IN ('sent', 'failed')")
        .bind(now - OUTBOX_DAYS * DAY)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let accounts = sqlx::query(
        "DELETE FROM accounts WHERE COALESCE(last_sign_in_at, created_at) <= $1 \
         AND NOT EXISTS (SELECT 1 FROM applications WHERE applications.account_id = accounts.id) \
         AND NOT EXISTS (SELECT 1 FROM consents WHERE consents.account_id = accounts.id)",
    )
    .bind(now - IDLE_ACCOUNT_DAYS * DAY)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    let report = Report { drafts, closed_applications, consents, messages, accounts };
    tracing::info!(?report, "retention run");
    Ok(report)
}

/// Runs `run` at start and then once a day (several processes may: deleting
/// twice deletes nothing more).
pub async fn run_daily(db: AnyPool) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(DAY as u64));
    loop {
        tick.tick().await;
        if let Err(error) = run(&db, crate::clock::unix_now()).await {
            tracing::warn!(%error, "retention run failed; will try again tomorrow");
        }
    }
}
