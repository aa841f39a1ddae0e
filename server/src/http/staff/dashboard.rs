//! The centre's dashboard.

use super::{Staff, bar};
use crate::http::AppState;
use crate::http::page::{Head, Now, PageError, PageResult, render, today};
use crate::staff::dashboard;
use anyhow::Context;
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
    Now(now): Now,
    head: Head,
    Query(query): Query<DashboardQuery>,
) -> PageResult {
    let centre = member
        .centre_id
        .clone()
        .or(query.centre)
        .ok_or(PageError::NotFound)?;
    let today = today(now);
    let days = dashboard::load(&state.db, &centre, today)
        .await
        .context("loading the dashboard's days")?;
    if days.is_empty() {
        return Err(PageError::NotFound);
    }
    let (no_shows, due) = dashboard::no_shows_today(&state.db, &centre, today, now)
        .await
        .context("counting today's no-shows")?;
    let (uncollected, uncollected_total) = dashboard::uncollected(&state.db, &centre, now)
        .await
        .context("counting uncollected cards")?;
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
