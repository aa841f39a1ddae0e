//! An application made by an account signed in with an email address, which
//! gives a phone number as its contact, is that number's too: a USSD
//! session from it sees and books it (after the PIN, as for any), and a
//! STATUS text from it is answered with it; another number sees nothing of
//! it, and changing the contact moves it. Through the real callbacks, in
//! the protocol's own form encoding.

use crate::browser::*;
use crate::helpers::TestApp;
use crate::ussd::{PIN, Phone, TOKEN, ussd_app};

/// A text from `from`, as the provider forwards it to the SMS callback.
async fn text_in(app: &TestApp, from: &str, text: &str) {
    let status = crate::sms_inbound::text_in(app, TOKEN, from, text).await;
    assert_eq!(status, reqwest::StatusCode::OK);
}

/// Wanjiru's application from an account signed in with `email`, every
/// task done with `phone` as the contact; not yet sent.
async fn by_email<'a>(app: &'a TestApp, email: &str, phone: &str) -> (Browser<'a>, String) {
    let browser = app.signed_in_citizen(email).await;
    let id = browser.start().await;
    browser.complete(&id, &WANJIRU).await;
    set_contact(&browser, &id, phone).await;
    (browser, id)
}

async fn set_contact(browser: &Browser<'_>, id: &str, phone: &str) {
    browser
        .save(
            id,
            "contact",
            &[("phone", phone), ("email", ""), ("language", "en")],
        )
        .await;
}

async fn send(app: &TestApp, browser: &Browser<'_>, id: &str) -> String {
    assert_eq!(browser.submit(id).await.0, reqwest::StatusCode::SEE_OTHER);
    assert_eq!(app.application_state(id).await, "verified");
    app.reference_of(id).await
}

#[tokio::test]
async fn an_application_giving_a_number_as_its_contact_is_seen_booked_and_answered_from_it() {
    let app = ussd_app().await;
    let (browser, id) = by_email(&app, "achieng@example.com", "0712300041").await;
    let reference = send(&app, &browser, &id).await;

    // Nothing before the PIN.
    let mut phone = Phone::new(&app, "+254712300041");
    for screen in [phone.dial().await, phone.press("1").await] {
        assert!(!screen.contains(&reference), "{screen}");
    }
    phone.press(PIN).await;
    let home = phone.press(PIN).await;
    assert!(home.contains("My applications") && !home.contains(&reference));

    let list = phone.press("1").await;
    assert!(list.contains(&reference), "{list}");
    let detail = phone.press("1").await;
    assert!(detail.contains("Checked: book a visit"), "{detail}");

    // Booked by USSD from that number, with the web's transaction.
    phone.press("00").await;
    let which = phone.press("2").await;
    assert!(which.contains(&reference), "{which}");
    assert!(phone.press("1").await.contains("Choose a county"));
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    phone.press("1").await;
    let booked = phone.press("1").await;
    assert!(booked.starts_with("END Booked"), "{booked}");
    assert_eq!(app.application_state(&id).await, "booked");
    assert_eq!(app.live_booking_count().await, 1);
    // The confirmation goes to the contact: this number.
    app.wait_for_message("to=+254712300041 kind=booking_confirmed")
        .await;

    // STATUS from that number names it.
    text_in(&app, "+254712300041", "STATUS").await;
    app.wait_for_message(&format!(
        "to=+254712300041 kind=sms_reply text=Usajili reply: {reference}: Visit booked"
    ))
    .await;

    // Another number sees nothing of it, by USSD or by text.
    let mut other = Phone::new(&app, "+254712300042");
    other.set_up().await;
    let none = other.press("1").await;
    assert!(none.contains("no applications"), "{none}");
    other.press("00").await;
    let nothing = other.press("2").await;
    assert!(!nothing.contains(&reference), "{nothing}");
    text_in(&app, "+254712300042", "STATUS").await;
    app.wait_for_message(
        "to=+254712300042 kind=sms_reply text=Usajili reply: This number has no applications",
    )
    .await;
}

