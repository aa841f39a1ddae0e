//! The steps at the counter: which step may be recorded on a visit now
//! (`next_steps`, the one rule the page draws and the server enforces:
//! today's bookings only), and recording one as a conditional update of
//! the booking and the application (`Desk::advance`); the job that marks
//! unseen bookings as no-shows.

use super::{Desk, Found};
use app::dates::CivilDate;
use app::identifiers::FieldError;
use app::pages::staff::{VisitKind, VisitStatus};
use sqlx::{AnyConnection, AnyPool, Connection};

/// Minutes after the slot's start before an unseen booking is a no-show.
pub const NO_SHOW_AFTER_SECS: i64 = 30 * 60;

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

/// The steps that may be recorded on a visit now: the one rule the record
/// page draws its buttons from and [`refusal`] enforces. Nothing is
/// recorded on a booking for another day than `today` (a no-show only
/// once its slot has begun; earlier days' are marked by the job).
pub fn next_steps(found: &Found, today: CivilDate, now: i64) -> Vec<Step> {
    if found.day != today {
        return Vec::new();
    }
    match (found.visit.status, found.visit.kind) {
        (VisitStatus::Booked, _) => {
            let mut steps = vec![Step::CheckIn];
            if now >= found.starts_at {
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

/// Why `step` may not be recorded on this visit now (by [`next_steps`]),
/// if it may not: another day's booking, or a step out of turn.
pub fn refusal(found: &Found, step: Step, today: CivilDate, now: i64) -> Option<FieldError> {
    if next_steps(found, today, now).contains(&step) {
        None
    } else if found.day != today {
        Some(FieldError::CheckInWrongDay)
    } else {
        Some(FieldError::ActionRefused)
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

impl Desk<'_> {
    /// Records `step` on the booking if it is where the step starts from,
    /// on the caller's connection `conn`: a savepoint inside the caller's
    /// transaction (which then records the step's audit event and message
    /// and commits once), or a transaction of its own on a bare connection.
    /// `Ok(false)`: refused (not among [`next_steps`] now, wrong kind,
    /// wrong status, or the application is not in the state the step
    /// needs), nothing changed.
    pub async fn advance(
        &self,
        conn: &mut AnyConnection,
        found: &Found,
        step: Step,
        now: i64,
    ) -> anyhow::Result<bool> {
        let (kind, from, to, stamp, application) = step.rule();
        if kind.is_some_and(|kind| kind != found.visit.kind)
            || refusal(found, step, CivilDate::in_nairobi_at(now), now).is_some()
        {
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
        let mut tx = crate::db::begin(db).await?;
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
