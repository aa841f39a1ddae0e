//! `usajili backup` and `usajili restore`: a backup taken while citizens
//! book, restored into a fresh folder and served again, holds every booking
//! acknowledged before it began, readable with the key, and the audit chain
//! still verifies. On PostgreSQL the backup is `pg_dump`'s, which
//! `pg_restore` reads.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::load::{self, Acknowledged, CENTRE, SLOTS};
use reqwest::StatusCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn on_sqlite(app: &TestApp) -> bool {
    app.config.database_url.starts_with("sqlite:")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Books `people` one after another, four at a time, noting each 303 and
/// counting them in `done`.
async fn book_everyone(
    app: &TestApp,
    people: &[(String, String)],
    done: &AtomicUsize,
) -> Vec<Acknowledged> {
    use futures::StreamExt as _;
    let client = load::client();
    futures::stream::iter(people.iter().enumerate())
        .map(|(i, (cookie, id))| {
            let client = client.clone();
            let address = app.address.clone();
            async move {
                let slot = SLOTS[i % SLOTS.len()];
                let status = load::book(&client, &address, cookie, id, slot, "")
                    .await
                    .expect("an answer");
                assert_eq!(status, StatusCode::SEE_OTHER, "booking {i}");
                done.fetch_add(1, Ordering::SeqCst);
                Acknowledged {
                    application: id.clone(),
                    slot: slot.to_string(),
                    at: Instant::now(),
                }
            }
        })
        .buffer_unordered(4)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_acknowledged_booking() {
    let app = spawn_app().await;
    if !on_sqlite(&app) {
        return; // PostgreSQL: the next test.
    }
    app.set_counters(CENTRE, 60).await;
    let people = app.verified_accounts_with_sessions(240).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usajili-backup.db");

    // Citizens book while the backup is taken: it begins once a third
    // have their answer.
    let done = AtomicUsize::new(0);
    let load = book_everyone(&app, &people, &done);
    let backup = async {
        while done.load(Ordering::SeqCst) < people.len() / 3 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let began = Instant::now();
        let output = tokio::task::block_in_place(|| {
            app.command_line(&["backup", "--out", file.to_str().unwrap()], "")
        });
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("the master key is not in it"),
            "the operator is told to keep the key apart"
        );
        began
    };
    let (acknowledged, began) = tokio::join!(load, backup);
    let before: Vec<&Acknowledged> = acknowledged.iter().filter(|a| a.at < began).collect();
    assert!(
        !before.is_empty() && before.len() < people.len(),
        "the backup ran while citizens were booking: {} of {} before it",
        before.len(),
        people.len()
    );

    // A backup never overwrites.
    let again = tokio::task::block_in_place(|| {
        app.command_line(&["backup", "--out", file.to_str().unwrap()], "")
    });
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    // Restored into a fresh folder, under another key: refused, nothing written.
    let restored_url = format!("sqlite://{}/restored/usajili.db", dir.path().display());
    let restored_file = dir.path().join("restored/usajili.db");
    let mut wrong_key = std::process::Command::new(env!("CARGO_BIN_EXE_usajili"));
    let wrong = wrong_key
        .args(["restore", "--from", file.to_str().unwrap()])
        .env("DATABASE_URL", &restored_url)
        .env(
            "USAJILI_MASTER_KEY",
            usajili::crypto::MasterKey::generate().to_base64().as_str(),
        )
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("master key does not open"),
        "{}",
        stderr(&wrong)
    );
    assert!(!restored_file.exists(), "nothing is left behind");

    // With the key: restored, and not over a database already there.
    let output = app.command_line_on(
        &restored_url,
        &["restore", "--from", file.to_str().unwrap()],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let twice = app.command_line_on(
        &restored_url,
        &["restore", "--from", file.to_str().unwrap()],
        "",
    );
    assert!(!twice.status.success());
    assert!(
        stderr(&twice).contains("already holds a database"),
        "{}",
        stderr(&twice)
    );

    let verify = app.command_line_on(&restored_url, &["audit", "verify"], "");
    assert!(verify.status.success(), "{}", stderr(&verify));

    // Served again from the restored copy, with the same key.
    let master_key = app.config.master_key.clone();
    let restored = spawn_app_with(|config| {
        config.database_url = restored_url.clone();
        config.master_key = master_key;
    })
    .await;
    for booked in &before {
        let seats: Vec<(String, String, i64)> = restored.live_bookings(&booked.application).await;
        assert_eq!(
            seats,
            vec![(
                CENTRE.to_string(),
                load::day().to_string(),
                load::minutes(&booked.slot)
            )],
            "an acknowledged booking is in the backup"
        );
        // Its person's page decrypts and shows it, to the same session.
        let (cookie, _) = people
            .iter()
            .find(|(_, id)| *id == booked.application)
            .unwrap();
        let page = restored
            .client
            .get(restored.url(&format!("/applications/{}", booked.application)))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let reference = restored.reference_of(&booked.application).await;
        assert!(page.text().await.unwrap().contains(&reference));
    }
    assert!(
        restored.live_booking_count().await >= before.len() as i64,
        "nothing acknowledged before the backup is missing"
    );
}

#[tokio::test]
async fn on_postgresql_the_backup_is_a_pg_dump_that_pg_restore_reads() {
    let app = spawn_app().await;
    if on_sqlite(&app) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usajili.dump");
    let output = app.command_line(&["backup", "--out", file.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PGDMP"), "pg_dump's custom format");
    let listing = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(&file)
        .output()
        .unwrap();
    assert!(listing.status.success(), "{}", stderr(&listing));
    let listing = String::from_utf8_lossy(&listing.stdout);
    for table in ["bookings", "audit_log", "data_keys"] {
        assert!(
            listing.contains(&format!("TABLE public {table}")),
            "{table}: {listing}"
        );
    }
    // Restoring is pg_restore's job, not ours.
    let refused = app.command_line(&["restore", "--from", file.to_str().unwrap()], "");
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("pg_restore"),
        "{}",
        stderr(&refused)
    );
}
