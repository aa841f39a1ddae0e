//! The counter's work, for one centre: a booking's record as the counter
//! reads it (found by id through the member's centre, or by reference),
//! the collector's ID, the photo and the notes. The day's list is in
//! `day_list`; the steps and what may be recorded when, in `steps`. Every
//! step is one conditional update of the booking (and the application)
//! from the status it must be in, so a double click, two officers at once
//! or a guessed step change nothing; everything else is refused.

mod day_list;
mod steps;

pub use day_list::{counts, matches_search};
pub use steps::{NO_SHOW_AFTER_SECS, Step, check_in_problem, mark_no_shows, next_steps, refusal};

use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::registry::verification::ApplicationKind;
use app::application::{Answers, ApplicationState, Channel};
use app::dates::CivilDate;
use app::identifiers::ApplicationReference;
use app::pages::staff::{Visit, VisitKind, VisitStatus};
use sqlx::AnyPool;

pub const MAX_NOTE_CHARS: usize = 500;

/// A booking with what the counter needs to know about it.
#[derive(Clone, Debug)]
pub struct Found {
    pub visit: Visit,
    pub application_id: String,
    pub centre_id: String,
    pub day: CivilDate,
    pub starts_at: i64,
    pub answers: Answers,
    pub application_state: ApplicationState,
    pub is_child: bool,
    pub has_photo: bool,
    /// A USSD pre-registration without a photo: it is taken at the counter.
    pub photo_at_counter: bool,
}

pub struct Desk<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

const SELECT: &str = "SELECT b.id, b.application_id, b.kind, b.centre_id, b.day, b.starts_at, b.status, \
     a.reference, a.state, a.kind AS application_kind, a.answers, CASE WHEN a.photo IS NULL THEN 0 ELSE 1 END AS has_photo, a.channel \
     FROM bookings b JOIN applications a ON a.id = b.application_id";

#[derive(sqlx::FromRow)]
struct FoundRow {
    id: String,
    application_id: String,
    #[sqlx(try_from = "String")]
    kind: VisitKind,
    centre_id: String,
    day: String,
    starts_at: i64,
    #[sqlx(try_from = "String")]
    status: VisitStatus,
    reference: Option<String>,
    #[sqlx(try_from = "String")]
    state: ApplicationState,
    #[sqlx(try_from = "String")]
    application_kind: ApplicationKind,
    /// Sealed (`applications.answers`).
    answers: Vec<u8>,
    has_photo: i64,
    #[sqlx(try_from = "String")]
    channel: Channel,
}

