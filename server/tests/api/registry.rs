//! The registry adapters and verification against each: the local replica
//! directly, and the HTTP client against `registry serve`'s API on a random
//! port, including a registry that is down, slow, or failing then recovering.

use crate::helpers::{spawn_app, spawn_app_with};
use app::dates::CivilDate;
use app::identifiers::{BirthCertificateNumber, NationalIdNumber, PersonName};
use axum::{extract::Request, middleware::Next, response::IntoResponse};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use usajili::registry::verification::{Applicant, ApplicationKind, Outcome, verify};
use usajili::registry::{
    Registry, RegistryError,
    http_client::{HttpRegistry, HttpRegistryConfig},
    import::{Table, import},
    replica::LocalReplica,
};

const BIRTHS: &str = "\
birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no
1000001,Otieno,Grace Achieng,F,1988-04-12,042,,,,
1000101,Otieno,Baraka Odhiambo,M,2015-06-15,042,Grace Achieng Otieno,20000001,Peter Ouma Otieno,20000002
1000200,Wafula,Joseph,M,1950-01-01,039,,,,
1000300,Kamau,Faith Wambui,F,2022-01-10,022,Mary Njeri,,,
";
const PERSONS: &str = "\
id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status
20000001,Otieno,Grace Achieng,F,1988-04-12,1000001,alive
20000300,Wafula,Joseph,M,1950-01-01,1000200,deceased
";

async fn replica_with_fixtures(db: &sqlx::AnyPool) -> LocalReplica {
    import(db, Table::Births, std::io::Cursor::new(BIRTHS))
        .await
        .unwrap();
    import(db, Table::Persons, std::io::Cursor::new(PERSONS))
        .await
        .unwrap();
    LocalReplica::new(db.clone())
}

fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).unwrap()
}

fn applicant(cert: &str, surname: &str, given: &str, dob: CivilDate) -> Applicant {
    Applicant {
        birth_cert_no: BirthCertificateNumber::parse(cert).unwrap(),
        surname: PersonName::parse(surname).unwrap(),
        given_names: PersonName::parse(given).unwrap(),
        date_of_birth: dob,
    }
}

fn today() -> CivilDate {
    date(2026, 11, 25)
}

/// Every outcome but `RegistryUnavailable`, through whichever adapter.
async fn assert_every_outcome(registry: &dyn Registry) {
    let cases = [
        (
            applicant("1000001", "Otieno", "Grace Achieng", date(1988, 4, 12)),
            ApplicationKind::AdultId,
            Outcome::AlreadyHoldsId,
        ),
        (
            applicant("1000101", "OTIENO", "odhiambo  baraka", date(2015, 6, 15)),
            ApplicationKind::MinorCard,
            Outcome::Verified,
        ),
        (
            applicant("1000101", "Otieno", "Baraka", date(2015, 6, 15)),
            ApplicationKind::MinorCard,
            Outcome::Mismatch,
        ),
        (
            applicant("1000101", "Odhiambo", "Baraka Odhiambo", date(2015, 6, 15)),
            ApplicationKind::MinorCard,
            Outcome::Mismatch,
        ),
        (
            applicant("1000101", "Otieno", "Baraka Odhiambo", date(2015, 6, 16)),
            ApplicationKind::MinorCard,
            Outcome::Mismatch,
        ),
        (
            applicant("1000101", "Otieno", "Baraka Odhiambo", date(2015, 6, 15)),
            ApplicationKind::AdultId,
            Outcome::IneligibleAge,
        ),
        (
            applicant("1000300", "Kamau", "Faith Wambui", date(2022, 1, 10)),
            ApplicationKind::MinorCard,
            Outcome::IneligibleAge,
        ),
        (
            applicant("1000200", "Wafula", "Joseph", date(1950, 1, 1)),
            ApplicationKind::AdultId,
            Outcome::Mismatch,
        ),
        (
            applicant("9999999", "Otieno", "Grace", date(1988, 4, 12)),
            ApplicationKind::AdultId,
            Outcome::Mismatch,
        ),
    ];
    for (who, kind, expected) in cases {
        assert_eq!(
            verify(registry, &who, kind, today()).await,
            expected,
            "{who:?} {kind:?}"
        );
    }
}

