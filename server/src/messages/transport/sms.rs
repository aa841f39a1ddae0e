//! The SMS transport: Africa's Talking's messaging API.
//!
//! [`AfricasTalking`] sends each outbox message as one form-encoded
//! `POST {base_url}/version1/messaging` (fields `username`, `to`, `message`
//! and, when configured, `from`; headers `apiKey` and `Accept:
//! application/json`), and reads the per-recipient result in
//! `SMSMessageData.Recipients[]`: `statusCode` 100 to 102 means accepted,
//! with a `messageId` the outbox keeps so that a delivery report can find
//! the message later ([`DeliveryReport`], served by `http::messages`).
//! [`classify`] decides which refusals are worth another try.
//!
//! The base URL is configurable, so the sandbox
//! (`https://api.sandbox.africastalking.com`) or the test suite's local
//! gateway is one setting away from the live API.
//!
//! Messages leave no faster than [`SmsSettings::per_second`] per server
//! process ([`Throttle`]). Errors name HTTP statuses and Africa's Talking's
//! status codes, never the phone number or the text: they are stored in
//! `last_error` and logged.

use super::pacer::Throttle;
use super::{Outgoing, Recipient, Sent, Transport, TransportError};
use crate::crypto::Secret;
use anyhow::Context as _;
use reqwest::StatusCode;
use serde::Deserialize;
use std::time::Duration;

/// The live API; the sandbox is `https://api.sandbox.africastalking.com`.
pub const LIVE_BASE_URL: &str = "https://api.africastalking.com";
/// How long one call to the API may take, connecting included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The shortest callback token accepted: it is all that proves a delivery
/// report comes from the provider.
pub const MIN_CALLBACK_TOKEN_CHARS: usize = 24;
/// A provider message id longer than this is not kept.
const MAX_PROVIDER_ID_CHARS: usize = 100;

/// Africa's Talking's settings, from configuration (flattened into the
/// server's configuration).
#[derive(clap::Args, Clone, Debug)]
pub struct SmsSettings {
    /// Africa's Talking application username (`sandbox` for the sandbox),
    /// for `USAJILI_MESSAGE_TRANSPORT=sms`.
    #[arg(long = "at-username", env = "USAJILI_AT_USERNAME", global = true)]
    pub username: Option<String>,

    /// Africa's Talking API key, sent in the `apiKey` header.
    #[arg(
        long = "at-api-key",
        env = "USAJILI_AT_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub api_key: Option<Secret>,

    /// The registered sender id or short code messages come from; without
    /// it, the account's default.
    #[arg(long = "at-sender-id", env = "USAJILI_AT_SENDER_ID", global = true)]
    pub sender_id: Option<String>,

    /// The API's base URL: the live API, the sandbox
    /// (`https://api.sandbox.africastalking.com`) or a local test gateway.
    #[arg(long = "at-base-url", env = "USAJILI_AT_BASE_URL", default_value = LIVE_BASE_URL, global = true)]
    pub base_url: String,

    /// The secret last segment of the delivery-report callback URL
    /// (`/messages/delivery/africastalking/{token}`), at least 24
    /// characters. Without it, delivery reports are refused.
    #[arg(
        long = "at-callback-token",
        env = "USAJILI_AT_CALLBACK_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub callback_token: Option<Secret>,

    /// Most SMS sent per second by one server process.
    #[arg(
        long = "sms-per-second",
        env = "USAJILI_SMS_PER_SECOND",
        default_value_t = 10,
        global = true
    )]
    pub per_second: u32,
}

impl SmsSettings {
    /// The callback token, if one of a usable length is configured.
    pub fn usable_callback_token(&self) -> Option<&str> {
        self.callback_token
            .as_ref()
            .map(Secret::expose)
            .filter(|token| token.chars().count() >= MIN_CALLBACK_TOKEN_CHARS)
    }
}

// ---- the transport ----------------------------------------------------------------

