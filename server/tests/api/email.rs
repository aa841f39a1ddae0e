//! The email transport (SMTP) against a real SMTP server on loopback:
//! `tests/smtp_peer.py`, on aiosmtpd, with STARTTLS (a self-signed
//! certificate for `localhost`, made per test) and AUTH both required. Each
//! test drives an outbox worker of its own, as in `sms`: messages are queued
//! far in the future and that time is passed to `drain_due`, so the server's
//! own worker leaves them alone, and retries need no waiting.
//!
//! The peer writes what it received as `.eml` files, with a JSON reading of
//! each by Python's email package: the checks below read lettre's output
//! through a second, independent MIME implementation.

use crate::helpers::{TestApp, spawn_app};
use app::dates::CivilDate;
use app::i18n::Locale;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use usajili::clock::unix_now;
use usajili::messages::transport::email::{Smtp, SmtpConfig, SmtpSettings, SmtpTls};
use usajili::messages::{Message, OutboxWorker, Recipient, outbox};

/// The system's Python, where Debian's python3-aiosmtpd is installed (not
/// whatever `python3` comes first on PATH).
const PYTHON: &str = "/usr/bin/python3";
const USERNAME: &str = "usajili-mailer";
const PASSWORD: &str = "smtp-secret-5b1e9c07";
const FROM: &str = "Usajili <no-reply@usajili.test>";

fn later() -> i64 {
    unix_now() + 1_000_000
}

// ---- the peer -------------------------------------------------------------------

/// `tests/smtp_peer.py`, listening on a free loopback port; stopped when dropped.
struct SmtpPeer {
    port: u16,
    dir: tempfile::TempDir,
    child: Child,
    /// The peer stops when this closes, should the test process end without dropping it.
    _stdin: ChildStdin,
}

/// What the peer received in one message.
#[derive(Debug, Deserialize)]
struct Received {
    mail_from: String,
    rcpt_tos: Vec<String>,
    tls: bool,
    auth_user: Option<String>,
    headers: HashMap<String, String>,
    content_type: String,
    parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
struct Part {
    content_type: String,
    charset: Option<String>,
    text: String,
}

fn require_aiosmtpd() {
    let found = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "the email tests need aiosmtpd for {PYTHON} (Debian package python3-aiosmtpd): `scripts/setup.sh test` installs it"
    );
}

impl SmtpPeer {
    fn start() -> SmtpPeer {
        require_aiosmtpd();
        let dir = tempfile::tempdir().expect("a directory for the SMTP peer");
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
            .expect("a certificate");
        std::fs::write(dir.path().join("cert.pem"), certified.cert.pem()).unwrap();
        std::fs::write(
            dir.path().join("key.pem"),
            certified.signing_key.serialize_pem(),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("received")).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_peer.py");
        let mut child = Command::new(PYTHON)
            .arg(script)
            .arg("--cert")
            .arg(dir.path().join("cert.pem"))
            .arg("--key")
            .arg(dir.path().join("key.pem"))
            .args(["--username", USERNAME, "--password", PASSWORD])
            .arg("--dir")
            .arg(dir.path().join("received"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP peer");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the SMTP peer's port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP peer did not start (it printed {line:?})"));
        SmtpPeer {
            port,
            dir,
            child,
            _stdin: stdin,
        }
    }

    /// The peer's certificate, which the client must be told to trust.
    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// Settings for this peer: STARTTLS, signed in, its certificate trusted.
    fn settings(&self) -> SmtpSettings {
        settings_for(self.port, Some(self.ca_file()))
    }

    fn config(&self) -> SmtpConfig {
        config(&self.settings())
    }

