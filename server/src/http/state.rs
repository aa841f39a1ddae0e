//! What handlers get from axum's `State` (never from a global), and the
//! domain services built from it, so every handler module builds them the
//! same way.

use crate::audit::Audit;
use crate::booking::bookings::Bookings;
use crate::booking::centres::Centres;
use crate::ceilings::Ceilings;
use crate::citizen::applications::{Applications, Stored};
use crate::citizen::children::Children;
use crate::citizen::sign_in::SignIn;
use crate::citizen::uploads::Uploads;
use crate::clock::Clock;
use crate::config::Config;
use crate::messages::Message;
use crate::registry::attempts::Tries;
use crate::registry::pending::PendingVerifications;
use anyhow::Context;
use app::i18n::Locale;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::{AnyConnection, AnyPool};
use std::sync::Arc;

/// What every handler shares. One reference count to clone: axum clones
/// the state at every layer a request passes through, for every request.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Leptos's handlers take their options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state's parts.
pub struct Services {
    pub leptos_options: LeptosOptions,
    pub db: AnyPool,
    pub registry: crate::registry::SharedRegistry,
    pub cipher: crate::crypto::FieldCipher,
    pub config: Arc<Config>,
    /// The time requests see (the `Now` extractor).
    pub clock: Clock,
    /// How much expensive work runs at once in this process.
    pub ceilings: Ceilings,
}

impl Services {
    /// Whether a call to one of Africa's Talking's callbacks (delivery
    /// reports, incoming SMS, USSD steps) carries our secret token
    /// (`USAJILI_AT_CALLBACK_TOKEN`, compared in constant time). Without a
    /// token configured no call is; a wrong token is logged, naming the
    /// callback, never the token. Each callback answers a refusal with 404.
    pub fn provider_callback_allowed(&self, token: &str, callback: &'static str) -> bool {
        let Some(configured) = self.config.messages.sms.usable_callback_token() else {
            return false;
        };
        let allowed = crate::messages::transport::sms::callback_token_matches(configured, token);
        if !allowed {
            tracing::warn!(
                callback,
                "a provider callback with a wrong token was refused"
            );
        }
        allowed
    }

    pub fn applications(&self) -> Applications<'_> {
        Applications {
            db: &self.db,
            cipher: &self.cipher,
        }
    }

    /// Citizens' accounts (their contact, their data, deleting them).
    pub fn accounts(&self) -> crate::citizen::account::Accounts<'_> {
        crate::citizen::account::Accounts {
            db: &self.db,
            cipher: &self.cipher,
        }
    }

    pub fn verifications(&self) -> PendingVerifications {
        PendingVerifications {
            db: self.db.clone(),
            cipher: self.cipher.clone(),
            registry: self.registry.clone(),
            retry_secs: self.config.verification_retry_secs,
        }
    }

    /// The one photo upload in flight per account.
    pub fn uploads(&self) -> Uploads<'_> {
        Uploads { db: &self.db }
    }

    /// Sign-in codes (to sign in, and to confirm deleting an account).
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn {
            db: &self.db,
            cipher: &self.cipher,
            limits: self.config.sign_in,
        }
    }

    pub fn children(&self) -> Children<'_> {
        Children {
            db: &self.db,
            cipher: &self.cipher,
            registry: self.registry.as_ref(),
            ages: self.config.ages,
        }
    }

    /// Sending an application (`citizen::submission`), with the
    /// registry's tries and the message, as every channel does it.
    pub fn submission<'a>(
        &'a self,
        verifications: &'a PendingVerifications,
    ) -> crate::citizen::submission::Submission<'a> {
        crate::citizen::submission::Submission {
            applications: self.applications(),
            verifications,
            tries: self.registry_tries(),
        }
    }

    /// The attempt limits on matching details with the registry.
    pub fn registry_tries(&self) -> Tries<'_> {
        Tries {
            db: &self.db,
            cipher: &self.cipher,
            limits: self.config.registry_tries,
        }
    }

    pub fn bookings(&self) -> Bookings<'_> {
        Bookings {
            db: &self.db,
            cutoff_secs: self.config.booking_cutoff_minutes.saturating_mul(60),
        }
    }

    pub fn centres(&self) -> Centres<'_> {
        Centres { db: &self.db }
    }

    pub fn audit(&self) -> Audit<'_> {
        Audit {
            db: &self.db,
            cipher: &self.cipher,
        }
    }

    /// A message about an application to the person it concerns
    /// ([`Applications::message`]): for a child's application, the adult
    /// acting for the child, in the language of the page they used. Queued
    /// on `tx`, the transaction of the change it announces, so it is sent if
    /// and only if that change commits.
    pub async fn message_about(
        &self,
        tx: &mut AnyConnection,
        app: &Stored,
        acting: &str,
        locale: Locale,
        message: &Message,
        now: i64,
    ) -> anyhow::Result<()> {
        self.applications()
            .message(tx, app, acting, locale, message, now)
            .await
            .context("queueing a message about an application")
    }

    /// A transaction for a change and what goes with it (its audit event,
    /// its messages): commit it once, or drop it to roll everything back.
    pub async fn begin(&self) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Any>> {
        crate::db::begin(&self.db)
            .await
            .context("starting a transaction")
    }
}
