//! The citizen's account: downloading a copy of their data, and deleting
//! the account (`citizen::account`) with a fresh code sent to its contact.

use super::{Citizen, CitizenSession, PendingSignIn};
use crate::citizen::account::Accounts;
use crate::citizen::sign_in::CodeProblem;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageForm, PageResult, render, see_other};
use anyhow::Context;
use app::forms::{FieldIssue, Form, sign_in_code_digits};
use app::identifiers::FieldError;
use app::pages::account::{self as account_page, DeleteAccountView};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/data.json", get(download))
        .route("/account/delete", get(delete_page).post(delete))
        .route("/account/delete/code", post(send_delete_code))
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 1] = ["/account/delete"];

fn accounts(state: &AppState) -> Accounts<'_> {
    Accounts {
        db: &state.db,
        cipher: &state.cipher,
    }
}

/// Appends to the audit chain: what was done to the account, with counts, never the data.
async fn audit(
    state: &AppState,
    account: &str,
    client: ClientAddr,
    action: &str,
    detail: String,
    now: i64,
) -> anyhow::Result<()> {
    let event =
        super::citizen_event(state, account, action, ("account", account), &client).detail(detail);
    state
        .audit()
        .record(&event, now)
        .await
        .map(drop)
        .context("recording the account's audit event")
}

async fn download(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    client: ClientAddr,
    Now(now): Now,
) -> PageResult {
    let claims = state
        .children()
        .claims(&account)
        .await
        .context("loading the account's guardianship claims")?;
    let export = accounts(&state)
        .export(&account, &claims, now)
        .await
        .context("exporting the account's data")?;
    let Some(export) = export else {
        return Ok(see_other("/sign-in"));
    };
    let body = serde_json::to_vec_pretty(&export)?;
    // Recorded before the data leaves: no audit entry, no download.
    audit(
        &state,
        &account,
        client,
        "account.download",
        format!("applications={}", export.applications.len()),
        now,
    )
    .await?;
    tracing::info!(account = %account, "data downloaded");
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"usajili-my-data.json\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn delete_page(
    State(state): State<AppState>,
    Citizen(_): Citizen,
    session: CitizenSession,
    head: Head,
) -> PageResult {
    let view = DeleteAccountView {
        form: Form::default(),
        sent_to: session.pending_deletion().await?.map(|p| p.sent_to),
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// Sends a code to the account's own phone or email address, to confirm
/// the deletion: the sign-in codes' limits apply.
async fn send_delete_code(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    client: ClientAddr,
    session: CitizenSession,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let Some(contact) = accounts(&state)
        .contact(&account)
        .await
        .context("loading the account's contact")?
    else {
        session.end().await?;
        return Ok(see_other("/sign-in"));
    };
    let requested = state
        .sign_in()
        .request_code(&contact, &client.key(), head.locale(), now)
        .await
        .context("sending a code to confirm deleting the account")?;
    match requested {
        Ok(challenge) => {
            let pending = PendingSignIn {
                challenge,
                sent_to: contact.masked(),
            };
            session.start_deletion(pending).await?;
            Ok(see_other("/account/delete"))
        }
        Err(refusal) => {
            let mut form = Form::default();
            form.errors
                .push(FieldIssue::new(account_page::SEND_CODE, refusal.into()));
            let view = DeleteAccountView {
                form,
                sent_to: None,
            };
            Ok(render(&state, head, StatusCode::TOO_MANY_REQUESTS, view).await)
        }
    }
}

/// Deletes the account, with the code sent to its contact; without a
/// right one, nothing happens.
async fn delete(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    client: ClientAddr,
    session: CitizenSession,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let Some(pending) = session.pending_deletion().await? else {
        return Ok(see_other("/account/delete"));
    };
    let mut form = body.read(&[account_page::CODE])?;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = match sign_in_code_digits(form.value(account_page::CODE)) {
        Err(error) => error,
        Ok(code) => match state
            .sign_in()
            .verify_code(&pending.challenge, &code, now, None)
            .await
            .context("checking the code that confirms a deletion")?
        {
            // The code went to this account's own contact.
            Ok(owner) if owner == account => {
                return erase(&state, &account, &client, session, now).await;
            }
            Ok(_) => FieldError::CodeExpired,
            Err(problem) => {
                if problem == CodeProblem::TooManyToday {
                    status = StatusCode::TOO_MANY_REQUESTS;
                }
                FieldError::from(problem)
            }
        },
    };
    form.errors
        .push(FieldIssue::new(account_page::CODE, problem));
    // The code is never shown back.
    form.values.remove(account_page::CODE);
    let view = DeleteAccountView {
        form,
        sent_to: Some(pending.sent_to),
    };
    Ok(render(&state, head, status, view).await)
}

/// Deletes the account, ends this session (the others end with it) and
/// records the event.
async fn erase(
    state: &AppState,
    account: &str,
    client: &ClientAddr,
    session: CitizenSession,
    now: i64,
) -> PageResult {
    let event = super::citizen_event(
        state,
        account,
        "account.delete",
        ("account", account),
        client,
    );
    let deleted = accounts(state)
        .delete(account, now, event)
        .await
        .context("deleting the account")?;
    session.end().await?;
    tracing::info!(
        account = %account,
        erased = deleted.applications_erased,
        kept = deleted.applications_kept,
        bookings_cancelled = deleted.bookings_cancelled,
        "account deleted"
    );
    Ok(see_other("/sign-in?deleted=1"))
}
