//! The citizen's applications: the list, starting one, an application's
//! page and its photo, and each step of the task list up to the
//! declaration (`citizen::applications`).

use super::{Citizen, CitizenSession, OwnApplication, appointment_of, full_name};
use crate::citizen::applications::{Refused, Stored};
use crate::citizen::sign_in::ContactAddress;
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{
    Head, Notice, Now, PageError, PageForm, PageResult, plain, render, render_at, see_other, today,
};
use crate::photo::{self, PhotoError};
use crate::registry::attempts::{Identifier, TriesUsed};
use crate::registry::verification::ApplicationKind;
use anyhow::Context;
use app::application::fields;
use app::application::{Channel, MessageLanguage, Task};
use app::calendar::appointment_label;
use app::components::status::Appointment;
use app::forms::{FieldIssue, Form};
use app::i18n::Locale;
use app::identifiers::FieldError;
use app::pages::applications::{
    ApplicationSummary, ApplicationView, ApplicationsView, Refusal, StepView,
};
use app::pages::children::ChildSummary;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list_page).post(start_application))
        .route("/applications/{id}", get(application_page))
        .route("/applications/{id}/photo.jpg", get(photo_file))
        .route(
            "/applications/{id}/{step}",
            get(step_page).post(step_submit),
        )
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 3] = [
    "/applications",
    "/applications/{id}",
    "/applications/{id}/{step}",
];

fn summary(app: &Stored) -> ApplicationSummary {
    ApplicationSummary {
        id: app.id.clone(),
        reference: app.reference.clone(),
        state: app.state,
        name: full_name(app),
    }
}

