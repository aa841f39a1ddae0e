//! The counter's work, for one centre: the day's visits, check-in by
//! reference, and each step of an enrolment or a collection. Every step is
//! one conditional update of the booking (and the application) from the
//! status it must be in, so a double click, two officers at once or a
//! guessed step change nothing; everything else is refused.

use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::registry::verification::ApplicationKind;
use app::application::{Answers, ApplicationState};
use app::dates::CivilDate;
use app::identifiers::{ApplicationReference, FieldError};
use app::pages::staff::{DayCounts, Visit, VisitKind, VisitStatus};
use sqlx::{AnyConnection, AnyPool, Connection};

/// Minutes after the slot's start before an unseen booking is a no-show.
pub const NO_SHOW_AFTER_SECS: i64 = 30 * 60;
pub const MAX_NOTE_CHARS: usize = 500;

app::coded_enum! {
    /// A step at the counter. Its code names it in the audit trail
    /// (`booking.<code>`); its slug in the page's address.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Step {
        CheckIn => "check_in",
        DocumentsVerified => "documents_verified",
        BiometricsCaptured => "biometrics_captured",
        IdentityConfirmed => "identity_confirmed",
        HandedOver => "handed_over",
        NoShow => "no_show",
    }
}

impl Step {
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == slug)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Step::CheckIn => "check-in",
            Step::DocumentsVerified => "documents-verified",
            Step::BiometricsCaptured => "biometrics-captured",
            Step::IdentityConfirmed => "identity-confirmed",
            Step::HandedOver => "handed-over",
            Step::NoShow => "no-show",
        }
    }

    fn rule(self) -> Rule {
        use VisitStatus::*;
        match self {
            Step::CheckIn => (None, Booked, CheckedIn, Some("checked_in_at"), None),
            Step::DocumentsVerified => (
                Some(VisitKind::Enrolment),
                CheckedIn,
                DocumentsVerified,
                Some("documents_verified_at"),
                None,
            ),
            Step::BiometricsCaptured => (
                Some(VisitKind::Enrolment),
                DocumentsVerified,
                BiometricsCaptured,
                Some("biometrics_captured_at"),
                Some(("checked_in", "biometrics_captured")),
            ),
            Step::IdentityConfirmed => (
                Some(VisitKind::Collection),
                CheckedIn,
                IdentityConfirmed,
                Some("identity_confirmed_at"),
                None,
            ),
            Step::HandedOver => (
                Some(VisitKind::Collection),
                IdentityConfirmed,
                HandedOver,
                Some("handed_over_at"),
                Some(("card_ready", "collected")),
            ),
            Step::NoShow => (None, Booked, NoShow, None, None),
        }
    }
}

/// What a step needs and changes: (kind it applies to or None for both,
/// booking status before, after, the timestamp column it sets, application
/// state before and after).
type Rule = (
    Option<VisitKind>,
    VisitStatus,
    VisitStatus,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
);

/// The steps that may be recorded on a visit now.
pub fn next_steps(found: &Found, today: CivilDate, now: i64) -> Vec<Step> {
    match (found.visit.status, found.visit.kind) {
        (VisitStatus::Booked, _) => {
            let mut steps = Vec::new();
            if found.day == today {
                steps.push(Step::CheckIn);
            }
            if found.day < today || (found.day == today && now >= found.starts_at) {
                steps.push(Step::NoShow);
            }
            steps
        }
        (VisitStatus::CheckedIn, VisitKind::Enrolment) => vec![Step::DocumentsVerified],
        (VisitStatus::DocumentsVerified, _) => vec![Step::BiometricsCaptured],
        (VisitStatus::CheckedIn, VisitKind::Collection) => vec![Step::IdentityConfirmed],
        (VisitStatus::IdentityConfirmed, _) => vec![Step::HandedOver],
        _ => Vec::new(),
    }
}

