//! Parents and guardians register children for a minor's card (DPA s.33).
//!
//! - An adult first proves who they are: their ID number, names and date
//!   of birth match a living person in the registry (`prove_identity`). One
//!   account per ID number.
//! - A child is added from the birth record (`add`): the relationship is
//!   *proven* when the adult's ID is the mother's or father's on it;
//!   otherwise the adult files a guardian's claim (`claims`): powerless,
//!   and apart from any parent's application, until a centre supervisor
//!   approves its document (`attach_document`, `decide`).
//! - Nothing happens until the adult consents (`consent`); every consent
//!   and withdrawal is appended to the ledger (`consents`), never edited.
//!   Withdrawing (`withdraw`) cancels the booking, stops the application and
//!   leaves the data to the retention job (erased after the closed period).
//! - Ages come from the birth record in Nairobi time (`AgeRules`).
//! - Who sees a child's application is decided in one place,
//!   `Applications::visible_to`.
//!
//! The rooms: `identity` (proving the adult's ID), `links` (adding a child,
//! the second parent joining, the adult's link), `claims` (a guardian's
//! claim until it is approved), `guardianship` (the document and a
//! supervisor's review), `consent` (the ledger of consents
//! and withdrawals) and `ages` (`AgeRules`, closing at 18). `stop`, which
//! all of them may need, is here.

mod ages;
mod claims;
mod consent;
mod guardianship;
mod identity;
mod links;

pub use ages::{AgeRules, close_adults};
pub use claims::Claim;
pub use consent::{CHILD_NOTICE_VERSION, LedgerEntry};
pub use guardianship::{
    Document, PendingGuardianship, Reviewer, document_reference, document_type,
};
pub(crate) use links::child_answers;
pub use links::{Added, Link, MAX_CHILDREN_PER_ACCOUNT};

use crate::crypto::FieldCipher;
use crate::registry::Registry;
use sqlx::AnyPool;

/// Link statuses (`child_links.status`).
pub mod status {
    pub const PROVEN: &str = "proven";
    pub const NEEDS_DOCUMENT: &str = "needs_document";
    pub const PENDING_REVIEW: &str = "pending_review";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    pub const WITHDRAWN: &str = "withdrawn";

    /// The statuses that give an adult a parent's powers over the child's
    /// application, as SQL: a proven parent, an approved guardian.
    pub const EMPOWERING: &str = "('proven', 'approved')";

    /// Whether `status` gives a parent's powers ([`EMPOWERING`]).
    pub fn empowers(status: &str) -> bool {
        matches!(status, PROVEN | APPROVED)
    }
}

/// The children's rules, over the database, the field cipher and the
/// registry.
pub struct Children<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub registry: &'a dyn Registry,
    pub ages: AgeRules,
}

impl Children<'_> {
    fn audit(&self) -> crate::audit::Audit<'_> {
        crate::audit::Audit {
            db: self.db,
            cipher: self.cipher,
        }
    }

    /// The answers of the child's application `id`, from their sealed column.
    fn answers_of(&self, id: &str, sealed: &[u8]) -> anyhow::Result<app::application::Answers> {
        let plain =
            self.cipher
                .decrypt(&crate::crypto::columns::APPLICATION_ANSWERS, id, sealed)?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

/// States whose application the card still needs: never stopped.
const ENROLLED: &str = "'checked_in', 'biometrics_captured', 'card_ready', 'collected'";

/// Stops a child's application: live bookings cancelled (places freed),
/// the birth certificate released, the state cancelled.
pub(crate) async fn stop(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    now: i64,
) -> anyhow::Result<()> {
    // An enrolled child (fingerprints taken) keeps its card process and visits.
    let stoppable =
        format!("SELECT id FROM applications WHERE id = $1 AND state NOT IN ({ENROLLED})");
    sqlx::query(&format!("UPDATE bookings SET live = 0, status = 'cancelled', ended_at = $2 WHERE live = 1 AND application_id IN ({stoppable})"))
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(&format!(
        "UPDATE applications SET state = 'cancelled', active_birth_cert_index = NULL, updated_at = $2 \
         WHERE id = $1 AND state NOT IN ({ENROLLED})"
    ))
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
