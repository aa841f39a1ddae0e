//! The pages for registering a child (`citizen::children`): confirm who
//! you are, add the child, the guardianship document, consent, the child's
//! page and withdrawing consent. A child's application that this account
//! may not see is the ordinary 404.

use crate::http::AppState;
use super::{
    Citizen, Head, PageResult, applications, not_found, plain, read_form, render, render_at,
    see_other, today,
};
use crate::citizen::applications::Stored;
use crate::citizen::children::{Added, Children, document_reference, document_type, status};
use crate::verification::ApplicationKind;
use app::application::{ApplicationState, Attention};
use app::dates::{CivilDate, parse_date_of_birth};
use app::forms::{FieldIssue, Form};
use app::identifiers::{BirthCertificateNumber, FieldError, NationalIdNumber, PersonName};
use app::pages::children::{
    AddChildView, AlreadyRegisteredView, ChildConsentView, ChildView, ConsentLine,
    GuardianshipView, IdentityView, MAX_DOCUMENT_BYTES, Review, Role, WithdrawView,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/identity", get(identity_page).post(identity_submit))
        .route("/children/new", get(add_page).post(add_submit))
        .route("/children/{id}", get(child_page))
        .route("/children/{id}/join", get(join_page).post(join_submit))
        .route(
            "/children/{id}/guardianship",
            get(guardianship_page).post(guardianship_submit),
        )
        .route(
            "/children/{id}/consent",
            get(consent_page).post(consent_submit),
        )
        .route(
            "/children/{id}/withdraw",
            get(withdraw_page).post(withdraw_submit),
        )
}

/// The paths `router` renders itself, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 7] = [
    "/identity",
    "/children/new",
    "/children/{id}",
    "/children/{id}/join",
    "/children/{id}/guardianship",
    "/children/{id}/consent",
    "/children/{id}/withdraw",
];

fn children(state: &AppState) -> Children<'_> {
    Children {
        db: &state.db,
        cipher: &state.cipher,
        registry: state.registry.as_ref(),
        ages: state.config.ages,
    }
}

fn refuse(form: &mut Form, field: &str, error: FieldError) {
    form.errors.push(FieldIssue::new(field, error));
}

fn child_name(app: &Stored) -> String {
    app.answers
        .about_you
        .as_ref()
        .map(|a| format!("{} {}", a.given_names, a.surname))
        .unwrap_or_default()
}

/// The child's application, if this account may see it.
async fn child(
    state: &AppState,
    account: &str,
    id: &str,
) -> Result<Option<Stored>, super::Internal> {
    Ok(applications(state)
        .load(account, id)
        .await?
        .filter(|app| app.kind == ApplicationKind::MinorCard))
}

// ---- Confirm who you are ----

async fn identity_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
) -> PageResult {
    if children(&state).identity_of(&account).await?.is_some() {
        return Ok(see_other("/children/new"));
    }
    Ok(render(&state, head, StatusCode::OK, IdentityView::default()).await)
}

async fn identity_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
    body: Bytes,
) -> PageResult {
    let mut form = match read_form(
        &head,
        &body,
        &[
            "id-number",
            "surname",
            "given-names",
            "dob-day",
            "dob-month",
            "dob-year",
        ],
    ) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let now = crate::clock::unix_now();
    let id_number = NationalIdNumber::parse(form.value("id-number"))
        .map_err(|e| refuse(&mut form, "id-number", e))
        .ok();
    let surname = PersonName::parse(form.value("surname"))
        .map_err(|e| refuse(&mut form, "surname", e))
        .ok();
    let given = PersonName::parse(form.value("given-names"))
        .map_err(|e| refuse(&mut form, "given-names", e))
        .ok();
    let dob = parse_date_of_birth(
        form.value("dob-day"),
        form.value("dob-month"),
        form.value("dob-year"),
        today(now),
    )
    .map_err(|_| refuse(&mut form, "dob", FieldError::DateOfBirthInvalid))
    .ok();
    if let (Some(id_number), Some(surname), Some(given), Some(dob), false) =
        (&id_number, &surname, &given, dob, form.has_errors())
    {
        match children(&state)
            .prove_identity(&account, id_number, surname, given, dob, now)
            .await?
        {
            Ok(()) => return Ok(see_other("/children/new?confirmed=1")),
            Err((field, error)) => refuse(&mut form, field, error),
        }
    }
    Ok(render(
        &state,
        head,
        StatusCode::UNPROCESSABLE_ENTITY,
        IdentityView { form },
    )
    .await)
}

// ---- Add a child ----

#[derive(serde::Deserialize)]
struct AddQuery {
    confirmed: Option<String>,
}

