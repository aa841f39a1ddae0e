//! The outbox, for administrators: messages by state with their tries and
//! last error (never a recipient or a text), and "send again" for a failed
//! one. Both are audited; only administrators (the `Administrator`
//! extractor) reach them, as the outbox spans every centre's citizens.

use super::{Administrator, audit, audit_in, bar, staff_event};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageResult, render, see_other, today};
use crate::messages::outbox;
use anyhow::Context;
use app::dates::CivilDate;
use app::pages::staff::{OutboxLine, OutboxView};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

/// Messages shown at once.
const SHOWN: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/outbox", get(outbox_page))
        .route("/staff/outbox/{id}/retry", post(retry))
}

#[derive(Deserialize)]
struct OutboxQuery {
    state: Option<String>,
    retried: Option<String>,
}

fn nairobi_time(at: i64, head: &Head) -> String {
    app::calendar::appointment_label(today(at), CivilDate::nairobi_minute_at(at), head.locale())
}

async fn outbox_page(
    State(state): State<AppState>,
    Administrator(member): Administrator,
    client: ClientAddr,
    Query(query): Query<OutboxQuery>,
    head: Head,
) -> PageResult {
    let shown = query
        .state
        .filter(|s| outbox::OutboxState::from_code(s).is_some())
        .unwrap_or_default();
    let entries = outbox::recent(
        &state.db,
        Some(shown.as_str()).filter(|s| !s.is_empty()),
        SHOWN,
    )
    .await
    .context("loading the outbox")?;
    audit(
        &state,
        &member,
        "outbox.view",
        None,
        None,
        &client,
        Some(format!("{} shown", entries.len())),
    )
    .await?;
    let lines = entries
        .into_iter()
        .map(|entry| OutboxLine {
            queued: nairobi_time(entry.created_at, &head),
            updated: nairobi_time(entry.updated_at, &head),
            id: entry.id,
            kind: entry.kind,
            channel: entry.channel,
            state: entry.state,
            attempts: entry.attempts,
            last_error: entry.last_error,
            retryable: entry.retryable,
        })
        .collect();
    let view = OutboxView {
        bar: bar(&state, &member).await?,
        counts: outbox::counts(&state.db)
            .await
            .context("counting the outbox")?,
        state: shown,
        lines,
        retried: query.retried.filter(|r| r == "queued" || r == "refused"),
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn retry(
    State(state): State<AppState>,
    Administrator(member): Administrator,
    client: ClientAddr,
    Path(id): Path<String>,
    Now(now): Now,
) -> PageResult {
    // The message queued again and its audit event: one transaction.
    let mut tx = state.begin().await?;
    let queued = outbox::retry(&mut tx, &id, now)
        .await
        .context("queueing a message again")?;
    if queued {
        let event = staff_event(&member, "outbox.retry", &client, None).on("message", &id);
        audit_in(&state, &mut tx, &event).await?;
        tx.commit().await.context("committing a retry")?;
    }
    Ok(see_other(&format!(
        "/staff/outbox?retried={}",
        if queued { "queued" } else { "refused" }
    )))
}
