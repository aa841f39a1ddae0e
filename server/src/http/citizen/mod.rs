//! The citizen's pages: sign-in, sign-out, the applications and each of
//! their steps. Every page is a server-rendered form that posts back here;
//! a form with problems is rendered again from what was typed, with the
//! problems, and a status of 422 (429 past a rate limit, 409 on a refusal).
//!
//! Handlers load what the page shows and give it to the Leptos page as
//! context (`render`); the pages themselves are in `app::pages`.

pub(super) mod account;
pub(super) mod booking;
pub(super) mod children;

use super::AppState;
use crate::citizen::applications::{Applications, Refused, Stored};
use crate::citizen::sign_in::{CodeProblem, ContactAddress, SignIn};
use crate::outbox::Message;
use crate::pending_verification::PendingVerifications;
use crate::photo::{self, PhotoError};
use crate::verification::ApplicationKind;
use app::application::{ApplicationState, Task};
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form, sign_in_code_digits};
use app::i18n::Locale;
use app::identifiers::FieldError;
use app::pages::applications::{
    ApplicationSummary, ApplicationView, ApplicationsView, Appointment, Refusal, StepView,
};
use app::pages::children::ChildSummary;
use app::pages::sign_in::{CodeView, SignInView};
use app::shell::{SignedIn, shell};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use tower_sessions::Session;

const ACCOUNT: &str = "account";
const PENDING_SIGN_IN: &str = "sign_in";

#[derive(Clone, Serialize, Deserialize)]
struct PendingSignIn {
    challenge: String,
    sent_to: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-in/code", get(code_page).post(code_submit))
        .route("/sign-out", post(sign_out))
        .route("/applications", get(list_page).post(start_application))
        .route("/applications/{id}", get(application_page))
        .route("/applications/{id}/photo.jpg", get(photo_file))
        .route(
            "/applications/{id}/{step}",
            get(step_page).post(step_submit),
        )
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 5] = [
    "/sign-in",
    "/sign-in/code",
    "/applications",
    "/applications/{id}",
    "/applications/{id}/{step}",
];

/// Tells the page shell whether someone is signed in (for the header).
pub async fn signed_in_marker(session: Session, mut request: Request, next: Next) -> Response {
    let signed_in = matches!(session.get::<String>(ACCOUNT).await, Ok(Some(_)));
    request.extensions_mut().insert(SignedIn(signed_in));
    next.run(request).await
}

/// A copy of the request's head, to render the page with.
pub struct Head(Parts);

impl<S: Send + Sync> FromRequestParts<S> for Head {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Head(parts.clone()))
    }
}

impl Head {
    pub(super) fn locale(&self) -> Locale {
        app::language::from_headers(&self.0.headers)
    }

    /// Renders as if this path had been asked for (a page shown in answer
    /// to a post to another address).
    pub(super) fn set_path(&mut self, path: &str) {
        if let Ok(uri) = axum::http::Uri::try_from(path) {
            self.0.uri = uri;
        }
    }
}

/// A signed-in citizen's account id; anyone else is sent to sign in.
pub struct Citizen(pub(super) String);

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match session.get::<String>(ACCOUNT).await {
            Ok(Some(account)) => Ok(Citizen(account)),
            _ => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// Something failed on our side: logged (without personal data) and shown
/// as a plain apology.
pub struct Internal(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Internal {
    fn from(error: E) -> Self {
        Internal(error.into())
    }
}

impl IntoResponse for Internal {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "request failed");
        plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. Nothing you entered was lost; please try again. / \
             Hitilafu imetokea upande wetu. Hakuna ulichoandika kilichopotea; tafadhali jaribu tena.",
        )
    }
}

pub(super) type PageResult = Result<Response, Internal>;

pub(super) fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pub(super) fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Renders the app for this request with the page's data as context.
pub(super) async fn render<T: Clone + Send + Sync + 'static>(
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
pub(super) async fn render_at<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut head: Head,
    path: &str,
    status: StatusCode,
    data: T,
) -> Response {
    head.set_path(path);
    render(state, head, status, data).await
}

