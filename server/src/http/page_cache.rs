//! Pages that are the same for everyone who is not signed in (the landing
//! page and the privacy notice), rendered once per language and day and
//! served from memory, with their brotli and gzip forms made once at each
//! encoder's best setting, which compressing every response cannot afford
//! (BENCHMARKS.md, "Lean pages").
//!
//! What makes that safe: nothing on these pages is anyone's. The
//! Content-Security-Policy allows the pages' scripts by hash, not by a
//! nonce per response (`security.rs`). A signed-in citizen's header
//! differs, so only requests that are not signed in are served from here,
//! and only a `GET` or `HEAD` without a query (the eligibility check's
//! answer is in the query). A response that is not a 200, or that sets a
//! cookie, is never kept; the session cookie, if any, is added by the
//! session layer outside, to each response.

use super::AppState;
use super::page::{Head, Notice, plain, render};
use crate::clock::Clock;
use app::context::{SignedIn, Today};
use app::dates::CivilDate;
use app::i18n::Locale;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The paths kept. Leptos does not route them: [`router`] does.
pub const KEPT: [&str; 2] = ["/", "/privacy"];

/// The largest page kept; a larger one is sent as rendered.
const MOST: usize = 256 * 1024;

/// A page's place: empty until the first request for it has rendered it.
type Slot = Arc<OnceCell<Arc<Kept>>>;

/// The kept pages, shared by every request of the process.
#[derive(Clone)]
struct PageCache {
    clock: Clock,
    pages: Arc<Mutex<HashMap<Key, Slot>>>,
}

/// What a kept page depends on besides its path: the language, and the day
/// (the landing page's eligibility check counts ages from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    path: &'static str,
    locale: Locale,
    day: CivilDate,
}

/// A page as rendered, in each encoding.
struct Kept {
    headers: HeaderMap,
    identity: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

/// The encodings a kept page is sent in, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The kept paths' routes. A handler of our own rather than Leptos's: a
/// page served from memory then costs no more than a trivial handler
/// behind the same layers (each layer clones what it wraps, per request,
/// and Leptos's handlers carry their options by value).
pub fn router(clock: Clock) -> Router<AppState> {
    let cache = PageCache {
        clock,
        pages: Arc::default(),
    };
    KEPT.into_iter().fold(Router::new(), |router, path| {
        let cache = cache.clone();
        router.route(
            path,
            get(move |State(state): State<AppState>, head: Head| serve(cache.clone(), state, head)),
        )
    })
}

impl PageCache {
    /// The page's key, when this request may be served a kept page.
    fn key(&self, request: &Parts, day: CivilDate) -> Option<Key> {
        let plain_get = matches!(request.method, Method::GET | Method::HEAD);
        let anonymous = request.extensions.get::<SignedIn>() == Some(&SignedIn(false));
        if !plain_get || !anonymous || request.uri.query().is_some() {
            return None;
        }
        let path = KEPT.into_iter().find(|p| *p == request.uri.path())?;
        Some(Key {
            path,
            locale: app::language::from_headers(&request.headers),
            day,
        })
    }

    /// The slot for `key`; the first of a new day clears the day before's.
    fn slot(&self, key: Key) -> Slot {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if !pages.contains_key(&key) {
            pages.retain(|k, _| k.day == key.day);
        }
        pages.entry(key).or_default().clone()
    }
}

/// Serves a kept page, or renders it (once, however many ask at the same
/// time) and keeps it; renders any other request for these paths.
async fn serve(cache: PageCache, state: AppState, head: Head) -> Response {
    let day = Today(CivilDate::in_nairobi_at(cache.clock.now()));
    let Some(key) = cache.key(head.parts(), day.0) else {
        return render(&state, head, StatusCode::OK, day).await;
    };
    let encoding = Encoding::preferred(&head.parts().headers);
    let slot = cache.slot(key);
    let kept = slot
        .get_or_try_init(|| async move {
            let response = render(&state, head, StatusCode::OK, day).await;
            if !keepable(&response) {
                return Err(Outcome::AsRendered(response));
            }
            let (parts, body) = response.into_parts();
            let identity = axum::body::to_bytes(body, MOST)
                .await
                .map_err(|_| Outcome::Failed)?;
            tokio::task::spawn_blocking(move || Kept::new(parts.headers, identity))
                .await
                .map_err(|_| Outcome::Failed)?
                .map(Arc::new)
                .map_err(|_| Outcome::Failed)
        })
        .await;
    match kept {
        Ok(kept) => kept.respond(encoding),
        Err(Outcome::AsRendered(response)) => response,
        Err(Outcome::Failed) => {
            tracing::error!("a page to keep could not be read or compressed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, Notice::Internal)
        }
    }
}

/// Why a page was not kept.
enum Outcome {
    /// Not a page to keep: sent as it was rendered.
    AsRendered(Response),
    /// Its body could not be read, or compressed.
    Failed,
}

/// Whether a rendered response may be served to everyone.
fn keepable(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CONTENT_ENCODING)
}

impl Kept {
    fn new(mut headers: HeaderMap, identity: Bytes) -> std::io::Result<Kept> {
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::TRANSFER_ENCODING);
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        let mut brotli = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut identity.as_ref(), &mut brotli, &params)?;
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&identity)?;
        let gzip = gzip.finish()?;
        Ok(Kept {
            headers,
            identity,
            brotli: brotli.into(),
            gzip: gzip.into(),
        })
    }

    fn respond(&self, encoding: Encoding) -> Response {
        let body = match encoding {
            Encoding::Brotli => &self.brotli,
            Encoding::Gzip => &self.gzip,
            Encoding::Identity => &self.identity,
        };
        let mut response = Response::new(Body::from(body.clone()));
        *response.headers_mut() = self.headers.clone();
        let coding = match encoding {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        };
        if let Some(coding) = coding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    }
}

impl Encoding {
    /// The best encoding `Accept-Encoding` allows: brotli, then gzip, then
    /// none. A coding with `q=0` is refused.
    fn preferred(headers: &HeaderMap) -> Encoding {
        let accepted = |name: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or("");
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.trim().parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    coding.eq_ignore_ascii_case(name) && !refused
                })
        };
        if accepted("br") {
            Encoding::Brotli
        } else if accepted("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> Encoding {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Encoding::preferred(&headers)
    }

    #[test]
    fn the_best_encoding_the_browser_takes_is_chosen() {
        assert_eq!(asking("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(asking("gzip"), Encoding::Gzip);
        assert_eq!(asking("BR;q=0.5, gzip;q=1"), Encoding::Brotli);
        assert_eq!(asking("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(asking("br; q=0.0"), Encoding::Identity);
        assert_eq!(asking("identity"), Encoding::Identity);
        assert_eq!(asking("brotli, gzipped"), Encoding::Identity);
        assert_eq!(Encoding::preferred(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn each_encoding_gives_back_the_page() {
        let page = Bytes::from("<!DOCTYPE html><p>Karibu</p>".repeat(50));
        let kept = Kept::new(HeaderMap::new(), page.clone()).unwrap();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut kept.brotli.as_ref(), &mut out).unwrap();
        assert_eq!(out, page);
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(kept.gzip.as_ref()),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, page);
        assert!(kept.brotli.len() < page.len() / 10);
    }
}
