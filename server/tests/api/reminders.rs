//! Appointment reminders, driven by an injected clock: the evening before
//! from 18:00 Nairobi time and the morning of the day from 07:00, each once,
//! in the applicant's language.
//!
//! Appointments are booked five days ahead, so the server's own reminder
//! job (on the wall clock) never finds them due; the messages are queued at
//! the injected time, so the server's outbox worker leaves them alone too.

use crate::browser::*;
use crate::fixtures::*;
use crate::helpers::TestApp;
use app::i18n::Locale;
use usajili::reminders::Reminders;

fn reminders(app: &TestApp) -> Reminders<'_> {
    Reminders {
        db: &app.db,
        cipher: &app.cipher,
    }
}

/// A verified application whose messages are in Kiswahili.
async fn verified_in_kiswahili(app: &TestApp, phone: &str, person: &Person) -> String {
    let browser = app.signed_in_citizen(phone).await;
    let id = browser.start().await;
    browser.complete(&id, person).await;
    browser
        .save(
            &id,
            "contact",
            &[("phone", phone), ("email", ""), ("language", "sw")],
        )
        .await;
    assert_eq!(browser.submit(&id).await.0, reqwest::StatusCode::SEE_OTHER);
    assert_eq!(app.application_state(&id).await, "verified");
    id
}

/// The texts queued of `kind`, decrypted, with the phone each goes to.
async fn queued(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    let rows: Vec<(String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
        "SELECT id, recipient, body FROM outbox WHERE kind = $1 ORDER BY created_at, id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.iter()
        .map(|(id, to, body)| {
            (
                app.cipher
                    .decrypt_string(&usajili::crypto::columns::OUTBOX_RECIPIENT, id, to)
                    .unwrap()
                    .to_string(),
                app.cipher
                    .decrypt_string(&usajili::crypto::columns::OUTBOX_BODY, id, body)
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn reminders_go_the_evening_before_and_the_morning_of_each_once_in_the_applicants_language() {
    let app = console().await;
    let wanjiru = app.verified_applicant("0712000031", &WANJIRU).await;
    let peter = verified_in_kiswahili(&app, "0712000032", &PETER).await;
    let amina = app.verified_applicant("0712000033", &AMINA).await;
    let day = today().add_days(5);
    let mut bookings = Vec::new();
    for id in [&wanjiru, &peter, &amina] {
        bookings.push(
            app.booked_directly(id, "gpo", "enrolment", day, 10 * 60)
                .await,
        );
    }
    let [_, peters, aminas] = &bookings[..] else {
        unreachable!()
    };
    let evening = day.add_days(-1).nairobi_unix_at(18 * 60);
    // Amina booked at 19:00 the evening before: her confirmation has just
    // come, so the evening reminder would add nothing.
    app.booking_made_at(aminas, evening + 3600).await;

    assert_eq!(
        reminders(&app).send_due(evening - 60).await.unwrap(),
        0,
        "not before 18:00"
    );
    assert_eq!(reminders(&app).send_due(evening).await.unwrap(), 2);
    assert_eq!(
        reminders(&app).send_due(evening + 1800).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(
        reminders(&app).send_due(evening + 5 * 3600).await.unwrap(),
        0,
        "still once, later that evening"
    );

    let sent = queued(&app, "reminder_day_before").await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let when_en = app::calendar::appointment_label(day, 600, Locale::en);
    let when_sw = app::calendar::appointment_label(day, 600, Locale::sw);
    let (w, p) = (
        app.reference_of(&wanjiru).await,
        app.reference_of(&peter).await,
    );
    assert!(sent.contains(&(
        "+254712000031".to_string(),
        format!("Usajili {w}: reminder, your visit to Huduma Centre GPO is tomorrow, {when_en}. Bring the documents on your acknowledgement.")
    )), "{sent:?}");
    assert!(sent.contains(&(
        "+254712000032".to_string(),
        format!("Usajili {p}: ukumbusho, ziara yako Huduma Centre GPO ni kesho, {when_sw}. Leta hati zilizo kwenye uthibitisho.")
    )), "{sent:?}");
    // Queued at the injected time, to be sent then.
    let due: Vec<i64> =
        sqlx::query_scalar("SELECT next_attempt_at FROM outbox WHERE kind = 'reminder_day_before'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(due.iter().all(|at| *at == evening), "{due:?}");

    // Peter cancels; the morning reminder goes to the other two, once,
    // even with two server processes looking at the same moment.
    app.end_booking(peters, "cancelled").await;
    let morning = day.nairobi_unix_at(7 * 60);
    assert_eq!(
        reminders(&app).send_due(morning - 60).await.unwrap(),
        0,
        "not before 07:00"
    );
    let (first, second) = (reminders(&app), reminders(&app));
    let (a, b) = tokio::join!(first.send_due(morning), second.send_due(morning));
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    assert_eq!(
        reminders(&app).send_due(morning + 600).await.unwrap(),
        0,
        "once"
    );
    let sent = queued(&app, "reminder_morning").await;
    let phones: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(phones.len(), 2, "{sent:?}");
    assert!(
        phones.contains(&"+254712000031") && phones.contains(&"+254712000033"),
        "{sent:?}"
    );
    assert!(
        sent.iter().all(|(_, text)| text.contains("is today, ")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn no_reminder_for_an_appointment_already_begun_or_checked_in() {
    let app = console().await;
    let wanjiru = app.verified_applicant("0712000034", &WANJIRU).await;
    let peter = app.verified_applicant("0712000035", &PETER).await;
    let day = today().add_days(6);
    app.booked_directly(&wanjiru, "gpo", "enrolment", day, 7 * 60)
        .await;
    let peters = app
        .booked_directly(&peter, "gpo", "enrolment", day, 9 * 60)
        .await;
    app.set_booking_status(&peters, "checked_in").await;
    // The evening before passed with the server down: at 07:05 on the day
    // only what still lies ahead is reminded, and Wanjiru's 07:00 has begun.
    let late = day.nairobi_unix_at(7 * 60 + 5);
    assert_eq!(reminders(&app).send_due(late).await.unwrap(), 0);
    assert!(queued(&app, "reminder_morning").await.is_empty());
    assert!(queued(&app, "reminder_day_before").await.is_empty());
}