/// What [`AfricasTalking::new`] needs.
#[derive(Clone, Debug)]
pub struct AfricasTalkingConfig {
    pub base_url: String,
    pub username: String,
    pub api_key: Secret,
    pub sender_id: Option<String>,
    pub per_second: u32,
    /// For the whole of one call: connecting, sending, reading the answer.
    pub timeout: Duration,
}

impl AfricasTalkingConfig {
    /// From configuration; refuses missing credentials or a plain-HTTP URL
    /// in production.
    pub fn from_settings(settings: &SmsSettings, production: bool) -> anyhow::Result<Self> {
        let (Some(username), Some(api_key)) = (
            settings
                .username
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty()),
            settings
                .api_key
                .clone()
                .filter(|k| !k.expose().trim().is_empty()),
        ) else {
            anyhow::bail!(
                "USAJILI_MESSAGE_TRANSPORT=sms needs Africa's Talking's credentials: \
                 set USAJILI_AT_USERNAME and USAJILI_AT_API_KEY"
            );
        };
        if settings.per_second == 0 {
            anyhow::bail!("USAJILI_SMS_PER_SECOND must be at least 1");
        }
        if production && !settings.base_url.starts_with("https://") {
            anyhow::bail!("USAJILI_AT_BASE_URL must be an https:// URL in production");
        }
        if let Some(token) = &settings.callback_token
            && token.expose().chars().count() < MIN_CALLBACK_TOKEN_CHARS
        {
            anyhow::bail!(
                "USAJILI_AT_CALLBACK_TOKEN is too short to keep delivery reports from strangers: \
                 use at least {MIN_CALLBACK_TOKEN_CHARS} random characters (e.g. `openssl rand -hex 16`)"
            );
        }
        Ok(AfricasTalkingConfig {
            base_url: settings.base_url.trim().to_string(),
            username: username.to_string(),
            api_key,
            sender_id: settings
                .sender_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            per_second: settings.per_second,
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

/// Sends SMS through Africa's Talking. One phone number per request.
pub struct AfricasTalking {
    url: String,
    username: String,
    api_key: Secret,
    sender_id: Option<String>,
    client: reqwest::Client,
    throttle: Throttle,
}

impl AfricasTalking {
    pub fn new(config: AfricasTalkingConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .build()
            .context("could not build the HTTP client for Africa's Talking")?;
        Ok(AfricasTalking {
            url: format!(
                "{}/version1/messaging",
                config.base_url.trim_end_matches('/')
            ),
            username: config.username,
            api_key: config.api_key,
            sender_id: config.sender_id,
            client,
            throttle: Throttle::new(config.per_second),
        })
    }
}

#[async_trait::async_trait]
impl Transport for AfricasTalking {
    fn name(&self) -> &'static str {
        "sms"
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        let Recipient::Phone(number) = message.to else {
            return Err(TransportError::Permanent(
                "this transport sends SMS only".into(),
            ));
        };
        self.throttle.wait_for_turn().await;
        let mut form = vec![
            ("username", self.username.as_str()),
            ("to", number.as_str()),
            ("message", message.text),
        ];
        if let Some(from) = &self.sender_id {
            form.push(("from", from));
        }
        let response = self
            .client
            .post(&self.url)
            .header("apiKey", self.api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            return Err(TransportError::Temporary(format!(
                "Africa's Talking answered HTTP {}",
                status.as_u16()
            )));
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(TransportError::Permanent(format!(
                "Africa's Talking refused the credentials (HTTP {}): check USAJILI_AT_USERNAME and USAJILI_AT_API_KEY",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(TransportError::Permanent(format!(
                "Africa's Talking refused the request (HTTP {})",
                status.as_u16()
            )));
        }
        let body = response.bytes().await.map_err(unreachable)?;
        let result = read_answer(&body)?;
        tracing::debug!(
            message_id = %message.id,
            provider_id = result.provider_id.as_deref().unwrap_or(""),
            cost = result.cost.as_deref().unwrap_or(""),
            "Africa's Talking accepted the message"
        );
        Ok(Sent {
            provider_id: result.provider_id,
        })
    }
}

/// A request that got no HTTP answer: worth another try. The message may
/// have gone out all the same (a timeout after the provider accepted it);
/// the outbox delivers at least once.
fn unreachable(error: reqwest::Error) -> TransportError {
    TransportError::Temporary(if error.is_timeout() {
        "Africa's Talking did not answer in time".to_string()
    } else if error.is_connect() {
        "could not connect to Africa's Talking".to_string()
    } else {
        // A fixed text: nothing from the request or the error's source chain.
        "the connection to Africa's Talking failed".to_string()
    })
}

// ---- the answer ----------------------------------------------------------------

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Deserialize)]
struct MessageData {
    #[serde(rename = "Recipients", default)]
    recipients: Vec<RecipientResult>,
}

#[derive(Deserialize)]
struct RecipientResult {
    #[serde(rename = "statusCode")]
    status_code: serde_json::Value,
    #[serde(rename = "messageId", default)]
    message_id: Option<String>,
    #[serde(default)]
    cost: Option<String>,
}

/// What the API said about our one recipient, once accepted.
#[derive(Debug, PartialEq, Eq)]
struct Accepted {
    provider_id: Option<String>,
    cost: Option<String>,
}

/// Reads the API's answer to a send with one recipient.
fn read_answer(body: &[u8]) -> Result<Accepted, TransportError> {
    // A 2xx whose body we cannot read: the message may or may not have
    // gone. Try again (at least once, rather than perhaps never).
    let answer: Answer = serde_json::from_slice(body).map_err(|_| {
        TransportError::Temporary("Africa's Talking's answer could not be read".into())
    })?;
    let Some(recipient) = answer.data.recipients.into_iter().next() else {
        // An empty list: the API refused the request as a whole (an
        // invalid number or sender id, typically), naming no recipient.
        return Err(TransportError::Permanent(
            "Africa's Talking accepted no recipient".into(),
        ));
    };
    let code = match &recipient.status_code {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        TransportError::Temporary("Africa's Talking's answer had no status code".into())
    })?;
    match classify(code) {
        Outcome::Accepted => Ok(Accepted {
            provider_id: recipient.message_id.filter(|id| usable_provider_id(id)),
            cost: recipient
                .cost
                .filter(|c| c.len() <= 32 && c.chars().all(|c| c.is_ascii_graphic() || c == ' ')),
        }),
        Outcome::Temporary => Err(TransportError::Temporary(refusal(code))),
        Outcome::Permanent => Err(TransportError::Permanent(refusal(code))),
    }
}

fn refusal(code: i64) -> String {
    format!(
        "Africa's Talking refused the message: {code} {}",
        status_name(code).unwrap_or("(an unknown status)")
    )
}

/// Provider ids are short printable tokens (`ATXid_…`); `None` (as the API
/// writes for a refused recipient) or anything else is not kept.
fn usable_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id != "None"
        && id.len() <= MAX_PROVIDER_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// What a per-recipient status code means for the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Taken for delivery.
    Accepted,
    /// Refused for now: try again later.
    Temporary,
    /// Refused for good: trying again would be refused again.
    Permanent,
}

/// Africa's Talking's documented per-recipient status codes:
///
/// - 100 Processed, 101 Sent, 102 Queued: accepted.
/// - 405 InsufficientBalance: temporary (the account is topped up, the
///   message goes then); 500 InternalServerError, 501 GatewayError,
///   502 RejectedByGateway: temporary (the provider's or the operator's side).
/// - 401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber,
///   404 UnsupportedNumberType, 406 UserInBlacklist, 407 CouldNotRoute:
///   permanent (the same request would be refused again; 402 is a
///   configuration fault that fails every message until fixed).
/// - Undocumented codes: other 4xx (409 DoNotDisturbRejection, which some
///   accounts see) permanent, other 5xx temporary, anything else temporary.
pub fn classify(code: i64) -> Outcome {
    match code {
        100..=102 => Outcome::Accepted,
        405 | 500..=599 => Outcome::Temporary,
        400..=499 => Outcome::Permanent,
        _ => Outcome::Temporary,
    }
}

/// The name Africa's Talking documents for a status code.
pub fn status_name(code: i64) -> Option<&'static str> {
    Some(match code {
        100 => "Processed",
        101 => "Sent",
        102 => "Queued",
        401 => "RiskHold",
        402 => "InvalidSenderId",
        403 => "InvalidPhoneNumber",
        404 => "UnsupportedNumberType",
        405 => "InsufficientBalance",
        406 => "UserInBlacklist",
        407 => "CouldNotRoute",
        409 => "DoNotDisturbRejection",
        500 => "InternalServerError",
        501 => "GatewayError",
        502 => "RejectedByGateway",
        _ => return None,
    })
}

