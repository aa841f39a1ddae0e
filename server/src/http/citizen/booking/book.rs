//! Choosing a centre, a day and a time: the finder, a centre's days and
//! times, and booking or changing (one form post), alone or with the
//! family's other verified applications.

use super::{acknowledgement_response, appointment_kind};
use crate::booking::bookings::{Booking, Kind, Member, Outcome, Refused};
use crate::booking::centres::Centre;
use crate::booking::eligibility::{bookable, card_centre, companions, family};
use crate::booking::schedule::{Schedule, SlotProblem, Taken};
use crate::citizen::applications::Stored;
use crate::http::AppState;
use crate::http::citizen::{Citizen, OwnApplication, full_name};
use crate::http::page::{Head, Now, PageError, PageForm, PageResult, render, see_other, today};
use crate::messages::Message;
use crate::observe::series::{self as observe, BookingAction};
use anyhow::Context;
use app::calendar::parse_clock;
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form};
use app::identifiers::{CountyCode, FieldError};
use app::pages::booking::{AcknowledgementNotice, CentreCard, Companion, DayView, FinderView};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use sqlx::AnyConnection;

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

/// What the application may book; if nothing, back to its page.
fn bookable_kind(app: &Stored) -> PageResult<Kind> {
    bookable(app).ok_or_else(|| PageError::Redirect(format!("/applications/{}", app.id)))
}

/// The centre a ready card waits at, if staff named one.
async fn collection_centre(state: &AppState, id: &str) -> PageResult<Option<String>> {
    Ok(card_centre(&state.db, id)
        .await
        .context("loading where the card waits")?)
}

// ---- The finder ----

#[derive(Deserialize)]
pub(super) struct FinderQuery {
    county: Option<String>,
    name: Option<String>,
}

