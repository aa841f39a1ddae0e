//! Pre-registration by USSD through the real callback, in the protocol's
//! own form encoding: the questions with the web's own rules, the summary,
//! consent with the notice by SMS, the web's submission (registry check,
//! tries, message), then booking; the application made by USSD as the
//! staff console and the web show it; and each bad answer told what to do.

use crate::browser::*;
use crate::helpers::TestApp;
use crate::ussd::{Phone, ussd_app};
use app::identifiers::CountyCode;
use reqwest::StatusCode;
use usajili::staff::Role;

impl Phone {
    /// Chooses a county of residence by name from the paged list of all
    /// 47, in alphabetical order.
    async fn county_of_residence(&mut self, name: &str) -> String {
        let mut names: Vec<&str> = CountyCode::all().map(CountyCode::name).collect();
        names.sort();
        let at = names.iter().position(|n| *n == name).unwrap();
        for _ in 0..at / 5 {
            self.press("98").await;
        }
        self.press(&(at + 1).to_string()).await
    }

    /// A set-up number's pre-registration of Wanjiru up to the consent
    /// screen, with `surname` as typed.
    async fn pre_register_up_to_consent(&mut self, surname: &str) -> String {
        let home = self.set_up().await;
        assert!(home.contains("3 Apply for an ID card"), "{home}");
        let asked = self.press("3").await;
        assert!(asked.contains("birth certificate number"), "{asked}");
        assert!(self.press("1000500").await.contains("surname"));
        assert!(self.press(surname).await.contains("given names"));
        assert!(self.press("Wanjiru Njeri").await.contains("DDMMYYYY"));
        let counties = self.press("29022000").await;
        assert!(
            counties.contains("County where you live") && counties.contains("98 More"),
            "{counties}"
        );
        let language = self.county_of_residence("Nairobi").await;
        assert!(
            language.contains("Messages to this number in"),
            "{language}"
        );
        let summary = self.press("1").await;
        for part in [
            "1000500",
            "Wanjiru Njeri",
            "29-02-2000",
            "Nairobi",
            "English",
        ] {
            assert!(summary.contains(part), "{part}: {summary}");
        }
        let consent = self.press("1").await;
        assert!(
            consent.contains("privacy notice was sent by SMS"),
            "{consent}"
        );
        assert!(consent.contains("1 I agree"), "{consent}");
        consent
    }
}

