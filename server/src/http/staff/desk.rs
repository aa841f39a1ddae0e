//! The day's list, check-in by reference, a person's record and each step
//! recorded on it. Records are looked up through the member's centre, so a
//! booking elsewhere is a 404 for an officer or supervisor; a step is
//! accepted only when the record page would offer it (`desk::next_steps`:
//! today's bookings, each step in its turn). Viewing the list, a record or
//! a photo is audited.

use super::{Staff, audit, audit_in, bar, staff_event};
use crate::citizen::applications::Stored;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageError, PageForm, PageResult, render, see_other, today};
use crate::messages::Message;
use crate::staff::StaffMember;
use crate::staff::desk::{
    Desk, Found, MAX_NOTE_CHARS, Step, check_in_problem, counts, matches_search, next_steps,
    refusal,
};
use anyhow::Context;
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form};
use app::i18n::Locale;
use app::identifiers::{ApplicationReference, FieldError};
use app::pages::staff::{NoteLine, RecordView, TodayView, VisitStatus};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::AnyConnection;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(today_page))
        .route("/staff/check-in", post(check_in))
        .route("/staff/bookings/{id}", get(record_page))
        .route("/staff/bookings/{id}/photo.jpg", get(photo))
        .route("/staff/bookings/{id}/note", post(add_note))
        .route("/staff/bookings/{id}/{step}", post(record_step))
}

fn desk(state: &AppState) -> Desk<'_> {
    Desk {
        db: &state.db,
        cipher: &state.cipher,
    }
}

/// The centre whose records this member may open (`None`: any, an administrator).
fn scope(member: &StaffMember) -> Option<&str> {
    member.centre_id.as_deref()
}

#[derive(Deserialize, Default)]
struct DayQuery {
    day: Option<String>,
    status: Option<String>,
    q: Option<String>,
    centre: Option<String>,
}

/// The day's list (audited as viewed: the member, the centre and the day,
/// never a name or the search).
async fn today_view(
    state: &AppState,
    member: &StaffMember,
    client: &ClientAddr,
    query: DayQuery,
    check_in: Form,
    now: i64,
) -> PageResult<TodayView> {
    // No-shows are marked by `mark_no_shows_forever`, once a minute; the
    // list (refreshed every 30 s by every open console) only reads.
    let (centre_id, choices) = match &member.centre_id {
        Some(centre) => (centre.clone(), Vec::new()),
        None => {
            let all: Vec<(String, String)> = state
                .centres()
                .search(None, "")
                .await
                .context("listing centres")?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let chosen = query
                .centre
                .filter(|c| all.iter().any(|(id, _)| id == c))
                .or_else(|| all.first().map(|(id, _)| id.clone()));
            (chosen.unwrap_or_default(), all)
        }
    };
    let today = today(now);
    let day = query
        .day
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or(today);
    let all = desk(state)
        .day(&centre_id, day)
        .await
        .context("loading the day's visits")?;
    let centre = Some(centre_id.as_str());
    let detail = Some(day.to_string());
    audit(state, member, "visits.view", None, centre, client, detail).await?;
    let status = query.status.unwrap_or_default();
    let q: String = query
        .q
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    let visits = all
        .iter()
        .filter(|v| {
            if status.is_empty() {
                v.status.group() != "cancelled"
            } else {
                v.status.group() == status
            }
        })
        .filter(|v| matches_search(v, &q))
        .cloned()
        .collect();
    Ok(TodayView {
        bar: bar(state, member).await?,
        centre_id,
        centres: choices,
        day,
        is_today: day == today,
        counts: counts(&all),
        visits,
        status,
        query: q,
        check_in,
    })
}

