//! Guardianship: an adult who is not a parent on the birth record uploads
//! a document (a court order or a letter), and a supervisor of the county
//! of the child's birth (or an administrator) approves or rejects it. Each
//! document is a review of its own, frozen once a reviewer opened it; a
//! reviewer never sees or decides a claim made from their own contact.

use super::{Children, status, stop};
use crate::crypto::columns;
use app::identifiers::FieldError;
use sqlx::{AnyConnection, Connection};

/// A guardianship review waiting for a supervisor: one document of one
/// claim (a document sent again is a new review).
#[derive(Clone, Debug)]
pub struct PendingGuardianship {
    /// The review's id (its address in the console).
    pub review_id: String,
    pub application_id: String,
    pub account_id: String,
    pub reference: Option<String>,
    pub document_type: Option<String>,
    /// When this document was sent.
    pub created_at: i64,
    /// The county of the child's birth (routes the review).
    pub county: Option<String>,
    /// Whether a reviewer has opened the document.
    pub opened: bool,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    review_id: String,
    application_id: String,
    account_id: String,
    reference: Option<String>,
    document_type: Option<String>,
    review_started_at: i64,
    opened_at: Option<i64>,
    /// Sealed (`applications.answers`): the child's county of birth.
    answers: Vec<u8>,
}

/// Who is reviewing: the supervisors of the county of the child's birth
/// review its claims (an administrator, every county), and nobody a claim
/// made from an account with their own contact.
#[derive(Clone, Debug)]
pub struct Reviewer {
    /// The member's id (`reviewed_by`, `opened_by`).
    pub id: String,
    /// The county whose children's claims they review; `None`: every county.
    pub county: Option<String>,
    /// The blind index of the member's own contact (`accounts.contact_index`):
    /// a claim from an account with it is not theirs to see or decide.
    pub contact_index: Option<String>,
}

impl Reviewer {
    /// Whether a claim for a child born in `county` is in this reviewer's
    /// scope (a claim whose county is unknown is an administrator's alone).
    fn covers(&self, county: Option<&str>) -> bool {
        self.county.as_deref().is_none_or(|own| county == Some(own))
    }
}

/// A reviewer's queue: claims in review, not the reviewer's own.
const IN_REVIEW: &str = "l.role = 'guardian' AND l.status = 'pending_review' AND a.state = 'guardianship_review' \
     AND l.review_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts c WHERE c.id = l.account_id AND c.contact_index = $1)";

/// The guardianship document, decrypted for a reviewer.
pub struct Document {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub reference: String,
}

/// A guardianship document's type, from its first bytes (never from the
/// name or the declared type).
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A court order's case number or a letter's reference: letters, digits,
/// spaces and `/ - .`, 3 to 60 characters.
pub fn document_reference(text: &str) -> Result<String, FieldError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(FieldError::GuardianReferenceMissing);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '/' | '-' | '.');
    if !(3..=60).contains(&text.chars().count()) || !text.chars().all(allowed) {
        return Err(FieldError::GuardianReferenceFormat);
    }
    Ok(text)
}

