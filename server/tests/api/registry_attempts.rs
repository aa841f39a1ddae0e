//! The registry is not an oracle: one answer for every mismatch on the
//! three ways in (proving an adult's ID, submitting an adult application,
//! adding a child), and attempt limits per account and per identifier,
//! counted in the database, checked before the registry is asked.
//!
//! The portal here asks a registry over HTTP (`registry serve`'s API on a
//! random port, with its own database) that counts the calls it answers, so
//! a test can tell that a refused try never reached it.

use crate::browser::*;
use crate::children::{MISMATCH, add, prove};
use crate::helpers::{TestApp, spawn_app_with};
use axum::{extract::Request, middleware::Next};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use usajili::config::Config;
use usajili::registry::import::{Table, import};
use usajili::registry::replica::LocalReplica;

const KEY: &str = "test-registry-key";
const MOTHER: &str = "20000001";
/// What the registry holds: Grace (alive, ID 20000001) and her son Baraka,
/// Wanjiru (no ID yet), Joseph (deceased, ID 20000300), and two children
/// of Grace's, one of them deceased.
const BIRTHS: &str = "\
birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no,status
1000001,Otieno,Grace Achieng,F,1988-04-12,042,,,,,alive
1000200,Wafula,Joseph,M,1950-01-01,039,,,,,alive
1000500,Mwangi,Wanjiru Njeri,F,2000-02-29,022,,,,,alive
3000001,Otieno,Mary Akinyi,F,2016-01-10,042,Grace Achieng Otieno,20000001,,,alive
3000008,Otieno,Lucy Adhiambo,F,2015-03-03,042,Grace Achieng Otieno,20000001,,,deceased
";
const PERSONS: &str = "\
id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status
20000001,Otieno,Grace Achieng,F,1988-04-12,1000001,alive
20000300,Wafula,Joseph,M,1950-01-01,1000200,deceased
";

/// The calls the registry answered.
#[derive(Clone, Default)]
pub struct Calls(Arc<AtomicU32>);

