//! The citizen's rights over their account (Data Protection Act 2019, s.26
//! and s.40): a copy of everything held about them, and deleting the
//! account. Correcting is done through the application while it can be
//! changed.

use super::applications::Applications;
use super::children::Claim;
use super::sign_in::ContactAddress;
use crate::audit::{Audit, Event};
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::registry::verification::ApplicationKind;
use app::application::{Answers, ApplicationState};
use serde::Serialize;
use sqlx::AnyPool;

/// Everything held about one account, as the download gives it.
#[derive(Serialize)]
pub struct Export {
    pub generated_at: i64,
    pub account: AccountExport,
    pub applications: Vec<ApplicationExport>,
    /// Guardianship claims not (yet) approved: the claim only, never the
    /// child's birth record.
    pub guardianship_claims: Vec<ClaimExport>,
}

#[derive(Serialize)]
pub struct ClaimExport {
    pub id: String,
    pub reference: Option<String>,
    /// The child's names as typed.
    pub child: String,
    pub state: &'static str,
    /// `needs_document`, `pending_review` or `rejected`.
    pub review: String,
    pub consented: bool,
    pub review_reason: Option<String>,
}

#[derive(Serialize)]
pub struct AccountExport {
    pub id: String,
    /// The phone number or email address the account signs in with.
    pub contact: String,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// The national ID this account proved against the registry (to
    /// register children), with the names the registry holds.
    pub proven_identity: Option<IdentityExport>,
}

#[derive(Serialize)]
pub struct IdentityExport {
    pub id_number: String,
    pub names: String,
    pub verified_at: i64,
}

#[derive(Serialize)]
pub struct ApplicationExport {
    pub id: String,
    pub reference: Option<String>,
    pub state: &'static str,
    pub answers: Answers,
    /// The uploaded photo as stored (JPEG), base64.
    pub photo_jpeg_base64: Option<String>,
    pub bookings: Vec<BookingExport>,
    pub consents: Vec<ConsentExport>,
}

#[derive(Serialize)]
pub struct BookingExport {
    pub kind: String,
    pub centre: String,
    pub day: String,
    pub time: String,
    pub status: String,
    pub booked_at: i64,
}

#[derive(Serialize)]
pub struct ConsentExport {
    pub purpose: String,
    /// `given` or `withdrawn` (the ledger is only appended to).
    pub action: String,
    /// `self`, or `mother`, `father`, `guardian` for a child.
    pub role: String,
    /// This account's entry (a child's ledger also holds the other parent's).
    pub by_you: bool,
    pub notice_version: String,
    pub method: String,
    /// When the entry was recorded.
    pub at: i64,
    /// Set on entries from before the ledger was append-only.
    pub withdrawn_at: Option<i64>,
}

/// What deleting an account did (counts only).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub applications_erased: u64,
    /// Enrolled applications, kept for the card until their retention ends.
    pub applications_kept: u64,
    pub bookings_cancelled: u64,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    /// Sealed (`accounts.contact`).
    contact: Vec<u8>,
    created_at: i64,
    last_sign_in_at: Option<i64>,
}

/// Sealed (`account_identities`).
#[derive(sqlx::FromRow)]
struct IdentityRow {
    id_number: Vec<u8>,
    names: Vec<u8>,
    verified_at: i64,
}