pub(super) async fn finder(
    State(state): State<AppState>,
    OwnApplication { app, .. }: OwnApplication,
    Query(query): Query<FinderQuery>,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let kind = bookable_kind(&app)?;
    let id = app.id.clone();
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
    let mut found = state
        .centres()
        .search(county.map(|c| c.to_string()).as_deref(), &name)
        .await
        .context("searching centres")?;
    if kind == Kind::Collection
        && let Some(at) = collection_centre(&state, &id).await?
    {
        found.retain(|c| c.id == at);
    }
    let today = today(now);
    let horizon = found.iter().map(|c| c.horizon_days).max().unwrap_or(0);
    let (from, to) = (today.add_days(1), today.add_days(i64::from(horizon)));
    let single = (found.len() == 1).then(|| found[0].id.clone());
    let taken = state
        .bookings()
        .taken(single.as_deref(), from, to)
        .await
        .context("loading the seats taken")?;
    let closures = state
        .centres()
        .closures(from, to)
        .await
        .context("loading closures")?;
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
    let changing = state
        .bookings()
        .live_of_kind(&id, kind)
        .await
        .context("loading the live booking")?
        .is_some();
    let view = FinderView {
        kind: appointment_kind(&app, kind),
        application_id: id,
        county,
        name,
        centres: cards,
        changing,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

// ---- A centre's days and times ----

#[derive(Deserialize)]
pub(super) struct DayQuery {
    day: Option<String>,
}

/// The application, what it may book, and the centre the path names.
struct DayContext {
    account: String,
    app: Stored,
    kind: Kind,
    centre: Centre,
}

/// The day page's context: a centre that does not exist, or is not where
/// a ready card waits, is the 404 page.
async fn day_context(
    state: &AppState,
    OwnApplication { account, app }: OwnApplication,
    centre_id: &str,
) -> PageResult<DayContext> {
    let kind = bookable_kind(&app)?;
    let centre = state
        .centres()
        .get(centre_id)
        .await
        .context("loading a centre")?
        .ok_or(PageError::NotFound)?;
    if kind == Kind::Collection
        && let Some(at) = collection_centre(state, &app.id).await?
        && at != centre.id
    {
        return Err(PageError::NotFound);
    }
    Ok(DayContext {
        account,
        app,
        kind,
        centre,
    })
}

/// Others on the account who may be booked alongside (`eligibility::companions`).
async fn family_choices(
    state: &AppState,
    context: &DayContext,
    changing: bool,
) -> PageResult<Vec<Companion>> {
    let all = state
        .applications()
        .list(&context.account)
        .await
        .context("listing the account's applications")?;
    Ok(companions(&all, &context.app, context.kind, changing)
        .into_iter()
        .map(|a| Companion {
            application_id: a.id.clone(),
            name: full_name(a).unwrap_or_default(),
        })
        .collect())
}

async fn day_view(
    state: &AppState,
    context: &DayContext,
    asked: Option<CivilDate>,
    form: Form,
    now: i64,
) -> PageResult<DayView> {
    let today = today(now);
    let (from, to) = Schedule {
        centre: &context.centre,
        closures: &[],
    }
    .window(today);
    let taken: Taken = state
        .bookings()
        .taken(Some(&context.centre.id), from, to)
        .await
        .context("loading the seats taken")?;
    let closures = state
        .centres()
        .closures(from, to)
        .await
        .context("loading closures")?;
    let schedule = Schedule {
        centre: &context.centre,
        closures: &closures,
    };
    let days = schedule.free_days(today, &taken);
    let day = asked
        .filter(|d| (from..=to).contains(d))
        .or_else(|| days.first().copied());
    let slots = day
        .map(|d| schedule.free_slots(d, &taken))
        .unwrap_or_default();
    let replaces = state
        .bookings()
        .live_of_kind(&context.app.id, context.kind)
        .await
        .context("loading the live booking")?
        .map(|b| b.id);
    let companions = if context.kind == Kind::Enrolment && replaces.is_none() {
        family_choices(state, context, false).await?
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

pub(super) async fn day_page(
    State(state): State<AppState>,
    own: OwnApplication,
    Path((_, centre_id)): Path<(String, String)>,
    Query(query): Query<DayQuery>,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let context = day_context(&state, own, &centre_id).await?;
    let asked = query.day.and_then(|d| d.parse().ok());
    let view = day_view(&state, &context, asked, Form::default(), now).await?;
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

/// The day page again, with the slot's problem.
async fn refused(
    state: &AppState,
    head: Head,
    context: &DayContext,
    day: CivilDate,
    mut form: Form,
    refusal: Refused,
    now: i64,
) -> PageResult {
    let status = match refusal {
        Refused::Full { .. } | Refused::Busy | Refused::Changed | Refused::TooLate => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    form.errors
        .push(FieldIssue::new("slot", slot_error(refusal)));
    let view = day_view(state, context, Some(day), form, now).await?;
    Ok(render(state, head, status, view).await)
}

pub(super) async fn book(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path((id, centre_id)): Path<(String, String)>,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    // The form is read first, as it always was: a form sent otherwise is
    // refused before anything is looked up.
    let mut form = body.read(&["day", "slot", "replaces"])?;
    let own = OwnApplication::load(&state, account, &id).await?;
    let context = day_context(&state, own, &centre_id).await?;
    let id = context.app.id.clone();
    let booking_page = format!("/applications/{id}/booking");
    let today = today(now);
    let day: Option<CivilDate> = form.value("day").parse().ok();
    let live = state
        .bookings()
        .live_of_kind(&id, context.kind)
        .await
        .context("loading the live booking")?;

    // A second click on Book, or a form from before the last change: show
    // the appointment as it stands.
    let sent_replaces = form.value("replaces").to_string();
    if let Some(live) = live.as_ref().filter(|live| sent_replaces != live.id) {
        let notice = (!sent_replaces.is_empty()).then_some(AcknowledgementNotice::AlreadyChanged);
        let app = &context.app;
        return acknowledgement_response(&state, head, app, live, notice, StatusCode::OK, now)
            .await;
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
            let view = day_view(&state, &context, asked, form, now).await?;
            return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
        }
    };

    let first = Member {
        application_id: id.clone(),
        kind: context.kind,
        replaces: live.as_ref().map(|b| b.id.clone()),
    };
    let asked = body.all("also");
    let all = if asked.is_empty() {
        Vec::new()
    } else {
        state
            .applications()
            .list(&context.account)
            .await
            .context("listing the account's applications")?
    };
    let allowed = companions(&all, &context.app, context.kind, live.is_some());
    let Some(members) = family(first, asked, &allowed) else {
        form.errors
            .push(FieldIssue::new("slot", FieldError::SlotNotEligible));
        let view = day_view(&state, &context, Some(day), form, now).await?;
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    };

    let closures = state
        .centres()
        .closures(day, day)
        .await
        .context("loading closures")?;
    let schedule = Schedule {
        centre: &context.centre,
        closures: &closures,
    };
    // Whom to tell, read before the booking's transaction holds a connection.
    let mut apps = vec![context.app.clone()];
    for member in &members[1..] {
        let app = state
            .applications()
            .load(&context.account, &member.application_id)
            .await
            .context("loading a family member's application")?;
        apps.extend(app);
    }
    // The seats and their messages: one transaction.
    let mut tx = state.begin().await?;
    let outcome = state
        .bookings()
        .book(&mut tx, &schedule, today, &members, (day, slot), now)
        .await
        .context("booking")?;
    if let Outcome::Booked(made) = &outcome {
        let changed = members[0].replaces.is_some();
        for booking in made {
            if let Some(app) = apps.iter().find(|app| app.id == booking.application_id) {
                let locale = head.locale();
                tell_booked(
                    &state,
                    &mut tx,
                    app,
                    &context,
                    locale,
                    (booking, changed),
                    now,
                )
                .await?;
            }
        }
    }
    tx.commit().await.context("committing a booking")?;
    match outcome {
        Outcome::Booked(made) => {
            let changed = members[0].replaces.is_some();
            tracing::info!(application = %id, people = made.len(), changed, "booked");
            let action = if changed {
                BookingAction::Changed
            } else {
                BookingAction::Made
            };
            observe::bookings(action, context.kind.code(), made.len());
            Ok(see_other(&booking_page))
        }
        Outcome::AlreadyBooked(_) => Ok(see_other(&booking_page)),
        Outcome::Refused(Refused::NotEligible { member: 0 }) if members[0].replaces.is_none() => {
            // Booked by another request a moment ago (a double click).
            let booked = state
                .bookings()
                .live_of_kind(&id, context.kind)
                .await
                .context("loading the live booking")?;
            if booked.is_some() {
                return Ok(see_other(&booking_page));
            }
            let refusal = Refused::NotEligible { member: 0 };
            refused(&state, head, &context, day, form, refusal, now).await
        }
        Outcome::Refused(refusal) => refused(&state, head, &context, day, form, refusal, now).await,
    }
}

async fn tell_booked(
    state: &AppState,
    tx: &mut AnyConnection,
    app: &Stored,
    context: &DayContext,
    locale: app::i18n::Locale,
    (booking, changed): (&Booking, bool),
    now: i64,
) -> PageResult<()> {
    let Some(reference) = app.reference.clone() else {
        return Ok(());
    };
    let message = Message::BookingConfirmed {
        reference,
        centre: context.centre.name.clone(),
        day: booking.day,
        slot: booking.slot,
        changed,
    };
    Ok(state
        .message_about(tx, app, &context.account, locale, &message, now)
        .await?)
}
