//! The outbox: messages to citizens, queued in the database and delivered by a background worker.
//!
//! A message (a sign-in code, news of an application) is rendered in the
//! citizen's language and written to the `outbox` table by [`enqueue`],
//! usually inside the transaction that makes the change it announces, so a
//! message is queued if and only if that change commits. The recipient and
//! the text are encrypted at rest.
//!
//! [`OutboxWorker`] drains the table: it claims each due message with a
//! conditional update (so several server processes can share one
//! database), hands it to a [`Transport`] and records what happened: `sent`
//! (with the provider's id for the message, if it gave one), or another try
//! later with growing pauses (5 s doubling, up to 10 minutes), or `failed`
//! after [`MAX_ATTEMPTS`] tries or a permanent refusal. Once a message is
//! sent or has failed, its text is wiped, so codes do not linger. A
//! provider's delivery report then moves a `sent` message on
//! ([`record_delivery`]): `delivered`, or `failed` with the provider's reason.
//!
//! Transports: [`LogTransport`], which writes each message as one line to a
//! file or the standard error for a developer or a demo to read (production
//! refuses it: [`transport_from_config`]), and `sms::AfricasTalking`, SMS
//! through Africa's Talking.
//!
//! The server's own logs (tracing) name messages by id, kind, state and
//! attempt count only: never a recipient, a text or a code.

use crate::config::{Config, Environment, MessageTransportKind};
use crate::crypto::FieldCipher;
use crate::messages::transport::sms::{AfricasTalking, AfricasTalkingConfig};
use app::dates::CivilDate;
use app::i18n::Locale;
use sqlx::{AnyConnection, AnyPool, Row};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use zeroize::Zeroizing;

const RECIPIENT_CONTEXT: &str = "outbox.recipient";
/// [`Message::kind`] of a sign-in code, whose text is never kept once it
/// is sent or given up.
const SIGN_IN_CODE: &str = "sign_in_code";
const BODY_CONTEXT: &str = "outbox.body";
/// Tries before a message is given up as `failed`.
pub const MAX_ATTEMPTS: i64 = 8;
/// The pause after the first failed try; it doubles after each further one…
const FIRST_RETRY_SECS: i64 = 5;
/// …up to this…
const MAX_RETRY_SECS: i64 = 600;
/// …and each pause is lengthened by up to this fraction at random.
const JITTER: f64 = 0.2;
/// How long a claimed message is left alone while one worker sends it.
const CLAIM_LEASE_SECS: i64 = 60;
/// How long a transport may take over one message (less than the lease).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the worker looks for due messages.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Messages handled per pass.
const BATCH: i64 = 100;
/// `last_error` is kept short.
const LAST_ERROR_MAX_CHARS: usize = 200;

/// Wakes the workers of this process early (they also look every second).
static WAKE: Notify = Notify::const_new();

/// Asks the outbox workers of this process to look for due messages now
/// rather than at their next tick. [`enqueue`] does this itself; a caller
/// that enqueued inside a transaction may call it again once it commits.
pub fn wake_worker() {
    WAKE.notify_waiters();
}

// ---- recipients and messages ---------------------------------------------------

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

    fn from_stored(channel: &str, address: String) -> Option<Self> {
        match channel {
            "sms" => Some(Recipient::Phone(address)),
            "email" => Some(Recipient::Email(address)),
            _ => None,
        }
    }
}

/// What a message says. Its `Debug` shows only its kind.
#[derive(Clone, PartialEq, Eq)]
pub enum Message {
    /// A one-time sign-in code (six digits).
    SignInCode { code: String },
    /// An application was submitted and waits for the registry.
    ApplicationSubmitted { reference: String },
    /// An application's details match the registry.
    ApplicationVerified { reference: String },
    /// An application's details do not match the registry.
    ApplicationNeedsAttention { reference: String },
    /// An appointment was booked (`changed`: moved from another slot).
    BookingConfirmed {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
        changed: bool,
    },
    /// An appointment was cancelled.
    BookingCancelled { reference: String },
    /// The card is ready at a centre: book a time to collect it. Never
    /// expires: the reference is all the citizen needs.
    CardReady { reference: String, centre: String },
    /// The centre closed (or changed its hours) at the appointment's time:
    /// the appointment was moved to the earliest free time.
    BookingMovedByCentre {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
    },
    /// The centre closed at the appointment's time and had no free time to
    /// move it to: book again.
    BookingCancelledByCentre { reference: String, centre: String },
    /// A reminder of an appointment: the evening before (`tomorrow`) or on
    /// the morning of the day.
    AppointmentReminder {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
        tomorrow: bool,
    },
    /// The card was handed over at the centre.
    CardCollected { reference: String },
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({})", self.kind())
    }
}

