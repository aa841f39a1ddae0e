//! A guardian's claim is a power over nothing until a supervisor approves
//! it (it sees only itself, it leaves a parent's application alone, it is
//! never messaged), and other people's identifiers from the birth record
//! are never kept or handed out.

use crate::booking::centre_path;
use crate::booking::open_weekday;
use crate::browser::*;
use crate::children::{
    FATHER, MOTHER, OTHER_ADULT, add, add_and_consent, children_of, pdf, prove, signed_in_mother,
    state_of_child, upload, with_families,
};
use crate::helpers::{TestApp, spawn_app};
use reqwest::StatusCode;
use usajili::citizen::children::Children;

/// The other adult, not on Kevin's birth record, claims to be his guardian
/// up to the review queue: (their browser, the claim's id).
async fn claim_for_kevin<'a>(app: &'a TestApp, phone: &str) -> (Browser<'a>, String) {
    let claimant = app.signed_in_citizen(phone).await;
    let (status, _) = prove(
        &claimant,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = add(&claimant, "3000011", "Otieno", "Kevin Omondi", "guardian").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let path = location(&response);
    assert!(path.ends_with("/guardianship"), "{path}");
    let id = path
        .trim_start_matches("/children/")
        .trim_end_matches("/guardianship")
        .to_string();
    let (status, _) = upload(&claimant, &id, "HCFA E999/2026", pdf(), "order.pdf").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = claimant
        .post(&format!("/children/{id}/consent"), &[("consent", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.application_state(&id).await, "guardianship_review");
    (claimant, id)
}

/// A supervisor's decision on the claim `claim` (`approve`, `reason`),
/// made directly; whether anything was waiting for it.
async fn decided(app: &TestApp, claim: &str, decision: (bool, &str)) -> bool {
    let registry = usajili::registry::replica::LocalReplica::new(app.db.clone());
    let children = Children {
        db: &app.db,
        cipher: &app.cipher,
        registry: &registry,
        ages: children_of(app).1,
    };
    let mut conn = app.db.acquire().await.unwrap();
    let reviewer = usajili::citizen::children::Reviewer {
        id: "supervisor-1".into(),
        county: None,
        contact_index: None,
    };
    let review = app.review_of(claim).await;
    children
        .decide(
            &mut conn,
            &reviewer,
            &review,
            decision,
            crate::fixtures::now(),
        )
        .await
        .unwrap()
}

/// What the birth record says about Kevin and his parents, none of which a
/// claimant may learn: the parents' names and ID numbers, his age and sex.
fn birth_record_data(page: &str) -> Vec<&'static str> {
    [
        MOTHER,
        FATHER,
        "Grace",
        "Achieng",
        "Peter",
        "Odhiambo",
        "child-age",
        "\"sex\"",
    ]
    .into_iter()
    .filter(|text| page.contains(text))
    .collect()
}

#[tokio::test]
async fn a_claim_under_review_sees_only_itself_and_leaves_a_parents_application_alone() {
    let app = spawn_app().await;
    with_families(&app).await;
    let (claimant, claim) = claim_for_kevin(&app, "0712510001").await;

    // The claim shows the claim: its state and review, nothing the record says.
    let (status, page) = claimant.page(&format!("/children/{claim}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("checking your guardianship document"));
    assert_eq!(state_of_child(&page), "Guardianship review");
    assert_eq!(birth_record_data(&page), Vec::<&str>::new());
    // Nothing to book, nothing of the child's in the download.
    let day = open_weekday(1).to_string();
    for path in [
        format!("/applications/{claim}"),
        format!("/applications/{claim}/booking/centres"),
    ] {
        assert_eq!(
            claimant.page(&path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    claimant
        .post(
            &centre_path(&claim, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(app.live_booking_count().await, 0);
    let data = claimant.page("/account/data.json").await.1;
    assert_eq!(birth_record_data(&data), Vec::<&str>::new(), "{data}");
    let json: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(json["guardianship_claims"][0]["review"], "pending_review");
    assert!(!data.contains("date_of_birth"), "{data}");

    // The mother registers Kevin: an application of her own, not the claim's.
    let mother = signed_in_mother(&app, "0712510002").await;
    let mine = add_and_consent(&mother, "3000011", "Otieno", "Kevin Omondi").await;
    assert_ne!(mine, claim);
    assert_eq!(app.application_state(&mine).await, "verified");
    assert_eq!(
        claimant.page(&format!("/children/{mine}")).await.0,
        StatusCode::NOT_FOUND
    );
    // She books: the message is hers; the claimant is told nothing.
    let response = mother
        .post(
            &centre_path(&mine, "gpo"),
            &[("day", &day), ("slot", "09:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.wait_for_message("booking_confirmed").await;
    let about_kevin = app
        .messages()
        .lines()
        .filter(|line| !line.contains("kind=sign_in_code"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(about_kevin.contains("+254712510002"), "{about_kevin}");
    assert!(!about_kevin.contains("+254712510001"), "{about_kevin}");

    // Withdrawing the claim (or deleting the account) ends the claim only.
    let response = claimant
        .post(&format!("/children/{claim}/withdraw"), &[])
        .await;
    assert_eq!(location(&response), "/applications?withdrawn=1");
    assert_eq!(app.application_state(&claim).await, "cancelled");
    assert_eq!(app.application_state(&mine).await, "booked");
    assert_eq!(app.live_bookings(&mine).await.len(), 1);
}

#[tokio::test]
async fn an_approved_claim_joins_the_application_a_parent_made_meanwhile() {
    let app = spawn_app().await;
    with_families(&app).await;
    let (claimant, claim) = claim_for_kevin(&app, "0712510011").await;
    let mother = signed_in_mother(&app, "0712510012").await;
    let mine = add_and_consent(&mother, "3000011", "Otieno", "Kevin Omondi").await;

    assert!(decided(&app, &claim, (true, "Court order checked")).await);

    // The guardian now stands beside the mother on her application.
    let (status, page) = claimant.page(&format!("/children/{mine}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("has been approved"), "{page}");
    assert!(page.contains("data-testid=\"child-age\""));
    assert_eq!(state_of_child(&page), "Verified");
    assert_eq!(app.application_state(&claim).await, "cancelled");
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM consents WHERE application_id = $1 AND action = 'given' ORDER BY role",
    )
    .bind(&mine)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(roles, ["guardian", "mother"]);
    let (_, list) = claimant.page("/applications").await;
    assert!(list.contains(&format!("/children/{mine}")));
    assert!(!list.contains(&format!("/children/{claim}")));
}

#[tokio::test]
async fn a_rejected_claim_is_closed_for_good_and_a_new_claim_is_a_new_review() {
    let app = spawn_app().await;
    with_families(&app).await;
    let (claimant, claim) = claim_for_kevin(&app, "0712510021").await;
    assert!(decided(&app, &claim, (false, "The order names another child.")).await);
    // No new document, no consent, reopens it.
    let (status, next) = upload(&claimant, &claim, "HCFA E1000/2026", pdf(), "order.pdf").await;
    assert_eq!(
        (status, next),
        (StatusCode::SEE_OTHER, format!("/children/{claim}"))
    );
    assert_eq!(app.child_link(&claim).await.0, "rejected");
    assert_eq!(app.application_state(&claim).await, "cancelled");

    // Claiming again is a new claim, reviewed afresh.
    let response = add(&claimant, "3000011", "Otieno", "Kevin Omondi", "guardian").await;
    let again = location(&response)
        .trim_start_matches("/children/")
        .trim_end_matches("/guardianship")
        .to_string();
    assert_ne!(again, claim);
    assert_eq!(app.child_link(&again).await.0, "needs_document");
}

#[tokio::test]
async fn a_childs_application_keeps_no_parents_identifiers_and_the_second_parent_still_joins() {
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712510031").await;
    let id = add_and_consent(&mother, "3000001", "Otieno", "Mary Akinyi").await;

    // Not in the stored answers...
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT answers FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let answers: app::application::Answers = serde_json::from_slice(
        &app.cipher
            .decrypt(&usajili::crypto::columns::APPLICATION_ANSWERS, &id, &sealed)
            .unwrap(),
    )
    .unwrap();
    assert!(answers.parents.is_none());
    // ...nor in the mother's download: the father's name and ID are his.
    let data = mother.page("/account/data.json").await.1;
    assert!(!data.contains(FATHER) && !data.contains("Peter"), "{data}");
    assert!(data.contains("Mary Akinyi"));

    // The father is still found on the birth record (read from the registry).
    let father = app.signed_in_citizen("0712510032").await;
    let (status, _) = prove(
        &father,
        FATHER,
        "Otieno",
        "Peter Odhiambo",
        ("1", "1", "1985"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let response = add(&father, "3000001", "Otieno", "Mary Akinyi", "parent").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = father.post(&format!("/children/{id}/join"), &[]).await;
    assert_eq!(location(&response), format!("/children/{id}/consent"));
    // A stranger's ID is not on it: no joining.
    let stranger = app.signed_in_citizen("0712510033").await;
    prove(
        &stranger,
        OTHER_ADULT,
        "Kamau",
        "James Mwangi",
        ("5", "5", "1970"),
    )
    .await;
    assert_eq!(
        stranger
            .post(&format!("/children/{id}/join"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn replacing_a_document_after_a_reviewer_opened_it_starts_a_new_review() {
    let app = spawn_app().await;
    with_families(&app).await;
    let (claimant, claim) = claim_for_kevin(&app, "0712510041").await;
    // Kevin was born in Kisumu: Kisumu's supervisor reviews his claim.
    let supervisor = app
        .signed_in_staff(
            "sup-ksm@kenya.go.ke",
            usajili::staff::Role::Supervisor,
            Some("kisumu"),
        )
        .await;
    let first = app.review_of(&claim).await;
    let (status, _) = supervisor.page(&format!("/staff/reviews/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    let opened: (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT opened_at, opened_by FROM child_links WHERE review_id = $1")
            .bind(&first)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        opened.0.is_some() && opened.1.is_some(),
        "the opening is kept"
    );

    // The claimant sends another document: a new review, the old one gone.
    let (status, _) = upload(&claimant, &claim, "HCFA E1001/2026", pdf(), "order.pdf").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = app.review_of(&claim).await;
    assert_ne!(second, first);
    let (_, list) = supervisor.page("/staff/reviews").await;
    assert!(list.contains(&format!("/staff/reviews/{second}")), "new");
    assert!(!list.contains(&format!("/staff/reviews/{first}")));
    // The old review, and a decision on the document seen, are refused.
    assert_eq!(
        supervisor
            .get(&format!("/staff/reviews/{first}/document"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let decision = [("decision", "approve"), ("reason", "Court order checked")];
    let response = supervisor
        .post(&format!("/staff/reviews/{first}"), &decision)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.child_link(&claim).await.0, "pending_review");
    // The new one is unopened until looked at, and decided on its own.
    let unopened: Option<i64> =
        sqlx::query_scalar("SELECT opened_at FROM child_links WHERE review_id = $1")
            .bind(&second)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(unopened, None);
    let (status, page) = supervisor.page(&format!("/staff/reviews/{second}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("HCFA E1001/2026"));
    let response = supervisor
        .post(&format!("/staff/reviews/{second}"), &decision)
        .await;
    assert_eq!(location(&response), "/staff/reviews?decided=approved");
}
