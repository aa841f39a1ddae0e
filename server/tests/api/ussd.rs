//! USSD through the real callback, in the protocol's own form encoding
//! (`sessionId`, `serviceCode`, `phoneNumber`, `networkCode`, `text`: all
//! typed so far, joined by `*`), as Africa's Talking posts it: the first
//! session's language and PIN, the PIN's lock, a number's own
//! applications, booking, changing and cancelling with the web's
//! transaction, the last place taken on the web meanwhile, and every bad
//! input answered by a screen.

use crate::browser::*;
use crate::helpers::{TestApp, spawn_app_with};
use app::identifiers::CountyCode;
use reqwest::StatusCode;
use usajili::startup::Application;

pub const TOKEN: &str = "a-ussd-callback-token-of-enough-length";
pub const PIN: &str = "4821";

/// An app taking USSD steps (cheap PIN hashing) with the registry loaded.
pub async fn ussd_app() -> TestApp {
    let app = spawn_app_with(|c| {
        c.messages.sms.callback_token = Some(TOKEN.to_string().into());
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
    })
    .await;
    with_registry(&app).await;
    app
}

/// One step as the network posts it, from a client with no `Origin`.
pub async fn post_step(
    base: &str,
    token: &str,
    session: &str,
    phone: &str,
    text: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/ussd/africastalking/{token}"))
        .form(&[
            ("sessionId", session),
            ("serviceCode", "*384*4321#"),
            ("phoneNumber", phone),
            ("networkCode", "63902"),
            ("text", text),
        ])
        .send()
        .await
        .unwrap()
}

/// A handset in one USSD session.
pub struct Phone {
    /// The server process the next step goes to.
    pub base: String,
    pub number: String,
    pub session: String,
    pub typed: Vec<String>,
}

impl Phone {
    pub fn new(app: &TestApp, number: &str) -> Self {
        Phone {
            base: app.address.clone(),
            number: number.to_string(),
            session: format!("ATUid_{}", rand::random::<u64>()),
            typed: Vec::new(),
        }
    }

    pub async fn send(&self) -> String {
        let response = post_step(
            &self.base,
            TOKEN,
            &self.session,
            &self.number,
            &self.typed.join("*"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain"),
        );
        let body = response.text().await.unwrap();
        assert!(
            body.starts_with("CON ") || body.starts_with("END "),
            "{body:?}"
        );
        let screen = &body[4..];
        assert!(!screen.trim().is_empty(), "an empty screen");
        assert!(screen.chars().count() <= 182, "{screen:?}");
        assert!(usajili::ussd::screen::is_gsm7(screen), "{screen:?}");
        body
    }

    /// Dials the code: a new session.
    pub async fn dial(&mut self) -> String {
        self.session = format!("ATUid_{}", rand::random::<u64>());
        self.typed.clear();
        self.send().await
    }

    pub async fn press(&mut self, key: &str) -> String {
        self.typed.push(key.to_string());
        self.send().await
    }

    /// A new number's first session up to the menu, in English.
    pub async fn set_up(&mut self) -> String {
        assert!(self.dial().await.contains("Chagua lugha"));
        self.press("1").await;
        self.press(PIN).await;
        self.press(PIN).await
    }

    /// A later session up to the menu.
    pub async fn sign_in(&mut self) -> String {
        assert!(self.dial().await.contains("PIN"));
        self.press(PIN).await
    }

    /// Chooses a county by name from the paged list.
    pub async fn county(&mut self, app: &TestApp, name: &str) -> String {
        let codes: Vec<String> = sqlx::query_scalar("SELECT DISTINCT county_code FROM centres")
            .fetch_all(&app.db)
            .await
            .unwrap();
        let mut names: Vec<&str> = codes
            .iter()
            .filter_map(|c| CountyCode::parse(c).ok())
            .map(CountyCode::name)
            .collect();
        names.sort();
        let at = names.iter().position(|n| *n == name).unwrap();
        for _ in 0..at / 5 {
            self.press("98").await;
        }
        self.press(&(at + 1).to_string()).await
    }
}

// ---- the first session and the PIN ---------------------------------------------

#[tokio::test]
async fn a_new_number_chooses_a_language_sets_its_pin_twice_and_it_is_remembered() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300001");