async fn add_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
    axum::extract::Query(query): axum::extract::Query<AddQuery>,
) -> PageResult {
    if children(&state).identity_of(&account).await?.is_none() {
        return Ok(see_other("/identity"));
    }
    let view = AddChildView {
        form: Form::default(),
        identity_confirmed: query.confirmed.is_some(),
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn add_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
    body: Bytes,
) -> PageResult {
    let Some(adult) = children(&state).identity_of(&account).await? else {
        return Ok(see_other("/identity"));
    };
    let mut form = match read_form(
        &head,
        &body,
        &[
            "birth-certificate",
            "surname",
            "given-names",
            "relationship",
        ],
    ) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    let birth_cert = BirthCertificateNumber::parse(form.value("birth-certificate"))
        .map_err(|e| refuse(&mut form, "birth-certificate", e))
        .ok();
    let surname = PersonName::parse(form.value("surname"))
        .map_err(|e| refuse(&mut form, "surname", e))
        .ok();
    let given = PersonName::parse(form.value("given-names"))
        .map_err(|e| refuse(&mut form, "given-names", e))
        .ok();
    let as_guardian = match form.value("relationship") {
        "parent" => Some(false),
        "guardian" => Some(true),
        _ => {
            refuse(&mut form, "relationship", FieldError::RelationshipMissing);
            None
        }
    };
    if let (Some(birth_cert), Some(surname), Some(given), Some(as_guardian), false) = (
        &birth_cert,
        &surname,
        &given,
        as_guardian,
        form.has_errors(),
    ) {
        let now = crate::clock::unix_now();
        match children(&state)
            .add(
                &account,
                &adult,
                birth_cert,
                surname,
                given,
                as_guardian,
                today(now),
                now,
            )
            .await?
        {
            Added::Created {
                id,
                role: Role::Guardian,
            } => return Ok(see_other(&format!("/children/{id}/guardianship"))),
            Added::Created { id, .. } => return Ok(see_other(&format!("/children/{id}/consent"))),
            Added::AlreadyYours(id) => return Ok(see_other(&format!("/children/{id}"))),
            Added::OtherParentFirst(id) => {
                let path = format!("/children/{id}/join");
                return Ok(render_at(
                    &state,
                    head,
                    &path,
                    StatusCode::CONFLICT,
                    AlreadyRegisteredView { id },
                )
                .await);
            }
            Added::Refused(field, error) => refuse(&mut form, field, error),
        }
    }
    let view = AddChildView {
        form,
        identity_confirmed: false,
    };
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}

// ---- The second parent joins ----

async fn join_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(adult) = children(&state).identity_of(&account).await? else {
        return Ok(see_other("/identity"));
    };
    if children(&state).listed_role(&adult, &id).await?.is_none() {
        return Ok(not_found(&state, head).await);
    }
    Ok(render(&state, head, StatusCode::OK, AlreadyRegisteredView { id }).await)
}

async fn join_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(adult) = children(&state).identity_of(&account).await? else {
        return Ok(see_other("/identity"));
    };
    match children(&state)
        .join(&account, &adult, &id, crate::clock::unix_now())
        .await?
    {
        Some(_) => Ok(see_other(&format!("/children/{id}/consent"))),
        None => Ok(not_found(&state, head).await),
    }
}

// ---- The guardianship document ----

async fn guardianship_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    match children(&state).link(&account, &id).await? {
        Some(link)
            if link.role == Role::Guardian
                && matches!(
                    link.status.as_str(),
                    status::NEEDS_DOCUMENT | status::PENDING_REVIEW
                ) =>
        {
            let view = GuardianshipView {
                child_name: child_name(&app),
                id,
                form: Form::default(),
            };
            Ok(render(&state, head, StatusCode::OK, view).await)
        }
        _ => Ok(see_other(&format!("/children/{id}"))),
    }
}

enum Upload {
    Parts {
        reference: String,
        document: Option<Vec<u8>>,
    },
    TooLarge,
    Unreadable,
}

/// Reads the reference and the document, stopping once the document is
/// over the limit.
async fn read_upload(mut multipart: Multipart) -> Upload {
    let (mut reference, mut document) = (String::new(), None);
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                return Upload::Parts {
                    reference,
                    document,
                };
            }
            Err(_) => return Upload::Unreadable,
        };
        match field.name() {
            Some("document-reference") => match field.text().await {
                Ok(text) => {
                    reference = text.chars().filter(|c| !c.is_control()).take(200).collect()
                }
                Err(_) => return Upload::Unreadable,
            },
            Some("document") => {
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES => {
                            return Upload::TooLarge;
                        }
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(_) => return Upload::Unreadable,
                    }
                }
                document = Some(bytes).filter(|b| !b.is_empty());
            }
            _ => {}
        }
    }
}

