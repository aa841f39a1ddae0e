//! Two-way SMS: what a citizen's text to our short code asks for, and the
//! answer, queued in the outbox (`http::sms_inbound` is the provider's
//! callback). Keywords in English and Kiswahili, any case:
//! - `STATUS` or `HALI`, optionally with a reference: the state of this
//!   number's applications (those the USSD menu shows: giving it as their
//!   contact, or of the account signed in with it);
//! - `HELP` or `MSAADA`: the USSD code and the web address;
//! - `STOP`: no more reminders to this number (recorded in `sms_stops` by
//!   the number's blind index; card-ready and sign-in messages still go).
//!
//! Anything else is answered with the help. The number is only ever its
//! blind index in storage and never in a log.

use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::messages::{Message, Recipient, outbox};
use crate::ussd::menus::state_text;
use crate::ussd::texts::T;
use anyhow::Context as _;
use app::i18n::Locale;
use app::identifiers::PhoneNumber;
use sqlx::AnyPool;

/// What a text asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keyword {
    /// `STATUS`/`HALI`, with the reference if one was given.
    Status(Option<String>),
    Help,
    Stop,
    /// Not a keyword: answered with the help.
    Unknown,
}

/// What a text asks for, and the language to answer in (Kiswahili for the
/// Kiswahili keywords).
pub fn parse(text: &str) -> (Keyword, Locale) {
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("").to_uppercase();
    let rest: String = words.collect::<Vec<_>>().join("").to_uppercase();
    let reference = (!rest.is_empty()).then_some(rest);
    match first.as_str() {
        "STATUS" => (Keyword::Status(reference), Locale::en),
        "HALI" => (Keyword::Status(reference), Locale::sw),
        "HELP" => (Keyword::Help, Locale::en),
        "MSAADA" => (Keyword::Help, Locale::sw),
        "STOP" => (Keyword::Stop, Locale::en),
        _ => (Keyword::Unknown, Locale::en),
    }
}

/// Whether a reference typed in a text names `stored` (case, spaces and
/// dashes aside).
fn same_reference(typed: &str, stored: &str) -> bool {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    plain(typed) == plain(stored)
}

/// Whether reminders to `phone` were stopped.
pub async fn stopped(db: &AnyPool, cipher: &FieldCipher, phone: &str) -> anyhow::Result<bool> {
    let index = cipher.blind_index(columns::CONTACT_INDEX, phone);
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sms_stops WHERE contact_index = $1")
        .bind(index)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Whether reminders about `app` go to a number that sent STOP: the
/// application's own phone, or (a child's) the account acting for it.
pub async fn reminders_stopped(
    db: &AnyPool,
    cipher: &FieldCipher,
    app: &crate::citizen::applications::Stored,
) -> anyhow::Result<bool> {
    if let Some(contact) = &app.answers.contact {
        return stopped(db, cipher, contact.phone.as_ref()).await;
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sms_stops s JOIN accounts a ON a.contact_index = s.contact_index WHERE a.id = $1",
    )
    .bind(&app.account_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

pub struct Inbound<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
    /// The USSD code the help names.
    pub ussd_code: &'a str,
}

impl Inbound<'_> {
    /// Answers one text from `from`; false if `from` is no phone number
    /// (nothing is done).
    pub async fn answer(&self, from: &str, text: &str, now: i64) -> anyhow::Result<bool> {
        let Ok(phone) = PhoneNumber::parse(from) else {
            return Ok(false);
        };
        let phone = phone.to_string();
        let index = self.cipher.blind_index(columns::CONTACT_INDEX, &phone);
        let (keyword, locale) = parse(text);
        let help = || T::SmsHelp.fill(locale, &[("code", self.ussd_code)]);
        let reply = match &keyword {
            Keyword::Status(reference) => self.status(&index, reference.as_deref(), locale).await?,
            Keyword::Help | Keyword::Unknown => help(),
            Keyword::Stop => T::SmsStopped.get(locale).to_string(),
        };
        let mut tx = crate::db::begin(self.db)
            .await
            .context("starting a transaction")?;
        if keyword == Keyword::Stop {
            sqlx::query(
                "INSERT INTO sms_stops (contact_index, stopped_at) VALUES ($1, $2) \
                 ON CONFLICT (contact_index) DO NOTHING",
            )
            .bind(&index)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("recording a stop")?;
        }
        let message = Message::SmsReply { text: reply };
        outbox::enqueue(
            &mut tx,
            self.cipher,
            &Recipient::Phone(phone),
            locale,
            &message,
            now,
        )
        .await
        .context("queueing a reply")?;
        tx.commit().await.context("committing a reply")?;
        outbox::wake_worker();
        Ok(true)
    }

    /// The state of the number's applications, or of the one `reference`
    /// names.
    async fn status(
        &self,
        index: &str,
        reference: Option<&str>,
        locale: Locale,
    ) -> anyhow::Result<String> {
        let apps = crate::citizen::applications::Applications {
            db: self.db,
            cipher: self.cipher,
        }
        .list_for_number(index)
        .await
        .context("listing the number's applications")?;
        let lines: Vec<String> = apps
            .iter()
            .filter_map(|app| Some((app.reference.as_deref()?, app.state)))
            .filter(|(r, _)| reference.is_none_or(|typed| same_reference(typed, r)))
            .map(|(r, state)| format!("{r}: {}", state_text(state, locale)))
            .collect();
        if lines.is_empty() {
            let text = if reference.is_some() {
                T::SmsUnknownReference
            } else {
                T::NoApplications
            };
            return Ok(text.get(locale).to_string());
        }
        Ok(lines.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_read_in_both_languages_in_any_case() {
        assert_eq!(parse("status"), (Keyword::Status(None), Locale::en));
        assert_eq!(
            parse("  Hali ke-7h2k 9qxm "),
            (Keyword::Status(Some("KE-7H2K9QXM".into())), Locale::sw)
        );
        assert_eq!(parse("HELP"), (Keyword::Help, Locale::en));
        assert_eq!(parse("msaada"), (Keyword::Help, Locale::sw));
        assert_eq!(parse("Stop"), (Keyword::Stop, Locale::en));
        assert_eq!(parse("hello"), (Keyword::Unknown, Locale::en));
        assert_eq!(parse(""), (Keyword::Unknown, Locale::en));
        assert_eq!(parse("\u{1F600}"), (Keyword::Unknown, Locale::en));
    }

    #[test]
    fn a_reference_matches_whatever_its_case_and_dashes() {
        assert!(same_reference("ke7h2k9qxm", "KE-7H2K-9QXM"));
        assert!(!same_reference("KE-7H2K-9QXN", "KE-7H2K-9QXM"));
    }
}