    let first = phone.dial().await;
    assert!(first.starts_with("CON "), "{first}");
    assert!(first.contains("1 English") && first.contains("2 Kiswahili"));
    assert!(phone.press("2").await.contains("Chagua PIN"));
    phone.press("1234").await;
    // The first entry is kept as a keyed hash: no argon2 hash until the
    // second entry matches it.
    let state: String = sqlx::query_scalar("SELECT state FROM ussd_sessions WHERE session_id = $1")
        .bind(&phone.session)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let draft = state["draft"].as_str().unwrap();
    assert!(
        draft.len() == 64 && draft.bytes().all(|b| b.is_ascii_hexdigit()),
        "{draft}"
    );
    let mismatch = phone.press("1235").await;
    assert!(mismatch.contains("hazikulingana"), "{mismatch}");
    phone.press(PIN).await;
    let home = phone.press(PIN).await;
    assert!(home.contains("PIN imehifadhiwa"), "{home}");
    assert!(home.contains("1 Maombi yangu"), "{home}");
    assert!(home.contains("0 Rudi 00 Mwanzo"), "{home}");
    assert_eq!(app.audited("ussd.pin_set").await, 1);

    // Kept only as a keyed hash and an argon2 hash.
    let (index, hash): (String, String) =
        sqlx::query_as("SELECT contact_index, pin_hash FROM ussd_numbers")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!index.contains("712300001"));
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM ussd_sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(
        states
            .iter()
            .all(|s| !s.contains(PIN) && !s.contains("712300001"))
    );

    // The next session asks for the PIN, in the language chosen.
    let again = phone.dial().await;
    assert!(again.contains("andika PIN yako"), "{again}");
    assert!(phone.press(PIN).await.contains("Maombi yangu"));
}

#[tokio::test]
async fn three_wrong_pins_lock_the_number_for_the_day_even_when_they_race() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300002");
    phone.set_up().await;

    phone.dial().await;
    let wrong = phone.press("0000").await;
    assert!(
        wrong.starts_with("CON ") && wrong.contains("Tries left today: 2"),
        "{wrong}"
    );

    // Ten sessions try at once: only the tries left are taken.
    let tries = (0..10).map(|i| {
        let app = &app;
        async move {
            let session = format!("race-{i}");
            post_step(&app.address, TOKEN, &session, "+254712300002", "").await;
            post_step(&app.address, TOKEN, &session, "+254712300002", "1111")
                .await
                .text()
                .await
                .unwrap()
        }
    });
    let answers = futures::future::join_all(tries).await;
    assert!(
        answers
            .iter()
            .all(|a| a.starts_with("CON ") || a.contains("locked"))
    );
    assert_eq!(
        answers
            .iter()
            .filter(|a| a.contains("Tries left today: 1"))
            .count(),
        1
    );
    assert_eq!(app.audited("ussd.locked").await, 1);

    // Even the right PIN is refused until tomorrow.
    phone.dial().await;
    let locked = phone.press(PIN).await;
    assert!(
        locked.starts_with("END ") && locked.contains("locked"),
        "{locked}"
    );
    assert_eq!(app.audited("ussd.locked").await, 1);
}

// ---- what a number sees ------------------------------------------------------------

#[tokio::test]
async fn a_number_sees_only_its_own_applications() {
    let app = ussd_app().await;
    let (_, mine) = app.verified_citizen("0712300003").await;
    let reference = app.reference_of(&mine).await;
    let other = app.signed_in_citizen("0712300004").await;
    let theirs = other.start().await;
    app.verify_directly(&theirs, "KE-OTHER-1").await;

    let mut phone = Phone::new(&app, "+254712300003");
    phone.set_up().await;
    let list = phone.press("1").await;
    assert!(list.contains(&reference), "{list}");
    assert!(!list.contains("KE-OTHER-1"), "{list}");
    let detail = phone.press("1").await;
    assert!(detail.contains("Checked: book a visit"), "{detail}");
    assert!(detail.contains("No appointment"), "{detail}");

    // A number with no account sees none, and says where to apply.
    let mut stranger = Phone::new(&app, "+254712300005");
    stranger.set_up().await;
    let none = stranger.press("1").await;
    assert!(none.contains("no applications"), "{none}");
}

// ---- booking ------------------------------------------------------------------------