impl Message {
    /// The kind, as stored and logged: names the message, never its content.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::SignInCode { .. } => SIGN_IN_CODE,
            Message::ApplicationSubmitted { .. } => "application_submitted",
            Message::ApplicationVerified { .. } => "application_verified",
            Message::ApplicationNeedsAttention { .. } => "application_needs_attention",
            Message::BookingConfirmed { changed: false, .. } => "booking_confirmed",
            Message::BookingConfirmed { changed: true, .. } => "booking_changed",
            Message::BookingCancelled { .. } => "booking_cancelled",
            Message::CardReady { .. } => "card_ready",
            Message::BookingMovedByCentre { .. } => "booking_moved_by_centre",
            Message::BookingCancelledByCentre { .. } => "booking_cancelled_by_centre",
            Message::AppointmentReminder { tomorrow: true, .. } => "reminder_day_before",
            Message::AppointmentReminder {
                tomorrow: false, ..
            } => "reminder_morning",
            Message::CardCollected { .. } => "card_collected",
        }
    }

    /// The text, in English or Kiswahili: one line, plain, short enough for
    /// one SMS.
    pub fn text(&self, locale: Locale) -> String {
        match (self, locale) {
            (Message::SignInCode { code }, Locale::en) => {
                format!(
                    "Your Usajili sign-in code is {code}. It is valid for 5 minutes. Never share it with anyone."
                )
            }
            (Message::SignInCode { code }, Locale::sw) => {
                format!(
                    "Nambari yako ya kuingia Usajili ni {code}. Inatumika kwa dakika 5. Usimpe mtu yeyote."
                )
            }
            (Message::ApplicationSubmitted { reference }, Locale::en) => format!(
                "Usajili: we have received your application {reference}. We will send you a message when your details have been checked."
            ),
            (Message::ApplicationSubmitted { reference }, Locale::sw) => format!(
                "Usajili: tumepokea ombi lako {reference}. Tutakutumia ujumbe maelezo yako yakishakaguliwa."
            ),
            (Message::ApplicationVerified { reference }, Locale::en) => format!(
                "Usajili: your application {reference} matches the national registry. Next, book a visit to a Huduma Centre for your fingerprints and photo."
            ),
            (Message::ApplicationVerified { reference }, Locale::sw) => format!(
                "Usajili: ombi lako {reference} linalingana na sajili ya kitaifa. Kisha, panga ziara kwenye Kituo cha Huduma kwa alama za vidole na picha."
            ),
            (Message::ApplicationNeedsAttention { reference }, Locale::en) => format!(
                "Usajili: some details in your application {reference} do not match the national registry. Sign in to correct them and send it again."
            ),
            (Message::ApplicationNeedsAttention { reference }, Locale::sw) => format!(
                "Usajili: baadhi ya maelezo ya ombi lako {reference} hayalingani na sajili ya kitaifa. Ingia uyasahihishe na utume ombi tena."
            ),
            (
                Message::BookingConfirmed {
                    reference,
                    centre,
                    day,
                    slot,
                    changed,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: {} {centre}, {}. Bring the documents on your acknowledgement.",
                if *changed { "moved to" } else { "booked at" },
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::BookingConfirmed {
                    reference,
                    centre,
                    day,
                    slot,
                    changed,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: {} {centre}, {}. Leta hati zilizo kwenye uthibitisho.",
                if *changed {
                    "imehamishwa hadi"
                } else {
                    "umepangiwa"
                },
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::BookingCancelled { reference }, Locale::en) => format!(
                "Usajili: your appointment for {reference} is cancelled. Sign in to book another time."
            ),
            (Message::BookingCancelled { reference }, Locale::sw) => format!(
                "Usajili: miadi yako ya {reference} imeghairiwa. Ingia upange wakati mwingine."
            ),
            (Message::CardReady { reference, centre }, Locale::en) => format!(
                "Usajili {reference}: your ID card is ready at {centre}. Sign in to book a time to collect it, or visit with this reference."
            ),
            (
                Message::BookingMovedByCentre {
                    reference,
                    centre,
                    day,
                    slot,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: {centre} is closed at your time. Your appointment moved to {}. Sign in to change it.",
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::BookingMovedByCentre {
                    reference,
                    centre,
                    day,
                    slot,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: {centre} kimefungwa wakati wako. Miadi yako imehamishwa hadi {}. Ingia kuibadilisha.",
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::BookingCancelledByCentre { reference, centre }, Locale::en) => format!(
                "Usajili {reference}: {centre} is closed at your appointment time and has no free time to move it to. Sign in to book another time."
            ),
            (Message::BookingCancelledByCentre { reference, centre }, Locale::sw) => format!(
                "Usajili {reference}: {centre} kimefungwa wakati wa miadi yako na hakina nafasi ya kuihamishia. Ingia upange wakati mwingine."
            ),
            (Message::CardReady { reference, centre }, Locale::sw) => format!(
                "Usajili {reference}: kitambulisho chako kiko tayari katika {centre}. Ingia upange kukichukua, au fika na kumbukumbu hii."
            ),
            (
                Message::AppointmentReminder {
                    reference,
                    centre,
                    day,
                    slot,
                    tomorrow,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: reminder, your visit to {centre} is {} {}. Bring the documents on your acknowledgement.",
                if *tomorrow { "tomorrow," } else { "today," },
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::AppointmentReminder {
                    reference,
                    centre,
                    day,
                    slot,
                    tomorrow,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: ukumbusho, ziara yako {centre} ni {} {}. Leta hati zilizo kwenye uthibitisho.",
                if *tomorrow { "kesho," } else { "leo," },
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::CardCollected { reference }, Locale::en) => format!(
                "Usajili {reference}: your ID card has been collected. If this was not you, visit a Huduma Centre with this reference."
            ),
            (Message::CardCollected { reference }, Locale::sw) => format!(
                "Usajili {reference}: kitambulisho chako kimechukuliwa. Kama si wewe, fika Kituo cha Huduma na kumbukumbu hii."
            ),
        }
    }
}

/// Queues `message` for `to`, rendered in `locale`, due at once. Runs on
/// the caller's connection, so it can be part of the caller's transaction
/// (`&mut tx` of a `sqlx::Transaction<'_, sqlx::Any>`, or a pooled
/// connection). Returns the message's id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    to: &Recipient,
    locale: Locale,
    message: &Message,
    now: i64,
) -> anyhow::Result<String> {
    let id = crate::crypto::random_id();
    let text = Zeroizing::new(message.text(locale));
    sqlx::query(
        "INSERT INTO outbox \
         (id, channel, recipient, body, kind, state, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at, locale) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, $7, $8, NULL, $9)",
    )
    .bind(&id)
    .bind(to.channel())
    .bind(cipher.encrypt_str(RECIPIENT_CONTEXT, to.address()))
    .bind(cipher.encrypt_str(BODY_CONTEXT, &text))
    .bind(message.kind())
    .bind(now)
    .bind(now)
    .bind(now)
    .bind(app::language::code(locale))
    .execute(&mut *conn)
    .await?;
    tracing::info!(message_id = %id, kind = message.kind(), "message queued");
    wake_worker();
    Ok(id)
}

// ---- transports -------------------------------------------------------------------

/// A message on its way out, as a transport receives it. No `Debug`: it
/// holds the recipient and the text.
pub struct Outgoing<'a> {
    /// The outbox id: a transport may give it to its provider as a
    /// reference, so that a retried send is not delivered twice.
    pub id: &'a str,
    /// [`Message::kind`].
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

/// The development transport: writes each message as one line, for a
/// developer or a demo to read the code from, e.g.
///
/// `[usajili message] channel=sms to=+254712345678 kind=sign_in_code text=Your Usajili sign-in code is 123456. …`
///
/// to a file (appended to and flushed, created readable by its owner only)
/// or, for `-`, to the process's standard error. Never used in production.
pub struct LogTransport {
    sink: Sink,
    /// One line at a time.
    lock: Mutex<()>,
}

enum Sink {
    Stderr,
    File(PathBuf),
}

impl LogTransport {
    /// `target` is a file path, or `-` for the standard error.
    pub fn new(target: &str) -> Self {
        let sink = if target.trim() == "-" {
            Sink::Stderr
        } else {
            Sink::File(PathBuf::from(target))
        };
        LogTransport {
            sink,
            lock: Mutex::new(()),
        }
    }

    /// The line written for `message` (without its newline).
    pub fn line(message: &Outgoing<'_>) -> String {
        format!(
            "[usajili message] channel={} to={} kind={} text={}",
            message.to.channel(),
            one_line(message.to.address()),
            one_line(message.kind),
            one_line(message.text),
        )
    }

    fn write(&self, line: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        let _one_at_a_time = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &self.sink {
            Sink::Stderr => {
                let mut stderr = std::io::stderr().lock();
                writeln!(stderr, "{line}")?;
                stderr.flush()
            }
            Sink::File(path) => {
                let mut options = std::fs::OpenOptions::new();
                options.create(true).append(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                // One write per line, so that lines from several processes do not interleave.
                file.write_all(format!("{line}\n").as_bytes())?;
                file.flush()
            }
        }
    }
}

#[async_trait::async_trait]
impl Transport for LogTransport {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        let line = Zeroizing::new(Self::line(message));
        self.write(&line).map_err(|error| {
            TransportError::Temporary(format!("could not write the message log: {}", error.kind()))
        })?;
        Ok(Sent::default())
    }
}

/// Control characters (newlines above all) become spaces: one message, one line.
fn one_line(text: &str) -> String {
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

/// Sends each message by its recipient's channel: a phone number through
/// `sms`, an email address through `email`.
pub struct ByChannel {
    sms: Arc<dyn Transport>,
    email: Arc<dyn Transport>,
    name: &'static str,
}

impl ByChannel {
    pub fn new(sms: Arc<dyn Transport>, email: Arc<dyn Transport>) -> Self {
        let name = match (sms.name(), email.name()) {
            ("sms", "email") => "sms+email",
            ("sms", _) => "sms+log",
            (_, "email") => "log+email",
            _ => "by-channel",
        };
        ByChannel { sms, email, name }
    }
}

#[async_trait::async_trait]
impl Transport for ByChannel {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        match message.to {
            Recipient::Phone(_) => self.sms.send(message).await,
            Recipient::Email(_) => self.email.send(message).await,
        }
    }
}

// ---- the worker -------------------------------------------------------------------

/// The pause before the next try, after `attempts` failed tries (from 1):
/// 5 s doubling to at most 10 minutes, then up to a fifth more at random
/// (`roll`, from 0 to 1), so that messages that failed together (the
/// provider was down) do not all come back in the same second. Never less
/// than the doubling alone.
fn retry_delay(attempts: i64, roll: f64) -> i64 {
    let base = (FIRST_RETRY_SECS << (attempts - 1).clamp(0, 20)).min(MAX_RETRY_SECS);
    base + (base as f64 * JITTER * roll.clamp(0.0, 1.0)).floor() as i64
}

fn short(reason: &str) -> String {
    let reason = one_line(reason);
    match reason.char_indices().nth(LAST_ERROR_MAX_CHARS) {
        Some((cut, _)) => reason[..cut].to_string(),
        None => reason,
    }
}

/// Delivers due messages from the outbox through a transport.
pub struct OutboxWorker {
    pub db: AnyPool,
    pub cipher: FieldCipher,
    pub transport: Arc<dyn Transport>,
}

impl OutboxWorker {
    /// Tries every message due at `now` (up to a batch of 100); returns how
    /// many were sent. A message another worker has claimed is left to it.
    pub async fn drain_due(&self, now: i64) -> anyhow::Result<usize> {
        // `sending` rows are due again only if their worker's lease ran out
        // (it stopped mid-send): such a message may arrive twice, never not at all.
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&self.db)
        .await?;
        let mut sent = 0;
        for id in due {
            // Claim: only the worker whose update matched goes on.
            let claimed = sqlx::query(
                "UPDATE outbox SET state = 'sending', next_attempt_at = $1, updated_at = $2 \
                 WHERE id = $3 AND state IN ('pending', 'sending') AND next_attempt_at <= $4",
            )
            .bind(now + CLAIM_LEASE_SECS)
            .bind(now)
            .bind(&id)
            .bind(now)
            .execute(&self.db)
            .await?
            .rows_affected();
            if claimed != 1 {
                continue;
            }
            match self.deliver(&id, now).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                // The claim runs out and the message is tried again.
                Err(error) => {
                    tracing::error!(message_id = %id, error = %format!("{error:#}"), "delivering a message failed")
                }
            }
        }
        Ok(sent)
    }

    /// Sends one claimed message and records the result; `true` if sent.
    async fn deliver(&self, id: &str, now: i64) -> anyhow::Result<bool> {
        let row = sqlx::query(
            "SELECT channel, recipient, body, kind, attempts, locale FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        let channel: String = row.try_get("channel")?;
        let recipient: Vec<u8> = row.try_get("recipient")?;
        let body: Option<Vec<u8>> = row.try_get("body")?;
        let kind: String = row.try_get("kind")?;
        let attempts = row.try_get::<i64, _>("attempts")? + 1;
        let locale =
            app::language::parse_code(&row.try_get::<String, _>("locale")?).unwrap_or(Locale::en);

        let result = match self.open(&channel, &recipient, body.as_deref()) {
            Ok((to, text)) => {
                let outgoing = Outgoing {
                    id,
                    kind: &kind,
                    to: &to,
                    locale,
                    text: &text,
                };
                match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(&outgoing)).await {
                    Ok(result) => result,
                    Err(_) => Err(TransportError::Temporary(format!(
                        "the {} transport did not answer within {} s",
                        self.transport.name(),
                        SEND_TIMEOUT.as_secs()
                    ))),
                }
            }
            Err(reason) => Err(TransportError::Permanent(reason.to_string())),
        };

        match result {
            Ok(sent) => {
                sqlx::query(
                    "UPDATE outbox SET state = 'sent', body = NULL, attempts = $1, last_error = NULL, \
                     sent_at = $2, updated_at = $3, provider_id = $4 WHERE id = $5 AND state = 'sending'",
                )
                .bind(attempts)
                .bind(now)
                .bind(now)
                .bind(sent.provider_id)
                .bind(id)
                .execute(&self.db)
                .await?;
                tracing::info!(message_id = %id, kind, state = "sent", attempts, transport = self.transport.name(), "message sent");
                Ok(true)
            }
            Err(error) => {
                let reason = short(&error.to_string());
                if matches!(error, TransportError::Permanent(_)) || attempts >= MAX_ATTEMPTS {
                    // A failed notice keeps its (encrypted) text, so that an
                    // administrator can send it again; a code does not: it
                    // will have expired, and the citizen asks for another.
                    sqlx::query(
                        "UPDATE outbox SET state = 'failed', \
                         body = CASE WHEN kind = $1 THEN NULL ELSE body END, attempts = $2, last_error = $3, \
                         updated_at = $4 WHERE id = $5 AND state = 'sending'",
                    )
                    .bind(SIGN_IN_CODE)
                    .bind(attempts)
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&self.db)
                    .await?;
                    tracing::warn!(message_id = %id, kind, state = "failed", attempts, error = %reason, "message given up");
                } else {
                    let next = now + retry_delay(attempts, rand::random::<f64>());
                    sqlx::query(
                        "UPDATE outbox SET state = 'pending', attempts = $1, next_attempt_at = $2, last_error = $3, \
                         updated_at = $4 WHERE id = $5 AND state = 'sending'",
                    )
                    .bind(attempts)
                    .bind(next)
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&self.db)
                    .await?;
                    tracing::info!(message_id = %id, kind, state = "pending", attempts, next_attempt_at = next, error = %reason, "message not sent; will try again");
                }
                Ok(false)
            }
        }
    }

    /// Decrypts a stored message; a reason (without personal data) if it cannot be.
    fn open(
        &self,
        channel: &str,
        recipient: &[u8],
        body: Option<&[u8]>,
    ) -> Result<(Recipient, Zeroizing<String>), &'static str> {
        let body = body.ok_or("the message has no text")?;
        let address = self
            .cipher
            .decrypt_string(RECIPIENT_CONTEXT, recipient)
            .map_err(|_| "the recipient does not decrypt")?;
        let to =
            Recipient::from_stored(channel, address.to_string()).ok_or("an unknown channel")?;
        let text = self
            .cipher
            .decrypt_string(BODY_CONTEXT, body)
            .map_err(|_| "the text does not decrypt")?;
        Ok((to, text))
    }

    /// The background job: delivers due messages every second, or sooner
    /// when woken by [`enqueue`], until the process stops.
    pub async fn run(self) {
        tracing::info!(transport = self.transport.name(), "outbox worker started");
        let mut ticker = tokio::time::interval(POLL_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = WAKE.notified() => {}
            }
            if let Err(error) = self.drain_due(crate::clock::unix_now()).await {
                tracing::error!(error = %format!("{error:#}"), "draining the outbox failed");
            }
        }
    }
}

