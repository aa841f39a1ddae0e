//! The citizen's pages, one module per part of `citizen::` (sign-in, the
//! applications and their steps, children, the account, booking). Every
//! page is a server-rendered form that posts back here; a form with
//! problems is rendered again from what was typed, with the problems, and a
//! status of 422 (429 past a rate limit, 409 on a refusal).
//!
//! Handlers load what the page shows and give it to the Leptos page as
//! context (`page::render`); the pages themselves are in `app::pages`.
//! This module holds what they share: the session, the `Citizen` and
//! `OwnApplication` extractors, and what an application's pages show of it.

mod account;
mod applications;
mod booking;
mod children;
mod sign_in;

use super::AppState;
use super::page::{PageError, PageResult};
use crate::booking::bookings::{Booking, Kind};
use crate::citizen::applications::Stored;
use crate::citizen::children::{Link, status};
use crate::registry::verification::ApplicationKind;
use anyhow::Context;
use app::components::status::Appointment;
use app::context::SignedIn;
use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The audit event of a citizen's action on one of their records, from
/// their connection (kept as a keyed hash).
pub(super) fn citizen_event<'a>(
    state: &AppState,
    account: &'a str,
    action: &'a str,
    record: (&'a str, &'a str),
    client: &crate::http::ClientAddr,
) -> crate::audit::Event<'a> {
    crate::audit::Event::new(crate::audit::Actor::Citizen(account), action)
        .on(record.0, record.1)
        .from_citizen_address(&state.cipher, &client.key())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(applications::router())
        .merge(booking::router())
        .merge(account::router())
        .merge(children::router())
}

/// The paths these modules render themselves, kept out of Leptos's own routes.
pub fn rendered_here() -> impl Iterator<Item = &'static str> {
    sign_in::RENDERED_HERE
        .iter()
        .chain(applications::RENDERED_HERE.iter())
        .chain(booking::RENDERED_HERE.iter())
        .chain(account::RENDERED_HERE.iter())
        .chain(children::RENDERED_HERE.iter())
        .copied()
}

/// A code under way (to sign in, or to confirm deleting the account): its
/// challenge, and where it went (masked).
#[derive(Clone, Serialize, Deserialize)]
struct PendingSignIn {
    challenge: String,
    sent_to: String,
}

/// The citizen's session, by what it holds rather than by its keys.
pub struct CitizenSession(Session);

impl CitizenSession {
    const ACCOUNT: &str = "account";
    const PENDING_SIGN_IN: &str = "sign_in";
    /// When the account signed in (the server's clock, seconds).
    const STARTED: &str = "started_at";
    /// The code sent to confirm deleting the account.
    const PENDING_DELETION: &str = "delete_account";
    /// The appointment just cancelled, told once on the application's page.
    const CANCELLED: &str = "cancelled";

    /// The signed-in account, if any. A session older than its lifetime
    /// (`USAJILI_CITIZEN_SESSION_HOURS` since sign-in, whatever its activity; or
    /// with no start at all) is ended here, as an idle one ends.
    async fn account(&self, state: &AppState) -> anyhow::Result<Option<String>> {
        let account = self
            .0
            .get::<String>(Self::ACCOUNT)
            .await
            .context("reading the signed-in account from the session")?;
        if account.is_none() {
            return Ok(None);
        }
        let started = self
            .0
            .get::<i64>(Self::STARTED)
            .await
            .context("reading when the session started")?;
        let lifetime = state.config.citizen_session_hours.saturating_mul(3600);
        if started.is_some_and(|at| state.clock.now() - at < lifetime) {
            return Ok(account);
        }
        self.end().await?;
        Ok(None)
    }

    async fn pending_sign_in(&self) -> anyhow::Result<Option<PendingSignIn>> {
        self.0
            .get::<PendingSignIn>(Self::PENDING_SIGN_IN)
            .await
            .context("reading the sign-in under way from the session")
    }

    async fn start_sign_in(&self, pending: PendingSignIn) -> anyhow::Result<()> {
        self.0
            .insert(Self::PENDING_SIGN_IN, pending)
            .await
            .context("keeping the sign-in under way in the session")
    }

    /// The code sent to confirm deleting the account, if one was.
    async fn pending_deletion(&self) -> anyhow::Result<Option<PendingSignIn>> {
        self.0
            .get::<PendingSignIn>(Self::PENDING_DELETION)
            .await
            .context("reading the deletion under way from the session")
    }

    async fn start_deletion(&self, pending: PendingSignIn) -> anyhow::Result<()> {
        self.0
            .insert(Self::PENDING_DELETION, pending)
            .await
            .context("keeping the deletion under way in the session")
    }

    /// Keeps the appointment of `application` just cancelled (its day and
    /// time), for the application's page to tell once.
    async fn appointment_cancelled(
        &self,
        application: &str,
        day: app::dates::CivilDate,
        slot: u16,
    ) -> anyhow::Result<()> {
        self.0
            .insert(Self::CANCELLED, (application, day, slot))
            .await
            .context("keeping the cancelled appointment in the session")
    }

    /// The day and time of `application`'s appointment just cancelled, if
    /// there is one to tell; told once, so taken from the session.
    async fn take_cancelled(
        &self,
        application: &str,
    ) -> anyhow::Result<Option<(app::dates::CivilDate, u16)>> {
        let kept = self
            .0
            .get::<(String, app::dates::CivilDate, u16)>(Self::CANCELLED)
            .await
            .context("reading the cancelled appointment from the session")?;
        match kept {
            Some((id, day, slot)) if id == application => {
                self.0
                    .remove_value(Self::CANCELLED)
                    .await
                    .context("forgetting the cancelled appointment")?;
                Ok(Some((day, slot)))
            }
            _ => Ok(None),
        }
    }

