//! Capacity and closures (supervisors): the centre's rules and closures,
//! each change previewed (who would move, and where) before it is
//! confirmed; then the moves, a message to each person moved or asked to
//! book again, and an audit entry.

use super::{StaffSession, Supervisor, audit_in, bar, staff_event};
use crate::booking::bookings::Kind;
use crate::booking::centres::Centre;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageError, PageForm, PageResult, render_at, see_other, today};
use crate::messages::Message;
use crate::observe::series::{self as observe, BookingAction};
use crate::staff::StaffMember;
use crate::staff::capacity::{Capacity, Change, Plan, rules_of};
use anyhow::Context;
use app::capacity::{CLOSURE_FIELDS, CentreRules, ClosureRequest, RULES_FIELDS};
use app::forms::Form;
use app::i18n::Locale;
use app::pages::staff::{CapacityOutcome, CapacityPreview, CapacityView, MoveLine, Pending};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::AnyConnection;

const PATH: &str = "/staff/capacity";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(capacity_page))
        .route("/staff/capacity/rules", post(rules_submit))
        .route("/staff/capacity/closures", post(closure_submit))
        .route("/staff/capacity/closures/{id}/reopen", post(reopen))
}

#[derive(Deserialize, Default)]
struct CentreQuery {
    centre: Option<String>,
}

/// The centre a supervisor works at; an administrator's choice (or the
/// first centre), with the list to choose from.
async fn centre_for(
    state: &AppState,
    member: &StaffMember,
    asked: Option<&str>,
) -> PageResult<(Centre, Vec<(String, String)>)> {
    let centres = state.centres();
    if let Some(own) = &member.centre_id {
        let centre = centres
            .get(own)
            .await
            .context("loading the supervisor's centre")?
            .ok_or_else(|| anyhow::anyhow!("a supervisor's centre is missing"))?;
        return Ok((centre, Vec::new()));
    }
    let all = centres.search(None, "").await.context("listing centres")?;
    let choices = all.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
    let centre = all
        .iter()
        .find(|c| Some(c.id.as_str()) == asked)
        .or(all.first())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no centres"))?;
    Ok((centre, choices))
}

async fn page_view(
    state: &AppState,
    member: &StaffMember,
    centre: &Centre,
    centres: Vec<(String, String)>,
    now: i64,
) -> PageResult<CapacityView> {
    let closure = Form::from_pairs([("span", "whole")], &["span"]);
    Ok(CapacityView {
        bar: bar(state, member).await?,
        centre_id: centre.id.clone(),
        centres,
        rules: rules_of(centre).to_form(),
        closure,
        closures: Capacity { db: &state.db }
            .upcoming(&centre.id, today(now))
            .await
            .context("loading the closures ahead")?,
        preview: None,
        outcome: None,
    })
}

async fn capacity_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    session: StaffSession,
    Now(now): Now,
    head: Head,
    Query(query): Query<CentreQuery>,
) -> PageResult {
    let (centre, centres) = centre_for(&state, &member, query.centre.as_deref()).await?;
    let mut view = page_view(&state, &member, &centre, centres, now).await?;
    view.outcome = session.take_capacity_outcome().await.ok().flatten();
    Ok(render_at(&state, head, PATH, StatusCode::OK, view).await)
}

/// The plan's moves, for the tables.
async fn lines(state: &AppState, plan: &Plan) -> PageResult<Vec<MoveLine>> {
    let references = Capacity { db: &state.db }
        .references(plan)
        .await
        .context("loading the references of the moves")?;
    Ok(plan
        .moves
        .iter()
        .map(|step| MoveLine {
            reference: references
                .get(&step.booking.application_id)
                .cloned()
                .unwrap_or_default(),
            enrolment: step.booking.kind == Kind::Enrolment,
            from: (step.booking.day, step.booking.slot),
            to: step.to,
        })
        .collect())
}

/// Tells each person moved where to, and each person not placed to book again.
async fn notify(
    state: &AppState,
    tx: &mut AnyConnection,
    centre: &Centre,
    plan: &Plan,
    now: i64,
) -> PageResult<()> {
    for step in &plan.moves {
        let Some(app) = state
            .applications()
            .load_for_staff_in(tx, &step.booking.application_id)
            .await
            .context("loading a moved booking's application")?
        else {
            continue;
        };
        let Some(reference) = app.reference.clone() else {
            continue;
        };
        let message = match step.to {
            Some((day, slot)) => Message::BookingMovedByCentre {
                reference,
                centre: centre.name.clone(),
                day,
                slot,
                ussd_code: Some(state.config.ussd.code.clone()),
            },
            None => Message::BookingCancelledByCentre {
                reference,
                centre: centre.name.clone(),
                ussd_code: Some(state.config.ussd.code.clone()),
            },
        };
        state
            .message_about(tx, &app, &app.account_id, Locale::en, &message, now)
            .await?;
    }
    Ok(())
}

