//! Consent: nothing happens to a child's application until an adult
//! consents; every consent and withdrawal is appended to the ledger
//! (`consents`), never edited. Withdrawing cancels the booking, stops the
//! application and leaves the data to the retention job.

use super::{Children, status, stop};
use crate::audit::Event;
use crate::citizen::reference::new_reference;
use app::application::ApplicationState;
use app::pages::children::Role;

/// The notice a parent or guardian consents to; bump it when the text changes.
pub const CHILD_NOTICE_VERSION: &str = "minor-2026-11-26";

/// One ledger row, for the child's page.
#[derive(Clone, Debug)]
pub struct LedgerEntry {
    pub account_id: String,
    /// The adult's role for the child; `None`: `self`, an adult's consent
    /// for their own application.
    pub role: Option<Role>,
    pub action: String,
    pub notice_version: String,
    pub method: String,
    pub at: i64,
}

impl Children<'_> {
    /// Records this adult's consent in the ledger and moves the application
    /// on: a proven parent's child is verified (the registry was asked when
    /// the child was added); a guardian's waits for review. `event` is
    /// recorded in the audit chain in the same transaction.
    pub async fn consent(
        &self,
        account: &str,
        id: &str,
        now: i64,
        event: &Event<'_>,
    ) -> anyhow::Result<bool> {
        let Some(link) = self.link(account, id).await? else {
            return Ok(false);
        };
        if link.status == status::WITHDRAWN || link.status == status::REJECTED {
            return Ok(false);
        }
        let mut tx = crate::db::begin(self.db).await?;
        let updated = sqlx::query(
            "UPDATE child_links SET consented = 1, updated_at = $3 WHERE application_id = $1 AND account_id = $2 AND consented = 0",
        )
        .bind(id)
        .bind(account)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            // Consent already given (a double click): nothing more.
            return Ok(true);
        }
        append_ledger(&mut tx, account, id, link.role, "given", now).await?;
        self.audit().record_in(&mut tx, event, now).await?;
        let next = match link.status.as_str() {
            status::PROVEN | status::APPROVED => ApplicationState::Verified,
            status::PENDING_REVIEW => ApplicationState::GuardianshipReview,
            _ => ApplicationState::Draft,
        };
        sqlx::query(
            "UPDATE applications SET state = $2, reference = COALESCE(reference, $3), submitted_at = COALESCE(submitted_at, $4), \
             updated_at = $4 WHERE id = $1 AND state = 'draft'",
        )
        .bind(id)
        .bind(next.code())
        .bind(new_reference().to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(application = %id, role = link.role.code(), "consent given for a child");
        Ok(true)
    }

    /// Withdraws this adult's consent: appended to the ledger; the booking
    /// cancelled and its place freed; the application cancelled (processing
    /// stops; retention erases it after the closed period). `event` is
    /// recorded in the audit chain in the same transaction.
    pub async fn withdraw(
        &self,
        account: &str,
        id: &str,
        now: i64,
        event: &Event<'_>,
    ) -> anyhow::Result<bool> {
        let Some(link) = self.link(account, id).await? else {
            return Ok(false);
        };
        // Only a consent that stands can be withdrawn: an adult who never
        // consented cannot stop the application this way.
        if link.status == status::WITHDRAWN || !link.consented {
            return Ok(false);
        }
        let mut tx = crate::db::begin(self.db).await?;
        sqlx::query("UPDATE child_links SET status = 'withdrawn', consented = 0, updated_at = $3 WHERE application_id = $1 AND account_id = $2")
            .bind(id)
            .bind(account)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        append_ledger(&mut tx, account, id, link.role, "withdrawn", now).await?;
        stop(&mut tx, id, now).await?;
        self.audit().record_in(&mut tx, event, now).await?;
        tx.commit().await?;
        tracing::info!(application = %id, "consent withdrawn for a child; application stopped");
        Ok(true)
    }

    /// The ledger rows of a child's application, oldest first.
    pub async fn ledger(&self, id: &str) -> anyhow::Result<Vec<LedgerEntry>> {
        let rows = sqlx::query_as::<_, LedgerRow>(
            "SELECT account_id, role, action, notice_version, method, given_at FROM consents \
             WHERE application_id = $1 ORDER BY given_at, id",
        )
        .bind(id)
        .fetch_all(self.db)
        .await?;
        rows.into_iter()
            .map(|row| {
                let role = match row.role.as_str() {
                    "self" => None,
                    _ => Some(Role::try_from(row.role)?),
                };
                Ok(LedgerEntry {
                    account_id: row.account_id,
                    role,
                    action: row.action,
                    notice_version: row.notice_version,
                    method: row.method,
                    at: row.given_at,
                })
            })
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    account_id: String,
    role: String,
    action: String,
    notice_version: String,
    method: String,
    given_at: i64,
}

pub(super) async fn append_ledger(
    conn: &mut sqlx::AnyConnection,
    account: &str,
    id: &str,
    role: Role,
    action: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO consents (id, account_id, application_id, purpose, notice_version, method, given_at, action, role) \
         VALUES ($1, $2, $3, 'minor_registration', $4, 'web form: consent checkbox', $5, $6, $7)",
    )
    .bind(crate::crypto::random_id())
    .bind(account)
    .bind(id)
    .bind(CHILD_NOTICE_VERSION)
    .bind(now)
    .bind(action)
    .bind(role.code())
    .execute(conn)
    .await?;
    Ok(())
}
