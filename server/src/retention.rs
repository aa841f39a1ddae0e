//! Retention: personal data is erased when its time is up, as
//! `docs/DATA.md` promises. `run` takes the time as an argument, so tests
//! (and an operator re-running a missed day) decide what "now" is; the
//! server runs it once a day, and `usajili retention run` runs it by hand.
//! Every period is configurable (`Policy`).
//!
//! - A draft never submitted: deleted 90 days after its last change.
//! - An application the registry did not match, left "needing attention"
//!   for 30 days without a change: expired (its birth certificate free for
//!   whoever holds it), then erased as below.
//! - An application withdrawn (cancelled) or expired: its personal data
//!   (answers, photo, pending registry check) erased 30 days after its last
//!   change.
//! - A collected card: the application keeps only its reference, state,
//!   bookings (the centre and the history of visits) and ids; everything
//!   personal is erased 180 days after collection.
//! - Outbox messages: deleted 30 days after they were queued (their text is
//!   already wiped once sent).
//! - An account idle for a year with nothing left to keep: deleted, or, if
//!   the consent ledger or an erased application still points at it, its
//!   contact is erased.
//! - Kept: the consent ledger and the audit log (ids, not personal data).
//!
//! Sign-in codes and sessions are purged once expired by the sign-in sweep
//! (`citizen::sign_in::sweep`), every ten minutes.

use crate::audit::{Actor, Audit, Event};
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use app::application::Answers;
use sqlx::{AnyConnection, AnyPool};

const DAY: i64 = 24 * 3600;

/// How long each kind of data is kept, in days.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Days an unsubmitted draft is kept after its last change.
    #[arg(
        long = "retention-draft-days",
        env = "USAJILI_RETENTION_DRAFT_DAYS",
        default_value_t = 90,
        global = true
    )]
    pub draft_days: i64,
    /// Days an application may wait in "needs attention" (the registry did
    /// not match it) without a change before it expires.
    #[arg(
        long = "retention-attention-days",
        env = "USAJILI_RETENTION_ATTENTION_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub attention_days: i64,
    /// Days before a withdrawn or expired application's personal data is erased.
    #[arg(
        long = "retention-closed-days",
        env = "USAJILI_RETENTION_CLOSED_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub closed_days: i64,
    /// Days after a card is collected before the application's personal data is erased.
    #[arg(
        long = "retention-collected-days",
        env = "USAJILI_RETENTION_COLLECTED_DAYS",
        default_value_t = 180,
        global = true
    )]
    pub collected_days: i64,
    /// Days an outbox message (already sent or failed) is kept.
    #[arg(
        long = "retention-message-days",
        env = "USAJILI_RETENTION_MESSAGE_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub message_days: i64,
    /// Days without a sign-in before an account with nothing left to keep goes.
    #[arg(
        long = "retention-idle-account-days",
        env = "USAJILI_RETENTION_IDLE_ACCOUNT_DAYS",
        default_value_t = 365,
        global = true
    )]
    pub idle_account_days: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            draft_days: 90,
            attention_days: 30,
            closed_days: 30,
            collected_days: 180,
            message_days: 30,
            idle_account_days: 365,
        }
    }
}

/// What one run deleted or erased, by kind (counts only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub drafts: u64,
    /// Applications left needing attention that expired.
    pub expired: u64,
    pub closed_erased: u64,
    pub collected_erased: u64,
    pub messages: u64,
    pub accounts: u64,
}

pub struct Retention<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub policy: Policy,
}

