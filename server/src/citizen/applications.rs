//! Applications: stored with every answer encrypted as one document (and
//! the photo apart), always looked up together with the account that owns
//! them, so that one citizen can never reach another's.

use crate::audit::{Audit, Event};
use crate::citizen::children::status;
use crate::citizen::contact_index;
use crate::citizen::reference::new_reference;
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::messages::{Message, Recipient, outbox};
use crate::registry::pending::{PendingVerifications, Status};
use crate::registry::verification::{Applicant, ApplicationKind, Outcome};
use app::application::{
    Answers, ApplicationState, Attention, Channel, MAX_APPLICATIONS_PER_ACCOUNT, NOTICE_VERSION,
    Task,
};
use app::dates::CivilDate;
use app::i18n::Locale;
use app::identifiers::BirthCertificateNumber;
use sqlx::AnyPool;

#[derive(Clone, Debug)]
pub struct Stored {
    pub id: String,
    pub account_id: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub answers: Answers,
    pub has_photo: bool,
    pub reference: Option<String>,
    pub attention: Option<Attention>,
    pub pending_verification_id: Option<String>,
    /// How it was made: a USSD pre-registration's photo is taken at the
    /// counter.
    pub channel: Channel,
}

impl Stored {
    /// Whether the photo is to be taken at the counter: a USSD
    /// pre-registration without one.
    pub fn photo_at_counter(&self) -> bool {
        self.channel == Channel::Ussd && !self.has_photo
    }

