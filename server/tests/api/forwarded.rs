//! Whom a request counts for (`http::client_addr`), through the real
//! server: a forwarded address is believed only from a trusted proxy
//! (`USAJILI_TRUSTED_PROXIES`), and then each forwarded client has its own
//! limits and is the audit trail's source; an IPv6 client counts by its /64.
//! The same rules with a real nginx in front: `behind_nginx.rs`.

use crate::fixtures::*;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use usajili::config::TrustedProxies;
use usajili::staff::Role;

/// The test's own connections (from 127.0.0.1) are a trusted proxy.
fn behind_a_proxy(config: &mut usajili::config::Config) {
    config.trusted_proxies = TrustedProxies::parse("127.0.0.1/32").unwrap();
}

/// The staff console's app (cheap argon2), behind a proxy or not.
async fn console_app(proxied: bool) -> TestApp {
    spawn_app_with(|c| {
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
        if proxied {
            behind_a_proxy(c);
        }
    })
    .await
}

/// A staff sign-in with an email no one has, saying it forwards
/// `forwarded`; its status (422 let in and refused, 429 over the limit).
async fn junk_staff_sign_in(app: &TestApp, n: usize, forwarded: &str) -> StatusCode {
    let email = format!("guess{n}@kenya.go.ke");
    app.client
        .post(app.url("/staff/sign-in"))
        .header("x-forwarded-for", forwarded)
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .status()
}

/// A request for a sign-in code to a fresh contact, saying it forwards
/// `forwarded`; its status (303 sent, 429 over the connection's limit).
async fn code_request(app: &TestApp, n: usize, forwarded: &str) -> StatusCode {
    let contact = format!("person{n}@example.com");
    app.client
        .post(app.url("/sign-in"))
        .header("x-forwarded-for", forwarded)
        .form(&[("contact", contact.as_str())])
        .send()
        .await
        .unwrap()
        .status()
}

/// The staff sign-in limit of a connection: 30 in ten minutes.
const STAFF_TRIES: usize = 30;

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_address_gives_no_fresh_bucket() {
    let app = console_app(false).await;
    for n in 0..STAFF_TRIES {
        // Each try claims to come from somewhere else.
        let status = junk_staff_sign_in(&app, n, &format!("198.51.100.{n}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "try {n}");
    }
    assert_eq!(
        junk_staff_sign_in(&app, 99, "203.0.113.77").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the forged header is ignored: the connection's own bucket is full"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_staff_sign_in_bucket() {
    let app = console_app(true).await;
    let (a, b) = ("198.51.100.10", "198.51.100.20");
    for n in 0..STAFF_TRIES {
        assert_eq!(
            junk_staff_sign_in(&app, n, a).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "try {n}"
        );
    }
    assert_eq!(
        junk_staff_sign_in(&app, 50, a).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        junk_staff_sign_in(&app, 51, b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another client behind the same proxy is let in"
    );
    // A client that writes another address in front of the proxy's is
    // still itself: the proxy's entry, the right-most, is the one read.
    assert_eq!(
        junk_staff_sign_in(&app, 52, &format!("203.0.113.1, {a}")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        junk_staff_sign_in(&app, 53, a).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn sign_in_codes_are_limited_per_forwarded_client_and_ipv6_per_64() {
    let app = spawn_app_with(|c| {
        behind_a_proxy(c);
        c.sign_in.per_connection = 2;
    })
    .await;
    let asked = std::cell::Cell::new(0);
    let ask = |forwarded: &'static str| {
        asked.set(asked.get() + 1);
        code_request(&app, asked.get(), forwarded)
    };
    assert_eq!(ask("198.51.100.10").await, StatusCode::SEE_OTHER);
    assert_eq!(ask("198.51.100.10").await, StatusCode::SEE_OTHER);
    assert_eq!(ask("198.51.100.10").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ask("198.51.100.20").await, StatusCode::SEE_OTHER);

    assert_eq!(ask("2001:db8:1:2::1").await, StatusCode::SEE_OTHER);
    assert_eq!(ask("2001:db8:1:2::1").await, StatusCode::SEE_OTHER);
    assert_eq!(
        ask("2001:db8:1:2:ffff:ffff:ffff:1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "another address of the same /64 is the same client"
    );
    assert_eq!(ask("2001:db8:1:3::1").await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_audit_source_of_a_staff_sign_in_is_the_forwarded_client() {
    let app = console_app(true).await;
    app.staff_account("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    for forwarded in ["203.0.113.9", "2001:db8:5:6::42"] {
        let response = app
            .client
            .post(app.url("/staff/sign-in"))
            .header("x-forwarded-for", forwarded)
            .form(&[("email", "off@kenya.go.ke"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let sources: Vec<String> = sqlx::query_scalar(
        "SELECT source FROM audit_log WHERE action = 'staff.sign_in' ORDER BY seq",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(sources, ["203.0.113.9", "2001:db8:5:6::/64"]);
}

#[tokio::test]
async fn production_refuses_to_start_without_a_trusted_proxy() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.environment = usajili::config::Environment::Production;
    config.https = true;

    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");

    assert!(
        format!("{error:#}").contains("USAJILI_ENV=production needs USAJILI_TRUSTED_PROXIES"),
        "{error:#}"
    );
}