#[tokio::test]
async fn a_number_books_then_changes_then_cancels_with_the_webs_transaction() {
    let app = ussd_app().await;
    let (_, id) = app.verified_citizen("0712300006").await;
    let reference = app.reference_of(&id).await;
    let mut phone = Phone::new(&app, "+254712300006");
    phone.set_up().await;

    assert!(phone.press("2").await.contains(&reference));
    assert!(phone.press("1").await.contains("Choose a county"));
    let centres = phone.county(&app, "Nairobi").await;
    assert!(centres.contains("4 Huduma Centre Kibra"), "{centres}");
    let days = phone.press("4").await;
    assert!(
        days.contains("Choose a day") && days.contains("\n1 "),
        "{days}"
    );
    assert!(days.contains("98 More"), "seven days, five a page: {days}");
    let times = phone.press("1").await;
    assert!(
        times.contains("1 08:00 (4 left)") && times.contains("98 More"),
        "{times}"
    );
    let confirm = phone.press("2").await;
    assert!(
        confirm.contains("08:15") && confirm.contains("1 Confirm"),
        "{confirm}"
    );
    let booked = phone.press("1").await;
    assert!(booked.starts_with("END Booked"), "{booked}");
    assert!(booked.contains("08:15"), "{booked}");
    assert_eq!(app.application_state(&id).await, "booked");
    assert_eq!(app.queued_messages("booking_confirmed").await, 1);

    // Change: the same menu, then another time.
    phone.sign_in().await;
    phone.press("2").await;
    let appointment = phone.press("1").await;
    assert!(appointment.contains("1 Change the time"), "{appointment}");
    phone.press("1").await;
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    phone.press("3").await;
    let moved = phone.press("1").await;
    assert!(
        moved.starts_with("END Booked") && moved.contains("08:30"),
        "{moved}"
    );
    assert_eq!(app.live_booking_count().await, 1);
    assert_eq!(app.queued_messages("booking_changed").await, 1);

    // Cancel.
    phone.sign_in().await;
    phone.press("2").await;
    phone.press("1").await;
    let sure = phone.press("2").await;
    assert!(sure.contains("Cancel the appointment"), "{sure}");
    let cancelled = phone.press("1").await;
    assert!(cancelled.starts_with("END Cancelled"), "{cancelled}");
    assert!(cancelled.contains("*384*4321#"), "{cancelled}");
    assert_eq!(app.live_booking_count().await, 0);
    assert_eq!(app.application_state(&id).await, "verified");
    assert_eq!(app.queued_messages("booking_cancelled").await, 1);
}