// ---- delivery reports ---------------------------------------------------------------

/// A provider's final word on a message it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The message reached the handset.
    Delivered,
    /// It never will; the reason is short and holds no personal data.
    Failed(String),
}

/// Records a delivery report for the message(s) the provider knows as
/// `provider_id`. Only a `sent` message moves: to `delivered` (with
/// `delivered_at`), or to `failed` with `last_error` set to the reason, so
/// a report repeated, or arriving after another final one, changes nothing.
/// Returns the outbox ids of the messages that moved (none for an id we
/// never had, or for a report that came before the send was recorded).
pub async fn record_delivery(
    db: &AnyPool,
    provider_id: &str,
    outcome: &DeliveryOutcome,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let candidates: Vec<(String, String)> =
        sqlx::query_as("SELECT id, kind FROM outbox WHERE provider_id = $1 AND state = 'sent'")
            .bind(provider_id)
            .fetch_all(db)
            .await?;
    let mut moved = Vec::new();
    for (id, kind) in candidates {
        let changed = match outcome {
            DeliveryOutcome::Delivered => sqlx::query(
                "UPDATE outbox SET state = 'delivered', delivered_at = $1, updated_at = $2 \
                 WHERE id = $3 AND state = 'sent'",
            )
            .bind(now)
            .bind(now)
            .bind(&id),
            DeliveryOutcome::Failed(reason) => sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = $1, updated_at = $2 WHERE id = $3 AND state = 'sent'",
            )
            .bind(short(reason))
            .bind(now)
            .bind(&id),
        }
        .execute(db)
        .await?
        .rows_affected();
        if changed == 1 {
            match outcome {
                DeliveryOutcome::Delivered => {
                    tracing::info!(message_id = %id, kind, state = "delivered", "message delivered")
                }
                DeliveryOutcome::Failed(reason) => {
                    tracing::warn!(message_id = %id, kind, state = "failed", error = %short(reason), "message not delivered")
                }
            }
            moved.push(id);
        }
    }
    Ok(moved)
}