/// Why check-in by reference found nothing to check in.
pub fn check_in_problem(found: &Found, centre: &str, today: CivilDate) -> Option<FieldError> {
    if found.centre_id != centre {
        return Some(FieldError::CheckInWrongCentre);
    }
    match found.visit.status {
        VisitStatus::Cancelled | VisitStatus::Moved => return Some(FieldError::CheckInCancelled),
        VisitStatus::NoShow => return Some(FieldError::CheckInNoShow),
        _ => {}
    }
    (found.day != today).then_some(FieldError::CheckInWrongDay)
}

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
}

pub struct Desk<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

const SELECT: &str = "SELECT b.id, b.application_id, b.kind, b.centre_id, b.day, b.starts_at, b.status, \
     a.reference, a.state, a.kind AS application_kind, a.answers, CASE WHEN a.photo IS NULL THEN 0 ELSE 1 END AS has_photo \
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
}

impl Desk<'_> {
    fn decode(&self, row: FoundRow) -> anyhow::Result<Found> {
        let answers: Answers = serde_json::from_slice(&self.cipher.decrypt(
            &columns::APPLICATION_ANSWERS,
            &row.application_id,
            &row.answers,
        )?)?;
        let name = answers
            .about_you
            .as_ref()
            .map(|a| format!("{} {}", a.given_names, a.surname))
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
            answers,
        })
    }

    /// The centre's visits on `day`, by time (moved bookings are left out:
    /// their successor is listed where it now is).
    pub async fn day(&self, centre: &str, day: CivilDate) -> anyhow::Result<Vec<Visit>> {
        let rows = sqlx::query_as::<_, FoundRow>(&format!(
            "{SELECT} WHERE b.centre_id = $1 AND b.day = $2 AND b.status <> 'moved' ORDER BY b.starts_at, a.reference"
        ))
        .bind(centre)
        .bind(day.to_string())
        .fetch_all(self.db)
        .await?;
        rows.into_iter()
            .map(|row| self.decode(row).map(|found| found.visit))
            .collect()
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

    /// Records `step` on the booking if it is where the step starts from,
    /// on the caller's connection `conn`: a savepoint inside the caller's
    /// transaction (which then records the step's audit event and message
    /// and commits once), or a transaction of its own on a bare connection.
    /// `Ok(false)`: refused (wrong kind, wrong status, or the application
    /// is not in the state the step needs), nothing changed.
    pub async fn advance(
        &self,
        conn: &mut AnyConnection,
        found: &Found,
        step: Step,
        now: i64,
    ) -> anyhow::Result<bool> {
        let (kind, from, to, stamp, application) = step.rule();
        if kind.is_some_and(|kind| kind != found.visit.kind) {
            return Ok(false);
        }
        let finished = matches!(
            to,
            VisitStatus::BiometricsCaptured | VisitStatus::HandedOver | VisitStatus::NoShow
        );
        let mut tx = conn.begin().await?;
        let stamp = stamp
            .map(|column| format!(", {column} = $4"))
            .unwrap_or_default();
        let live = if finished {
            ", live = 0, ended_at = $4"
        } else {
            ""
        };
        let moved = sqlx::query(&format!(
            "UPDATE bookings SET status = $2{stamp}{live} WHERE id = $1 AND status = $3 AND live = 1"
        ))
        .bind(&found.visit.booking_id)
        .bind(to.code())
        .bind(from.code())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let application = match (step, found.visit.kind) {
            // Checking in for enrolment moves the application on; a
            // no-show sends it back to be booked again.
            (Step::CheckIn, VisitKind::Enrolment) => Some(("booked", "checked_in")),
            (Step::NoShow, VisitKind::Enrolment) => Some(("booked", "verified")),
            _ => application,
        };
        if let Some((before, after)) = application {
            let changed = sqlx::query(
                "UPDATE applications SET state = $2, updated_at = $4 WHERE id = $1 AND state = $3",
            )
            .bind(&found.application_id)
            .bind(after)
            .bind(before)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
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

    pub async fn add_note(
        &self,
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
            .execute(self.db)
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

/// The counts at the top of the day's list.
pub fn counts(visits: &[Visit]) -> DayCounts {
    let mut counts = DayCounts::default();
    for visit in visits {
        match visit.status {
            VisitStatus::Cancelled | VisitStatus::Moved => continue,
            VisitStatus::NoShow => counts.no_show += 1,
            VisitStatus::BiometricsCaptured | VisitStatus::HandedOver => counts.done += 1,
            VisitStatus::Booked => {}
            VisitStatus::CheckedIn
            | VisitStatus::DocumentsVerified
            | VisitStatus::IdentityConfirmed => counts.checked_in += 1,
        }
        counts.expected += 1;
    }
    counts
}

/// Whether a visit matches the list's search: a reference, a phone number
/// (any way it is written) or part of a name.
pub fn matches_search(visit: &Visit, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return true;
    }
    if let Ok(reference) = ApplicationReference::parse(query) {
        return visit.reference == reference.to_string();
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 4 && digits.len() * 2 >= query.chars().filter(|c| !c.is_whitespace()).count()
    {
        let digits = digits
            .trim_start_matches('0')
            .trim_start_matches("254")
            .to_string();
        return visit.phone.as_deref().is_some_and(|phone| {
            phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .ends_with(&digits)
        });
    }
    let needle = query.to_lowercase();
    visit.name.to_lowercase().contains(&needle) || visit.reference.to_lowercase().contains(&needle)
}

/// Marks every booking whose slot began more than 30 minutes before `now`
/// and that nobody checked in as a no-show: the seat is released and an
/// enrolment application goes back to be booked again. Returns how many.
pub async fn mark_no_shows(db: &AnyPool, now: i64) -> anyhow::Result<Vec<(String, String)>> {
    let due: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, application_id, kind FROM bookings WHERE status = 'booked' AND live = 1 AND starts_at <= $1",
    )
    .bind(now - NO_SHOW_AFTER_SECS)
    .fetch_all(db)
    .await?;
    let mut marked = Vec::new();
    for (id, application, kind) in due {
        let mut tx = db.begin().await?;
        let changed = sqlx::query("UPDATE bookings SET status = 'no_show', live = 0, ended_at = $2 WHERE id = $1 AND status = 'booked' AND live = 1")
            .bind(&id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 && kind == "enrolment" {
            sqlx::query("UPDATE applications SET state = 'verified', updated_at = $2 WHERE id = $1 AND state = 'booked'")
                .bind(&application)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if changed == 1 {
            marked.push((id, application));
        }
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(status: VisitStatus) -> Visit {
        Visit {
            booking_id: "b".into(),
            reference: "HN-ABCD-EFG2".into(),
            kind: VisitKind::Enrolment,
            status,
            minute: 600,
            name: "Wanjiru Achieng Otieno".into(),
            phone: Some("+254712345678".into()),
        }
    }

    #[test]
    fn counts_leave_out_cancelled_bookings() {
        use VisitStatus::*;
        let visits: Vec<Visit> = [
            Booked,
            CheckedIn,
            DocumentsVerified,
            BiometricsCaptured,
            HandedOver,
            NoShow,
            Cancelled,
        ]
        .into_iter()
        .map(visit)
        .collect();
        assert_eq!(
            counts(&visits),
            DayCounts {
                expected: 6,
                checked_in: 2,
                done: 2,
                no_show: 1
            }
        );
    }

    #[test]
    fn search_finds_names_and_phones_however_written() {
        let v = visit(VisitStatus::Booked);
        assert!(matches_search(&v, "achieng"));
        assert!(matches_search(&v, "0712 345 678"));
        assert!(matches_search(&v, "+254712345678"));
        assert!(matches_search(&v, "5678"));
        assert!(!matches_search(&v, "0799 000 111"));
        assert!(!matches_search(&v, "kamau"));
        assert!(matches_search(&v, ""));
    }
}
