//! Parents and guardians register children for a minor's card (DPA s.33).
//!
//! - An adult first proves who they are: their ID number, names and date
//!   of birth match a living person in the registry (`prove_identity`). One
//!   account per ID number.
//! - A child is added from the birth record (`add`): the relationship is
//!   *proven* when the adult's ID is the mother's or father's on it;
//!   otherwise the adult applies as a guardian with a document that a
//!   centre supervisor reviews (`attach_document`, `decide`).
//! - Nothing happens until the adult consents (`consent`); every consent
//!   and withdrawal is appended to the ledger (`consents`), never edited.
//!   Withdrawing (`withdraw`) cancels the booking, stops the application and
//!   leaves the data to the retention job (erased after the closed period).
//! - Ages come from the birth record in Nairobi time (`AgeRules`).
//! - Who sees a child's application is decided in one place,
//!   `Applications::visible_to`.

use crate::citizen::applications::new_reference;
use crate::crypto::FieldCipher;
use crate::registry::{LifeStatus, Registry};
use crate::verification::{ApplicationKind, same_name};
use app::application::{AboutYou, Answers, ApplicationState, Location, Parent, Parents, Sex};
use app::dates::CivilDate;
use app::identifiers::{
    BirthCertificateNumber, CountyCode, FieldError, NationalIdNumber, PersonName,
};
use app::pages::children::Role;
use sqlx::{AnyPool, Row};

/// The notice a parent or guardian consents to; bump it when the text changes.
pub const CHILD_NOTICE_VERSION: &str = "minor-2026-11-26";
/// Children one account may register (guardianship is the unproven route).
pub const MAX_CHILDREN_PER_ACCOUNT: i64 = 10;
const ANSWERS: &str = "applications.answers";

/// Which ages get a minor's card, from configuration.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeRules {
    /// Youngest age for a minor's card.
    #[arg(long = "minor-min-age", env = "USAJILI_MINOR_MIN_AGE", default_value_t = app::dates::MINOR_CARD_MIN_AGE, global = true)]
    pub minor_min_age: i32,
    /// Age from which a person applies for their own ID.
    #[arg(long = "adult-age", env = "USAJILI_ADULT_AGE", default_value_t = app::dates::ADULT_AGE, global = true)]
    pub adult_age: i32,
}

impl Default for AgeRules {
    fn default() -> Self {
        AgeRules {
            minor_min_age: app::dates::MINOR_CARD_MIN_AGE,
            adult_age: app::dates::ADULT_AGE,
        }
    }
}

/// Link statuses (`child_links.status`).
pub mod status {
    pub const PROVEN: &str = "proven";
    pub const NEEDS_DOCUMENT: &str = "needs_document";
    pub const PENDING_REVIEW: &str = "pending_review";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    pub const WITHDRAWN: &str = "withdrawn";
}

/// What adding a child came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// A new application; the adult's role; a guardian must upload a document.
    Created { id: String, role: Role },
    /// This account already registered the child.
    AlreadyYours(String),
    /// The other parent registered the child; this adult, a listed parent
    /// too, may add their consent to that application.
    OtherParentFirst(String),
    /// Refused: the field at fault and why.
    Refused(&'static str, FieldError),
}

/// A guardianship waiting for a supervisor.
#[derive(Clone, Debug)]
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

/// One ledger row, for the child's page and the export.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LedgerEntry {
    pub account_id: String,
    pub role: String,
    pub action: String,
    pub notice_version: String,
    pub method: String,
    pub at: i64,
}

/// The adult's link to a child.
#[derive(Clone, Debug)]
pub struct Link {
    pub role: Role,
    pub status: String,
    pub consented: bool,
    pub review_reason: Option<String>,
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

pub struct Children<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    pub registry: &'a dyn Registry,
    pub ages: AgeRules,
}