    /// Every message received so far, in order.
    fn received(&self) -> Vec<Received> {
        let dir = self.dir.path().join("received");
        (1..)
            .map_while(|n| std::fs::read(dir.join(format!("{n}.json"))).ok())
            .map(|json| serde_json::from_slice(&json).expect("the peer's record"))
            .collect()
    }
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings_for(port: u16, ca_file: Option<PathBuf>) -> SmtpSettings {
    SmtpSettings {
        host: Some("localhost".into()),
        port: Some(port),
        username: Some(USERNAME.into()),
        password: Some(PASSWORD.to_string().into()),
        from: Some(FROM.into()),
        tls: SmtpTls::Starttls,
        ca_file,
        per_second: 100,
    }
}

fn config(settings: &SmtpSettings) -> SmtpConfig {
    let mut config = SmtpConfig::from_settings(settings, false).expect("the SMTP settings");
    config.timeout = Duration::from_secs(5);
    config
}

// ---- the outbox ------------------------------------------------------------------

fn worker(app: &TestApp, config: SmtpConfig) -> OutboxWorker {
    OutboxWorker {
        db: app.db.clone(),
        cipher: app.cipher.clone(),
        transport: Arc::new(Smtp::new(config).expect("the SMTP transport")),
    }
}

async fn enqueue(
    app: &TestApp,
    address: &str,
    locale: Locale,
    message: &Message,
    now: i64,
) -> String {
    let mut conn = app.db.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &app.cipher,
        &Recipient::Email(address.into()),
        locale,
        message,
        now,
    )
    .await
    .unwrap()
}

fn submitted() -> Message {
    Message::ApplicationSubmitted {
        reference: "HN-AAAA-0001".into(),
    }
}

#[derive(Debug)]
struct Row {
    state: String,
    attempts: i64,
    last_error: Option<String>,
    body_wiped: bool,
}

