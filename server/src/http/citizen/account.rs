//! The citizen's account: downloading a copy of their data, and deleting
//! the account (`citizen::account`).

use super::{Citizen, CitizenSession};
use crate::audit::{Actor, Event};
use crate::citizen::account::Accounts;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageResult, render, see_other};
use anyhow::Context;
use app::pages::account::DeleteAccountView;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/data.json", get(download))
        .route("/account/delete", get(delete_page).post(delete))
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
    let event = Event::new(Actor::Citizen(account), action)
        .on("account", account)
        .from_citizen_address(&state.cipher, &client.key())
        .detail(detail);
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
    let export = accounts(&state)
        .export(&account, now)
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

async fn delete_page(State(state): State<AppState>, Citizen(_): Citizen, head: Head) -> PageResult {
    Ok(render(&state, head, StatusCode::OK, DeleteAccountView).await)
}

async fn delete(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    client: ClientAddr,
    session: CitizenSession,
    Now(now): Now,
) -> PageResult {
    let deleted = accounts(&state)
        .delete(&account, now)
        .await
        .context("deleting the account")?;
    session.end().await?;
    let detail = format!(
        "erased={} kept={} bookings_cancelled={}",
        deleted.applications_erased, deleted.applications_kept, deleted.bookings_cancelled
    );
    audit(&state, &account, client, "account.delete", detail, now).await?;
    tracing::info!(
        account = %account,
        erased = deleted.applications_erased,
        kept = deleted.applications_kept,
        bookings_cancelled = deleted.bookings_cancelled,
        "account deleted"
    );
    Ok(see_other("/sign-in?deleted=1"))
}