async fn today_page(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    Query(query): Query<DayQuery>,
) -> PageResult {
    let view = today_view(&state, &member, &client, query, Form::default(), now).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// Checks in the person with this reference, if they may be: where to go
/// next (their record), or why not.
async fn checked_in(
    state: &AppState,
    member: &StaffMember,
    client: &ClientAddr,
    reference: &str,
    now: i64,
) -> PageResult<Result<String, FieldError>> {
    let reference = match ApplicationReference::parse(reference) {
        Ok(reference) => reference,
        Err(error) => return Ok(Err(error)),
    };
    let Some(found) = desk(state)
        .by_reference(&reference)
        .await
        .context("looking up a reference")?
    else {
        return Ok(Err(FieldError::CheckInUnknown));
    };
    let centre = member
        .centre_id
        .clone()
        .unwrap_or_else(|| found.centre_id.clone());
    if let Some(problem) = check_in_problem(&found, &centre, today(now)) {
        return Ok(Err(problem));
    }
    let id = found.visit.booking_id.clone();
    if found.visit.status != VisitStatus::Booked {
        return Ok(Ok(format!("/staff/bookings/{id}")));
    }
    if !recorded(state, member, client, &found, Step::CheckIn, now).await? {
        return Ok(Ok(format!("/staff/bookings/{id}")));
    }
    Ok(Ok(format!("/staff/bookings/{id}?recorded=check-in")))
}

/// Records `step` on the booking with its audit event and, for a card
/// handed over, its owner's message: one transaction. `false`: refused,
/// nothing changed.
async fn recorded(
    state: &AppState,
    member: &StaffMember,
    client: &ClientAddr,
    found: &Found,
    step: Step,
    now: i64,
) -> PageResult<bool> {
    // Whom to tell of a card handed over, read before the transaction.
    let owner = if step == Step::HandedOver {
        state
            .applications()
            .load_for_staff(&found.application_id)
            .await
            .context("loading the collected card's application")?
    } else {
        None
    };
    let mut tx = state.begin().await?;
    let advanced = desk(state)
        .advance(&mut tx, found, step, now)
        .await
        .context("recording a step")?;
    if !advanced {
        return Ok(false);
    }
    let action = format!("booking.{}", step.code());
    let centre = Some(found.centre_id.as_str());
    let event = staff_event(member, &action, client, centre).on("booking", &found.visit.booking_id);
    audit_in(state, &mut tx, &event).await?;
    if let Some(owner) = &owner {
        // The card is out: tell its owner, so a card collected by someone
        // else does not go unnoticed.
        tell_collected(state, &mut tx, owner, now).await?;
    }
    tx.commit().await.context("committing a step")?;
    Ok(true)
}

async fn check_in(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Now(now): Now,
    mut head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&["reference"])?;
    let problem = match checked_in(&state, &member, &client, form.value("reference"), now).await? {
        Ok(record) => return Ok(see_other(&record)),
        Err(problem) => problem,
    };
    form.errors.push(FieldIssue::new("reference", problem));
    head.set_path("/staff");
    let view = today_view(&state, &member, &client, DayQuery::default(), form, now).await?;
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}

#[derive(Deserialize)]
struct RecordQuery {
    recorded: Option<String>,
}

/// The record the path names, through the member's centre: another
/// centre's booking is the 404 page.
async fn found(state: &AppState, member: &StaffMember, id: &str) -> PageResult<Found> {
    desk(state)
        .find(id, scope(member))
        .await
        .context("loading a booking's record")?
        .ok_or(PageError::NotFound)
}

async fn record_view(
    state: &AppState,
    member: &StaffMember,
    found: Found,
    form: Form,
    recorded: Option<String>,
    now: i64,
) -> PageResult<RecordView> {
    let notes = desk(state)
        .notes(&found.visit.booking_id)
        .await
        .context("loading a record's notes")?
        .into_iter()
        .map(|(by, at, text)| NoteLine {
            by,
            at: app::calendar::appointment_label(
                today(at),
                CivilDate::nairobi_minute_at(at),
                Locale::en,
            ),
            text,
        })
        .collect();
    let centre_name = state
        .centres()
        .get(&found.centre_id)
        .await
        .context("loading the record's centre")?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(RecordView {
        bar: bar(state, member).await?,
        steps: next_steps(&found, today(now), now)
            .into_iter()
            .map(Step::slug)
            .collect(),
        date_of_birth: found.answers.applicant().map(|(_, _, born)| born),
        visit: found.visit,
        day: found.day,
        centre_name,
        is_child: found.is_child,
        has_photo: found.has_photo,
        photo_at_counter: found.photo_at_counter,
        notes,
        form,
        recorded: recorded.filter(|r| Step::from_slug(r).is_some()),
    })
}