// ---- the administrators' view -------------------------------------------------------

/// One message as administrators see it: what, where to (the channel, not
/// the address) and how its delivery went; never its recipient or text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Failed, with its text still kept: [`retry`] can send it again. A
    /// failed sign-in code cannot be (its text is wiped).
    pub retryable: bool,
}

/// The states, in the order a message goes through them (the page's filter offers the same).
pub use app::pages::staff::outbox::STATES;

/// The newest `limit` messages, of one state or all, newest first.
pub async fn recent(db: &AnyPool, state: Option<&str>, limit: i64) -> anyhow::Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT id, kind, channel, state, attempts, last_error, created_at, updated_at, \
         CASE WHEN body IS NULL THEN 0 ELSE 1 END AS has_body FROM outbox \
         WHERE ($1 = '' OR state = $1) ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(state.unwrap_or(""))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            Ok(Entry {
                retryable: state == "failed" && row.try_get::<i64, _>("has_body")? == 1,
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                channel: row.try_get("channel")?,
                state,
                attempts: row.try_get("attempts")?,
                last_error: row.try_get("last_error")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        })
        .collect()
}

/// How many messages are in each state (states with none left out).
pub async fn counts(db: &AnyPool) -> anyhow::Result<Vec<(String, i64)>> {
    let counted: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .fetch_all(db)
            .await?;
    Ok(STATES
        .iter()
        .filter_map(|state| counted.iter().find(|(s, _)| s == state).cloned())
        .chain(
            counted
                .iter()
                .filter(|(s, _)| !STATES.contains(&s.as_str()))
                .cloned(),
        )
        .collect())
}

