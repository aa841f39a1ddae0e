//! `POST /ussd/africastalking/{token}`: Africa's Talking's USSD callback
//! (form-encoded `sessionId`, `serviceCode`, `phoneNumber`, `networkCode`,
//! `text`), answered `text/plain` with `CON …` (a screen that waits) or
//! `END …` (the last one). The session itself is `ussd::`.
//!
//! Like the delivery reports (`http::messages`), it is outside the pages'
//! sessions and same-origin check (`security::MACHINE_ROUTES`), and the
//! secret last segment of the URL, compared in constant time with
//! `USAJILI_AT_CALLBACK_TOKEN`, proves the origin: without it, or with
//! another, the route is a 404. Whatever the input, the answer is a screen
//! saying what to do: too much typed, a failure on our side alike, never a
//! 500 or an empty answer. Neither the number nor what was typed is
//! logged.

use super::AppState;
use crate::ussd::{Reply, Request, Ussd};
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;

/// One step's form: a few short fields and what was typed (long sessions
/// are ended at `ussd::MAX_TEXT_CHARS`, so this is room to say so).
const MAX_STEP_BYTES: usize = 48 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ussd/africastalking/{token}", post(africastalking_ussd))
        .layer(DefaultBodyLimit::max(MAX_STEP_BYTES))
}

#[derive(Deserialize)]
struct Step {
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "phoneNumber")]
    phone_number: String,
    #[serde(default)]
    text: String,
}

fn screen(reply: &Reply) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        reply.body(),
    )
        .into_response()
}

async fn africastalking_ussd(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Body,
) -> Response {
    if !state.provider_callback_allowed(&token, "USSD step") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let code = state.config.ussd.code.clone();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_STEP_BYTES).await else {
        tracing::info!("a USSD step too long to read was ended");
        return screen(&Reply::too_long(&code));
    };
    let Ok(step) = serde_urlencoded::from_bytes::<Step>(&bytes) else {
        return (StatusCode::BAD_REQUEST, screen(&Reply::failed(&code))).into_response();
    };
    let ussd = Ussd {
        db: &state.db,
        cipher: &state.cipher,
        hashing: state.config.staff,
        hashing_turns: &state.ceilings.password_hashes,
        cutoff_secs: state.config.booking_cutoff_minutes.saturating_mul(60),
        settings: &state.config.ussd,
        verifications: state.verifications(),
        tries: state.config.registry_tries,
    };
    let request = Request {
        session_id: step.session_id.trim(),
        phone_number: &step.phone_number,
        text: &step.text,
    };
    match ussd.answer(&request, state.clock.now()).await {
        Ok(reply) => screen(&reply),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "answering a USSD step failed");
            screen(&Reply::failed(&code))
        }
    }
}
