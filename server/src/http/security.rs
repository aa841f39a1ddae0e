//! Security headers on every response, with a Content-Security-Policy that
//! allows the pages' few inline scripts by their hashes, and the
//! same-origin rule for requests that change things.
//!
//! Hashes, not a nonce per response: every inline script a page can carry
//! is known when the process starts (each bundle's loader and Leptos's two
//! data scripts, `app::bundles::inline_scripts`), so the policy names
//! exactly those texts and nothing injected can match them. The policy is
//! then the same for every response, so a page that is the same for every
//! visitor can be rendered and compressed once (`page_cache.rs`).

use super::notice::Notice;
use crate::config::Config;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, header},
    middleware::Next,
};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

#[derive(Clone)]
pub struct Policy {
    /// Served over HTTPS: HSTS on, and this site's origin is `https://`.
    hsts: bool,
    /// The Content-Security-Policy, the same for every response.
    csp: HeaderValue,
}

impl Policy {
    /// The policy for this configuration, allowing `scripts` (the text of
    /// every inline script a page may carry) and no other inline script.
    pub fn new(config: &Config, scripts: &[String]) -> Self {
        Policy {
            hsts: config.https,
            // The policy is ASCII; were it not, no script would run at all.
            csp: HeaderValue::from_str(&content_security_policy(scripts))
                .unwrap_or(HeaderValue::from_static("default-src 'none'")),
        }
    }
}

/// The Content-Security-Policy that allows these inline scripts, by the
/// SHA-256 of each text, as browsers hash it.
///
/// `'wasm-unsafe-eval'` lets the page compile its own WASM (it allows no
/// JavaScript `eval`); everything else comes from this origin only.
pub fn content_security_policy(scripts: &[String]) -> String {
    let mut hashes: Vec<String> = scripts
        .iter()
        .map(|text| {
            let digest = Sha256::digest(text.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    hashes.sort();
    hashes.dedup();
    format!(
        "default-src 'self'; script-src 'self' {} 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
         media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
        hashes.join(" ")
    )
}

pub async fn headers(State(policy): State<Policy>, request: Request, next: Next) -> Response<Body> {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.csp.clone());
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Nothing of our addresses reaches another site; within the site,
    // browsers send the real `Origin` on a form post (under `no-referrer`
    // they send `Origin: null`, which the same-origin check refuses).
    set(header::REFERRER_POLICY, "same-origin");
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

/// Routes called by machines, not browsers: no `Origin` to check, so the
/// same-origin rule below does not apply to them. Each proves where its
/// requests come from in its own way; keep this list to such routes.
/// - `/messages/delivery/`: the SMS provider's delivery reports, with a
///   secret token in the path compared in constant time (`http/messages.rs`).
/// - `/ussd/africastalking/`: the same provider's USSD steps, with the same
///   token (`http/ussd.rs`).
/// - `/sms/africastalking/`: citizens' texts to the short code, forwarded
///   by the same provider with the same token (`http/sms_inbound.rs`).
const MACHINE_ROUTES: [&str; 3] = [
    "/messages/delivery/",
    "/ussd/africastalking/",
    "/sms/africastalking/",
];

/// Refuses (403) a request that changes things (POST, PUT, PATCH, DELETE)
/// unless it says it comes from this site: its `Origin` (or, without one,
/// its `Referer`) must have this site's scheme, host and port. No `Origin`
/// and no `Referer`, or `Origin: null`, is refused: the rule fails closed.
/// Browsers send `Origin` on every form post, so forms work without
/// JavaScript; with SameSite cookies as well, this is the second lock on
/// the door. [`MACHINE_ROUTES`] are the exceptions.
pub async fn same_origin_changes(
    State(policy): State<Policy>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let machine = MACHINE_ROUTES
        .iter()
        .any(|prefix| request.uri().path().starts_with(prefix));
    if changes && !machine && !policy.same_origin(request.headers()) {
        let mut response = Response::new(Body::from(Notice::CrossSite.bilingual()));
        *response.status_mut() = StatusCode::FORBIDDEN;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return response;
    }
    next.run(request).await
}

/// A scheme, host and port: what makes two addresses the same site.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// The origin of an absolute address (`Origin` or `Referer`); `null`,
    /// or anything that is no such address, is none.
    fn of_url(text: &str) -> Option<Origin> {
        let uri: http::Uri = text.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let authority = uri.authority()?;
        if authority.as_str().contains('@') {
            return None;
        }
        let port = authority.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        });
        Some(Origin {
            scheme,
            host: authority.host().to_ascii_lowercase(),
            port,
        })
    }

    /// This site's origin, as the request's `Host` names it.
    fn of_host(host: &str, https: bool) -> Option<Origin> {
        let authority: http::uri::Authority = host.parse().ok()?;
        if authority.as_str().contains('@') {
            return None;
        }
        let scheme = if https { "https" } else { "http" };
        Some(Origin {
            scheme: scheme.to_string(),
            host: authority.host().to_ascii_lowercase(),
            port: authority
                .port_u16()
                .or(if https { Some(443) } else { Some(80) }),
        })
    }
}

