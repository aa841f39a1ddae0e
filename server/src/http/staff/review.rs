//! Supervisors' pages: guardianship documents waiting for review, the
//! decision, and the audit trail (a supervisor's centre; everything for an
//! administrator). Reviews are routed to the supervisors of the county of
//! the child's birth (an administrator sees all); one outside the member's
//! scope, or claimed from their own contact, is the 404 page, as an unknown
//! one is, for the list, the page, the document and the decision alike.
//! Opening a review freezes its document: a replacement is a new review.

use super::{Supervisor, audit, audit_in, bar, staff_event};
use crate::citizen::children::{PendingGuardianship, Reviewer};
use crate::citizen::sign_in::ContactAddress;
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

/// The member as a reviewer: a supervisor reviews the claims of children
/// born in their centre's county, an administrator every county's; nobody
/// a claim made from their own contact (staff have no ID number on file,
/// so the contact is what is compared). A supervisor without a centre
/// reviews nothing (the 404 page).
async fn reviewer_of(state: &AppState, member: &StaffMember) -> PageResult<Reviewer> {
    let contact_index = ContactAddress::parse(&member.email)
        .ok()
        .map(|contact| contact.index(&state.cipher));
    let county = if member.role == crate::staff::Role::Administrator {
        None
    } else {
        let centre = member.centre_id.as_deref().ok_or(PageError::NotFound)?;
        let centre = state
            .centres()
            .get(centre)
            .await
            .context("loading the reviewer's centre")?
            .ok_or(PageError::NotFound)?;
        Some(centre.county_code)
    };
    Ok(Reviewer {
        id: member.id.clone(),
        county,
        contact_index,
    })
}

/// The review `id` if this reviewer may see it; else the 404 page.
async fn review_for(
    state: &AppState,
    reviewer: &Reviewer,
    id: &str,
) -> PageResult<PendingGuardianship> {
    state
        .children()
        .review(reviewer, id)
        .await
        .context("loading a review")?
        .ok_or(PageError::NotFound)
}

/// Records that the member opened the review's document (the first
/// opening freezes it) with the opening's audit event: one transaction.
async fn opened(
    state: &AppState,
    member: &StaffMember,
    client: &ClientAddr,
    review: &PendingGuardianship,
    (action, detail): (&str, Option<&str>),
    now: i64,
) -> PageResult<()> {
    let mut tx = state.begin().await?;
    state
        .children()
        .opened(&mut tx, &review.review_id, &member.id, now)
        .await
        .context("recording a review's opening")?;
    let mut event =
        staff_event(member, action, client, None).on("application", &review.application_id);
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    audit_in(state, &mut tx, &event).await?;
    tx.commit().await.context("committing a review's opening")?;
    Ok(())
}

async fn reviews_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    head: Head,
    Query(query): Query<ReviewsQuery>,
) -> PageResult {
    let reviewer = reviewer_of(&state, &member).await?;
    let pending = state
        .children()
        .pending_reviews(&reviewer)
        .await
        .context("loading the reviews waiting")?
        .into_iter()
        .map(|p| PendingReview {
            review_id: p.review_id,
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

/// The review page's data.
async fn review_view(
    state: &AppState,
    member: &StaffMember,
    review: PendingGuardianship,
    form: Form,
) -> PageResult<ReviewView> {
    let document = state
        .children()
        .document(&review.review_id)
        .await
        .context("loading a guardianship document")?
        .ok_or(PageError::NotFound)?;
    let child = state
        .applications()
        .load_for_staff(&review.application_id)
        .await
        .context("loading the child's application")?;
    let about = child.as_ref().and_then(|c| c.answers.about_you.clone());
    Ok(ReviewView {
        bar: bar(state, member).await?,
        review_id: review.review_id,
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
    Now(now): Now,
    head: Head,
) -> PageResult {
    let reviewer = reviewer_of(&state, &member).await?;
    let review = review_for(&state, &reviewer, &id).await?;
    let opening = ("record.open", Some("guardianship review"));
    opened(&state, &member, &client, &review, opening, now).await?;
    let view = review_view(&state, &member, review, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn document(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Path(id): Path<String>,
    Now(now): Now,
) -> PageResult {
    let reviewer = reviewer_of(&state, &member).await?;
    let review = review_for(&state, &reviewer, &id).await?;
    let document = state
        .children()
        .document(&review.review_id)
        .await
        .context("loading a guardianship document")?
        .ok_or(PageError::NotFound)?;
    opened(
        &state,
        &member,
        &client,
        &review,
        ("document.open", None),
        now,
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
    // Outside the member's scope, their own, decided or unknown: the 404 page.
    let reviewer = reviewer_of(&state, &member).await?;
    let review = review_for(&state, &reviewer, &id).await?;
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
            .decide(&mut tx, &reviewer, &id, (approve, &reason), now)
            .await
            .context("recording a guardianship decision")?;
        if decided {
            let action = if approve {
                "guardianship.approve"
            } else {
                "guardianship.reject"
            };
            let event = staff_event(&member, action, &client, None)
                .on("application", &review.application_id);
            audit_in(&state, &mut tx, &event).await?;
            tx.commit()
                .await
                .context("committing a guardianship decision")?;
            return Ok(see_other(&format!(
                "/staff/reviews?decided={}",
                if approve { "approved" } else { "rejected" }
            )));
        }
        // Decided by someone else, or replaced, meanwhile.
        return Ok(see_other("/staff/reviews"));
    }
    let view = review_view(&state, &member, review, form).await?;
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