/// The 404 page, as for any unknown address: another citizen's application
/// is indistinguishable from one that does not exist.
pub(super) async fn not_found(state: &AppState, mut head: Head) -> Response {
    head.0.uri = axum::http::Uri::from_static("/not-found");
    render(state, head, StatusCode::NOT_FOUND, ()).await
}

pub(super) fn read_form(head: &Head, body: &Bytes, expected: &[&str]) -> Result<Form, Response> {
    let content_type = head
        .0
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This form must be sent as a web form. / Fomu hii lazima itumwe kama fomu ya wavuti.",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
        plain(
            StatusCode::BAD_REQUEST,
            "The form could not be read. / Fomu haikuweza kusomwa.",
        )
    })?;
    Ok(Form::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        expected,
    ))
}

/// The day in Nairobi at `now`.
pub(super) fn today(now: i64) -> CivilDate {
    CivilDate::in_nairobi_at(now)
}

fn verifications(state: &AppState) -> PendingVerifications {
    PendingVerifications {
        db: state.db.clone(),
        cipher: state.cipher.clone(),
        registry: state.registry.clone(),
        retry_secs: state.config.verification_retry_secs,
    }
}

fn sign_in_service(state: &AppState) -> SignIn<'_> {
    SignIn {
        db: &state.db,
        cipher: &state.cipher,
        per_connection_limit: state.config.sign_in_per_connection,
    }
}

pub(super) fn applications(state: &AppState) -> Applications<'_> {
    Applications {
        db: &state.db,
        cipher: &state.cipher,
    }
}

// ---- Sign-in ----

#[derive(Deserialize)]
struct SignInQuery {
    #[serde(rename = "signed-out")]
    signed_out: Option<String>,
    deleted: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    head: Head,
    axum::extract::Query(query): axum::extract::Query<SignInQuery>,
) -> Response {
    let view = SignInView {
        form: Form::default(),
        signed_out: query.signed_out.is_some(),
        deleted: query.deleted.is_some(),
    };
    render(&state, head, StatusCode::OK, view).await
}