#[tokio::test]
async fn the_replica_gives_every_verification_outcome() {
    let app = spawn_app().await;
    let replica = replica_with_fixtures(&app.db).await;

    assert_every_outcome(&replica).await;
}

#[tokio::test]
async fn importing_the_same_files_twice_changes_nothing() {
    let app = spawn_app().await;
    replica_with_fixtures(&app.db).await;
    let report = import(&app.db, Table::Births, std::io::Cursor::new(BIRTHS))
        .await
        .unwrap();

    assert_eq!(report.upserted, 4);
    assert_eq!(app.rows_in("registry_births").await, 4);
}

#[tokio::test]
async fn an_import_corrects_a_changed_record() {
    let app = spawn_app().await;
    let replica = replica_with_fixtures(&app.db).await;
    let corrected = "id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status\n20000001,Otieno,Grace Achieng,F,1988-04-12,1000001,deceased\n";

    import(&app.db, Table::Persons, std::io::Cursor::new(corrected))
        .await
        .unwrap();

    let grace = replica
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.status, usajili::registry::LifeStatus::Deceased);
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_number_and_the_rest_imported() {
    let app = spawn_app().await;
    let csv = "\
id_no,surname,given_names,sex,date_of_birth,birth_cert_no,status
20000001,Otieno,Grace Achieng,F,1988-04-12,1000001,alive
12AB,Otieno,Peter,M,1985-09-30,,alive
20000003,Otieno,Peter,M,1985-02-30,,alive
20000004,Otieno,Peter
20000005,\"Ng'ang'a\",\"Mary
Wanjiru\",F,1990-01-01,,alive
20000006,Kamau,John,M,1979-12-31,,alive
";
    let report = import(&app.db, Table::Persons, std::io::Cursor::new(csv))
        .await
        .unwrap();

    assert_eq!(report.upserted, 3);
    assert_eq!(report.rejected, 3);
    let lines: Vec<(u64, &str)> = report
        .rejections
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (3, "id_no is not valid"),
            (4, "date_of_birth is not valid"),
            (5, "expected 7 fields, found 3")
        ]
    );
}

#[tokio::test]
async fn an_import_with_the_wrong_header_is_refused_whole() {
    let app = spawn_app().await;
    let result = import(&app.db, Table::Births, std::io::Cursor::new(PERSONS)).await;

    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("the first line must be the header")
    );
}

#[tokio::test]
async fn a_fresh_development_portal_seeds_the_demo_population_once() {
    let app = spawn_app_with(|config| config.demo_population = 300).await;
    let replica = LocalReplica::new(app.db.clone());

    let grace = replica
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (grace.surname.as_str(), grace.given_names.as_str()),
        ("Otieno", "Grace Achieng")
    );
    let baraka = replica
        .birth_record(&BirthCertificateNumber::parse("1000101").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(baraka.mother_id_no.as_deref(), Some("20000001"));
    let before = app.rows_in("registry_persons").await;
    assert!(before >= 100, "{before}");

    // A restart finds the replica filled and adds nothing.
    usajili::startup::Application::build(app.config.clone())
        .await
        .unwrap();
    assert_eq!(app.rows_in("registry_persons").await, before);
}

// --- the HTTP adapter against the registry API -----------------------------

const KEY: &str = "test-registry-key";

