//! Signing in with a code sent to a phone or an email address, and signing
//! out (`citizen::sign_in`).

use super::{CitizenSession, PendingSignIn};
use crate::citizen::sign_in::{CodeProblem, ContactAddress};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageForm, PageResult, render, see_other};
use anyhow::Context;
use app::forms::{FieldIssue, Form, sign_in_code_digits};
use app::identifiers::FieldError;
use app::pages::sign_in::{CodeView, SignInView};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-in/code", get(code_page).post(code_submit))
        .route("/sign-out", post(sign_out))
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 2] = ["/sign-in", "/sign-in/code"];

#[derive(Deserialize)]
struct SignInQuery {
    #[serde(rename = "signed-out")]
    signed_out: Option<String>,
    deleted: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    head: Head,
    Query(query): Query<SignInQuery>,
) -> Response {
    let view = SignInView {
        form: Form::default(),
        signed_out: query.signed_out.is_some(),
        deleted: query.deleted.is_some(),
    };
    render(&state, head, StatusCode::OK, view).await
}

async fn sign_in_submit(
    State(state): State<AppState>,
    session: CitizenSession,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&["contact"])?;
    let contact = match ContactAddress::parse(form.value("contact")) {
        Ok(contact) => contact,
        Err(error) => {
            form.errors.push(FieldIssue::new("contact", error));
            let view = SignInView {
                form,
                signed_out: false,
                deleted: false,
            };
            return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
        }
    };
    let locale = head.locale();
    let requested = state
        .sign_in()
        .request_code(&contact, &client.key(), locale, now)
        .await
        .context("requesting a sign-in code")?;
    match requested {
        Ok(challenge) => {
            let pending = PendingSignIn {
                challenge,
                sent_to: contact.masked(),
            };
            session.start_sign_in(pending).await?;
            Ok(see_other("/sign-in/code"))
        }
        Err(refusal) => {
            form.errors.push(FieldIssue::new("contact", refusal.into()));
            let view = SignInView {
                form,
                signed_out: false,
                deleted: false,
            };
            Ok(render(&state, head, StatusCode::TOO_MANY_REQUESTS, view).await)
        }
    }
}

async fn code_page(
    State(state): State<AppState>,
    session: CitizenSession,
    head: Head,
) -> PageResult {
    let Some(pending) = session.pending_sign_in().await? else {
        return Ok(see_other("/sign-in"));
    };
    let view = CodeView {
        form: Form::default(),
        sent_to: pending.sent_to,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn code_submit(
    State(state): State<AppState>,
    session: CitizenSession,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let Some(pending) = session.pending_sign_in().await? else {
        return Ok(see_other("/sign-in"));
    };
    let mut form = body.read(&["code"])?;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = match sign_in_code_digits(form.value("code")) {
        Err(error) => error,
        Ok(code) => match state
            .sign_in()
            .verify_code(&pending.challenge, &code, now, Some(&client.key()))
            .await
            .context("checking a sign-in code")?
        {
            Ok(account) => {
                session.sign_in(account, now).await?;
                return Ok(see_other("/applications"));
            }
            Err(problem) => {
                if problem == CodeProblem::TooManyToday {
                    status = StatusCode::TOO_MANY_REQUESTS;
                }
                FieldError::from(problem)
            }
        },
    };
    form.errors.push(FieldIssue::new("code", problem));
    // The code is never shown back.
    form.values.remove("code");
    let view = CodeView {
        form,
        sent_to: pending.sent_to,
    };
    Ok(render(&state, head, status, view).await)
}

async fn sign_out(session: CitizenSession) -> PageResult {
    session.end().await?;
    Ok(see_other("/sign-in?signed-out=1"))
}
