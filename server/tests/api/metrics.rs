//! `/metrics` on its own listener: a booking, sign-in codes and a 404 move
//! the counters, and so do bookings moved by a closure or cancelled with
//! their account, and the outbox worker's sends; the outbox, pending verifications and the last audit
//! verification are read from the database when scraped; the route label
//! is the pattern; no reference, phone number or name is in the scrape;
//! and the portal itself does not serve `/metrics`.
//!
//! The recorder is the process's own, shared by every app the tests start,
//! so the counters every app records (bookings, codes, jobs) are compared
//! as rises of at least what this test did; requests are counted only by
//! apps that serve metrics, which only this test starts, so those rises
//! are exact.

use crate::browser::*;
use crate::fixtures::{PETER, console_with, now};
use crate::helpers::{TestApp, spawn_app_with};
use app::calendar::holiday_on;
use app::dates::CivilDate;
use reqwest::StatusCode;

/// The `n`th weekday (not a holiday) from tomorrow on.
fn open_weekday(n: usize) -> CivilDate {
    let today = CivilDate::in_nairobi_at(now());
    (1..)
        .map(|k| today.add_days(k))
        .filter(|d| d.weekday() < 5 && holiday_on(*d).is_none())
        .nth(n)
        .unwrap()
}

pub(crate) async fn scrape(app: &TestApp) -> String {
    let address = app.metrics_address.as_ref().expect("metrics are on");
    let response = reqwest::get(format!("{address}/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.unwrap()
}

/// The sum of the samples of `name` that carry every one of `labels`
/// (0 when there is none).
pub(crate) fn value(scrape: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let (series_name, rest) = series.split_once('{').unwrap_or((series, ""));
            series_name == name
                && labels
                    .iter()
                    .all(|(label, value)| rest.contains(&format!("{label}=\"{value}\"")))
        })
        .map(|(_, value)| value.parse::<f64>().unwrap())
        .sum()
}

/// Whether `scrape` has a sample of `name` with exactly these labels.
fn has(scrape: &str, name: &str, labels: &[(&str, &str)]) -> bool {
    scrape.lines().any(|line| {
        line.split_once('{').is_some_and(|(series_name, rest)| {
            series_name == name
                && labels
                    .iter()
                    .all(|(label, value)| rest.contains(&format!("{label}=\"{value}\"")))
        })
    })
}

const BOOK_ROUTE: &str = "/applications/{id}/booking/centres/{centre}";

