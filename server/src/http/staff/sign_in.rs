//! Signing in to the console: the password, then a code from the
//! authenticator app, or enrolling one the first time; and signing out.
//! Every sign-in and enrolment is appended to the audit chain.

use super::{StaffSession, accounts, audit};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageError, PageForm, PageResult, qr_svg, render, see_other};
use crate::staff::accounts::{AfterPassword, SignInProblem};
use anyhow::Context;
use app::forms::{FieldIssue, Form};
use app::identifiers::FieldError;
use app::pages::staff::{StaffCodeView, StaffEnrolView, StaffSignInView};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/staff/sign-in/code", get(code_page).post(code_submit))
        .route("/staff/enrol", get(enrol_page).post(enrol_submit))
        .route("/staff/sign-out", post(sign_out))
}

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

async fn signed_in(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    client: &ClientAddr,
) -> PageResult {
    let member = accounts(state)
        .member(id)
        .await
        .context("loading the member signing in")?
        .context("the member signing in is gone")?;
    session
        .sign_in(id, member.session_epoch, state.clock.now())
        .await?;
    let record = Some(("staff", id));
    audit(state, &member, "staff.sign_in", record, None, client, None).await?;
    // A temporary password is changed first (the extractor sends the
    // member on from here).
    Ok(see_other("/staff"))
}

async fn sign_in_submit(
    State(state): State<AppState>,
    session: StaffSession,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&["email", "password"])?;
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
        let view = StaffSignInView {
            form,
            ..Default::default()
        };
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    let outcome = accounts(&state)
        .check_password(form.value("email"), &password, &client.key(), now)
        .await
        .context("checking a staff password")?;
    match outcome {
        Ok(AfterPassword::SignedIn(id)) => signed_in(&state, &session, &id, &client).await,
        Ok(AfterPassword::Code(id)) => {
            session.await_second_factor(id).await?;
            Ok(see_other("/staff/sign-in/code"))
        }
        Ok(AfterPassword::Enrol(id)) => {
            session.await_second_factor(id).await?;
            Ok(see_other("/staff/enrol"))
        }
        Err(problem) => {
            if problem == SignInProblem::Locked {
                tracing::warn!("staff sign-in refused: account locked");
            }
            form.errors
                .push(FieldIssue::new("password", problem_error(problem)));
            let view = StaffSignInView {
                form,
                ..Default::default()
            };
            Ok(render(&state, head, problem_status(problem), view).await)
        }
    }
}

/// The member waiting for their second factor; without one, back to sign in.
async fn pending_member(session: &StaffSession) -> PageResult<String> {
    session
        .pending()
        .await?
        .ok_or_else(|| PageError::Redirect("/staff/sign-in".to_string()))
}

async fn code_page(State(state): State<AppState>, session: StaffSession, head: Head) -> PageResult {
    pending_member(&session).await?;
    Ok(render(&state, head, StatusCode::OK, StaffCodeView::default()).await)
}

/// Checks the code typed on the code or the enrolment page (`enrolling`:
/// against the candidate secret this session was shown): the member's id,
/// or the form again with its problem.
async fn second_factor(
    state: &AppState,
    session: &StaffSession,
    body: &PageForm,
    enrolling: bool,
    client: &ClientAddr,
    now: i64,
) -> PageResult<Result<String, (Form, StatusCode)>> {
    let id = pending_member(session).await?;
    let candidate = if enrolling {
        // No secret shown to this session: nothing it can confirm.
        Some(session.shown_enrolment_secret().await?.unwrap_or_default())
    } else {
        None
    };
    let mut form = body.read(&["code"])?;
    let code: String = form
        .value("code")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    form.values.remove("code");
    if code.is_empty() {
        form.errors
            .push(FieldIssue::new("code", FieldError::CodeMissing));
        return Ok(Err((form, StatusCode::UNPROCESSABLE_ENTITY)));
    }
    let checked = accounts(state)
        .check_code(&id, &code, candidate.as_deref(), &client.key(), now)
        .await
        .context("checking a staff code")?;
    let Err(problem) = checked else {
        return Ok(Ok(id));
    };
    let error = if problem == SignInProblem::Wrong {
        FieldError::TotpWrong
    } else {
        problem_error(problem)
    };
    form.errors.push(FieldIssue::new("code", error));
    Ok(Err((form, problem_status(problem))))
}

async fn code_submit(
    State(state): State<AppState>,
    session: StaffSession,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    match second_factor(&state, &session, &body, false, &client, now).await? {
        Ok(id) => signed_in(&state, &session, &id, &client).await,
        Err((form, status)) => {
            let view = StaffCodeView { form };
            Ok(render(&state, head, status, view).await)
        }
    }
}

async fn enrol_view(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    form: Form,
) -> PageResult<StaffEnrolView> {
    let secret = session.enrolment_secret().await?;
    let email = accounts(state)
        .member(id)
        .await
        .context("loading the member enrolling")?
        .map(|m| m.email)
        .unwrap_or_default();
    let qr_svg = qr_svg(&crate::staff::accounts::otpauth_url(&email, &secret));
    Ok(StaffEnrolView {
        form,
        secret,
        qr_svg,
    })
}

async fn enrol_page(
    State(state): State<AppState>,
    session: StaffSession,
    head: Head,
) -> PageResult {
    let id = pending_member(&session).await?;
    if accounts(&state)
        .member(&id)
        .await
        .context("loading the member enrolling")?
        .is_none_or(|m| m.totp_enrolled)
    {
        return Ok(see_other("/staff/sign-in"));
    }
    let view = enrol_view(&state, &session, &id, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn enrol_submit(
    State(state): State<AppState>,
    session: StaffSession,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    // A right code stores the secret, emails the member and records the
    // enrolment, in one transaction (`StaffAccounts::check_code`).
    match second_factor(&state, &session, &body, true, &client, now).await? {
        Ok(id) => signed_in(&state, &session, &id, &client).await,
        Err((form, status)) => {
            let id = pending_member(&session).await?;
            let view = enrol_view(&state, &session, &id, form).await?;
            Ok(render(&state, head, status, view).await)
        }
    }
}

async fn sign_out(session: StaffSession) -> PageResult {
    session.end().await?;
    Ok(see_other("/staff/sign-in?signed-out=1"))
}
