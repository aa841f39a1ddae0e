//! How messages leave the outbox: the [`Transport`] trait, what it is
//! given ([`Outgoing`], addressed to a [`Recipient`]) and what it answers
//! ([`Sent`], or a [`TransportError`] that says whether to try again).
//!
//! Transports, one per file: `log` ([`log::LogTransport`], for a developer
//! or a demo; refused in production), `sms` (Africa's Talking), `email`
//! (SMTP) and `by_channel` (phones to one transport, addresses to another).
//! Each transport owns its settings; [`MessageSettings`] gathers them with
//! the choice of transport, and [`from_settings`] puts together the
//! transport they name.

pub mod by_channel;
pub mod email;
pub mod log;
mod pacer;
pub mod sms;

use self::by_channel::ByChannel;
use self::email::{Smtp, SmtpConfig, SmtpSettings};
use self::log::{LogSettings, LogTransport};
use self::sms::{AfricasTalking, AfricasTalkingConfig, SmsSettings};
use app::i18n::Locale;
use std::sync::Arc;

app::coded_enum! {
    /// How a message travels (`outbox.channel`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Channel {
        Sms => "sms",
        Email => "email",
    }
}

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
    /// The channel it goes by.
    pub fn channel(&self) -> Channel {
        match self {
            Recipient::Phone(_) => Channel::Sms,
            Recipient::Email(_) => Channel::Email,
        }
    }

    /// The phone number or email address.
    pub fn address(&self) -> &str {
        match self {
            Recipient::Phone(address) | Recipient::Email(address) => address,
        }
    }

    /// The recipient of a stored message: its channel's code and address.
    pub(crate) fn from_stored(channel: &str, address: String) -> Option<Self> {
        Some(match Channel::from_code(channel)? {
            Channel::Sms => Recipient::Phone(address),
            Channel::Email => Recipient::Email(address),
        })
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

/// How messages leave the outbox, and each transport's settings, from
/// configuration (flattened into the server's configuration).
#[derive(clap::Args, Clone, Debug)]
pub struct MessageSettings {
    /// How messages (sign-in codes, notices) leave the outbox. `log` writes
    /// them all to USAJILI_MESSAGE_LOG for a developer or a demo to read;
    /// `live` sends SMS through Africa's Talking (USAJILI_AT_*) and email
    /// over SMTP (USAJILI_SMTP_*); `sms` or `email` makes only that channel
    /// live and logs the other. Production accepts only `live`.
    #[arg(
        long,
        value_enum,
        env = "USAJILI_MESSAGE_TRANSPORT",
        default_value = "log",
        global = true
    )]
    pub message_transport: MessageTransportKind,

    /// The `log` transport (`log`).
    #[command(flatten)]
    pub log: LogSettings,

    /// Africa's Talking, for `USAJILI_MESSAGE_TRANSPORT=sms` (`sms`).
    #[command(flatten)]
    pub sms: SmsSettings,

    /// SMTP, for email (`email`).
    #[command(flatten)]
    pub smtp: SmtpSettings,
}

/// Which transports are live: `USAJILI_MESSAGE_TRANSPORT`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageTransportKind {
    Log,
    Sms,
    Email,
    Live,
}

impl MessageTransportKind {
    /// The value as configured.
    pub fn name(self) -> &'static str {
        match self {
            MessageTransportKind::Log => "log",
            MessageTransportKind::Sms => "sms",
            MessageTransportKind::Email => "email",
            MessageTransportKind::Live => "live",
        }
    }
}

/// The transport the settings name: SMS through Africa's Talking, email
/// over SMTP, each channel not live written to the message log.
/// `production` refuses anything but `live`, where the log would hold
/// sign-in codes instead of delivering them.
pub fn from_settings(
    settings: &MessageSettings,
    production: bool,
) -> anyhow::Result<Arc<dyn Transport>> {
    let (sms_live, email_live) = match settings.message_transport {
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
            settings.message_transport.name(),
            if sms_live {
                "email"
            } else if email_live {
                "SMS"
            } else {
                "all"
            },
        );
    }
    let log = || -> Arc<dyn Transport> { Arc::new(LogTransport::new(&settings.log.target)) };
    if !sms_live && !email_live {
        return Ok(log());
    }
    let sms: Arc<dyn Transport> = if sms_live {
        let sms = &settings.sms;
        let transport = AfricasTalking::new(AfricasTalkingConfig::from_settings(sms, production)?)?;
        if sms.usable_callback_token().is_none() {
            tracing::warn!(
                "USAJILI_AT_CALLBACK_TOKEN is not set: delivery reports are refused and sent SMS stay `sent`"
            );
        }
        Arc::new(transport)
    } else {
        log()
    };
    let email: Arc<dyn Transport> = if email_live {
        Arc::new(Smtp::new(SmtpConfig::from_settings(
            &settings.smtp,
            production,
        )?)?)
    } else {
        log()
    };
    Ok(Arc::new(ByChannel::new(sms, email)))
}

#[cfg(test)]
impl MessageSettings {
    /// The defaults, as a fresh `usajili serve` would use them.
    pub(crate) fn defaults() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            settings: MessageSettings,
        }
        <Only as clap::Parser>::parse_from(["usajili"]).settings
    }
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
        assert_eq!(Recipient::Phone(String::new()).channel().code(), "sms");
        assert_eq!(Recipient::Email(String::new()).channel().code(), "email");
        assert_eq!(
            Recipient::from_stored("sms", "+254712345678".into()),
            Some(Recipient::Phone("+254712345678".into()))
        );
        assert_eq!(Recipient::from_stored("fax", "x".into()), None);
    }

    #[test]
    fn production_refuses_the_log_transport_and_development_gets_it() {
        let mut settings = MessageSettings::defaults();
        settings.message_transport = MessageTransportKind::Log;
        assert_eq!(from_settings(&settings, false).unwrap().name(), "log");
        let error = from_settings(&settings, true).err().expect("refused");
        assert!(
            error.to_string().contains("refused in production"),
            "{error}"
        );
    }

    #[test]
    fn production_needs_both_channels_live() {
        let mut settings = MessageSettings::defaults();
        for (kind, logged) in [
            (MessageTransportKind::Sms, "email"),
            (MessageTransportKind::Email, "SMS"),
        ] {
            settings.message_transport = kind;
            let error = from_settings(&settings, true)
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