async fn row(app: &TestApp, id: &str) -> Row {
    let (state, attempts, last_error, body): (String, i64, Option<String>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT state, attempts, last_error, body FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    Row {
        state,
        attempts,
        last_error,
        body_wiped: body.as_deref().is_none_or(<[u8]>::is_empty),
    }
}

/// One of each message, every variant of [`Message`].
fn every_message() -> Vec<Message> {
    let reference = || "HN-7KQ2-M9XD".to_string();
    let centre = || "Huduma Centre Elgeyo-Marakwet".to_string();
    let day = CivilDate::new(2026, 12, 5).unwrap();
    let slot = 9 * 60 + 30;
    let messages = vec![
        Message::SignInCode {
            code: "482915".into(),
        },
        Message::ApplicationSubmitted {
            reference: reference(),
        },
        Message::ApplicationVerified {
            reference: reference(),
        },
        Message::ApplicationNeedsAttention {
            reference: reference(),
        },
        Message::BookingConfirmed {
            reference: reference(),
            centre: centre(),
            day,
            slot,
            changed: false,
        },
        Message::BookingConfirmed {
            reference: reference(),
            centre: centre(),
            day,
            slot,
            changed: true,
        },
        Message::BookingCancelled {
            reference: reference(),
        },
        Message::CardReady {
            reference: reference(),
            centre: centre(),
            ussd_code: Some("*384*4321#".into()),
        },
        Message::BookingMovedByCentre {
            reference: reference(),
            centre: centre(),
            day,
            slot,
            ussd_code: Some("*384*4321#".into()),
        },
        Message::BookingCancelledByCentre {
            reference: reference(),
            centre: centre(),
            ussd_code: Some("*384*4321#".into()),
        },
        Message::AppointmentReminder {
            reference: reference(),
            centre: centre(),
            day,
            slot,
            tomorrow: true,
        },
        Message::AppointmentReminder {
            reference: reference(),
            centre: centre(),
            day,
            slot,
            tomorrow: false,
        },
        Message::CardCollected {
            reference: reference(),
        },
        Message::StaffAuthenticatorEnrolled,
        Message::StaffAuthenticatorReset,
        Message::StaffPasswordSet,
        Message::SmsReply {
            text: format!("{}: Visit booked", reference()),
        },
        Message::PrivacyNotice,
    ];
    // No wildcard: a new kind of message does not compile until it is listed above.
    for message in &messages {
        match message {
            Message::SignInCode { .. }
            | Message::ApplicationSubmitted { .. }
            | Message::ApplicationVerified { .. }
            | Message::ApplicationNeedsAttention { .. }
            | Message::BookingConfirmed { .. }
            | Message::BookingCancelled { .. }
            | Message::CardReady { .. }
            | Message::BookingMovedByCentre { .. }
            | Message::BookingCancelledByCentre { .. }
            | Message::AppointmentReminder { .. }
            | Message::CardCollected { .. }
            | Message::StaffAuthenticatorEnrolled
            | Message::StaffAuthenticatorReset
            | Message::StaffPasswordSet
            | Message::SmsReply { .. }
            | Message::PrivacyNotice => {}
        }
    }
    messages
}

// ---- the tests -------------------------------------------------------------------

#[tokio::test]
async fn every_message_arrives_over_starttls_signed_in_with_a_plain_and_an_html_part_in_both_languages()
 {
    let app = spawn_app().await;
    let peer = SmtpPeer::start();
    let now = later();
    let mut queued = Vec::new();
    for message in every_message() {
        for locale in [Locale::en, Locale::sw] {
            let address = format!("citizen-{}@example.com", queued.len());
            let id = enqueue(&app, &address, locale, &message, now).await;
            queued.push((id, address, locale, message.clone()));
        }
    }

    let sent = worker(&app, peer.config()).drain_due(now).await.unwrap();

    assert_eq!(sent, queued.len());
    let received = peer.received();
    assert_eq!(received.len(), queued.len());
    for (id, address, locale, message) in &queued {
        let email = received
            .iter()
            .find(|r| r.rcpt_tos.contains(address))
            .unwrap_or_else(|| panic!("{message:?} to {address}"));
        let subject = usajili::messages::transport::email::subject(message.kind(), *locale);
        let text = message.text(*locale);
        let lang = app::language::code(*locale);
        assert_eq!(email.rcpt_tos, [address.as_str()]);
        assert_eq!(email.mail_from, "no-reply@usajili.test");
        assert!(email.tls, "STARTTLS before anything else");
        assert_eq!(email.auth_user.as_deref(), Some(USERNAME));
        let header = |name: &str| email.headers.get(name).map(String::as_str);
        assert_eq!(header("From"), Some(FROM));
        assert_eq!(header("To"), Some(address.as_str()));
        assert_eq!(header("Subject"), Some(subject), "{message:?} in {lang}");
        assert_eq!(
            header("Message-ID"),
            Some(format!("<{id}@usajili.test>").as_str())
        );
        assert_eq!(header("Auto-Submitted"), Some("auto-generated"));
        assert_eq!(header("Content-Language"), Some(lang));
        assert!(header("Date").is_some());
        assert_eq!(email.content_type, "multipart/alternative");
        let [plain, html] = &email.parts[..] else {
            panic!("two parts: {:?}", email.parts)
        };
        assert_eq!(
            (plain.content_type.as_str(), plain.charset.as_deref()),
            ("text/plain", Some("utf-8"))
        );
        assert_eq!(plain.text.trim_end(), text);
        assert_eq!(html.content_type, "text/html");
        let expected_html = usajili::messages::transport::email::html(&text, subject, *locale);
        assert_eq!(
            html.text.replace("\r\n", "\n").trim_end(),
            expected_html.trim_end()
        );
        assert!(
            html.text.contains(&format!("<html lang=\"{lang}\">")),
            "{}",
            html.text
        );

        let stored = row(&app, id).await;
        assert_eq!(
            (
                stored.state.as_str(),
                stored.attempts,
                stored.last_error.as_deref()
            ),
            ("sent", 1, None)
        );
        assert!(stored.body_wiped, "{stored:?}");
    }
}

#[tokio::test]
async fn a_wrong_password_fails_the_message_for_good_and_nothing_arrives() {
    let app = spawn_app().await;
    let peer = SmtpPeer::start();
    let now = later();
    let address = "amina.wanjiru@example.com";
    let id = enqueue(&app, address, Locale::en, &submitted(), now).await;
    let mut settings = peer.settings();
    settings.password = Some("not-the-password".to_string().into());
    let worker = worker(&app, config(&settings));

    assert_eq!(worker.drain_due(now).await.unwrap(), 0);

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("failed", 1),
        "{stored:?}"
    );
    let error = stored.last_error.unwrap();
    assert!(
        error.starts_with("the SMTP server refused the credentials (535 5.7.8)"),
        "{error}"
    );
    assert!(
        !error.contains("amina") && !error.contains("not-the-password"),
        "{error}"
    );
    worker.drain_due(now + 10_000_000).await.unwrap();
    assert!(peer.received().is_empty());
}

