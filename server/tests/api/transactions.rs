//! A change, its audit event and its message commit together or not at
//! all: when the database refuses the event or the message, the change is
//! undone too (and the request fails), so no seat is taken unannounced and
//! no counter step goes unrecorded.

use crate::booking::{centre_path, open_weekday};
use crate::browser::*;
use crate::fixtures::{PETER, console, later_today, today};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use usajili::staff::Role;

fn on_postgres() -> bool {
    std::env::var("USAJILI_TEST_DB").as_deref() == Ok("postgres")
}

/// Makes the database refuse every new row of `table` (as a full disk or a
/// broken constraint would), until [`accept_rows`].
async fn refuse_rows(app: &TestApp, table: &str) {
    let statements = if on_postgres() {
        vec![
            "CREATE OR REPLACE FUNCTION refuse_rows() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                .to_string(),
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION refuse_rows()"
            ),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )]
    };
    for statement in statements {
        sqlx::query(&statement).execute(&app.db).await.unwrap();
    }
}

async fn accept_rows(app: &TestApp, table: &str) {
    let statement = if on_postgres() {
        format!("DROP TRIGGER refuse_{table} ON {table}")
    } else {
        format!("DROP TRIGGER refuse_{table}")
    };
    sqlx::query(&statement).execute(&app.db).await.unwrap();
}

#[tokio::test]
async fn a_counter_step_whose_audit_event_cannot_be_written_is_not_made() {
    let app = console().await;
    let id = app.verified_applicant("0712000071", &PETER).await;
    let booking = app
        .booked_directly(&id, "gpo", "enrolment", today(), later_today())
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;

    refuse_rows(&app, "audit_log").await;
    let path = format!("/staff/bookings/{booking}/check-in");
    let (status, page) = officer.post_text(&path, &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !page.contains("refused by the test"),
        "the database's words stay in the log"
    );
    assert_eq!(
        app.booking_status(&booking).await,
        ("booked".to_string(), 1)
    );
    assert_eq!(
        app.application_state(&id).await,
        "booked",
        "the application did not move either"
    );

    accept_rows(&app, "audit_log").await;
    let (status, _) = officer.post_text(&path, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.booking_status(&booking).await,
        ("checked_in".to_string(), 1)
    );
    assert_eq!(app.audited("booking.check_in").await, 1);
}

#[tokio::test]
async fn a_booking_whose_message_cannot_be_queued_is_not_made() {
    let app = console().await;
    let id = app.verified_applicant("0712000072", &PETER).await;
    let browser = app.signed_in_citizen("0712000072").await;
    let day = open_weekday(1).to_string();
    let form = [("day", day.as_str()), ("slot", "09:00"), ("replaces", "")];

    refuse_rows(&app, "outbox").await;
    let (status, _) = browser.post_text(&centre_path(&id, "gpo"), &form).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        app.live_bookings(&id).await.is_empty(),
        "no seat taken unannounced"
    );
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&page), "Verified");

    accept_rows(&app, "outbox").await;
    let (status, _) = browser.post_text(&centre_path(&id, "gpo"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.live_bookings(&id).await.len(), 1);
    assert_eq!(app.queued_messages("booking_confirmed").await, 1);
}

#[tokio::test]
async fn counter_steps_at_the_same_moment_each_record_one_event_in_an_unbroken_chain() {
    let app = console().await;
    let people = app.verified_accounts_with_sessions(12).await;
    let mut bookings = Vec::new();
    for (_, id) in &people {
        let booking = app
            .booked_directly(id, "gpo", "enrolment", today(), later_today())
            .await;
        bookings.push(booking);
    }
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;

    // Every check-in appends to the chain inside its own transaction; on
    // PostgreSQL they race for the next entry and the losers try again.
    let paths: Vec<String> = bookings
        .iter()
        .map(|b| format!("/staff/bookings/{b}/check-in"))
        .collect();
    let statuses =
        futures::future::join_all(paths.iter().map(|path| officer.post_text(path, &[]))).await;
    assert!(
        statuses
            .iter()
            .all(|(status, _)| *status == StatusCode::SEE_OTHER)
    );

    assert_eq!(app.audited("booking.check_in").await, 12);
    for booking in &bookings {
        assert_eq!(app.booking_status(booking).await.0, "checked_in");
    }
    let audit = usajili::audit::Audit {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert!(matches!(
        audit.verify().await.unwrap(),
        usajili::audit::Verdict::Intact { .. }
    ));
}

/// Many transactions that each read, pause and then write: on SQLite a
/// transaction begun the default way cannot take the write lock once
/// another has written since its read, and fails at once ("database is
/// locked") instead of waiting. Every one must commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transactions_that_read_then_write_at_the_same_moment_all_wait_their_turn() {
    let app = crate::helpers::spawn_app().await;
    sqlx::query("CREATE TABLE read_then_write (n BIGINT NOT NULL)")
        .execute(&app.db)
        .await
        .unwrap();
    let writers = (0..8).map(|_| {
        let db = app.db.clone();
        tokio::spawn(async move {
            let mut tx = usajili::db::begin(&db).await?;
            let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM read_then_write")
                .fetch_one(&mut *tx)
                .await?;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            sqlx::query("INSERT INTO read_then_write (n) VALUES ($1)")
                .bind(seen)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
    });
    for writer in futures::future::join_all(writers).await {
        writer.unwrap().unwrap();
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM read_then_write")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 8);
}
