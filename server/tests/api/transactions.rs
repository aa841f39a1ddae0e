//! A change, its audit event and its message commit together or not at
//! all: when the database refuses the event or the message, the change is
//! undone too (and the request fails), so no seat is taken unannounced and
//! no counter step goes unrecorded.

use crate::booking::{centre_path, open_weekday};
use crate::browser::*;
use crate::helpers::TestApp;
use crate::staff::{PETER, book, console, later_today, staff, status_of_booking, today, verified};
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

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_counter_step_whose_audit_event_cannot_be_written_is_not_made() {
    let app = console().await;
    let id = verified(&app, "0712000071", &PETER).await;
    let booking = book(&app, &id, "gpo", "enrolment", today(), later_today()).await;
    let officer = staff(&app, "off@kenya.go.ke", Role::Officer, Some("gpo")).await;
    let checked_in =
        "SELECT COUNT(*) FROM audit_log WHERE record_id = $1 AND action = 'booking.check_in'";

    refuse_rows(&app, "audit_log").await;
    let path = format!("/staff/bookings/{booking}/check-in");
    let (status, page) = officer.post_text(&path, &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !page.contains("refused by the test"),
        "the database's words stay in the log"
    );
    assert_eq!(
        status_of_booking(&app, &booking).await,
        ("booked".to_string(), 1)
    );
    let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "booked", "the application did not move either");

    accept_rows(&app, "audit_log").await;
    let (status, _) = officer.post_text(&path, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        status_of_booking(&app, &booking).await,
        ("checked_in".to_string(), 1)
    );
    assert_eq!(count(&app, checked_in, &booking).await, 1);
}

#[tokio::test]
async fn a_booking_whose_message_cannot_be_queued_is_not_made() {
    let app = console().await;
    let id = verified(&app, "0712000072", &PETER).await;
    let browser = Browser::new(&app);
    browser.sign_in("0712000072").await;
    let day = open_weekday(1).to_string();
    let form = [("day", day.as_str()), ("slot", "09:00"), ("replaces", "")];
    let live = "SELECT COUNT(*) FROM bookings WHERE application_id = $1 AND live = 1";
    let confirmations = "SELECT COUNT(*) FROM outbox WHERE kind = 'booking_confirmed' AND $1 <> ''";

    refuse_rows(&app, "outbox").await;
    let (status, _) = browser.post_text(&centre_path(&id, "gpo"), &form).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(count(&app, live, &id).await, 0, "no seat taken unannounced");
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&page), "Verified");

    accept_rows(&app, "outbox").await;
    let (status, _) = browser.post_text(&centre_path(&id, "gpo"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(count(&app, live, &id).await, 1);
    assert_eq!(count(&app, confirmations, &id).await, 1);
}

#[tokio::test]
async fn counter_steps_at_the_same_moment_each_record_one_event_in_an_unbroken_chain() {
    let app = console().await;
    let people = crate::booking::applicants(&app, 12).await;
    let mut bookings = Vec::new();
    for (minute, (_, id)) in people.iter().enumerate() {
        let minute = u16::try_from(minute).unwrap() + later_today();
        bookings.push(
            book(
                &app,
                id,
                "gpo",
                "enrolment",
                today(),
                minute.min(23 * 60 + 50),
            )
            .await,
        );
    }
    let officer = staff(&app, "off@kenya.go.ke", Role::Officer, Some("gpo")).await;

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

    for booking in &bookings {
        let checked_in =
            "SELECT COUNT(*) FROM audit_log WHERE record_id = $1 AND action = 'booking.check_in'";
        assert_eq!(count(&app, checked_in, booking).await, 1);
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
