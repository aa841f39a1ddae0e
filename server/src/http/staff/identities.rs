//! A supervisor's page for a person's registry checks (`staff::identities`):
//! freeing an ID number another account proved by mistake, and giving back
//! registry tries, each after seeing the person's documents at the counter.
//! Both are changes recorded in the audit chain in their own transaction;
//! the numbers themselves never reach the audit trail or the logs.

use super::{Supervisor, audit_in, bar, staff_event};
use crate::citizen::sign_in::ContactAddress;
use crate::http::page::{Head, Now, PageForm, PageResult, render, see_other};
use crate::http::{AppState, ClientAddr};
use crate::registry::attempts::Identifier;
use crate::staff::identities;
use anyhow::Context;
use app::application::fields;
use app::forms::{FieldIssue, Form};
use app::identifiers::{BirthCertificateNumber, FieldError, NationalIdNumber};
use app::pages::staff::identities::{CONTACT, RESET, UNBIND};
use app::pages::staff::{IdentitiesDone, IdentitiesView};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/staff/identities",
        get(identities_page).post(identities_submit),
    )
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn identities_page(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    head: Head,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let done = match query.done.as_deref() {
        Some(UNBIND) => Some(IdentitiesDone::Unbound),
        Some(RESET) => Some(IdentitiesDone::Reset),
        _ => None,
    };
    let view = IdentitiesView {
        bar: bar(&state, &member).await?,
        form: Form::default(),
        done,
    };
    Ok(render(&state, head, StatusCode::OK, view).await)
}

fn refuse(form: &mut Form, field: &str, error: FieldError) {
    form.errors.push(FieldIssue::new(field, error));
}

async fn identities_submit(
    State(state): State<AppState>,
    Supervisor(member): Supervisor,
    client: ClientAddr,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let mut form = body.read(&[
        fields::ID_NUMBER,
        fields::BIRTH_CERTIFICATE,
        CONTACT,
        "action",
    ])?;
    let action = form.value("action").to_string();
    let filled = |form: &Form, name: &str| !form.value(name).trim().is_empty();
    let id_number = if filled(&form, fields::ID_NUMBER) {
        NationalIdNumber::parse(form.value(fields::ID_NUMBER))
            .map_err(|e| refuse(&mut form, fields::ID_NUMBER, e))
            .ok()
    } else {
        None
    };
    let birth_cert = if filled(&form, fields::BIRTH_CERTIFICATE) {
        BirthCertificateNumber::parse(form.value(fields::BIRTH_CERTIFICATE))
            .map_err(|e| refuse(&mut form, fields::BIRTH_CERTIFICATE, e))
            .ok()
    } else {
        None
    };
    let contact = if filled(&form, CONTACT) {
        ContactAddress::parse(form.value(CONTACT))
            .map_err(|e| refuse(&mut form, CONTACT, e))
            .ok()
    } else {
        None
    };
    match action.as_str() {
        UNBIND if id_number.is_none() && !form.has_errors() => refuse(
            &mut form,
            fields::ID_NUMBER,
            FieldError::IdentityNumberNeeded,
        ),
        RESET if id_number.is_none() && birth_cert.is_none() && !form.has_errors() => {
            refuse(&mut form, fields::ID_NUMBER, FieldError::IdentifierMissing)
        }
        UNBIND | RESET => {}
        _ => refuse(&mut form, fields::ID_NUMBER, FieldError::ActionRefused),
    }
    if !form.has_errors() {
        // The change and its audit event: one transaction.
        let mut tx = state.begin().await?;
        if action == UNBIND {
            let id_number = id_number.as_ref().expect("checked above");
            let freed = identities::unbind(&mut tx, &state.children(), id_number, now)
                .await
                .context("freeing a proven ID")?;
            if let Some(account) = freed {
                let event =
                    staff_event(&member, "identity.unbind", &client, None).on("account", &account);
                audit_in(&state, &mut tx, &event).await?;
                tx.commit().await.context("committing an ID freed")?;
                return Ok(see_other("/staff/identities?done=unbind"));
            }
            refuse(&mut form, fields::ID_NUMBER, FieldError::IdentityNotBound);
        } else {
            let mut accounts = Vec::new();
            if let Some(contact) = &contact {
                accounts.extend(
                    identities::account_with_contact(&mut tx, &state.cipher, contact)
                        .await
                        .context("finding the person's account")?,
                );
            }
            let mut numbers = Vec::new();
            numbers.extend(id_number.as_ref().map(Identifier::NationalId));
            numbers.extend(birth_cert.as_ref().map(Identifier::BirthCertificate));
            let given = identities::reset(&mut tx, &state.cipher, &numbers, &accounts, now)
                .await
                .context("giving registry tries back")?;
            let mut event = staff_event(&member, "registry_tries.reset", &client, None)
                .detail(format!("{given} tries given back"));
            if let Some(account) = accounts.first() {
                event = event.on("account", account);
            }
            audit_in(&state, &mut tx, &event).await?;
            tx.commit()
                .await
                .context("committing registry tries given back")?;
            return Ok(see_other("/staff/identities?done=reset"));
        }
    }
    let view = IdentitiesView {
        bar: bar(&state, &member).await?,
        form,
        done: None,
    };
    Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await)
}
