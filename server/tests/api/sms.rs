//! The SMS transport (Africa's Talking) against our local gateway
//! (`sms_gateway`), through the real outbox worker, and delivery reports
//! through the real server, on both engines.
//!
//! As in `outbox`, tests that drive a worker themselves queue their
//! messages far in the future and pass that time to `drain_due`, so the
//! server's own worker leaves them alone; retries are driven the same way,
//! without waiting for the backoff.

use crate::helpers::{TestApp, spawn_app_with};
use crate::sms_gateway::{API_KEY, Behaviour, FakeGateway, USERNAME, post_delivery_report};
use app::i18n::Locale;
use std::sync::Arc;
use std::time::Duration;
use usajili::clock::unix_now;
use usajili::config::Config;
use usajili::messages::transport::MessageTransportKind;
use usajili::messages::transport::sms::{AfricasTalking, AfricasTalkingConfig};
use usajili::messages::{Message, OutboxWorker, Recipient, outbox};

const TOKEN: &str = "dlr-4b9f1c2e8a7d6e5f3a2b1c0d";

fn later() -> i64 {
    unix_now() + 1_000_000
}

fn transport_config(gateway: &FakeGateway) -> AfricasTalkingConfig {
    AfricasTalkingConfig {
        base_url: gateway.base_url.clone(),
        username: USERNAME.into(),
        api_key: API_KEY.to_string().into(),
        sender_id: Some("USAJILI".into()),
        per_second: 50,
        timeout: Duration::from_millis(500),
    }
}

fn worker(app: &TestApp, config: AfricasTalkingConfig) -> OutboxWorker {
    OutboxWorker {
        db: app.db.clone(),
        cipher: app.cipher.clone(),
        transport: Arc::new(AfricasTalking::new(config).expect("the transport")),
    }
}

/// A server whose delivery-report callback takes `TOKEN`; its own worker
/// keeps the `log` transport.
async fn app_taking_reports() -> TestApp {
    spawn_app_with(|config| config.messages.sms.callback_token = Some(TOKEN.to_string().into()))
        .await
}

/// The server's own worker sends through `gateway`.
fn send_through(config: &mut Config, gateway: &FakeGateway, per_second: u32) {
    config.messages.message_transport = MessageTransportKind::Sms;
    config.messages.sms.username = Some(USERNAME.into());
    config.messages.sms.api_key = Some(API_KEY.to_string().into());
    config.messages.sms.base_url = gateway.base_url.clone();
    config.messages.sms.callback_token = Some(TOKEN.to_string().into());
    config.messages.sms.per_second = per_second;
}

async fn enqueue(app: &TestApp, phone: &str, message: &Message, now: i64) -> String {
    let mut conn = app.db.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &app.cipher,
        &Recipient::Phone(phone.into()),
        Locale::en,
        message,
        now,
    )
    .await
    .unwrap()
}

fn submitted(reference: &str) -> Message {
    Message::ApplicationSubmitted {
        reference: reference.into(),
    }
}

#[derive(Debug)]
struct Row {
    state: String,
    attempts: i64,
    last_error: Option<String>,
    provider_id: Option<String>,
    sent_at: Option<i64>,
    delivered_at: Option<i64>,
    body_wiped: bool,
}

/// `state, attempts, last_error, provider_id, sent_at, delivered_at, body`.
type Columns = (
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<Vec<u8>>,
);

