//! The audit chain tells the whole story: citizens' sign-ins, submissions,
//! consents, withdrawals and deletions are in it, each written with the
//! change it records; and `usajili audit verify --expect` notices the
//! newest entries being cut off.

use crate::browser::{WANJIRU, with_registry};
use crate::helpers::{TestApp, spawn_app};
use usajili::audit::Audit;

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn actions(app: &TestApp, kind: &str, id: &str) -> Vec<(String, String)> {
    Audit {
        db: &app.db,
        cipher: &app.cipher,
    }
    .about(kind, id)
    .await
    .unwrap()
    .into_iter()
    .map(|e| (e.actor_kind, e.action))
    .collect()
}

#[tokio::test]
async fn a_citizens_sign_in_submission_and_deletion_are_in_the_chain() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let citizen = app.signed_in_citizen("0712600001").await;
    let id = citizen.start().await;
    citizen.complete(&id, &WANJIRU).await;
    citizen.submit(&id).await;
    let account = app.account_of(&id).await;

    assert_eq!(
        actions(&app, "account", &account).await,
        [("citizen".to_string(), "citizen.sign_in".to_string())]
    );
    assert_eq!(
        actions(&app, "application", &id).await,
        [("citizen".to_string(), "application.submit".to_string())]
    );
    // Ids only: no phone number, no name.
    let details: Vec<Option<String>> = sqlx::query_scalar("SELECT detail FROM audit_log")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let sources: Vec<Option<String>> = sqlx::query_scalar("SELECT source FROM audit_log")
        .fetch_all(&app.db)
        .await
        .unwrap();
    for text in details.iter().chain(&sources).flatten() {
        assert!(
            !text.contains("712600001") && !text.contains("Wanjiru") && !text.contains("127.0.0.1"),
            "{text}"
        );
    }

    let response = citizen.delete_account("0712600001").await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    let after = actions(&app, "account", &account).await;
    assert_eq!(after.last().unwrap().1, "account.delete", "{after:?}");
}

#[tokio::test]
async fn a_submission_whose_audit_entry_cannot_be_written_is_not_made() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let citizen = app.signed_in_citizen("0712600002").await;
    let id = citizen.start().await;
    citizen.complete(&id, &WANJIRU).await;
    // The chain refuses new entries (as a full disk or a broken trigger would).
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_away")
        .execute(&app.db)
        .await
        .unwrap();

    let (status, _) = citizen.submit(&id).await;

    assert_eq!(status, reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    sqlx::query("ALTER TABLE audit_log_away RENAME TO audit_log")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(app.application_state(&id).await, "draft");
    assert_eq!(app.rows_in("consents").await, 0);
}

#[tokio::test]
async fn verify_with_a_recorded_head_catches_the_newest_entry_deleted() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let citizen = app.signed_in_citizen("0712600003").await;
    let id = citizen.start().await;
    citizen.complete(&id, &WANJIRU).await;
    citizen.submit(&id).await;

    let head = app.command_line(&["audit", "head"], "");
    assert!(head.status.success(), "{}", text(&head));
    let anchor = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let (seq, hash) = anchor.split_once(':').expect("SEQ:HASH");
    assert_eq!(seq, "2", "a sign-in and a submission");
    let holds = app.command_line(&["audit", "verify", "--expect", &anchor], "");
    assert!(holds.status.success(), "{}", text(&holds));
    // The hash alone is found too.
    let bare = app.command_line(&["audit", "verify", "--expect", hash], "");
    assert!(bare.status.success(), "{}", text(&bare));

    // Someone deletes the newest entry: the rest is still a valid chain...
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&app.db)
        .await
        .unwrap();
    let plain = app.command_line(&["audit", "verify"], "");
    assert!(plain.status.success(), "{}", text(&plain));
    // ...but not the one recorded.
    let cut = app.command_line(&["audit", "verify", "--expect", &anchor], "");
    assert!(!cut.status.success());
    assert!(
        text(&cut)
            .contains("shorter than it was: it has 1 entries, and the recorded head was entry 2"),
        "{}",
        text(&cut)
    );
    let cut = app.command_line(&["audit", "verify", "--expect", hash], "");
    assert!(!cut.status.success());
    assert!(
        text(&cut).contains("the recorded head is not in the audit log"),
        "{}",
        text(&cut)
    );
    let nonsense = app.command_line(&["audit", "verify", "--expect", "2:xyz"], "");
    assert!(!nonsense.status.success());
    assert!(text(&nonsense).contains("SEQ:HASH"), "{}", text(&nonsense));
}

#[tokio::test]
async fn a_parents_consent_and_its_withdrawal_are_in_the_chain() {
    use crate::children::{add_and_consent, signed_in_mother, with_families};
    let app = spawn_app().await;
    with_families(&app).await;
    let mother = signed_in_mother(&app, "0712600004").await;
    let id = add_and_consent(&mother, "3000011", "Otieno", "Kevin Omondi").await;

    let response = mother.post(&format!("/children/{id}/withdraw"), &[]).await;

    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        actions(&app, "application", &id).await,
        [
            ("citizen".to_string(), "consent.given".to_string()),
            ("citizen".to_string(), "consent.withdrawn".to_string())
        ]
    );
}
