//! The staff console's HTTP surface, under `/staff`, with sessions of its
//! own (cookie `usajili_staff`, 15 minutes idle by default) apart from
//! citizens'. Every handler takes `Staff` or `Supervisor`, extractors that
//! load the member afresh and refuse anyone else, so a handler cannot
//! forget the check; a record of another centre is a 404.

mod capacity;
mod cards;
mod dashboard;
mod desk;
mod outbox;
mod review;

use super::AppState;
use super::citizen::{Head, Internal, PageResult, plain, read_form, render, see_other};
use crate::audit::{Actor, Audit, Event};
use crate::staff::StaffMember;
use crate::staff::accounts::{AfterPassword, SignInProblem, StaffAccounts};
use app::forms::{FieldIssue, Form};
use app::identifiers::FieldError;
use app::pages::staff::{StaffBar, StaffCodeView, StaffEnrolView, StaffSignInView};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

const STAFF: &str = "staff";
const PENDING: &str = "staff_pending";
const COOKIE: &str = "usajili_staff";

pub fn router(state: &AppState) -> Router<AppState> {
    let sessions = tower_sessions::SessionManagerLayer::new(
        super::session_store::DbSessionStore::new(state.db.clone()),
    )
    .with_name(COOKIE)
    .with_path("/staff")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Strict)
    .with_secure(state.config.https)
    .with_expiry(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(state.config.staff.idle_minutes),
    ))
    .with_always_save(true);
    Router::new()
        .route("/staff/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/staff/sign-in/code", get(code_page).post(code_submit))
        .route("/staff/enrol", get(enrol_page).post(enrol_submit))
        .route("/staff/sign-out", post(sign_out))
        .merge(desk::router())
        .merge(capacity::router())
        .merge(cards::router())
        .merge(dashboard::router())
        .merge(review::router())
        .merge(outbox::router())
        .layer(sessions)
        .layer(axum::middleware::from_fn(
            super::security::same_origin_posts,
        ))
}

/// The paths rendered here, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 12] = [
    "/staff/outbox",
    "/staff/capacity",
    "/staff/cards-ready",
    "/staff/dashboard",
    "/staff",
    "/staff/sign-in",
    "/staff/sign-in/code",
    "/staff/enrol",
    "/staff/bookings/{id}",
    "/staff/reviews",
    "/staff/reviews/{id}",
    "/staff/audit",
];

pub(super) fn accounts(state: &AppState) -> StaffAccounts<'_> {
    StaffAccounts {
        db: &state.db,
        cipher: &state.cipher,
        security: state.config.staff,
        officer_totp_optional: state.config.environment == crate::config::Environment::Development,
    }
}

/// A signed-in member of staff (password and, where required, TOTP done).
pub struct Staff(pub StaffMember);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let id = session.get::<String>(STAFF).await.ok().flatten();
        let pending = session
            .get::<String>(PENDING)
            .await
            .ok()
            .flatten()
            .is_some();
        let member = match id {
            Some(id) => accounts(state)
                .member(&id)
                .await
                .map_err(|e| Internal::from(e).into_response())?,
            None => None,
        };
        match member {
            Some(member) => Ok(Staff(member)),
            None if pending => Err(Redirect::to("/staff/sign-in").into_response()),
            None => {
                // A staff cookie whose session is gone: it timed out.
                let had_cookie = parts
                    .headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .any(|v| v.to_str().is_ok_and(|v| v.contains(&format!("{COOKIE}="))));
                let _ = session.flush().await;
                Err(Redirect::to(if had_cookie {
                    "/staff/sign-in?expired=1"
                } else {
                    "/staff/sign-in"
                })
                .into_response())
            }
        }
    }
}

/// A supervisor or an administrator; an officer is refused.
pub struct Supervisor(pub StaffMember);

impl FromRequestParts<AppState> for Supervisor {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(member) = Staff::from_request_parts(parts, state).await?;
        if member.is_supervisor() {
            Ok(Supervisor(member))
        } else {
            Err(plain(
                StatusCode::FORBIDDEN,
                "Only a centre supervisor can do this. / Ni msimamizi wa kituo pekee anayeweza kufanya hivi.",
            ))
        }
    }
}

/// An administrator; officers and supervisors are refused.
pub struct Administrator(pub StaffMember);