async fn list_view(
    state: &AppState,
    account: &str,
    problem: Option<Refusal>,
) -> PageResult<ApplicationsView> {
    let stored = state
        .applications()
        .list(account)
        .await
        .context("listing the account's applications")?;
    let (children, own): (Vec<&Stored>, Vec<&Stored>) = stored
        .iter()
        .partition(|a| a.kind == ApplicationKind::MinorCard);
    let claims = state
        .children()
        .claims(account)
        .await
        .context("listing the account's guardianship claims")?;
    let children = children
        .into_iter()
        .map(|a| ChildSummary {
            id: a.id.clone(),
            name: full_name(a).unwrap_or_default(),
            state: a.state,
            reference: a.reference.clone(),
        })
        .chain(claims.into_iter().map(|claim| ChildSummary {
            id: claim.id,
            name: claim.name,
            state: claim.state,
            reference: claim.reference,
        }))
        .collect();
    Ok(ApplicationsView {
        applications: own.into_iter().map(summary).collect(),
        problem,
        children,
        consent_withdrawn: false,
        child_appointment_cancelled: false,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    withdrawn: Option<String>,
    /// `cancelled`: the withdrawn child's appointment went with it.
    appointment: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let mut view = list_view(&state, &account, None).await?;
    view.consent_withdrawn = query.withdrawn.is_some();
    view.child_appointment_cancelled = query.appointment.as_deref() == Some("cancelled");
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn start_application(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let created = state
        .applications()
        .create(&account, now)
        .await
        .context("starting an application")?;
    match created {
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
        cancelled: None,
    }
}

async fn application_page(
    State(state): State<AppState>,
    OwnApplication { app, .. }: OwnApplication,
    session: CitizenSession,
    head: Head,
) -> PageResult {
    if app.kind == ApplicationKind::MinorCard {
        return Err(PageError::Redirect(format!("/children/{}", app.id)));
    }
    let cancelled = session
        .take_cancelled(&app.id)
        .await?
        .map(|(day, slot)| appointment_label(day, slot, head.locale()));
    let appointment = appointment_of(&state, &app).await?;
    let mut view = application_view(app, None, appointment);
    view.cancelled = cancelled;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn photo_file(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
) -> PageResult {
    let jpeg = state
        .applications()
        .photo(&account, &id)
        .await
        .context("loading an application's photo")?
        .ok_or(PageError::NotFound)?;
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

/// The adult's editable application and the step the path names; a child's
/// application or an unknown step is the 404 page, an application that can
/// no longer change goes back to its page.
fn editable_step(own: OwnApplication, slug: &str) -> PageResult<(Stored, Step)> {
    let app = own.adult()?.app;
    let step = step_of(slug).ok_or(PageError::NotFound)?;
    if !app.state.is_editable() {
        return Err(PageError::Redirect(format!("/applications/{}", app.id)));
    }
    Ok((app, step))
}

async fn step_page(
    State(state): State<AppState>,
    own: OwnApplication,
    Path((_, slug)): Path<(String, String)>,
    head: Head,
) -> PageResult {
    let (app, step) = editable_step(own, &slug)?;
    let view = match step {
        Step::Task(task) => {
            let mut values = app.answers.values_for(task);
            if task == Task::Contact && app.answers.contact.is_none() {
                values.extend(suggested_contact(&state, &app.account_id, head.locale()).await?);
            }
            StepView::Task {
                form: Form::with_values(values),
                id: app.id,
                task,
                has_photo: app.has_photo,
            }
        }
        Step::CheckAnswers | Step::Declaration if !all_done(&app) => {
            return Err(PageError::Redirect(format!("/applications/{}", app.id)));
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

/// What the Contact task offers before it is first saved: the phone number
/// or email address the account signs in with, and the page's language.
async fn suggested_contact(
    state: &AppState,
    account: &str,
    locale: Locale,
) -> PageResult<Vec<(String, String)>> {
    let language = match locale {
        Locale::en => MessageLanguage::En,
        Locale::sw => MessageLanguage::Sw,
    };
    let mut values = vec![(fields::LANGUAGE.to_string(), language.code().to_string())];
    let contact = state
        .accounts()
        .contact(account)
        .await
        .context("loading the account's contact")?;
    if let Some(contact) = contact {
        let field = match contact {
            ContactAddress::Phone(_) => fields::PHONE,
            ContactAddress::Email(_) => fields::EMAIL,
        };
        values.push((field.to_string(), contact.normalised()));
    }
    Ok(values)
}

async fn step_submit(
    State(state): State<AppState>,
    own: OwnApplication,
    client: ClientAddr,
    Path((_, slug)): Path<(String, String)>,
    Now(now): Now,
    head: Head,
    request: Request,
) -> PageResult {
    let (app, step) = editable_step(own, &slug)?;
    match step {
        Step::Task(Task::Photo) => photo_submit(&state, head, app, request, now).await,
        Step::Task(task) => {
            let body = PageForm::from_request(request, &state)
                .await
                .map_err(PageError::respond)?;
            task_submit(&state, head, app, task, body.read(task.fields())?, now).await
        }
        Step::CheckAnswers => Ok(see_other(&format!("/applications/{}/declaration", app.id))),
        Step::Declaration => {
            let body = PageForm::from_request(request, &state)
                .await
                .map_err(PageError::respond)?;
            let form = body.read(&[fields::DECLARATION])?;
            declaration_submit(&state, head, app, form, &client, now).await
        }
    }
}

async fn task_submit(
    state: &AppState,
    head: Head,
    mut app: Stored,
    task: Task,
    mut form: Form,
    now: i64,
) -> PageResult {
    if let Err(issues) = app.answers.apply(task, &form, today(now)) {
        form.errors = issues;
    } else if task == Task::BirthCertificate && certificate_in_use(state, &app, now).await? {
        form.errors.push(FieldIssue::new(
            fields::BIRTH_CERTIFICATE,
            FieldError::BirthCertificateInUse,
        ));
    }
    if !form.errors.is_empty() {
        let status = if form
            .errors
            .iter()
            .any(|e| e.error == FieldError::BirthCertificateInUse)
        {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let view = StepView::Task {
            id: app.id,
            task,
            form,
            has_photo: app.has_photo,
        };
        return Ok(render(state, head, status, view).await);
    }
    // Saved, or no longer editable: either way, back to the application.
    let _ = state
        .applications()
        .save_answers(&app, now)
        .await
        .context("saving an application's answers")?;
    Ok(see_other(&format!("/applications/{}", app.id)))
}

/// Whether another application holds the birth certificate just entered,
/// told at its task so that nobody completes every task for nothing.
///
/// The answer depends on the certificate alone, never on who asks, and it
/// says no more than the declaration always said (in the same words). So
/// that it cannot be used to sweep certificate numbers, each "in use" is
/// counted against the registry's tries, the account's and the
/// certificate's, as a failed match is (`registry::attempts`); a free
/// certificate gives its try back. With the tries used up nothing is told
/// here: the certificate is saved, and the declaration gives the tries'
/// notice.
async fn certificate_in_use(state: &AppState, app: &Stored, now: i64) -> PageResult<bool> {
    let Some(birth_cert) = app.answers.birth_certificate.as_ref() else {
        return Ok(false);
    };
    let applications = state.applications();
    let held = state
        .registry_tries()
        .attempt(
            &app.account_id,
            Identifier::BirthCertificate(birth_cert),
            now,
            applications.held_by_another(&app.id, birth_cert),
            |held| *held,
        )
        .await
        .context("checking whether another application holds the birth certificate")?;
    Ok(held == Ok(true))
}

async fn declaration_submit(
    state: &AppState,
    head: Head,
    app: Stored,
    mut form: Form,
    client: &ClientAddr,
    now: i64,
) -> PageResult {
    let path = format!("/applications/{}", app.id);
    if form.value(fields::DECLARATION) != "yes" {
        form.errors.push(FieldIssue::new(
            fields::DECLARATION,
            FieldError::DeclarationMissing,
        ));
        let view = StepView::Declaration { id: app.id, form };
        return Ok(render(state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    let verifications = state.verifications();
    let event = super::citizen_event(
        state,
        &app.account_id,
        "application.submit",
        ("application", &app.id),
        client,
    );
    let submitted = state
        .submission(&verifications)
        .send(&app, Channel::Web, (today(now), now), &event)
        .await?;
    let submitted = match submitted {
        Ok(submitted) => submitted,
        Err(TriesUsed { until }) => {
            let view = application_view(app, Some(Refusal::TriesUsed { until }), None);
            return Ok(render_at(state, head, &path, StatusCode::TOO_MANY_REQUESTS, view).await);
        }
    };
    match submitted {
        // The citizen is told by text message what came of it.
        Ok(_) => Ok(see_other(&path)),
        Err(Refused::Duplicate) => {
            let view = application_view(app, Some(Refusal::Duplicate), None);
            Ok(render_at(state, head, &path, StatusCode::CONFLICT, view).await)
        }
        Err(Refused::Incomplete) => {
            let view = application_view(app, Some(Refusal::Incomplete), None);
            Ok(render_at(state, head, &path, StatusCode::UNPROCESSABLE_ENTITY, view).await)
        }
        Err(Refused::NotEditable | Refused::AccountLimit) => Ok(see_other(&path)),
    }
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
    let Ok(multipart) = Multipart::from_request(request, state).await else {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Notice::PhotoNotAnUpload,
        ));
    };
    let id = app.id.clone();
    let back = format!("/applications/{id}");
    let result = match read_photo(multipart).await {
        // Nothing chosen, but a photo is already saved: keep it.
        Ok(None) if app.has_photo => return Ok(see_other(&back)),
        Ok(Some(bytes)) if bytes.is_empty() && app.has_photo => return Ok(see_other(&back)),
        Ok(Some(bytes)) => match clean_in_turn(state, &app.account_id, bytes, now).await? {
            Some(result) => result,
            None => return Ok(photo_refused(state, head, &app, FieldError::PhotoBusy).await),
        },
        Ok(None) => Err(PhotoError::Empty),
        Err(error) => Err(error),
    };
    match result {
        Ok(clean) => {
            let saved = state
                .applications()
                .save_photo(&app, &clean.jpeg, now)
                .await
                .context("saving a photo")?;
            if saved.is_ok() {
                tracing::info!(application = %id, width = clean.width, height = clean.height, "photo saved");
            }
            Ok(see_other(&back))
        }
        Err(error) => Ok(photo_refused(state, head, &app, photo_problem(error)).await),
    }
}

/// How long an upload waits for a turn to be decoded before it is told to
/// try again.
const PHOTO_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Cleans a photo in its turn: one upload of the account at a time
/// (`citizen::uploads`), and no more decodes at once than the process's
/// ceiling (`ceilings`); decoding itself off the async threads. `None`:
/// not now (another upload of the account is under way, or no turn came
/// within [`PHOTO_TURN_WAIT`]).
async fn clean_in_turn(
    state: &AppState,
    account: &str,
    bytes: Vec<u8>,
    now: i64,
) -> PageResult<Option<Result<photo::CleanPhoto, PhotoError>>> {
    let uploads = state.uploads();
    let Some(claim) = uploads
        .claim(account, now)
        .await
        .context("claiming the account's photo upload")?
    else {
        return Ok(None);
    };
    let turn = state.ceilings.photo_decodes.clone();
    let cleaned = async {
        let Ok(permit) = tokio::time::timeout(PHOTO_TURN_WAIT, turn.acquire_owned()).await else {
            return Ok(None);
        };
        let permit = permit.context("waiting for a photo decode")?;
        // The turn is held until the decode ends, even if the request goes.
        let cleaned = tokio::task::spawn_blocking(move || {
            let _turn = permit;
            photo::clean(&bytes)
        })
        .await
        .context("cleaning a photo")?;
        anyhow::Ok(Some(cleaned))
    }
    .await;
    uploads
        .release(claim)
        .await
        .context("releasing the account's photo upload")?;
    Ok(cleaned?)
}

/// The photo step again, with `problem` at the photo field.
async fn photo_refused(
    state: &AppState,
    head: Head,
    app: &Stored,
    problem: FieldError,
) -> axum::response::Response {
    let mut form = Form::default();
    form.errors.push(FieldIssue::new("photo", problem));
    let view = StepView::Task {
        id: app.id.clone(),
        task: Task::Photo,
        form,
        has_photo: app.has_photo,
    };
    let status = match problem {
        FieldError::PhotoTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        FieldError::PhotoBusy => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    render(state, head, status, view).await
}