/// Sends a failed message again: due now, with a fresh count of tries.
/// `false` (and nothing changes) unless it is failed and its text kept.
pub async fn retry(db: &AnyPool, id: &str, now: i64) -> anyhow::Result<bool> {
    let changed = sqlx::query(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'failed' AND body IS NOT NULL",
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?
    .rows_affected();
    if changed == 1 {
        tracing::info!(message_id = %id, state = "pending", "message queued again by an administrator");
        wake_worker();
    }
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_message() -> Vec<Message> {
        vec![
            Message::SignInCode {
                code: "123456".into(),
            },
            Message::ApplicationSubmitted {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::ApplicationVerified {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::ApplicationNeedsAttention {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::BookingConfirmed {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 5).unwrap(),
                slot: 12 * 60 + 45,
                changed: true,
            },
            Message::BookingCancelled {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::CardReady {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
            },
            Message::BookingMovedByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 5).unwrap(),
                slot: 12 * 60 + 45,
            },
            Message::BookingCancelledByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
            },
            Message::AppointmentReminder {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 2).unwrap(),
                slot: 12 * 60 + 45,
                tomorrow: true,
            },
            Message::AppointmentReminder {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 2).unwrap(),
                slot: 12 * 60 + 45,
                tomorrow: false,
            },
            Message::CardCollected {
                reference: "HN-7KQ2-M9XD".into(),
            },
        ]
    }

    #[test]
    fn every_text_carries_its_code_or_reference_in_both_languages() {
        for message in every_message() {
            let needle = match &message {
                Message::SignInCode { code } => code.clone(),
                Message::ApplicationSubmitted { reference }
                | Message::ApplicationVerified { reference }
                | Message::ApplicationNeedsAttention { reference }
                | Message::BookingConfirmed { reference, .. }
                | Message::BookingCancelled { reference }
                | Message::CardReady { reference, .. }
                | Message::BookingMovedByCentre { reference, .. }
                | Message::BookingCancelledByCentre { reference, .. }
                | Message::AppointmentReminder { reference, .. }
                | Message::CardCollected { reference } => reference.clone(),
            };
            let (en, sw) = (message.text(Locale::en), message.text(Locale::sw));
            assert_ne!(en, sw, "{message:?}");
            for text in [en, sw] {
                assert!(text.contains(&needle), "{text}");
                assert!(
                    text.len() <= 160,
                    "longer than one SMS ({} characters): {text}",
                    text.len()
                );
                assert!(
                    text.is_ascii() && !text.contains('\n'),
                    "plain, one line: {text}"
                );
            }
        }
    }

    #[test]
    fn the_sign_in_code_text_says_how_long_it_lasts_and_not_to_share_it() {
        let message = Message::SignInCode {
            code: "123456".into(),
        };
        assert_eq!(
            message.text(Locale::en),
            "Your Usajili sign-in code is 123456. It is valid for 5 minutes. Never share it with anyone."
        );
        assert_eq!(
            message.text(Locale::sw),
            "Nambari yako ya kuingia Usajili ni 123456. Inatumika kwa dakika 5. Usimpe mtu yeyote."
        );
    }

    #[test]
    fn kinds_are_distinct_and_debug_shows_nothing_personal() {
        let kinds: std::collections::HashSet<_> =
            every_message().iter().map(Message::kind).collect();
        assert_eq!(kinds.len(), every_message().len());
        let shown = format!(
            "{:?}",
            Message::SignInCode {
                code: "123456".into()
            }
        );
        assert_eq!(shown, "Message(sign_in_code)");
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
    fn retries_back_off_from_five_seconds_to_ten_minutes_with_up_to_a_fifth_more_at_random() {
        assert_eq!(retry_delay(1, 0.0), 5);
        assert_eq!(retry_delay(2, 0.0), 10);
        assert_eq!(retry_delay(3, 0.0), 20);
        assert_eq!(retry_delay(7, 0.0), 320);
        assert_eq!(retry_delay(8, 0.0), 600);
        assert_eq!(retry_delay(1000, 0.0), 600);
        assert_eq!(retry_delay(0, 0.0), 5);
        assert_eq!(retry_delay(-3, 0.0), 5);
        assert_eq!(retry_delay(1, 1.0), 6);
        assert_eq!(retry_delay(3, 0.5), 22);
        assert_eq!(retry_delay(8, 1.0), 720);
        assert_eq!(retry_delay(8, 7.0), 720, "the roll is clamped");
        // Drawn at random, pauses spread over the whole band.
        let pauses: std::collections::HashSet<i64> = (0..200)
            .map(|_| retry_delay(8, rand::random::<f64>()))
            .collect();
        assert!(pauses.iter().all(|p| (600..=720).contains(p)), "{pauses:?}");
        assert!(pauses.len() > 20, "{pauses:?}");
    }

    #[test]
    fn errors_are_kept_short_and_on_one_line() {
        assert_eq!(short("a\nb"), "a b");
        assert_eq!(
            short(&"é".repeat(500)).chars().count(),
            LAST_ERROR_MAX_CHARS
        );
    }

    #[test]
    fn a_log_line_is_one_line_with_the_kind_before_the_text() {
        let to = Recipient::Phone("+254712345678".into());
        let line = LogTransport::line(&Outgoing {
            id: "abc",
            kind: "sign_in_code",
            to: &to,
            locale: Locale::en,
            text: "code 123456\nsecond line",
        });
        assert_eq!(
            line,
            "[usajili message] channel=sms to=+254712345678 kind=sign_in_code text=code 123456 second line"
        );
    }

    #[tokio::test]
    async fn the_log_transport_appends_to_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages.log");
        let transport = LogTransport::new(&path.display().to_string());
        let to = Recipient::Email("amina@example.com".into());
        for text in ["first", "second"] {
            transport
                .send(&Outgoing {
                    id: "x",
                    kind: "sign_in_code",
                    to: &to,
                    locale: Locale::en,
                    text,
                })
                .await
                .unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.lines().count(), 2, "{written}");
        assert!(
            written
                .lines()
                .next()
                .unwrap()
                .ends_with("to=amina@example.com kind=sign_in_code text=first")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
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

    /// Says which transport got the message.
    struct Named(&'static str);

    #[async_trait::async_trait]
    impl Transport for Named {
        fn name(&self) -> &'static str {
            self.0
        }
        async fn send(&self, _message: &Outgoing<'_>) -> Result<Sent, TransportError> {
            Ok(Sent {
                provider_id: Some(self.0.to_string()),
            })
        }
    }

    #[tokio::test]
    async fn each_message_goes_by_its_recipients_channel() {
        let both = ByChannel::new(Arc::new(Named("sms")), Arc::new(Named("email")));
        assert_eq!(both.name(), "sms+email");
        for (to, expected) in [
            (Recipient::Phone("+254712345678".into()), "sms"),
            (Recipient::Email("amina@example.com".into()), "email"),
        ] {
            let sent = both
                .send(&Outgoing {
                    id: "x",
                    kind: "card_ready",
                    to: &to,
                    locale: Locale::sw,
                    text: "t",
                })
                .await
                .unwrap();
            assert_eq!(sent.provider_id.as_deref(), Some(expected));
        }
        assert_eq!(
            ByChannel::new(Arc::new(Named("sms")), Arc::new(Named("log"))).name(),
            "sms+log"
        );
        assert_eq!(
            ByChannel::new(Arc::new(Named("log")), Arc::new(Named("email"))).name(),
            "log+email"
        );
    }
}