#[derive(sqlx::FromRow)]
struct BookingExportRow {
    kind: String,
    centre_id: String,
    day: String,
    slot: i64,
    status: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct ConsentExportRow {
    account_id: String,
    purpose: String,
    action: String,
    role: String,
    notice_version: String,
    method: String,
    given_at: i64,
    withdrawn_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StandingConsentRow {
    application_id: String,
    purpose: String,
    notice_version: String,
    role: String,
}

/// States whose data is still needed for the card being made or collected.
const ENROLLED: [ApplicationState; 3] = [
    ApplicationState::BiometricsCaptured,
    ApplicationState::CardReady,
    ApplicationState::CheckedIn,
];

pub struct Accounts<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

impl Accounts<'_> {
    /// The phone number or email address the account signs in with (`None`
    /// for an account that is deleted or gone).
    pub async fn contact(&self, account: &str) -> anyhow::Result<Option<ContactAddress>> {
        let sealed: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT contact FROM accounts WHERE id = $1 AND contact_kind IN ('phone', 'email')",
        )
        .bind(account)
        .fetch_optional(self.db)
        .await?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let contact = self
            .cipher
            .decrypt_string(&columns::ACCOUNT_CONTACT, account, &sealed)?;
        ContactAddress::parse(&contact)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("an account's stored contact does not parse: {e:?}"))
    }

    /// Everything held about `account`, with its guardianship `claims`
    /// (`Children::claims`). Only what the citizen typed, their own proven
    /// identity, and the applications they hold: never the registry's data
    /// about anyone else (a child's parents are not kept at all).
    pub async fn export(
        &self,
        account: &str,
        claims: &[Claim],
        now: i64,
    ) -> anyhow::Result<Option<Export>> {
        use base64::Engine as _;
        let Some(row) = sqlx::query_as::<_, AccountRow>(
            "SELECT id, contact, created_at, last_sign_in_at FROM accounts WHERE id = $1",
        )
        .bind(account)
        .fetch_optional(self.db)
        .await?
        else {
            return Ok(None);
        };
        let identity = sqlx::query_as::<_, IdentityRow>(
            "SELECT id_number, names, verified_at FROM account_identities WHERE account_id = $1",
        )
        .bind(account)
        .fetch_optional(self.db)
        .await?;
        let proven_identity = match identity {
            Some(identity) => Some(IdentityExport {
                id_number: self
                    .cipher
                    .decrypt_string(&columns::IDENTITY_ID_NUMBER, account, &identity.id_number)?
                    .to_string(),
                names: self
                    .cipher
                    .decrypt_string(&columns::IDENTITY_NAMES, account, &identity.names)?
                    .to_string(),
                verified_at: identity.verified_at,
            }),
            None => None,
        };
        let account_export = AccountExport {
            contact: self
                .cipher
                .decrypt_string(&columns::ACCOUNT_CONTACT, &row.id, &row.contact)?
                .to_string(),
            id: row.id,
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
            proven_identity,
        };
        let applications = Applications {
            db: self.db,
            cipher: self.cipher,
        };
        let mut exported = Vec::new();
        for app in applications.list(account).await? {
            let photo = applications.photo(account, &app.id).await?;
            let bookings = sqlx::query_as::<_, BookingExportRow>(
                "SELECT kind, centre_id, day, slot, status, created_at FROM bookings WHERE application_id = $1 ORDER BY created_at",
            )
            .bind(&app.id)
            .fetch_all(self.db)
            .await?
            .into_iter()
            .map(|b| -> anyhow::Result<BookingExport> {
                Ok(BookingExport {
                    time: app::calendar::clock_label(u16::try_from(b.slot)?),
                    kind: b.kind,
                    centre: b.centre_id,
                    day: b.day,
                    status: b.status,
                    booked_at: b.created_at,
                })
            })
            .collect::<anyhow::Result<_>>()?;
            let consents = sqlx::query_as::<_, ConsentExportRow>(
                "SELECT account_id, purpose, action, role, notice_version, method, given_at, withdrawn_at FROM consents \
                 WHERE application_id = $1 ORDER BY given_at, id",
            )
            .bind(&app.id)
            .fetch_all(self.db)
            .await?
            .into_iter()
            .map(|c| ConsentExport {
                by_you: c.account_id == account,
                purpose: c.purpose,
                action: c.action,
                role: c.role,
                notice_version: c.notice_version,
                method: c.method,
                at: c.given_at,
                withdrawn_at: c.withdrawn_at,
            })
            .collect();
            exported.push(ApplicationExport {
                id: app.id,
                reference: app.reference,
                state: app.state.code(),
                answers: Answers {
                    // Rows written before the parents stopped being kept.
                    parents: app
                        .answers
                        .parents
                        .filter(|_| app.kind == ApplicationKind::AdultId),
                    ..app.answers
                },
                photo_jpeg_base64: photo
                    .map(|jpeg| base64::engine::general_purpose::STANDARD.encode(jpeg)),
                bookings,
                consents,
            });
        }
        Ok(Some(Export {
            generated_at: now,
            account: account_export,
            applications: exported,
            guardianship_claims: claims
                .iter()
                .map(|claim| ClaimExport {
                    id: claim.id.clone(),
                    reference: claim.reference.clone(),
                    child: claim.name.clone(),
                    state: claim.state.code(),
                    review: claim.link.status.clone(),
                    consented: claim.link.consented,
                    review_reason: claim.link.review_reason.clone(),
                })
                .collect(),
        }))
    }

    /// Deletes the account: live bookings are cancelled (their places freed),
    /// the answers and photo of every application not yet enrolled are
    /// erased at once (the row stays, cancelled, until retention removes it
    /// with its consent records), consents are marked withdrawn, the
    /// contact is erased (signing in again starts a new, empty account) and
    /// every session of the account ends. Enrolled applications are kept for
    /// the card, under their retention period.
    ///
    /// `event` (the deletion) is recorded in the audit chain, with the
    /// counts, in the same transaction.
    pub async fn delete(
        &self,
        account: &str,
        now: i64,
        event: Event<'_>,
    ) -> anyhow::Result<Deleted> {
        let enrolled = ENROLLED.map(|s| format!("'{}'", s.code())).join(", ");
        let mut tx = crate::db::begin(self.db).await?;
        // The first statement writes (SQLite takes its write lock at once).
        let cancelled_kinds: Vec<String> = sqlx::query_scalar(&format!(
            "UPDATE bookings SET live = 0, status = 'cancelled', ended_at = $2 WHERE live = 1 AND application_id IN \
             (SELECT id FROM applications WHERE account_id = $1 AND state NOT IN ({enrolled})) RETURNING kind"
        ))
        .bind(account)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let bookings_cancelled = u64::try_from(cancelled_kinds.len())?;
        sqlx::query(&format!(
            "DELETE FROM pending_verifications WHERE id IN (SELECT pending_verification_id FROM applications \
             WHERE account_id = $1 AND state NOT IN ({enrolled}))"
        ))
        .bind(account)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM booking_notes WHERE booking_id IN (SELECT b.id FROM bookings b JOIN applications a \
             ON a.id = b.application_id WHERE a.account_id = $1 AND a.state NOT IN ({enrolled}))"
        ))
        .bind(account)
        .execute(&mut *tx)
        .await?;
        let erasing: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT id FROM applications WHERE account_id = $1 AND state NOT IN ({enrolled})"
        ))
        .bind(account)
        .fetch_all(&mut *tx)
        .await?;
        crate::retention::erase_answers(&mut tx, self.cipher, &erasing).await?;
        let applications_erased = sqlx::query(&format!(
            "UPDATE applications SET photo = NULL, state = 'cancelled', active_birth_cert_index = NULL, \
             attention = NULL, pending_verification_id = NULL, updated_at = $2, erased_at = $2 \
             WHERE account_id = $1 AND state NOT IN ({enrolled})"
        ))
        .bind(account)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let applications_kept: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications WHERE account_id = $1 AND state <> 'cancelled'",
        )
        .bind(account)
        .fetch_one(&mut *tx)
        .await?;
        // Every consent still standing is withdrawn: a new ledger row each.
        let standing = sqlx::query_as::<_, StandingConsentRow>(
            "SELECT application_id, purpose, notice_version, role FROM consents c WHERE account_id = $1 AND action = 'given' \
             AND NOT EXISTS (SELECT 1 FROM consents w WHERE w.account_id = c.account_id AND w.application_id = c.application_id \
             AND w.action = 'withdrawn' AND w.given_at >= c.given_at)",
        )
        .bind(account)
        .fetch_all(&mut *tx)
        .await?;
        for row in &standing {
            sqlx::query(
                "INSERT INTO consents (id, account_id, application_id, purpose, notice_version, method, given_at, action, role) \
                 VALUES ($1, $2, $3, $4, $5, 'account deleted', $6, 'withdrawn', $7)",
            )
            .bind(crate::crypto::random_id())
            .bind(account)
            .bind(&row.application_id)
            .bind(&row.purpose)
            .bind(&row.notice_version)
            .bind(now)
            .bind(&row.role)
            .execute(&mut *tx)
            .await?;
        }
        // Children this account consented for: the withdrawal stops them.
        let linked: Vec<String> =
            sqlx::query_scalar("SELECT application_id FROM child_links WHERE account_id = $1 AND status <> 'withdrawn'")
                .bind(account)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("UPDATE child_links SET status = 'withdrawn', consented = 0, updated_at = $2 WHERE account_id = $1")
            .bind(account)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for id in &linked {
            crate::citizen::children::stop(&mut tx, id, now).await?;
        }
        sqlx::query("DELETE FROM sign_in_codes WHERE contact_index = (SELECT contact_index FROM accounts WHERE id = $1)")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE accounts SET contact = $2, contact_index = $3, contact_kind = 'deleted', last_sign_in_at = NULL WHERE id = $1",
        )
        .bind(account)
        .bind(self.cipher.encrypt_str(&columns::ACCOUNT_CONTACT, account, ""))
        .bind(format!("deleted:{account}"))
        .execute(&mut *tx)
        .await?;
        // The proven identity and any guardianship document go too.
        sqlx::query("DELETE FROM account_identities WHERE account_id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE child_links SET document = NULL, document_reference = NULL, review_reason = NULL WHERE account_id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        // Signed out everywhere: a signed-in session's data holds
        // `"account":"<id>"` (serde_json, compact; ids are hex). A request
        // under way on another device cannot write its session back: the
        // session store only updates rows, never inserts them on save.
        sqlx::query("DELETE FROM sessions WHERE data LIKE $1")
            .bind(format!("%\"account\":\"{account}\"%"))
            .execute(&mut *tx)
            .await?;
        let deleted = Deleted {
            applications_erased,
            applications_kept: u64::try_from(applications_kept)?,
            bookings_cancelled,
        };
        let event = event.detail(format!(
            "erased={} kept={} bookings_cancelled={}",
            deleted.applications_erased, deleted.applications_kept, deleted.bookings_cancelled
        ));
        Audit {
            db: self.db,
            cipher: self.cipher,
        }
        .record_in(&mut tx, &event, now)
        .await?;
        tx.commit().await?;
        for kind in cancelled_kinds {
            let kind = crate::booking::bookings::Kind::try_from(kind)?;
            crate::observe::series::bookings(
                crate::observe::series::BookingAction::CancelledByAccountDeletion,
                kind.code(),
                1,
            );
        }
        Ok(deleted)
    }
}
