//! Two-way SMS through the real callback, in Africa's Talking's form
//! encoding (`from`, `to`, `text`, `date`, `id`, `linkId`): each keyword in
//! English and Kiswahili answered through the outbox, and STOP honoured by
//! the reminder job.

use crate::browser::*;
use crate::fixtures::*;
use crate::helpers::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use usajili::reminders::Reminders;

const TOKEN: &str = "an-sms-callback-token-of-enough-length";

async fn sms_app() -> TestApp {
    let app = spawn_app_with(|c| {
        c.messages.sms.callback_token = Some(TOKEN.to_string().into());
    })
    .await;
    with_registry(&app).await;
    app
}

/// A text from `from`, as the provider forwards it, with no `Origin`.
pub async fn text_in(app: &TestApp, token: &str, from: &str, text: &str) -> StatusCode {
    reqwest::Client::new()
        .post(app.url(&format!("/sms/africastalking/{token}")))
        .form(&[
            ("from", from),
            ("to", "21525"),
            ("text", text),
            ("date", "2026-11-30 10:00:00"),
            ("id", "ATXid_1"),
            ("linkId", "ATLid_1"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

/// Waits for the reply to `to` holding `text` (the log transport's line).
async fn reply(app: &TestApp, to: &str, text: &str) {
    app.wait_for_message(&format!("to={to} kind=sms_reply text={text}"))
        .await;
}

#[tokio::test]
async fn each_keyword_is_answered_in_its_language_through_the_outbox() {
    let app = sms_app().await;
    let (_, id) = app.verified_citizen("0712300020").await;
    let reference = app.reference_of(&id).await;
    let from = "+254712300020";

    assert_eq!(text_in(&app, TOKEN, from, "status").await, StatusCode::OK);
    reply(
        &app,
        from,
        &format!("Usajili reply: {reference}: Checked: book a visit"),
    )
    .await;
    let typed = reference.to_lowercase().replace('-', " ");
    text_in(&app, TOKEN, from, &format!("Hali {typed}")).await;
    reply(
        &app,
        from,
        &format!("Jibu la Usajili: {reference}: Imekaguliwa: weka miadi"),
    )
    .await;
    text_in(&app, TOKEN, from, "STATUS KE-NOPE-0000").await;
    reply(
        &app,
        from,
        "Usajili reply: This number has no application with that reference",
    )
    .await;
    text_in(&app, TOKEN, from, "HALI KE-NOPE-0000").await;
    reply(&app, from, "Jibu la Usajili: Nambari hii haina ombi").await;

    text_in(&app, TOKEN, from, "help").await;
    reply(&app, from, "Usajili reply: Dial *384*4321# on any phone").await;
    text_in(&app, TOKEN, from, "Msaada").await;
    reply(
        &app,
        from,
        "Jibu la Usajili: Piga *384*4321# kwa simu yoyote",
    )
    .await;
    text_in(&app, TOKEN, from, "habari \u{1F600}").await;
    assert_eq!(app.queued_messages("sms_reply").await, 7);

    // Another number's STATUS names none of this one's applications.
    text_in(&app, TOKEN, "+254712300021", "STATUS").await;
    reply(
        &app,
        "+254712300021",
        "Usajili reply: This number has no applications",
    )
    .await;

    assert_eq!(text_in(&app, TOKEN, from, "STOP").await, StatusCode::OK);
    reply(&app, from, "Usajili reply: No more reminders").await;
    text_in(&app, TOKEN, from, "stop").await;
    assert_eq!(app.rows_in("sms_stops").await, 1);

    let before = app.queued_messages("sms_reply").await;
    assert_eq!(
        text_in(&app, "a-wrong-token-of-enough-length", from, "STATUS").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.queued_messages("sms_reply").await, before);
}

#[tokio::test]
async fn stop_is_honoured_by_the_reminder_job() {
    // Peter's and Amina's births are in the console's registry; the STOP
    // is answered as the callback answers it.
    let app = console().await;
    let stopping = app.verified_applicant("0712300022", &PETER).await;
    let staying = app.verified_applicant("0712300023", &AMINA).await;
    let day = today().add_days(5);
    for id in [&stopping, &staying] {
        app.booked_directly(id, "gpo", "enrolment", day, 10 * 60)
            .await;
    }
    let inbound = usajili::sms_inbound::Inbound {
        db: &app.db,
        cipher: &app.cipher,
        ussd_code: "*384*4321#",
    };
    assert!(
        inbound
            .answer("+254712300022", "STOP", now())
            .await
            .unwrap()
    );

    let evening = day.add_days(-1).nairobi_unix_at(18 * 60);
    let reminders = Reminders {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert_eq!(reminders.send_due(evening).await.unwrap(), 1);
    assert_eq!(
        reminders.send_due(evening + 60).await.unwrap(),
        0,
        "claimed once"
    );
    assert_eq!(app.queued_messages("reminder_day_before").await, 1);
}
