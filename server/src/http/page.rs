//! The plumbing every page handler shares: the request's head to render
//! with, the time (`Now`), the posted form (`PageForm`), rendering a Leptos
//! page with its data, and `PageError`, which `?` carries out of a handler
//! and which is turned into a response here, in one place (the 404 page by
//! one layer, [`not_found_layer`]).
//!
//! Handler modules import from here (and from `mod.rs` files), never from
//! one another.

use super::AppState;
pub use super::notice::Notice;
use app::dates::CivilDate;
use app::forms::Form;
use app::i18n::Locale;
use app::shell::shell;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

/// A copy of the request's head, to render the page with.
pub struct Head(Parts);

impl<S: Send + Sync> FromRequestParts<S> for Head {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Head(parts.clone()))
    }
}

impl Head {
    /// The request's method, address, headers and extensions.
    pub fn parts(&self) -> &Parts {
        &self.0
    }

    pub fn locale(&self) -> Locale {
        app::language::from_headers(&self.0.headers)
    }

    /// Renders as if this path had been asked for (a page shown in answer
    /// to a post to another address).
    pub fn set_path(&mut self, path: &str) {
        if let Ok(uri) = axum::http::Uri::try_from(path) {
            self.0.uri = uri;
        }
    }
}

/// The time of the request, in seconds since the Unix epoch, from the
/// state's clock (which tests can move).
pub struct Now(pub i64);

impl FromRequestParts<AppState> for Now {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Now(state.clock.now()))
    }
}

/// The day in Nairobi at `now`.
pub fn today(now: i64) -> CivilDate {
    CivilDate::in_nairobi_at(now)
}

/// What a page handler gives instead of its page.
pub enum PageError {
    /// The 404 page, as for any unknown address: another citizen's
    /// application is indistinguishable from one that does not exist.
    NotFound,
    /// A 303 to this path.
    Redirect(String),
    /// This response as it is (a form sent in the wrong encoding, say);
    /// boxed, so that a `PageResult` stays small.
    Respond(Box<Response>),
    /// Something failed on our side: logged with its whole chain of
    /// context (never personal data) and shown as a plain apology.
    Internal(anyhow::Error),
}

impl PageError {
    /// Gives this response instead of the page.
    pub fn respond(response: impl IntoResponse) -> Self {
        PageError::Respond(Box::new(response.into_response()))
    }
}

impl<E: Into<anyhow::Error>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError::Internal(error.into())
    }
}

/// A page, or what to give instead.
pub type PageResult<T = Response> = Result<T, PageError>;

/// Marks a response that [`not_found_layer`] replaces with the 404 page.
#[derive(Clone, Copy)]
struct RenderNotFound;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => {
                let mut response = StatusCode::NOT_FOUND.into_response();
                response.extensions_mut().insert(RenderNotFound);
                response
            }
            PageError::Redirect(path) => see_other(&path),
            PageError::Respond(response) => *response,
            PageError::Internal(error) => {
                tracing::error!(error = %format!("{error:#}"), "request failed");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Notice::InternalNothingLost,
                )
            }
        }
    }
}

/// Renders the 404 page for a [`PageError::NotFound`], with the request's
/// head (language, signed-in header) as any page is rendered.
pub async fn not_found_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut head = Head(parts.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    if response.extensions().get::<RenderNotFound>().is_none() {
        return response;
    }
    head.0.uri = axum::http::Uri::from_static("/not-found");
    render(&state, head, StatusCode::NOT_FOUND, ()).await
}

/// A short plain-text answer where no page fits (a form sent the wrong
/// way, cards ready without a centre, our own failure), in both languages, since the
/// request may not say which one its sender reads.
pub fn plain(status: StatusCode, notice: Notice) -> Response {
    let mut response = (status, notice.bilingual()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Renders the app for this request with the page's data as context.
pub async fn render<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    head: Head,
    status: StatusCode,
    data: T,
) -> Response {
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || provide_context(data.clone()),
        move || shell(options.clone()),
    );
    let mut response = handler(Request::from_parts(head.0, Body::empty()))
        .await
        .into_response();
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    // Personal pages are never kept by the browser or a proxy.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Renders the page of another address than the request's (an
/// application's page after a refused submission, say).
pub async fn render_at<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut head: Head,
    path: &str,
    status: StatusCode,
    data: T,
) -> Response {
    head.set_path(path);
    render(state, head, status, data).await
}

/// A posted web form. The body is taken with the request; it is read (and
/// refused, 415 or 400) only when the handler asks, so whatever a handler
/// checks before reading its form it still checks first.
pub struct PageForm {
    urlencoded: bool,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for PageForm {
    type Rejection = Response;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let urlencoded = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("application/x-www-form-urlencoded");
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PageForm { urlencoded, body })
    }
}

impl PageForm {
    /// The form's `expected` fields.
    pub fn read(&self, expected: &[&str]) -> PageResult<Form> {
        let pairs = self.pairs()?;
        Ok(Form::from_pairs(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            expected,
        ))
    }

    /// Every value sent under `name`, whole (a field that repeats, or one
    /// whose length matters beyond what [`Form`] keeps).
    pub fn all(&self, name: &str) -> Vec<String> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&self.body)
            .unwrap_or_default()
            .into_iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value)
            .collect()
    }

    fn pairs(&self) -> PageResult<Vec<(String, String)>> {
        if !self.urlencoded {
            return Err(PageError::respond(plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Notice::NotAWebForm,
            )));
        }
        serde_urlencoded::from_bytes(&self.body)
            .map_err(|_| PageError::respond(plain(StatusCode::BAD_REQUEST, Notice::UnreadableForm)))
    }
}

/// A QR code of `text`, as an inline `<svg>` element.
pub fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(176, 176)
                .quiet_zone(true)
                .build();
            // An inline <svg> element, without the XML declaration.
            svg.find("<svg")
                .map(|at| svg[at..].to_string())
                .unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}