    /// Whether everything a submission by `channel` sends is in: on the
    /// web, every task (the photo too); by USSD, a pre-registration's
    /// details ([`Answers::pre_registration_done`]).
    pub fn complete_for(&self, channel: Channel) -> bool {
        match channel {
            Channel::Web => Task::ALL
                .iter()
                .all(|t| self.answers.is_done(*t, self.has_photo)),
            Channel::Ussd => self.answers.pre_registration_done(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The account already holds the most applications it may.
    AccountLimit,
    /// Another active adult application exists for this birth certificate.
    Duplicate,
    /// Not every task is done.
    Incomplete,
    /// The application cannot be changed in its state.
    NotEditable,
}

/// Whether a write was refused by a unique index (by the error's kind, the
/// SQLSTATE, never its text): any other database error is a failure, not a
/// duplicate.
fn refused_by_unique_index(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// The states in which an application's answers and photo may be changed,
/// as SQL.
const EDITABLE: &str = "state IN ('draft', 'needs_attention')";

/// A write guarded by [`EDITABLE`]: refused when no row was written.
fn written(rows: u64) -> Result<(), Refused> {
    if rows == 1 {
        Ok(())
    } else {
        Err(Refused::NotEditable)
    }
}

/// The message that tells the citizen what came of their submission, by the
/// state it left the application in; none before it has a reference.
pub fn submission_message(app: &Stored) -> Option<Message> {
    let reference = app.reference.clone()?;
    Some(match app.state {
        ApplicationState::Verified => Message::ApplicationVerified { reference },
        ApplicationState::NeedsAttention => Message::ApplicationNeedsAttention { reference },
        _ => Message::ApplicationSubmitted { reference },
    })
}

/// The state and (if any) attention an outcome leads to.
pub fn after_verification(outcome: Outcome) -> (ApplicationState, Option<Attention>) {
    use ApplicationState::*;
    match outcome {
        Outcome::Verified => (Verified, None),
        Outcome::Mismatch => (NeedsAttention, Some(Attention::Mismatch)),
        Outcome::AlreadyHoldsId => (NeedsAttention, Some(Attention::AlreadyHoldsId)),
        Outcome::IneligibleAge => (NeedsAttention, Some(Attention::TooYoung)),
        Outcome::RegistryUnavailable => (PendingVerification, None),
    }
}

/// An `applications` row as [`Applications::COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct StoredRow {
    id: String,
    account_id: String,
    #[sqlx(try_from = "String")]
    kind: ApplicationKind,
    #[sqlx(try_from = "String")]
    state: ApplicationState,
    /// Sealed (`applications.answers`).
    answers: Vec<u8>,
    reference: Option<String>,
    attention: Option<String>,
    pending_verification_id: Option<String>,
    has_photo: i64,
    #[sqlx(try_from = "String")]
    channel: Channel,
}

pub struct Applications<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

impl Applications<'_> {
    fn decode(&self, row: StoredRow) -> anyhow::Result<Stored> {
        let answers: Answers = serde_json::from_slice(&self.cipher.decrypt(
            &columns::APPLICATION_ANSWERS,
            &row.id,
            &row.answers,
        )?)?;
        Ok(Stored {
            id: row.id,
            account_id: row.account_id,
            kind: row.kind,
            state: row.state,
            answers,
            has_photo: row.has_photo != 0,
            reference: row.reference,
            attention: row.attention.map(Attention::try_from).transpose()?,
            pending_verification_id: row.pending_verification_id,
            channel: row.channel,
        })
    }

    const COLUMNS: &'static str = "id, account_id, kind, state, answers, reference, attention, pending_verification_id, \
         CASE WHEN photo IS NULL THEN 0 ELSE 1 END AS has_photo, channel";

    /// Who may see an application (`account` is the SQL parameter holding
    /// the account id): an adult's own application; a child's, to an adult
    /// whose link empowers (a parent the registry lists, a guardian a
    /// supervisor approved), never after they withdraw. A guardian's claim
    /// under review is seen only as a claim (`Children::claims`). Everyone
    /// else gets `None`, as for an id that does not exist.
    pub(crate) fn visible_to(account: &str) -> String {
        format!("id IN ({})", Self::seen_by(account))
    }

    /// The ids of the applications `account` may see ([`Self::visible_to`]),
    /// as a subquery each of whose parts an index answers.
    fn seen_by(account: &str) -> String {
        format!(
            "SELECT o.id FROM applications o WHERE o.kind = 'adult_id' AND o.account_id = {account} \
             UNION SELECT l.application_id FROM child_links l \
             WHERE l.account_id = {account} AND l.status IN {}",
            status::EMPOWERING
        )
    }

    /// Who a phone number may see, by USSD or by text (`index` is the SQL
    /// parameter holding the number's contact blind index): the
    /// applications that give it as their contact (`contact_index`),
    /// whichever account made them, and what the account signed in with
    /// the number may see ([`Self::visible_to`]). Nothing else.
    pub(crate) fn visible_to_number(index: &str) -> String {
        let account = format!("(SELECT c.id FROM accounts c WHERE c.contact_index = {index})");
        format!(
            "id IN (SELECT n.id FROM applications n WHERE n.contact_index = {index} UNION {})",
            Self::seen_by(&account)
        )
    }

    /// The application, if this account may see it (`visible_to`).
    pub async fn load(&self, account: &str, id: &str) -> anyhow::Result<Option<Stored>> {
        self.load_visible(&Self::visible_to("$2"), account, id)
            .await
    }

    /// The application, if the number whose contact blind index is
    /// `index` may see it ([`Self::visible_to_number`]).
    pub async fn load_for_number(&self, index: &str, id: &str) -> anyhow::Result<Option<Stored>> {
        self.load_visible(&Self::visible_to_number("$2"), index, id)
            .await
    }

    /// Every application the number whose contact blind index is `index`
    /// may see ([`Self::visible_to_number`]), each once.
    pub async fn list_for_number(&self, index: &str) -> anyhow::Result<Vec<Stored>> {
        self.list_visible(&Self::visible_to_number("$1"), index)
            .await
    }

    /// The application `id`, if `visible` (a rule of `who`, bound as `$2`)
    /// holds for it.
    async fn load_visible(
        &self,
        visible: &str,
        who: &str,
        id: &str,
    ) -> anyhow::Result<Option<Stored>> {
        let sql = format!(
            "SELECT {} FROM applications WHERE id = $1 AND {visible}",
            Self::COLUMNS
        );
        let row = sqlx::query_as::<_, StoredRow>(&sql)
            .bind(id)
            .bind(who)
            .fetch_optional(self.db)
            .await?;
        row.map(|r| self.decode(r)).transpose()
    }

    /// Every application for which `visible` (a rule of `who`, bound as
    /// `$1`) holds, oldest first.
    async fn list_visible(&self, visible: &str, who: &str) -> anyhow::Result<Vec<Stored>> {
        let sql = format!(
            "SELECT {} FROM applications WHERE {visible} ORDER BY created_at, id",
            Self::COLUMNS
        );
        let rows = sqlx::query_as::<_, StoredRow>(&sql)
            .bind(who)
            .fetch_all(self.db)
            .await?;
        rows.into_iter().map(|r| self.decode(r)).collect()
    }

    /// Where a message about `app` goes, and in which language: the
    /// application's own phone, in the language chosen on it; for a child's
    /// application (which has none), the adult account `acting` for the
    /// child, at the phone or email they sign in with, in `fallback`.
    /// Read on `conn`, the connection the message is queued on.
    async fn recipient(
        &self,
        conn: &mut sqlx::AnyConnection,
        app: &Stored,
        acting: &str,
        fallback: Locale,
    ) -> anyhow::Result<Option<(Recipient, Locale)>> {
        if let Some(contact) = &app.answers.contact {
            let locale = match contact.language {
                app::application::MessageLanguage::En => Locale::en,
                app::application::MessageLanguage::Sw => Locale::sw,
            };
            return Ok(Some((Recipient::Phone(contact.phone.to_string()), locale)));
        }
        if app.kind != ApplicationKind::MinorCard {
            return Ok(None);
        }
        // Only to an adult whose link empowers: never to a claimant.
        let row: Option<(Vec<u8>, String)> = sqlx::query_as(&format!(
            "SELECT contact, contact_kind FROM accounts WHERE id = $1 AND EXISTS (SELECT 1 FROM child_links l \
             WHERE l.application_id = $2 AND l.account_id = $1 AND l.status IN {})",
            status::EMPOWERING
        ))
        .bind(acting)
        .bind(&app.id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((sealed, kind)) = row else {
            return Ok(None);
        };
        let contact = self
            .cipher
            .decrypt_string(&columns::ACCOUNT_CONTACT, acting, &sealed)?
            .to_string();
        Ok(match kind.as_str() {
            "phone" => Some((Recipient::Phone(contact), fallback)),
            "email" => Some((Recipient::Email(contact), fallback)),
            _ => None,
        })
    }

    /// Queues `message` about `app` for its [`Self::recipient`], on `conn`
    /// (so inside the caller's transaction, if it is one). Nothing is sent
    /// where there is nobody to send to.
    pub async fn message(
        &self,
        conn: &mut sqlx::AnyConnection,
        app: &Stored,
        acting: &str,
        fallback: Locale,
        message: &Message,
        now: i64,
    ) -> anyhow::Result<()> {
        if let Some((to, locale)) = self.recipient(conn, app, acting, fallback).await? {
            outbox::enqueue(conn, self.cipher, &to, locale, message, now).await?;
        }
        Ok(())
    }

    /// Any application by id, for staff: the caller has checked their right
    /// to it (a booking at their centre, a review for a supervisor).
    pub async fn load_for_staff(&self, id: &str) -> anyhow::Result<Option<Stored>> {
        let mut conn = self.db.acquire().await?;
        self.load_for_staff_in(&mut conn, id).await
    }

    /// [`Self::load_for_staff`] on the caller's connection: inside a
    /// transaction, it sees that transaction's changes.
    pub async fn load_for_staff_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
    ) -> anyhow::Result<Option<Stored>> {
        let sql = format!("SELECT {} FROM applications WHERE id = $1", Self::COLUMNS);
        let row = sqlx::query_as::<_, StoredRow>(&sql)
            .bind(id)
            .fetch_optional(conn)
            .await?;
        row.map(|r| self.decode(r)).transpose()
    }

    /// Every application this account may see: its own and its children's.
    pub async fn list(&self, account: &str) -> anyhow::Result<Vec<Stored>> {
        self.list_visible(&Self::visible_to("$1"), account).await
    }

    pub async fn create(&self, account: &str, now: i64) -> anyhow::Result<Result<String, Refused>> {
        self.start(account, Channel::Web, &Answers::default(), now)
            .await
    }

    /// The account's latest draft made by `channel`, if there is one (a
    /// USSD pre-registration left part-way is taken up again rather than
    /// another one started).
    pub async fn draft_by(
        &self,
        account: &str,
        channel: Channel,
    ) -> anyhow::Result<Option<Stored>> {
        let sql = format!(
            "SELECT {} FROM applications WHERE account_id = $1 AND kind = 'adult_id' AND channel = $2 \
             AND state = 'draft' ORDER BY created_at DESC, id LIMIT 1",
            Self::COLUMNS
        );
        let row = sqlx::query_as::<_, StoredRow>(&sql)
            .bind(account)
            .bind(channel.code())
            .fetch_optional(self.db)
            .await?;
        row.map(|r| self.decode(r)).transpose()
    }

    /// Starts an adult's application by `channel` with `answers`, within
    /// the account's limit.
    pub async fn start(
        &self,
        account: &str,
        channel: Channel,
        answers: &Answers,
        now: i64,
    ) -> anyhow::Result<Result<String, Refused>> {
        // States only: counting needs no answers decrypted.
        // The account's own applications (children are limited apart).
        let states: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM applications WHERE account_id = $1 AND kind = 'adult_id'",
        )
        .bind(account)
        .fetch_all(self.db)
        .await?;
        let mut held = 0;
        for state in states {
            if ApplicationState::try_from(state)?.is_active() {
                held += 1;
            }
        }
        if held >= MAX_APPLICATIONS_PER_ACCOUNT {
            return Ok(Err(Refused::AccountLimit));
        }
        let id = crate::crypto::random_id();
        let sealed = self.cipher.encrypt(
            &columns::APPLICATION_ANSWERS,
            &id,
            &serde_json::to_vec(answers)?,
        );
        sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, created_at, updated_at, channel, contact_index) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(account)
        .bind(ApplicationKind::AdultId.code())
        .bind(ApplicationState::Draft.code())
        .bind(sealed)
        .bind(now)
        .bind(now)
        .bind(channel.code())
        .bind(contact_index::of(self.cipher, answers))
        .execute(self.db)
        .await?;
        tracing::info!(application = %id, channel = channel.code(), "application started");
        Ok(Ok(id))
    }

