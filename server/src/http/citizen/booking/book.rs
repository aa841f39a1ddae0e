//! Booking pages: the centre finder, a centre's days and times, booking
//! and changing (one form post), the acknowledgement and cancelling.
//!
//! Only the citizen's own applications are reachable (anything else is the
//! 404 page), and what may be booked follows from the application's state:
//! an enrolment once verified, a collection once the card is ready.

use crate::http::AppState;
use super::{
    Citizen, Head, Internal, PageResult, message_about, not_found, own, read_form, render,
    see_other,
};
use crate::booking::bookings::{Booking, Bookings, Kind, Member, Outcome, Refused};
use crate::booking::centres::{Centre, Centres};
use crate::booking::schedule::{Schedule, SlotProblem, Taken};
use crate::citizen::applications::Stored;
use crate::outbox::Message;
use crate::verification::ApplicationKind;
use app::application::ApplicationState;
use app::calendar::{appointment_label, parse_clock};
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form};
use app::identifiers::{CountyCode, FieldError};
use app::pages::applications::Appointment;
use app::pages::booking::{
    AcknowledgementNotice, AcknowledgementView, AppointmentKind, CancelView, CentreCard, Companion,
    DayView, FinderView,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/booking", get(acknowledgement))
        .route(
            "/applications/{id}/booking/cancel",
            get(cancel_page).post(cancel_submit),
        )
        .route("/applications/{id}/booking/centres", get(finder))
        .route(
            "/applications/{id}/booking/centres/{centre}",
            get(day_page).post(book),
        )
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 4] = [
    "/applications/{id}/booking",
    "/applications/{id}/booking/cancel",
    "/applications/{id}/booking/centres",
    "/applications/{id}/booking/centres/{centre}",
];

/// Most people one family request books.
const MAX_FAMILY: usize = 6;

fn bookings(state: &AppState) -> Bookings<'_> {
    Bookings {
        db: &state.db,
        cutoff_secs: state.config.booking_cutoff_minutes.saturating_mul(60),
    }
}

fn centres(state: &AppState) -> Centres<'_> {
    Centres { db: &state.db }
}

fn now_and_today() -> (i64, CivilDate) {
    let now = crate::clock::unix_now();
    (now, CivilDate::in_nairobi_at(now))
}

/// What the application may book now, if anything.
fn bookable_kind(app: &Stored) -> Option<(Kind, AppointmentKind)> {
    match (app.state, app.kind) {
        (ApplicationState::Verified | ApplicationState::Booked, ApplicationKind::MinorCard) => {
            Some((Kind::Enrolment, AppointmentKind::MinorEnrolment))
        }
        (ApplicationState::Verified | ApplicationState::Booked, ApplicationKind::AdultId) => {
            Some((Kind::Enrolment, AppointmentKind::AdultEnrolment))
        }
        (ApplicationState::CardReady, _) => Some((Kind::Collection, AppointmentKind::Collection)),
        _ => None,
    }
}

fn appointment_kind(app: &Stored, kind: Kind) -> AppointmentKind {
    match (kind, app.kind) {
        (Kind::Collection, _) => AppointmentKind::Collection,
        (Kind::Enrolment, ApplicationKind::MinorCard) => AppointmentKind::MinorEnrolment,
        (Kind::Enrolment, ApplicationKind::AdultId) => AppointmentKind::AdultEnrolment,
    }
}

fn name_of(app: &Stored) -> String {
    app.answers
        .about_you
        .as_ref()
        .map(|a| format!("{} {}", a.given_names, a.surname))
        .unwrap_or_default()
}

fn card(centre: &Centre, next_free: Option<CivilDate>) -> CentreCard {
    CentreCard {
        id: centre.id.clone(),
        name: centre.name.clone(),
        county: CountyCode::parse(&centre.county_code)
            .unwrap_or_else(|_| CountyCode::all().last().expect("47 counties")),
        address: centre.address.clone(),
        next_free,
    }
}

/// The centre a ready card waits at, if staff named one.
async fn card_centre(state: &AppState, application_id: &str) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT card_centre_id FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(&state.db)
            .await?
            .flatten(),
    )
}

