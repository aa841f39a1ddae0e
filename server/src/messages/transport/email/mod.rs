//! The email transport: SMTP, with lettre.
//!
//! [`Smtp`] sends each outbox message as one email to one address:
//! `multipart/alternative`, with the message's text as the plain part and a
//! small accessible HTML document of the same text (escaped, `lang` set, no
//! images, links or tracking) as the other; a [`subject`] per kind of message
//! and language that never holds a code or a reference; and a `Message-ID`
//! made from the outbox id, so that a message sent twice (the outbox
//! delivers at least once) is recognisably the same one.
//!
//! The connection is encrypted with rustls: STARTTLS, *required* (a server
//! that does not offer it gets nothing, credentials included), or TLS from
//! the start (`tls`, port 465). `none` is for a development relay only;
//! production refuses it. The server's certificate must chain to the Mozilla
//! roots or to the extra root certificate in `USAJILI_SMTP_CA_FILE` (a
//! private relay's own CA).
//!
//! `failure` sorts what went wrong into another try later or giving up.
//! Errors name SMTP reply codes and short descriptions, never the server's
//! reply text (servers repeat addresses in it), the recipient, the subject
//! or the body: they are stored in `last_error` and logged.

mod failure;

use super::pacer::Throttle;
use super::{Outgoing, Recipient, Sent, Transport, TransportError};
use crate::crypto::Secret;
use anyhow::Context as _;
use app::i18n::Locale;
use failure::{Failure, classify, failure_of};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use std::path::PathBuf;
use std::time::Duration;

/// The submission port, for STARTTLS (and `none`).
pub const SUBMISSION_PORT: u16 = 587;
/// The port for TLS from the start (`tls`).
pub const IMPLICIT_TLS_PORT: u16 = 465;
/// How long one email may take: connecting, TLS, signing in and sending
/// (under the outbox's 30 s for a transport).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection to the SMTP server is encrypted.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain at first, then STARTTLS, which the server must offer.
    Starttls,
    /// TLS from the start ("implicit TLS", port 465).
    Tls,
    /// No encryption: a development relay only (refused in production).
    None,
}

/// The SMTP server's settings, from configuration (flattened into the
/// server's configuration; the ids keep clear of `SmsSettings`' fields).
#[derive(clap::Args, Clone, Debug)]
pub struct SmtpSettings {
    /// The SMTP server (relay) email is sent through.
    #[arg(
        id = "smtp_host",
        long = "smtp-host",
        env = "USAJILI_SMTP_HOST",
        global = true
    )]
    pub host: Option<String>,

    /// Its port: 587 by default, 465 with `USAJILI_SMTP_TLS=tls`.
    #[arg(
        id = "smtp_port",
        long = "smtp-port",
        env = "USAJILI_SMTP_PORT",
        global = true
    )]
    pub port: Option<u16>,

    /// The user name to sign in to the SMTP server with (AUTH PLAIN or
    /// LOGIN, over TLS); without it, no sign-in.
    #[arg(
        id = "smtp_username",
        long = "smtp-username",
        env = "USAJILI_SMTP_USERNAME",
        global = true
    )]
    pub username: Option<String>,

    /// The password for USAJILI_SMTP_USERNAME.
    #[arg(
        id = "smtp_password",
        long = "smtp-password",
        env = "USAJILI_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<Secret>,

    /// Who email comes from, e.g. `Usajili <no-reply@usajili.go.ke>`.
    #[arg(
        id = "smtp_from",
        long = "smtp-from",
        env = "USAJILI_SMTP_FROM",
        global = true
    )]
    pub from: Option<String>,

    /// `starttls` (required, not opportunistic), `tls` (from the start) or
    /// `none` (a development relay only; refused in production).
    #[arg(
        id = "smtp_tls",
        long = "smtp-tls",
        value_enum,
        env = "USAJILI_SMTP_TLS",
        default_value = "starttls",
        global = true
    )]
    pub tls: SmtpTls,

    /// A PEM file of root certificates to trust besides the Mozilla roots:
    /// a private relay's own CA.
    #[arg(
        id = "smtp_ca_file",
        long = "smtp-ca-file",
        env = "USAJILI_SMTP_CA_FILE",
        global = true
    )]
    pub ca_file: Option<PathBuf>,

    /// Most emails sent per second by one server process.
    #[arg(
        id = "smtp_per_second",
        long = "smtp-per-second",
        env = "USAJILI_EMAIL_PER_SECOND",
        default_value_t = 10,
        global = true
    )]
    pub per_second: u32,
}