#[tokio::test]
async fn a_numbers_own_application_giving_it_as_the_contact_is_listed_once() {
    let app = ussd_app().await;
    // Signed in with the number the tasks give as the contact.
    let (_, id) = app.verified_citizen("0712345678").await;
    let reference = app.reference_of(&id).await;
    let mut phone = Phone::new(&app, "+254712345678");
    phone.set_up().await;
    let list = phone.press("1").await;
    assert_eq!(list.matches(&reference).count(), 1, "{list}");
    assert!(!list.contains("\n2 "), "{list}");
    text_in(&app, "+254712345678", "STATUS").await;
    app.wait_for_message(&format!(
        "to=+254712345678 kind=sms_reply text=Usajili reply: {reference}: Checked: book a visit"
    ))
    .await;
    let messages = app.messages();
    let reply = messages
        .lines()
        .find(|l| l.contains("to=+254712345678 kind=sms_reply"))
        .unwrap();
    assert_eq!(reply.matches(&reference).count(), 1, "{reply}");
}

#[tokio::test]
async fn changing_the_contact_moves_the_application_to_the_new_number() {
    let app = ussd_app().await;
    let (browser, id) = by_email(&app, "baraka@example.com", "0712300043").await;
    // While the draft gives the first number, that number sees it.
    let mut first = Phone::new(&app, "+254712300043");
    first.set_up().await;
    let draft = first.press("1").await;
    assert!(draft.contains("(no reference yet)"), "{draft}");

    set_contact(&browser, &id, "0712300044").await;
    let reference = send(&app, &browser, &id).await;

    first.sign_in().await;
    let gone = first.press("1").await;
    assert!(gone.contains("no applications"), "{gone}");
    let mut second = Phone::new(&app, "+254712300044");
    second.set_up().await;
    let moved = second.press("1").await;
    assert!(moved.contains(&reference), "{moved}");
    text_in(&app, "+254712300043", "STATUS").await;
    app.wait_for_message(
        "to=+254712300043 kind=sms_reply text=Usajili reply: This number has no applications",
    )
    .await;

    // Erased answers give no contact: the number sees it no more.
    let mut conn = app.db.acquire().await.unwrap();
    usajili::retention::erase_answers(&mut conn, &app.cipher, std::slice::from_ref(&id))
        .await
        .unwrap();
    drop(conn);
    second.sign_in().await;
    let erased = second.press("1").await;
    assert!(erased.contains("no applications"), "{erased}");
}

#[tokio::test]
async fn contact_indexes_from_before_the_column_are_filled_in_once_at_start_up() {
    let app = ussd_app().await;
    let (browser, id) = by_email(&app, "chebet@example.com", "0712300045").await;
    let reference = send(&app, &browser, &id).await;
    let index_of = |id: String| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT contact_index FROM applications WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let written = index_of(id.clone())
        .await
        .expect("written with the answers");
    assert_eq!(
        written,
        app.cipher
            .blind_index(usajili::crypto::columns::CONTACT_INDEX, "+254712300045")
    );
    // An application whose answers give no contact has none.
    let empty = app.second_verified_application(&id, "KE-EMPTY-1").await;
    assert_eq!(index_of(empty.clone()).await, None);

    // As a row from before the column: no index, the fill-in not yet done.
    sqlx::query("UPDATE applications SET contact_index = NULL")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM crypto_upgrades WHERE name = 'application-contact-index'")
        .execute(&app.db)
        .await
        .unwrap();
    let mut phone = Phone::new(&app, "+254712300045");
    phone.set_up().await;
    assert!(phone.press("1").await.contains("no applications"));

    // A process starting fills it in, once.
    let second = usajili::startup::Application::build(app.config.clone())
        .await
        .unwrap();
    drop(second);
    assert_eq!(index_of(id.clone()).await, Some(written));
    assert_eq!(index_of(empty).await, None);
    assert_eq!(
        usajili::citizen::contact_index::fill_in(&app.db, &app.cipher, 500)
            .await
            .unwrap(),
        0
    );
    phone.sign_in().await;
    assert!(phone.press("1").await.contains(&reference));
}
