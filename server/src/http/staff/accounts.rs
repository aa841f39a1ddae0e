//! Staff accounts: the administrators' list (`/staff/accounts`) and its
//! actions (disable, enable, reset the authenticator, set a temporary
//! password, change role or centre), each one transaction holding the
//! change, its audit event and any email to the member; and
//! `/staff/password`, where a member with a temporary password chooses
//! their own before anything else is reachable.

use super::{Administrator, SignedIn, accounts, audit_in, bar, staff_event};
use crate::http::AppState;
use crate::http::ClientAddr;
use crate::http::page::{
    Head, Now, PageError, PageForm, PageResult, render, render_at, see_other, today,
};
use crate::staff::Role;
use crate::staff::accounts::{ActionError, PasswordProblem, update_detail};
use anyhow::Context;
use app::dates::CivilDate;
use app::forms::{FieldIssue, Form};
use app::identifiers::FieldError;
use app::pages::staff::{AccountLine, StaffAccountsView, StaffPasswordView};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/accounts", get(accounts_page))
        .route("/staff/accounts/{id}/{action}", post(act))
        .route(
            super::CHANGE_PASSWORD,
            get(password_page).post(password_submit),
        )
}

#[derive(Deserialize)]
struct AccountsQuery {
    done: Option<String>,
}

/// What each action is called in the path, in the audit chain, and in the
/// notice after it.
const ACTIONS: [(&str, &str, &str); 5] = [
    ("disable", "staff.disable", "disabled"),
    ("enable", "staff.enable", "enabled"),
    ("reset-totp", "staff.reset_totp", "reset"),
    ("password", "staff.set_password", "password"),
    ("update", "staff.update", "updated"),
];

fn password_error(problem: PasswordProblem) -> FieldError {
    match problem {
        PasswordProblem::TooShort => FieldError::StaffPasswordShort,
        PasswordProblem::Common => FieldError::StaffPasswordCommon,
    }
}

async fn list_view(
    state: &AppState,
    member: &crate::staff::StaffMember,
    head: &Head,
    done: Option<String>,
    form: Form,
) -> PageResult<StaffAccountsView> {
    let accounts = accounts(state);
    let centres: Vec<(String, String)> = state
        .centres()
        .search(None, "")
        .await
        .context("loading the centres")?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| centres.iter().find(|(c, _)| c == id))
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let lines = accounts
        .list()
        .await
        .context("loading the staff accounts")?
        .into_iter()
        .map(|summary| {
            let m = summary.member;
            AccountLine {
                centre_name: name_of(&m.centre_id),
                must_enrol: !m.totp_enrolled && accounts.totp_required(m.role),
                last_sign_in: summary
                    .last_sign_in_at
                    .map(|at| {
                        app::calendar::appointment_label(
                            today(at),
                            CivilDate::nairobi_minute_at(at),
                            head.locale(),
                        )
                    })
                    .unwrap_or_default(),
                is_self: m.id == member.id,
                id: m.id,
                email: m.email,
                role: m.role.code().to_string(),
                centre_id: m.centre_id.unwrap_or_default(),
                disabled: m.disabled,
                temporary_password: m.password_temporary,
            }
        })
        .collect();
    Ok(StaffAccountsView {
        bar: bar(state, member).await?,
        lines,
        centres,
        done: done.filter(|d| ACTIONS.iter().any(|(_, _, done)| done == d)),
        form,
    })
}

async fn accounts_page(
    State(state): State<AppState>,
    Administrator(member): Administrator,
    Query(query): Query<AccountsQuery>,
    head: Head,
) -> PageResult {
    let view = list_view(&state, &member, &head, query.done, Form::default()).await?;
    Ok(render(&state, head, StatusCode::OK, view).await)
}

/// The list again, with `problem` at its field (422).
async fn refused(
    state: &AppState,
    member: &crate::staff::StaffMember,
    head: Head,
    problem: FieldIssue,
) -> PageResult {
    let form = Form {
        errors: vec![problem],
        ..Form::default()
    };
    let view = list_view(state, member, &head, None, form).await?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(render_at(state, head, "/staff/accounts", status, view).await)
}

