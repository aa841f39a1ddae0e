use crate::helpers::{assert_inline_scripts_allowed, spawn_app};

#[tokio::test]
async fn healthz_reports_the_database_as_ok() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn healthz_reports_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.close().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn the_reference_data_is_seeded_on_first_start() {
    let app = spawn_app().await;
    let name = |sql: &'static str| sqlx::query_scalar::<_, String>(sql).fetch_one(&app.db);

    assert_eq!(app.rows_in("counties").await, 47);
    assert_eq!(app.rows_in("centres").await, 51);
    assert_eq!(
        name("SELECT name FROM counties WHERE code = '001'")
            .await
            .unwrap(),
        "Mombasa"
    );
    assert_eq!(
        name("SELECT name FROM counties WHERE code = '047'")
            .await
            .unwrap(),
        "Nairobi"
    );
    assert_eq!(app.rows_in("centres WHERE county_code = '047'").await, 5);
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let app = spawn_app().await;

    usajili::db::migrate(&app.db)
        .await
        .expect("a second migration run is a no-op");

    assert_eq!(app.rows_in("counties").await, 47);
}

/// A rolling upgrade: a process of the previous release restarting after a
/// newer one has migrated the database starts, and serves.
#[tokio::test]
async fn a_database_migrated_by_a_newer_release_still_starts_the_older_one() {
    let app = spawn_app().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, $2, TRUE, $3, 1)",
    )
    .bind(29_991_231_000_000_i64)
    .bind("a migration of the next release")
    .bind(vec![0u8; 48])
    .execute(&app.db)
    .await
    .unwrap();

    usajili::db::migrate(&app.db)
        .await
        .expect("the newer release's migration is no reason to stop");
    let started = app.command_line(&["migrate"], "");
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;

    for path in ["/", "/privacy", "/no-such-page", "/healthz"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "{path}: no HSTS without HTTPS"
        );
    }
}

#[tokio::test]
async fn every_inline_script_is_allowed_by_its_hash_and_the_policy_is_the_same_for_everyone() {
    let app = spawn_app().await;
    let mut policies = std::collections::BTreeSet::new();
    for path in [
        "/",
        "/privacy",
        "/sign-in",
        "/?dob-day=1&dob-month=1&dob-year=2000",
        "/",
    ] {
        let response = app.get(path).await;
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = response.text().await.unwrap();
        assert!(
            html.contains("<script"),
            "{path}: Leptos's scripts at least"
        );
        assert_inline_scripts_allowed(path, &csp, &html);
        policies.insert(csp);
    }
    assert!(
        app.get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("hydrateIslands"),
        "the landing page loads its island"
    );
    assert_eq!(policies.len(), 1, "{policies:?}");
}

#[tokio::test]
async fn responses_are_compressed_for_browsers_that_ask() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/privacy"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let app = spawn_app().await;

    // Over USAJILI_BODY_LIMIT (6 MiB: a 5 MB guardianship document and its form).
    let body = vec![b'a'; 7 * 1024 * 1024];
    let response = app
        .client
        .post(app.url("/language/sw"))
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn livez_answers_without_the_database() {
    let app = spawn_app().await;
    app.db.close().await;

    let response = app.get("/livez").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_clock_offset_moves_the_servers_clock_ahead_and_production_refuses_it() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.clock_offset_secs = 86_400;
    let ahead = usajili::startup::Application::build(config.clone())
        .await
        .unwrap();
    let lead = ahead.clock().now() - usajili::clock::unix_now();
    assert!((86_399..=86_401).contains(&lead), "{lead}");

    config.environment = usajili::config::Environment::Production;
    config.https = true;
    config.trusted_proxies = usajili::config::TrustedProxies::parse("127.0.0.1/32").unwrap();
    let error = usajili::startup::Application::build(config)
        .await
        .err()
        .expect("refused");
    assert!(
        format!("{error:#}").contains("refuses USAJILI_CLOCK_OFFSET_SECS"),
        "{error:#}"
    );
}
