//! The staff console's HTTP surface, under `/staff`, with sessions of its
//! own (cookie `usajili_staff`, 15 minutes idle and 10 hours in all by
//! default; the day list's automatic refresh is no activity) apart from
//! citizens'. Every handler takes `Staff` or `Supervisor`, extractors that
//! load the member afresh and refuse anyone else, so a handler cannot
//! forget the check; a record of another centre is a 404.

mod accounts;
mod capacity;
mod cards;
mod dashboard;
mod desk;
mod identities;
mod outbox;
mod review;
mod sign_in;

use super::AppState;
use super::page::{Head, PageError, PageResult, render_at};
use crate::audit::{Actor, Event};
use crate::http::ClientAddr;
use crate::staff::StaffMember;
use crate::staff::accounts::StaffAccounts;
use anyhow::Context;
use app::pages::staff::{CapacityOutcome, StaffBar, StaffRefusedView};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::AnyConnection;
use tower_sessions::Session;

const COOKIE: &str = "usajili_staff";

pub fn router(state: &AppState) -> Router<AppState> {
    let sessions = tower_sessions::SessionManagerLayer::new(
        super::session_store::DbSessionStore::new(state.db.clone()).with_clock(state.clock.clone()),
    )
    .with_name(COOKIE)
    .with_path("/staff")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Strict)
    .with_secure(state.config.https)
    .with_expiry(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(state.config.staff.idle_minutes),
    ))
    .with_always_save(true);
    Router::new()
        .merge(sign_in::router())
        .merge(desk::router())
        .merge(capacity::router())
        .merge(cards::router())
        .merge(dashboard::router())
        .merge(review::router())
        .merge(identities::router())
        .merge(outbox::router())
        .merge(accounts::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::page::not_found_layer,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(
            super::session_store::automatic_requests_are_no_activity,
        ))
}

/// The paths rendered here, kept out of Leptos's own routes.
pub const RENDERED_HERE: [&str; 16] = [
    "/staff/accounts",
    "/staff/refused",
    "/staff/password",
    "/staff/identities",
    "/staff/outbox",
    "/staff/capacity",
    "/staff/cards-ready",
    "/staff/dashboard",
    "/staff",
    "/staff/sign-in",
    "/staff/sign-in/code",
    "/staff/enrol",
    "/staff/bookings/{id}",
    "/staff/reviews",
    "/staff/reviews/{id}",
    "/staff/audit",
];

pub(super) fn accounts(state: &AppState) -> StaffAccounts<'_> {
    StaffAccounts {
        db: &state.db,
        cipher: &state.cipher,
        security: state.config.staff,
        officer_totp_optional: state.config.environment == crate::config::Environment::Development,
        hashing: &state.ceilings.password_hashes,
    }
}

/// The console's session, by what it holds rather than by its keys.
pub struct StaffSession(Session);

impl StaffSession {
    const MEMBER: &str = "staff";
    const PENDING: &str = "staff_pending";
    const CAPACITY_OUTCOME: &str = "capacity_outcome";
    /// When the member signed in (the server's clock, seconds).
    const STARTED: &str = "started_at";
    /// The member's `session_epoch` when they signed in.
    const EPOCH: &str = "epoch";
    /// The candidate authenticator secret shown to this session (base32),
    /// until a code confirms it: kept nowhere else.
    const ENROLMENT: &str = "enrolment_secret";

    /// The signed-in member's id.
    pub async fn member(&self) -> anyhow::Result<Option<String>> {
        self.0
            .get::<String>(Self::MEMBER)
            .await
            .context("reading the signed-in member from the session")
    }

    /// The member whose password was right, before the second factor.
    pub async fn pending(&self) -> anyhow::Result<Option<String>> {
        self.0
            .get::<String>(Self::PENDING)
            .await
            .context("reading the member signing in from the session")
    }

    /// The password was right: a new session id, waiting for the code.
    pub async fn await_second_factor(&self, id: String) -> anyhow::Result<()> {
        self.0.cycle_id().await.context("a new session id")?;
        self.0
            .insert(Self::PENDING, id)
            .await
            .context("keeping the member signing in in the session")
    }

    /// When the member signed in, if they have.
    pub async fn started_at(&self) -> anyhow::Result<Option<i64>> {
        self.0
            .get::<i64>(Self::STARTED)
            .await
            .context("reading when the session started")
    }