impl Retention<'_> {
    pub async fn run(&self, now: i64) -> anyhow::Result<Report> {
        let p = self.policy;
        let mut tx = crate::db::begin(self.db).await?;
        // Drafts have no consent yet (it is given at submission); one that
        // somehow has is erased by the closed rule instead, never deleted. A
        // child added but never consented to takes its link (and any
        // document) with it.
        let stale_draft = "state = 'draft' AND updated_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM consents WHERE consents.application_id = applications.id)";
        sqlx::query(&format!("DELETE FROM child_links WHERE application_id IN (SELECT id FROM applications WHERE {stale_draft})"))
            .bind(now - p.draft_days * DAY)
            .execute(&mut *tx)
            .await?;
        let drafts = sqlx::query(&format!(
            "DELETE FROM applications WHERE {stale_draft} \
             AND NOT EXISTS (SELECT 1 FROM bookings WHERE bookings.application_id = applications.id)"
        ))
        .bind(now - p.draft_days * DAY)
        .execute(&mut *tx)
        .await?
        .rows_affected();

        // An application the registry did not match, left unchanged: it
        // expires, and lets go of its birth certificate.
        let expired = sqlx::query(
            "UPDATE applications SET state = 'expired', active_birth_cert_index = NULL, updated_at = $2 \
             WHERE state = 'needs_attention' AND updated_at <= $1",
        )
        .bind(now - p.attention_days * DAY)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();

        let mut erased = [0u64; 2];
        for (slot, (states, days)) in [
            ("'cancelled', 'expired'", p.closed_days),
            ("'collected'", p.collected_days),
        ]
        .into_iter()
        .enumerate()
        {
            let due = format!("state IN ({states}) AND erased_at IS NULL AND updated_at <= $1");
            sqlx::query(&format!(
                "DELETE FROM pending_verifications WHERE id IN (SELECT pending_verification_id FROM applications WHERE {due})"
            ))
            .bind(now - days * DAY)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "DELETE FROM booking_notes WHERE booking_id IN (SELECT b.id FROM bookings b WHERE b.application_id IN \
                 (SELECT id FROM applications WHERE {due}))"
            ))
            .bind(now - days * DAY)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "UPDATE child_links SET document = NULL, document_reference = NULL, review_reason = NULL WHERE application_id IN \
                 (SELECT id FROM applications WHERE {due})"
            ))
            .bind(now - days * DAY)
            .execute(&mut *tx)
            .await?;
            let erasing: Vec<String> =
                sqlx::query_scalar(&format!("SELECT id FROM applications WHERE {due}"))
                    .bind(now - days * DAY)
                    .fetch_all(&mut *tx)
                    .await?;
            erase_answers(&mut tx, self.cipher, &erasing).await?;
            erased[slot] = sqlx::query(&format!(
                "UPDATE applications SET photo = NULL, active_birth_cert_index = NULL, attention = NULL, \
                 pending_verification_id = NULL, erased_at = $2 WHERE {due}"
            ))
            .bind(now - days * DAY)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }

        let messages = sqlx::query("DELETE FROM outbox WHERE created_at <= $1 AND state IN ('sent', 'delivered', 'failed')")
            .bind(now - p.message_days * DAY)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Reports kept for a send never recorded (an id we never had).
        sqlx::query("DELETE FROM delivery_reports WHERE received_at <= $1")
            .bind(now - p.message_days * DAY)
            .execute(&mut *tx)
            .await?;

        // Idle accounts with nothing left to keep are deleted; those the
        // ledger or an erased application still points at lose their contact.
        let idle_cutoff = now - p.idle_account_days * DAY;
        // A proven identity is personal data: it goes when the account idles out.
        sqlx::query(
            "DELETE FROM account_identities WHERE account_id IN (SELECT id FROM accounts \
             WHERE COALESCE(last_sign_in_at, created_at) <= $1 \
             AND NOT EXISTS (SELECT 1 FROM applications WHERE applications.account_id = accounts.id AND erased_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM child_links l JOIN applications a ON a.id = l.application_id \
                             WHERE l.account_id = accounts.id AND a.erased_at IS NULL AND l.status <> 'withdrawn'))",
        )
        .bind(idle_cutoff)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query(
            "DELETE FROM accounts WHERE COALESCE(last_sign_in_at, created_at) <= $1 \
             AND NOT EXISTS (SELECT 1 FROM applications WHERE applications.account_id = accounts.id) \
             AND NOT EXISTS (SELECT 1 FROM consents WHERE consents.account_id = accounts.id) \
             AND NOT EXISTS (SELECT 1 FROM child_links WHERE child_links.account_id = accounts.id) \
             AND NOT EXISTS (SELECT 1 FROM account_identities WHERE account_identities.account_id = accounts.id)",
        )
        .bind(idle_cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let idle: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE COALESCE(last_sign_in_at, created_at) <= $1 \
             AND contact_kind NOT IN ('erased', 'deleted') \
             AND NOT EXISTS (SELECT 1 FROM applications WHERE applications.account_id = accounts.id AND erased_at IS NULL)",
        )
        .bind(idle_cutoff)
        .fetch_all(&mut *tx)
        .await?;
        // Each erased contact is sealed to its own row.
        for account in &idle {
            sqlx::query(
                "UPDATE accounts SET contact = $2, contact_index = 'erased:' || id, contact_kind = 'erased', \
                 last_sign_in_at = NULL WHERE id = $1",
            )
            .bind(account)
            .bind(self.cipher.encrypt_str(&columns::ACCOUNT_CONTACT, account, ""))
            .execute(&mut *tx)
            .await?;
        }
        let contact_erased = idle.len() as u64;
        tx.commit().await?;

        let report = Report {
            drafts,
            expired,
            closed_erased: erased[0],
            collected_erased: erased[1],
            messages,
            accounts: deleted + contact_erased,
        };
        tracing::info!(?report, "retention run");
        if report != Report::default() {
            let detail = format!(
                "drafts={} expired={} closed_erased={} collected_erased={} messages={} accounts={}",
                report.drafts,
                report.expired,
                report.closed_erased,
                report.collected_erased,
                report.messages,
                report.accounts
            );
            Audit {
                db: self.db,
                cipher: self.cipher,
            }
            .record(
                &Event::new(Actor::System("retention"), "retention.run").detail(detail),
                now,
            )
            .await?;
        }
        Ok(report)
    }
}

/// Replaces the answers of each application in `ids` with empty answers,
/// each sealed to its own row (an erased application still opens, empty),
/// and clears the blind index of the contact phone they gave.
pub async fn erase_answers(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    ids: &[String],
) -> anyhow::Result<()> {
    let empty = serde_json::to_vec(&Answers::default())?;
    for id in ids {
        sqlx::query("UPDATE applications SET answers = $2, contact_index = NULL WHERE id = $1")
            .bind(id)
            .bind(cipher.encrypt(&columns::APPLICATION_ANSWERS, id, &empty))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_defaults_are_the_periods_in_the_docs() {
        use clap::Parser as _;
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            policy: super::Policy,
        }
        assert_eq!(
            Only::parse_from(["usajili"]).policy,
            super::Policy::default()
        );
        let data = include_str!("../../docs/DATA.md");
        for phrase in ["90 days", "30 days", "180 days", "12 months"] {
            assert!(data.contains(phrase), "docs/DATA.md should say {phrase}");
        }
    }
}
