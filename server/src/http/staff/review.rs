//! Supervisors' pages: guardianship documents waiting for review, the
//! decision, and the audit trail (a supervisor's centre; everything for an
//! administrator).

use super::{Supervisor, audit, audit_in, bar, staff_event};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{Head, Now, PageError, PageForm, PageResult, render, see_other, today};
use crate::staff::StaffMember;
use anyhow::Context;
use app::forms::{FieldIssue, Form};
use app::identifiers::FieldError;
use app::pages::staff::{AuditLine, AuditView, PendingReview, ReviewView, ReviewsView};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

/// Audit entries shown on one page.
const AUDIT_PAGE: i64 = 200;
const MAX_REASON_CHARS: usize = 300;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/reviews", get(reviews_page))
        .route("/staff/reviews/{id}", get(review_page).post(decide))
        .route("/staff/reviews/{id}/document", get(document))
        .route("/staff/audit", get(audit_page))
}

#[derive(Deserialize)]
struct ReviewsQuery {
    decided: Option<String>,
}

async fn reviews_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    head: Head,
    Query(query): Query<ReviewsQuery>,
) -> PageResult {
    let pending = state
        .children()
        .pending_reviews()
        .await
        .context("loading the reviews waiting")?
        .into_iter()
        .map(|p| PendingReview {
            application_id: p.application_id,
            reference: p.reference.unwrap_or_default(),
            uploaded: today(p.created_at),
        })
        .collect();
    let decided = query.decided.filter(|d| d == "approved" || d == "rejected");
    Ok(render(
        &state,
        head,
        StatusCode::OK,
        ReviewsView {
            bar: bar(&state, &member).await?,
            pending,
            decided,
        },
    )
    .await)
}

/// The review page's data; the 404 page if no review is pending for `id`.
async fn review_view(
    state: &AppState,
    member: &StaffMember,
    id: &str,
    form: Form,
) -> PageResult<ReviewView> {
    let pending = state
        .children()
        .pending_reviews()
        .await
        .context("loading the reviews waiting")?;
    let review = pending
        .into_iter()
        .find(|p| p.application_id == id)
        .ok_or(PageError::NotFound)?;
    let document = state
        .children()
        .document(id)
        .await
        .context("loading a guardianship document")?
        .ok_or(PageError::NotFound)?;
    let child = state
        .applications()
        .load_for_staff(id)
        .await
        .context("loading the child's application")?;
    let about = child.as_ref().and_then(|c| c.answers.about_you.clone());
    Ok(ReviewView {
        bar: bar(state, member).await?,
        application_id: id.to_string(),
        reference: review.reference.unwrap_or_default(),
        child_name: about
            .as_ref()
            .map(|a| format!("{} {}", a.given_names, a.surname))
            .unwrap_or_default(),
        child_date_of_birth: about.map(|a| a.date_of_birth),
        document_reference: document.reference,
        document_type: document.content_type.to_string(),
        form,
    })
}

async fn review_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let view = review_view(&state, &member, &id, Form::default()).await?;
    audit(
        &state,
        &member,
        "record.open",
        Some(("application", &id)),
        None,
        &client,
        Some("guardianship review".into()),
    )
    .await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn document(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Path(id): Path<String>,
) -> PageResult {
    let pending = state
        .children()
        .pending_reviews()
        .await
        .context("loading the reviews waiting")?
        .into_iter()
        .any(|p| p.application_id == id);
    if !pending {
        return Err(PageError::NotFound);
    }
    let document = state
        .children()
        .document(&id)
        .await
        .context("loading a guardianship document")?
        .ok_or(PageError::NotFound)?;
    audit(
        &state,
        &member,
        "document.open",
        Some(("application", &id)),
        None,
        &client,
        None,
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, document.content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_DISPOSITION, "inline"),
        ],
        document.bytes,
    )
        .into_response())
}

async fn decide(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Path(id): Path<String>,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&["decision", "reason"])?;
    let approve = match form.value("decision") {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => None,
    };
    let reason: String = form
        .value("reason")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if approve.is_none() {
        form.errors.push(FieldIssue::new(
            "decision",
            FieldError::ReviewDecisionMissing,
        ));
    }
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        form.errors
            .push(FieldIssue::new("reason", FieldError::ReviewReasonMissing));
    }
    if let (Some(approve), false) = (approve, form.has_errors()) {
        // The decision and its audit event: one transaction.
        let mut tx = state.begin().await?;
        let decided = state
            .children()
            .decide(&mut tx, &id, (approve, &reason), &member.id, now)
            .await
            .context("recording a guardianship decision")?;
        if decided {
            let action = if approve {
                "guardianship.approve"
            } else {
                "guardianship.reject"
            };
            let event = staff_event(&member, action, &client, None).on("application", &id);
            audit_in(&state, &mut tx, &event).await?;
            tx.commit()
                .await
                .context("committing a guardianship decision")?;
            return Ok(see_other(&format!(
                "/staff/reviews?decided={}",
                if approve { "approved" } else { "rejected" }
            )));
        }
        // Decided by someone else meanwhile.
        return Ok(see_other("/staff/reviews"));
    }
    let view = review_view(&state, &member, &id, form).await?;
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}

async fn audit_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    head: Head,
) -> PageResult {
    let scope = if member.role == crate::staff::Role::Administrator {
        None
    } else {
        member.centre_id.as_deref()
    };
    let entries = state
        .audit()
        .trail(scope, AUDIT_PAGE)
        .await
        .context("loading the audit trail")?
        .into_iter()
        .map(|e| AuditLine {
            seq: e.seq,
            at: app::calendar::appointment_label(
                today(e.at),
                app::dates::CivilDate::nairobi_minute_at(e.at),
                head.locale(),
            ),
            actor: format!("{} {}", e.actor_kind, e.actor_id),
            action: e.action,
            record: match (e.record_kind, e.record_id) {
                (Some(kind), Some(id)) => format!("{kind} {id}"),
                _ => String::new(),
            },
            source: e.source.unwrap_or_default(),
        })
        .collect();
    audit(&state, &member, "audit.view", None, None, &client, None).await?;
    let view = AuditView {
        bar: bar(&state, &member).await?,
        entries,
        all_centres: scope.is_none(),
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}