// ---- delivery reports ------------------------------------------------------------

/// A delivery report as Africa's Talking posts it to the callback URL
/// (form-encoded). The phone number it carries is read and dropped: no
/// field of this type holds it, and it has no `Debug`.
#[derive(Deserialize)]
pub struct DeliveryReport {
    /// The `messageId` the send returned.
    pub id: String,
    /// `Sent`, `Submitted`, `Buffered` (on the way), `Success` (delivered),
    /// `Failed`, `Rejected`, `AbsentSubscriber`, `Expired` (not delivered).
    pub status: String,
    /// Why not, for `Failed` and `Rejected` (`UserInBlacklist`,
    /// `DeliveryFailure`…); not every operator gives one.
    #[serde(rename = "failureReason", default)]
    pub failure_reason: Option<String>,
}

/// What a delivery report means for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// On the handset.
    Delivered,
    /// Will not arrive; the reason is short, plain and holds no personal data.
    Failed(String),
    /// Still on its way: nothing to record.
    InProgress,
    /// A status we do not know: nothing to record.
    Unknown,
}

impl DeliveryReport {
    pub fn delivery(&self) -> Delivery {
        match self.status.trim() {
            "Success" => Delivery::Delivered,
            status @ ("Failed" | "Rejected" | "AbsentSubscriber" | "Expired") => {
                let reason = self
                    .failure_reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty());
                Delivery::Failed(format!(
                    "delivery failed: {}",
                    reason.map_or(status, plain_word)
                ))
            }
            "Sent" | "Submitted" | "Buffered" => Delivery::InProgress,
            _ => Delivery::Unknown,
        }
    }
}