impl Desk<'_> {
    fn decode(&self, row: FoundRow) -> anyhow::Result<Found> {
        let answers: Answers = serde_json::from_slice(&self.cipher.decrypt(
            &columns::APPLICATION_ANSWERS,
            &row.application_id,
            &row.answers,
        )?)?;
        let name = answers
            .applicant()
            .map(|(surname, given_names, _)| format!("{given_names} {surname}"))
            .unwrap_or_default();
        let phone = answers.contact.as_ref().map(|c| c.phone.to_string());
        Ok(Found {
            visit: Visit {
                booking_id: row.id,
                reference: row.reference.unwrap_or_default(),
                kind: row.kind,
                status: row.status,
                minute: CivilDate::nairobi_minute_at(row.starts_at),
                name,
                phone,
            },
            application_id: row.application_id,
            centre_id: row.centre_id,
            day: row
                .day
                .parse()
                .map_err(|_| anyhow::anyhow!("a stored day is not a date"))?,
            starts_at: row.starts_at,
            application_state: row.state,
            is_child: row.application_kind == ApplicationKind::MinorCard,
            has_photo: row.has_photo != 0,
            photo_at_counter: row.channel == Channel::Ussd && row.has_photo == 0,
            answers,
        })
    }

    /// A booking by id, only if it is at `centre` (`None` for an
    /// administrator: any centre). Anything else is `None`, as for an id
    /// that does not exist.
    pub async fn find(&self, booking: &str, centre: Option<&str>) -> anyhow::Result<Option<Found>> {
        let row = sqlx::query_as::<_, FoundRow>(&format!("{SELECT} WHERE b.id = $1"))
            .bind(booking)
            .fetch_optional(self.db)
            .await?;
        let Some(found) = row.map(|row| self.decode(row)).transpose()? else {
            return Ok(None);
        };
        Ok(centre
            .is_none_or(|centre| centre == found.centre_id)
            .then_some(found))
    }

    /// The booking a reference points to: the live one, else the latest.
    pub async fn by_reference(
        &self,
        reference: &ApplicationReference,
    ) -> anyhow::Result<Option<Found>> {
        let row = sqlx::query_as::<_, FoundRow>(&format!(
            "{SELECT} WHERE a.reference = $1 AND b.status <> 'moved' ORDER BY b.live DESC, b.created_at DESC LIMIT 1"
        ))
        .bind(reference.to_string())
        .fetch_optional(self.db)
        .await?;
        row.map(|row| self.decode(row)).transpose()
    }

    /// Whether `typed` identifies who may collect this card: for an adult,
    /// their birth certificate or the ID number the registry now lists for
    /// it; for a child, the proven ID of a parent, or of a guardian a
    /// supervisor approved, who consented.
    pub async fn collector_matches(&self, found: &Found, typed: &str) -> anyhow::Result<bool> {
        let typed: String = typed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        if typed.is_empty() {
            return Ok(false);
        }
        if found.is_child {
            let index = self.cipher.blind_index(columns::NATIONAL_ID_INDEX, &typed);
            // A proven parent or an approved guardian, who consented: never
            // a claim under review.
            let linked: Option<String> = sqlx::query_scalar(&format!(
                "SELECT l.account_id FROM child_links l JOIN account_identities i ON i.account_id = l.account_id \
                 WHERE l.application_id = $1 AND i.id_number_index = $2 AND l.consented = 1 AND l.status IN {}",
                crate::citizen::children::status::EMPOWERING
            ))
            .bind(&found.application_id)
            .bind(&index)
            .fetch_optional(self.db)
            .await?;
            return Ok(linked.is_some());
        }
        let Some(certificate) = found
            .answers
            .birth_certificate
            .as_ref()
            .map(|b| b.to_string())
        else {
            return Ok(false);
        };
        let certificate: String = certificate
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        if certificate == typed {
            return Ok(true);
        }
        let registered: Option<String> = sqlx::query_scalar(
            "SELECT id_no FROM registry_persons WHERE birth_cert_no = $1 AND id_no = $2",
        )
        .bind(
            found
                .answers
                .birth_certificate
                .as_ref()
                .map(|b| b.to_string()),
        )
        .bind(&typed)
        .fetch_optional(self.db)
        .await?;
        Ok(registered.is_some())
    }

    /// The application's photo, for the face check.
    pub async fn photo(&self, found: &Found) -> anyhow::Result<Option<Vec<u8>>> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT photo FROM applications WHERE id = $1")
                .bind(&found.application_id)
                .fetch_optional(self.db)
                .await?
                .flatten();
        Ok(sealed
            .map(|sealed| {
                self.cipher
                    .decrypt(&columns::APPLICATION_PHOTO, &found.application_id, &sealed)
            })
            .transpose()?
            .map(|p| p.to_vec()))
    }

    /// Adds a note (encrypted) to a booking, on the caller's connection
    /// `conn` (the transaction that also records its audit event).
    pub async fn add_note(
        &self,
        conn: &mut sqlx::AnyConnection,
        booking: &str,
        staff: &str,
        note: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let id = crate::crypto::random_id();
        sqlx::query("INSERT INTO booking_notes (id, booking_id, staff_id, note, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(booking)
            .bind(staff)
            .bind(self.cipher.encrypt_str(&columns::BOOKING_NOTE, &id, note))
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The booking's notes, oldest first: (who, when, text).
    pub async fn notes(&self, booking: &str) -> anyhow::Result<Vec<(String, i64, String)>> {
        let rows: Vec<(String, String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT n.id, s.email, n.created_at, n.note FROM booking_notes n JOIN staff_accounts s ON s.id = n.staff_id \
             WHERE n.booking_id = $1 ORDER BY n.created_at, n.id",
        )
        .bind(booking)
        .fetch_all(self.db)
        .await?;
        rows.into_iter()
            .map(|(id, email, created_at, sealed)| {
                Ok((
                    email,
                    created_at,
                    self.cipher
                        .decrypt_string(&columns::BOOKING_NOTE, &id, &sealed)?
                        .to_string(),
                ))
            })
            .collect()
    }
}