    /// The member's `session_epoch` at sign-in.
    pub async fn epoch(&self) -> anyhow::Result<Option<i64>> {
        self.0
            .get::<i64>(Self::EPOCH)
            .await
            .context("reading the session's epoch")
    }

    /// The candidate secret this session enrols, made now if it has none.
    pub async fn enrolment_secret(&self) -> anyhow::Result<String> {
        if let Some(secret) = self
            .0
            .get::<String>(Self::ENROLMENT)
            .await
            .context("reading the enrolment secret")?
        {
            return Ok(secret);
        }
        let secret = crate::staff::accounts::new_secret();
        self.0
            .insert(Self::ENROLMENT, secret.clone())
            .await
            .context("keeping the enrolment secret in the session")?;
        Ok(secret)
    }

    /// The candidate secret this session was shown, if any.
    pub async fn shown_enrolment_secret(&self) -> anyhow::Result<Option<String>> {
        self.0
            .get::<String>(Self::ENROLMENT)
            .await
            .context("reading the enrolment secret")
    }

    /// Signs the member in at `now` under a new session id: one planted or
    /// seen before is worthless. `epoch` is the member's `session_epoch`.
    pub async fn sign_in(&self, id: &str, epoch: i64, now: i64) -> anyhow::Result<()> {
        self.0.cycle_id().await.context("a new session id")?;
        self.0
            .remove::<String>(Self::PENDING)
            .await
            .context("ending the sign-in under way")?;
        self.0
            .remove::<String>(Self::ENROLMENT)
            .await
            .context("forgetting the enrolment secret")?;
        self.0
            .insert(Self::EPOCH, epoch)
            .await
            .context("keeping the session's epoch")?;
        self.0
            .insert(Self::STARTED, now)
            .await
            .context("keeping when the session started")?;
        self.0
            .insert(Self::MEMBER, id)
            .await
            .context("keeping the signed-in member in the session")
    }

    pub async fn end(&self) -> anyhow::Result<()> {
        self.0.flush().await.context("ending the session")
    }

    /// What the last capacity change did, for the next page.
    pub async fn set_capacity_outcome(&self, outcome: CapacityOutcome) -> anyhow::Result<()> {
        self.0
            .insert(Self::CAPACITY_OUTCOME, outcome)
            .await
            .context("keeping a capacity change's outcome in the session")
    }

    /// The last capacity change's outcome, shown once.
    pub async fn take_capacity_outcome(&self) -> anyhow::Result<Option<CapacityOutcome>> {
        self.0
            .remove::<CapacityOutcome>(Self::CAPACITY_OUTCOME)
            .await
            .context("taking a capacity change's outcome from the session")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffSession {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state)
            .await
            .map(StaffSession)
            .map_err(IntoResponse::into_response)
    }
}

/// Where a member with a temporary password is sent, whatever they asked.
pub(super) const CHANGE_PASSWORD: &str = "/staff/password";

/// A signed-in member whose session may go on, temporary password or not:
/// loaded afresh, refused (as signed out: the session ends, and the browser
/// goes to sign in) when disabled, signed in before an action that ended
/// their sessions, missing the authenticator their role needs, or an
/// officer or supervisor without a centre.
pub struct SignedIn(pub StaffMember);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        // A session older than its lifetime (`USAJILI_STAFF_SESSION_HOURS`
        // since sign-in), whatever its activity, ends as an idle one does.
        let lifetime = state.config.staff.session_hours.saturating_mul(3600);
        let started = session.started_at().await.ok().flatten();
        let current = started.is_some_and(|at| state.clock.now() - at < lifetime);
        let id = session.member().await.ok().flatten().filter(|_| current);
        let pending = session.pending().await.ok().flatten().is_some();
        let accounts = accounts(state);
        let member = match id {
            Some(id) => accounts
                .member(&id)
                .await
                .context("loading the signed-in member")
                .map_err(|e| PageError::from(e).into_response())?,
            None => None,
        };
        let epoch = session.epoch().await.ok().flatten().unwrap_or(-1);
        match member {
            Some(member) if accounts.session_allowed(&member, epoch) => Ok(SignedIn(member)),
            Some(_) => {
                // Disabled, or no longer allowed this session: signed out.
                let _ = session.end().await;
                Err(Redirect::to("/staff/sign-in").into_response())
            }
            None if pending => Err(Redirect::to("/staff/sign-in").into_response()),
            None => {
                // A staff cookie whose session is gone: it timed out.
                let had_cookie = parts
                    .headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .any(|v| v.to_str().is_ok_and(|v| v.contains(&format!("{COOKIE}="))));
                let _ = session.end().await;
                Err(Redirect::to(if had_cookie {
                    "/staff/sign-in?expired=1"
                } else {
                    "/staff/sign-in"
                })
                .into_response())
            }
        }
    }
}

