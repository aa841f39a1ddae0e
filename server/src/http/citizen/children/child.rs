//! A child's own pages, once added: the guardianship document (a
//! multipart upload, its type from the bytes), consent, the child's page
//! and withdrawing consent. A child this account may not see is the 404
//! page (`OwnChild`).

use super::{child_name, refuse};
use crate::citizen::children::{document_reference, document_type, status};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::citizen::citizen_event;
use crate::http::citizen::{OwnChild, appointment_of};
use crate::http::page::{
    Head, Notice, Now, PageError, PageForm, PageResult, plain, render, see_other, today,
};
use anyhow::Context;
use app::application::fields;
use app::application::{ApplicationState, Attention};
use app::dates::CivilDate;
use app::forms::Form;
use app::identifiers::FieldError;
use app::pages::children::{
    ChildConsentView, ChildView, ConsentLine, GuardianshipView, MAX_DOCUMENT_BYTES, Review, Role,
    WithdrawView,
};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;

// ---- The guardianship document ----

pub(super) async fn guardianship_page(
    State(state): State<AppState>,
    own: OwnChild,
    head: Head,
) -> PageResult {
    let OwnChild { app, link, .. } = own;
    let id = app.id.clone();
    match link {
        link if link.role == Role::Guardian
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
            Some(fields::DOCUMENT_REFERENCE) => match field.text().await {
                Ok(text) => {
                    reference = text.chars().filter(|c| !c.is_control()).take(200).collect()
                }
                Err(_) => return Upload::Unreadable,
            },
            Some(fields::DOCUMENT) => {
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

pub(super) async fn guardianship_submit(
    State(state): State<AppState>,
    OwnChild { account, app, .. }: OwnChild,
    Now(now): Now,
    head: Head,
    request: Request,
) -> PageResult {
    let id = app.id.clone();
    let Ok(multipart) = Multipart::from_request(request, &state).await else {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Notice::DocumentNotAnUpload,
        ));
    };
    let mut form = Form::default();
    let mut status_code = StatusCode::UNPROCESSABLE_ENTITY;
    match read_upload(multipart).await {
        Upload::TooLarge => {
            refuse(
                &mut form,
                fields::DOCUMENT,
                FieldError::GuardianDocumentTooLarge,
            );
            status_code = StatusCode::PAYLOAD_TOO_LARGE;
        }
        Upload::Unreadable => refuse(
            &mut form,
            fields::DOCUMENT,
            FieldError::GuardianDocumentType,
        ),
        Upload::Parts {
            reference,
            document,
        } => {
            form = Form::from_pairs(
                [(fields::DOCUMENT_REFERENCE, reference.as_str())],
                &[fields::DOCUMENT_REFERENCE],
            );
            let reference = document_reference(&reference)
                .map_err(|e| refuse(&mut form, fields::DOCUMENT_REFERENCE, e))
                .ok();
            let document = match document {
                None => {
                    refuse(
                        &mut form,
                        fields::DOCUMENT,
                        FieldError::GuardianDocumentMissing,
                    );
                    None
                }
                Some(bytes) => match document_type(&bytes) {
                    Some(kind) => Some((kind, bytes)),
                    None => {
                        refuse(
                            &mut form,
                            fields::DOCUMENT,
                            FieldError::GuardianDocumentType,
                        );
                        None
                    }
                },
            };
            if let (Some(reference), Some((kind, bytes))) = (reference, document) {
                let next = store_document(&state, &account, &id, &reference, kind, &bytes, now);
                return Ok(see_other(&next.await?));
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

/// Stores the guardianship document; where to go next.
async fn store_document(
    state: &AppState,
    account: &str,
    id: &str,
    reference: &str,
    kind: &'static str,
    bytes: &[u8],
    now: i64,
) -> PageResult<String> {
    let stored = state
        .children()
        .attach_document(account, id, reference, kind, bytes, now)
        .await
        .context("storing a guardianship document")?;
    if !stored {
        return Ok(format!("/children/{id}"));
    }
    tracing::info!(application = %id, bytes = bytes.len(), kind, "guardianship document stored");
    let link = state
        .children()
        .link(account, id)
        .await
        .context("loading the adult's link to the child")?;
    Ok(match link {
        Some(link) if link.consented => format!("/children/{id}"),
        _ => format!("/children/{id}/consent"),
    })
}

// ---- Consent ----

pub(super) async fn consent_page(
    State(state): State<AppState>,
    own: OwnChild,
    head: Head,
) -> PageResult {
    let OwnChild { app, link, .. } = own;
    let id = app.id.clone();
    match link {
        link if !link.consented && app.state.is_active() && link.status != status::REJECTED => {
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

pub(super) async fn consent_submit(
    State(state): State<AppState>,
    OwnChild { account, app, .. }: OwnChild,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let id = app.id.clone();
    let mut form = body.read(&[fields::CONSENT])?;
    if form.value(fields::CONSENT) != "yes" {
        refuse(&mut form, fields::CONSENT, FieldError::ConsentMissing);
        let view = ChildConsentView {
            child_name: child_name(&app),
            id,
            form,
        };
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    state
        .children()
        .consent(
            &account,
            &id,
            now,
            &citizen_event(
                &state,
                &account,
                "consent.given",
                ("application", &id),
                &client,
            ),
        )
        .await
        .context("recording consent")?;
    Ok(see_other(&format!("/children/{id}")))
}

// ---- The child's page ----

pub(super) async fn child_page(
    State(state): State<AppState>,
    own: OwnChild,
    Now(now): Now,
    head: Head,
) -> PageResult {
    let OwnChild {
        account,
        mut app,
        link,
    } = own;
    let id = app.id.clone();
    let about = app.answers.about_you.clone().ok_or(PageError::NotFound)?;
    // A claim under review shows the claim only: nothing the birth record
    // says (the child's age among it), no appointment.
    let empowered = link.empowers();
    if empowered
        && state
            .children()
            .close_if_adult(&id, about.date_of_birth, today(now), now)
            .await
            .context("closing a child's application at adulthood")?
    {
        app = OwnChild::load(&state, &account, &id).await?.app;
    }
    let consents = state
        .children()
        .ledger(&id)
        .await
        .context("loading the consent ledger")?
        .into_iter()
        .filter_map(|entry| {
            // The adult's consent for their own application is not the child's.
            Some(ConsentLine {
                role: entry.role?,
                by_you: entry.account_id == account,
                withdrawn: entry.action == "withdrawn",
                on: CivilDate::in_nairobi_at(entry.at),
            })
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
    let appointment = match empowered {
        true => appointment_of(&state, &app).await?,
        false => None,
    };
    let view = ChildView {
        name: child_name(&app),
        age: empowered.then(|| about.date_of_birth.age_on(today(now))),
        reference: app.reference.clone(),
        state: app.state,
        role: link.role,
        consented: link.consented,
        consents,
        review,
        turned_adult: empowered && app.attention == Some(Attention::TurnedAdult),
        appointment,
        id,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

// ---- Withdrawing consent ----

pub(super) async fn withdraw_page(
    State(state): State<AppState>,
    OwnChild { app, .. }: OwnChild,
    head: Head,
) -> PageResult {
    if !app.state.is_active() || app.state == ApplicationState::Collected {
        return Ok(see_other(&format!("/children/{}", app.id)));
    }
    let view = WithdrawView {
        name: child_name(&app),
        id: app.id,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

pub(super) async fn withdraw_submit(
    State(state): State<AppState>,
    OwnChild { account, app, .. }: OwnChild,
    client: ClientAddr,
    Now(now): Now,
) -> PageResult {
    let had_appointment = !state
        .bookings()
        .live_for(&app.id)
        .await
        .context("loading the child's bookings")?
        .is_empty();
    let withdrawn = state
        .children()
        .withdraw(
            &account,
            &app.id,
            now,
            &citizen_event(
                &state,
                &account,
                "consent.withdrawn",
                ("application", &app.id),
                &client,
            ),
        )
        .await
        .context("withdrawing consent")?;
    if withdrawn && had_appointment {
        Ok(see_other("/applications?withdrawn=1&appointment=cancelled"))
    } else if withdrawn {
        Ok(see_other("/applications?withdrawn=1"))
    } else {
        Ok(see_other(&format!("/children/{}", app.id)))
    }
}
