//! A guardian's claim: an adult who is not a parent on the birth record
//! says they are the child's guardian. Until a centre supervisor approves
//! it, the claim is a power over nothing:
//!
//! - it is its own application row, which reserves no birth certificate,
//!   so a parent who registers the same child gets an application of their
//!   own, which the claim never touches;
//! - the claimant sees only the claim (its reference, document and state;
//!   `Claim`), never the birth record's data (`Applications::visible_to`
//!   shows a child's application only to an adult whose link *empowers*);
//! - nothing about the child is messaged to it, and the counter never takes
//!   it as a collector.
//!
//! Approved (`approve`), the claim becomes the child's application, or, if
//! a parent registered the child meanwhile, the guardian's link (document,
//! consent and ledger entries) moves onto the parent's application. A
//! rejected claim is closed for good: a new claim is a new review.

use super::{Added, Children, Link, status};
use crate::crypto::columns::{self, APPLICATION_ANSWERS};
use crate::registry::BirthRecord;
use crate::registry::verification::ApplicationKind;
use app::application::ApplicationState;
use app::identifiers::BirthCertificateNumber;
use app::pages::children::Role;
use sqlx::AnyConnection;

/// A guardian's claim as its claimant sees it.
#[derive(Clone, Debug)]
pub struct Claim {
    pub id: String,
    /// The child's names, as the claimant typed them (they matched the
    /// birth record; nothing else from it is shown).
    pub name: String,
    pub reference: Option<String>,
    pub state: ApplicationState,
    pub link: Link,
    /// The birth certificate claimed (to find an open claim for the same
    /// child; never shown).
    certificate: Option<BirthCertificateNumber>,
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: String,
    reference: Option<String>,
    #[sqlx(try_from = "String")]
    state: ApplicationState,
    /// Sealed (`applications.answers`).
    answers: Vec<u8>,
    #[sqlx(try_from = "String")]
    role: Role,
    status: String,
    consented: i64,
    review_reason: Option<String>,
}

/// The link statuses of a claim still open or closed by a rejection: the
/// claimant still sees it (an approved claim is the child's application).
const CLAIM_STATUSES: &str = "('needs_document', 'pending_review', 'rejected')";

