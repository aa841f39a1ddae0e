//! `GET /language/{code}?return=/path`: remembers the chosen language in a
//! cookie and sends the person back to the page they were on. A plain link,
//! so it works without JavaScript.

use super::AppState;
use app::language;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/language/{code}", get(switch_language))
}

#[derive(Deserialize)]
struct Return {
    #[serde(rename = "return")]
    path: Option<String>,
}

const ONE_YEAR_SECS: u32 = 365 * 24 * 3600;

async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(back): Query<Return>,
) -> Response {
    let Some(locale) = language::parse_code(&code) else {
        return (
            StatusCode::NOT_FOUND,
            "Unknown language. Lugha haijulikani.",
        )
            .into_response();
    };
    let back = language::safe_return_path(back.path.as_deref().unwrap_or("/"));
    let secure = if state.config.https { "; Secure" } else { "" };
    let cookie = format!(
        "{}={}; Path=/; Max-Age={ONE_YEAR_SECS}; SameSite=Lax; HttpOnly{secure}",
        language::COOKIE_NAME,
        language::code(locale)
    );
    let mut response = Redirect::to(back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