/// What [`Smtp::new`] needs.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password.
    pub credentials: Option<(String, Secret)>,
    pub from: Mailbox,
    /// Root certificates trusted besides the Mozilla roots.
    pub extra_roots: Vec<CertificateDer<'static>>,
    pub per_second: u32,
    /// For the whole of one email.
    pub timeout: Duration,
}

impl SmtpConfig {
    /// From configuration; refuses a missing host or sender, half a set of
    /// credentials, an unreadable CA file, and `none` in production.
    pub fn from_settings(settings: &SmtpSettings, production: bool) -> anyhow::Result<Self> {
        let Some(host) = settings
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            anyhow::bail!(
                "email needs an SMTP server: set USAJILI_SMTP_HOST (and USAJILI_SMTP_FROM)"
            );
        };
        let Some(from) = settings
            .from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        else {
            anyhow::bail!(
                "email needs a sender: set USAJILI_SMTP_FROM, e.g. `Usajili <no-reply@usajili.go.ke>`"
            );
        };
        let from: Mailbox = from.parse().map_err(|_| {
            anyhow::anyhow!("USAJILI_SMTP_FROM is not an email address: write it as `Usajili <no-reply@usajili.go.ke>`")
        })?;
        if production && settings.tls == SmtpTls::None {
            anyhow::bail!(
                "USAJILI_SMTP_TLS=none is refused in production: it sends sign-in codes and the SMTP password \
                 unencrypted. Use `starttls` (port 587) or `tls` (port 465)"
            );
        }
        let username = settings
            .username
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let password = settings.password.clone().filter(|p| !p.expose().is_empty());
        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some((username.to_string(), password)),
            (None, None) => None,
            (Some(_), None) => {
                anyhow::bail!("USAJILI_SMTP_USERNAME is set without USAJILI_SMTP_PASSWORD")
            }
            (None, Some(_)) => {
                anyhow::bail!("USAJILI_SMTP_PASSWORD is set without USAJILI_SMTP_USERNAME")
            }
        };
        let extra_roots = match &settings.ca_file {
            Some(path) => read_roots(path)?,
            None => Vec::new(),
        };
        if settings.per_second == 0 {
            anyhow::bail!("USAJILI_EMAIL_PER_SECOND must be at least 1");
        }
        let port = settings.port.unwrap_or(match settings.tls {
            SmtpTls::Tls => IMPLICIT_TLS_PORT,
            SmtpTls::Starttls | SmtpTls::None => SUBMISSION_PORT,
        });
        if port == 0 {
            anyhow::bail!("USAJILI_SMTP_PORT must not be 0");
        }
        Ok(SmtpConfig {
            host: host.to_string(),
            port,
            tls: settings.tls,
            credentials,
            from,
            extra_roots,
            per_second: settings.per_second,
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

/// The certificates in a PEM file; at least one.
fn read_roots(path: &std::path::Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).with_context(|| {
        format!(
            "USAJILI_SMTP_CA_FILE ({}) could not be read",
            path.display()
        )
    })?;
    let roots = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            anyhow::anyhow!(
                "USAJILI_SMTP_CA_FILE ({}) is not a PEM file of certificates",
                path.display()
            )
        })?;
    if roots.is_empty() {
        anyhow::bail!(
            "USAJILI_SMTP_CA_FILE ({}) holds no certificate (`-----BEGIN CERTIFICATE-----`)",
            path.display()
        );
    }
    Ok(roots)
}

// ---- the transport ----------------------------------------------------------------

/// Sends email through one SMTP server: a new connection per email.
pub struct Smtp {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    throttle: Throttle,
}

impl Smtp {
    pub fn new(config: SmtpConfig) -> anyhow::Result<Self> {
        let mut parameters = TlsParameters::builder(config.host.clone());
        for root in config.extra_roots {
            parameters = parameters.add_root_certificate(
                Certificate::from_der(root.to_vec())
                    .context("a certificate in USAJILI_SMTP_CA_FILE is not usable")?,
            );
        }
        let parameters = parameters
            .build_rustls()
            .context("could not set up TLS for the SMTP server")?;
        let tls = match config.tls {
            SmtpTls::Starttls => Tls::Required(parameters),
            SmtpTls::Tls => Tls::Wrapper(parameters),
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some((username, password)) = config.credentials {
            builder =
                builder.credentials(Credentials::new(username, password.expose().to_string()));
        }
        Ok(Smtp {
            mailer: builder.build(),
            from: config.from,
            timeout: config.timeout,
            throttle: Throttle::new(config.per_second),
        })
    }

    /// The email for `message` to `to`.
    fn compose(
        &self,
        message: &Outgoing<'_>,
        to: Mailbox,
    ) -> Result<lettre::Message, TransportError> {
        let subject = subject(message.kind, message.locale);
        lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(message_id(message.id, &self.from))
            // RFC 3834: no out-of-office replies to an automatic message.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                app::language::code(message.locale).into(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                message.text.to_string(),
                html(message.text, subject, message.locale),
            ))
            .map_err(|_| TransportError::Permanent("the email could not be composed".into()))
    }
}

