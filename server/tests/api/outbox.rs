//! The outbox: messages queued in the database, delivered by a worker with
//! retries, on both engines.
//!
//! The running server has its own worker, which drains messages due by the
//! wall clock. Tests that drive a worker themselves queue their messages
//! far in the future (`LATER`) and pass that time to `drain_due`, so the
//! server's worker leaves them alone.

use crate::helpers::{TestApp, spawn_app};
use app::i18n::Locale;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use usajili::clock::unix_now;
use usajili::messages::outbox;
use usajili::messages::transport::log::LogTransport;
use usajili::messages::transport::{Outgoing, Sent, TransportError};
use usajili::messages::worker::MAX_ATTEMPTS;
use usajili::messages::{Message, OutboxWorker, Recipient, Transport};

/// A time no test run reaches by the clock.
fn later() -> i64 {
    unix_now() + 1_000_000
}

async fn enqueue(
    app: &TestApp,
    to: &Recipient,
    locale: Locale,
    message: &Message,
    now: i64,
) -> String {
    let mut conn = app.db.acquire().await.unwrap();
    outbox::enqueue(&mut conn, &app.cipher, to, locale, message, now)
        .await
        .unwrap()
}

fn worker(app: &TestApp, transport: Arc<dyn Transport>) -> OutboxWorker {
    OutboxWorker {
        db: app.db.clone(),
        cipher: app.cipher.clone(),
        transport,
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Stored {
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    body: Option<Vec<u8>>,
    sent_at: Option<i64>,
}

async fn stored(app: &TestApp, id: &str) -> Stored {
    sqlx::query_as("SELECT state, attempts, next_attempt_at, last_error, body, sent_at FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A transport that always fails, counting its tries.
struct Failing {
    tries: AtomicUsize,
    permanent: bool,
}

#[async_trait::async_trait]
impl Transport for Failing {
    fn name(&self) -> &'static str {
        "failing"
    }
    async fn send(&self, _message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        self.tries.fetch_add(1, Ordering::SeqCst);
        Err(if self.permanent {
            TransportError::Permanent("the provider refused the number".into())
        } else {
            TransportError::Temporary("the provider is unavailable".into())
        })
    }
}

/// A transport that delivers, counting what it delivered.
#[derive(Default)]
struct Counting {
    sent: AtomicUsize,
}

#[async_trait::async_trait]
impl Transport for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    async fn send(&self, _message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        tokio::task::yield_now().await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(Sent::default())
    }
}

#[tokio::test]
async fn a_queued_message_reaches_the_message_log_in_its_language_and_its_text_is_wiped() {
    let app = spawn_app().await;
    let now = later();
    let phone = Recipient::Phone("+254711000001".into());
    let email = Recipient::Email("amina.wanjiru@example.com".into());
    let code_id = enqueue(
        &app,
        &phone,
        Locale::sw,
        &Message::SignInCode {
            code: "482915".into(),
        },
        now,
    )
    .await;
    let verified_id = enqueue(
        &app,
        &email,
        Locale::en,
        &Message::ApplicationVerified {
            reference: "HN-7KQ2-M9XD".into(),
        },
        now,
    )
    .await;
    let log = worker(
        &app,
        Arc::new(LogTransport::new(&app.config.messages.log.target)),
    );

    assert_eq!(log.drain_due(now).await.unwrap(), 2);

    let messages = app.messages();
    let to_phone: Vec<&str> = messages
        .lines()
        .filter(|line| line.contains("to=+254711000001 "))
        .collect();
    assert_eq!(to_phone.len(), 1, "{messages}");
    assert!(
        to_phone[0].starts_with("[usajili message] id=")
            && to_phone[0].contains(" channel=sms to=+254711000001 kind=sign_in_code text="),
        "{messages}"
    );
    assert!(
        to_phone[0].ends_with(
            "Nambari yako ya kuingia Usajili ni 482915. Inatumika kwa dakika 5. Usimpe mtu yeyote."
        ),
        "{messages}"
    );
    let to_email: Vec<&str> = messages
        .lines()
        .filter(|line| line.contains("to=amina.wanjiru@example.com "))
        .collect();
    assert_eq!(to_email.len(), 1, "{messages}");
    assert!(
        to_email[0].contains("kind=application_verified"),
        "{messages}"
    );
    assert!(
        to_email[0].contains("your application HN-7KQ2-M9XD matches the national registry"),
        "{messages}"
    );

    for id in [&code_id, &verified_id] {
        let row = stored(&app, id).await;
        assert_eq!(row.state, "sent", "{row:?}");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.sent_at, Some(now));
        assert_eq!(row.last_error, None);
        assert!(
            row.body.as_deref().is_none_or(<[u8]>::is_empty),
            "the text is wiped once sent: {row:?}"
        );
    }
    // Nothing is sent twice.
    assert_eq!(log.drain_due(now + 3600).await.unwrap(), 0);
    assert_eq!(app.messages().lines().count(), 2);
}

#[tokio::test]
async fn a_failed_send_is_retried_with_growing_pauses_and_given_up_after_eight_tries() {
    let app = spawn_app().await;
    let start = later();
    let id = enqueue(
        &app,
        &Recipient::Phone("+254711000002".into()),
        Locale::en,
        &Message::SignInCode {
            code: "123987".into(),
        },
        start,
    )
    .await;
    let failing = Arc::new(Failing {
        tries: AtomicUsize::new(0),
        permanent: false,
    });
    let worker = worker(&app, failing.clone());

    assert_eq!(worker.drain_due(start).await.unwrap(), 0);
    let row = stored(&app, &id).await;
    assert_eq!(row.state, "pending", "{row:?}");
    assert_eq!(row.attempts, 1);
    assert!(
        (start + 5..=start + 6).contains(&row.next_attempt_at),
        "5 s, up to a fifth more: {row:?}"
    );
    assert_eq!(
        row.last_error.as_deref(),
        Some("the provider is unavailable")
    );
    assert!(
        row.body.as_deref().is_some_and(|b| !b.is_empty()),
        "kept for the next try"
    );

    // Not due before its time.
    worker.drain_due(row.next_attempt_at - 1).await.unwrap();
    assert_eq!(failing.tries.load(Ordering::SeqCst), 1);

    let mut pauses = Vec::new();
    let mut previous = row.next_attempt_at;
    pauses.push(previous - start);
    for attempt in 2..=MAX_ATTEMPTS {
        assert_eq!(worker.drain_due(previous).await.unwrap(), 0);
        let row = stored(&app, &id).await;
        assert_eq!(row.attempts, attempt, "{row:?}");
        if attempt < MAX_ATTEMPTS {
            assert_eq!(row.state, "pending", "{row:?}");
            pauses.push(row.next_attempt_at - previous);
            previous = row.next_attempt_at;
        } else {
            assert_eq!(row.state, "failed", "{row:?}");
            assert_eq!(
                row.last_error.as_deref(),
                Some("the provider is unavailable")
            );
            assert!(
                row.body.as_deref().is_none_or(<[u8]>::is_empty),
                "the text is wiped once given up: {row:?}"
            );
            assert_eq!(row.sent_at, None);
        }
    }
    // Doubling from 5 s, each up to a fifth longer at random.
    for (pause, base) in pauses.iter().zip([5, 10, 20, 40, 80, 160, 320]) {
        assert!((base..=base + base / 5).contains(pause), "{pauses:?}");
    }
    assert_eq!(failing.tries.load(Ordering::SeqCst), MAX_ATTEMPTS as usize);

    // A failed message is never tried again.
    worker.drain_due(start + 10_000_000).await.unwrap();
    assert_eq!(failing.tries.load(Ordering::SeqCst), MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_message_at_once() {
    let app = spawn_app().await;
    let now = later();
    let id = enqueue(
        &app,
        &Recipient::Phone("+254711000003".into()),
        Locale::en,
        &Message::SignInCode {
            code: "555123".into(),
        },
        now,
    )
    .await;
    let failing = Arc::new(Failing {
        tries: AtomicUsize::new(0),
        permanent: true,
    });

    worker(&app, failing.clone()).drain_due(now).await.unwrap();

    let row = stored(&app, &id).await;
    assert_eq!((row.state.as_str(), row.attempts), ("failed", 1), "{row:?}");
    assert_eq!(
        row.last_error.as_deref(),
        Some("the provider refused the number")
    );
    assert!(row.body.as_deref().is_none_or(<[u8]>::is_empty));
    assert_eq!(failing.tries.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_outbox_table_holds_no_phone_number_or_code_in_plain_text() {
    let app = spawn_app().await;
    let now = later();
    let phone = "+254712345678";
    let code = "907153";
    let message = Message::SignInCode { code: code.into() };
    let id = enqueue(
        &app,
        &Recipient::Phone(phone.into()),
        Locale::en,
        &message,
        now,
    )
    .await;

    let (channel, recipient, body, kind, state): (
        String,
        Vec<u8>,
        Option<Vec<u8>>,
        String,
        String,
    ) = sqlx::query_as("SELECT channel, recipient, body, kind, state FROM outbox WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let body = body.expect("a queued message has its text");
    let contains = |haystack: &[u8], needle: &str| {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    for needle in [phone, "712345678", code] {
        for column in [
            channel.as_bytes(),
            &recipient,
            &body,
            kind.as_bytes(),
            state.as_bytes(),
            id.as_bytes(),
        ] {
            assert!(
                !contains(column, needle),
                "{needle} in plain text in the outbox"
            );
        }
    }
    assert_eq!(
        (channel.as_str(), kind.as_str(), state.as_str()),
        ("sms", "sign_in_code", "pending")
    );
    // Encrypted for its column, and only readable there.
    assert_eq!(
        app.cipher
            .decrypt_string(&usajili::crypto::columns::OUTBOX_RECIPIENT, &id, &recipient)
            .unwrap()
            .as_str(),
        phone
    );
    assert_eq!(
        app.cipher
            .decrypt_string(&usajili::crypto::columns::OUTBOX_BODY, &id, &body)
            .unwrap()
            .as_str(),
        message.text(Locale::en)
    );
    assert!(
        app.cipher
            .decrypt_string(&usajili::crypto::columns::OUTBOX_RECIPIENT, &id, &body)
            .is_err()
    );
}

#[tokio::test]
async fn a_message_queued_in_a_rolled_back_transaction_is_never_sent() {
    let app = spawn_app().await;
    let now = later();
    let mut tx = app.db.begin().await.unwrap();
    outbox::enqueue(
        &mut tx,
        &app.cipher,
        &Recipient::Phone("+254711000004".into()),
        Locale::en,
        &Message::SignInCode {
            code: "246810".into(),
        },
        now,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();

    let counting = Arc::new(Counting::default());
    assert_eq!(
        worker(&app, counting.clone()).drain_due(now).await.unwrap(),
        0
    );
    assert_eq!(app.rows_in("outbox").await, 0);
}

/// A transport that delivers, keeping the kind of each message in order.
#[derive(Default)]
struct Recording {
    kinds: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Transport for Recording {
    fn name(&self) -> &'static str {
        "recording"
    }
    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        self.kinds.lock().unwrap().push(message.kind.to_string());
        Ok(Sent::default())
    }
}

#[tokio::test]
async fn a_sign_in_code_goes_before_notices_queued_earlier() {
    let app = spawn_app().await;
    let now = later();
    for n in 0..5 {
        enqueue(
            &app,
            &Recipient::Phone(format!("+2547110002{n:02}")),
            Locale::en,
            &Message::ApplicationSubmitted {
                reference: format!("HN-TEST-{n:04}"),
            },
            now - 60 + n,
        )
        .await;
    }
    enqueue(
        &app,
        &Recipient::Phone("+254711000299".to_string()),
        Locale::en,
        &Message::SignInCode {
            code: "123456".to_string(),
        },
        now,
    )
    .await;
    let recording = Arc::new(Recording::default());

    let sent = worker(&app, recording.clone())
        .drain_due(now)
        .await
        .unwrap();

    assert_eq!(sent, 6);
    let kinds = recording.kinds.lock().unwrap().clone();
    assert_eq!(kinds[0], "sign_in_code", "{kinds:?}");
    assert!(kinds[1..].iter().all(|k| k == "application_submitted"));
}

#[tokio::test]
async fn two_workers_draining_together_send_each_message_once() {
    let app = spawn_app().await;
    let now = later();
    for n in 0..20 {
        let reference = format!("HN-TEST-{n:04}");
        enqueue(
            &app,
            &Recipient::Phone(format!("+2547110001{n:02}")),
            Locale::en,
            &Message::ApplicationSubmitted { reference },
            now,
        )
        .await;
    }
    let (a, b) = (Arc::new(Counting::default()), Arc::new(Counting::default()));
    let (first, second) = (worker(&app, a.clone()), worker(&app, b.clone()));

    let (sent_a, sent_b) = tokio::join!(first.drain_due(now), second.drain_due(now));

    assert_eq!(sent_a.unwrap() + sent_b.unwrap(), 20);
    assert_eq!(
        a.sent.load(Ordering::SeqCst) + b.sent.load(Ordering::SeqCst),
        20
    );
    assert_eq!(app.rows_in("outbox WHERE state = 'sent'").await, 20);
}

#[tokio::test]
async fn the_running_server_delivers_a_queued_message_within_seconds() {
    let app = spawn_app().await;
    let id = enqueue(
        &app,
        &Recipient::Phone("+254711000005".into()),
        Locale::en,
        &Message::SignInCode {
            code: "314159".into(),
        },
        unix_now(),
    )
    .await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let line = loop {
        if let Some(line) = app
            .messages()
            .lines()
            .find(|line| line.contains("to=+254711000005 "))
            .map(str::to_string)
        {
            break line;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server's worker did not deliver the message"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(line.contains("kind=sign_in_code"), "{line}");
    assert!(
        line.contains("Your Usajili sign-in code is 314159. It is valid for 5 minutes."),
        "{line}"
    );
    // The row is marked sent right after the line is written.
    for _ in 0..100 {
        if stored(&app, &id).await.state == "sent" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "the message was delivered but not marked sent: {:?}",
        stored(&app, &id).await
    );
}

#[tokio::test]
async fn production_refuses_the_log_transport_and_says_why() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.environment = usajili::config::Environment::Production;
    config.https = true;
    config.trusted_proxies = usajili::config::TrustedProxies::parse("127.0.0.1/32").unwrap();

    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");

    let error = format!("{error:#}");
    assert!(
        error.contains("USAJILI_MESSAGE_TRANSPORT=log is refused in production"),
        "{error}"
    );
}

#[tokio::test]
async fn a_restarted_worker_sends_nothing_twice_and_finishes_what_a_stopped_one_had_claimed() {
    let app = spawn_app().await;
    let now = later();
    for n in 0..3 {
        enqueue(
            &app,
            &Recipient::Phone(format!("+2547110003{n:02}")),
            Locale::en,
            &Message::ApplicationSubmitted {
                reference: format!("HN-REST-{n:04}"),
            },
            now,
        )
        .await;
    }
    let before = Arc::new(Counting::default());
    assert_eq!(
        worker(&app, before.clone()).drain_due(now).await.unwrap(),
        3
    );

    // A fourth was claimed by a process that then stopped mid-send.
    let stuck = enqueue(
        &app,
        &Recipient::Phone("+254711000399".into()),
        Locale::en,
        &Message::ApplicationSubmitted {
            reference: "HN-REST-0099".into(),
        },
        now,
    )
    .await;
    sqlx::query("UPDATE outbox SET state = 'sending', next_attempt_at = $1 WHERE id = $2")
        .bind(now + 60)
        .bind(&stuck)
        .execute(&app.db)
        .await
        .unwrap();

    // The restarted worker: nothing already sent goes again; the claimed
    // message waits out its claim, then goes once.
    let after = Arc::new(Counting::default());
    let restarted = worker(&app, after.clone());
    assert_eq!(restarted.drain_due(now + 1).await.unwrap(), 0);
    assert_eq!(restarted.drain_due(now + 60).await.unwrap(), 1);
    assert_eq!(restarted.drain_due(now + 3600).await.unwrap(), 0);
    assert_eq!(after.sent.load(Ordering::SeqCst), 1);
    assert_eq!(before.sent.load(Ordering::SeqCst), 3);
    assert_eq!(stored(&app, &stuck).await.state, "sent");
}

#[tokio::test]
async fn several_workers_on_one_database_send_each_of_many_messages_once() {
    let app = spawn_app().await;
    let now = later();
    for n in 0..60 {
        enqueue(
            &app,
            &Recipient::Phone(format!("+2547110004{n:02}")),
            Locale::sw,
            &Message::ApplicationVerified {
                reference: format!("HN-MANY-{n:04}"),
            },
            now,
        )
        .await;
    }
    let counters: Vec<Arc<Counting>> = (0..4).map(|_| Arc::new(Counting::default())).collect();
    let workers: Vec<OutboxWorker> = counters.iter().map(|c| worker(&app, c.clone())).collect();
    let results = futures::future::join_all(workers.iter().map(|w| w.drain_due(now))).await;
    let drained: usize = results.into_iter().map(Result::unwrap).sum();
    assert_eq!(drained, 60);
    assert_eq!(
        counters
            .iter()
            .map(|c| c.sent.load(Ordering::SeqCst))
            .sum::<usize>(),
        60
    );
    // A second round finds nothing.
    let again = futures::future::join_all(workers.iter().map(|w| w.drain_due(now + 3600))).await;
    assert_eq!(again.into_iter().map(Result::unwrap).sum::<usize>(), 0);
}

mod administrators {
    use super::*;
    use crate::browser::*;
    use crate::fixtures::console;
    use reqwest::StatusCode;
    use usajili::staff::Role;

    #[tokio::test]
    async fn administrators_see_the_outbox_without_recipients_or_texts_and_send_a_failed_message_again()
     {
        let app = console().await;
        let now = later();
        let notice = enqueue(
            &app,
            &Recipient::Phone("+254711000501".into()),
            Locale::en,
            &Message::ApplicationSubmitted {
                reference: "HN-FAIL-0001".into(),
            },
            now,
        )
        .await;
        let code = enqueue(
            &app,
            &Recipient::Phone("+254711000502".into()),
            Locale::en,
            &Message::SignInCode {
                code: "864209".into(),
            },
            now,
        )
        .await;
        let failing = Arc::new(Failing {
            tries: AtomicUsize::new(0),
            permanent: true,
        });
        worker(&app, failing).drain_due(now).await.unwrap();
        assert_eq!(stored(&app, &notice).await.state, "failed");

        let officer = app
            .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
            .await;
        assert_eq!(
            officer.get("/staff/outbox").await.status(),
            StatusCode::FORBIDDEN
        );
        let supervisor = app
            .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
            .await;
        assert_eq!(
            supervisor.get("/staff/outbox").await.status(),
            StatusCode::FORBIDDEN
        );
        let (status, _) = supervisor
            .post_text(&format!("/staff/outbox/{notice}/retry"), &[])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(stored(&app, &notice).await.state, "failed", "unchanged");

        let admin = app
            .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
            .await;
        let (status, page) = admin.page("/staff/outbox?state=failed").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.matches("data-testid=\"outbox-line\"").count(),
            2,
            "{page}"
        );
        assert!(
            page.contains("the provider refused the number"),
            "the last error is shown"
        );
        assert!(page.contains("application_submitted") && page.contains("sign_in_code"));
        for secret in [
            "+254711000501",
            "711000501",
            "864209",
            "HN-FAIL-0001",
            "received your application",
        ] {
            assert!(!page.contains(secret), "{secret} on the page");
        }
        // Only the notice can be sent again: the code's text is gone.
        assert!(page.contains(&format!("/staff/outbox/{notice}/retry")));
        assert!(!page.contains(&format!("/staff/outbox/{code}/retry")));

        let (status, _) = admin
            .post_text(&format!("/staff/outbox/{code}/retry"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(stored(&app, &code).await.state, "failed");
        let response = admin
            .post(&format!("/staff/outbox/{notice}/retry"), &[])
            .await;
        assert_eq!(location(&response), "/staff/outbox?retried=queued");
        // Queued again (the server's worker may already have taken it).
        let row = stored(&app, &notice).await;
        assert!(
            ["pending", "sending", "sent"].contains(&row.state.as_str()) && row.attempts <= 1,
            "{row:?}"
        );
        let (_, page) = admin.page("/staff/outbox?retried=queued").await;
        assert!(page.contains("data-testid=\"outbox-retried\""));

        // The server's own worker sends it now, to the message log.
        for _ in 0..200 {
            if stored(&app, &notice).await.state == "sent" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(stored(&app, &notice).await.state, "sent");
        assert!(
            app.messages()
                .contains("to=+254711000501 kind=application_submitted"),
            "{}",
            app.messages()
        );

        let trail = usajili::audit::Audit {
            db: &app.db,
            cipher: &app.cipher,
        }
        .trail(None, 50)
        .await
        .unwrap();
        assert!(trail.iter().any(|e| e.action == "outbox.view"), "{trail:?}");
        assert_eq!(
            trail.iter().filter(|e| e.action == "outbox.retry").count(),
            1,
            "{trail:?}"
        );
    }
}