#[tokio::test]
async fn metrics_count_a_booking_and_sign_in_codes_without_personal_data() {
    let app = spawn_app_with(|c| c.metrics.addr = Some("127.0.0.1:0".parse().unwrap())).await;
    with_registry(&app).await;
    let started = now();
    let before = scrape(&app).await;

    // The portal's own address does not serve the metrics.
    let (status, _) = app.get_html("/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_html("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A booking made, changed and cancelled.
    let (browser, id) = app.verified_citizen("0712000004").await;
    let reference = app.reference_of(&id).await;
    let day = open_weekday(0);
    let path = format!("/applications/{id}/booking/centres/kibra");
    let (status, _) = browser
        .post_text(
            &path,
            &[
                ("day", &day.to_string()),
                ("slot", "09:30"),
                ("replaces", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, day_page) = browser.page(&path).await;
    let replaces = day_page
        .split("name=\"replaces\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let (status, _) = browser
        .post_text(
            &path,
            &[
                ("day", &day.to_string()),
                ("slot", "10:00"),
                ("replaces", &replaces),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = browser
        .post(&format!("/applications/{id}/booking/cancel"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.wait_for_message("booking_cancelled").await;

    // Sign-in codes: three to one contact, then the fourth refused.
    let other = Browser::new(&app);
    for _ in 0..3 {
        other.request_code("0722000333").await;
    }
    let refused = other.post("/sign-in", &[("contact", "0722000333")]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // A message the provider has not taken for 20 minutes.
    app.message_waiting_since("+254733000555", 1200).await;
    // The audit chain checked by the command line, another process.
    app.command_line_ok(&["audit", "verify"], "").await;

    let after = scrape(&app).await;
    let rise = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };

    // Bookings, counted after their commits (other tests' apps may add).
    for action in ["made", "changed", "cancelled"] {
        let labels = [("action", action), ("kind", "enrolment")];
        assert!(rise("usajili_bookings_total", &labels) >= 1.0, "{action}");
    }
    // Codes: the citizen's and the three, then the refusal.
    assert!(rise("usajili_sign_in_codes_sent_total", &[("channel", "sms")]) >= 4.0);
    let refusals = [("limit", "per_contact")];
    assert!(rise("usajili_sign_in_codes_refused_total", &refusals) >= 1.0);

    // Requests, by route pattern and status class: exact.
    let booked = [("route", BOOK_ROUTE), ("method", "POST"), ("status", "3xx")];
    assert_eq!(rise("usajili_http_requests_total", &booked), 2.0);
    assert_eq!(
        rise("usajili_http_request_duration_seconds_count", &booked),
        2.0
    );
    assert!(has(
        &after,
        "usajili_http_request_duration_seconds_bucket",
        &[("route", BOOK_ROUTE), ("le", "0.05")]
    ));
    let cancel = [
        ("route", "/applications/{id}/booking/cancel"),
        ("status", "3xx"),
    ];
    assert_eq!(rise("usajili_http_requests_total", &cancel), 1.0);
    let refused = [("route", "/sign-in"), ("method", "POST"), ("status", "4xx")];
    assert_eq!(rise("usajili_http_requests_total", &refused), 1.0);
    // The two 404s were answered by the portal's fallback, and no route
    // with a path of its own: neither path is a label.
    let unmatched = [("route", "unmatched"), ("status", "4xx")];
    assert_eq!(rise("usajili_http_requests_total", &unmatched), 2.0);
    assert!(!after.contains("no-such-page") && !after.contains("route=\"/metrics\""));
    let css = app.get("/pkg/usajili.css").await;
    let assets = [("route", "/pkg/{*file}"), ("method", "GET")];
    let counted = value(&scrape(&app).await, "usajili_http_requests_total", &assets);
    assert_eq!(
        counted - value(&after, "usajili_http_requests_total", &assets),
        1.0
    );
    assert!(css.status().is_success() || css.status() == StatusCode::NOT_FOUND);
    assert_eq!(
        rise("usajili_http_requests_total", &[("status", "5xx")]),
        0.0
    );

    // Read from the database when scraped: this app's own.
    let pending_sms = [("state", "pending"), ("channel", "sms")];
    assert_eq!(value(&after, "usajili_outbox_messages", &pending_sms), 1.0);
    for state in ["pending", "sending", "failed"] {
        let email = [("state", state), ("channel", "email")];
        assert!(has(&after, "usajili_outbox_messages", &email), "{state}");
        assert_eq!(value(&after, "usajili_outbox_messages", &email), 0.0);
    }
    let age = value(
        &after,
        "usajili_outbox_oldest_pending_age_seconds",
        &[("channel", "sms")],
    );
    assert!((1200.0..1200.0 + 120.0).contains(&age), "{age}");
    assert_eq!(value(&after, "usajili_pending_verifications", &[]), 0.0);
    assert_eq!(
        value(
            &after,
            "usajili_pending_verifications_oldest_age_seconds",
            &[]
        ),
        0.0
    );
    assert_eq!(
        value(
            &before,
            "usajili_audit_last_verified_timestamp_seconds",
            &[]
        ),
        0.0,
        "never verified before"
    );
    let verified = value(&after, "usajili_audit_last_verified_timestamp_seconds", &[]);
    assert!(
        (started as f64..=now() as f64 + 1.0).contains(&verified),
        "{verified}"
    );
    assert_eq!(value(&after, "usajili_database_up", &[]), 1.0);
    assert_eq!(value(&after, "usajili_db_pool_max_connections", &[]), 4.0);
    assert!(has(
        &after,
        "usajili_db_pool_connections",
        &[("state", "idle")]
    ));
    assert!(after.contains("\nusajili_db_transactions_waiting "));
    // The outbox job ran to send the messages above.
    let outbox_job = [("job", "outbox")];
    assert!(rise("usajili_job_runs_total", &outbox_job) >= 1.0);
    assert!(has(&after, "usajili_job_failures_total", &outbox_job));

    // Nothing personal: no reference, phone number, name or record id.
    for personal in [
        reference.as_str(),
        id.as_str(),
        "712000004",
        "712345678",
        "722000333",
        "733000555",
        WANJIRU.given,
        WANJIRU.surname,
        "Wanjiru",
    ] {
        assert!(!after.contains(personal), "{personal} is in the scrape");
    }
}

#[tokio::test]
async fn metrics_count_bookings_moved_by_a_closure_or_cancelled_with_an_account_and_each_send() {
    let app = console_with(|c| c.metrics.addr = Some("127.0.0.1:0".parse().unwrap())).await;
    let supervisor = app
        .signed_in_staff(
            "supervisor@gpo.go.ke",
            usajili::staff::Role::Supervisor,
            Some("gpo"),
        )
        .await;
    let day = open_weekday(1);
    let peter = app.verified_applicant("0712000051", &PETER).await;
    app.booked_directly(&peter, "gpo", "enrolment", day, 14 * 60)
        .await;
    let (leaver, leaving) = app.verified_citizen("0712000052").await;
    app.booked_directly(&leaving, "gpo", "enrolment", day, 9 * 60)
        .await;
    let before = scrape(&app).await;

    // The afternoon closes: Peter's booking moves to the next open day.
    let closure = [
        ("closure-day", day.day().to_string()),
        ("closure-month", day.month().to_string()),
        ("closure-year", day.year().to_string()),
        ("reason", "Power maintenance by Kenya Power".to_string()),
        ("span", "part".to_string()),
        ("from", "13:00".to_string()),
        ("to", "17:00".to_string()),
        ("confirm", "yes".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = closure.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = supervisor.post("/staff/capacity/closures", &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_ne!(app.live_bookings(&peter).await[0].1, day.to_string());
    // The other citizen deletes their account, and their booking with it.
    let response = leaver.delete_account("0712000052").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.wait_for_message("booking_moved_by_centre").await;
    app.wait_until_outbox_drained(std::time::Duration::from_secs(10))
        .await;

    let after = scrape(&app).await;
    let rise = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    let moved = [("action", "moved_by_centre"), ("kind", "enrolment")];
    assert!(rise("usajili_bookings_total", &moved) >= 1.0);
    let deleted = [
        ("action", "cancelled_by_account_deletion"),
        ("kind", "enrolment"),
    ];
    assert!(rise("usajili_bookings_total", &deleted) >= 1.0);
    assert!(has(
        &after,
        "usajili_bookings_total",
        &[("action", "cancelled_by_centre"), ("kind", "collection")]
    ));
    // The move's message and the deletion's code, at least, were sent.
    let sent = [("channel", "sms"), ("outcome", "sent")];
    assert!(rise("usajili_outbox_deliveries_total", &sent) >= 2.0);
    for outcome in ["retried", "failed"] {
        for channel in ["sms", "email"] {
            let labels = [("channel", channel), ("outcome", outcome)];
            assert!(has(&after, "usajili_outbox_deliveries_total", &labels));
        }
    }
}