async fn sign_in_submit(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let mut form = match read_form(&head, &body, &["contact"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let contact = match ContactAddress::parse(form.value("contact")) {
        Ok(contact) => contact,
        Err(error) => {
            form.errors.push(FieldIssue::new("contact", error));
            let view = SignInView {
                form,
                signed_out: false,
                deleted: false,
            };
            return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
        }
    };
    let now = crate::clock::unix_now();
    let locale = head.locale();
    match sign_in_service(&state)
        .request_code(&contact, &peer.ip().to_string(), locale, now)
        .await?
    {
        Ok(challenge) => {
            let pending = PendingSignIn {
                challenge,
                sent_to: contact.masked(),
            };
            session.insert(PENDING_SIGN_IN, pending).await?;
            Ok(see_other("/sign-in/code"))
        }
        Err(refusal) => {
            form.errors.push(FieldIssue::new("contact", refusal.into()));
            let view = SignInView {
                form,
                signed_out: false,
                deleted: false,
            };
            Ok(render(&state, head, StatusCode::TOO_MANY_REQUESTS, view).await)
        }
    }
}

async fn code_page(State(state): State<AppState>, session: Session, head: Head) -> PageResult {
    let Some(pending) = session.get::<PendingSignIn>(PENDING_SIGN_IN).await? else {
        return Ok(see_other("/sign-in"));
    };
    Ok(render(
        &state,
        head,
        StatusCode::OK,
        CodeView {
            form: Form::default(),
            sent_to: pending.sent_to,
        },
    )
    .await)
}

async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    head: Head,
    body: Bytes,
) -> PageResult {
    let Some(pending) = session.get::<PendingSignIn>(PENDING_SIGN_IN).await? else {
        return Ok(see_other("/sign-in"));
    };
    let mut form = match read_form(&head, &body, &["code"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let problem = match sign_in_code_digits(form.value("code")) {
        Err(error) => Some(error),
        Ok(code) => match sign_in_service(&state)
            .verify_code(&pending.challenge, &code, crate::clock::unix_now())
            .await?
        {
            Ok(account) => {
                // A new session id once signed in, so an id planted or seen
                // before sign-in is worth nothing.
                session.cycle_id().await?;
                session.remove::<PendingSignIn>(PENDING_SIGN_IN).await?;
                session.insert(ACCOUNT, account).await?;
                return Ok(see_other("/applications"));
            }
            Err(CodeProblem::Wrong) => Some(FieldError::CodeWrong),
            Err(CodeProblem::Dead) => Some(FieldError::CodeExpired),
        },
    };
    if let Some(error) = problem {
        form.errors.push(FieldIssue::new("code", error));
    }
    // The code is never shown back.
    form.values.remove("code");
    let view = CodeView {
        form,
        sent_to: pending.sent_to,
    };
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}

async fn sign_out(session: Session) -> PageResult {
    session.flush().await?;
    Ok(see_other("/sign-in?signed-out=1"))
}

// ---- Applications ----

fn summary(app: &Stored) -> ApplicationSummary {
    ApplicationSummary {
        id: app.id.clone(),
        reference: app.reference.clone(),
        state: app.state,
        name: app
            .answers
            .about_you
            .as_ref()
            .map(|a| format!("{} {}", a.given_names, a.surname)),
    }
}

async fn list_view(
    state: &AppState,
    account: &str,
    problem: Option<Refusal>,
) -> Result<ApplicationsView, Internal> {
    let stored = applications(state).list(account).await?;
    let (children, own): (Vec<&Stored>, Vec<&Stored>) = stored
        .iter()
        .partition(|a| a.kind == ApplicationKind::MinorCard);
    let children = children
        .into_iter()
        .map(|a| ChildSummary {
            id: a.id.clone(),
            name: summary(a).name.unwrap_or_default(),
            state: a.state,
            reference: a.reference.clone(),
        })
        .collect();
    Ok(ApplicationsView {
        applications: own.into_iter().map(summary).collect(),
        problem,
        children,
        consent_withdrawn: false,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    withdrawn: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> PageResult {
    let mut view = list_view(&state, &account, None).await?;
    view.consent_withdrawn = query.withdrawn.is_some();
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn start_application(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
) -> PageResult {
    match applications(&state)
        .create(&account, crate::clock::unix_now())
        .await?
    {
        Ok(id) => Ok(see_other(&format!("/applications/{id}"))),
        Err(_) => {
            let view = list_view(&state, &account, Some(Refusal::AccountLimit)).await?;
            Ok(render(&state, head, StatusCode::CONFLICT, view).await)
        }
    }
}

fn application_view(
    app: Stored,
    problem: Option<Refusal>,
    appointment: Option<Appointment>,
) -> ApplicationView {
    ApplicationView {
        appointment,
        id: app.id,
        reference: app.reference,
        state: app.state,
        attention: app.attention,
        answers: app.answers,
        has_photo: app.has_photo,
        problem,
    }
}

/// The citizen's own application, brought up to date with the registry.
pub(super) async fn own(
    state: &AppState,
    account: &str,
    id: &str,
) -> Result<Option<Stored>, Internal> {
    let Some(app) = applications(state).load(account, id).await? else {
        return Ok(None);
    };
    Ok(Some(
        applications(state)
            .refresh(&verifications(state), app, crate::clock::unix_now())
            .await?,
    ))
}

/// An adult's own application: the task-list steps are not a child's.
async fn own_adult(state: &AppState, account: &str, id: &str) -> Result<Option<Stored>, Internal> {
    Ok(own(state, account, id)
        .await?
        .filter(|app| app.kind == ApplicationKind::AdultId))
}

async fn application_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = own(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    if app.kind == ApplicationKind::MinorCard {
        return Ok(see_other(&format!("/children/{id}")));
    }
    let appointment = booking::appointment_of(&state, &app).await?;
    Ok(render(
        &state,
        head,
        StatusCode::OK,
        application_view(app, None, appointment),
    )
    .await)
}

async fn photo_file(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(jpeg) = applications(&state).photo(&account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

enum Step {
    Task(Task),
    CheckAnswers,
    Declaration,
}

fn step_of(slug: &str) -> Option<Step> {
    match slug {
        "check-answers" => Some(Step::CheckAnswers),
        "declaration" => Some(Step::Declaration),
        other => Task::from_slug(other).map(Step::Task),
    }
}

fn all_done(app: &Stored) -> bool {
    Task::ALL
        .iter()
        .all(|t| app.answers.is_done(*t, app.has_photo))
}

async fn step_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path((id, slug)): Path<(String, String)>,
    head: Head,
) -> PageResult {
    let (Some(app), Some(step)) = (own_adult(&state, &account, &id).await?, step_of(&slug)) else {
        return Ok(not_found(&state, head).await);
    };
    if !app.state.is_editable() {
        return Ok(see_other(&format!("/applications/{id}")));
    }
    let view = match step {
        Step::Task(task) => StepView::Task {
            form: Form::with_values(app.answers.values_for(task)),
            id: app.id,
            task,
            has_photo: app.has_photo,
        },
        Step::CheckAnswers | Step::Declaration if !all_done(&app) => {
            return Ok(see_other(&format!("/applications/{id}")));
        }
        Step::CheckAnswers => StepView::CheckAnswers {
            id: app.id,
            answers: app.answers,
            has_photo: app.has_photo,
        },
        Step::Declaration => StepView::Declaration {
            id: app.id,
            form: Form::default(),
        },
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn step_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path((id, slug)): Path<(String, String)>,
    head: Head,
    request: Request,
) -> PageResult {
    let (Some(mut app), Some(step)) = (own_adult(&state, &account, &id).await?, step_of(&slug))
    else {
        return Ok(not_found(&state, head).await);
    };
    if !app.state.is_editable() {
        return Ok(see_other(&format!("/applications/{id}")));
    }
    let now = crate::clock::unix_now();
    match step {
        Step::Task(Task::Photo) => photo_submit(&state, head, app, request, now).await,
        Step::Task(task) => {
            let body = match Bytes::from_request(request, &state).await {
                Ok(body) => body,
                Err(rejection) => return Ok(rejection.into_response()),
            };
            let mut form = match read_form(&head, &body, task.fields()) {
                Ok(form) => form,
                Err(response) => return Ok(response),
            };
            if let Err(issues) = app.answers.apply(task, &form, today(now)) {
                form.errors = issues;
                let view = StepView::Task {
                    id: app.id,
                    task,
                    form,
                    has_photo: app.has_photo,
                };
                return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
            }
            match applications(&state).save_answers(&app, now).await? {
                Ok(()) => Ok(see_other(&format!("/applications/{id}"))),
                Err(_) => Ok(see_other(&format!("/applications/{id}"))),
            }
        }
        Step::CheckAnswers => Ok(see_other(&format!("/applications/{id}/declaration"))),
        Step::Declaration => {
            let body = match Bytes::from_request(request, &state).await {
                Ok(body) => body,
                Err(rejection) => return Ok(rejection.into_response()),
            };
            let mut form = match read_form(&head, &body, &["declaration"]) {
                Ok(form) => form,
                Err(response) => return Ok(response),
            };
            if form.value("declaration") != "yes" {
                form.errors.push(FieldIssue::new(
                    "declaration",
                    FieldError::DeclarationMissing,
                ));
                let view = StepView::Declaration { id: app.id, form };
                return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
            }
            match applications(&state)
                .submit(&verifications(&state), &app, today(now), now)
                .await?
            {
                Ok(submitted) => {
                    notify(&state, &submitted, now).await?;
                    Ok(see_other(&format!("/applications/{id}")))
                }
                Err(Refused::Duplicate) => {
                    let view = application_view(app, Some(Refusal::Duplicate), None);
                    Ok(render_at(
                        &state,
                        head,
                        &format!("/applications/{id}"),
                        StatusCode::CONFLICT,
                        view,
                    )
                    .await)
                }
                Err(Refused::Incomplete) => {
                    let view = application_view(app, Some(Refusal::Incomplete), None);
                    Ok(render_at(
                        &state,
                        head,
                        &format!("/applications/{id}"),
                        StatusCode::UNPROCESSABLE_ENTITY,
                        view,
                    )
                    .await)
                }
                Err(Refused::NotEditable | Refused::AccountLimit) => {
                    Ok(see_other(&format!("/applications/{id}")))
                }
            }
        }
    }
}

/// Tells the citizen, by text message in their chosen language, what came
/// of their submission.
async fn notify(state: &AppState, app: &Stored, now: i64) -> Result<(), Internal> {
    let Some(reference) = app.reference.clone() else {
        return Ok(());
    };
    let message = match app.state {
        ApplicationState::Verified => Message::ApplicationVerified { reference },
        ApplicationState::NeedsAttention => Message::ApplicationNeedsAttention { reference },
        _ => Message::ApplicationSubmitted { reference },
    };
    message_citizen(state, app, &message, now).await
}

/// A message about an application to the person it concerns
/// ([`Applications::recipient`]): for a child's application, the adult
/// acting for the child, in the language of the page they used.
pub(super) async fn message_about(
    state: &AppState,
    app: &Stored,
    acting: &str,
    locale: Locale,
    message: &Message,
    now: i64,
) -> Result<(), Internal> {
    let mut conn = state.db.acquire().await?;
    applications(state)
        .message(&mut conn, app, acting, locale, message, now)
        .await?;
    Ok(())
}

/// A message to the application's own phone, in its chosen language.
pub(super) async fn message_citizen(
    state: &AppState,
    app: &Stored,
    message: &Message,
    now: i64,
) -> Result<(), Internal> {
    if app.answers.contact.is_none() {
        return Ok(());
    }
    message_about(state, app, &app.account_id, Locale::en, message, now).await
}

fn photo_problem(error: PhotoError) -> FieldError {
    match error {
        PhotoError::Empty => FieldError::PhotoMissing,
        PhotoError::TooLarge => FieldError::PhotoTooLarge,
        PhotoError::NotAnImage => FieldError::PhotoNotAnImage,
        PhotoError::Unreadable | PhotoError::TooManyPixels => FieldError::PhotoUnreadable,
        PhotoError::TooSmall => FieldError::PhotoTooSmall,
    }
}

/// Reads the `photo` part, stopping as soon as it is over the limit.
async fn read_photo(mut multipart: Multipart) -> Result<Option<Vec<u8>>, PhotoError> {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if field.name() != Some("photo") {
            continue;
        }
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > photo::MAX_UPLOAD_BYTES {
                        return Err(PhotoError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(Some(bytes)),
                Err(_) => return Err(PhotoError::Unreadable),
            }
        }
    }
    Ok(None)
}

async fn photo_submit(
    state: &AppState,
    head: Head,
    app: Stored,
    request: Request,
    now: i64,
) -> PageResult {
    let multipart = match Multipart::from_request(request, state).await {
        Ok(multipart) => multipart,
        Err(_) => {
            return Ok(plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "A photo must be sent as a file upload (multipart/form-data). / \
                 Picha lazima itumwe kama faili (multipart/form-data).",
            ));
        }
    };
    let uploaded = read_photo(multipart).await;
    let id = app.id.clone();
    let result = match uploaded {
        // Nothing chosen, but a photo is already saved: keep it.
        Ok(None) if app.has_photo => return Ok(see_other(&format!("/applications/{id}"))),
        Ok(Some(bytes)) if bytes.is_empty() && app.has_photo => {
            return Ok(see_other(&format!("/applications/{id}")));
        }
        // Decoding is CPU work: off the async threads.
        Ok(Some(bytes)) => tokio::task::spawn_blocking(move || photo::clean(&bytes)).await?,
        Ok(None) => Err(PhotoError::Empty),
        Err(error) => Err(error),
    };
    match result {
        Ok(clean) => {
            if applications(state)
                .save_photo(&app, &clean.jpeg, now)
                .await?
                .is_err()
            {
                return Ok(see_other(&format!("/applications/{id}")));
            }
            tracing::info!(application = %id, width = clean.width, height = clean.height, "photo saved");
            Ok(see_other(&format!("/applications/{id}")))
        }
        Err(error) => {
            let mut form = Form::default();
            form.errors
                .push(FieldIssue::new("photo", photo_problem(error)));
            let view = StepView::Task {
                id,
                task: Task::Photo,
                form,
                has_photo: app.has_photo,
            };
            let status = if error == PhotoError::TooLarge {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(render(state, head, status, view).await)
        }
    }
}