impl Children<'_> {
    /// Files a guardian's claim for the child of `record`: its own
    /// application row, holding the child's own answers only and reserving
    /// no birth certificate. An open claim of this account for the same
    /// child is returned instead of a second one.
    pub(super) async fn file_claim(
        &self,
        account: &str,
        record: &BirthRecord,
        birth_cert: &BirthCertificateNumber,
        now: i64,
    ) -> anyhow::Result<Added> {
        for claim in self.claims(account).await? {
            let open = matches!(
                claim.link.status.as_str(),
                status::NEEDS_DOCUMENT | status::PENDING_REVIEW
            );
            if open && claim.certificate.as_ref() == Some(birth_cert) {
                return Ok(Added::AlreadyYours(claim.id));
            }
        }
        if let Some(refused) = self.over_child_limit(account).await? {
            return Ok(refused);
        }
        let answers = super::child_answers(record, birth_cert)?;
        let id = crate::crypto::random_id();
        let mut tx = crate::db::begin(self.db).await?;
        sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $5)",
        )
        .bind(&id)
        .bind(account)
        .bind(ApplicationKind::MinorCard.code())
        .bind(
            self.cipher
                .encrypt(&APPLICATION_ANSWERS, &id, &serde_json::to_vec(&answers)?),
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        super::links::insert_link(
            &mut tx,
            &id,
            account,
            Role::Guardian,
            status::NEEDS_DOCUMENT,
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(application = %id, "guardianship claim filed");
        Ok(Added::Created {
            id,
            role: Role::Guardian,
        })
    }

    /// This account's claims that are not approved (open, or rejected),
    /// oldest first.
    pub async fn claims(&self, account: &str) -> anyhow::Result<Vec<Claim>> {
        let rows = sqlx::query_as::<_, ClaimRow>(&format!(
            "SELECT a.id, a.reference, a.state, a.answers, l.role, l.status, l.consented, l.review_reason \
             FROM child_links l JOIN applications a ON a.id = l.application_id \
             WHERE l.account_id = $1 AND l.role = 'guardian' AND l.status IN {CLAIM_STATUSES} \
             ORDER BY a.created_at, a.id"
        ))
        .bind(account)
        .fetch_all(self.db)
        .await?;
        rows.into_iter().map(|row| self.claim_of(row)).collect()
    }

    fn claim_of(&self, row: ClaimRow) -> anyhow::Result<Claim> {
        let answers = self.answers_of(&row.id, &row.answers)?;
        let name = answers
            .about_you
            .map(|a| format!("{} {}", a.given_names, a.surname))
            .unwrap_or_default();
        Ok(Claim {
            id: row.id,
            name,
            reference: row.reference,
            state: row.state,
            link: Link {
                role: row.role,
                status: row.status,
                consented: row.consented == 1,
                review_reason: row.review_reason,
            },
            certificate: answers.birth_certificate,
        })
    }

    /// The birth certificate the claim `id` is for, read on `conn`.
    async fn claimed_certificate(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> anyhow::Result<Option<BirthCertificateNumber>> {
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT answers FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        Ok(self.answers_of(id, &sealed)?.birth_certificate)
    }

    /// A supervisor approved the claim `id` (its link is already marked
    /// approved, on `conn`): if no other application holds the child's
    /// birth certificate, the claim reserves it and becomes the child's
    /// application, verified; otherwise the guardian's link, consent and
    /// ledger entries move onto the application that holds it, and the
    /// claim closes.
    pub(super) async fn approve(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        use sqlx::Connection as _;
        let certificate = self
            .claimed_certificate(conn, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a guardianship claim without a birth certificate"))?;
        let index = self
            .cipher
            .blind_index(columns::BIRTH_CERTIFICATE_INDEX, certificate.as_ref());
        // A savepoint: a unique violation (a parent took the certificate a
        // moment ago) must not abort the caller's transaction.
        let mut reserve = conn.begin().await?;
        let reserved = sqlx::query(
            "UPDATE applications SET active_birth_cert_index = $2, state = 'verified', updated_at = $3 \
             WHERE id = $1 AND state = 'guardianship_review'",
        )
        .bind(id)
        .bind(&index)
        .bind(now)
        .execute(&mut *reserve)
        .await;
        match reserved {
            Ok(done) if done.rows_affected() == 1 => {
                reserve.commit().await?;
                return Ok(());
            }
            Ok(_) => anyhow::bail!("a guardianship claim approved outside its review"),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                reserve.rollback().await?;
            }
            Err(error) => return Err(error.into()),
        }
        let holder: String =
            sqlx::query_scalar("SELECT id FROM applications WHERE active_birth_cert_index = $1")
                .bind(&index)
                .fetch_one(&mut *conn)
                .await?;
        let guardian: String = sqlx::query_scalar(
            "SELECT account_id FROM child_links WHERE application_id = $1 AND role = 'guardian'",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        // A link this account once held there (withdrawn) gives way; its
        // ledger entries stay.
        sqlx::query("DELETE FROM child_links WHERE application_id = $1 AND account_id = $2")
            .bind(&holder)
            .bind(&guardian)
            .execute(&mut *conn)
            .await?;
        // The document is sealed to its link's row: it moves sealed again.
        let (document, document_reference): (Option<Vec<u8>>, Option<Vec<u8>>) = sqlx::query_as(
            "SELECT document, document_reference FROM child_links WHERE application_id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(&guardian)
        .fetch_one(&mut *conn)
        .await?;
        let (from, to) = (
            columns::child_link_row(id, &guardian),
            columns::child_link_row(&holder, &guardian),
        );
        let move_sealed = |column: &columns::Column, sealed: Option<Vec<u8>>| {
            sealed
                .map(|sealed| {
                    let plain = self.cipher.decrypt(column, &from, &sealed)?;
                    anyhow::Ok(self.cipher.encrypt(column, &to, &plain))
                })
                .transpose()
        };
        sqlx::query(
            "UPDATE child_links SET application_id = $2, updated_at = $3, document = $5, document_reference = $6 \
             WHERE application_id = $1 AND account_id = $4",
        )
        .bind(id)
        .bind(&holder)
        .bind(now)
        .bind(&guardian)
        .bind(move_sealed(&columns::CHILD_LINK_DOCUMENT, document)?)
        .bind(move_sealed(&columns::CHILD_LINK_DOCUMENT_REFERENCE, document_reference)?)
        .execute(&mut *conn)
        .await?;
        // The ledger is only appended to: the guardian's consent is entered
        // again on the application it now stands for.
        super::consent::append_ledger(conn, &guardian, &holder, Role::Guardian, "given", now)
            .await?;
        // The guardian consented (a claim reaches review only then): like a
        // parent's consent, it moves an application nobody consented to yet.
        sqlx::query(
            "UPDATE applications SET state = 'verified', reference = COALESCE(reference, $2), \
             submitted_at = COALESCE(submitted_at, $3), updated_at = $3 WHERE id = $1 AND state = 'draft'",
        )
        .bind(&holder)
        .bind(crate::citizen::reference::new_reference().to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE applications SET state = 'cancelled', updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        tracing::info!(claim = %id, application = %holder, "approved guardianship joined the child's application");
        Ok(())
    }
}
