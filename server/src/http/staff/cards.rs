//! Cards ready (a supervisor's batch, pasted or a CSV upload, of
//! applications enrolled at their own centre) and the day's list as CSV for
//! the centre's own records. Both are audited: one event per card marked
//! ready and one for the batch, in the transaction that marks them.

use super::{Staff, Supervisor, audit, audit_in, bar, staff_event};
use crate::citizen::applications::Stored;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Notice, Now, PageError, PageResult, plain, render, today};
use crate::messages::Message;
use crate::staff::cards::{MAX_BATCH, mark_ready, references_in};
use anyhow::Context;
use app::forms::{FieldIssue, Form};
use app::i18n::Locale;
use app::identifiers::FieldError;
use app::pages::staff::{CardOutcome, CardsReadyView};
use axum::Router;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use sqlx::AnyConnection;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/cards-ready", get(cards_page).post(cards_submit))
        .route("/staff/export.csv", get(export))
}

async fn cards_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    head: Head,
) -> PageResult {
    let view = CardsReadyView {
        bar: bar(&state, &member).await?,
        ..Default::default()
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// The pasted text and the uploaded file's text, each cut at the body limit.
async fn read_batch(multipart: &mut Multipart) -> (String, String) {
    let (mut pasted, mut file) = (String::new(), String::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "references" => pasted = text,
            "file" => file = text,
            _ => {}
        }
    }
    (pasted, file)
}

async fn cards_submit(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    request: Request,
) -> PageResult {
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Notice::NotAnUpload,
        ));
    };
    let (pasted, file) = read_batch(&mut multipart).await;
    let mut form = Form::from_pairs([("references", pasted.as_str())], &["references"]);
    let (references, mistyped) = references_in(&format!("{pasted}\n{file}"));
    let Some(centre) = member.centre_id.clone() else {
        return Ok(plain(StatusCode::FORBIDDEN, Notice::CardsBySupervisor));
    };
    if references.is_empty() && mistyped.is_empty() {
        form.errors
            .push(FieldIssue::new("references", FieldError::CardsMissing));
        let view = CardsReadyView {
            bar: bar(&state, &member).await?,
            form,
            results: Vec::new(),
        };
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    let batch: Vec<_> = references.into_iter().take(MAX_BATCH).collect();
    let centre_name = state
        .centres()
        .get(&centre)
        .await
        .context("loading the supervisor's centre")?
        .map(|c| c.name)
        .unwrap_or_default();
    // The cards, their owners' messages and the audit event: one transaction.
    let mut tx = state.begin().await?;
    let (mut results, ready) = mark_ready(&mut tx, &batch, &centre, now)
        .await
        .context("marking cards ready")?;
    results.extend(
        mistyped
            .into_iter()
            .map(|token| (token, CardOutcome::Mistyped)),
    );
    for id in &ready {
        // One event per card, naming the application (never the person).
        let event =
            staff_event(&member, "card.ready", &client, Some(&centre)).on("application", id);
        audit_in(&state, &mut tx, &event).await?;
        let app = state
            .applications()
            .load_for_staff_in(&mut tx, id)
            .await
            .context("loading a ready card's application")?;
        if let Some(app) = app {
            notify_ready(&state, &mut tx, &app, &centre_name, now).await?;
        }
    }
    let detail = format!("{} marked of {}", ready.len(), results.len());
    let event = staff_event(&member, "cards.ready", &client, Some(&centre)).detail(detail);
    audit_in(&state, &mut tx, &event).await?;
    tx.commit().await.context("committing cards ready")?;
    let view = CardsReadyView {
        bar: bar(&state, &member).await?,
        form: Form::default(),
        results,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// Tells the applicant (for a child, the adult who registered the child)
/// that the card is ready and how to book its collection.
async fn notify_ready(
    state: &AppState,
    tx: &mut AnyConnection,
    app: &Stored,
    centre: &str,
    now: i64,
) -> PageResult<()> {
    let Some(reference) = app.reference.clone() else {
        return Ok(());
    };
    let message = Message::CardReady {
        reference,
        centre: centre.to_string(),
        ussd_code: Some(state.config.ussd.code.clone()),
    };
    Ok(state
        .message_about(tx, app, &app.account_id, Locale::en, &message, now)
        .await?)
}

#[derive(Deserialize)]
struct ExportQuery {
    day: Option<String>,
    centre: Option<String>,
}

/// A CSV cell, with formula characters neutralised (a spreadsheet must not
/// run a name as a formula).
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

async fn export(
    State(state): State<AppState>,
    Staff(member): Staff,
    client: ClientAddr,
    Query(query): Query<ExportQuery>,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let centre = match (&member.centre_id, query.centre) {
        (Some(own), _) => own.clone(),
        (None, Some(chosen)) => chosen,
        (None, None) => return Err(PageError::NotFound),
    };
    let day = query
        .day
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| today(now));
    let visits = crate::staff::desk::Desk {
        db: &state.db,
        cipher: &state.cipher,
    }
    .day(&centre, day)
    .await
    .context("loading the day's visits")?;
    let locale = head.locale();
    let mut csv = String::from("time,reference,name,visit,status\r\n");
    for visit in &visits {
        csv.push_str(&format!(
            "{},{},{},{},{}\r\n",
            cell(&app::calendar::clock_label(visit.minute)),
            cell(&visit.reference),
            cell(&visit.name),
            cell(if visit.kind == app::pages::staff::VisitKind::Enrolment {
                "enrolment"
            } else {
                "collection"
            }),
            cell(visit.status.label(locale)),
        ));
    }
    audit(
        &state,
        &member,
        "visits.export",
        None,
        Some(&centre),
        &client,
        Some(format!("{day}: {} rows", visits.len())),
    )
    .await?;
    let disposition = format!("attachment; filename=\"usajili-{centre}-{day}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}
