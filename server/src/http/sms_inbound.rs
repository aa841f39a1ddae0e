//! `POST /sms/africastalking/{token}`: a citizen's text to our short code,
//! as Africa's Talking forwards it (form-encoded `from`, `to`, `text`,
//! `date`, `id`, `linkId`). The keywords and the answer are
//! `sms_inbound`; the answer goes out through the outbox.
//!
//! The same token as the delivery reports and USSD steps proves the
//! origin (constant-time comparison; without it or with another, a 404),
//! outside the pages' sessions and same-origin check
//! (`security::MACHINE_ROUTES`), with a small body limit. A text that
//! cannot be read is answered 200 and dropped, so the provider stops
//! retrying it; neither the number nor the text is logged.

use super::AppState;
use crate::sms_inbound::Inbound;
use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    routing::post,
};
use serde::Deserialize;

/// A text is at most a few hundred characters, with a few short fields.
const MAX_TEXT_BYTES: usize = 8 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sms/africastalking/{token}", post(africastalking_sms))
        .layer(DefaultBodyLimit::max(MAX_TEXT_BYTES))
}

#[derive(Deserialize)]
struct Text {
    from: String,
    #[serde(default)]
    text: String,
}

async fn africastalking_sms(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> StatusCode {
    if !state.provider_callback_allowed(&token, "incoming SMS") {
        return StatusCode::NOT_FOUND;
    }
    let Ok(text) = serde_urlencoded::from_bytes::<Text>(&body) else {
        tracing::info!("an incoming SMS that could not be read was dropped");
        return StatusCode::OK;
    };
    let inbound = Inbound {
        db: &state.db,
        cipher: &state.cipher,
        ussd_code: &state.config.ussd.code,
    };
    match inbound
        .answer(&text.from, &text.text, state.clock.now())
        .await
    {
        Ok(answered) => {
            if !answered {
                tracing::info!("an incoming SMS from no phone number was dropped");
            }
            StatusCode::OK
        }
        // The provider tries again later.
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "answering an incoming SMS failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
