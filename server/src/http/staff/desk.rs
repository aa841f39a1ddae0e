//! The day's list, check-in by reference, a person's record and each step
//! recorded on it. Records are looked up through the member's centre, so a
//! booking elsewhere is a 404 for an officer or supervisor.

use super::{Staff, audit, bar};
use crate::http::AppState;
use crate::http::citizen::{
    Head, PageResult, applications, message_about, not_found, read_form, render, see_other, today,
};
use crate::messages::Message;
use crate::staff::StaffMember;
use crate::staff::desk::{
    Desk, Found, MAX_NOTE_CHARS, Step, check_in_problem, counts, matches_search, next_steps,
};
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form};
use app::i18n::Locale;
use app::identifiers::{ApplicationReference, FieldError};
use app::pages::staff::{NoteLine, RecordView, TodayView};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use std::net::SocketAddr;

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

async fn today_view(
    state: &AppState,
    member: &StaffMember,
    query: DayQuery,
    check_in: Form,
) -> Result<TodayView, super::Internal> {
    // No-shows are marked by `mark_no_shows_forever`, once a minute; the
    // list (refreshed every 30 s by every open console) only reads.
    let now = crate::clock::unix_now();
    let centres = crate::booking::centres::Centres { db: &state.db };
    let (centre_id, choices) = match &member.centre_id {
        Some(centre) => (centre.clone(), Vec::new()),
        None => {
            let all: Vec<(String, String)> = centres
                .search(None, "")
                .await?
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
    let all = desk(state).day(&centre_id, day).await?;
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
    head: Head,
    Query(query): Query<DayQuery>,
) -> PageResult {
    let view = today_view(&state, &member, query, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn check_in(
    State(state): State<AppState>,
    Staff(member): Staff,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut head: Head,
    body: Bytes,
) -> PageResult {
    let mut form = match read_form(&head, &body, &["reference"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let now = crate::clock::unix_now();
    let problem = match ApplicationReference::parse(form.value("reference")) {
        Err(error) => Some(error),
        Ok(reference) => match desk(&state).by_reference(&reference).await? {
            None => Some(FieldError::CheckInUnknown),
            Some(found) => {
                let centre = member
                    .centre_id
                    .clone()
                    .unwrap_or_else(|| found.centre_id.clone());
                match check_in_problem(&found, &centre, today(now)) {
                    Some(problem) => Some(problem),
                    None => {
                        let id = found.visit.booking_id.clone();
                        if found.visit.status == app::pages::staff::VisitStatus::Booked {
                            if desk(&state).advance(&found, Step::CheckIn, now).await? {
                                audit(
                                    &state,
                                    &member,
                                    "booking.check_in",
                                    Some(("booking", &id)),
                                    Some(&found.centre_id),
                                    &peer,
                                    None,
                                )
                                .await?;
                                return Ok(see_other(&format!(
                                    "/staff/bookings/{id}?recorded=check-in"
                                )));
                            }
                        }
                        return Ok(see_other(&format!("/staff/bookings/{id}")));
                    }
                }
            }
        },
    };
    if let Some(problem) = problem {
        form.errors.push(FieldIssue::new("reference", problem));
    }
    head.set_path("/staff");
    let view = today_view(&state, &member, DayQuery::default(), form).await?;
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}

#[derive(Deserialize)]
struct RecordQuery {
    recorded: Option<String>,
}

async fn record_view(
    state: &AppState,
    member: &StaffMember,
    found: Found,
    form: Form,
    recorded: Option<String>,
) -> Result<RecordView, super::Internal> {
    let now = crate::clock::unix_now();
    let notes = desk(state)
        .notes(&found.visit.booking_id)
        .await?
        .into_iter()
        .map(|(by, at, text)| NoteLine {
            by,
            at: app::calendar::appointment_label(
                today(at),
                CivilDate::nairobi_minute_at(at),
                app::i18n::Locale::en,
            ),
            text,
        })
        .collect();
    let centre_name = crate::booking::centres::Centres { db: &state.db }
        .get(&found.centre_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(RecordView {
        bar: bar(state, member).await?,
        steps: next_steps(&found, today(now), now)
            .into_iter()
            .map(Step::slug)
            .collect(),
        date_of_birth: found.answers.about_you.as_ref().map(|a| a.date_of_birth),
        visit: found.visit,
        day: found.day,
        centre_name,
        is_child: found.is_child,
        has_photo: found.has_photo,
        notes,
        form,
        recorded: recorded.filter(|r| Step::from_slug(r).is_some()),
    })
}

async fn record_page(
    State(state): State<AppState>,
    Staff(member): Staff,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    Query(query): Query<RecordQuery>,
    head: Head,
) -> PageResult {
    let Some(found) = desk(&state).find(&id, scope(&member)).await? else {
        return Ok(not_found(&state, head).await);
    };
    audit(
        &state,
        &member,
        "record.open",
        Some(("booking", &id)),
        Some(&found.centre_id),
        &peer,
        None,
    )
    .await?;
    let view = record_view(&state, &member, found, Form::default(), query.recorded).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn photo(
    State(state): State<AppState>,
    Staff(member): Staff,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let found = desk(&state).find(&id, scope(&member)).await?;
    let Some(jpeg) = (match &found {
        Some(found) => desk(&state).photo(found).await?,
        None => None,
    }) else {
        return Ok(not_found(&state, head).await);
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

async fn refused(
    state: &AppState,
    member: &StaffMember,
    head: Head,
    id: &str,
    field: &'static str,
    error: FieldError,
    form: Form,
) -> PageResult {
    let Some(found) = desk(state).find(id, scope(member)).await? else {
        return Ok(not_found(state, head).await);
    };
    let mut form = form;
    form.errors.push(FieldIssue::new(field, error));
    let mut head = head;
    head.set_path(&format!("/staff/bookings/{id}"));
    let view = record_view(state, member, found, form, None).await?;
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((id, slug)): Path<(String, String)>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let (Some(step), Some(found)) = (
        Step::from_slug(&slug),
        desk(&state).find(&id, scope(&member)).await?,
    ) else {
        return Ok(not_found(&state, head).await);
    };
    let form = match read_form(&head, &body, &["collector-id"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let now = crate::clock::unix_now();
    if step == Step::CheckIn && found.day != today(now) {
        return refused(
            &state,
            &member,
            head,
            &id,
            "step",
            FieldError::CheckInWrongDay,
            Form::default(),
        )
        .await;
    }
    if step == Step::IdentityConfirmed
        && !desk(&state)
            .collector_matches(&found, form.value("collector-id"))
            .await?
    {
        let error = if form.value("collector-id").trim().is_empty() {
            FieldError::NationalIdMissing
        } else {
            FieldError::CollectorIdWrong
        };
        audit(
            &state,
            &member,
            "booking.identity_mismatch",
            Some(("booking", &id)),
            Some(&found.centre_id),
            &peer,
            None,
        )
        .await?;
        return refused(
            &state,
            &member,
            head,
            &id,
            "collector-id",
            error,
            Form::default(),
        )
        .await;
    }
    if !desk(&state).advance(&found, step, now).await? {
        return refused(
            &state,
            &member,
            head,
            &id,
            "step",
            FieldError::ActionRefused,
            Form::default(),
        )
        .await;
    }
    let action = format!("booking.{}", step.code());
    audit(
        &state,
        &member,
        &action,
        Some(("booking", &id)),
        Some(&found.centre_id),
        &peer,
        None,
    )
    .await?;
    if step == Step::HandedOver {
        // The card is out: tell its owner, so a card collected by someone
        // else does not go unnoticed.
        if let Some(app) = applications(&state)
            .load_for_staff(&found.application_id)
            .await?
        {
            if let Some(reference) = app.reference.clone() {
                let message = Message::CardCollected { reference };
                message_about(&state, &app, &app.account_id, Locale::en, &message, now).await?;
            }
        }
    }
    Ok(see_other(&format!("/staff/bookings/{id}?recorded={slug}")))
}

async fn add_note(
    State(state): State<AppState>,
    Staff(member): Staff,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let Some(found) = desk(&state).find(&id, scope(&member)).await? else {
        return Ok(not_found(&state, head).await);
    };
    let form = match read_form(&head, &body, &["note"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let note = form.value("note").trim().to_string();
    // The form keeps at most 500 characters of a field; measure what was sent,
    // so an over-long note is refused rather than cut short.
    let sent: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let sent_chars = sent
        .iter()
        .find(|(name, _)| name == "note")
        .map_or(0, |(_, v)| v.trim().chars().count());
    let problem = if note.is_empty() {
        Some(FieldError::NoteMissing)
    } else if sent_chars > MAX_NOTE_CHARS {
        Some(FieldError::NoteTooLong)
    } else {
        None
    };
    if let Some(error) = problem {
        return refused(&state, &member, head, &id, "note", error, form).await;
    }
    desk(&state)
        .add_note(&id, &member.id, &note, crate::clock::unix_now())
        .await?;
    audit(
        &state,
        &member,
        "booking.note",
        Some(("booking", &id)),
        Some(&found.centre_id),
        &peer,
        None,
    )
    .await?;
    Ok(see_other(&format!("/staff/bookings/{id}")))
}
