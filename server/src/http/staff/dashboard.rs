//! The centre's dashboard.

use super::{Staff, bar};
use crate::http::AppState;
use crate::http::citizen::{Head, PageResult, not_found, render, today};
use crate::staff::dashboard;
use app::pages::staff::DashboardView;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/dashboard", get(dashboard_page))
}

#[derive(Deserialize)]
struct DashboardQuery {
    centre: Option<String>,
}

async fn dashboard_page(
    State(state): State<AppState>,
    Staff(member): Staff,
    head: Head,
    Query(query): Query<DashboardQuery>,
) -> PageResult {
    let Some(centre) = member.centre_id.clone().or(query.centre) else {
        return Ok(not_found(&state, head).await);
    };
    let now = crate::clock::unix_now();
    let today = today(now);
    let days = dashboard::load(&state.db, &centre, today).await?;
    if days.is_empty() {
        return Ok(not_found(&state, head).await);
    }
    let (no_shows, due) = dashboard::no_shows_today(&state.db, &centre, today, now).await?;
    let (uncollected, uncollected_total) = dashboard::uncollected(&state.db, &centre, now).await?;
    let view = DashboardView {
        bar: bar(&state, &member).await?,
        days,
        no_shows,
        due,
        uncollected,
        uncollected_total,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}
