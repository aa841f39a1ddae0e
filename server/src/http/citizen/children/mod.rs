//! The pages for registering a child (`citizen::children`): confirm who
//! you are, add the child, and the second parent joining; `child` holds
//! the child's own pages (the guardianship document, consent, the child's
//! page and withdrawing consent). A child's application that this account
//! may not see is the ordinary 404.

mod child;

use super::{Citizen, full_name};
use crate::citizen::applications::Stored;
use crate::citizen::children::Added;
use crate::http::AppState;
use crate::http::page::{
    Head, Now, PageError, PageForm, PageResult, render, render_at, see_other, today,
};
use crate::registry::attempts::{Identifier, TriesUsed};
use anyhow::Context;
use app::application::fields;
use app::dates::parse_date_of_birth;
use app::forms::{FieldIssue, Form};
use app::identifiers::{BirthCertificateNumber, FieldError, NationalIdNumber, PersonName};
use app::pages::children::{AddChildView, AlreadyRegisteredView, IdentityView, Role};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/identity", get(identity_page).post(identity_submit))
        .route("/children/new", get(add_page).post(add_submit))
        .route("/children/{id}", get(child::child_page))
        .route("/children/{id}/join", get(join_page).post(join_submit))
        .route(
            "/children/{id}/guardianship",
            get(child::guardianship_page).post(child::guardianship_submit),
        )
        .route(
            "/children/{id}/consent",
            get(child::consent_page).post(child::consent_submit),
        )
        .route(
            "/children/{id}/withdraw",
            get(child::withdraw_page).post(child::withdraw_submit),
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

fn refuse(form: &mut Form, field: &str, error: FieldError) {
    form.errors.push(FieldIssue::new(field, error));
}

fn child_name(app: &Stored) -> String {
    full_name(app).unwrap_or_default()
}

/// The adult's proven identity; without it, the page to prove it.
async fn adult_of(state: &AppState, account: &str) -> PageResult<NationalIdNumber> {
    state
        .children()
        .identity_of(account)
        .await
        .context("loading the adult's proven identity")?
        .ok_or_else(|| PageError::Redirect("/identity".to_string()))
}

// ---- Confirm who you are ----

async fn identity_page(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    head: Head,
) -> PageResult {
    if state
        .children()
        .identity_of(&account)
        .await
        .context("loading the adult's proven identity")?
        .is_some()
    {
        return Ok(see_other("/children/new"));
    }
    Ok(render(&state, head, StatusCode::OK, IdentityView::default()).await)
}

async fn identity_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&[
        fields::ID_NUMBER,
        fields::SURNAME,
        fields::GIVEN_NAMES,
        fields::DOB_DAY,
        fields::DOB_MONTH,
        fields::DOB_YEAR,
    ])?;
    let id_number = NationalIdNumber::parse(form.value(fields::ID_NUMBER))
        .map_err(|e| refuse(&mut form, fields::ID_NUMBER, e))
        .ok();
    let surname = PersonName::parse(form.value(fields::SURNAME))
        .map_err(|e| refuse(&mut form, fields::SURNAME, e))
        .ok();
    let given = PersonName::parse(form.value(fields::GIVEN_NAMES))
        .map_err(|e| refuse(&mut form, fields::GIVEN_NAMES, e))
        .ok();
    let dob = parse_date_of_birth(
        form.value(fields::DOB_DAY),
        form.value(fields::DOB_MONTH),
        form.value(fields::DOB_YEAR),
        today(now),
    )
    .map_err(|_| refuse(&mut form, fields::DOB, FieldError::DateOfBirthInvalid))
    .ok();
    if let (Some(id_number), Some(surname), Some(given), Some(dob), false) =
        (&id_number, &surname, &given, dob, form.has_errors())
    {
        let children = state.children();
        let proven = state
            .registry_tries()
            .attempt(
                &account,
                Identifier::NationalId(id_number),
                now,
                children.prove_identity(&account, id_number, surname, given, dob, now),
                |proven| matches!(proven, Err((_, FieldError::RegistryMismatch))),
            )
            .await
            .context("proving the adult's identity")?;
        match proven {
            Ok(Ok(())) => return Ok(see_other("/children/new?confirmed=1")),
            Ok(Err((field, error))) => refuse(&mut form, field, error),
            Err(TriesUsed { until }) => {
                let view = IdentityView {
                    form,
                    tries_used: Some(until),
                };
                return Ok(render(&state, head, StatusCode::TOO_MANY_REQUESTS, view).await);
            }
        }
    }
    let view = IdentityView {
        form,
        tries_used: None,
    };
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
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
    Query(query): Query<AddQuery>,
) -> PageResult {
    adult_of(&state, &account).await?;
    let view = AddChildView {
        form: Form::default(),
        identity_confirmed: query.confirmed.is_some(),
        tries_used: None,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn add_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let adult = adult_of(&state, &account).await?;
    let mut form = body.read(&[
        fields::BIRTH_CERTIFICATE,
        fields::SURNAME,
        fields::GIVEN_NAMES,
        fields::RELATIONSHIP,
    ])?;
    let birth_cert = BirthCertificateNumber::parse(form.value(fields::BIRTH_CERTIFICATE))
        .map_err(|e| refuse(&mut form, fields::BIRTH_CERTIFICATE, e))
        .ok();
    let surname = PersonName::parse(form.value(fields::SURNAME))
        .map_err(|e| refuse(&mut form, fields::SURNAME, e))
        .ok();
    let given = PersonName::parse(form.value(fields::GIVEN_NAMES))
        .map_err(|e| refuse(&mut form, fields::GIVEN_NAMES, e))
        .ok();
    let as_guardian = match form.value(fields::RELATIONSHIP) {
        fields::RELATIONSHIP_PARENT => Some(false),
        fields::RELATIONSHIP_GUARDIAN => Some(true),
        _ => {
            refuse(
                &mut form,
                fields::RELATIONSHIP,
                FieldError::RelationshipMissing,
            );
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
        let children = state.children();
        let added = state
            .registry_tries()
            .attempt(
                &account,
                Identifier::BirthCertificate(birth_cert),
                now,
                children.add(
                    &account,
                    &adult,
                    birth_cert,
                    surname,
                    given,
                    as_guardian,
                    today(now),
                    now,
                ),
                |added| matches!(added, Added::Refused(_, FieldError::RegistryMismatch)),
            )
            .await
            .context("adding a child")?;
        let added = match added {
            Ok(added) => added,
            Err(TriesUsed { until }) => {
                let view = AddChildView {
                    form,
                    identity_confirmed: false,
                    tries_used: Some(until),
                };
                return Ok(render(&state, head, StatusCode::TOO_MANY_REQUESTS, view).await);
            }
        };
        match added {
            Added::Created {
                id,
                role: Role::Guardian,
            } => return Ok(see_other(&format!("/children/{id}/guardianship"))),
            Added::Created { id, .. } => return Ok(see_other(&format!("/children/{id}/consent"))),
            Added::AlreadyYours(id) => return Ok(see_other(&format!("/children/{id}"))),
            Added::OtherParentFirst(id) => {
                let path = format!("/children/{id}/join");
                let view = AlreadyRegisteredView { id };
                return Ok(render_at(&state, head, &path, StatusCode::CONFLICT, view).await);
            }
            Added::Refused(field, error) => refuse(&mut form, field, error),
        }
    }
    let view = AddChildView {
        form,
        identity_confirmed: false,
        tries_used: None,
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
    let adult = adult_of(&state, &account).await?;
    state
        .children()
        .listed_role(&adult, &id)
        .await
        .context("looking for the adult on the child's birth record")?
        .ok_or(PageError::NotFound)?;
    Ok(render(&state, head, StatusCode::OK, AlreadyRegisteredView { id }).await)
}

async fn join_submit(
    State(state): State<AppState>,
    Citizen(account): Citizen,
    Path(id): Path<String>,
    Now(now): Now,
) -> PageResult {
    let adult = adult_of(&state, &account).await?;
    state
        .children()
        .join(&account, &adult, &id, now)
        .await
        .context("joining a child's application")?
        .ok_or(PageError::NotFound)?;
    Ok(see_other(&format!("/children/{id}/consent")))
}