/// Serves the registry API from `db` on a random port, behind `faults`.
async fn serve_registry_api(db: &sqlx::AnyPool, faults: Faults) -> String {
    let router = usajili::registry::api::router(LocalReplica::new(db.clone()), KEY).layer(
        axum::middleware::from_fn(move |request: Request, next: Next| {
            let faults = faults.clone();
            async move {
                if faults
                    .failures_left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
                tokio::time::sleep(faults.delay).await;
                next.run(request).await
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

#[derive(Clone, Default)]
struct Faults {
    failures_left: Arc<AtomicU32>,
    delay: Duration,
}

fn client(base_url: &str, key: &str) -> HttpRegistry {
    let mut config = HttpRegistryConfig::new(base_url, key);
    config.connect_timeout = Duration::from_millis(300);
    config.request_timeout = Duration::from_millis(500);
    config.backoff_base = Duration::from_millis(20);
    config.max_attempts = 3;
    config.breaker_threshold = 3;
    config.breaker_cooldown = Duration::from_secs(60);
    HttpRegistry::new(config).unwrap()
}

#[tokio::test]
async fn the_http_adapter_gives_every_verification_outcome() {
    let app = spawn_app().await;
    replica_with_fixtures(&app.db).await;
    let url = serve_registry_api(&app.db, Faults::default()).await;

    assert_every_outcome(&client(&url, KEY)).await;
}

#[tokio::test]
async fn the_http_adapter_returns_the_same_records_as_the_replica() {
    let app = spawn_app().await;
    let replica = replica_with_fixtures(&app.db).await;
    let url = serve_registry_api(&app.db, Faults::default()).await;
    let http = client(&url, KEY);
    let cert = BirthCertificateNumber::parse("1000101").unwrap();
    let id = NationalIdNumber::parse("20000001").unwrap();

    assert_eq!(
        http.birth_record(&cert).await.unwrap(),
        replica.birth_record(&cert).await.unwrap()
    );
    assert_eq!(
        http.person(&id).await.unwrap(),
        replica.person(&id).await.unwrap()
    );
    assert!(
        http.person(&NationalIdNumber::parse("1234567").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_a_typed_error_and_not_a_missing_record() {
    let app = spawn_app().await;
    let url = serve_registry_api(&app.db, Faults::default()).await;

    let result = client(&url, "wrong-key")
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await;

    assert!(
        matches!(result, Err(RegistryError::Unauthorized)),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_registry_that_is_down_leaves_the_application_pending() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let http = client(&url, KEY);

    let outcome = verify(
        &http,
        &applicant("1000101", "Otieno", "Baraka Odhiambo", date(2015, 6, 15)),
        ApplicationKind::MinorCard,
        today(),
    )
    .await;

    assert_eq!(outcome, Outcome::RegistryUnavailable);
}

#[tokio::test]
async fn a_registry_slower_than_the_timeout_is_a_timeout() {
    let app = spawn_app().await;
    let url = serve_registry_api(
        &app.db,
        Faults {
            delay: Duration::from_secs(2),
            ..Faults::default()
        },
    )
    .await;
    let http = client(&url, KEY);

    let result = http
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await;

    assert!(matches!(result, Err(RegistryError::Timeout)), "{result:?}");
}

#[tokio::test]
async fn a_registry_failing_twice_then_recovering_is_retried_to_success() {
    let app = spawn_app().await;
    replica_with_fixtures(&app.db).await;
    let faults = Faults {
        failures_left: Arc::new(AtomicU32::new(2)),
        ..Faults::default()
    };
    let url = serve_registry_api(&app.db, faults.clone()).await;

    let grace = client(&url, KEY)
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await;

    assert!(grace.unwrap().is_some());
    assert_eq!(faults.failures_left.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn repeated_failures_open_the_circuit_and_calls_fail_fast() {
    let app = spawn_app().await;
    let faults = Faults {
        failures_left: Arc::new(AtomicU32::new(1000)),
        ..Faults::default()
    };
    let url = serve_registry_api(&app.db, faults.clone()).await;
    let http = client(&url, KEY);
    let id = NationalIdNumber::parse("20000001").unwrap();

    for _ in 0..3 {
        assert!(matches!(
            http.person(&id).await,
            Err(RegistryError::Unavailable(_))
        ));
    }
    let calls_before = faults.failures_left.load(Ordering::SeqCst);
    let result = http.person(&id).await;

    assert!(
        matches!(result, Err(RegistryError::CircuitOpen)),
        "{result:?}"
    );
    assert_eq!(
        faults.failures_left.load(Ordering::SeqCst),
        calls_before,
        "no request was sent"
    );
}

#[tokio::test]
async fn mismatches_are_answers_and_never_open_the_circuit() {
    let app = spawn_app().await;
    replica_with_fixtures(&app.db).await;
    let url = serve_registry_api(&app.db, Faults::default()).await;
    let http = client(&url, KEY);

    // Far more than the breaker's threshold (3), not found and differing alike.
    for _ in 0..10 {
        for who in [
            applicant("9999999", "Otieno", "Grace", date(1988, 4, 12)),
            applicant("1000001", "Otieno", "Grace Auma", date(1988, 4, 12)),
        ] {
            assert_eq!(
                verify(&http, &who, ApplicationKind::AdultId, today()).await,
                Outcome::Mismatch
            );
        }
        assert!(
            http.person(&NationalIdNumber::parse("29999998").unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }

    let grace = http
        .person(&NationalIdNumber::parse("20000001").unwrap())
        .await;
    assert!(grace.unwrap().is_some(), "the circuit is still closed");
}

// --- pending verification ---------------------------------------------------

#[tokio::test]
async fn a_registry_that_fails_then_recovers_verifies_the_pending_application_without_anyone_acting()
 {
    // The registry: its own database, behind an API that fails the first
    // call (all three of its attempts) and then recovers.
    let registry_dir = tempfile::tempdir().unwrap();
    let registry_db = usajili::db::connect(
        &format!("sqlite://{}/iprs.db", registry_dir.path().display()),
        2,
    )
    .await
    .unwrap();
    usajili::db::migrate(&registry_db).await.unwrap();
    replica_with_fixtures(&registry_db).await;
    let faults = Faults {
        failures_left: Arc::new(AtomicU32::new(3)),
        ..Faults::default()
    };
    let url = serve_registry_api(&registry_db, faults.clone()).await;
    // The portal, using that registry over HTTP, retrying every second.
    let app = spawn_app_with(|c| {
        c.registry = usajili::config::RegistryKind::Http;
        c.registry_url = Some(url.clone());
        c.registry_api_key = Some(KEY.to_string().into());
        c.verification_retry_secs = 1;
    })
    .await;
    let master = app.config.load_master_key().unwrap();
    let pending = usajili::registry::pending::PendingVerifications {
        db: app.db.clone(),
        cipher: usajili::crypto::FieldCipher::load(&app.db, &master)
            .await
            .unwrap(),
        registry: Arc::new(client(&url, KEY)),
        retry_secs: 1,
    };
    let baraka = applicant("1000101", "Otieno", "Baraka Odhiambo", date(2015, 6, 15));

    let (outcome, id) = pending
        .submit(
            "application:test",
            &baraka,
            ApplicationKind::MinorCard,
            today(),
            usajili::clock::unix_now(),
        )
        .await
        .unwrap();

    assert_eq!(outcome, Outcome::RegistryUnavailable);
    let id = id.expect("kept as a pending verification");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT applicant FROM pending_verifications WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        !stored.windows(6).any(|w| w == b"Baraka"),
        "what was typed is stored encrypted"
    );

    // Nobody acts: the portal's background job retries once the registry is back.
    let mut status = None;
    for _ in 0..100 {
        status = pending.status(&id).await.unwrap();
        if matches!(status, Some(usajili::registry::pending::Status::Done(_))) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status,
        Some(usajili::registry::pending::Status::Done(Outcome::Verified))
    );
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT applicant FROM pending_verifications WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        stored.is_empty(),
        "the typed details are dropped once there is an outcome"
    );
}

#[tokio::test]
async fn two_processes_never_retry_the_same_pending_verification_at_once() {
    let app = spawn_app().await;
    replica_with_fixtures(&app.db).await;
    let master = app.config.load_master_key().unwrap();
    let cipher = usajili::crypto::FieldCipher::load(&app.db, &master)
        .await
        .unwrap();
    let down = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let failing = usajili::registry::pending::PendingVerifications {
        db: app.db.clone(),
        cipher: cipher.clone(),
        registry: Arc::new(client(&down, KEY)),
        retry_secs: 1,
    };
    let now = 1_800_000_000;
    let (_, id) = failing
        .submit(
            "application:race",
            &applicant("1000101", "Otieno", "Baraka Odhiambo", date(2015, 6, 15)),
            ApplicationKind::MinorCard,
            today(),
            now,
        )
        .await
        .unwrap();
    let worker = || usajili::registry::pending::PendingVerifications {
        db: app.db.clone(),
        cipher: cipher.clone(),
        registry: Arc::new(LocalReplica::new(app.db.clone())),
        retry_secs: 1,
    };
    let (a, b) = (worker(), worker());

    let (first, second) =
        tokio::join!(a.retry_due(today(), now + 5), b.retry_due(today(), now + 5));

    assert_eq!(
        first.unwrap() + second.unwrap(),
        1,
        "exactly one process decided it"
    );
    let attempts: i64 =
        sqlx::query_scalar("SELECT attempts FROM pending_verifications WHERE id = $1")
            .bind(id.unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(attempts, 2);
}