/// A signed-in member of staff (password and, where required, TOTP done)
/// whose password is their own: with a temporary one, every page but
/// [`CHANGE_PASSWORD`] sends them there.
pub struct Staff(pub StaffMember);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedIn(member) = SignedIn::from_request_parts(parts, state).await?;
        if member.password_temporary {
            return Err(Redirect::to(CHANGE_PASSWORD).into_response());
        }
        Ok(Staff(member))
    }
}

/// A supervisor or an administrator; an officer is refused.
pub struct Supervisor(pub StaffMember);

impl FromRequestParts<AppState> for Supervisor {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(member) = Staff::from_request_parts(parts, state).await?;
        if member.is_supervisor() {
            Ok(Supervisor(member))
        } else {
            Err(refused(parts, state, &member, false).await)
        }
    }
}

/// An administrator; officers and supervisors are refused.
pub struct Administrator(pub StaffMember);

impl FromRequestParts<AppState> for Administrator {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(member) = Staff::from_request_parts(parts, state).await?;
        if member.role == crate::staff::Role::Administrator {
            Ok(Administrator(member))
        } else {
            Err(refused(parts, state, &member, true).await)
        }
    }
}

/// A page refused to the member's role: 403, a page of the console with
/// its bar and the way back (an administrator's page when `administrator`,
/// else a supervisor's).
async fn refused(
    parts: &mut Parts,
    state: &AppState,
    member: &StaffMember,
    administrator: bool,
) -> Response {
    let bar = match bar(state, member).await {
        Ok(bar) => bar,
        Err(error) => return error.into_response(),
    };
    let Ok(head) = Head::from_request_parts(parts, state).await;
    let view = StaffRefusedView { bar, administrator };
    render_at(state, head, "/staff/refused", StatusCode::FORBIDDEN, view).await
}

/// The audit event of a staff action: by the member, from their address,
/// under `centre` (by default the member's own).
pub(super) fn staff_event<'a>(
    member: &'a StaffMember,
    action: &'a str,
    client: &ClientAddr,
    centre: Option<&'a str>,
) -> Event<'a> {
    Event::new(Actor::Staff(&member.id), action)
        .from_staff_address(&client.key())
        .at_centre(centre.or(member.centre_id.as_deref()))
}

/// Appends a staff action that changed nothing (a view, a refusal) to the
/// audit chain, under the member's centre. An action that changes
/// something records its event in the change's transaction ([`audit_in`]).
pub(super) async fn audit(
    state: &AppState,
    member: &StaffMember,
    action: &str,
    record: Option<(&str, &str)>,
    centre: Option<&str>,
    client: &ClientAddr,
    detail: Option<String>,
) -> PageResult<()> {
    let mut event = staff_event(member, action, client, centre);
    if let Some((kind, id)) = record {
        event = event.on(kind, id);
    }
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    state
        .audit()
        .record(&event, state.clock.now())
        .await
        .context("recording a staff action in the audit chain")?;
    Ok(())
}

/// Appends `event` to the audit chain inside `tx`, the transaction of the
/// change it records: the entry exists if and only if the change commits.
pub(super) async fn audit_in(
    state: &AppState,
    tx: &mut AnyConnection,
    event: &Event<'_>,
) -> PageResult<()> {
    state
        .audit()
        .record_in(tx, event, state.clock.now())
        .await
        .context("recording a staff action in the audit chain")?;
    Ok(())
}

/// The navigation bar's facts about the member.
pub(super) async fn bar(state: &AppState, member: &StaffMember) -> PageResult<StaffBar> {
    let centre_name = match &member.centre_id {
        Some(id) => state
            .centres()
            .get(id)
            .await
            .context("loading the member's centre")?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(StaffBar {
        email: member.email.clone(),
        role: member.role.code().to_string(),
        centre_name,
        supervisor: member.is_supervisor(),
    })
}
