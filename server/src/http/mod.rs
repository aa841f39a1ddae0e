//! The HTTP surface: one router built from each module's routes, the Leptos
//! pages, and the layers every response passes through.

mod assets;
mod citizen;
mod client_addr;
mod health;
mod language;
mod messages;
pub mod metrics;
mod notice;
mod page;
mod page_cache;
mod security;
pub mod session_store;
mod sms_inbound;
mod staff;
mod state;
mod ussd;

pub use client_addr::ClientAddr;
pub use state::{AppState, Services};

use app::shell::{App, shell};
use axum::{Router, extract::MatchedPath, http::Request};
use leptos_axum::{LeptosRoutes, generate_route_list_with_exclusions};
use std::time::Duration;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};

pub fn router(state: AppState) -> Router {
    // The citizen's pages are rendered by their own handlers, which load
    // what each page shows; Leptos serves the rest.
    let routes = generate_route_list_with_exclusions(
        App,
        Some(
            citizen::rendered_here()
                .chain(staff::RENDERED_HERE.iter().copied())
                .chain(page_cache::KEPT)
                .map(str::to_string)
                .collect(),
        ),
    );
    let options = state.leptos_options.clone();
    let context_db = state.db.clone();
    let body_limit = state.config.body_limit;
    let security = security::Policy::new(
        &state.config,
        &app::bundles::inline_scripts(&state.leptos_options),
    );

    let counted = state.config.metrics.addr.is_some();

    // Sessions only where pages are: assets and health checks never touch
    // the session table. Cookie: HttpOnly, SameSite=Lax, Secure over HTTPS;
    // 30 minutes without a request ends the session, and so does
    // `USAJILI_CITIZEN_SESSION_HOURS` after sign-in (`citizen::CitizenSession`).
    let sessions = tower_sessions::SessionManagerLayer::new(
        session_store::DbSessionStore::new(state.db.clone()).with_clock(state.clock.clone()),
    )
    .with_name("usajili_session")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Lax)
    .with_secure(state.config.https)
    .with_expiry(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(30),
    ))
    .with_always_save(true);
    let pages = Router::new()
        .merge(citizen::router())
        // Inside the signed-in marker below: only pages for visitors who are
        // not signed in are kept.
        .merge(page_cache::router(state.clock.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || leptos::prelude::provide_context(context_db.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Inside the marker below, so the 404 page knows who is signed in.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page::not_found_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            citizen::signed_in_marker,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(
            session_store::automatic_requests_are_no_activity,
        ));

    let portal = Router::new()
        .nest_service("/pkg", assets::service(&state.config.site_root))
        .merge(health::router())
        .merge(language::router())
        // Delivery reports come from the SMS provider's servers: no
        // sessions, and exempt from the same-origin rule
        // (`security::MACHINE_ROUTES`); a secret in the path instead.
        .merge(messages::router())
        // USSD steps and citizens' texts come from the same provider,
        // checked the same way.
        .merge(ussd::router())
        .merge(sms_inbound::router())
        // The staff console has sessions of its own, apart from citizens'.
        .merge(staff::router(&state))
        .merge(pages)
        .with_state(state)
        // Every request that changes things, on every route but the
        // machines' (`security::MACHINE_ROUTES`), comes from this site.
        .layer(axum::middleware::from_fn_with_state(
            security.clone(),
            security::same_origin_changes,
        ))
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(axum::middleware::from_fn_with_state(
            security,
            security::headers,
        ))
        .layer(
            // Spans record the route pattern (`/language/{code}`), never the
            // URL itself, so no personal data in a path or query reaches the logs.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("(unmatched)");
                    tracing::info_span!("request", method = %req.method(), route)
                })
                .on_response(
                    |res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(
                            status = res.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            "response"
                        );
                    },
                ),
        );
    // Requests counted and timed by route pattern, outermost, only when
    // metrics are served (`USAJILI_METRICS_ADDR`, on a listener of their own).
    if counted {
        portal.layer(axum::middleware::from_fn(metrics::count_requests))
    } else {
        portal
    }
}