/// A failure reason is one of Africa's Talking's words (`UserInBlacklist`);
/// anything else (which could carry personal data) is not repeated.
fn plain_word(reason: &str) -> &str {
    if reason.len() <= 40 && reason.chars().all(|c| c.is_ascii_alphanumeric()) {
        reason
    } else {
        "an unrecognised reason"
    }
}

/// Whether `given` is the configured callback token, compared in constant
/// time (both sides hashed first, so neither length nor content leaks).
pub fn callback_token_matches(configured: &str, given: &str) -> bool {
    use sha2::{Digest as _, Sha256};
    use subtle::ConstantTimeEq as _;
    Sha256::digest(configured.as_bytes())
        .as_slice()
        .ct_eq(Sha256::digest(given.as_bytes()).as_slice())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_are_accepted_retried_or_given_up() {
        for code in [100, 101, 102] {
            assert_eq!(classify(code), Outcome::Accepted, "{code}");
        }
        for code in [405, 500, 501, 502] {
            assert_eq!(classify(code), Outcome::Temporary, "{code}");
        }
        for code in [401, 402, 403, 404, 406, 407, 409] {
            assert_eq!(classify(code), Outcome::Permanent, "{code}");
        }
        assert_eq!(classify(418), Outcome::Permanent);
        assert_eq!(classify(503), Outcome::Temporary);
        assert_eq!(classify(0), Outcome::Temporary);
        assert_eq!(status_name(403), Some("InvalidPhoneNumber"));
        assert_eq!(status_name(999), None);
    }

    #[test]
    fn an_accepted_answer_gives_the_message_id() {
        let body = br#"{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[
            {"statusCode":101,"number":"+254711XXXYYY","status":"Success","cost":"KES 0.8000","messageId":"ATXid_abc123"}]}}"#;
        assert_eq!(
            read_answer(body).unwrap(),
            Accepted {
                provider_id: Some("ATXid_abc123".into()),
                cost: Some("KES 0.8000".into())
            }
        );
        // The code as a string, no cost, a missing or "None" id.
        let body = br#"{"SMSMessageData":{"Recipients":[{"statusCode":"102","status":"Queued","messageId":"None"}]}}"#;
        assert_eq!(
            read_answer(body).unwrap(),
            Accepted {
                provider_id: None,
                cost: None
            }
        );
    }

    #[test]
    fn a_refused_recipient_names_the_code_and_never_the_number() {
        let body = br#"{"SMSMessageData":{"Message":"Sent to 0/1 Total Cost: 0","Recipients":[
            {"statusCode":403,"number":"+254700000001","status":"InvalidPhoneNumber","cost":"0","messageId":"None"}]}}"#;
        let error = read_answer(body).unwrap_err();
        assert!(matches!(error, TransportError::Permanent(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "Africa's Talking refused the message: 403 InvalidPhoneNumber"
        );

        let body = br#"{"SMSMessageData":{"Recipients":[{"statusCode":405,"number":"+254700000001","status":"InsufficientBalance","messageId":"None"}]}}"#;
        let error = read_answer(body).unwrap_err();
        assert!(matches!(error, TransportError::Temporary(_)), "{error:?}");
        assert!(!error.to_string().contains("254700000001"));

        // Only our one recipient counts: the first.
        let body = br#"{"SMSMessageData":{"Recipients":[
            {"statusCode":406,"number":"+254700000001","status":"UserInBlacklist","messageId":"None"},
            {"statusCode":101,"number":"+254700000002","status":"Success","messageId":"ATXid_2"}]}}"#;
        assert_eq!(
            read_answer(body).unwrap_err().to_string(),
            "Africa's Talking refused the message: 406 UserInBlacklist"
        );
    }

    #[test]
    fn an_empty_or_unreadable_answer_is_refused_or_retried() {
        let body = br#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#;
        assert!(matches!(
            read_answer(body),
            Err(TransportError::Permanent(_))
        ));
        assert!(matches!(
            read_answer(b"<xml/>"),
            Err(TransportError::Temporary(_))
        ));
        assert!(matches!(
            read_answer(br#"{"SMSMessageData":{"Recipients":[{"messageId":"x"}]}}"#),
            Err(TransportError::Temporary(_))
        ));
    }

    #[test]
    fn odd_provider_ids_are_not_kept() {
        assert!(usable_provider_id("ATXid_03cb5ecf11ce748794c0f9a85c276259"));
        for id in ["", "None", "a b", "+254712345678 x", &"x".repeat(101)] {
            assert!(!usable_provider_id(id), "{id}");
        }
    }

    #[test]
    fn delivery_reports_map_to_delivered_failed_or_nothing() {
        let report = |status: &str, reason: Option<&str>| DeliveryReport {
            id: "ATXid_1".into(),
            status: status.into(),
            failure_reason: reason.map(str::to_string),
        };
        assert_eq!(report("Success", None).delivery(), Delivery::Delivered);
        assert_eq!(
            report("Failed", Some("UserInBlacklist")).delivery(),
            Delivery::Failed("delivery failed: UserInBlacklist".into())
        );
        assert_eq!(
            report("Rejected", Some("")).delivery(),
            Delivery::Failed("delivery failed: Rejected".into())
        );
        assert_eq!(
            report("Expired", None).delivery(),
            Delivery::Failed("delivery failed: Expired".into())
        );
        assert_eq!(
            report("AbsentSubscriber", Some("call +254712345678")).delivery(),
            Delivery::Failed("delivery failed: an unrecognised reason".into())
        );
        for status in ["Sent", "Submitted", "Buffered"] {
            assert_eq!(report(status, None).delivery(), Delivery::InProgress);
        }
        assert_eq!(report("Teleported", None).delivery(), Delivery::Unknown);
    }

    #[test]
    fn the_callback_token_must_match_exactly() {
        let token = "3f1c9a0e7b5d4c2a8e6f0b1d";
        assert!(callback_token_matches(token, token));
        assert!(!callback_token_matches(token, &token[..23]));
        assert!(!callback_token_matches(token, "3f1c9a0e7b5d4c2a8e6f0b1e"));
        assert!(!callback_token_matches(token, ""));
    }

    fn settings() -> SmsSettings {
        SmsSettings {
            username: Some("usajili".into()),
            api_key: Some(Secret::from("atsk_0123456789".to_string())),
            sender_id: Some("USAJILI".into()),
            base_url: LIVE_BASE_URL.into(),
            callback_token: None,
            per_second: 10,
        }
    }

    #[test]
    fn settings_without_credentials_or_with_a_short_token_are_refused() {
        assert!(AfricasTalkingConfig::from_settings(&settings(), true).is_ok());
        let mut missing = settings();
        missing.api_key = None;
        let error = AfricasTalkingConfig::from_settings(&missing, false)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("USAJILI_AT_USERNAME and USAJILI_AT_API_KEY"),
            "{error}"
        );
        let mut blank = settings();
        blank.username = Some("  ".into());
        assert!(AfricasTalkingConfig::from_settings(&blank, false).is_err());
        let mut short = settings();
        short.callback_token = Some(Secret::from("short".to_string()));
        assert!(
            AfricasTalkingConfig::from_settings(&short, false)
                .unwrap_err()
                .to_string()
                .contains("too short")
        );
        assert_eq!(short.usable_callback_token(), None);
        let mut plain = settings();
        plain.base_url = "http://127.0.0.1:9".into();
        assert!(AfricasTalkingConfig::from_settings(&plain, false).is_ok());
        assert!(AfricasTalkingConfig::from_settings(&plain, true).is_err());
        let mut stopped = settings();
        stopped.per_second = 0;
        assert!(AfricasTalkingConfig::from_settings(&stopped, false).is_err());
    }

    #[test]
    fn the_settings_debug_shows_no_secret() {
        let mut settings = settings();
        settings.callback_token = Some(Secret::from("a-very-secret-callback-token".to_string()));
        let shown = format!("{settings:?}");
        assert!(
            !shown.contains("atsk_0123456789") && !shown.contains("a-very-secret"),
            "{shown}"
        );
    }

    #[test]
    fn the_configuration_chooses_the_sms_transport_only_with_credentials() {
        use crate::messages::transport::{MessageSettings, MessageTransportKind, from_settings};
        let mut messages = MessageSettings::defaults();
        messages.message_transport = MessageTransportKind::Sms;
        messages.sms.username = None;
        messages.sms.api_key = None;
        let error = from_settings(&messages, false)
            .err()
            .expect("refused")
            .to_string();
        assert!(error.contains("USAJILI_AT_USERNAME"), "{error}");
        messages.sms = settings();
        assert_eq!(
            from_settings(&messages, false).unwrap().name(),
            "sms+log",
            "email goes to the log in development"
        );
    }

    #[tokio::test]
    async fn an_email_address_is_refused_without_calling_the_provider() {
        let mut config = AfricasTalkingConfig::from_settings(&settings(), false).unwrap();
        config.base_url = "http://127.0.0.1:9".into();
        let transport = AfricasTalking::new(config).unwrap();
        let to = Recipient::Email("amina@example.com".into());
        let error = transport
            .send(&Outgoing {
                id: "x",
                kind: "sign_in_code",
                to: &to,
                locale: app::i18n::Locale::en,
                text: "hi",
            })
            .await
            .unwrap_err();
        assert!(
            matches!(error, TransportError::Permanent(ref reason) if reason == "this transport sends SMS only")
        );
    }
}