async fn row(app: &TestApp, id: &str) -> Row {
    let (state, attempts, last_error, provider_id, sent_at, delivered_at, body): Columns = sqlx::query_as(
        "SELECT state, attempts, last_error, provider_id, sent_at, delivered_at, body FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let body_wiped = body.as_deref().is_none_or(<[u8]>::is_empty);
    Row {
        state,
        attempts,
        last_error,
        provider_id,
        sent_at,
        delivered_at,
        body_wiped,
    }
}

/// Sends one message through the gateway with a worker of the test's own;
/// returns its outbox id and the provider's id.
async fn next_attempt(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT next_attempt_at FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn sent_message(app: &TestApp, gateway: &FakeGateway, phone: &str) -> (String, String) {
    let now = later();
    let id = enqueue(app, phone, &submitted("HN-7KQ2-M9XD"), now).await;
    assert_eq!(
        worker(app, transport_config(gateway))
            .drain_due(now)
            .await
            .unwrap(),
        1
    );
    let provider_id = row(app, &id)
        .await
        .provider_id
        .expect("the provider's id is kept");
    (id, provider_id)
}

#[tokio::test]
async fn an_sms_goes_through_the_gateway_and_the_providers_id_is_kept() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let now = later();
    let id = enqueue(
        &app,
        "+254711000101",
        &Message::SignInCode {
            code: "482915".into(),
        },
        now,
    )
    .await;

    assert_eq!(
        worker(&app, transport_config(&gateway))
            .drain_due(now)
            .await
            .unwrap(),
        1
    );

    let received = gateway.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].to, "+254711000101");
    assert_eq!(received[0].from.as_deref(), Some("USAJILI"));
    assert_eq!(
        received[0].message,
        Message::SignInCode {
            code: "482915".into()
        }
        .text(Locale::en)
    );
    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("sent", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.provider_id.as_deref(),
        Some(received[0].message_ids[0].as_str())
    );
    assert_eq!(stored.sent_at, Some(now));
    assert_eq!(stored.last_error, None);
    assert!(stored.body_wiped, "{stored:?}");
}

#[tokio::test]
async fn two_server_errors_then_success_is_sent_on_the_third_try() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    gateway.script([Behaviour::Status(500), Behaviour::Status(500)]);
    let start = later();
    let id = enqueue(&app, "+254711000102", &submitted("HN-AAAA-0001"), start).await;
    let worker = worker(&app, transport_config(&gateway));

    assert_eq!(worker.drain_due(start).await.unwrap(), 0);
    let first = row(&app, &id).await;
    assert_eq!(
        (first.state.as_str(), first.attempts),
        ("pending", 1),
        "{first:?}"
    );
    assert_eq!(
        first.last_error.as_deref(),
        Some("Africa's Talking answered HTTP 500")
    );
    assert!(!first.body_wiped, "kept for the next try");

    // Due again after 5 s (up to a fifth more at random), then after 10 more.
    let second = next_attempt(&app, &id).await;
    assert!((start + 5..=start + 6).contains(&second), "{second}");
    assert_eq!(worker.drain_due(second - 1).await.unwrap(), 0);
    assert_eq!(gateway.received().len(), 1);
    assert_eq!(worker.drain_due(second).await.unwrap(), 0);
    assert_eq!(row(&app, &id).await.attempts, 2);
    let third = next_attempt(&app, &id).await;
    assert!((second + 10..=second + 12).contains(&third), "{third}");
    assert_eq!(worker.drain_due(third).await.unwrap(), 1);

    let last = row(&app, &id).await;
    assert_eq!(
        (last.state.as_str(), last.attempts),
        ("sent", 3),
        "{last:?}"
    );
    assert_eq!(last.last_error, None);
    let received = gateway.received();
    assert_eq!(received.len(), 3);
    assert_eq!(
        last.provider_id.as_deref(),
        Some(received[2].message_ids[0].as_str())
    );
}

#[tokio::test]
async fn a_number_the_provider_refuses_fails_at_once_and_is_not_retried() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    gateway.refuse("+254711000103");
    let now = later();
    let id = enqueue(&app, "+254711000103", &submitted("HN-AAAA-0002"), now).await;
    let worker = worker(&app, transport_config(&gateway));

    assert_eq!(worker.drain_due(now).await.unwrap(), 0);

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("failed", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some("Africa's Talking refused the message: 403 InvalidPhoneNumber")
    );
    assert_eq!(stored.provider_id, None);
    assert!(
        !stored.body_wiped,
        "a failed notice keeps its text, for an administrator to send again"
    );
    worker.drain_due(now + 10_000_000).await.unwrap();
    assert_eq!(gateway.received().len(), 1, "never tried again");
}