/// The three outcomes of a posted change: errors or "go back" (the form
/// again), a preview, or (confirmed) the change made.
async fn handle(
    state: &AppState,
    member: &StaffMember,
    (client, session, now): (&ClientAddr, &StaffSession, i64),
    head: Head,
    form: Form,
    parsed: Result<Change, Vec<app::forms::FieldIssue>>,
) -> PageResult {
    let (centre, centres) = centre_for(state, member, Some(form.value("centre"))).await?;
    let mut view = page_view(state, member, &centre, centres, now).await?;
    let is_rules = form.values.contains_key("counters");
    let mut shown = form.clone();
    shown.values.remove("centre");
    shown.values.remove("confirm");
    let change = match parsed {
        Ok(change) => change,
        Err(issues) => {
            shown.errors = issues;
            if is_rules {
                view.rules = shown
            } else {
                view.closure = shown
            }
            return Ok(render_at(state, head, PATH, StatusCode::UNPROCESSABLE_ENTITY, view).await);
        }
    };
    let capacity = Capacity { db: &state.db };
    match form.value("confirm") {
        "yes" => {
            // The change, the moved people's messages and the audit event:
            // one transaction.
            let mut tx = state.begin().await?;
            let plan = capacity
                .apply(&mut tx, &centre, &change, now)
                .await
                .context("changing a centre's capacity")?;
            notify(state, &mut tx, &centre, &plan, now).await?;
            let (what, action) = match change {
                Change::Rules(_) => ("rules", "capacity.rules"),
                Change::Closure(_) => ("closure", "capacity.closure"),
            };
            let detail = format!(
                "{} moved, {} asked to book again",
                plan.moved(),
                plan.unplaced()
            );
            let event = staff_event(member, action, client, Some(&centre.id)).detail(detail);
            audit_in(state, &mut tx, &event).await?;
            tx.commit().await.context("committing a capacity change")?;
            for moved in &plan.moves {
                let action = match moved.to {
                    Some(_) => BookingAction::MovedByCentre,
                    None => BookingAction::CancelledByCentre,
                };
                observe::bookings(action, moved.booking.kind.code(), 1);
            }
            let outcome = CapacityOutcome {
                what: what.to_string(),
                moves: lines(state, &plan).await?,
            };
            session.set_capacity_outcome(outcome).await?;
            Ok(see_other(&format!("{PATH}?centre={}", centre.id)))
        }
        "back" => {
            if is_rules {
                view.rules = shown
            } else {
                view.closure = shown
            }
            Ok(render_at(state, head, PATH, StatusCode::OK, view).await)
        }
        _ => {
            let plan = capacity
                .preview(&centre, &change, now)
                .await
                .context("previewing a capacity change")?;
            let pending = match change {
                Change::Rules(rules) => Pending::Rules(rules),
                Change::Closure(closure) => Pending::Closure(closure),
            };
            view.preview = Some(CapacityPreview {
                change: pending,
                form: shown,
                moves: lines(state, &plan).await?,
            });
            Ok(render_at(state, head, PATH, StatusCode::OK, view).await)
        }
    }
}

fn fields(names: &[&'static str]) -> Vec<&'static str> {
    names.iter().copied().chain(["centre", "confirm"]).collect()
}

async fn rules_submit(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    session: StaffSession,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let form = body.read(&fields(&RULES_FIELDS))?;
    let parsed = CentreRules::from_form(&form).map(Change::Rules);
    handle(
        &state,
        &member,
        (&client, &session, now),
        head,
        form,
        parsed,
    )
    .await
}

async fn closure_submit(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    session: StaffSession,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let form = body.read(&fields(&CLOSURE_FIELDS))?;
    let parsed = ClosureRequest::from_form(&form, today(now)).map(Change::Closure);
    handle(
        &state,
        &member,
        (&client, &session, now),
        head,
        form,
        parsed,
    )
    .await
}

async fn reopen(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Path(id): Path<String>,
    session: StaffSession,
    Now(now): Now,
    body: PageForm,
) -> PageResult {
    let form = body.read(&["centre"])?;
    let (centre, _) = centre_for(&state, &member, Some(form.value("centre"))).await?;
    // The reopening and its audit event: one transaction.
    let mut tx = state.begin().await?;
    let reopened = Capacity { db: &state.db }
        .reopen(&mut tx, &centre.id, &id, today(now))
        .await
        .context("reopening a closure")?;
    if !reopened {
        return Err(PageError::NotFound);
    }
    let event = staff_event(&member, "capacity.reopen", &client, Some(&centre.id));
    audit_in(&state, &mut tx, &event).await?;
    tx.commit().await.context("committing a reopening")?;
    let outcome = CapacityOutcome {
        what: "reopened".to_string(),
        moves: Vec::new(),
    };
    session.set_capacity_outcome(outcome).await?;
    Ok(see_other(&format!("{PATH}?centre={}", centre.id)))
}