    /// Saves the answers of an application that may still be changed, and
    /// with them the blind index of the contact phone they give (cleared
    /// when they give none).
    pub async fn save_answers(
        &self,
        app: &Stored,
        now: i64,
    ) -> anyhow::Result<Result<(), Refused>> {
        let sealed = self.cipher.encrypt(
            &columns::APPLICATION_ANSWERS,
            &app.id,
            &serde_json::to_vec(&app.answers)?,
        );
        let done = sqlx::query(&format!(
            "UPDATE applications SET answers = $1, contact_index = $2, updated_at = $3 \
             WHERE id = $4 AND account_id = $5 AND {EDITABLE}"
        ))
        .bind(sealed)
        .bind(contact_index::of(self.cipher, &app.answers))
        .bind(now)
        .bind(&app.id)
        .bind(&app.account_id)
        .execute(self.db)
        .await?;
        Ok(written(done.rows_affected()))
    }

    pub async fn save_photo(
        &self,
        app: &Stored,
        jpeg: &[u8],
        now: i64,
    ) -> anyhow::Result<Result<(), Refused>> {
        let sealed = self
            .cipher
            .encrypt(&columns::APPLICATION_PHOTO, &app.id, jpeg);
        let done = sqlx::query(&format!(
            "UPDATE applications SET photo = $1, updated_at = $2 \
             WHERE id = $3 AND account_id = $4 AND {EDITABLE}"
        ))
        .bind(sealed)
        .bind(now)
        .bind(&app.id)
        .bind(&app.account_id)
        .execute(self.db)
        .await?;
        Ok(written(done.rows_affected()))
    }

