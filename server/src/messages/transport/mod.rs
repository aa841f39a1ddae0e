//! How messages leave the outbox: the [`Transport`] trait, what it is
//! given ([`Outgoing`], addressed to a [`Recipient`]) and what it answers
//! ([`Sent`], or a [`TransportError`] that says whether to try again).
//!
//! Transports, one per file: `log` ([`log::LogTransport`], for a developer
//! or a demo; refused in production), `sms` (Africa's Talking), `email`
//! (SMTP) and `by_channel` (phones to one transport, addresses to another).
//! [`transport_from_config`] puts together the one the configuration names.

pub mod by_channel;
pub mod email;
pub mod log;
mod pacer;
pub mod sms;

use self::by_channel::ByChannel;
use self::log::LogTransport;
use self::sms::{AfricasTalking, AfricasTalkingConfig};
use crate::config::{Config, Environment, MessageTransportKind};
use app::i18n::Locale;
use std::sync::Arc;

/// Where a message goes. Its `Debug` shows only which kind of address.
#[derive(Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A phone number in E.164 form (`+254712345678`), by SMS.
    Phone(String),
    /// An email address.
    Email(String),
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Recipient::Phone(_) => "Phone(<redacted>)",
            Recipient::Email(_) => "Email(<redacted>)",
        })
    }
}

impl Recipient {
    /// The channel, as stored: `sms` or `email`.
    pub fn channel(&self) -> &'static str {
        match self {
            Recipient::Phone(_) => "sms",
            Recipient::Email(_) => "email",
        }
    }

    /// The phone number or email address.
    pub fn address(&self) -> &str {
        match self {
            Recipient::Phone(address) | Recipient::Email(address) => address,
        }
    }

    pub(crate) fn from_stored(channel: &str, address: String) -> Option<Self> {
        match channel {
            "sms" => Some(Recipient::Phone(address)),
            "email" => Some(Recipient::Email(address)),
            _ => None,
        }
    }
}

/// A message on its way out, as a transport receives it. No `Debug`: it
/// holds the recipient and the text.
pub struct Outgoing<'a> {
    /// The outbox id: a transport may give it to its provider as a
    /// reference, so that a retried send is not delivered twice.
    pub id: &'a str,
    /// [`crate::messages::Message::kind`].
    pub kind: &'a str,
    pub to: &'a Recipient,
    /// The language `text` is in (an email's subject and HTML part follow it).
    pub locale: Locale,
    pub text: &'a str,
}

/// Why a transport could not deliver. The text is stored (`last_error`)
/// and logged, so it must be short and must not contain the recipient, the
/// message or any other personal data.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Worth trying again later: a timeout, the provider unavailable.
    #[error("{0}")]
    Temporary(String),
    /// Will never succeed (an address the provider refuses): no more tries.
    #[error("{0}")]
    Permanent(String),
}

/// What a transport says about a message it handed over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// The provider's id for the message (Africa's Talking's `messageId`),
    /// which its delivery reports name; kept in `outbox.provider_id`.
    pub provider_id: Option<String>,
}

/// How messages leave the outbox: SMS, email, or (in development) a log.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// A short name for logs (`log`, `sms`…).
    fn name(&self) -> &'static str;
    /// Delivers one message, or says why not.
    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError>;
}

/// Control characters (newlines above all) become spaces: one message, one line.
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The transport the configuration names: SMS through Africa's Talking,
/// email over SMTP, each channel not live written to the message log.
/// Production refuses anything but `live`, where the log would hold
/// sign-in codes instead of delivering them.
pub fn transport_from_config(config: &Config) -> anyhow::Result<Arc<dyn Transport>> {
    let production = config.environment == Environment::Production;
    let (sms_live, email_live) = match config.message_transport {
        MessageTransportKind::Log => (false, false),
        MessageTransportKind::Sms => (true, false),
        MessageTransportKind::Email => (false, true),
        MessageTransportKind::Live => (true, true),
    };
    if production && !(sms_live && email_live) {
        anyhow::bail!(
            "USAJILI_MESSAGE_TRANSPORT={} is refused in production: it writes {} messages, sign-in codes \
             included, in plain text to USAJILI_MESSAGE_LOG instead of delivering them. Production needs \
             `live`: SMS through Africa's Talking (USAJILI_AT_*) and email over SMTP (USAJILI_SMTP_*)",
            config.message_transport.name(),
            if sms_live {
                "email"
            } else if email_live {
                "SMS"
            } else {
                "all"
            },
        );
    }
    let log = || -> Arc<dyn Transport> { Arc::new(LogTransport::new(&config.message_log)) };
    if !sms_live && !email_live {
        return Ok(log());
    }
    let sms: Arc<dyn Transport> = if sms_live {
        let settings = &config.sms;
        let transport =
            AfricasTalking::new(AfricasTalkingConfig::from_settings(settings, production)?)?;
        if settings.usable_callback_token().is_none() {
            tracing::warn!(
                "USAJILI_AT_CALLBACK_TOKEN is not set: delivery reports are refused and sent SMS stay `sent`"
            );
        }
        Arc::new(transport)
    } else {
        log()
    };
    let email: Arc<dyn Transport> = if email_live {
        Arc::new(crate::messages::transport::email::Smtp::new(
            crate::messages::transport::email::SmtpConfig::from_settings(&config.smtp, production)?,
        )?)
    } else {
        log()
    };
    Ok(Arc::new(ByChannel::new(sms, email)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipients_debug_shows_only_which_kind_of_address() {
        assert_eq!(
            format!("{:?}", Recipient::Phone("+254712345678".into())),
            "Phone(<redacted>)"
        );
        assert_eq!(
            format!("{:?}", Recipient::Email("amina@example.com".into())),
            "Email(<redacted>)"
        );
        assert_eq!(Recipient::Phone(String::new()).channel(), "sms");
        assert_eq!(Recipient::Email(String::new()).channel(), "email");
        assert_eq!(
            Recipient::from_stored("sms", "+254712345678".into()),
            Some(Recipient::Phone("+254712345678".into()))
        );
        assert_eq!(Recipient::from_stored("fax", "x".into()), None);
    }

    #[test]
    fn production_refuses_the_log_transport_and_development_gets_it() {
        let mut config = Config::from_env();
        config.message_transport = MessageTransportKind::Log;
        config.environment = Environment::Development;
        assert_eq!(transport_from_config(&config).unwrap().name(), "log");
        config.environment = Environment::Production;
        let error = transport_from_config(&config).err().expect("refused");
        assert!(
            error.to_string().contains("refused in production"),
            "{error}"
        );
    }

    #[test]
    fn production_needs_both_channels_live() {
        let mut config = Config::from_env();
        config.environment = Environment::Production;
        for (kind, logged) in [
            (MessageTransportKind::Sms, "email"),
            (MessageTransportKind::Email, "SMS"),
        ] {
            config.message_transport = kind;
            let error = transport_from_config(&config)
                .err()
                .expect("refused")
                .to_string();
            let expected = format!(
                "USAJILI_MESSAGE_TRANSPORT={} is refused in production: it writes {logged} messages",
                kind.name()
            );
            assert!(error.contains(&expected), "{error}");
        }
    }
}
