//! Guardianship: an adult who is not a parent on the birth record uploads
//! a document (a court order or a letter), and a centre supervisor
//! approves or rejects it.

use super::{Children, status, stop};
use crate::crypto::columns;
use app::identifiers::FieldError;
use sqlx::{AnyConnection, Connection};

/// A guardianship waiting for a supervisor.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingGuardianship {
    pub application_id: String,
    pub account_id: String,
    pub reference: Option<String>,
    pub document_type: Option<String>,
    pub created_at: i64,
}

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
    /// Stores the guardian's document (encrypted) and its reference; the
    /// application then waits for review once consent is given.
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
             review_reason = NULL, updated_at = $6 \
             WHERE application_id = $1 AND account_id = $2 AND role = 'guardian' AND status IN ('needs_document', 'pending_review')",
        )
        .bind(id)
        .bind(account)
        .bind(self.cipher.encrypt(&columns::CHILD_LINK_DOCUMENT, &row, bytes))
        .bind(content_type)
        .bind(self.cipher.encrypt_str(&columns::CHILD_LINK_DOCUMENT_REFERENCE, &row, reference))
        .bind(now)
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

    /// Guardianships waiting for a supervisor, oldest first.
    pub async fn pending_reviews(&self) -> anyhow::Result<Vec<PendingGuardianship>> {
        Ok(sqlx::query_as::<_, PendingGuardianship>(
            "SELECT l.application_id, l.account_id, a.reference, l.document_type, l.created_at FROM child_links l \
             JOIN applications a ON a.id = l.application_id \
             WHERE l.status = 'pending_review' AND a.state = 'guardianship_review' ORDER BY l.created_at",
        )
        .fetch_all(self.db)
        .await?)
    }

    /// The guardian's document, for the reviewer.
    pub async fn document(&self, id: &str) -> anyhow::Result<Option<Document>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT account_id, document, document_reference FROM child_links \
             WHERE application_id = $1 AND role = 'guardian' AND document IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some((account, document, document_reference)) = row else {
            return Ok(None);
        };
        let row = columns::child_link_row(id, &account);
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

    /// A supervisor's decision on a guardianship claim: approved, the
    /// guardian holds the child's application, verified and bookable
    /// (`approve`); rejected, the claim is closed for good and the guardian
    /// sees `reason`. Returns false if nothing was waiting. Runs
    /// on the caller's connection `conn` (a savepoint inside its
    /// transaction, which also records the decision's audit event).
    pub async fn decide(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        (approve, reason): (bool, &str),
        reviewer: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = conn.begin().await?;
        let done = sqlx::query(
            "UPDATE child_links SET status = $2, review_reason = $3, reviewed_by = $4, reviewed_at = $5, updated_at = $5 \
             WHERE application_id = $1 AND role = 'guardian' AND status = 'pending_review' \
             AND EXISTS (SELECT 1 FROM applications WHERE id = $1 AND state = 'guardianship_review')",
        )
        .bind(id)
        .bind(if approve { status::APPROVED } else { status::REJECTED })
        .bind(reason)
        .bind(reviewer)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if approve {
            self.approve(&mut tx, id, now).await?;
        } else {
            stop(&mut tx, id, now).await?;
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