/// The application's live appointment, for its status page.
pub async fn appointment_of(
    state: &AppState,
    app: &Stored,
) -> Result<Option<Appointment>, Internal> {
    let Some(booking) = shown_booking(state, &app.id).await? else {
        return Ok(None);
    };
    let centre = centres(state)
        .get(&booking.centre_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(Some(Appointment {
        day: booking.day,
        slot: booking.slot,
        centre,
    }))
}

// ---- The finder ----

#[derive(Deserialize)]
struct FinderQuery {
    county: Option<String>,
    name: Option<String>,
}

async fn finder(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    Query(query): Query<FinderQuery>,
    head: Head,
) -> PageResult {
    let Some(app) = own(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Some((kind, appointment_kind)) = bookable_kind(&app) else {
        return Ok(see_other(&format!("/applications/{id}")));
    };
    let county = query
        .county
        .as_deref()
        .and_then(|c| CountyCode::parse(c).ok());
    let name: String = query
        .name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(50)
        .collect();
    let mut found = centres(&state)
        .search(county.map(|c| c.to_string()).as_deref(), &name)
        .await?;
    if kind == Kind::Collection {
        if let Some(at) = card_centre(&state, &id).await? {
            found.retain(|c| c.id == at);
        }
    }
    let (_, today) = now_and_today();
    let horizon = found.iter().map(|c| c.horizon_days).max().unwrap_or(0);
    let (from, to) = (today.add_days(1), today.add_days(i64::from(horizon)));
    let single = (found.len() == 1).then(|| found[0].id.clone());
    let taken = bookings(&state).taken(single.as_deref(), from, to).await?;
    let closures = centres(&state).closures(from, to).await?;
    let cards = found
        .iter()
        .map(|centre| {
            let schedule = Schedule {
                centre,
                closures: &closures,
            };
            let next = schedule
                .days(today)
                .find(|&day| !schedule.free_slots(day, &taken).is_empty());
            card(centre, next)
        })
        .collect();
    let changing = bookings(&state).live_of_kind(&id, kind).await?.is_some();
    let view = FinderView {
        application_id: id,
        kind: appointment_kind,
        county,
        name,
        centres: cards,
        changing,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

// ---- A centre's days and times ----

#[derive(Deserialize)]
struct DayQuery {
    day: Option<String>,
}

struct DayContext {
    app: Stored,
    kind: Kind,
    centre: Centre,
}

/// The application, what it may book, and the centre, or the response
/// to give instead.
async fn day_context(
    state: &AppState,
    account: &str,
    id: &str,
    centre_id: &str,
    head: Head,
) -> Result<Result<(DayContext, Head), axum::response::Response>, Internal> {
    let Some(app) = own(state, account, id).await? else {
        return Ok(Err(not_found(state, head).await));
    };
    let Some((kind, _)) = bookable_kind(&app) else {
        return Ok(Err(see_other(&format!("/applications/{id}"))));
    };
    let Some(centre) = centres(state).get(centre_id).await? else {
        return Ok(Err(not_found(state, head).await));
    };
    if kind == Kind::Collection {
        if let Some(at) = card_centre(state, id).await? {
            if at != centre.id {
                return Ok(Err(not_found(state, head).await));
            }
        }
    }
    Ok(Ok((DayContext { app, kind, centre }, head)))
}

/// Others on the account who can be booked alongside: verified, with no
/// appointment yet.
async fn companions(
    state: &AppState,
    account: &str,
    except: &str,
) -> Result<Vec<Companion>, Internal> {
    let all = super::applications(state).list(account).await?;
    Ok(all
        .iter()
        .filter(|a| a.id != except && a.state == ApplicationState::Verified)
        .map(|a| Companion {
            application_id: a.id.clone(),
            name: name_of(a),
        })
        .collect())
}

async fn day_view(
    state: &AppState,
    account: &str,
    context: &DayContext,
    asked: Option<CivilDate>,
    form: Form,
) -> Result<DayView, Internal> {
    let (_, today) = now_and_today();
    let schedule_window = Schedule {
        centre: &context.centre,
        closures: &[],
    }
    .window(today);
    let taken: Taken = bookings(state)
        .taken(
            Some(&context.centre.id),
            schedule_window.0,
            schedule_window.1,
        )
        .await?;
    let closures = centres(state)
        .closures(schedule_window.0, schedule_window.1)
        .await?;
    let schedule = Schedule {
        centre: &context.centre,
        closures: &closures,
    };
    let days = schedule.free_days(today, &taken);
    let day = asked
        .filter(|d| (schedule_window.0..=schedule_window.1).contains(d))
        .or_else(|| days.first().copied());
    let slots = day
        .map(|d| schedule.free_slots(d, &taken))
        .unwrap_or_default();
    let replaces = bookings(state)
        .live_of_kind(&context.app.id, context.kind)
        .await?
        .map(|b| b.id);
    let companions = if context.kind == Kind::Enrolment && replaces.is_none() {
        companions(state, account, &context.app.id).await?
    } else {
        Vec::new()
    };
    Ok(DayView {
        application_id: context.app.id.clone(),
        kind: appointment_kind(&context.app, context.kind),
        centre: card(&context.centre, days.first().copied()),
        days,
        day,
        slots,
        replaces,
        companions,
        form,
    })
}

async fn day_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path((id, centre_id)): Path<(String, String)>,
    Query(query): Query<DayQuery>,
    head: Head,
) -> PageResult {
    let (context, head) = match day_context(&state, &account, &id, &centre_id, head).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let asked = query.day.and_then(|d| d.parse().ok());
    let view = day_view(&state, &account, &context, asked, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

fn slot_error(refused: Refused) -> FieldError {
    match refused {
        Refused::Slot { member: 0, problem } => match problem {
            SlotProblem::TooSoon => FieldError::SlotTooSoon,
            SlotProblem::BeyondHorizon => FieldError::SlotBeyondHorizon,
            SlotProblem::Closed => FieldError::SlotClosed,
            SlotProblem::NotASlot => FieldError::SlotNotOffered,
        },
        Refused::Slot { .. } | Refused::Full { member: 1.. } => FieldError::SlotFamilyFull,
        Refused::Full { .. } => FieldError::SlotFull,
        Refused::NotEligible { .. } => FieldError::SlotNotEligible,
        Refused::TooLate => FieldError::SlotTooLate,
        Refused::Changed | Refused::Busy => FieldError::SlotBusy,
    }
}

async fn book(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path((id, centre_id)): Path<(String, String)>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let mut form = match read_form(&head, &body, &["day", "slot", "replaces"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let (context, head) = match day_context(&state, &account, &id, &centre_id, head).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let (now, today) = now_and_today();
    let day: Option<CivilDate> = form.value("day").parse().ok();
    let live = bookings(&state).live_of_kind(&id, context.kind).await?;

    // A second click on Book, or a form from before the last change: show
    // the appointment as it stands.
    let sent_replaces = form.value("replaces").to_string();
    if let Some(live) = &live {
        if sent_replaces != live.id {
            let notice =
                (!sent_replaces.is_empty()).then_some(AcknowledgementNotice::AlreadyChanged);
            return acknowledgement_response(
                &state,
                head,
                &context.app,
                live,
                notice,
                StatusCode::OK,
            )
            .await;
        }
    }

    let slot = match form.value("slot") {
        "" => Err(FieldError::SlotMissing),
        text => parse_clock(text).ok_or(FieldError::SlotNotOffered),
    };
    let (day, slot) = match (day, slot) {
        (Some(day), Ok(slot)) => (day, slot),
        (asked, problem) => {
            form.errors.push(FieldIssue::new(
                "slot",
                problem.err().unwrap_or(FieldError::SlotNotOffered),
            ));
            let view = day_view(&state, &account, &context, asked, form).await?;
            return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
        }
    };

    let mut members = vec![Member {
        application_id: id.clone(),
        kind: context.kind,
        replaces: live.as_ref().map(|b| b.id.clone()),
    }];
    let asked: Vec<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _)| name == "also")
        .map(|(_, value)| value)
        .collect();
    if !asked.is_empty() {
        // Family members: only with a first enrolment booking, and only the
        // account's own verified applications.
        let allowed = if context.kind == Kind::Enrolment && live.is_none() {
            companions(&state, &account, &id).await?
        } else {
            Vec::new()
        };
        for other in asked {
            if !allowed.iter().any(|c| c.application_id == other)
                || members.iter().any(|m| m.application_id == other)
            {
                form.errors
                    .push(FieldIssue::new("slot", FieldError::SlotNotEligible));
                let view = day_view(&state, &account, &context, Some(day), form).await?;
                return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
            }
            members.push(Member {
                application_id: other,
                kind: Kind::Enrolment,
                replaces: None,
            });
        }
        members.truncate(MAX_FAMILY);
    }

    let closures = centres(&state).closures(day, day).await?;
    let schedule = Schedule {
        centre: &context.centre,
        closures: &closures,
    };
    match bookings(&state)
        .book(&schedule, today, &members, day, slot, now)
        .await?
    {
        Outcome::Booked(made) => {
            let changed = members[0].replaces.is_some();
            for booking in &made {
                let app = if booking.application_id == id {
                    Some(context.app.clone())
                } else {
                    super::applications(&state)
                        .load(&account, &booking.application_id)
                        .await?
                };
                if let Some(app) = app {
                    tell_booked(
                        &state,
                        &app,
                        (&account, head.locale()),
                        &context.centre,
                        booking,
                        changed,
                        now,
                    )
                    .await?;
                }
            }
            tracing::info!(application = %id, people = made.len(), changed, "booked");
            Ok(see_other(&format!("/applications/{id}/booking")))
        }
        Outcome::AlreadyBooked(_) => Ok(see_other(&format!("/applications/{id}/booking"))),
        Outcome::Refused(Refused::NotEligible { member: 0 }) if members[0].replaces.is_none() => {
            // Booked by another request a moment ago (a double click).
            match bookings(&state).live_of_kind(&id, context.kind).await? {
                Some(_) => Ok(see_other(&format!("/applications/{id}/booking"))),
                None => {
                    refused(
                        &state,
                        &account,
                        head,
                        &context,
                        day,
                        form,
                        Refused::NotEligible { member: 0 },
                    )
                    .await
                }
            }
        }
        Outcome::Refused(refusal) => {
            refused(&state, &account, head, &context, day, form, refusal).await
        }
    }
}

async fn refused(
    state: &AppState,
    account: &str,
    head: Head,
    context: &DayContext,
    day: CivilDate,
    mut form: Form,
    refusal: Refused,
) -> PageResult {
    let status = match refusal {
        Refused::Full { .. } | Refused::Busy | Refused::Changed | Refused::TooLate => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    form.errors
        .push(FieldIssue::new("slot", slot_error(refusal)));
    let view = day_view(state, account, context, Some(day), form).await?;
    Ok(render(state, head, status, view).await)
}

async fn tell_booked(
    state: &AppState,
    app: &Stored,
    (acting, locale): (&str, app::i18n::Locale),
    centre: &Centre,
    booking: &Booking,
    changed: bool,
    now: i64,
) -> Result<(), Internal> {
    let Some(reference) = app.reference.clone() else {
        return Ok(());
    };
    let message = Message::BookingConfirmed {
        reference,
        centre: centre.name.clone(),
        day: booking.day,
        slot: booking.slot,
        changed,
    };
    message_about(state, app, acting, locale, &message, now).await
}

// ---- The acknowledgement ----

pub(in crate::http) fn qr_svg(reference: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::with_error_correction_level(reference.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(176, 176)
                .quiet_zone(true)
                .build();
            // An inline <svg> element, without the XML declaration.
            svg.find("<svg")
                .map(|at| svg[at..].to_string())
                .unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}

async fn acknowledgement_response(
    state: &AppState,
    head: Head,
    app: &Stored,
    booking: &Booking,
    notice: Option<AcknowledgementNotice>,
    status: StatusCode,
) -> PageResult {
    let centre = centres(state).get(&booking.centre_id).await?;
    let reference = app.reference.clone().unwrap_or_default();
    let (now, _) = now_and_today();
    let view = AcknowledgementView {
        application_id: app.id.clone(),
        qr_svg: qr_svg(&reference),
        reference,
        name: name_of(app),
        kind: appointment_kind(app, booking.kind),
        centre_name: centre.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        centre_address: centre.map(|c| c.address).unwrap_or_default(),
        day: booking.day,
        slot: booking.slot,
        changeable: bookings(state).changeable(booking, now),
        notice,
    };
    let mut head = head;
    head.set_path(&format!("/applications/{}/booking", app.id));
    Ok(render(state, head, status, view).await)
}

/// The live booking the acknowledgement shows: the enrolment, else the
/// collection.
async fn shown_booking(state: &AppState, id: &str) -> anyhow::Result<Option<Booking>> {
    Ok(bookings(state)
        .live_for(id)
        .await?
        .into_iter()
        .min_by_key(|b| b.kind != Kind::Enrolment))
}

async fn acknowledgement(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = own(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Some(booking) = shown_booking(&state, &id).await? else {
        return Ok(see_other(&format!("/applications/{id}")));
    };
    acknowledgement_response(&state, head, &app, &booking, None, StatusCode::OK).await
}

// ---- Cancelling ----

async fn cancel_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = own(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Some(booking) = shown_booking(&state, &id).await? else {
        return Ok(see_other(&format!("/applications/{id}")));
    };
    let (now, _) = now_and_today();
    if !bookings(&state).changeable(&booking, now) {
        let notice = Some(AcknowledgementNotice::TooLate);
        return acknowledgement_response(
            &state,
            head,
            &app,
            &booking,
            notice,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let centre = centres(&state)
        .get(&booking.centre_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let label = format!(
        "{}, {centre}",
        appointment_label(booking.day, booking.slot, head.locale())
    );
    Ok(render(
        &state,
        head,
        StatusCode::OK,
        CancelView {
            application_id: id,
            label,
        },
    )
    .await)
}

async fn cancel_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = own(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Some(booking) = shown_booking(&state, &id).await? else {
        return Ok(see_other(&format!("/applications/{id}")));
    };
    let (now, _) = now_and_today();
    match bookings(&state).cancel(&booking, now).await? {
        Ok(()) => {
            if let Some(reference) = app.reference.clone() {
                message_about(
                    &state,
                    &app,
                    &account,
                    head.locale(),
                    &Message::BookingCancelled { reference },
                    now,
                )
                .await?;
            }
            tracing::info!(application = %id, "booking cancelled");
            Ok(see_other(&format!("/applications/{id}")))
        }
        Err(Refused::TooLate) => {
            let notice = Some(AcknowledgementNotice::TooLate);
            acknowledgement_response(&state, head, &app, &booking, notice, StatusCode::CONFLICT)
                .await
        }
        Err(_) => Ok(see_other(&format!("/applications/{id}"))),
    }
}
