//! The citizen's rights over their account: a copy of their data, and
//! deleting the account.

use crate::booking::{centre_path, open_weekday};
use crate::browser::*;
use crate::helpers::spawn_app;
use reqwest::StatusCode;

async fn audit_of(app: &crate::helpers::TestApp, account: &str) -> Vec<usajili::audit::Entry> {
    let audit = usajili::audit::Audit {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert!(matches!(
        audit.verify().await.unwrap(),
        usajili::audit::Verdict::Intact { .. }
    ));
    // Sign-ins are in the chain too; these tests look at what came after.
    let mut trail = audit.about("account", account).await.unwrap();
    trail.retain(|e| e.action != "citizen.sign_in");
    trail
}

#[tokio::test]
async fn a_citizen_downloads_everything_held_about_them_and_nothing_about_anyone_else() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let owner = app.signed_in_citizen("0712300001").await;
    let id = owner.start().await;
    owner.complete(&id, &WANJIRU).await;
    owner.submit(&id).await;
    let day = open_weekday(0);
    let response = owner
        .post(
            &centre_path(&id, "gpo"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:30"),
                ("replaces", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let other = app.signed_in_citizen("0712300002").await;
    let other_id = other.start().await;
    other
        .save(
            &other_id,
            "about-you",
            &crate::browser::Person {
                surname: "Chebet",
                given: "Faith",
                ..WANJIRU
            }
            .about_you(),
        )
        .await;

    let response = owner.get("/account/data.json").await;

    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(header("content-type").starts_with("application/json"));
    assert!(header("content-disposition").starts_with("attachment"));
    assert_eq!(header("cache-control"), "no-store");
    let text = response.text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["contact"], "+254712300001");
    let applications = data["applications"].as_array().unwrap();
    assert_eq!(applications.len(), 1);
    let application = &applications[0];
    assert_eq!(application["id"], id.as_str());
    assert_eq!(application["state"], "booked");
    assert!(
        application["reference"]
            .as_str()
            .unwrap()
            .starts_with("HN-")
    );
    assert_eq!(application["answers"]["about_you"]["surname"], "Mwangi");
    assert!(text.contains("1000500"), "the birth certificate");
    assert!(
        application["photo_jpeg_base64"]
            .as_str()
            .is_some_and(|p| p.len() > 100)
    );
    assert_eq!(application["bookings"][0]["centre"], "gpo");
    assert_eq!(application["bookings"][0]["time"], "10:30");
    assert_eq!(application["consents"].as_array().unwrap().len(), 1);
    assert!(!text.contains("Chebet") && !text.contains("0712300002") && !text.contains(&other_id));
    // The download is in the audit chain, with a count and no data.
    let account = app.account_of(&id).await;
    let trail = audit_of(&app, &account).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].action.as_str(), trail[0].actor_id.as_str()),
        ("account.download", account.as_str())
    );
    assert_eq!(trail[0].detail.as_deref(), Some("applications=1"));
    assert!(
        trail[0]
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with("hmac:") && !s.contains("127.0.0.1"))
    );

    // Signed out: no download.
    let stranger = Browser::new(&app);
    let response = stranger.get("/account/data.json").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn deleting_an_account_frees_its_places_erases_its_data_and_signs_it_out_everywhere() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let phone = "0712300003";
    let first = app.signed_in_citizen(phone).await;
    let id = first.start().await;
    first.complete(&id, &WANJIRU).await;
    first.submit(&id).await;
    let day = open_weekday(0);
    first
        .post(
            &centre_path(&id, "gpo"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:30"),
                ("replaces", ""),
            ],
        )
        .await;
    let second = app.signed_in_citizen(phone).await;
    let (status, page) = first.page("/account/delete").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Delete your account?"));

    let account = app.account_of(&id).await;
    let response = first.delete_account(phone).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in?deleted=1");
    let (_, page) = first.page("/sign-in?deleted=1").await;
    assert!(page.contains("Your account has been deleted."));
    // Both devices are signed out.
    for browser in [&first, &second] {
        let response = browser.get("/applications").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/sign-in");
    }
    // The place is free, the answers and photo are gone, the contact too.
    let live = app.live_booking_count().await;
    assert_eq!(live, 0);
    let (state, answers, photo): (String, Vec<u8>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT state, answers, photo FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(state, "cancelled");
    assert!(photo.is_none());
    let answers = app
        .cipher
        .decrypt_string(
            &usajili::crypto::columns::APPLICATION_ANSWERS,
            &id,
            &answers,
        )
        .unwrap();
    assert!(
        !answers.contains("Mwangi") && !answers.contains("1000500"),
        "{}",
        answers.as_str()
    );
    let (_, contact, kind): (String, Vec<u8>, String) =
        sqlx::query_as("SELECT id, contact, contact_kind FROM accounts")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(kind, "deleted");
    assert_eq!(
        app.cipher
            .decrypt_string(
                &usajili::crypto::columns::ACCOUNT_CONTACT,
                &account,
                &contact
            )
            .unwrap()
            .as_str(),
        ""
    );
    let ledger: Vec<String> =
        sqlx::query_scalar("SELECT action FROM consents ORDER BY given_at, action")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        ledger,
        ["given", "withdrawn"],
        "the withdrawal is appended to the ledger"
    );
    let trail = audit_of(&app, &account).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "account.delete");
    assert_eq!(
        trail[0].detail.as_deref(),
        Some("erased=1 kept=0 bookings_cancelled=1")
    );
    // The same phone signs in to a new, empty account; the birth certificate can apply again.
    let again = app.signed_in_citizen(phone).await;
    let (_, list) = again.page("/applications").await;
    assert!(!list.contains("Mwangi"));
    let fresh = again.start().await;
    again.complete(&fresh, &WANJIRU).await;
    let (status, _) = again.submit(&fresh).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn deleting_an_account_needs_a_fresh_code_sent_to_its_own_contact() {
    let app = spawn_app().await;
    let phone = "0712300009";
    let citizen = app.signed_in_citizen(phone).await;
    let contact_kind = || async {
        sqlx::query_scalar::<_, String>("SELECT contact_kind FROM accounts")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };

    // A session alone (a phone left signed in) cannot delete the account.
    let response = citizen.post("/account/delete", &[("code", "123456")]).await;
    assert_eq!(location(&response), "/account/delete");
    assert_eq!(contact_kind().await, "phone");

    // The code goes to the account's own phone, shown masked.
    let code = citizen.deletion_code(phone).await;
    let (status, page) = citizen.page("/account/delete").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"code-sent-to\""));
    assert!(!page.contains("712300009"), "the number is masked");

    // A wrong code deletes nothing, and says so at the field.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, page) = citizen
        .post_text("/account/delete", &[("code", wrong)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary_of(&page).contains("not right"),
        "{}",
        summary_of(&page)
    );
    assert_eq!(contact_kind().await, "phone");

    let response = citizen.post("/account/delete", &[("code", &code)]).await;
    assert_eq!(location(&response), "/sign-in?deleted=1");
    assert_eq!(contact_kind().await, "deleted");
}