impl Calls {
    pub fn count(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A registry with its own database, served over HTTP, counting its calls;
/// its database directory lives as long as the returned guard.
async fn counted_registry() -> (String, Calls, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = usajili::db::connect(&format!("sqlite://{}/iprs.db", dir.path().display()), 4)
        .await
        .unwrap();
    usajili::db::migrate(&db).await.unwrap();
    import(&db, Table::Births, std::io::Cursor::new(BIRTHS))
        .await
        .unwrap();
    import(&db, Table::Persons, std::io::Cursor::new(PERSONS))
        .await
        .unwrap();
    let calls = Calls::default();
    let counter = calls.clone();
    let router = usajili::registry::api::router(LocalReplica::new(db), KEY).layer(
        axum::middleware::from_fn(move |request: Request, next: Next| {
            let counter = counter.clone();
            async move {
                counter.0.fetch_add(1, Ordering::SeqCst);
                next.run(request).await
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, calls, dir)
}

/// The portal, asking the counted registry over HTTP.
async fn portal_with(adjust: impl FnOnce(&mut Config)) -> (TestApp, Calls, tempfile::TempDir) {
    let (url, calls, dir) = counted_registry().await;
    let app = spawn_app_with(|c| {
        c.registry = usajili::config::RegistryKind::Http;
        c.registry_url = Some(url);
        c.registry_api_key = Some(KEY.to_string().into());
        adjust(c);
    })
    .await;
    (app, calls, dir)
}

async fn portal() -> (TestApp, Calls, tempfile::TempDir) {
    portal_with(|_| ()).await
}

async fn prove_grace(browser: &Browser<'_>) -> (StatusCode, String) {
    prove(
        browser,
        MOTHER,
        "Otieno",
        "Grace Achieng",
        ("12", "4", "1988"),
    )
    .await
}

async fn add_child(
    browser: &Browser<'_>,
    cert: &str,
    surname: &str,
    given: &str,
) -> (StatusCode, String) {
    let response = add(browser, cert, surname, given, "parent").await;
    (response.status(), response.text().await.unwrap())
}

/// The error summary as it is rendered: its words and where its links lead.
fn summary_html(page: &str) -> String {
    page.split("<ul class=\"error-summary__list\">")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or_default()
        .to_string()
}

/// The status panel of an application's page, its own id taken out.
fn status_panel(page: &str, id: &str) -> String {
    page.split("data-testid=\"status\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default()
        .replace(id, "{id}")
}

fn tries_used(page: &str) -> bool {
    page.contains("data-testid=\"tries-used\"")
        && page.contains("You have made too many tries that did not match the registry.")
        && page.contains("You can try again after")
        && page.contains("Huduma Centre")
}

// ---- one answer for every mismatch ---------------------------------------------------

#[tokio::test]
async fn every_mismatch_on_identity_gets_the_same_status_words_and_link() {
    let (app, _calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600001").await;
    let cases = [
        ("29999998", "Otieno", "Grace Achieng", ("12", "4", "1988")),
        (MOTHER, "Otieno", "Grace Auma", ("12", "4", "1988")),
        (MOTHER, "Odhiambo", "Grace Achieng", ("12", "4", "1988")),
        (MOTHER, "Otieno", "Grace Achieng", ("13", "4", "1988")),
        // Deceased: the same answer as a mismatch.
        ("20000300", "Wafula", "Joseph", ("1", "1", "1950")),
    ];
    let mut answers = Vec::new();
    for (id, surname, given, dob) in cases {
        let (status, page) = prove(&browser, id, surname, given, dob).await;
        answers.push((status, summary_html(&page)));
    }
    let first = answers[0].clone();
    assert_eq!(first.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(first.1.contains(MISMATCH), "{}", first.1);
    assert!(first.1.contains("href=\"#id-number\""), "{}", first.1);
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &first, "case {n}");
    }
}

#[tokio::test]
async fn every_mismatch_on_adding_a_child_gets_the_same_status_words_and_link() {
    let (app, _calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600002").await;
    assert_eq!(prove_grace(&browser).await.0, StatusCode::SEE_OTHER);
    let cases = [
        ("3000404", "Otieno", "Mary Akinyi"),
        ("3000001", "Odhiambo", "Mary Akinyi"),
        ("3000001", "Otieno", "Mary Atieno"),
        // Deceased: the same answer as a mismatch.
        ("3000008", "Otieno", "Lucy Adhiambo"),
    ];
    let mut answers = Vec::new();
    for (cert, surname, given) in cases {
        let (status, page) = add_child(&browser, cert, surname, given).await;
        answers.push((status, summary_html(&page)));
    }
    let first = answers[0].clone();
    assert_eq!(first.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(first.1.contains(MISMATCH), "{}", first.1);
    assert!(
        first.1.contains("href=\"#birth-certificate\""),
        "{}",
        first.1
    );
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &first, "case {n}");
    }
    assert_eq!(app.rows_in("applications").await, 0);
}

#[tokio::test]
async fn every_mismatch_on_an_adult_application_gets_the_same_status_words_and_link() {
    let (app, _calls, _dir) = portal().await;
    let cases = [
        Person {
            birth_cert: "9999999",
            ..WANJIRU
        },
        Person {
            surname: "Mwangl",
            ..WANJIRU
        },
        Person {
            given: "Wanjiru",
            ..WANJIRU
        },
        Person {
            dob: ("28", "2", "2000"),
            ..WANJIRU
        },
        // Deceased (an ID holder who died): the same answer as a mismatch.
        Person {
            surname: "Wafula",
            given: "Joseph",
            dob: ("1", "1", "1950"),
            birth_cert: "1000200",
            sex: "M",
        },
    ];
    let browser = app.signed_in_citizen("0712600003").await;
    let id = browser.start().await;
    let mut answers = Vec::new();
    for person in &cases {
        browser.complete(&id, person).await;
        let (status, _) = browser.submit(&id).await;
        let (_, page) = browser.page(&format!("/applications/{id}")).await;
        assert_eq!(state_of(&page), "Needs your attention");
        answers.push((status, status_panel(&page, &id)));
    }
    let first = answers[0].clone();
    assert_eq!(first.0, StatusCode::SEE_OTHER);
    assert!(first.1.contains(MISMATCH), "{}", first.1);
    assert!(
        first
            .1
            .contains("href=\"/applications/{id}/check-answers\""),
        "{}",
        first.1
    );
    assert!(!first.1.contains('#'), "no field anchor: {}", first.1);
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &first, "case {n}");
    }
}

// ---- the limits ------------------------------------------------------------------------

#[tokio::test]
async fn after_five_failed_matches_the_sixth_try_is_refused_without_asking_the_registry() {
    let (app, calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600010").await;
    for n in 0..5 {
        let (status, page) = prove(
            &browser,
            MOTHER,
            "Otieno",
            "Grace Auma",
            ("12", "4", "1988"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "try {n}");
        assert!(!tries_used(&page), "try {n}");
    }
    let asked = calls.count();
    assert_eq!(asked, 5, "one call per try");

    // The right details, now: refused, and the registry is not asked.
    let (status, page) = prove_grace(&browser).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(tries_used(&page), "{page}");
    assert_eq!(calls.count(), asked, "no registry call");
    assert_eq!(app.rows_in("account_identities").await, 0);

    // In Kiswahili, the same answer in the reader's language.
    browser.get("/language/sw").await;
    let (status, page) = prove_grace(&browser).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.contains("Umejaribu mara nyingi mno") && page.contains("Kituo cha Huduma"),
        "{page}"
    );
    assert_eq!(calls.count(), asked);
}

#[tokio::test]
async fn the_account_limit_counts_failures_across_the_three_ways_in() {
    let (app, calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600011").await;
    // A match is no failure: the try is given back.
    assert_eq!(prove_grace(&browser).await.0, StatusCode::SEE_OTHER);
    for _ in 0..3 {
        let (status, _) = add_child(&browser, "3000001", "Otieno", "Mary Atieno").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let id = browser.start().await;
    for _ in 0..2 {
        browser
            .complete(
                &id,
                &Person {
                    surname: "Mwangl",
                    ..WANJIRU
                },
            )
            .await;
        assert_eq!(browser.submit(&id).await.0, StatusCode::SEE_OTHER);
    }
    let asked = calls.count();

    let (status, page) = add_child(&browser, "3000001", "Otieno", "Mary Akinyi").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(tries_used(&page), "{page}");
    browser.complete(&id, &WANJIRU).await;
    let (status, page) = browser.submit(&id).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(tries_used(&page), "{page}");
    assert_eq!(calls.count(), asked, "no registry call");
    assert_eq!(
        app.application_state(&id).await,
        "needs_attention",
        "nothing was submitted"
    );
    assert_eq!(app.rows_in("applications").await, 1, "no child was added");
}

#[tokio::test]
async fn an_identifier_s_limit_holds_across_accounts_with_the_same_answer() {
    let (app, calls, _dir) = portal().await;
    let first = app.signed_in_citizen("0712600020").await;
    let second = app.signed_in_citizen("0712600021").await;
    for _ in 0..3 {
        prove(&first, MOTHER, "Otieno", "Grace Auma", ("12", "4", "1988")).await;
    }
    for _ in 0..2 {
        prove(&second, MOTHER, "Otieno", "Grace Auma", ("12", "4", "1988")).await;
    }
    let asked = calls.count();
    assert_eq!(asked, 5);

    // Grace herself, from a third account with the right details: refused
    // for the day, with the very words the account limit gives.
    let grace = app.signed_in_citizen("0712600022").await;
    let (status, page) = prove_grace(&grace).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(tries_used(&page), "{page}");
    assert_eq!(calls.count(), asked, "no registry call");
    // The first account still has tries for other numbers.
    let (status, _) = prove(&first, "20000300", "Wafula", "Joseph", ("1", "1", "1950")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A day later the identifier's tries are back.
    app.advance(24 * 3600 + 60);
    let grace = app.signed_in_citizen("0712600022").await;
    assert_eq!(prove_grace(&grace).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn fifty_parallel_tries_make_at_most_five_registry_calls() {
    let (app, calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600030").await;
    let numbers: Vec<String> = (0..50).map(|n| format!("2100{n:04}")).collect();
    let tries = numbers
        .iter()
        .map(|id| prove(&browser, id, "Otieno", "Grace Achieng", ("12", "4", "1988")));
    let answers = futures::future::join_all(tries).await;

    let mismatches = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((mismatches, refused), (5, 45));
    assert!(calls.count() <= 5, "{} registry calls", calls.count());
}

#[tokio::test]
async fn parallel_tries_on_one_identifier_from_many_accounts_make_at_most_five_registry_calls() {
    let (app, calls, _dir) = portal().await;
    let mut browsers = Vec::new();
    for n in 0..8 {
        browsers.push(app.signed_in_citizen(&format!("07126001{n:02}")).await);
    }
    let tries = browsers.iter().flat_map(|b| {
        (0..3).map(move |_| prove(b, MOTHER, "Otieno", "Grace Auma", ("12", "4", "1988")))
    });
    let answers = futures::future::join_all(tries).await;

    let mismatches = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!(mismatches, 5);
    assert!(calls.count() <= 5, "{} registry calls", calls.count());
}

#[tokio::test]
async fn the_limits_are_settings() {
    let (app, calls, _dir) = portal_with(|c| {
        c.registry_tries.per_account = 2;
        c.registry_tries.per_identifier = 50;
    })
    .await;
    let browser = app.signed_in_citizen("0712600040").await;
    for _ in 0..2 {
        prove(
            &browser,
            MOTHER,
            "Otieno",
            "Grace Auma",
            ("12", "4", "1988"),
        )
        .await;
    }
    let (status, _) = prove_grace(&browser).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(calls.count(), 2);
}

// ---- an account that holds an ID ---------------------------------------------------------

#[tokio::test]
async fn an_account_that_holds_an_id_does_not_ask_the_registry_again() {
    let (app, calls, _dir) = portal().await;
    let browser = app.signed_in_citizen("0712600050").await;
    assert_eq!(prove_grace(&browser).await.0, StatusCode::SEE_OTHER);
    let asked = calls.count();

    let (status, page) = prove(&browser, "20000300", "Wafula", "Joseph", ("1", "1", "1950")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = summary_of(&page);
    assert!(
        summary.contains("This account already holds an ID number"),
        "{summary}"
    );
    assert!(!summary.contains("another"), "{summary}");
    // Its own number again: on to the children, still without a call.
    assert_eq!(prove_grace(&browser).await.0, StatusCode::SEE_OTHER);
    assert_eq!(calls.count(), asked, "no registry call");
}

// ---- the circuit breaker ------------------------------------------------------------------

#[tokio::test]
async fn many_mismatches_do_not_open_the_circuit_breaker() {
    // More mismatches than the breaker's threshold (5 failures in a row).
    let (app, _calls, _dir) = portal_with(|c| {
        c.registry_tries.per_account = 100;
        c.registry_tries.per_identifier = 100;
    })
    .await;
    let browser = app.signed_in_citizen("0712600060").await;
    for n in 0..12 {
        let id = if n % 2 == 0 { "29999998" } else { MOTHER };
        let (status, page) = prove(&browser, id, "Otieno", "Grace Auma", ("12", "4", "1988")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            summary_of(&page).contains(MISMATCH),
            "try {n}: {}",
            summary_of(&page)
        );
    }
    // Still closed: the right details are checked, not "registry unavailable".
    let (status, page) = prove_grace(&browser).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&page));
}

// ---- a centre frees an ID bound by mistake, and gives tries back ---------------------------

async fn cheap_staff_portal() -> (TestApp, Calls, tempfile::TempDir) {
    portal_with(|c| {
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
    })
    .await
}

#[tokio::test]
async fn a_supervisor_frees_an_id_bound_by_mistake_and_its_owner_proves_it() {
    let (app, _calls, _dir) = cheap_staff_portal().await;
    // Someone else proved Grace's ID from their account.
    let other = app.signed_in_citizen("0712600070").await;
    assert_eq!(prove_grace(&other).await.0, StatusCode::SEE_OTHER);
    let grace = app.signed_in_citizen("0712600071").await;
    let (status, page) = prove_grace(&grace).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("already linked to another Usajili account"));

    // An officer may not free it.
    let officer = app
        .signed_in_staff(
            "officer@huduma.go.ke",
            usajili::staff::Role::Officer,
            Some("gpo"),
        )
        .await;
    let response = officer
        .post(
            "/staff/identities",
            &[("id-number", MOTHER), ("action", "unbind")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.rows_in("account_identities").await, 1);

    // A supervisor, having seen Grace's card, frees it: audited.
    let supervisor = app
        .signed_in_staff(
            "supervisor@huduma.go.ke",
            usajili::staff::Role::Supervisor,
            Some("gpo"),
        )
        .await;
    let (status, page) = supervisor.page("/staff/identities").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let response = supervisor
        .post(
            "/staff/identities",
            &[("id-number", MOTHER), ("action", "unbind")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/staff/identities?done=unbind");
    assert_eq!(app.audited("identity.unbind").await, 1);
    assert_eq!(app.rows_in("account_identities").await, 0);
    // Freeing it again finds nobody holding it, and records nothing.
    let response = supervisor
        .post(
            "/staff/identities",
            &[("id-number", MOTHER), ("action", "unbind")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audited("identity.unbind").await, 1);

    // Grace proves it from her own account.
    assert_eq!(prove_grace(&grace).await.0, StatusCode::SEE_OTHER);
    // And it is hers now: the other account cannot take it back.
    let (status, _) = prove_grace(&other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_supervisor_gives_back_the_tries_of_a_number_and_of_an_account() {
    let (app, calls, _dir) = cheap_staff_portal().await;
    // Strangers use up Grace's number for the day; Grace used up her account's.
    for n in 0..5 {
        let stranger = app.signed_in_citizen(&format!("07126008{n:02}")).await;
        prove(
            &stranger,
            MOTHER,
            "Otieno",
            "Grace Auma",
            ("12", "4", "1988"),
        )
        .await;
    }
    let grace = app.signed_in_citizen("0712600090").await;
    for _ in 0..5 {
        prove(
            &grace,
            "20000300",
            "Otieno",
            "Grace Achieng",
            ("12", "4", "1988"),
        )
        .await;
    }
    assert_eq!(prove_grace(&grace).await.0, StatusCode::TOO_MANY_REQUESTS);

    let supervisor = app
        .signed_in_staff(
            "supervisor@huduma.go.ke",
            usajili::staff::Role::Supervisor,
            Some("gpo"),
        )
        .await;
    let response = supervisor
        .post(
            "/staff/identities",
            &[
                ("id-number", MOTHER),
                ("contact", "0712600090"),
                ("action", "reset"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/staff/identities?done=reset");
    assert_eq!(app.audited("registry_tries.reset").await, 1);

    let asked = calls.count();
    assert_eq!(prove_grace(&grace).await.0, StatusCode::SEE_OTHER);
    assert!(calls.count() > asked);
}