impl Policy {
    /// Whether a request's `Origin` (else its `Referer`) is this site.
    fn same_origin(&self, headers: &HeaderMap) -> bool {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let Some(site) = text(header::HOST).and_then(|h| Origin::of_host(h, self.hsts)) else {
            return false;
        };
        let claimed = match text(header::ORIGIN) {
            Some(origin) => Origin::of_url(origin),
            None => text(header::REFERER).and_then(Origin::of_url),
        };
        claimed.is_some_and(|claimed| claimed == site)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(https: bool) -> Policy {
        Policy {
            hsts: https,
            csp: HeaderValue::from_static("default-src 'self'"),
        }
    }

    #[test]
    fn the_policy_allows_each_inline_script_by_its_hash_and_nothing_else_inline() {
        // The example of CSP's own specification and MDN.
        let csp = content_security_policy(&["alert('Hello, world.');".to_string()]);
        assert!(
            csp.contains("script-src 'self' 'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("nonce"),
            "{csp}"
        );
        let twice = content_security_policy(&["a".to_string(), "b".to_string(), "a".to_string()]);
        assert_eq!(twice.matches("'sha256-").count(), 2, "{twice}");
    }

    fn headers(pairs: &[(HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn an_origin_is_this_site_only_with_the_same_scheme_host_and_port() {
        let site = |origin: &str| {
            policy(false).same_origin(&headers(&[
                (header::HOST, "portal.example:3000"),
                (header::ORIGIN, origin),
            ]))
        };
        assert!(site("http://portal.example:3000"));
        assert!(site("http://PORTAL.example:3000"));
        assert!(!site("https://portal.example:3000"));
        assert!(!site("http://portal.example:3001"));
        assert!(!site("http://portal.example"));
        assert!(!site("http://portal.example:3000.evil.example"));
        assert!(!site("http://portal.example.evil.example:3000"));
        assert!(!site("http://user@portal.example:3000"));
        assert!(!site("null"));
        assert!(!site("portal.example:3000"));
    }

    #[test]
    fn default_ports_are_the_schemes_own() {
        let https = policy(true).same_origin(&headers(&[
            (header::HOST, "portal.example"),
            (header::ORIGIN, "https://portal.example:443"),
        ]));
        assert!(https);
        let http_on_https_site = policy(true).same_origin(&headers(&[
            (header::HOST, "portal.example"),
            (header::ORIGIN, "http://portal.example"),
        ]));
        assert!(!http_on_https_site);
    }

    #[test]
    fn without_an_origin_the_referer_decides_and_without_either_nothing_passes() {
        let host = (header::HOST, "portal.example");
        let referer =
            |r: &str| policy(true).same_origin(&headers(&[host.clone(), (header::REFERER, r)]));
        assert!(referer("https://portal.example/account/delete?x=1"));
        assert!(!referer("https://elsewhere.example/portal.example"));
        assert!(!policy(true).same_origin(&headers(std::slice::from_ref(&host))));
        // An Origin, even `null`, is what decides when it is there.
        assert!(!policy(true).same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "null"),
            (header::REFERER, "https://portal.example/"),
        ])));
        assert!(!policy(true).same_origin(&headers(&[(header::ORIGIN, "https://portal.example")])));
    }
}