async fn record_page(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Path(id): Path<String>,
    Query(query): Query<RecordQuery>,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let found = found(&state, &member, &id).await?;
    let record = Some(("booking", id.as_str()));
    let centre = Some(found.centre_id.as_str());
    audit(
        &state,
        &member,
        "record.open",
        record,
        centre,
        &client,
        None,
    )
    .await?;
    let view = record_view(&state, &member, found, Form::default(), query.recorded, now).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// The applicant's photo, for the face check; each view is audited (the
/// booking and its centre) before the photo is sent.
async fn photo(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Path(id): Path<String>,
) -> PageResult {
    let found = found(&state, &member, &id).await?;
    let jpeg = desk(&state)
        .photo(&found)
        .await
        .context("loading a record's photo")?
        .ok_or(PageError::NotFound)?;
    let record = Some(("booking", id.as_str()));
    let centre = Some(found.centre_id.as_str());
    audit(&state, &member, "photo.view", record, centre, &client, None).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

/// The record again, with the problem (409 for a step refused, 422 for a
/// field).
async fn refused(
    state: &AppState,
    member: &StaffMember,
    mut head: Head,
    id: &str,
    (field, error): (&'static str, FieldError),
    mut form: Form,
    now: i64,
) -> PageResult {
    let found = found(state, member, id).await?;
    form.errors.push(FieldIssue::new(field, error));
    head.set_path(&format!("/staff/bookings/{id}"));
    let view = record_view(state, member, found, form, None, now).await?;
    let status = if field == "step" {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(state, head, status, view).await)
}

async fn record_step(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Path((id, slug)): Path<(String, String)>,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let step = Step::from_slug(&slug);
    let found = found(&state, &member, &id).await?;
    let step = step.ok_or(PageError::NotFound)?;
    let form = body.read(&["collector-id"])?;
    let record = Some(("booking", id.as_str()));
    let centre = Some(found.centre_id.as_str());
    // The rule that drew the record's buttons: today's bookings only, each
    // step in its turn.
    if let Some(problem) = refusal(&found, step, today(now), now) {
        let problem = ("step", problem);
        return refused(&state, &member, head, &id, problem, Form::default(), now).await;
    }
    if step == Step::IdentityConfirmed
        && !desk(&state)
            .collector_matches(&found, form.value("collector-id"))
            .await
            .context("checking the collector's ID")?
    {
        let error = if form.value("collector-id").trim().is_empty() {
            FieldError::NationalIdMissing
        } else {
            FieldError::CollectorIdWrong
        };
        let action = "booking.identity_mismatch";
        audit(&state, &member, action, record, centre, &client, None).await?;
        let problem = ("collector-id", error);
        return refused(&state, &member, head, &id, problem, Form::default(), now).await;
    }
    if !recorded(&state, &member, &client, &found, step, now).await? {
        let problem = ("step", FieldError::ActionRefused);
        return refused(&state, &member, head, &id, problem, Form::default(), now).await;
    }
    Ok(see_other(&format!("/staff/bookings/{id}?recorded={slug}")))
}

async fn tell_collected(
    state: &AppState,
    tx: &mut AnyConnection,
    app: &Stored,
    now: i64,
) -> PageResult<()> {
    if let Some(reference) = app.reference.clone() {
        let message = Message::CardCollected { reference };
        state
            .message_about(tx, app, &app.account_id, Locale::en, &message, now)
            .await?;
    }
    Ok(())
}

async fn add_note(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Path(id): Path<String>,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let found = found(&state, &member, &id).await?;
    let form = body.read(&["note"])?;
    let note = form.value("note").trim().to_string();
    // The form keeps at most 500 characters of a field; measure what was sent,
    // so an over-long note is refused rather than cut short.
    let sent_chars = body
        .all("note")
        .first()
        .map_or(0, |v| v.trim().chars().count());
    let problem = if note.is_empty() {
        Some(FieldError::NoteMissing)
    } else if sent_chars > MAX_NOTE_CHARS {
        Some(FieldError::NoteTooLong)
    } else {
        None
    };
    if let Some(error) = problem {
        return refused(&state, &member, head, &id, ("note", error), form, now).await;
    }
    // The note and its audit event: one transaction.
    let mut tx = state.begin().await?;
    desk(&state)
        .add_note(&mut tx, &id, &member.id, &note, now)
        .await
        .context("adding a note")?;
    let centre = Some(found.centre_id.as_str());
    let event = staff_event(&member, "booking.note", &client, centre).on("booking", &id);
    audit_in(&state, &mut tx, &event).await?;
    tx.commit().await.context("committing a note")?;
    Ok(see_other(&format!("/staff/bookings/{id}")))
}