#[tokio::test]
async fn the_last_place_taken_on_the_web_while_confirming_is_told_and_the_next_time_offered() {
    let app = ussd_app().await;
    let (_, id) = app.verified_citizen("0712300007").await;
    let web = app.signed_in_citizen("0712300008").await;
    let other = web.start().await;
    app.verify_directly(&other, "KE-WEB-1").await;
    app.set_counters("kibra", 1).await;

    let mut phone = Phone::new(&app, "+254712300007");
    phone.set_up().await;
    phone.press("2").await;
    phone.press("1").await;
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    let confirm = phone.press("1").await;
    assert!(confirm.contains("08:00"), "{confirm}");
    let state: String = sqlx::query_scalar("SELECT state FROM ussd_sessions WHERE session_id = $1")
        .bind(&phone.session)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let day = state["step"]["day"].as_str().unwrap().to_string();

    // Meanwhile, the web takes the last place at 08:00.
    let (status, _) = web
        .post_text(
            &format!("/applications/{other}/booking/centres/kibra"),
            &[("day", &day), ("slot", "08:00"), ("replaces", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let taken = phone.press("1").await;
    assert!(taken.starts_with("CON That time was just taken"), "{taken}");
    assert!(
        taken.contains("08:15") && taken.contains("1 Confirm"),
        "{taken}"
    );
    let booked = phone.press("1").await;
    assert!(
        booked.starts_with("END Booked") && booked.contains("08:15"),
        "{booked}"
    );
    assert_eq!(app.application_state(&id).await, "booked");
    assert_eq!(app.live_booking_count().await, 2);
}

// ---- bad input -------------------------------------------------------------------

#[tokio::test]
async fn every_bad_input_gets_a_screen_saying_what_to_do() {
    let app = ussd_app().await;
    let mut phone = Phone::new(&app, "+254712300009");
    phone.dial().await;
    // Letters, an option not offered, non-ASCII text, where digits are expected.
    for bad in ["abc", "7", "é", "١", "\u{1F600}", ""] {
        let screen = phone.press(bad).await;
        assert!(
            screen.starts_with("CON Type the number of your choice."),
            "{bad:?}: {screen}"
        );
    }
    phone.press("1").await;
    for bad in ["12a4", "１２３４", "123", "12345"] {
        let screen = phone.press(bad).await;
        assert!(screen.contains("A PIN is 4 digits"), "{bad:?}: {screen}");
    }
    phone.press(PIN).await;
    assert!(phone.press(PIN).await.contains("My applications"));
    for bad in ["x", "9", "98", "Ω"] {
        let screen = phone.press(bad).await;
        assert!(screen.starts_with("CON "), "{bad:?}: {screen}");
        assert!(screen.contains("My applications"), "{bad:?}: {screen}");
    }

    // 10 KB of `*`.
    let stars = "*".repeat(10 * 1024);
    let response = post_step(&app.address, TOKEN, &phone.session, &phone.number, &stars).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.starts_with("END That was too long"), "{body}");
    assert!(body.contains("*384*4321#"), "{body}");

    // A session that expired.
    phone.sign_in().await;
    app.advance(181);
    let expired = phone.press("1").await;
    assert!(expired.starts_with("END Your session ended"), "{expired}");
}

#[tokio::test]
async fn a_session_id_replayed_from_another_number_is_a_fresh_harmless_session() {
    let app = ussd_app().await;
    let (_, id) = app.verified_citizen("0712300010").await;
    let reference = app.reference_of(&id).await;
    let mut owner = Phone::new(&app, "+254712300010");
    owner.set_up().await;
    let list = owner.press("1").await;
    assert!(list.contains(&reference));

    // Another number posts the owner's session id and everything typed.
    let replay = post_step(
        &app.address,
        TOKEN,
        &owner.session,
        "+254712300011",
        &owner.typed.join("*"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        replay.starts_with("CON ") && replay.contains("Chagua lugha"),
        "{replay}"
    );
    assert!(!replay.contains(&reference));
    let next = format!("{}*1", owner.typed.join("*"));
    let replay = post_step(&app.address, TOKEN, &owner.session, "+254712300011", &next)
        .await
        .text()
        .await
        .unwrap();
    assert!(!replay.contains(&reference), "{replay}");

    // The owner's session goes on where it was.
    let detail = owner.press("1").await;
    assert!(detail.contains(&reference), "{detail}");
}

#[tokio::test]
async fn a_step_with_a_wrong_token_is_not_found_and_needs_no_origin_with_the_right_one() {
    let app = ussd_app().await;
    let response = post_step(
        &app.address,
        "a-wrong-token-of-enough-length",
        "s1",
        "+254712300012",
        "",
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.rows_in("ussd_sessions").await, 0);
    let response = post_step(&app.address, TOKEN, "s1", "+254712300012", "").await;
    assert_eq!(response.status(), StatusCode::OK);

    let unconfigured = spawn_app_with(|_| ()).await;
    let response = post_step(&unconfigured.address, TOKEN, "s1", "+254712300012", "").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_session_cut_off_part_way_is_offered_to_resume_within_ten_minutes() {
    let app = ussd_app().await;
    app.verified_citizen("0712300013").await;
    let mut phone = Phone::new(&app, "+254712300013");
    phone.set_up().await;
    phone.press("2").await;
    assert!(phone.press("1").await.contains("Choose a county"));

    // The network drops the session; the number dials again.
    app.advance(200);
    assert!(phone.dial().await.contains("PIN"), "the PIN first");
    let offer = phone.press(PIN).await;
    assert!(
        offer.contains("You stopped part-way") && offer.contains("1 Continue where you stopped"),
        "{offer}"
    );
    assert!(phone.press("1").await.contains("Choose a county"));

    // Offered once; ten minutes later, not at all.
    app.advance(11 * 60);
    let again = phone.sign_in().await;
    assert!(
        again.contains("My applications") && !again.contains("stopped part-way"),
        "{again}"
    );
}

#[tokio::test]
async fn each_step_may_be_answered_by_another_server_process_sharing_the_database() {
    let app = ussd_app().await;
    let (_, id) = app.verified_citizen("0712300014").await;
    let reference = app.reference_of(&id).await;
    let second = Application::build(app.config.clone()).await.unwrap();
    let other = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());

    let mut phone = Phone::new(&app, "+254712300014");
    phone.set_up().await;
    phone.base = other;
    let list = phone.press("1").await;
    assert!(list.contains(&reference), "{list}");
    phone.base = app.address.clone();
    let detail = phone.press("1").await;
    assert!(detail.contains("Checked: book a visit"), "{detail}");
}

#[tokio::test]
async fn sessions_past_resuming_are_deleted_by_a_job_every_process_runs() {
    let app = ussd_app().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (session, expires_at) in [("past-resuming", now - 601), ("resumable", now - 60)] {
        sqlx::query(
            "INSERT INTO ussd_sessions (session_id, contact_index, state, consumed, finished, expires_at, updated_at) \
             VALUES ($1, 'a-number', '{}', 0, 0, $2, $3)",
        )
        .bind(session)
        .bind(expires_at)
        .bind(expires_at - 180)
        .execute(&app.db)
        .await
        .unwrap();
    }
    // A process starting runs its jobs at once; this one shares the database.
    let second = Application::build(app.config.clone()).await.unwrap();
    tokio::spawn(second.run_until_stopped());
    let left = || async {
        sqlx::query_scalar::<_, String>("SELECT session_id FROM ussd_sessions ORDER BY session_id")
            .fetch_all(&app.db)
            .await
            .unwrap()
    };
    for _ in 0..100 {
        if left().await.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left().await, ["resumable"]);
}

#[tokio::test]
async fn a_parent_books_two_children_by_ussd() {
    let app = ussd_app().await;
    crate::children::with_families(&app).await;
    let mother = crate::children::signed_in_mother(&app, "0712300030").await;
    let mary = crate::children::add_and_consent(&mother, "3000001", "Otieno", "Mary Akinyi").await;
    let brian = crate::children::add_and_consent(&mother, "3000002", "Otieno", "Brian Ouma").await;
    let (mary_ref, brian_ref) = (
        app.reference_of(&mary).await,
        app.reference_of(&brian).await,
    );

    let mut phone = Phone::new(&app, "+254712300030");
    phone.set_up().await;
    let list = phone.press("1").await;
    assert!(
        list.contains(&mary_ref) && list.contains(&brian_ref),
        "{list}"
    );
    phone.press("00").await;
    // The list's order is the applications' (made in the same second here).
    for choice in ["1", "2"] {
        let which = phone.press("2").await;
        assert!(
            which.contains(&mary_ref) && which.contains(&brian_ref),
            "{which}"
        );
        assert!(phone.press(choice).await.contains("Choose a county"));
        phone.county(&app, "Nairobi").await;
        phone.press("4").await;
        phone.press("1").await;
        phone.press("1").await;
        let booked = phone.press("1").await;
        assert!(booked.starts_with("END Booked"), "{booked}");
        phone.sign_in().await;
    }
    assert_eq!(app.application_state(&mary).await, "booked");
    assert_eq!(app.application_state(&brian).await, "booked");
    assert_eq!(app.live_booking_count().await, 2);
    // Each confirmation goes to the parent's number.
    assert_eq!(app.queued_messages("booking_confirmed").await, 2);
}

#[tokio::test]
async fn ussd_bookings_move_the_same_booking_counters_as_the_webs() {
    let app = spawn_app_with(|c| {
        c.messages.sms.callback_token = Some(TOKEN.to_string().into());
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
        c.metrics.addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    with_registry(&app).await;
    let (_, id) = app.verified_citizen("0712300031").await;
    let before = crate::metrics::scrape(&app).await;
    let mut phone = Phone::new(&app, "+254712300031");
    phone.set_up().await;
    phone.press("2").await;
    phone.press("1").await;
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    phone.press("1").await;
    assert!(phone.press("1").await.starts_with("END Booked"));
    phone.sign_in().await;
    phone.press("2").await;
    phone.press("1").await;
    phone.press("1").await;
    phone.county(&app, "Nairobi").await;
    phone.press("4").await;
    phone.press("1").await;
    phone.press("2").await;
    assert!(phone.press("1").await.starts_with("END Booked"));
    phone.sign_in().await;
    phone.press("2").await;
    phone.press("1").await;
    phone.press("2").await;
    assert!(phone.press("1").await.starts_with("END Cancelled"));
    assert_eq!(app.application_state(&id).await, "verified");

    let after = crate::metrics::scrape(&app).await;
    for action in ["made", "changed", "cancelled"] {
        let labels = [("action", action), ("kind", "enrolment")];
        let rise = crate::metrics::value(&after, "usajili_bookings_total", &labels)
            - crate::metrics::value(&before, "usajili_bookings_total", &labels);
        assert!(rise >= 1.0, "{action}");
    }
}
