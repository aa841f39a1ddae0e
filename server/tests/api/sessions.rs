//! Requests that change things are same-origin, and sessions end: the
//! same-origin rule (fails closed; the SMS provider's callback excepted),
//! sessions' lifetimes after sign-in, the day list's refresh being no
//! activity, and a deleted account's sessions staying gone.

use crate::browser::*;
use crate::fixtures::console;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use usajili::staff::Role;

/// Where a refused request could say it came from: nowhere, `null` (a
/// sandboxed frame, a redirect across sites), another site.
const NOT_THIS_SITE: [&[(&str, &str)]; 4] = [
    &[],
    &[("origin", "null")],
    &[("origin", "https://elsewhere.example")],
    &[("referer", "https://elsewhere.example/delete-their-account")],
];

async fn contact_kind(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT contact_kind FROM accounts")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn deleting_an_account_without_this_sites_origin_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let citizen = app.signed_in_citizen("0712400001").await;
    let id = citizen.start().await;

    for headers in NOT_THIS_SITE {
        let response = citizen.post_from("/account/delete", &[], headers).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("can only be sent from this site")
        );
    }
    assert_eq!(contact_kind(&app).await, "phone");
    assert_eq!(app.application_state(&id).await, "draft");
    let (status, _) = citizen.page("/applications").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn a_staff_post_without_this_sites_origin_is_refused_and_changes_nothing() {
    let app = console().await;
    let officer = app
        .signed_in_staff("officer@huduma.example", Role::Officer, Some("kibra"))
        .await;

    for headers in NOT_THIS_SITE {
        let response = officer.post_from("/staff/sign-out", &[], headers).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    let (status, _) = officer.page("/staff").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
    // Signing in is a change too.
    let stranger = Browser::new(&app);
    let response = stranger
        .post_from(
            "/staff/sign-in",
            &[
                ("email", "officer@huduma.example"),
                ("password", crate::fixtures::PASSWORD),
            ],
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_post_with_this_sites_referer_and_no_origin_is_accepted() {
    let app = spawn_app().await;
    let citizen = app.signed_in_citizen("0712400002").await;
    let referer = app.url("/account/delete");

    // (Asking for the code that confirms a deletion: a change, since a code
    // is sent.)
    let response = citizen
        .post_from("/account/delete/code", &[], &[("referer", &referer)])
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/delete");
    assert_eq!(app.rows_in("sign_in_codes").await, 2);
}

#[tokio::test]
async fn the_sms_providers_delivery_report_needs_no_origin() {
    const TOKEN: &str = "dlr-5c0a2d3f9b8e7f6a4b3c2d1e";
    let app = spawn_app_with(|config| {
        config.messages.sms.callback_token = Some(TOKEN.to_string().into())
    })
    .await;

    let response = reqwest::Client::new()
        .post(app.url(&format!("/messages/delivery/africastalking/{TOKEN}")))
        .form(&[
            ("id", "ATXid_unknown"),
            ("status", "Success"),
            ("phoneNumber", "+254711000111"),
            ("networkCode", "63902"),
            ("retryCount", "0"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_citizen_session_ends_twelve_hours_after_sign_in_even_with_activity_every_20_minutes() {
    let app = spawn_app().await;
    let citizen = app.signed_in_citizen("0712400003").await;

    // 35 times 20 minutes: 11 hours 40 minutes, signed in all along.
    for step in 1..=35 {
        app.advance(20 * 60);
        let response = citizen.get("/applications").await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "after {step} × 20 minutes"
        );
    }
    app.advance(20 * 60);

    let response = citizen.get("/applications").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in");
    // Ended, not merely refused once.
    let response = citizen.get("/applications").await;
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn a_staff_session_ends_ten_hours_after_sign_in_even_with_activity_every_10_minutes() {
    let app = console().await;
    let officer = app
        .signed_in_staff("officer@huduma.example", Role::Officer, Some("kibra"))
        .await;

    // 59 times 10 minutes (the console's idle timeout is 15): 9 hours 50.
    for step in 1..=59 {
        app.advance(10 * 60);
        let response = officer.get("/staff").await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "after {step} × 10 minutes"
        );
    }
    app.advance(10 * 60);

    let response = officer.get("/staff").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/staff/sign-in?expired=1");
}

#[tokio::test]
async fn the_day_lists_automatic_refresh_does_not_keep_a_staff_session_alive() {
    let app = console().await;
    let officer = app
        .signed_in_staff("officer@huduma.example", Role::Officer, Some("kibra"))
        .await;
    let refresh = || async {
        officer
            .client
            .get(app.url("/staff"))
            .header(app::components::in_place::AUTOMATIC, "1")
            .send()
            .await
            .unwrap()
    };

    // The list refreshes itself while nobody touches the console.
    for minutes in [5, 5, 4] {
        app.advance(minutes * 60);
        assert_eq!(refresh().await.status(), StatusCode::OK);
    }
    app.advance(2 * 60);

    // 16 minutes since the member last did anything: signed out.
    let response = officer.get("/staff").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/staff/sign-in?expired=1");
}

#[tokio::test]
async fn deleting_the_account_on_one_device_ends_the_session_on_another_even_mid_request() {
    use tower_sessions::SessionStore as _;
    let app = spawn_app().await;
    let phone = "0712400004";
    let laptop = app.signed_in_citizen(phone).await;
    let phone_browser = app.signed_in_citizen(phone).await;
    // A request on the phone is under way: its session is loaded, and it
    // will be saved when the answer goes out.
    let store = usajili::http::session_store::DbSessionStore::new(app.db.clone());
    let id: tower_sessions::session::Id = phone_browser
        .cookie("usajili_session")
        .expect("the phone's session cookie")
        .parse()
        .unwrap();
    let under_way = store.load(&id).await.unwrap().expect("a signed-in session");

    let response = laptop.delete_account(phone).await;
    assert_eq!(location(&response), "/sign-in?deleted=1");
    // The phone's request ends, saving the session it loaded.
    store.save(&under_way).await.unwrap();

    assert_eq!(app.rows_in("sessions").await, 0);
    for browser in [&laptop, &phone_browser] {
        let response = browser.get("/applications").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/sign-in");
    }
}
