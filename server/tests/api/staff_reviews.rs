//! Guardianship reviews are scoped: routed to the supervisors of the
//! county of the child's birth (administrators see all), never decided by
//! a member whose own contact made the claim; outside the scope a review
//! is a 404 for the list, the page, the document and the decision alike.

use crate::browser::*;
use crate::fixtures::*;
use reqwest::StatusCode;
use usajili::staff::Role;

const DECISION: [(&str, &str); 2] = [("decision", "approve"), ("reason", "Court order checked")];

#[tokio::test]
async fn a_review_decided_by_its_own_claimant_is_refused() {
    let app = console().await;
    // An account whose contact is the supervisor's own email made the
    // claim, for a child born in Nairobi, GPO's county.
    let claim = app
        .pending_guardianship_for("0712000050", "4900001", "047")
        .await;
    let own = app
        .cipher
        .blind_index(usajili::crypto::columns::CONTACT_INDEX, "sup@kenya.go.ke");
    sqlx::query("UPDATE accounts SET contact_index = $1 WHERE id = $2")
        .bind(&own)
        .bind(app.account_of(&claim).await)
        .execute(&app.db)
        .await
        .unwrap();
    let review = app.review_of(&claim).await;
    let supervisor = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let (_, list) = supervisor.page("/staff/reviews").await;
    assert!(!list.contains(&review), "not in their queue");
    for path in [
        format!("/staff/reviews/{review}"),
        format!("/staff/reviews/{review}/document"),
    ] {
        assert_eq!(
            supervisor.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let response = supervisor
        .post(&format!("/staff/reviews/{review}"), &DECISION)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.child_link(&claim).await.0, "pending_review");
    assert_eq!(app.audited("guardianship.approve").await, 0);

    // Another supervisor of the county decides it.
    let colleague = app
        .signed_in_staff("kibra-sup@kenya.go.ke", Role::Supervisor, Some("kibra"))
        .await;
    let response = colleague
        .post(&format!("/staff/reviews/{review}"), &DECISION)
        .await;
    assert_eq!(location(&response), "/staff/reviews?decided=approved");
    assert_eq!(app.child_link(&claim).await.0, "approved");
}

#[tokio::test]
async fn reviews_go_to_the_county_of_the_childs_birth_and_administrators_see_all() {
    let app = console().await;
    // Born in Mombasa, and in Nairobi.
    let mombasa_claim = app
        .pending_guardianship_for("0712000051", "4900051", "001")
        .await;
    let nairobi_claim = app.pending_guardianship("0712000052").await;
    let (far, near) = (
        app.review_of(&mombasa_claim).await,
        app.review_of(&nairobi_claim).await,
    );
    let gpo = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let mombasa = app
        .signed_in_staff("sup-msa@kenya.go.ke", Role::Supervisor, Some("mombasa"))
        .await;
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;

    // GPO's supervisor neither sees nor decides Mombasa's review: the same
    // 404 as for a review that does not exist.
    let (_, list) = gpo.page("/staff/reviews").await;
    assert!(list.contains(&format!("/staff/reviews/{near}")));
    assert!(!list.contains(&far));
    for review in [far.as_str(), "no-such-review"] {
        assert_eq!(
            gpo.get(&format!("/staff/reviews/{review}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            gpo.get(&format!("/staff/reviews/{review}/document"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let response = gpo
            .post(&format!("/staff/reviews/{review}"), &DECISION)
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{review}");
    }
    assert_eq!(app.child_link(&mombasa_claim).await.0, "pending_review");
    let opened: Option<i64> =
        sqlx::query_scalar("SELECT opened_at FROM child_links WHERE review_id = $1")
            .bind(&far)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(opened, None, "not opened by a look from outside");

    // Mombasa's supervisor sees only Mombasa's; the administrator both.
    let (_, list) = mombasa.page("/staff/reviews").await;
    assert!(list.contains(&format!("/staff/reviews/{far}")) && !list.contains(&near));
    let (_, list) = admin.page("/staff/reviews").await;
    assert!(list.contains(&format!("/staff/reviews/{far}")));
    assert!(list.contains(&format!("/staff/reviews/{near}")));
    let response = mombasa
        .post(&format!("/staff/reviews/{far}"), &DECISION)
        .await;
    assert_eq!(location(&response), "/staff/reviews?decided=approved");
    let response = admin
        .post(&format!("/staff/reviews/{near}"), &DECISION)
        .await;
    assert_eq!(location(&response), "/staff/reviews?decided=approved");
}