async fn guardianship_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
    request: Request,
) -> PageResult {
    let Some(app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Ok(multipart) = Multipart::from_request(request, &state).await else {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The document must be sent as a file upload (multipart/form-data). / \
             Hati lazima itumwe kama faili (multipart/form-data).",
        ));
    };
    let mut form = Form::default();
    let mut status_code = StatusCode::UNPROCESSABLE_ENTITY;
    match read_upload(multipart).await {
        Upload::TooLarge => {
            refuse(&mut form, "document", FieldError::GuardianDocumentTooLarge);
            status_code = StatusCode::PAYLOAD_TOO_LARGE;
        }
        Upload::Unreadable => refuse(&mut form, "document", FieldError::GuardianDocumentType),
        Upload::Parts {
            reference,
            document,
        } => {
            form = Form::from_pairs(
                [("document-reference", reference.as_str())],
                &["document-reference"],
            );
            let reference = document_reference(&reference)
                .map_err(|e| refuse(&mut form, "document-reference", e))
                .ok();
            let document = match document {
                None => {
                    refuse(&mut form, "document", FieldError::GuardianDocumentMissing);
                    None
                }
                Some(bytes) => match document_type(&bytes) {
                    Some(kind) => Some((kind, bytes)),
                    None => {
                        refuse(&mut form, "document", FieldError::GuardianDocumentType);
                        None
                    }
                },
            };
            if let (Some(reference), Some((kind, bytes))) = (reference, document) {
                let now = crate::clock::unix_now();
                if children(&state)
                    .attach_document(&account, &id, &reference, kind, &bytes, now)
                    .await?
                {
                    tracing::info!(application = %id, bytes = bytes.len(), kind, "guardianship document stored");
                    let next = match children(&state).link(&account, &id).await? {
                        Some(link) if link.consented => format!("/children/{id}"),
                        _ => format!("/children/{id}/consent"),
                    };
                    return Ok(see_other(&next));
                }
                return Ok(see_other(&format!("/children/{id}")));
            }
        }
    }
    let view = GuardianshipView {
        child_name: child_name(&app),
        id,
        form,
    };
    Ok(render(&state, head, status_code, view).await)
}

// ---- Consent ----

async fn consent_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    match children(&state).link(&account, &id).await? {
        Some(link)
            if !link.consented && app.state.is_active() && link.status != status::REJECTED =>
        {
            let view = ChildConsentView {
                child_name: child_name(&app),
                id,
                form: Form::default(),
            };
            Ok(render(&state, head, StatusCode::OK, view).await)
        }
        _ => Ok(see_other(&format!("/children/{id}"))),
    }
}

async fn consent_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
    body: Bytes,
) -> PageResult {
    let Some(app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let mut form = match read_form(&head, &body, &["consent"]) {
        Ok(form) => form,
        Err(response) => return Ok(response),
    };
    if form.value("consent") != "yes" {
        refuse(&mut form, "consent", FieldError::ConsentMissing);
        let view = ChildConsentView {
            child_name: child_name(&app),
            id,
            form,
        };
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    children(&state)
        .consent(&account, &id, crate::clock::unix_now())
        .await?;
    Ok(see_other(&format!("/children/{id}")))
}

// ---- The child's page ----

async fn child_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(mut app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let Some(link) = children(&state).link(&account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    let now = crate::clock::unix_now();
    let Some(about) = app.answers.about_you.clone() else {
        return Ok(not_found(&state, head).await);
    };
    if children(&state)
        .close_if_adult(&id, about.date_of_birth, today(now), now)
        .await?
    {
        app = match child(&state, &account, &id).await? {
            Some(app) => app,
            None => return Ok(not_found(&state, head).await),
        };
    }
    let consents = children(&state)
        .ledger(&id)
        .await?
        .into_iter()
        .filter(|entry| entry.role != "self")
        .map(|entry| ConsentLine {
            by_you: entry.account_id == account,
            role: Role::from_code(&entry.role).unwrap_or(Role::Guardian),
            withdrawn: entry.action == "withdrawn",
            on: CivilDate::in_nairobi_at(entry.at),
        })
        .collect();
    let review = match (link.role, link.status.as_str()) {
        (Role::Guardian, status::PENDING_REVIEW) => Some(Review::Pending),
        (Role::Guardian, status::APPROVED) => Some(Review::Approved),
        (Role::Guardian, status::REJECTED) => Some(Review::Rejected(
            link.review_reason.clone().unwrap_or_default(),
        )),
        _ => None,
    };
    let appointment = super::booking::appointment_of(&state, &app).await?;
    let view = ChildView {
        name: child_name(&app),
        age: about.date_of_birth.age_on(today(now)),
        reference: app.reference.clone(),
        state: app.state,
        role: link.role,
        consented: link.consented,
        consents,
        review,
        turned_adult: app.attention == Some(Attention::TurnedAdult),
        appointment,
        id,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

// ---- Withdrawing consent ----

async fn withdraw_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    let Some(app) = child(&state, &account, &id).await? else {
        return Ok(not_found(&state, head).await);
    };
    if !app.state.is_active() || app.state == ApplicationState::Collected {
        return Ok(see_other(&format!("/children/{id}")));
    }
    Ok(render(
        &state,
        head,
        StatusCode::OK,
        WithdrawView {
            name: child_name(&app),
            id,
        },
    )
    .await)
}

async fn withdraw_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    head: Head,
) -> PageResult {
    if child(&state, &account, &id).await?.is_none() {
        return Ok(not_found(&state, head).await);
    }
    if children(&state)
        .withdraw(&account, &id, crate::clock::unix_now())
        .await?
    {
        Ok(see_other("/applications?withdrawn=1"))
    } else {
        Ok(see_other(&format!("/children/{id}")))
    }
}