async fn act(
    State(state): State<AppState>,
    Administrator(member): Administrator,
    client: ClientAddr,
    Path((id, action)): Path<(String, String)>,
    Now(now): Now,
    head: Head,
    body: PageForm,
) -> PageResult {
    let Some(&(_, audited, done)) = ACTIONS.iter().find(|(path, _, _)| *path == action) else {
        return Err(PageError::NotFound);
    };
    let accounts = accounts(&state);
    let target = accounts
        .member(&id)
        .await
        .context("loading the staff account")?
        .ok_or(PageError::NotFound)?;
    let mut form = body.read(&["password", "role", "centre"])?;
    if id == member.id {
        // The page offers no actions on one's own row; a crafted request
        // is refused, so that no administrator locks the console out.
        let problem = FieldIssue::new(format!("account-{id}"), FieldError::StaffOwnAccount);
        return refused(&state, &member, head, problem).await;
    }
    let password = form.value("password").to_string();
    form.values.remove("password");
    let mut tx = state.begin().await?;
    let mut detail = None;
    let outcome = match action.as_str() {
        "disable" => accounts.disable(&mut tx, &id, now).await,
        "enable" => accounts.enable(&mut tx, &id).await,
        "reset-totp" => accounts.reset_totp(&mut tx, &id, now).await,
        "password" => accounts.set_password(&mut tx, &id, &password, now).await,
        _ => {
            let role = Role::from_code(form.value("role"));
            let centre = Some(form.value("centre")).filter(|c| !c.is_empty());
            accounts
                .update(&mut tx, &id, role, centre)
                .await
                .map(|(role, centre)| detail = Some(update_detail(role, centre.as_deref())))
        }
    };
    let problem = match outcome {
        Ok(()) => None,
        Err(ActionError::NotFound) => return Err(PageError::NotFound),
        Err(ActionError::Password(problem)) => Some(FieldIssue::new(
            format!("password-{id}"),
            password_error(problem),
        )),
        Err(ActionError::Centre | ActionError::UnknownCentre(_)) => Some(FieldIssue::new(
            format!("centre-{id}"),
            FieldError::StaffCentreNeeded,
        )),
        Err(ActionError::Other(e)) => return Err(e.context("changing a staff account").into()),
    };
    if let Some(problem) = problem {
        drop(tx);
        return refused(&state, &member, head, problem).await;
    }
    let mut event =
        staff_event(&member, audited, &client, target.centre_id.as_deref()).on("staff", &id);
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    audit_in(&state, &mut tx, &event).await?;
    tx.commit()
        .await
        .context("committing a staff account action")?;
    Ok(see_other(&format!("/staff/accounts?done={done}")))
}

async fn password_page(
    State(state): State<AppState>,
    SignedIn(member): SignedIn,
    head: Head,
) -> PageResult {
    if !member.password_temporary {
        return Ok(see_other("/staff"));
    }
    let view = StaffPasswordView::default();
    Ok(render(&state, head, StatusCode::OK, view).await)
}

async fn password_submit(
    State(state): State<AppState>,
    SignedIn(member): SignedIn,
    client: ClientAddr,
    head: Head,
    body: PageForm,
) -> PageResult {
    if !member.password_temporary {
        return Ok(see_other("/staff"));
    }
    let mut form = body.read(&["password", "confirm"])?;
    let (password, confirm) = (
        form.value("password").to_string(),
        form.value("confirm").to_string(),
    );
    form.values.clear();
    let problem = if password.is_empty() {
        Some(FieldError::StaffPasswordMissing)
    } else if password != confirm {
        Some(FieldError::StaffPasswordsDiffer)
    } else {
        None
    };
    let mut tx = state.begin().await?;
    let outcome = match problem {
        Some(problem) => Err(problem),
        None => match accounts(&state)
            .change_own_password(&mut tx, &member.id, &password)
            .await
        {
            Ok(()) => Ok(()),
            Err(ActionError::Password(problem)) => Err(password_error(problem)),
            Err(e) => return Err(anyhow::Error::from(e).context("changing a password").into()),
        },
    };
    if let Err(problem) = outcome {
        drop(tx);
        form.errors.push(FieldIssue::new("password", problem));
        let view = StaffPasswordView { form };
        return Ok(render(&state, head, StatusCode::UNPROCESSABLE_ENTITY, view).await);
    }
    let event =
        staff_event(&member, "staff.password_changed", &client, None).on("staff", &member.id);
    audit_in(&state, &mut tx, &event).await?;
    tx.commit().await.context("committing a password change")?;
    Ok(see_other("/staff"))
}