impl Children<'_> {
    /// Stores the guardian's document (encrypted) and its reference as a
    /// new review (a document sent before, opened or not, leaves the queue
    /// with its review); the application then waits for review once
    /// consent is given.
    pub async fn attach_document(
        &self,
        account: &str,
        id: &str,
        reference: &str,
        content_type: &str,
        bytes: &[u8],
        now: i64,
    ) -> anyhow::Result<bool> {
        let row = columns::child_link_row(id, account);
        let done = sqlx::query(
            "UPDATE child_links SET document = $3, document_type = $4, document_reference = $5, status = 'pending_review', \
             review_reason = NULL, updated_at = $6, review_id = $7, review_started_at = $6, opened_at = NULL, opened_by = NULL \
             WHERE application_id = $1 AND account_id = $2 AND role = 'guardian' AND status IN ('needs_document', 'pending_review')",
        )
        .bind(id)
        .bind(account)
        .bind(self.cipher.encrypt(&columns::CHILD_LINK_DOCUMENT, &row, bytes))
        .bind(content_type)
        .bind(self.cipher.encrypt_str(&columns::CHILD_LINK_DOCUMENT_REFERENCE, &row, reference))
        .bind(now)
        // Every document is a review of its own: one a reviewer has opened
        // is frozen, and a replacement is reviewed afresh.
        .bind(crate::crypto::random_id())
        .execute(self.db)
        .await?;
        if done.rows_affected() == 1 {
            // Consent given before the document: the review can start now.
            sqlx::query(
                "UPDATE applications SET state = 'guardianship_review', updated_at = $2 WHERE id = $1 AND state = 'draft' \
                 AND EXISTS (SELECT 1 FROM child_links WHERE application_id = $1 AND role = 'guardian' AND consented = 1)",
            )
            .bind(id)
            .bind(now)
            .execute(self.db)
            .await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// The reviews `reviewer` may see and decide, oldest first: in their
    /// county (all for an administrator), none from their own contact.
    pub async fn pending_reviews(
        &self,
        reviewer: &Reviewer,
    ) -> anyhow::Result<Vec<PendingGuardianship>> {
        self.reviews_where(reviewer, "", None).await
    }

    /// The review `review_id`, if `reviewer` may see it; `None` for one
    /// decided, replaced, elsewhere, their own, or unknown alike.
    pub async fn review(
        &self,
        reviewer: &Reviewer,
        review_id: &str,
    ) -> anyhow::Result<Option<PendingGuardianship>> {
        Ok(self
            .reviews_where(reviewer, " AND l.review_id = $2", Some(review_id))
            .await?
            .pop())
    }

    async fn reviews_where(
        &self,
        reviewer: &Reviewer,
        condition: &str,
        review_id: Option<&str>,
    ) -> anyhow::Result<Vec<PendingGuardianship>> {
        let sql = format!(
            "SELECT l.review_id, l.application_id, l.account_id, a.reference, l.document_type, l.review_started_at, \
             l.opened_at, a.answers FROM child_links l JOIN applications a ON a.id = l.application_id \
             WHERE {IN_REVIEW}{condition} ORDER BY l.review_started_at, l.review_id"
        );
        let mut query = sqlx::query_as::<_, PendingRow>(&sql)
            .bind(reviewer.contact_index.clone().unwrap_or_default());
        if let Some(review_id) = review_id {
            query = query.bind(review_id.to_string());
        }
        let rows = query.fetch_all(self.db).await?;
        let mut pending = Vec::with_capacity(rows.len());
        for row in rows {
            let county = self
                .answers_of(&row.application_id, &row.answers)?
                .about_you
                .map(|a| a.county_of_birth.to_string());
            if !reviewer.covers(county.as_deref()) {
                continue;
            }
            pending.push(PendingGuardianship {
                review_id: row.review_id,
                application_id: row.application_id,
                account_id: row.account_id,
                reference: row.reference,
                document_type: row.document_type,
                created_at: row.review_started_at,
                county,
                opened: row.opened_at.is_some(),
            });
        }
        Ok(pending)
    }

    /// Records that `reviewer` opened the review's document, if nobody had
    /// (from now on it is frozen: a replacement is a new review), on the
    /// caller's connection `conn` (the transaction that also records the
    /// opening's audit event).
    pub async fn opened(
        &self,
        conn: &mut AnyConnection,
        review_id: &str,
        reviewer: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE child_links SET opened_at = $2, opened_by = $3 WHERE review_id = $1 AND opened_at IS NULL",
        )
        .bind(review_id)
        .bind(now)
        .bind(reviewer)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The review's document, for the reviewer (who found the review
    /// through [`Children::review`]).
    pub async fn document(&self, review_id: &str) -> anyhow::Result<Option<Document>> {
        let row: Option<(String, String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT application_id, account_id, document, document_reference FROM child_links \
             WHERE review_id = $1 AND role = 'guardian' AND document IS NOT NULL",
        )
        .bind(review_id)
        .fetch_optional(self.db)
        .await?;
        let Some((application, account, document, document_reference)) = row else {
            return Ok(None);
        };
        let row = columns::child_link_row(&application, &account);
        let bytes = self
            .cipher
            .decrypt(&columns::CHILD_LINK_DOCUMENT, &row, &document)?
            .to_vec();
        let reference = self
            .cipher
            .decrypt_string(
                &columns::CHILD_LINK_DOCUMENT_REFERENCE,
                &row,
                &document_reference,
            )?
            .to_string();
        let content_type = document_type(&bytes).unwrap_or("application/octet-stream");
        Ok(Some(Document {
            content_type,
            bytes,
            reference,
        }))
    }

    /// A supervisor's decision on the review `review_id`: approved, the
    /// guardian holds the child's application, verified and bookable
    /// (`approve`); rejected, the claim is closed for good and the guardian
    /// sees `reason`. Returns false, changing nothing, if no such review is
    /// waiting for `reviewer` (decided, replaced by a new document, another
    /// county's, or a claim from the reviewer's own contact). Runs on the
    /// caller's connection `conn` (a savepoint inside its transaction,
    /// which also records the decision's audit event); written first, then
    /// checked.
    pub async fn decide(
        &self,
        conn: &mut AnyConnection,
        reviewer: &Reviewer,
        review_id: &str,
        (approve, reason): (bool, &str),
        now: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = conn.begin().await?;
        let decided: Option<String> = sqlx::query_scalar(
            "UPDATE child_links SET status = $3, review_reason = $4, reviewed_by = $5, reviewed_at = $6, updated_at = $6 \
             WHERE review_id = $2 AND role = 'guardian' AND status = 'pending_review' \
             AND EXISTS (SELECT 1 FROM applications a WHERE a.id = child_links.application_id AND a.state = 'guardianship_review') \
             AND NOT EXISTS (SELECT 1 FROM accounts c WHERE c.id = child_links.account_id AND c.contact_index = $1) \
             RETURNING application_id"
        )
        .bind(reviewer.contact_index.clone().unwrap_or_default())
        .bind(review_id)
        .bind(if approve { status::APPROVED } else { status::REJECTED })
        .bind(reason)
        .bind(&reviewer.id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = decided else {
            return Ok(false);
        };
        // Written first; now the county, from the child's answers.
        let answers: Vec<u8> = sqlx::query_scalar("SELECT answers FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        let county = self
            .answers_of(&id, &answers)?
            .about_you
            .map(|a| a.county_of_birth.to_string());
        if !reviewer.covers(county.as_deref()) {
            tx.rollback().await?;
            return Ok(false);
        }
        if approve {
            self.approve(&mut tx, &id, now).await?;
        } else {
            stop(&mut tx, &id, now).await?;
        }
        tx.commit().await?;
        tracing::info!(application = %id, approve, "guardianship decided");
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_known_by_its_first_bytes() {
        assert_eq!(document_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(document_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(document_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(document_type(b"GIF89a"), None);
        assert_eq!(document_type(b"<html>%PDF-"), None);
        assert_eq!(document_type(b""), None);
    }

    #[test]
    fn a_document_reference_is_short_plain_text() {
        assert_eq!(
            document_reference("  HCFA  E123/2024 "),
            Ok("HCFA E123/2024".to_string())
        );
        assert_eq!(
            document_reference(""),
            Err(FieldError::GuardianReferenceMissing)
        );
        assert_eq!(
            document_reference("ab"),
            Err(FieldError::GuardianReferenceFormat)
        );
        assert_eq!(
            document_reference("<script>"),
            Err(FieldError::GuardianReferenceFormat)
        );
        assert_eq!(
            document_reference(&"A".repeat(61)),
            Err(FieldError::GuardianReferenceFormat)
        );
    }
}