#[async_trait::async_trait]
impl Transport for Smtp {
    fn name(&self) -> &'static str {
        "email"
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        let Recipient::Email(address) = message.to else {
            return Err(TransportError::Permanent(
                "this transport sends email only".into(),
            ));
        };
        let to = address
            .trim()
            .parse::<lettre::Address>()
            .map_err(|_| TransportError::Permanent("the email address is not valid".into()))?;
        let email = self.compose(message, Mailbox::new(None, to))?;
        self.throttle.wait_for_turn().await;
        match tokio::time::timeout(self.timeout, self.mailer.send(email)).await {
            Ok(Ok(_)) => {
                tracing::debug!(message_id = %message.id, "the SMTP server accepted the message");
                Ok(Sent::default())
            }
            Ok(Err(error)) => Err(classify(failure_of(&error))),
            Err(_) => Err(classify(Failure::Timeout)),
        }
    }
}

/// `<{outbox id}@{the sender's domain}>`; lettre makes one up for an id
/// that could not stand there (the outbox's are hex).
fn message_id(id: &str, from: &Mailbox) -> Option<String> {
    let usable = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    usable.then(|| format!("<{id}@{}>", from.email.domain()))
}

// ---- what the email says --------------------------------------------------------

/// The subject of an email of this kind ([`crate::messages::Message::kind`]):
/// what it is about, never a code or a reference.
pub fn subject(kind: &str, locale: Locale) -> &'static str {
    let (en, sw) = match kind {
        "sign_in_code" => (
            "Your Usajili sign-in code",
            "Nambari yako ya kuingia Usajili",
        ),
        "application_submitted" => (
            "Usajili: application received",
            "Usajili: ombi limepokelewa",
        ),
        "application_verified" => (
            "Usajili: application verified",
            "Usajili: ombi limethibitishwa",
        ),
        "application_needs_attention" => (
            "Usajili: your application needs attention",
            "Usajili: ombi lako linahitaji marekebisho",
        ),
        "booking_confirmed" => ("Usajili: appointment booked", "Usajili: miadi imepangwa"),
        "booking_changed" => ("Usajili: appointment moved", "Usajili: miadi imehamishwa"),
        "booking_cancelled" => (
            "Usajili: appointment cancelled",
            "Usajili: miadi imeghairiwa",
        ),
        "card_ready" => (
            "Usajili: your ID card is ready",
            "Usajili: kitambulisho chako kiko tayari",
        ),
        "booking_moved_by_centre" => (
            "Usajili: the centre moved your appointment",
            "Usajili: kituo kimehamisha miadi yako",
        ),
        "booking_cancelled_by_centre" => (
            "Usajili: the centre cancelled your appointment",
            "Usajili: kituo kimeghairi miadi yako",
        ),
        "reminder_day_before" => (
            "Usajili: your appointment is tomorrow",
            "Usajili: miadi yako ni kesho",
        ),
        "reminder_morning" => (
            "Usajili: your appointment is today",
            "Usajili: miadi yako ni leo",
        ),
        "card_collected" => (
            "Usajili: your ID card was collected",
            "Usajili: kitambulisho chako kimechukuliwa",
        ),
        "staff_authenticator_enrolled" => (
            "Usajili staff console: authenticator set up",
            "Usajili wafanyakazi: kithibitishaji kimewekwa",
        ),
        "staff_authenticator_reset" => (
            "Usajili staff console: authenticator reset",
            "Usajili wafanyakazi: kithibitishaji kimewekwa upya",
        ),
        "staff_password_set" => (
            "Usajili staff console: new password",
            "Usajili wafanyakazi: nenosiri jipya",
        ),
        _ => ("A message from Usajili", "Ujumbe kutoka Usajili"),
    };
    match locale {
        Locale::en => en,
        Locale::sw => sw,
    }
}