#[tokio::test]
async fn refused_credentials_fail_the_message_without_retrying() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let now = later();
    let id = enqueue(&app, "+254711000104", &submitted("HN-AAAA-0003"), now).await;
    let mut config = transport_config(&gateway);
    config.api_key = "atsk_wrong".to_string().into();

    worker(&app, config).drain_due(now).await.unwrap();

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("failed", 1),
        "{stored:?}"
    );
    let error = stored.last_error.unwrap();
    assert!(
        error.starts_with("Africa's Talking refused the credentials (HTTP 401)"),
        "{error}"
    );
    assert!(
        gateway.received().is_empty(),
        "the gateway refused it before reading the message"
    );
}

#[tokio::test]
async fn a_gateway_that_does_not_answer_in_time_is_tried_again_later() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    gateway.script([Behaviour::Hang(Duration::from_secs(3))]);
    let now = later();
    let id = enqueue(&app, "+254711000105", &submitted("HN-AAAA-0004"), now).await;
    let worker = worker(&app, transport_config(&gateway));

    let started = std::time::Instant::now();
    assert_eq!(worker.drain_due(now).await.unwrap(), 0);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the client's timeout applies: {:?}",
        started.elapsed()
    );

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.attempts),
        ("pending", 1),
        "{stored:?}"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some("Africa's Talking did not answer in time")
    );
    assert_eq!(worker.drain_due(now + 6).await.unwrap(), 1);
    assert_eq!(row(&app, &id).await.state, "sent");
}

#[tokio::test]
async fn an_email_recipient_is_refused_by_the_sms_transport() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let now = later();
    let mut conn = app.db.acquire().await.unwrap();
    let id = outbox::enqueue(
        &mut conn,
        &app.cipher,
        &Recipient::Email("amina.wanjiru@example.com".into()),
        Locale::en,
        &submitted("HN-AAAA-0005"),
        now,
    )
    .await
    .unwrap();
    drop(conn);

    worker(&app, transport_config(&gateway))
        .drain_due(now)
        .await
        .unwrap();

    let stored = row(&app, &id).await;
    assert_eq!(
        (stored.state.as_str(), stored.last_error.as_deref()),
        ("failed", Some("this transport sends SMS only"))
    );
    assert!(gateway.received().is_empty());
}

#[tokio::test]
async fn a_success_report_marks_the_message_delivered_once() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let (id, provider_id) = sent_message(&app, &gateway, "+254711000106").await;
    let before = unix_now();

    let response = post_delivery_report(
        &app.address,
        TOKEN,
        &provider_id,
        "Success",
        None,
        "+254711000106",
    )
    .await;

    assert_eq!(
        response.status(),
        200,
        "a cross-origin post from the provider is accepted"
    );
    let stored = row(&app, &id).await;
    assert_eq!(stored.state, "delivered", "{stored:?}");
    let delivered_at = stored.delivered_at.expect("delivered_at");
    assert!(
        delivered_at >= before && delivered_at <= unix_now() + 1,
        "{delivered_at}"
    );

    // The provider repeats itself, or says something late: nothing changes.
    for status in ["Success", "Failed", "Buffered"] {
        let response = post_delivery_report(
            &app.address,
            TOKEN,
            &provider_id,
            status,
            None,
            "+254711000106",
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let again = row(&app, &id).await;
    assert_eq!(
        (again.state.as_str(), again.delivered_at),
        ("delivered", Some(delivered_at))
    );
}

#[tokio::test]
async fn a_report_that_arrives_before_the_send_is_recorded_is_kept_and_applied() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    for (phone, status, state) in [
        ("+254711000111", "Success", "delivered"),
        ("+254711000112", "Rejected", "failed"),
    ] {
        gateway.script([Behaviour::ReportFirst {
            app_address: app.address.clone(),
            token: TOKEN.into(),
            status,
        }]);
        let now = later();
        let id = enqueue(&app, phone, &submitted("HN-7KQ2-M9XD"), now).await;
        assert_eq!(row(&app, &id).await.state, "pending");

        // The gateway reports on the message before it answers the send.
        assert_eq!(
            worker(&app, transport_config(&gateway))
                .drain_due(now)
                .await
                .unwrap(),
            1
        );

        let stored = row(&app, &id).await;
        assert_eq!(stored.state, state, "{stored:?}");
        assert!(stored.provider_id.is_some());
        // Applied, the kept report is gone.
        assert_eq!(
            app.rows_in(&format!(
                "delivery_reports WHERE provider_id = '{}'",
                stored.provider_id.unwrap()
            ))
            .await,
            0
        );
    }
}

