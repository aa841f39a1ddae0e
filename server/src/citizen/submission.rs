//! Sending an application, the one way every channel does it (the web's
//! declaration, a USSD pre-registration's consent): the registry's tries
//! (`registry::attempts`: a mismatch counts, and so does a birth
//! certificate another application holds), the submission itself
//! (`Applications::submit`: consent, reference, the registry's check, the
//! audit event), and then the message telling the citizen what came of
//! it. The message follows the submission's commit: the submission waits
//! for the registry, which no transaction may.

use crate::audit::Event;
use crate::citizen::applications::{Applications, Refused, Stored, submission_message};
use crate::registry::attempts::{Identifier, Tries, TriesUsed};
use crate::registry::pending::PendingVerifications;
use anyhow::Context as _;
use app::application::{Attention, Channel};
use app::dates::CivilDate;
use app::i18n::Locale;

/// What a submission came to: refused by the tries before anything was
/// asked, or the submission's own outcome.
pub type Submitted = Result<Result<Stored, Refused>, TriesUsed>;

pub struct Submission<'a> {
    pub applications: Applications<'a>,
    pub verifications: &'a PendingVerifications,
    pub tries: Tries<'a>,
}

impl Submission<'_> {
    /// Sends `app` by `channel`, `event` recorded in the submission's
    /// transaction; on success, queues the message about its outcome.
    pub async fn send(
        &self,
        app: &Stored,
        channel: Channel,
        (today, now): (CivilDate, i64),
        event: &Event<'_>,
    ) -> anyhow::Result<Submitted> {
        let Some(birth_cert) = app.answers.birth_certificate.clone() else {
            return Ok(Ok(Err(Refused::Incomplete)));
        };
        let submitted = self
            .tries
            .attempt(
                &app.account_id,
                Identifier::BirthCertificate(&birth_cert),
                now,
                self.applications
                    .submit(self.verifications, app, (channel, today), now, event),
                |submitted| {
                    matches!(submitted, Ok(stored) if stored.attention == Some(Attention::Mismatch))
                        || matches!(submitted, Err(Refused::Duplicate))
                },
            )
            .await
            .context("submitting an application")?;
        if let Ok(Ok(stored)) = &submitted {
            self.tell(stored, now)
                .await
                .context("telling the citizen what came of the submission")?;
        }
        Ok(submitted)
    }

    /// Queues the message about a submission's outcome to the
    /// application's own contact, on a transaction of its own.
    async fn tell(&self, app: &Stored, now: i64) -> anyhow::Result<()> {
        let (Some(message), Some(_)) = (submission_message(app), &app.answers.contact) else {
            return Ok(());
        };
        let mut tx = crate::db::begin(self.applications.db).await?;
        self.applications
            .message(&mut tx, app, &app.account_id, Locale::en, &message, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
