//! Security headers on every response, and a per-response CSP nonce for the
//! one inline script (the hydration loader).

use super::notice::Notice;
use crate::config::Config;
use app::context::CspNonce;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Response, StatusCode, header},
    middleware::Next,
};
use base64::Engine as _;
use rand::RngCore as _;

#[derive(Clone)]
pub struct Policy {
    hsts: bool,
}

impl Policy {
    pub fn from_config(config: &Config) -> Self {
        Policy { hsts: config.https }
    }
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The Content-Security-Policy for a response whose inline script carries `nonce`.
///
/// `'wasm-unsafe-eval'` lets the page compile its own WASM (it allows no
/// JavaScript `eval`); everything else comes from this origin only.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
         media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

pub async fn headers(
    State(policy): State<Policy>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(self), microphone=(), geolocation=(), interest-cohort=()",
    );
    if policy.hsts {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Refuses a POST whose `Origin` names another site: with SameSite=Lax
/// cookies a cross-site form cannot carry a session anyway; this is the
/// second lock on the door. (Browsers send `Origin` on every POST.)
pub async fn same_origin_posts(request: Request, next: Next) -> Response<Body> {
    if request.method() == axum::http::Method::POST {
        let origin_host = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .filter(|o| *o != "null")
            .map(|o| {
                o.split_once("://")
                    .map(|(_, rest)| rest)
                    .unwrap_or(o)
                    .to_string()
            });
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        if let (Some(origin), Some(host)) = (origin_host, host)
            && origin != host
        {
            let mut response = Response::new(Body::from(Notice::CrossSite.bilingual()));
            *response.status_mut() = StatusCode::FORBIDDEN;
            return response;
        }
    }
    next.run(request).await
}

/// A panic becomes a plain 500 that shows nothing of the cause.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    let mut response = Response::new(Body::from(Notice::Internal.bilingual()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