#[tokio::test]
async fn a_failure_report_fails_the_sent_message_with_the_providers_reason() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let (id, provider_id) = sent_message(&app, &gateway, "+254711000107").await;

    // On its way first: still sent.
    let response = post_delivery_report(
        &app.address,
        TOKEN,
        &provider_id,
        "Buffered",
        None,
        "+254711000107",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(row(&app, &id).await.state, "sent");

    let response = post_delivery_report(
        &app.address,
        TOKEN,
        &provider_id,
        "Failed",
        Some("UserInBlacklist"),
        "+254711000107",
    )
    .await;

    assert_eq!(response.status(), 200);
    let stored = row(&app, &id).await;
    assert_eq!(stored.state, "failed", "{stored:?}");
    assert_eq!(
        stored.last_error.as_deref(),
        Some("delivery failed: UserInBlacklist")
    );
    assert_eq!(stored.delivered_at, None);

    // Another message, rejected without a reason.
    let (other, other_provider_id) = sent_message(&app, &gateway, "+254711000108").await;
    post_delivery_report(
        &app.address,
        TOKEN,
        &other_provider_id,
        "Rejected",
        None,
        "+254711000108",
    )
    .await;
    assert_eq!(
        row(&app, &other).await.last_error.as_deref(),
        Some("delivery failed: Rejected")
    );
}