#[tokio::test]
async fn a_refused_address_fails_at_once_and_a_deferred_one_arrives_on_a_later_try() {
    let app = spawn_app().await;
    let peer = SmtpPeer::start();
    let now = later();
    let refused = enqueue(
        &app,
        "refuse-amina@example.com",
        Locale::en,
        &submitted(),
        now,
    )
    .await;
    let deferred = enqueue(
        &app,
        "later-baraka@example.com",
        Locale::sw,
        &submitted(),
        now,
    )
    .await;
    let worker = worker(&app, peer.config());

    assert_eq!(worker.drain_due(now).await.unwrap(), 0);

    let stored = row(&app, &refused).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("failed", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some("the SMTP server refused the message (550 5.1.1)")
    );
    let stored = row(&app, &deferred).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("pending", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some("the SMTP server deferred the message (451 4.3.0)")
    );
    assert!(!stored.body_wiped, "kept for the next try");
    assert!(peer.received().is_empty());

    // Due again 5 s later (and the refused one never).
    assert_eq!(worker.drain_due(now + 5).await.unwrap(), 1);

    let stored = row(&app, &deferred).await;
    assert_eq!(
        (
            stored.state.as_str(),
            stored.attempts,
            stored.last_error.as_deref()
        ),
        ("sent", 2, None)
    );
    assert_eq!(row(&app, &refused).await.state, "failed");
    let received = peer.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["later-baraka@example.com"]);
    assert_eq!(received[0].headers["Subject"], "Usajili: ombi limepokelewa");
}

#[tokio::test]
async fn a_server_that_is_not_listening_leaves_the_message_to_be_tried_again() {
    let app = spawn_app().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let now = later();
    let id = enqueue(
        &app,
        "amina.wanjiru@example.com",
        Locale::en,
        &submitted(),
        now,
    )
    .await;

    assert_eq!(
        worker(&app, config(&settings_for(port, None)))
            .drain_due(now)
            .await
            .unwrap(),
        0
    );

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("pending", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some("the connection to the SMTP server failed (connection refused)")
    );
    assert!(!stored.body_wiped);
}

#[tokio::test]
async fn a_certificate_the_client_does_not_trust_gets_nothing_and_the_message_waits() {
    let app = spawn_app().await;
    let peer = SmtpPeer::start();
    let now = later();
    let id = enqueue(
        &app,
        "amina.wanjiru@example.com",
        Locale::en,
        &Message::SignInCode {
            code: "482915".into(),
        },
        now,
    )
    .await;
    let mut untrusting = peer.settings();
    untrusting.ca_file = None;

    assert_eq!(
        worker(&app, config(&untrusting))
            .drain_due(now)
            .await
            .unwrap(),
        0
    );

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("pending", 1),
        "{stored:?}"
    );
    let error = stored.last_error.unwrap();
    assert!(
        error.starts_with("TLS with the SMTP server failed: its certificate is not trusted"),
        "{error}"
    );
    assert!(
        peer.received().is_empty(),
        "neither the password nor the message was sent"
    );

    // Told to trust the peer's certificate, the next try goes through.
    assert_eq!(
        worker(&app, peer.config())
            .drain_due(now + 5)
            .await
            .unwrap(),
        1
    );
    assert_eq!(row(&app, &id).await.state, "sent");
    assert_eq!(peer.received().len(), 1);
}