impl Children<'_> {
    /// The ID number this account proved, if it has.
    pub async fn identity_of(&self, account: &str) -> anyhow::Result<Option<NationalIdNumber>> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT id_number FROM account_identities WHERE account_id = $1")
                .bind(account)
                .fetch_optional(self.db)
                .await?;
        match sealed {
            None => Ok(None),
            Some(sealed) => {
                let text = self
                    .cipher
                    .decrypt_string("account_identities.id_number", &sealed)?;
                Ok(NationalIdNumber::parse(&text).ok())
            }
        }
    }

    /// Checks the adult's ID number, names and date of birth with the
    /// registry and links the ID to the account. The checks run so that
    /// nothing about a record is revealed to someone who cannot give its
    /// names and date of birth. Returns the field at fault and why.
    pub async fn prove_identity(
        &self,
        account: &str,
        id_number: &NationalIdNumber,
        surname: &PersonName,
        given_names: &PersonName,
        date_of_birth: CivilDate,
        now: i64,
    ) -> anyhow::Result<Result<(), (&'static str, FieldError)>> {
        let person = match self.registry.person(id_number).await {
            Ok(person) => person,
            Err(error) => {
                tracing::warn!(%error, "registry unavailable for an identity check");
                return Ok(Err(("id-number", FieldError::RegistryDown)));
            }
        };
        let Some(person) = person else {
            return Ok(Err(("id-number", FieldError::IdentityNotFound)));
        };
        if !same_name(surname, &person.surname) {
            return Ok(Err(("surname", FieldError::IdentityNamesDiffer)));
        }
        if !same_name(given_names, &person.given_names) {
            return Ok(Err(("given-names", FieldError::IdentityNamesDiffer)));
        }
        if person.date_of_birth != date_of_birth {
            return Ok(Err(("dob", FieldError::IdentityDateOfBirthDiffers)));
        }
        if person.status != LifeStatus::Alive {
            return Ok(Err(("id-number", FieldError::IdentityCannotVerify)));
        }
        let index = self.cipher.blind_index("national-id", id_number.as_ref());
        let names = format!("{} {}", person.given_names, person.surname);
        let inserted = sqlx::query(
            "INSERT INTO account_identities (account_id, id_number_index, id_number, names, verified_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account)
        .bind(&index)
        .bind(self.cipher.encrypt_str("account_identities.id_number", id_number.as_ref()))
        .bind(self.cipher.encrypt_str("account_identities.names", &names))
        .bind(now)
        .execute(self.db)
        .await;
        match inserted {
            Ok(_) => {
                tracing::info!(account = %account, "identity confirmed with the registry");
                Ok(Ok(()))
            }
            // Either this ID is another account's, or this account has one already.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                let holder: Option<String> = sqlx::query_scalar(
                    "SELECT account_id FROM account_identities WHERE id_number_index = $1",
                )
                .bind(&index)
                .fetch_optional(self.db)
                .await?;
                if holder.as_deref() == Some(account) {
                    Ok(Ok(()))
                } else {
                    Ok(Err(("id-number", FieldError::IdentityTaken)))
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Adds a child from the birth record. `as_guardian`: the adult says
    /// they are the child's guardian rather than a parent.
    #[allow(clippy::too_many_arguments)]
    pub async fn add(
        &self,
        account: &str,
        adult: &NationalIdNumber,
        birth_cert: &BirthCertificateNumber,
        surname: &PersonName,
        given_names: &PersonName,
        as_guardian: bool,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<Added> {
        let record = match self.registry.birth_record(birth_cert).await {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%error, "registry unavailable for a child's birth record");
                return Ok(Added::Refused(
                    "birth-certificate",
                    FieldError::RegistryDown,
                ));
            }
        };
        let Some(record) = record else {
            return Ok(Added::Refused(
                "birth-certificate",
                FieldError::ChildNotFound,
            ));
        };
        if !same_name(surname, &record.surname) {
            return Ok(Added::Refused("surname", FieldError::ChildNamesDiffer));
        }
        if !same_name(given_names, &record.given_names) {
            return Ok(Added::Refused("given-names", FieldError::ChildNamesDiffer));
        }
        if record.status != LifeStatus::Alive {
            return Ok(Added::Refused(
                "birth-certificate",
                FieldError::ChildCannotRegister,
            ));
        }
        let age = record.date_of_birth.age_on(today);
        if age < self.ages.minor_min_age {
            return Ok(Added::Refused(
                "birth-certificate",
                FieldError::ChildTooYoung,
            ));
        }
        if age >= self.ages.adult_age {
            return Ok(Added::Refused("birth-certificate", FieldError::ChildAdult));
        }
        let listed = if record.mother_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Mother)
        } else if record.father_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Father)
        } else {
            None
        };
        let role = match (listed, as_guardian) {
            (Some(parent), _) => parent,
            (None, true) => Role::Guardian,
            (None, false) if record.mother_id_no.is_none() && record.father_id_no.is_none() => {
                return Ok(Added::Refused("relationship", FieldError::ChildNoParentIds));
            }
            (None, false) => {
                return Ok(Added::Refused(
                    "relationship",
                    FieldError::ChildOtherParents,
                ));
            }
        };

        let index = self
            .cipher
            .blind_index("birth-certificate", birth_cert.as_ref());
        if let Some(existing) = self.active_for(&index).await? {
            let (id, owner) = existing;
            let mine: Option<String> = sqlx::query_scalar(
                "SELECT status FROM child_links WHERE application_id = $1 AND account_id = $2 AND status <> 'withdrawn'",
            )
            .bind(&id)
            .bind(account)
            .fetch_optional(self.db)
            .await?;
            return Ok(if owner == account || mine.is_some() {
                Added::AlreadyYours(id)
            } else if listed.is_some() {
                Added::OtherParentFirst(id)
            } else {
                Added::Refused("birth-certificate", FieldError::ChildTaken)
            });
        }
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications WHERE account_id = $1 AND kind = 'minor_card' \
             AND state NOT IN ('cancelled', 'expired', 'collected')",
        )
        .bind(account)
        .fetch_one(self.db)
        .await?;
        if held >= MAX_CHILDREN_PER_ACCOUNT {
            return Ok(Added::Refused(
                "birth-certificate",
                FieldError::ChildTooMany,
            ));
        }

        let answers = child_answers(&record, birth_cert)?;
        let id = crate::crypto::random_id();
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, active_birth_cert_index, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(account)
        .bind(ApplicationKind::MinorCard.code())
        .bind(self.cipher.encrypt(ANSWERS, &serde_json::to_vec(&answers)?))
        .bind(&index)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // The other parent added the child a moment ago.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                drop(tx);
                return Ok(match (self.active_for(&index).await?, listed) {
                    (Some((id, _)), Some(_)) => Added::OtherParentFirst(id),
                    _ => Added::Refused("birth-certificate", FieldError::ChildTaken),
                });
            }
            Err(error) => return Err(error.into()),
        }
        let link_status = if role == Role::Guardian {
            status::NEEDS_DOCUMENT
        } else {
            status::PROVEN
        };
        insert_link(&mut tx, &id, account, role, link_status, now).await?;
        tx.commit().await?;
        tracing::info!(application = %id, role = role.code(), "child added");
        Ok(Added::Created { id, role })
    }

    async fn active_for(&self, birth_cert_index: &str) -> anyhow::Result<Option<(String, String)>> {
        let row = sqlx::query(
            "SELECT id, account_id FROM applications WHERE active_birth_cert_index = $1",
        )
        .bind(birth_cert_index)
        .fetch_optional(self.db)
        .await?;
        Ok(match row {
            Some(row) => Some((row.try_get("id")?, row.try_get("account_id")?)),
            None => None,
        })
    }

    /// The second parent joins the child's application: only if their
    /// proven ID is on the child's birth record. `None`: not allowed (the
    /// caller shows 404).
    pub async fn join(
        &self,
        account: &str,
        adult: &NationalIdNumber,
        id: &str,
        now: i64,
    ) -> anyhow::Result<Option<Role>> {
        let Some(role) = self.listed_role(adult, id).await? else {
            return Ok(None);
        };
        let mut tx = self.db.begin().await?;
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT status FROM child_links WHERE application_id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            None => insert_link(&mut tx, id, account, role, status::PROVEN, now).await?,
            Some(_) => {
                sqlx::query(
                    "UPDATE child_links SET status = 'proven', consented = 0, updated_at = $3 WHERE application_id = $1 AND account_id = $2",
                )
                .bind(id)
                .bind(account)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(role))
    }

    /// Whether this adult's ID is the mother's or father's on the birth
    /// record of the active child application `id`.
    pub async fn listed_role(
        &self,
        adult: &NationalIdNumber,
        id: &str,
    ) -> anyhow::Result<Option<Role>> {
        let row = sqlx::query("SELECT answers FROM applications WHERE id = $1 AND kind = 'minor_card' AND active_birth_cert_index IS NOT NULL")
            .bind(id)
            .fetch_optional(self.db)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let answers: Answers = serde_json::from_slice(
            &self
                .cipher
                .decrypt(ANSWERS, &row.try_get::<Vec<u8>, _>("answers")?)?,
        )?;
        let Some(parents) = answers.parents else {
            return Ok(None);
        };
        let is = |parent: &Parent| matches!(parent, Parent::Known { id_number, .. } if id_number == adult);
        Ok(if is(&parents.mother) {
            Some(Role::Mother)
        } else if is(&parents.father) {
            Some(Role::Father)
        } else {
            None
        })
    }

    /// This account's link to the child, if any.
    pub async fn link(&self, account: &str, id: &str) -> anyhow::Result<Option<Link>> {
        let row = sqlx::query("SELECT role, status, consented, review_reason FROM child_links WHERE application_id = $1 AND account_id = $2")
            .bind(id)
            .bind(account)
            .fetch_optional(self.db)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Link {
            role: Role::from_code(&row.try_get::<String, _>("role")?).unwrap_or(Role::Guardian),
            status: row.try_get("status")?,
            consented: row.try_get::<i64, _>("consented")? == 1,
            review_reason: row.try_get("review_reason")?,
        }))
    }

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
        let done = sqlx::query(
            "UPDATE child_links SET document = $3, document_type = $4, document_reference = $5, status = 'pending_review', \
             review_reason = NULL, updated_at = $6 \
             WHERE application_id = $1 AND account_id = $2 AND role = 'guardian' AND status IN ('needs_document', 'pending_review')",
        )
        .bind(id)
        .bind(account)
        .bind(self.cipher.encrypt("child_links.document", bytes))
        .bind(content_type)
        .bind(self.cipher.encrypt_str("child_links.document_reference", reference))
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

    /// Records this adult's consent in the ledger and moves the application
    /// on: a proven parent's child is verified (the registry was asked when
    /// the child was added); a guardian's waits for review.
    pub async fn consent(&self, account: &str, id: &str, now: i64) -> anyhow::Result<bool> {
        let Some(link) = self.link(account, id).await? else {
            return Ok(false);
        };
        if link.status == status::WITHDRAWN || link.status == status::REJECTED {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
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
    /// stops; retention erases it after the closed period).
    pub async fn withdraw(&self, account: &str, id: &str, now: i64) -> anyhow::Result<bool> {
        let Some(link) = self.link(account, id).await? else {
            return Ok(false);
        };
        // Only a consent that stands can be withdrawn: an adult who never
        // consented cannot stop the application this way.
        if link.status == status::WITHDRAWN || !link.consented {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE child_links SET status = 'withdrawn', consented = 0, updated_at = $3 WHERE application_id = $1 AND account_id = $2")
            .bind(id)
            .bind(account)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        append_ledger(&mut tx, account, id, link.role, "withdrawn", now).await?;
        stop(&mut tx, id, now).await?;
        tx.commit().await?;
        tracing::info!(application = %id, "consent withdrawn for a child; application stopped");
        Ok(true)
    }

    /// Guardianships waiting for a supervisor, oldest first.
    pub async fn pending_reviews(&self) -> anyhow::Result<Vec<PendingGuardianship>> {
        let rows = sqlx::query(
            "SELECT l.application_id, l.account_id, a.reference, l.document_type, l.created_at FROM child_links l \
             JOIN applications a ON a.id = l.application_id \
             WHERE l.status = 'pending_review' AND a.state = 'guardianship_review' ORDER BY l.created_at",
        )
        .fetch_all(self.db)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingGuardianship {
                    application_id: row.try_get("application_id")?,
                    account_id: row.try_get("account_id")?,
                    reference: row.try_get("reference")?,
                    document_type: row.try_get("document_type")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The guardian's document, for the reviewer.
    pub async fn document(&self, id: &str) -> anyhow::Result<Option<Document>> {
        let row = sqlx::query(
            "SELECT document, document_type, document_reference FROM child_links \
             WHERE application_id = $1 AND role = 'guardian' AND document IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let bytes = self
            .cipher
            .decrypt(
                "child_links.document",
                &row.try_get::<Vec<u8>, _>("document")?,
            )?
            .to_vec();
        let reference = self
            .cipher
            .decrypt_string(
                "child_links.document_reference",
                &row.try_get::<Vec<u8>, _>("document_reference")?,
            )?
            .to_string();
        let content_type = document_type(&bytes).unwrap_or("application/octet-stream");
        Ok(Some(Document {
            content_type,
            bytes,
            reference,
        }))
    }

    /// A supervisor's decision on a guardianship: approved, the application
    /// is verified and can be booked; rejected, it is cancelled and the
    /// guardian sees `reason`. Returns false if nothing was waiting.
    pub async fn decide(
        &self,
        id: &str,
        approve: bool,
        reason: &str,
        reviewer: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE child_links SET status = $2, review_reason = $3, reviewed_by = $4, reviewed_at = $5, updated_at = $5 \
             WHERE application_id = $1 AND role = 'guardian' AND status = 'pending_review'",
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
            sqlx::query("UPDATE applications SET state = 'verified', updated_at = $2 WHERE id = $1 AND state = 'guardianship_review'")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        } else {
            stop(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        tracing::info!(application = %id, approve, "guardianship decided");
        Ok(true)
    }

    /// The ledger rows of a child's application, oldest first.
    pub async fn ledger(&self, id: &str) -> anyhow::Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT account_id, role, action, notice_version, method, given_at FROM consents \
             WHERE application_id = $1 ORDER BY given_at, id",
        )
        .bind(id)
        .fetch_all(self.db)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LedgerEntry {
                    account_id: row.try_get("account_id")?,
                    role: row.try_get("role")?,
                    action: row.try_get("action")?,
                    notice_version: row.try_get("notice_version")?,
                    method: row.try_get("method")?,
                    at: row.try_get("given_at")?,
                })
            })
            .collect()
    }

    /// A child who has turned adult while the application is open moves to
    /// the adult route: the application is stopped. Returns whether it was.
    pub async fn close_if_adult(
        &self,
        id: &str,
        date_of_birth: CivilDate,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<bool> {
        if date_of_birth.age_on(today) < self.ages.adult_age {
            return Ok(false);
        }
        close_turned_adult(self.db, id, now).await
    }
}

/// The daily pass: closes every open child's application whose child has
/// turned adult (the child's page also checks when it is opened). Returns
/// how many were closed.
pub async fn close_adults(
    db: &AnyPool,
    cipher: &FieldCipher,
    ages: AgeRules,
    today: CivilDate,
    now: i64,
) -> anyhow::Result<u64> {
    let rows = sqlx::query(&format!(
        "SELECT id, answers FROM applications WHERE kind = 'minor_card' AND state IN ({OPEN})"
    ))
    .fetch_all(db)
    .await?;
    let mut closed = 0;
    for row in &rows {
        let id: String = row.try_get("id")?;
        let answers: Answers = serde_json::from_slice(
            &cipher.decrypt(ANSWERS, &row.try_get::<Vec<u8>, _>("answers")?)?,
        )?;
        let Some(about) = answers.about_you else {
            continue;
        };
        if about.date_of_birth.age_on(today) < ages.adult_age {
            continue;
        }
        if close_turned_adult(db, &id, now).await? {
            closed += 1;
        }
    }
    if closed > 0 {
        tracing::info!(closed, "children turned adult: applications closed");
    }
    Ok(closed)
}

/// A child's application still in progress, before the centre has seen the child.
const OPEN: &str = "'draft', 'verified', 'booked', 'guardianship_review'";
/// States whose application the card still needs: never stopped.
const ENROLLED: &str = "'checked_in', 'biometrics_captured', 'card_ready', 'collected'";

/// Closes an open child's application because the child has turned adult:
/// stopped, and marked so the page can say why. False if it was not open.
async fn close_turned_adult(db: &AnyPool, id: &str, now: i64) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let open: Option<String> = sqlx::query_scalar(&format!(
        "SELECT state FROM applications WHERE id = $1 AND state IN ({OPEN})"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_none() {
        return Ok(false);
    }
    stop(&mut tx, id, now).await?;
    sqlx::query("UPDATE applications SET attention = 'turned_adult' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(application = %id, "child turned adult: application closed");
    Ok(true)
}

/// The answers a child's application holds: what the birth record says.
pub(crate) fn child_answers(
    record: &crate::registry::BirthRecord,
    birth_cert: &BirthCertificateNumber,
) -> anyhow::Result<Answers> {
    let county = CountyCode::parse(&record.county_code)
        .map_err(|e| anyhow::anyhow!("county on a birth record: {e}"))?;
    let name = |text: &str| {
        PersonName::parse(text).map_err(|e| anyhow::anyhow!("name on a birth record: {e}"))
    };
    let parent = |name_text: &Option<String>, id: &Option<String>| -> Parent {
        match (
            name_text.as_deref().map(PersonName::parse),
            id.as_deref().map(NationalIdNumber::parse),
        ) {
            (Some(Ok(name)), Some(Ok(id_number))) => Parent::Known { name, id_number },
            _ => Parent::NotKnown,
        }
    };
    let sex = match record.sex {
        crate::registry::Sex::Female => Sex::Female,
        crate::registry::Sex::Male => Sex::Male,
    };
    Ok(Answers {
        about_you: Some(AboutYou {
            surname: name(&record.surname)?,
            given_names: name(&record.given_names)?,
            sex,
            date_of_birth: record.date_of_birth,
            county_of_birth: county,
            // Asked at the centre; the county of birth until then.
            county_of_residence: county,
            location: Location::parse(county.name())
                .map_err(|e| anyhow::anyhow!("county name as a location: {e}"))?,
        }),
        birth_certificate: Some(birth_cert.clone()),
        documents: None,
        contact: None,
        parents: Some(Parents {
            mother: parent(&record.mother_name, &record.mother_id_no),
            father: parent(&record.father_name, &record.father_id_no),
        }),
    })
}

async fn insert_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    account: &str,
    role: Role,
    link_status: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO child_links (application_id, account_id, role, status, consented, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(id)
    .bind(account)
    .bind(role.code())
    .bind(link_status)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn append_ledger(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

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