#[tokio::test]
async fn a_report_with_a_wrong_token_is_not_found_and_changes_nothing() {
    let app = app_taking_reports().await;
    let gateway = FakeGateway::start().await;
    let (id, provider_id) = sent_message(&app, &gateway, "+254711000109").await;

    for token in [
        "dlr-4b9f1c2e8a7d6e5f3a2b1c0e",
        "dlr-4b9f1c2e8a7d6e5f3a2b1c0",
        "x",
    ] {
        let response = post_delivery_report(
            &app.address,
            token,
            &provider_id,
            "Success",
            None,
            "+254711000109",
        )
        .await;
        assert_eq!(response.status(), 404, "{token}");
    }
    let stored = row(&app, &id).await;
    assert_eq!((stored.state.as_str(), stored.delivered_at), ("sent", None));

    // An id we never had: accepted and dropped, so the provider stops retrying.
    let response = post_delivery_report(
        &app.address,
        TOKEN,
        "ATXid_unknown",
        "Success",
        None,
        "+254711000109",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(row(&app, &id).await.state, "sent");

    // A body that is not a report.
    let response = reqwest::Client::new()
        .post(app.url(&format!("/messages/delivery/africastalking/{TOKEN}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nothing=here")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Nor a large one.
    let response = reqwest::Client::new()
        .post(app.url(&format!("/messages/delivery/africastalking/{TOKEN}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "id=x&status=Success&padding={}",
            "a".repeat(64 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn without_a_configured_token_every_report_is_not_found() {
    let app = spawn_app_with(|_| ()).await;
    let gateway = FakeGateway::start().await;
    let (id, provider_id) = sent_message(&app, &gateway, "+254711000110").await;

    for token in [TOKEN, "%20"] {
        let response = post_delivery_report(
            &app.address,
            token,
            &provider_id,
            "Success",
            None,
            "+254711000110",
        )
        .await;
        assert_eq!(response.status(), 404, "{token:?}");
    }
    assert_eq!(row(&app, &id).await.state, "sent");
}

#[tokio::test]
async fn the_server_sends_sms_no_faster_than_its_configured_rate() {
    let gateway = FakeGateway::start().await;
    let app = spawn_app_with(|config| send_through(config, &gateway, 2)).await;
    let now = unix_now();
    for n in 0..5 {
        enqueue(
            &app,
            &format!("+2547110002{n:02}"),
            &submitted(&format!("HN-RATE-{n:04}")),
            now,
        )
        .await;
    }

    let received = gateway.wait_for(5, Duration::from_secs(20)).await;

    assert_eq!(received.len(), 5, "the server's worker sent them all");
    let first = received[0].at;
    let gaps: Vec<Duration> = received.windows(2).map(|w| w[1].at - w[0].at).collect();
    // 2 a second: half a second apart, 2 s from first to last (a little
    // slack for timers; a later arrival is always allowed).
    assert!(
        received[4].at - first >= Duration::from_millis(1900),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_millis(400)),
        "{gaps:?}"
    );
}

#[tokio::test]
async fn the_server_refuses_to_start_the_sms_transport_without_credentials() {
    let app = app_taking_reports().await;
    let mut config = app.config.clone();
    config.messages.message_transport = MessageTransportKind::Sms;

    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");

    let error = format!("{error:#}");
    assert!(
        error.contains("USAJILI_AT_USERNAME and USAJILI_AT_API_KEY"),
        "{error}"
    );
}

#[tokio::test]
async fn the_servers_logs_carry_neither_the_number_nor_the_text_nor_the_secrets() {
    // The process's subscriber, for every thread: one set for this thread
    // alone missed lines now and then (interest cached by tests running
    // beside it). Only this test sets one in the test process; the other
    // tests' lines land in the buffer too, and none may hold this test's
    // number, text or secrets.
    let captured = crate::helpers::capture_logs("info,usajili=debug,sqlx=warn");

    let gateway = FakeGateway::start().await;
    let app = spawn_app_with(|config| send_through(config, &gateway, 10)).await;
    let phone = "+254711000301";
    let id = enqueue(
        &app,
        phone,
        &Message::SignInCode {
            code: "731846".into(),
        },
        unix_now(),
    )
    .await;
    let received = gateway.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1);
    let mut provider_id = None;
    for _ in 0..200 {
        provider_id = row(&app, &id).await.provider_id;
        if provider_id.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let provider_id = provider_id.expect("marked sent");
    let response =
        post_delivery_report(&app.address, TOKEN, &provider_id, "Success", None, phone).await;
    assert_eq!(response.status(), 200);
    assert_eq!(row(&app, &id).await.state, "delivered");
    let response = post_delivery_report(
        &app.address,
        "a-wrong-token-of-enough-length",
        &provider_id,
        "Success",
        None,
        phone,
    )
    .await;
    assert_eq!(response.status(), 404);

    let logs = captured.text();
    for expected in [
        "message sent",
        "message delivered",
        id.as_str(),
        "/messages/delivery/africastalking/{token}",
    ] {
        assert!(
            logs.contains(expected),
            "the logs should mention {expected:?}:\n{logs}"
        );
    }
    for secret in [
        phone,
        "711000301",
        "731846",
        TOKEN,
        API_KEY,
        "a-wrong-token",
    ] {
        assert!(!logs.contains(secret), "{secret:?} in the logs:\n{logs}");
    }
}