#[tokio::test]
async fn production_refuses_unencrypted_smtp_and_a_missing_host() {
    let peer = SmtpPeer::start();
    assert!(SmtpConfig::from_settings(&peer.settings(), true).is_ok());

    let mut plain = peer.settings();
    plain.tls = SmtpTls::None;
    let error = SmtpConfig::from_settings(&plain, true)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("USAJILI_SMTP_TLS=none is refused in production"),
        "{error}"
    );
    assert!(
        SmtpConfig::from_settings(&plain, false).is_ok(),
        "development may use a plain relay"
    );

    let mut nowhere = peer.settings();
    nowhere.host = None;
    for production in [true, false] {
        let error = SmtpConfig::from_settings(&nowhere, production)
            .unwrap_err()
            .to_string();
        assert!(error.contains("USAJILI_SMTP_HOST"), "{error}");
    }
}

/// The test below, run by itself in a child process (see there).
const LOG_TEST: &str =
    "email::the_servers_logs_carry_neither_the_address_nor_the_subject_nor_the_text";
const LOG_TEST_CHILD: &str = "USAJILI_EMAIL_LOG_TEST_CHILD";

#[tokio::test]
async fn the_servers_logs_carry_neither_the_address_nor_the_subject_nor_the_text() {
    // The process's subscriber can be set once, and `sms`'s log test sets
    // it in this process: this one runs again, alone, in a child process
    // of its own (same engine: the environment is passed on).
    if std::env::var_os(LOG_TEST_CHILD).is_none() {
        let output = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", LOG_TEST, "--test-threads=1"])
            .env(LOG_TEST_CHILD, "1")
            .output()
            .expect("run the log test in a child process");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        assert!(
            output.status.success(),
            "the log test failed:\n{stdout}\n{stderr}"
        );
        assert!(
            stdout.contains("1 passed"),
            "the log test did not run:\n{stdout}"
        );
        return;
    }

    let captured = crate::helpers::capture_logs("debug,sqlx=warn");

    let app = spawn_app().await;
    let peer = SmtpPeer::start();
    let now = later();
    let code = Message::SignInCode {
        code: "731846".into(),
    };
    let sent = enqueue(&app, "amina.wanjiru@example.com", Locale::en, &code, now).await;
    let refused = enqueue(
        &app,
        "refuse-baraka.otieno@example.com",
        Locale::sw,
        &submitted(),
        now,
    )
    .await;
    let deferred = enqueue(
        &app,
        "later-chebet.kiprono@example.com",
        Locale::en,
        &submitted(),
        now,
    )
    .await;
    let worker = worker(&app, peer.config());
    assert_eq!(worker.drain_due(now).await.unwrap(), 1);
    assert_eq!(worker.drain_due(now + 5).await.unwrap(), 1);
    assert_eq!(peer.received().len(), 2);

    let logs = captured.text();
    for expected in [
        "message sent",
        "message given up",
        "will try again",
        "550 5.1.1",
        &sent,
        &refused,
        &deferred,
    ] {
        assert!(
            logs.contains(expected),
            "the logs should mention {expected:?}:\n{logs}"
        );
    }
    let mut secrets = vec![
        "amina",
        "baraka",
        "chebet",
        "example.com",
        "731846",
        "HN-AAAA-0001",
        PASSWORD,
    ];
    let texts = [
        code.text(Locale::en),
        submitted().text(Locale::sw),
        submitted().text(Locale::en),
    ];
    secrets.extend(texts.iter().map(String::as_str));
    secrets.extend(
        [
            ("sign_in_code", Locale::en),
            ("application_submitted", Locale::sw),
            ("application_submitted", Locale::en),
        ]
        .map(|(kind, locale)| usajili::messages::transport::email::subject(kind, locale)),
    );
    for secret in secrets {
        assert!(!logs.contains(secret), "{secret:?} in the logs:\n{logs}");
    }
}
