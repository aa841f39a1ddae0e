//! `/pkg`: the compiled WASM, JS and CSS, precompressed at build time
//! (`cargo leptos build --release --precompress` and `scripts/bundles.sh`:
//! brotli at its best setting, which on-the-fly compression cannot afford).
//!
//! The names the pages use carry a hash of the file's content
//! (`citizen.0123456789abcdef.wasm`, `app::assets`): a new release gives new
//! names, so browsers may keep these for a year without asking again, and a
//! returning visitor downloads nothing from `/pkg`. Any other file (the
//! names cargo-leptos gives, used when the hashed list is missing) is
//! revalidated on every use (a 304 when nothing changed).

use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;

pub fn service(site_root: &str) -> axum::routing::MethodRouter {
    axum::routing::get_service(
        tower::ServiceBuilder::new()
            .layer(axum::middleware::from_fn(caching))
            .service(
                ServeDir::new(format!("{site_root}/pkg"))
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
    )
}

async fn caching(request: Request<Body>, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// `name.{16 hex digits}.ext`: a name that changes with the content.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.split('.');
    let (Some(name), Some(hash), Some(_ext)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_kept_for_a_year() {
        assert!(is_hashed("/landing.0123456789abcdef.wasm"));
        assert!(is_hashed("/usajili.0123456789abcdef.css"));
        assert!(!is_hashed("/usajili.wasm"));
        assert!(!is_hashed("/usajili.css"));
        assert!(!is_hashed("/assets.txt"));
        assert!(!is_hashed("/landing.0123456789ABCDEF.wasm"));
        assert!(!is_hashed("/landing.0123.wasm"));
        assert!(!is_hashed("/.0123456789abcdef.js"));
    }
}