impl FromRequestParts<AppState> for Administrator {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(member) = Staff::from_request_parts(parts, state).await?;
        if member.role == crate::staff::Role::Administrator {
            Ok(Administrator(member))
        } else {
            Err(plain(
                StatusCode::FORBIDDEN,
                "Only an administrator can do this. / Ni msimamizi mkuu pekee anayeweza kufanya hivi.",
            ))
        }
    }
}

/// Appends a staff action to the audit chain, under the member's centre.
pub(super) async fn audit(
    state: &AppState,
    member: &StaffMember,
    action: &str,
    record: Option<(&str, &str)>,
    centre: Option<&str>,
    peer: &SocketAddr,
    detail: Option<String>,
) -> Result<(), Internal> {
    let mut event = Event::new(Actor::Staff(&member.id), action)
        .from_staff_address(&peer.ip().to_string())
        .at_centre(centre.or(member.centre_id.as_deref()));
    if let Some((kind, id)) = record {
        event = event.on(kind, id);
    }
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    Audit {
        db: &state.db,
        cipher: &state.cipher,
    }
    .record(&event, crate::clock::unix_now())
    .await?;
    Ok(())
}

/// The navigation bar's facts about the member.
pub(super) async fn bar(state: &AppState, member: &StaffMember) -> Result<StaffBar, Internal> {
    let centre_name = match &member.centre_id {
        Some(id) => crate::booking::centres::Centres { db: &state.db }
            .get(id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(StaffBar {
        email: member.email.clone(),
        role: member.role.code().to_string(),
        centre_name,
        supervisor: member.is_supervisor(),
    })
}

// ---- Sign-in ----

#[derive(Deserialize)]
struct SignInQuery {
    #[serde(rename = "signed-out")]
    signed_out: Option<String>,
    expired: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    head: Head,
    Query(query): Query<SignInQuery>,
) -> Response {
    let view = StaffSignInView {
        form: Form::default(),
        signed_out: query.signed_out.is_some(),
        expired: query.expired.is_some(),
    };
    render(&state, head, StatusCode::OK, view).await
}

fn problem_error(problem: SignInProblem) -> FieldError {
    match problem {
        SignInProblem::Wrong => FieldError::StaffSignInWrong,
        SignInProblem::Locked => FieldError::StaffLocked,
        SignInProblem::TooMany => FieldError::StaffTooMany,
    }
}

fn problem_status(problem: SignInProblem) -> StatusCode {
    match problem {
        SignInProblem::Wrong => StatusCode::UNPROCESSABLE_ENTITY,
        SignInProblem::Locked | SignInProblem::TooMany => StatusCode::TOO_MANY_REQUESTS,
    }
}

async fn signed_in(state: &AppState, session: &Session, id: &str, peer: &SocketAddr) -> PageResult {
    // A new session id once signed in: one planted or seen before is worthless.
    session.cycle_id().await?;
    session.remove::<String>(PENDING).await?;
    session.insert(STAFF, id).await?;
    if let Some(member) = accounts(state).member(id).await? {
        audit(
            state,
            &member,
            "staff.sign_in",
            Some(("staff", id)),
            None,
            peer,
            None,
        )
        .await?;
    }
    Ok(see_other("/staff"))
}

async fn sign_in_submit(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let mut form = match read_form(&head, &body, &["email", "password"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let password = form.value("password").to_string();
    // The password is never shown back.
    form.values.remove("password");
    if form.value("email").trim().is_empty() {
        form.errors
            .push(FieldIssue::new("email", FieldError::EmailMissing));
    }
    if password.is_empty() {
        form.errors.push(FieldIssue::new(
            "password",
            FieldError::StaffPasswordMissing,
        ));
    }
    if form.has_errors() {
        return Ok(render(
            &state,
            head,
            StatusCode::UNPROCESSABLE_ENTITY,
            StaffSignInView {
                form,
                ..Default::default()
            },
        )
        .await);
    }
    let now = crate::clock::unix_now();
    let outcome = accounts(&state)
        .check_password(form.value("email"), &password, &peer.ip().to_string(), now)
        .await?;
    match outcome {
        Ok(AfterPassword::SignedIn(id)) => signed_in(&state, &session, &id, &peer).await,
        Ok(AfterPassword::Code(id)) => {
            session.cycle_id().await?;
            session.insert(PENDING, id).await?;
            Ok(see_other("/staff/sign-in/code"))
        }
        Ok(AfterPassword::Enrol(id)) => {
            session.cycle_id().await?;
            session.insert(PENDING, id).await?;
            Ok(see_other("/staff/enrol"))
        }
        Err(problem) => {
            if problem == SignInProblem::Locked {
                tracing::warn!("staff sign-in refused: account locked");
            }
            form.errors
                .push(FieldIssue::new("password", problem_error(problem)));
            let status = problem_status(problem);
            Ok(render(
                &state,
                head,
                status,
                StaffSignInView {
                    form,
                    ..Default::default()
                },
            )
            .await)
        }
    }
}

async fn code_page(State(state): State<AppState>, session: Session, head: Head) -> PageResult {
    if session.get::<String>(PENDING).await?.is_none() {
        return Ok(see_other("/staff/sign-in"));
    }
    Ok(render(&state, head, StatusCode::OK, StaffCodeView::default()).await)
}

/// Checks the code typed on the code or the enrolment page.
async fn second_factor(
    state: &AppState,
    session: &Session,
    head: &Head,
    body: &Bytes,
    enrolling: bool,
) -> Result<Result<String, Form>, Response> {
    let Some(id) = session
        .get::<String>(PENDING)
        .await
        .map_err(|e| Internal::from(e).into_response())?
    else {
        return Err(see_other("/staff/sign-in"));
    };
    let mut form = read_form(head, body, &["code"])?;
    let code: String = form
        .value("code")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    form.values.remove("code");
    if code.is_empty() {
        form.errors
            .push(FieldIssue::new("code", FieldError::CodeMissing));
        return Ok(Err(form));
    }
    let checked = accounts(state)
        .check_code(&id, &code, enrolling, crate::clock::unix_now())
        .await
        .map_err(|e| Internal::from(e).into_response())?;
    match checked {
        Ok(()) => Ok(Ok(id)),
        Err(problem) => {
            let error = if problem == SignInProblem::Wrong {
                FieldError::TotpWrong
            } else {
                problem_error(problem)
            };
            form.errors.push(FieldIssue::new("code", error));
            Ok(Err(form))
        }
    }
}

async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Head,
    body: Bytes,
) -> PageResult {
    match second_factor(&state, &session, &head, &body, false).await {
        Err(response) => Ok(response),
        Ok(Ok(id)) => signed_in(&state, &session, &id, &peer).await,
        Ok(Err(form)) => Ok(render(
            &state,
            head,
            StatusCode::UNPROCESSABLE_ENTITY,
            StaffCodeView { form },
        )
        .await),
    }
}

async fn enrol_view(state: &AppState, id: &str, form: Form) -> Result<StaffEnrolView, Internal> {
    let accounts = accounts(state);
    let secret = accounts.enrolment_secret(id).await?;
    let email = accounts
        .member(id)
        .await?
        .map(|m| m.email)
        .unwrap_or_default();
    let qr_svg = super::citizen::booking::qr_svg(&crate::staff::accounts::otpauth_url(&email, &secret));
    Ok(StaffEnrolView {
        form,
        secret,
        qr_svg,
    })
}

async fn enrol_page(State(state): State<AppState>, session: Session, head: Head) -> PageResult {
    let Some(id) = session.get::<String>(PENDING).await? else {
        return Ok(see_other("/staff/sign-in"));
    };
    if accounts(&state)
        .member(&id)
        .await?
        .is_none_or(|m| m.totp_enrolled)
    {
        return Ok(see_other("/staff/sign-in"));
    }
    let view = enrol_view(&state, &id, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn enrol_submit(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Head,
    body: Bytes,
) -> PageResult {
    match second_factor(&state, &session, &head, &body, true).await {
        Err(response) => Ok(response),
        Ok(Ok(id)) => {
            if let Some(member) = accounts(&state).member(&id).await? {
                audit(
                    &state,
                    &member,
                    "staff.totp_enrolled",
                    Some(("staff", &id)),
                    None,
                    &peer,
                    None,
                )
                .await?;
            }
            signed_in(&state, &session, &id, &peer).await
        }
        Ok(Err(form)) => {
            let Some(id) = session.get::<String>(PENDING).await? else {
                return Ok(see_other("/staff/sign-in"));
            };
            let view = enrol_view(&state, &id, form).await?;
            Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
        }
    }
}

async fn sign_out(session: Session) -> PageResult {
    session.flush().await?;
    Ok(see_other("/staff/sign-in?signed-out=1"))
}
