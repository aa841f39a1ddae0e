//! The metrics' HTTP side (`observe` keeps the series): the layer that
//! counts and times the portal's requests by route pattern, and the
//! metrics listener's own router, which answers `GET /metrics` and
//! nothing else. The portal's router never serves `/metrics`.

use super::AppState;
use crate::observe::{self, Gauges, series};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Instant;

/// The layer on the portal's router (when metrics are on): one count and
/// one duration per request, labelled by the pattern the router matched
/// (`/applications/{id}`), never the path itself.
pub(super) async fn count_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = series::method_label(request.method());
    let matched = request.extensions().get::<MatchedPath>().cloned();
    // The compiled assets are a nested service, which leaves no pattern.
    let assets = matched.is_none() && request.uri().path().starts_with("/pkg/");
    let response = next.run(request).await;
    let route = match &matched {
        Some(pattern) => pattern.as_str(),
        None if assets => series::ASSETS_ROUTE,
        None => series::UNMATCHED_ROUTE,
    };
    series::http_request(route, method, response.status().as_u16(), started.elapsed());
    response
}

/// The metrics listener's router: `GET /metrics` only.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

/// Serves [`router`] on `listener` until `stop` completes, then lets a
/// scrape in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(stop)
        .await
}

/// What the recorder holds, then the gauges read now.
async fn scrape(State(state): State<AppState>) -> Response {
    let mut text = observe::handle().map(|h| h.render()).unwrap_or_default();
    text.push_str(&sample(&state).await.into_text());
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The gauges read at scrape time: the pool, and what the database holds.
/// A database that does not answer leaves its gauges out and says so
/// (`usajili_database_up 0`); the pool's and the process's series remain.
async fn sample(state: &AppState) -> Gauges {
    let mut gauges = Gauges::new();
    let pool = &state.db;
    let (size, idle) = (i64::from(pool.size()), pool.num_idle() as i64);
    gauges
        .family(
            series::DB_CONNECTIONS,
            "Database pool connections, in use by a query or transaction and idle.",
        )
        .sample(
            series::DB_CONNECTIONS,
            &[("state", "in_use")],
            (size - idle).max(0) as f64,
        )
        .sample(series::DB_CONNECTIONS, &[("state", "idle")], idle as f64);
    gauges.single(
        series::DB_MAX_CONNECTIONS,
        "The most connections the pool opens.",
        f64::from(pool.options().get_max_connections()),
    );
    gauges.single(
        series::DB_WAITING,
        "Transactions waiting to begin: for a pool connection, and on SQLite for the write lock.",
        observe::waiting_to_begin() as f64,
    );
    let now = state.clock.now();
    match read_database(state, now).await {
        Ok(read) => {
            gauges.single(
                series::DATABASE_UP,
                "1 if the database answered this scrape's queries, else 0.",
                1.0,
            );
            write_database(&mut gauges, &read);
        }
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "metrics: the database did not answer");
            gauges.single(
                series::DATABASE_UP,
                "1 if the database answered this scrape's queries, else 0.",
                0.0,
            );
        }
    }
    gauges
}

struct DatabaseReading {
    outbox: crate::messages::outbox::Backlog,
    pending: (i64, i64),
    audit_verified_at: Option<i64>,
}

async fn read_database(state: &AppState, now: i64) -> anyhow::Result<DatabaseReading> {
    use anyhow::Context as _;
    Ok(DatabaseReading {
        outbox: crate::messages::outbox::backlog(&state.db, now)
            .await
            .context("counting the outbox")?,
        pending: crate::registry::pending::backlog(&state.db, now)
            .await
            .context("counting pending verifications")?,
        audit_verified_at: crate::audit::last_verified(&state.db)
            .await
            .context("reading the last audit verification")?,
    })
}

fn write_database(gauges: &mut Gauges, read: &DatabaseReading) {
    gauges.family(
        series::OUTBOX_MESSAGES,
        "Outbox messages not yet sent or given up on, by state (pending, sending, failed) and channel.",
    );
    for (state, channel, count) in &read.outbox.by_state_and_channel {
        gauges.sample(
            series::OUTBOX_MESSAGES,
            &[("state", state), ("channel", channel)],
            *count as f64,
        );
    }
    gauges.family(
        series::OUTBOX_OLDEST_PENDING,
        "Age of the oldest outbox message still to be sent (pending or sending), by channel; 0 when none.",
    );
    for (channel, age) in &read.outbox.oldest_waiting_secs {
        gauges.sample(
            series::OUTBOX_OLDEST_PENDING,
            &[("channel", channel)],
            *age as f64,
        );
    }
    let (waiting, oldest) = read.pending;
    gauges.single(
        series::PENDING_VERIFICATIONS,
        "Verifications waiting for the registry to answer.",
        waiting as f64,
    );
    gauges.single(
        series::PENDING_OLDEST,
        "Age of the oldest verification waiting for the registry; 0 when none.",
        oldest as f64,
    );
    gauges.single(
        series::AUDIT_LAST_VERIFIED,
        "When `usajili audit verify` last found the audit chain intact (Unix time); 0 if never.",
        read.audit_verified_at.unwrap_or(0) as f64,
    );
}