/// The HTML part: the text in a paragraph of a minimal document in its
/// language. Nothing is fetched when it is opened.
pub fn html(text: &str, subject: &str, locale: Locale) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n</head>\n\
         <body>\n<p>{text}</p>\n</body>\n</html>\n",
        lang = app::language::code(locale),
        title = escape(subject),
        text = escape(text),
    )
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [&str; 16] = [
        "sign_in_code",
        "application_submitted",
        "application_verified",
        "application_needs_attention",
        "booking_confirmed",
        "booking_changed",
        "booking_cancelled",
        "card_ready",
        "booking_moved_by_centre",
        "booking_cancelled_by_centre",
        "reminder_day_before",
        "reminder_morning",
        "card_collected",
        "staff_authenticator_enrolled",
        "staff_authenticator_reset",
        "staff_password_set",
    ];

    #[test]
    fn subjects_differ_per_language_and_never_carry_a_code_or_a_reference() {
        let fallback = (
            subject("a_new_kind", Locale::en),
            subject("a_new_kind", Locale::sw),
        );
        assert_eq!(
            fallback,
            ("A message from Usajili", "Ujumbe kutoka Usajili")
        );
        let mut seen = std::collections::HashSet::new();
        for kind in KINDS {
            let (en, sw) = (subject(kind, Locale::en), subject(kind, Locale::sw));
            assert_ne!(en, sw, "{kind}");
            assert_ne!((en, sw), fallback, "{kind} has a subject of its own");
            for subject in [en, sw] {
                assert!(seen.insert(subject), "{subject:?} is used twice");
                assert!(subject.contains("Usajili"), "{subject}");
                assert!(
                    !subject.chars().any(|c| c.is_ascii_digit()) && !subject.contains("HN-"),
                    "{subject}"
                );
                assert!(subject.is_ascii() && subject.len() <= 60, "{subject}");
            }
        }
    }

    #[test]
    fn the_html_part_is_escaped_and_names_its_language() {
        let page = html(
            "Usajili <b>HN-7KQ2</b> & \"Huduma\" 'Centre'",
            "Usajili: miadi imepangwa",
            Locale::sw,
        );
        assert!(
            page.starts_with("<!DOCTYPE html>\n<html lang=\"sw\">"),
            "{page}"
        );
        assert!(
            page.contains("<p>Usajili &lt;b&gt;HN-7KQ2&lt;/b&gt; &amp; &quot;Huduma&quot; &#39;Centre&#39;</p>"),
            "{page}"
        );
        assert!(
            page.contains("<title>Usajili: miadi imepangwa</title>"),
            "{page}"
        );
        for absent in ["<img", "<a ", "src=", "href=", "<script", "<b>"] {
            assert!(!page.contains(absent), "{absent} in {page}");
        }
        assert!(html("x", "y", Locale::en).contains("<html lang=\"en\">"));
    }

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: Some("smtp.usajili.go.ke".into()),
            port: None,
            username: Some("usajili".into()),
            password: Some(Secret::from("smtp-password-0123".to_string())),
            from: Some("Usajili <no-reply@usajili.go.ke>".into()),
            tls: SmtpTls::Starttls,
            ca_file: None,
            per_second: 10,
        }
    }

    #[test]
    fn the_settings_give_a_configuration_with_the_usual_ports() {
        let config = SmtpConfig::from_settings(&settings(), true).unwrap();
        assert_eq!(
            (config.host.as_str(), config.port, config.tls),
            ("smtp.usajili.go.ke", 587, SmtpTls::Starttls)
        );
        assert_eq!(config.from.to_string(), "Usajili <no-reply@usajili.go.ke>");
        assert_eq!(
            config.credentials.as_ref().map(|(user, _)| user.as_str()),
            Some("usajili")
        );
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        let mut implicit = settings();
        implicit.tls = SmtpTls::Tls;
        assert_eq!(
            SmtpConfig::from_settings(&implicit, true).unwrap().port,
            465
        );
        implicit.port = Some(2465);
        assert_eq!(
            SmtpConfig::from_settings(&implicit, true).unwrap().port,
            2465
        );
        // A relay that takes mail without signing in.
        let mut open = settings();
        (open.username, open.password) = (None, None);
        assert!(
            SmtpConfig::from_settings(&open, true)
                .unwrap()
                .credentials
                .is_none()
        );
    }

    #[test]
    fn settings_missing_a_host_a_sender_or_half_the_credentials_are_refused() {
        let refused = |change: fn(&mut SmtpSettings), production: bool| {
            let mut settings = settings();
            change(&mut settings);
            SmtpConfig::from_settings(&settings, production)
                .unwrap_err()
                .to_string()
        };
        assert!(refused(|s| s.host = None, false).contains("USAJILI_SMTP_HOST"));
        assert!(refused(|s| s.host = Some(" ".into()), false).contains("USAJILI_SMTP_HOST"));
        assert!(refused(|s| s.from = None, false).contains("USAJILI_SMTP_FROM"));
        assert!(
            refused(|s| s.from = Some("no-reply at usajili".into()), false)
                .contains("not an email address")
        );
        assert!(refused(|s| s.password = None, false).contains("without USAJILI_SMTP_PASSWORD"));
        assert!(refused(|s| s.username = None, false).contains("without USAJILI_SMTP_USERNAME"));
        assert!(refused(|s| s.per_second = 0, false).contains("USAJILI_EMAIL_PER_SECOND"));
        assert!(refused(|s| s.port = Some(0), false).contains("USAJILI_SMTP_PORT"));
        // `none`: development only.
        assert!(
            refused(|s| s.tls = SmtpTls::None, true)
                .contains("USAJILI_SMTP_TLS=none is refused in production")
        );
        let mut plain = settings();
        plain.tls = SmtpTls::None;
        assert_eq!(SmtpConfig::from_settings(&plain, false).unwrap().port, 587);
    }

    #[test]
    fn the_ca_file_must_be_readable_and_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = settings();
        settings.ca_file = Some(dir.path().join("missing.pem"));
        let error = format!(
            "{:#}",
            SmtpConfig::from_settings(&settings, false).unwrap_err()
        );
        assert!(
            error.contains("USAJILI_SMTP_CA_FILE") && error.contains("could not be read"),
            "{error}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        settings.ca_file = Some(empty);
        let error = SmtpConfig::from_settings(&settings, false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds no certificate"), "{error}");
    }

    #[test]
    fn the_settings_debug_shows_no_password() {
        let shown = format!("{:?}", settings());
        assert!(!shown.contains("smtp-password-0123"), "{shown}");
        let shown = format!(
            "{:?}",
            SmtpConfig::from_settings(&settings(), false).unwrap()
        );
        assert!(!shown.contains("smtp-password-0123"), "{shown}");
    }

    fn transport() -> Smtp {
        let mut config = SmtpConfig::from_settings(&settings(), false).unwrap();
        config.host = "127.0.0.1".into();
        config.port = 9;
        Smtp::new(config).unwrap()
    }

    #[test]
    fn an_email_is_multipart_alternative_with_the_outbox_id_as_message_id() {
        let to = Recipient::Email("amina@example.com".into());
        let text = "Usajili HN-7KQ2-M9XD: kitambulisho chako kiko tayari.";
        let outgoing = Outgoing {
            id: "0f3a9c",
            kind: "card_ready",
            to: &to,
            locale: Locale::sw,
            text,
        };
        let email = transport()
            .compose(&outgoing, "amina@example.com".parse().unwrap())
            .unwrap();
        let formatted = String::from_utf8(email.formatted()).unwrap();
        for header in [
            "From: Usajili <no-reply@usajili.go.ke>\r\n",
            "To: amina@example.com\r\n",
            "Subject: Usajili: kitambulisho chako kiko tayari\r\n",
            "Message-ID: <0f3a9c@usajili.go.ke>\r\n",
            "Auto-Submitted: auto-generated\r\n",
            "Content-Language: sw\r\n",
            "Content-Type: multipart/alternative;",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/html; charset=utf-8",
        ] {
            assert!(formatted.contains(header), "{header:?} in\n{formatted}");
        }
        // A strange id is not used.
        assert_eq!(
            message_id("a b", &"no-reply@usajili.go.ke".parse().unwrap()),
            None
        );
    }

    #[tokio::test]
    async fn a_phone_number_is_refused_without_connecting() {
        let to = Recipient::Phone("+254712345678".into());
        let outgoing = Outgoing {
            id: "x",
            kind: "sign_in_code",
            to: &to,
            locale: Locale::en,
            text: "hi",
        };
        let error = transport().send(&outgoing).await.unwrap_err();
        assert!(
            matches!(error, TransportError::Permanent(ref reason) if reason == "this transport sends email only")
        );
        let to = Recipient::Email("not an address".into());
        let outgoing = Outgoing {
            id: "x",
            kind: "sign_in_code",
            to: &to,
            locale: Locale::en,
            text: "hi",
        };
        let error = transport().send(&outgoing).await.unwrap_err();
        assert!(
            matches!(error, TransportError::Permanent(ref reason) if reason == "the email address is not valid")
        );
        assert_eq!(transport().name(), "email");
    }
}