    /// Signs `account` in at `now`, under a new session id, so an id
    /// planted or seen before sign-in is worth nothing.
    async fn sign_in(&self, account: String, now: i64) -> anyhow::Result<()> {
        let session = &self.0;
        session.cycle_id().await.context("a new session id")?;
        session
            .remove::<PendingSignIn>(Self::PENDING_SIGN_IN)
            .await
            .context("ending the sign-in under way")?;
        session
            .insert(Self::STARTED, now)
            .await
            .context("keeping when the session started")?;
        session
            .insert(Self::ACCOUNT, account)
            .await
            .context("keeping the signed-in account in the session")
    }

    /// Ends the session (signing out, or the account deleted).
    async fn end(&self) -> anyhow::Result<()> {
        self.0.flush().await.context("ending the session")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CitizenSession {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state)
            .await
            .map(CitizenSession)
            .map_err(IntoResponse::into_response)
    }
}

/// Tells the page shell whether someone is signed in (for the header).
pub async fn signed_in_marker(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let signed_in = matches!(CitizenSession(session).account(&state).await, Ok(Some(_)));
    request.extensions_mut().insert(SignedIn(signed_in));
    next.run(request).await
}

/// A signed-in citizen's account id; anyone else is sent to sign in.
pub struct Citizen(pub String);

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = CitizenSession::from_request_parts(parts, state).await?;
        match session.account(state).await {
            Ok(Some(account)) => Ok(Citizen(account)),
            _ => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// The path's `{id}`.
async fn path_id(parts: &mut Parts, state: &AppState) -> PageResult<String> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(PageError::respond)?;
    params
        .iter()
        .find(|(name, _)| *name == "id")
        .map(|(_, value)| value.to_string())
        .ok_or_else(|| PageError::Internal(anyhow::anyhow!("a route without an {{id}}")))
}

/// The signed-in citizen and the application the path names, brought up
/// to date with the registry; an application this account may not see
/// (`Applications::load`, through `visible_to`) is the 404 page.
pub struct OwnApplication {
    pub account: String,
    pub app: Stored,
}

impl OwnApplication {
    /// The task-list steps are an adult's: a child's application is a 404 there.
    pub fn adult(self) -> PageResult<Self> {
        if self.app.kind == ApplicationKind::AdultId {
            Ok(self)
        } else {
            Err(PageError::NotFound)
        }
    }
}

impl OwnApplication {
    /// The application `id` of `account`, brought up to date; the 404 page
    /// if this account may not see it.
    pub async fn load(state: &AppState, account: String, id: &str) -> PageResult<Self> {
        let app = state
            .applications()
            .load(&account, id)
            .await
            .context("loading the citizen's application")?
            .ok_or(PageError::NotFound)?;
        let app = state
            .applications()
            .refresh(&state.verifications(), app, state.clock.now())
            .await
            .context("bringing an application up to date")?;
        Ok(OwnApplication { account, app })
    }
}

impl FromRequestParts<AppState> for OwnApplication {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Citizen(account) = Citizen::from_request_parts(parts, state).await?;
        let loaded = async {
            let id = path_id(parts, state).await?;
            OwnApplication::load(state, account, &id).await
        };
        loaded.await.map_err(IntoResponse::into_response)
    }
}

/// The signed-in citizen, the child's application the path names, as
/// stored, and their link to it: an application their link empowers, or
/// their own guardianship claim (whose pages show the claim only); anything
/// else (another's, an adult's, a withdrawn link) is the 404 page.
pub struct OwnChild {
    pub account: String,
    pub app: Stored,
    pub link: Link,
}

impl OwnChild {
    /// The child's application `id` and this account's link to it, if this
    /// account may see it or it is their claim.
    pub async fn load(state: &AppState, account: &str, id: &str) -> PageResult<OwnChild> {
        let link = state
            .children()
            .link(account, id)
            .await
            .context("loading the adult's link to the child")?
            .filter(|link| link.status != status::WITHDRAWN)
            .ok_or(PageError::NotFound)?;
        let app = if link.empowers() {
            state.applications().load(account, id).await
        } else {
            state.applications().load_for_staff(id).await
        };
        let app = app
            .context("loading a child's application")?
            .filter(|app| app.kind == ApplicationKind::MinorCard)
            .ok_or(PageError::NotFound)?;
        Ok(OwnChild {
            account: account.to_string(),
            app,
            link,
        })
    }
}

impl FromRequestParts<AppState> for OwnChild {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Citizen(account) = Citizen::from_request_parts(parts, state).await?;
        let loaded = async {
            let id = path_id(parts, state).await?;
            OwnChild::load(state, &account, &id).await
        };
        loaded.await.map_err(IntoResponse::into_response)
    }
}

/// The name the application gives, "Given Surname", if it has one yet.
fn full_name(app: &Stored) -> Option<String> {
    app.answers
        .applicant()
        .map(|(surname, given_names, _)| format!("{given_names} {surname}"))
}

/// The live booking an application's pages show: the enrolment, else the
/// collection.
async fn shown_booking(state: &AppState, id: &str) -> anyhow::Result<Option<Booking>> {
    Ok(state
        .bookings()
        .live_for(id)
        .await
        .context("loading an application's bookings")?
        .into_iter()
        .min_by_key(|b| b.kind != Kind::Enrolment))
}

/// The application's live appointment, for its status page.
async fn appointment_of(state: &AppState, app: &Stored) -> anyhow::Result<Option<Appointment>> {
    let Some(booking) = shown_booking(state, &app.id).await? else {
        return Ok(None);
    };
    let centre = state
        .centres()
        .get(&booking.centre_id)
        .await
        .context("loading the appointment's centre")?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(Some(Appointment {
        day: booking.day,
        slot: booking.slot,
        centre,
    }))
}
