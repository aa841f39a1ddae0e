//! Capacity and closures (supervisors): the centre's rules and closures,
//! each change previewed (who would move, and where) before it is
//! confirmed; then the moves, a message to each person moved or asked to
//! book again, and an audit entry.

use super::{Supervisor, audit, bar};
use crate::booking::bookings::Kind;
use crate::booking::centres::{Centre, Centres};
use crate::http::AppState;
use crate::http::citizen::{
    Head, Internal, PageResult, applications, message_about, read_form, render_at, see_other, today,
};
use crate::messages::Message;
use crate::staff::StaffMember;
use crate::staff::capacity::{Capacity, Change, Plan, rules_of};
use app::capacity::{CLOSURE_FIELDS, CentreRules, ClosureRequest, RULES_FIELDS};
use app::forms::Form;
use app::i18n::Locale;
use app::pages::staff::{CapacityOutcome, CapacityPreview, CapacityView, MoveLine, Pending};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

const OUTCOME: &str = "capacity_outcome";
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
) -> Result<(Centre, Vec<(String, String)>), Internal> {
    let centres = Centres { db: &state.db };
    if let Some(own) = &member.centre_id {
        let centre = centres
            .get(own)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a supervisor's centre is missing"))?;
        return Ok((centre, Vec::new()));
    }
    let all = centres.search(None, "").await?;
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
) -> Result<CapacityView, Internal> {
    let closure = Form::from_pairs([("span", "whole")], &["span"]);
    Ok(CapacityView {
        bar: bar(state, member).await?,
        centre_id: centre.id.clone(),
        centres,
        rules: rules_of(centre).to_form(),
        closure,
        closures: Capacity { db: &state.db }
            .upcoming(&centre.id, today(crate::clock::unix_now()))
            .await?,
        preview: None,
        outcome: None,
    })
}

async fn capacity_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    session: Session,
    head: Head,
    Query(query): Query<CentreQuery>,
) -> PageResult {
    let (centre, centres) = centre_for(&state, &member, query.centre.as_deref()).await?;
    let mut view = page_view(&state, &member, &centre, centres).await?;
    view.outcome = session
        .remove::<CapacityOutcome>(OUTCOME)
        .await
        .ok()
        .flatten();
    Ok(render_at(&state, head, PATH, StatusCode::OK, view).await)
}

/// The references of the applications a plan moves, for the tables.
async fn lines(state: &AppState, plan: &Plan) -> Result<Vec<MoveLine>, Internal> {
    let mut lines = Vec::with_capacity(plan.moves.len());
    for step in &plan.moves {
        let reference: Option<String> =
            sqlx::query_scalar("SELECT reference FROM applications WHERE id = $1")
                .bind(&step.booking.application_id)
                .fetch_optional(&state.db)
                .await?
                .flatten();
        lines.push(MoveLine {
            reference: reference.unwrap_or_default(),
            enrolment: step.booking.kind == Kind::Enrolment,
            from: (step.booking.day, step.booking.slot),
            to: step.to,
        });
    }
    Ok(lines)
}

/// Tells each person moved where to, and each person not placed to book again.
async fn notify(state: &AppState, centre: &Centre, plan: &Plan, now: i64) -> Result<(), Internal> {
    for step in &plan.moves {
        let Some(app) = applications(state)
            .load_for_staff(&step.booking.application_id)
            .await?
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
            },
            None => Message::BookingCancelledByCentre {
                reference,
                centre: centre.name.clone(),
            },
        };
        message_about(state, &app, &app.account_id, Locale::en, &message, now).await?;
    }
    Ok(())
}

/// The three outcomes of a posted change: errors or "go back" (the form
/// again), a preview, or (confirmed) the change made.
async fn handle(
    state: &AppState,
    member: &StaffMember,
    peer: &SocketAddr,
    session: &Session,
    head: Head,
    form: Form,
    parsed: Result<Change, Vec<app::forms::FieldIssue>>,
) -> PageResult {
    let (centre, centres) = centre_for(state, member, Some(form.value("centre"))).await?;
    let mut view = page_view(state, member, &centre, centres).await?;
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
    let now = crate::clock::unix_now();
    let capacity = Capacity { db: &state.db };
    match form.value("confirm") {
        "yes" => {
            let plan = capacity.apply(&centre, &change, now).await?;
            notify(state, &centre, &plan, now).await?;
            let (what, action) = match change {
                Change::Rules(_) => ("rules", "capacity.rules"),
                Change::Closure(_) => ("closure", "capacity.closure"),
            };
            let detail = format!(
                "{} moved, {} asked to book again",
                plan.moved(),
                plan.unplaced()
            );
            audit(
                state,
                member,
                action,
                None,
                Some(&centre.id),
                peer,
                Some(detail),
            )
            .await?;
            let outcome = CapacityOutcome {
                what: what.to_string(),
                moves: lines(state, &plan).await?,
            };
            session
                .insert(OUTCOME, outcome)
                .await
                .map_err(|e| anyhow::anyhow!("session: {e}"))?;
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
            let plan = capacity.preview(&centre, &change, now).await?;
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    head: Head,
    body: Bytes,
) -> PageResult {
    let form = match read_form(&head, &body, &fields(&RULES_FIELDS)) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let parsed = CentreRules::from_form(&form).map(Change::Rules);
    handle(&state, &member, &peer, &session, head, form, parsed).await
}

async fn closure_submit(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    head: Head,
    body: Bytes,
) -> PageResult {
    let form = match read_form(&head, &body, &fields(&CLOSURE_FIELDS)) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let parsed =
        ClosureRequest::from_form(&form, today(crate::clock::unix_now())).map(Change::Closure);
    handle(&state, &member, &peer, &session, head, form, parsed).await
}

async fn reopen(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    session: Session,
    head: Head,
    body: Bytes,
) -> PageResult {
    let form = match read_form(&head, &body, &["centre"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let (centre, _) = centre_for(&state, &member, Some(form.value("centre"))).await?;
    if !(Capacity { db: &state.db })
        .reopen(&centre.id, &id, today(crate::clock::unix_now()))
        .await?
    {
        return Ok(crate::http::citizen::not_found(&state, head).await);
    }
    audit(
        &state,
        &member,
        "capacity.reopen",
        None,
        Some(&centre.id),
        &peer,
        None,
    )
    .await?;
    let outcome = CapacityOutcome {
        what: "reopened".to_string(),
        moves: Vec::new(),
    };
    session
        .insert(OUTCOME, outcome)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    Ok(see_other(&format!("{PATH}?centre={}", centre.id)))
}
