//! The authorization matrix: every route of the router, read from the
//! router itself, called as each kind of actor, against who may call it
//! (`expected.rs`, shown in `docs/SECURITY.md`). A route without an
//! expectation fails the test, so a new page cannot ship unguarded.

mod expected;

use crate::browser::{Browser, WANJIRU, location};
use crate::children::{OTHER_ADULT, add, add_and_consent, prove, signed_in_mother, with_families};
use crate::fixtures::{console, later_today, today};
use crate::helpers::TestApp;
use expected::{EXPECTED, Who};
use reqwest::StatusCode;
use usajili::staff::Role;

/// The actors the issue names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    CitizenA,
    CitizenB,
    Parent,
    Guardian,
    Officer1,
    Supervisor1,
    Officer2,
    Administrator,
    Disabled,
}

/// Every (method, path pattern) the router serves, from its own
/// description of itself (`Debug`): the route table and, per route, the
/// methods it answers. The static files under `/pkg` are left out.
pub fn routes_of(router: &axum::Router) -> Vec<(String, String)> {
    let text = format!("{router:?}");
    // The routes proper; the fallback router's come after.
    let text = text.split(", fallback_router:").next().unwrap();
    let (routes, paths) = text
        .split_once("node: Node { paths: {")
        .expect("a route table");
    let mut path_of = std::collections::HashMap::new();
    for entry in paths.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once("): \"").unwrap();
        path_of.insert(id.to_string(), rest.split('"').next().unwrap().to_string());
    }
    let mut found = Vec::new();
    for entry in routes.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once(')').unwrap();
        let path = &path_of[id];
        if path.starts_with("/pkg") {
            continue;
        }
        let Some(methods) = rest.split_once("MethodRouter { ") else {
            panic!("{path} is not served by a method router: {rest}")
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let value = methods
                .1
                .split_once(&format!("{method}: "))
                .map(|(_, v)| v)
                .unwrap_or("None");
            if !value.starts_with("None") {
                found.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    found.sort();
    found
}

/// What an actor got: let through (the handler answered) or refused:
/// 401, 403, 404, or sent to sign in (or, for a child's page, to prove who
/// they are first). Signing out lands on the sign-in page too, but says so.
fn allowed(status: StatusCode, location: &str) -> bool {
    let signed_out = location.ends_with("?signed-out=1");
    let to_sign_in = status.is_redirection()
        && !signed_out
        && (location.starts_with("/sign-in")
            || location.starts_with("/staff/sign-in")
            || location == "/identity");
    !(matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || to_sign_in)
}

/// The records the paths name.
struct Records {
    application: String,
    child: String,
    booking: String,
    claim: String,
    closure: String,
    message: String,
    member: String,
}

impl Records {
    fn fill(&self, path: &str) -> String {
        let id = if path.starts_with("/applications/") {
            &self.application
        } else if path.starts_with("/children/") {
            &self.child
        } else if path.starts_with("/staff/bookings/") {
            &self.booking
        } else if path.starts_with("/staff/reviews/") {
            &self.claim
        } else if path.starts_with("/staff/capacity/closures/") {
            &self.closure
        } else if path.starts_with("/staff/outbox/") {
            &self.message
        } else if path.starts_with("/staff/accounts/") {
            &self.member
        } else {
            "none"
        };
        // An administrator names the centre (a member's own always wins).
        let centre = if path.starts_with("/staff/") {
            "?centre=gpo"
        } else {
            ""
        };
        path.replace("{id}", id)
            .replace("{centre}", "gpo")
            .replace(
                "{step}",
                if path.starts_with("/staff/") {
                    "documents-verified"
                } else {
                    "about-you"
                },
            )
            .replace("{code}", "sw")
            .replace("{action}", "disable")
            .replace("{token}", "not-the-token")
            + centre
    }
}

/// Routes that stop the caller's record (called late) or end their
/// session (called last).
fn ends_something(method: &str, path: &str) -> u8 {
    match (method, path) {
        ("POST", p) if p.ends_with("/sign-out") => 2,
        ("POST", p) if p.ends_with("/withdraw") || p == "/account/delete" => 1,
        _ => 0,
    }
}

async fn people(app: &TestApp) -> (Vec<(Actor, Browser<'_>)>, Records) {
    crate::browser::with_registry(app).await;
    with_families(app).await;
    let a = app.signed_in_citizen("0712700001").await;
    let application = a.start().await;
    a.complete(&application, &WANJIRU).await;
    let (status, _) = a.submit(&application).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let booking = app
        .booked_directly(&application, "gpo", "enrolment", today(), later_today())
        .await;
    let b = app.signed_in_citizen("0712700002").await;
    let parent = signed_in_mother(app, "0712700003").await;
    let child = add_and_consent(&parent, "3000011", "Otieno", "Kevin Omondi").await;
    let guardian = app.signed_in_citizen("0712700004").await;
    let (status, _) = prove(
        &guardian,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = add(&guardian, "3000011", "Otieno", "Kevin Omondi", "guardian").await;
    assert!(location(&response).ends_with("/guardianship"));
    let claim = app.pending_guardianship("0712700005").await;
    let closure = usajili::crypto::random_id();
    close_again(app, &closure).await;
    let message: String = sqlx::query_scalar("SELECT id FROM outbox ORDER BY created_at LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let officer1 = app
        .signed_in_staff("officer1@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let supervisor1 = app
        .signed_in_staff("supervisor1@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let officer2 = app
        .signed_in_staff("officer2@kenya.go.ke", Role::Officer, Some("kibra"))
        .await;
    let administrator = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    // A member dismissed while signed in: their session stays in their browser.
    let disabled = app
        .signed_in_staff("gone@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let member: String =
        sqlx::query_scalar("SELECT id FROM staff_accounts WHERE email = 'gone@kenya.go.ke'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let response = administrator
        .post(&format!("/staff/accounts/{member}/disable"), &[])
        .await;
    assert_eq!(location(&response), "/staff/accounts?done=disabled");

    let actors = vec![
        (Actor::Anonymous, Browser::new(app)),
        (Actor::CitizenA, a),
        (Actor::CitizenB, b),
        (Actor::Parent, parent),
        (Actor::Guardian, guardian),
        (Actor::Officer1, officer1),
        (Actor::Supervisor1, supervisor1),
        (Actor::Officer2, officer2),
        (Actor::Administrator, administrator),
        (Actor::Disabled, disabled),
    ];
    let records = Records {
        application,
        child,
        booking,
        claim,
        closure,
        message,
        member,
    };
    (actors, records)
}

/// A closure at centre 1 in a month (again, once a call reopened it).
async fn close_again(app: &TestApp, closure: &str) {
    sqlx::query(
        "INSERT INTO closures (id, centre_id, day, starts, ends, reason, created_at) \
         VALUES ($1, 'gpo', $2, NULL, NULL, 'Repairs', 0) ON CONFLICT (id) DO NOTHING",
    )
    .bind(closure)
    .bind(today().add_days(30).to_string())
    .execute(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn every_route_answers_each_actor_as_the_matrix_says() {
    let app = console().await;
    let router = usajili::startup::Application::build(app.config.clone())
        .await
        .unwrap()
        .router();
    let routes = routes_of(&router);
    assert!(routes.len() > 40, "{routes:?}");
    let unlisted: Vec<_> = routes
        .iter()
        .filter(|(m, p)| !EXPECTED.iter().any(|(em, ep, _)| em == m && ep == p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "routes with no expectation: {unlisted:#?}"
    );
    let gone: Vec<_> = EXPECTED
        .iter()
        .filter(|(m, p, _)| !routes.iter().any(|(rm, rp)| rm == m && rp == p))
        .collect();
    assert!(
        gone.is_empty(),
        "expectations for routes that do not exist: {gone:#?}"
    );

    let (actors, records) = people(&app).await;
    let mut order: Vec<&(&str, &str, Who)> = EXPECTED.iter().collect();
    order.sort_by_key(|(m, p, _)| ends_something(m, p));
    let mut wrong = Vec::new();
    for (method, pattern, who) in order {
        let path = records.fill(pattern);
        for (actor, browser) in &actors {
            close_again(&app, &records.closure).await;
            let response = match *method {
                "GET" => browser.get(&path).await,
                "POST" => browser.post(&path, &[("centre", "gpo")]).await,
                other => panic!("no call written for {other}"),
            };
            let (status, to) = (response.status(), location(&response));
            let expected = who.allows(*actor);
            if allowed(status, &to) != expected {
                wrong.push(format!(
                    "{method} {pattern} as {actor:?}: {status} {to} (expected {})",
                    if expected { "let through" } else { "refused" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} calls answered against the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