/// The only application of the database: its id, channel and state.
async fn the_application(app: &TestApp) -> (String, String, String) {
    sqlx::query_as("SELECT id, channel, state FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_number_pre_registers_is_verified_books_and_gets_each_sms() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300020");
    phone.pre_register_up_to_consent("Mwangi").await;
    assert_eq!(app.queued_messages("privacy_notice").await, 1);

    let sent = phone.press("1").await;
    assert!(sent.starts_with("END Sent: "), "{sent}");
    assert!(sent.contains("match the registry"), "{sent}");
    let (id, channel, state) = the_application(&app).await;
    assert_eq!((channel.as_str(), state.as_str()), ("ussd", "verified"));
    let reference = app.reference_of(&id).await;
    assert!(sent.contains(&reference), "{sent}");
    // The web's submission: its audit event, consent and message.
    assert_eq!(app.audited("application.submit").await, 1);
    let method: String =
        sqlx::query_scalar("SELECT method FROM consents WHERE application_id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(method.starts_with("ussd"), "{method}");
    assert_eq!(app.queued_messages("application_verified").await, 1);

    // Then book it, as any application of this number.
    phone.sign_in().await;
    assert!(phone.press("2").await.contains(&reference));
    assert!(phone.press("1").await.contains("Choose a county"));
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    phone.press("1").await;
    let booked = phone.press("1").await;
    assert!(booked.starts_with("END Booked"), "{booked}");
    assert_eq!(app.application_state(&id).await, "booked");
    assert_eq!(app.queued_messages("booking_confirmed").await, 1);

    // The counter sees who comes, and that the photo is taken there.
    let (booking, _) = app.live_booking(&id).await;
    let officer = app
        .signed_in_staff("kibra@kenya.go.ke", Role::Officer, Some("kibra"))
        .await;
    let (status, record) = officer.page(&format!("/staff/bookings/{booking}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record.contains("Wanjiru Njeri Mwangi"), "{record}");
    assert!(
        record.contains("data-testid=\"photo-at-counter\""),
        "{record}"
    );
    assert!(record.contains("To be taken at the counter"), "{record}");
    assert!(record.contains("2000-02-29"), "{record}");

    // Signing in on the web with the number: the same application.
    let web = app.signed_in_citizen("0712300020").await;
    let (status, list) = web.page("/applications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&reference) && list.contains("Wanjiru Njeri Mwangi"));
    let (status, page) = web.page(&format!("/applications/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state_of(&page), "Visit booked");
    assert_eq!(
        web.get(&format!("/applications/{id}/photo.jpg"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "no photo yet: none shown"
    );
}

#[tokio::test]
async fn a_mismatch_is_told_and_counted_and_a_certificate_held_elsewhere_is_refused() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300021");
    phone.pre_register_up_to_consent("Kamau").await;
    let sent = phone.press("1").await;
    assert!(sent.starts_with("END Sent: "), "{sent}");
    assert!(sent.contains("do not match the registry"), "{sent}");
    let (_, _, state) = the_application(&app).await;
    assert_eq!(state, "needs_attention");
    assert_eq!(app.queued_messages("application_needs_attention").await, 1);
    let tries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registry_tries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        tries > 0,
        "the mismatch counts against the registry's tries"
    );

    // Another number's pre-registration of a certificate the web verified.
    let (_, web) = app.verified_citizen("0712300022").await;
    assert_eq!(app.application_state(&web).await, "verified");
    let mut other = Phone::new(&app, "+254712300023");
    other.pre_register_up_to_consent("Mwangi").await;
    let refused = other.press("1").await;
    assert!(
        refused.starts_with("END This birth certificate is already on another application"),
        "{refused}"
    );
}

#[tokio::test]
async fn every_bad_answer_to_pre_registration_says_what_to_do() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300024");
    phone.set_up().await;
    phone.press("3").await;
    for bad in ["abc", "12ab", "123", "12345678901", "١٢٣٤٥", "\u{1F600}"] {
        let screen = phone.press(bad).await;
        assert!(
            screen.starts_with("CON A birth certificate number is 4 to 10 digits"),
            "{bad:?}: {screen}"
        );
    }
    assert!(phone.press("1000500").await.contains("surname"));
    for bad in ["Mwangi2", "\u{1F600}", "-Mwangi", "M&M"] {
        let screen = phone.press(bad).await;
        assert!(
            screen.starts_with("CON Use letters only"),
            "{bad:?}: {screen}"
        );
    }
    let long = phone.press(&"a".repeat(51)).await;
    assert!(long.starts_with("CON That is longer than 50"), "{long}");
    // The web's name rules: letters outside A to Z are names too.
    let given = phone.press("Müller").await;
    assert!(given.contains("given names"), "{given}");
    assert!(phone.press("Wanjiru Njeri").await.contains("DDMMYYYY"));
    for (bad, told) in [
        ("abcdefgh", "CON Type 8 digits"),
        ("2902200", "CON Type 8 digits"),
        ("29-02-2000", "CON Type 8 digits"),
        ("31022001", "CON There is no such date"),
        ("29022001", "CON There is no such date"),
        ("00012000", "CON There is no such date"),
        ("01011899", "CON That date is before 1900"),
        ("01012999", "CON That date is in the future"),
    ] {
        let screen = phone.press(bad).await;
        assert!(screen.starts_with(told), "{bad:?}: {screen}");
    }
    let counties = phone.press("29022000").await;
    assert!(counties.contains("County where you live"), "{counties}");
    // Back goes to the date, and the date typed again moves on.
    assert!(phone.press("0").await.contains("DDMMYYYY"));
    assert!(
        phone
            .press("29022000")
            .await
            .contains("County where you live")
    );
    let chosen = phone.press("x").await;
    assert!(
        chosen.starts_with("CON Type the number of your choice"),
        "{chosen}"
    );

    // What was typed is kept, encrypted, on the draft, and the summary
    // shows the accented name in GSM-7.
    phone.county_of_residence("Nairobi").await;
    let summary = phone.press("2").await;
    assert!(
        summary.contains("Müller") && summary.contains("Kiswahili"),
        "{summary}"
    );
    let (_, channel, state) = the_application(&app).await;
    assert_eq!((channel.as_str(), state.as_str()), ("ussd", "draft"));
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT answers FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("1000500"));
    let state: String = sqlx::query_scalar("SELECT state FROM ussd_sessions WHERE session_id = $1")
        .bind(&phone.session)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        !state.contains("1000500") && !state.contains("ller"),
        "{state}"
    );

    // A later session offers to resume; a second start takes the same
    // draft up again.
    assert!(phone.sign_in().await.contains("You stopped part-way"));
    assert!(phone.press("2").await.contains("3 Apply for an ID card"));
    assert!(phone.press("3").await.contains("birth certificate number"));
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(drafts, 1);
}