    pub async fn photo(&self, account: &str, id: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT photo FROM applications WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(account)
                .fetch_optional(self.db)
                .await?;
        match sealed.flatten() {
            Some(sealed) => Ok(Some(
                self.cipher
                    .decrypt(&columns::APPLICATION_PHOTO, id, &sealed)?
                    .to_vec(),
            )),
            None => Ok(None),
        }
    }

    /// Whether an application other than `id` holds `birth_cert` (one the
    /// registry verified, or further on: see [`Self::record_outcome`]).
    /// Callers ask it through the registry's tries (`registry::attempts`),
    /// a yes counting as a failed match: it is told whoever asks.
    pub async fn held_by_another(
        &self,
        id: &str,
        birth_cert: &BirthCertificateNumber,
    ) -> anyhow::Result<bool> {
        let index = self
            .cipher
            .blind_index(columns::BIRTH_CERTIFICATE_INDEX, birth_cert.as_ref());
        let other: Option<String> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE active_birth_cert_index = $1 AND id <> $2",
        )
        .bind(&index)
        .bind(id)
        .fetch_optional(self.db)
        .await?;
        Ok(other.is_some())
    }

    /// Submits: records consent, gives a reference, and verifies with the
    /// registry (or leaves the application pending verification). `event`
    /// (the citizen's submission) is recorded in the audit chain in the
    /// transaction that submits it. `channel` is the way it is sent (what
    /// must be complete, and how consent was given); callers go through
    /// `citizen::submission`, which adds the registry's tries and the
    /// message.
    pub async fn submit(
        &self,
        verifications: &PendingVerifications,
        app: &Stored,
        (channel, today): (Channel, CivilDate),
        now: i64,
        event: &Event<'_>,
    ) -> anyhow::Result<Result<Stored, Refused>> {
        if !app.state.is_editable() {
            return Ok(Err(Refused::NotEditable));
        }
        if !app.complete_for(channel) {
            return Ok(Err(Refused::Incomplete));
        }
        let (Some((surname, given_names, date_of_birth)), Some(birth_cert)) =
            (app.answers.applicant(), &app.answers.birth_certificate)
        else {
            return Ok(Err(Refused::Incomplete));
        };
        let birth_index = self
            .cipher
            .blind_index(columns::BIRTH_CERTIFICATE_INDEX, birth_cert.as_ref());
        if self.held_by_another(&app.id, birth_cert).await? {
            return Ok(Err(Refused::Duplicate));
        }

        let reference = match &app.reference {
            Some(r) => r.clone(),
            None => new_reference().to_string(),
        };
        let mut tx = crate::db::begin(self.db).await?;
        let claimed = sqlx::query(
            "UPDATE applications SET state = 'submitted', reference = $1, active_birth_cert_index = NULL, \
             attention = NULL, submitted_at = $2, updated_at = $2 \
             WHERE id = $3 AND account_id = $4 AND state IN ('draft', 'needs_attention')",
        )
        .bind(&reference)
        .bind(now)
        .bind(&app.id)
        .bind(&app.account_id)
        .execute(&mut *tx)
        .await;
        match claimed {
            Ok(done) if done.rows_affected() == 1 => {}
            Ok(_) => return Ok(Err(Refused::NotEditable)),
            // The unique indexes: another application took this birth
            // certificate in the meantime (or, once in billions, the reference).
            Err(error) if refused_by_unique_index(&error) => {
                tracing::info!(application = %app.id, %error, "submission refused by a unique index");
                return Ok(Err(Refused::Duplicate));
            }
            Err(other) => {
                return Err(anyhow::Error::from(other).context("claiming the application"));
            }
        }
        sqlx::query(
            "INSERT INTO consents (id, account_id, application_id, purpose, notice_version, method, given_at) \
             VALUES ($1, $2, $3, 'own_application', $4, $5, $6)",
        )
        .bind(crate::crypto::random_id())
        .bind(&app.account_id)
        .bind(&app.id)
        .bind(NOTICE_VERSION)
        .bind(match channel {
            Channel::Web => "web form: declaration checkbox",
            Channel::Ussd => "ussd: agreed on screen, full notice sent by SMS",
        })
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Audit {
            db: self.db,
            cipher: self.cipher,
        }
        .record_in(&mut tx, event, now)
        .await?;
        tx.commit().await?;

        let applicant = Applicant {
            birth_cert_no: birth_cert.clone(),
            surname: surname.clone(),
            given_names: given_names.clone(),
            date_of_birth,
        };
        let (outcome, pending) = verifications
            .submit(
                &format!("application:{}", app.id),
                &applicant,
                app.kind,
                today,
                now,
            )
            .await?;
        self.record_outcome(&app.id, &birth_index, outcome, pending.as_deref(), now)
            .await?;
        tracing::info!(application = %app.id, ?outcome, "application submitted");
        let stored = self
            .load(&app.account_id, &app.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("vanished"))?;
        Ok(Ok(stored))
    }

    /// Records what the registry said. Only a verified application holds
    /// its birth certificate (`active_birth_cert_index`, unique): one left
    /// needing attention holds nothing, so nobody can keep a certificate
    /// from its owner with made-up names. If another application was
    /// verified for the certificate first, this one needs attention
    /// (`AlreadyApplied`: every detail matched, so that says nothing new).
    async fn record_outcome(
        &self,
        id: &str,
        birth_index: &str,
        outcome: Outcome,
        pending: Option<&str>,
        now: i64,
    ) -> anyhow::Result<()> {
        let (state, attention) = after_verification(outcome);
        let holds = (state == ApplicationState::Verified).then_some(birth_index);
        let recorded = sqlx::query(
            "UPDATE applications SET state = $1, attention = $2, pending_verification_id = $3, updated_at = $4, \
             active_birth_cert_index = $6 WHERE id = $5 AND state IN ('submitted', 'pending_verification')",
        )
        .bind(state.code())
        .bind(attention.map(Attention::code))
        .bind(pending)
        .bind(now)
        .bind(id)
        .bind(holds)
        .execute(self.db)
        .await;
        match recorded {
            Ok(_) => Ok(()),
            Err(error) if refused_by_unique_index(&error) => {
                tracing::info!(application = %id, "verified, but the certificate is held by another application");
                sqlx::query(
                    "UPDATE applications SET state = 'needs_attention', attention = $1, pending_verification_id = $2, \
                     updated_at = $3 WHERE id = $4 AND state IN ('submitted', 'pending_verification')",
                )
                .bind(Attention::AlreadyApplied.code())
                .bind(pending)
                .bind(now)
                .bind(id)
                .execute(self.db)
                .await?;
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// An application waiting for the registry takes the outcome the retry
    /// job found, if there is one by now.
    pub async fn refresh(
        &self,
        verifications: &PendingVerifications,
        app: Stored,
        now: i64,
    ) -> anyhow::Result<Stored> {
        let (ApplicationState::PendingVerification, Some(pending)) =
            (app.state, &app.pending_verification_id)
        else {
            return Ok(app);
        };
        match verifications.status(pending).await? {
            Some(Status::Done(outcome)) => {
                let birth_cert = app.answers.birth_certificate.as_ref().ok_or_else(|| {
                    anyhow::anyhow!("a submitted application without a certificate")
                })?;
                let birth_index = self
                    .cipher
                    .blind_index(columns::BIRTH_CERTIFICATE_INDEX, birth_cert.as_ref());
                self.record_outcome(&app.id, &birth_index, outcome, Some(pending), now)
                    .await?;
                Ok(self.load(&app.account_id, &app.id).await?.unwrap_or(app))
            }
            _ => Ok(app),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(state: ApplicationState, reference: Option<&str>) -> Stored {
        Stored {
            id: "a".into(),
            account_id: "acc".into(),
            kind: ApplicationKind::AdultId,
            state,
            answers: Answers::default(),
            has_photo: false,
            reference: reference.map(str::to_string),
            attention: None,
            pending_verification_id: None,
            channel: Channel::Web,
        }
    }

    #[test]
    fn the_submission_message_follows_the_state_it_left() {
        let reference = || "KE-TEST".to_string();
        assert!(matches!(
            submission_message(&stored(ApplicationState::Verified, Some("KE-TEST"))),
            Some(Message::ApplicationVerified { reference: r }) if r == reference()
        ));
        assert!(matches!(
            submission_message(&stored(ApplicationState::NeedsAttention, Some("KE-TEST"))),
            Some(Message::ApplicationNeedsAttention { reference: r }) if r == reference()
        ));
        assert!(matches!(
            submission_message(&stored(ApplicationState::PendingVerification, Some("KE-TEST"))),
            Some(Message::ApplicationSubmitted { reference: r }) if r == reference()
        ));
        assert!(submission_message(&stored(ApplicationState::Verified, None)).is_none());
    }

    #[tokio::test]
    async fn only_a_unique_index_is_a_duplicate() {
        let db = crate::db::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("CREATE TABLE t (k TEXT NOT NULL UNIQUE)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t (k) VALUES ('one')")
            .execute(&db)
            .await
            .unwrap();
        let twice = sqlx::query("INSERT INTO t (k) VALUES ('one')")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(refused_by_unique_index(&twice));
        let null = sqlx::query("INSERT INTO t (k) VALUES (NULL)")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(
            !refused_by_unique_index(&null),
            "a NOT NULL violation is no duplicate"
        );
        let missing = sqlx::query("UPDATE nowhere SET k = 'x'")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(!refused_by_unique_index(&missing));
    }
}
