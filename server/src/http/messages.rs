//! `POST /messages/delivery/africastalking/{token}`: Africa's Talking's
//! delivery reports (form-encoded `id`, `status`, `phoneNumber`,
//! `networkCode`, `failureReason`, `retryCount`).
//!
//! The provider posts from its own servers, so this route sits outside the
//! pages' same-origin check and sessions. What proves a report's origin is
//! the secret last segment of the URL, registered with the provider and
//! compared in constant time with `USAJILI_AT_CALLBACK_TOKEN`; without that
//! setting, or with another token, the route is a 404. A report for a
//! message we do not know is answered 200 and dropped, so the provider
//! stops retrying it. The phone number in a report is never read into a
//! variable, stored or logged; the trace span records the route pattern,
//! not the token.

use super::AppState;
use crate::messages::outbox::{self, DeliveryOutcome};
use crate::messages::transport::sms::{Delivery, DeliveryReport};
use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    routing::post,
};

/// A delivery report is a handful of short fields.
const MAX_REPORT_BYTES: usize = 4 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/messages/delivery/africastalking/{token}",
            post(africastalking_delivery),
        )
        .layer(DefaultBodyLimit::max(MAX_REPORT_BYTES))
}

async fn africastalking_delivery(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> StatusCode {
    if !state.provider_callback_allowed(&token, "delivery report") {
        return StatusCode::NOT_FOUND;
    }
    let Ok(report) = serde_urlencoded::from_bytes::<DeliveryReport>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let outcome = match report.delivery() {
        Delivery::Delivered => DeliveryOutcome::Delivered,
        Delivery::Failed(reason) => DeliveryOutcome::Failed(reason),
        Delivery::InProgress => return StatusCode::OK,
        Delivery::Unknown => {
            tracing::info!("a delivery report with an unknown status was ignored");
            return StatusCode::OK;
        }
    };
    match outbox::record_delivery(&state.db, report.id.trim(), &outcome, state.clock.now()).await {
        Ok(moved) => {
            if moved.is_empty() {
                tracing::info!("a delivery report matched no sent message and was ignored");
            }
            StatusCode::OK
        }
        // The provider tries again later.
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "recording a delivery report failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
