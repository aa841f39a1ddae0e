//! Centres, capacity and booking through the real server and database:
//! the rules, booking, changing and cancelling, families, and the race for
//! the last places.

use crate::browser::*;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use app::calendar::holiday_on;
use app::dates::CivilDate;
use reqwest::StatusCode;
use usajili::startup::Application;

// ---- helpers -------------------------------------------------------------------

fn today() -> CivilDate {
    CivilDate::in_nairobi_at(usajili::clock::unix_now())
}

/// The `n`th weekday (not a holiday) from tomorrow on, counting from 0.
pub fn open_weekday(n: usize) -> CivilDate {
    (1..)
        .map(|k| today().add_days(k))
        .filter(|d| d.weekday() < 5 && holiday_on(*d).is_none())
        .nth(n)
        .unwrap()
}

pub fn centre_path(id: &str, centre: &str) -> String {
    format!("/applications/{id}/booking/centres/{centre}")
}

/// Another signed-in citizen with a verified application (verified
/// directly: one birth certificate can have only one active application).
async fn other_verified_citizen<'a>(
    app: &'a TestApp,
    phone: &str,
    reference: &str,
) -> (Browser<'a>, String) {
    let browser = app.signed_in_citizen(phone).await;
    let id = browser.start().await;
    app.verify_directly(&id, reference).await;
    (browser, id)
}

async fn book(
    browser: &Browser<'_>,
    id: &str,
    centre: &str,
    day: CivilDate,
    slot: &str,
) -> (StatusCode, String) {
    browser
        .post_text(
            &centre_path(id, centre),
            &[("day", &day.to_string()), ("slot", slot), ("replaces", "")],
        )
        .await
}

fn slot_count(page: &str) -> usize {
    page.matches("name=\"slot\"").count()
}

// ---- capacity, hours and closures ------------------------------------------------

#[tokio::test]
async fn a_centre_offers_its_hours_in_slots_with_counters_places_each() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000001").await;
    let weekday = open_weekday(0);
    let saturday = (1..)
        .map(|k| today().add_days(k))
        .find(|d| d.weekday() == 5 && holiday_on(*d).is_none())
        .unwrap();

    let (status, page) = browser
        .page(&format!("{}?day={weekday}", centre_path(&id, "kibra")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slot_count(&page), 36, "08:00 to 17:00 in 15 minutes");
    assert_eq!(page.matches("4 places left").count(), 36);
    let (_, page) = browser
        .page(&format!("{}?day={saturday}", centre_path(&id, "kibra")))
        .await;
    assert_eq!(slot_count(&page), 20, "Saturday 08:00 to 13:00");

    // Fewer counters, longer appointments: the arithmetic follows at once.
    app.set_counters("kibra", 2).await;
    app.set_slot_minutes("kibra", 30).await;
    let (_, page) = browser
        .page(&format!("{}?day={weekday}", centre_path(&id, "kibra")))
        .await;
    assert_eq!(slot_count(&page), 18);
    assert_eq!(page.matches("2 places left").count(), 18);
}

#[tokio::test]
async fn holidays_and_closures_have_no_times_and_cannot_be_booked() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000002").await;
    app.set_horizon_everywhere(800).await;
    let closed = open_weekday(1);
    usajili::booking::centres::Centres { db: &app.db }
        .add_closure(Some("kibra"), closed, None, "staff training", 0)
        .await
        .unwrap();
    let part_day = open_weekday(2);
    usajili::booking::centres::Centres { db: &app.db }
        .add_closure(
            None,
            part_day,
            Some((12 * 60, 14 * 60)),
            "power maintenance",
            0,
        )
        .await
        .unwrap();

    let date = |y, m, d| CivilDate::new(y, m, d).unwrap();
    for holiday in [
        date(2026, 12, 25),
        date(2027, 3, 26),  // Good Friday
        date(2027, 3, 29),  // Easter Monday
        date(2027, 10, 11), // Utamaduni Day, a Sunday, kept on the Monday
        date(2027, 12, 13), // Jamhuri Day, a Sunday, kept on the Monday
        date(2027, 12, 27), // Boxing Day, a Sunday, kept on the Monday
        closed,
    ] {
        let (_, page) = browser
            .page(&format!("{}?day={holiday}", centre_path(&id, "kibra")))
            .await;
        assert_eq!(slot_count(&page), 0, "{holiday}");
        let (status, body) = book(&browser, &id, "kibra", holiday, "09:00").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{holiday}");
        assert!(
            body.contains("The centre is closed that day"),
            "{holiday}: {}",
            summary_of(&body)
        );
    }
    let (_, page) = browser
        .page(&format!("{}?day={part_day}", centre_path(&id, "kibra")))
        .await;
    assert_eq!(slot_count(&page), 36 - 8, "12:00 to 14:00 closed");
    let (status, _) = book(&browser, &id, "kibra", part_day, "12:30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The closure was for Kibra only: GPO is open.
    let (_, page) = browser
        .page(&format!("{}?day={closed}", centre_path(&id, "gpo")))
        .await;
    assert_eq!(slot_count(&page), 36);
    assert!(app.live_bookings(&id).await.is_empty());
}

#[tokio::test]
async fn the_finder_filters_by_county_and_name_and_shows_the_next_free_day() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000003").await;
    let (status, page) = browser
        .page(&format!("/applications/{id}/booking/centres?county=047"))
        .await;
    assert_eq!(status, StatusCode::OK);
    for name in ["GPO", "City Square", "Makadara", "Eastleigh", "Kibra"] {
        assert!(page.contains(&format!("Huduma Centre {name}")), "{name}");
    }
    assert!(!page.contains("Huduma Centre Mombasa"));
    assert!(page.contains("Next free day:"));
    let (_, page) = browser
        .page(&format!(
            "/applications/{id}/booking/centres?county=047&name=kib"
        ))
        .await;
    assert!(page.contains("Huduma Centre Kibra") && !page.contains("Huduma Centre GPO"));
    let (_, page) = browser
        .page(&format!(
            "/applications/{id}/booking/centres?county=001&name=kibra"
        ))
        .await;
    assert!(page.contains("data-testid=\"no-centres\""));
    // All 51 without a filter; a county that does not exist is no filter.
    let (_, page) = browser
        .page(&format!("/applications/{id}/booking/centres?county=999"))
        .await;
    assert_eq!(page.matches("class=\"centre-list__item\"").count(), 51);
}

// ---- booking, changing, cancelling ----------------------------------------------

#[tokio::test]
async fn a_verified_applicant_books_changes_and_cancels() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000004").await;
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert!(page.contains("data-testid=\"book-appointment\""));
    let day = open_weekday(0);

    let (status, _) = book(&browser, &id, "kibra", day, "09:30").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, ack) = browser.page(&format!("/applications/{id}/booking")).await;
    assert_eq!(status, StatusCode::OK);
    let when = app::calendar::appointment_label(day, 570, app::i18n::Locale::en);
    assert!(ack.contains(&when), "{when}");
    assert!(ack.contains("Huduma Centre Kibra") && ack.contains("Nairobi County"));
    assert!(ack.contains("Wanjiru Njeri Mwangi"));
    assert!(ack.contains("<svg") && ack.contains("data-testid=\"qr\""));
    assert!(ack.contains("Your original birth certificate."));
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&page), "Visit booked");
    assert!(page.contains(&when));
    assert_eq!(app.seats_taken("kibra", day, 570).await, 1);

    // Change: the old seat is freed in the same transaction.
    let (_, day_page) = browser.page(&centre_path(&id, "gpo")).await;
    let replaces = day_page
        .split("name=\"replaces\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(!replaces.is_empty());
    let (status, _) = browser
        .post_text(
            &centre_path(&id, "gpo"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:00"),
                ("replaces", &replaces),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.seats_taken("kibra", day, 570).await, 0);
    assert_eq!(
        app.live_bookings(&id).await,
        vec![("gpo".to_string(), day.to_string(), 600)]
    );

    // The same change posted again (a double click) changes nothing more.
    let (status, body) = browser
        .post_text(
            &centre_path(&id, "gpo"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:15"),
                ("replaces", &replaces),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("had already been changed"));
    assert_eq!(app.live_bookings(&id).await.len(), 1);

    let (status, page) = browser
        .page(&format!("/applications/{id}/booking/cancel"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Cancel your appointment?"));
    let response = browser
        .post(&format!("/applications/{id}/booking/cancel"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.live_bookings(&id).await.is_empty());
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&page), "Verified");
    // Confirmed at the top of the page it lands on, focused, once.
    let moved = app::calendar::appointment_label(day, 600, app::i18n::Locale::en);
    let banner = page
        .split("data-testid=\"cancelled\"")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .unwrap_or_else(|| panic!("no confirmation in {page}"));
    assert!(
        banner.contains(&format!("Your appointment on {moved} is cancelled")),
        "{banner}"
    );
    assert!(page.contains("autofocus") && page.contains("tabindex=\"-1\""));
    let (_, again) = browser.page(&format!("/applications/{id}")).await;
    assert!(!again.contains("data-testid=\"cancelled\""), "told once");

    let messages = app.messages();
    for kind in ["booking_confirmed", "booking_changed", "booking_cancelled"] {
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while !app.messages().contains(kind) {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {kind} message in {messages}"));
    }
}

#[tokio::test]
async fn a_double_clicked_book_makes_one_booking() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000005").await;
    let day = open_weekday(0);
    let (a, b) = tokio::join!(
        book(&browser, &id, "kibra", day, "08:00"),
        book(&browser, &id, "kibra", day, "08:15")
    );
    // Either click may win the race: one books (and is sent on), the other
    // finds it booked already.
    assert!(
        a.0 == StatusCode::SEE_OTHER || b.0 == StatusCode::SEE_OTHER,
        "{} {}",
        summary_of(&a.1),
        summary_of(&b.1)
    );
    for (status, body) in [&a, &b] {
        assert!(
            status.is_success() || *status == StatusCode::SEE_OTHER,
            "{status}: {}",
            summary_of(body)
        );
    }
    assert_eq!(app.live_bookings(&id).await.len(), 1);
}

#[tokio::test]
async fn rescheduling_into_a_full_slot_keeps_the_old_one() {
    let app = spawn_app().await;
    with_registry(&app).await;
    app.set_counters("kibra", 1).await;
    let (browser, id) = app.verified_citizen("0712000006").await;
    let other = app.second_verified_application(&id, "HN-TEST-0001").await;
    let day = open_weekday(0);
    assert_eq!(
        book(&browser, &other, "kibra", day, "11:00").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        book(&browser, &id, "kibra", day, "09:00").await.0,
        StatusCode::SEE_OTHER
    );
    let (old, _) = app.live_booking(&id).await;

    let (status, body) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[
                ("day", &day.to_string()),
                ("slot", "11:00"),
                ("replaces", &old),
            ],
        )
        .await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("That time has just been taken"),
        "{}",
        summary_of(&body)
    );
    assert_eq!(
        app.live_bookings(&id).await,
        vec![("kibra".to_string(), day.to_string(), 540)]
    );
}

#[tokio::test]
async fn changes_and_cancellations_close_at_the_cutoff() {
    // A cut-off longer than the horizon: every booking is already too close.
    let app = spawn_app_with(|c| c.booking_cutoff_minutes = 60 * 24 * 60).await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000007").await;
    let day = open_weekday(0);
    assert_eq!(
        book(&browser, &id, "kibra", day, "09:00").await.0,
        StatusCode::SEE_OTHER
    );
    let (_, ack) = browser.page(&format!("/applications/{id}/booking")).await;
    assert!(ack.contains("too soon to change online") && !ack.contains("data-testid=\"cancel\""));

    let response = browser
        .post(&format!("/applications/{id}/booking/cancel"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let (old, _) = app.live_booking(&id).await;
    let (status, body) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:00"),
                ("replaces", &old),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("too soon to change online"));
    assert_eq!(
        app.live_bookings(&id).await,
        vec![("kibra".to_string(), day.to_string(), 540)]
    );
}

#[tokio::test]
async fn bad_booking_requests_are_refused_with_a_message_and_change_nothing() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000008").await;
    let sunday = (1..)
        .map(|k| today().add_days(k))
        .find(|d| d.weekday() == 6)
        .unwrap();
    let day = open_weekday(0);
    let cases: Vec<(CivilDate, &str, &str)> = vec![
        (today(), "09:00", "Appointments can be booked from tomorrow"),
        (
            today().add_days(-3),
            "09:00",
            "Appointments can be booked from tomorrow",
        ),
        (today().add_days(31), "09:00", "too far ahead"),
        (sunday, "09:00", "The centre is closed that day"),
        (day, "07:45", "not one of the centre's appointment times"),
        (day, "17:00", "not one of the centre's appointment times"),
        (day, "09:07", "not one of the centre's appointment times"),
        (
            day,
            "9 o'clock",
            "not one of the centre's appointment times",
        ),
        (day, "", "Choose a time for your appointment"),
    ];
    for (day, slot, message) in cases {
        let (status, body) = book(&browser, &id, "kibra", day, slot).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{day} {slot}");
        assert!(
            body.contains(message),
            "{day} {slot}: {}",
            summary_of(&body)
        );
        assert!(body.contains("error-summary"), "{day} {slot}");
    }
    let (status, _) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[("day", "not-a-day"), ("slot", "09:00")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A centre that does not exist.
    let (status, _) = book(&browser, &id, "atlantis", day, "09:00").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Someone else's application, slipped into a family request.
    let (stranger, stranger_id) = other_verified_citizen(&app, "0712000009", "HN-TEST-0004").await;
    drop(stranger);
    let (status, body) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[
                ("day", &day.to_string()),
                ("slot", "09:00"),
                ("also", &stranger_id),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("cannot be booked now"));
    assert_eq!(app.rows_in("bookings").await, 0);

    // An application that is not verified yet cannot book.
    let draft = browser.start().await;
    let response = browser
        .post(
            &centre_path(&draft, "kibra"),
            &[("day", &day.to_string()), ("slot", "09:00")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/applications/{draft}"));
    assert!(app.live_bookings(&draft).await.is_empty());
}

#[tokio::test]
async fn another_citizens_booking_is_not_found() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (owner, id) = app.verified_citizen("0712000010").await;
    let day = open_weekday(0);
    assert_eq!(
        book(&owner, &id, "kibra", day, "09:00").await.0,
        StatusCode::SEE_OTHER
    );
    let stranger = app.signed_in_citizen("0712000011").await;

    for path in [
        "booking",
        "booking/cancel",
        "booking/centres",
        "booking/centres/kibra",
    ] {
        let (status, _) = stranger.page(&format!("/applications/{id}/{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        stranger
            .post(&format!("/applications/{id}/booking/cancel"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        book(&stranger, &id, "kibra", day, "10:00").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.live_bookings(&id).await,
        vec![("kibra".to_string(), day.to_string(), 540)]
    );
}

// ---- families ----------------------------------------------------------------------

#[tokio::test]
async fn a_family_is_booked_in_adjacent_slots_or_not_at_all() {
    let app = spawn_app().await;
    with_registry(&app).await;
    app.set_counters("kibra", 1).await;
    let (browser, id) = app.verified_citizen("0712000012").await;
    let child = app.second_verified_application(&id, "HN-TEST-0002").await;
    let (outsider, outsider_id) = other_verified_citizen(&app, "0712000013", "HN-TEST-0003").await;
    let day = open_weekday(0);
    assert_eq!(
        book(&outsider, &outsider_id, "kibra", day, "09:15").await.0,
        StatusCode::SEE_OTHER
    );

    // 09:00 is free but 09:15, the child's, is taken: nobody is booked.
    let (_, page) = browser
        .page(&format!("{}?day={day}", centre_path(&id, "kibra")))
        .await;
    assert!(
        page.contains(&format!("value=\"{child}\"")),
        "the child is offered"
    );
    let (status, body) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[
                ("day", &day.to_string()),
                ("slot", "09:00"),
                ("also", &child),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Nobody was booked"), "{}", summary_of(&body));
    assert!(app.live_bookings(&id).await.is_empty() && app.live_bookings(&child).await.is_empty());

    let (status, _) = browser
        .post_text(
            &centre_path(&id, "kibra"),
            &[
                ("day", &day.to_string()),
                ("slot", "10:00"),
                ("also", &child),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.live_bookings(&id).await,
        vec![("kibra".to_string(), day.to_string(), 600)]
    );
    assert_eq!(
        app.live_bookings(&child).await,
        vec![("kibra".to_string(), day.to_string(), 615)]
    );
    let families: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT family_id FROM bookings WHERE live = 1 AND application_id IN ($1, $2)",
    )
    .bind(&id)
    .bind(&child)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(families[0].is_some() && families[0] == families[1]);
}

// ---- collection ----------------------------------------------------------------------

#[tokio::test]
async fn a_ready_card_is_collected_by_appointment_at_its_centre() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (browser, id) = app.verified_citizen("0712000014").await;
    app.card_ready_at(&id, "gpo", usajili::clock::unix_now())
        .await;
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert!(page.contains("Book a time to collect your card"));
    let (_, finder) = browser
        .page(&format!("/applications/{id}/booking/centres"))
        .await;
    assert_eq!(finder.matches("class=\"centre-list__item\"").count(), 1);
    assert!(finder.contains("Huduma Centre GPO"));
    let day = open_weekday(0);
    assert_eq!(
        book(&browser, &id, "kibra", day, "09:00").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        book(&browser, &id, "gpo", day, "09:00").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.live_booking(&id).await.1, "collection");
    let (_, ack) = browser.page(&format!("/applications/{id}/booking")).await;
    assert!(ack.contains("Collecting your card") && ack.contains("The ID of whoever collects"));
}

// ---- the race for the last places ---------------------------------------------------

#[tokio::test]
async fn two_hundred_requests_for_the_last_ten_places_book_exactly_ten() {
    let app = spawn_app_with(|c| c.db_max_connections = 16).await;
    // On PostgreSQL, a second server process on the same database takes
    // half the requests: nothing in either process coordinates them.
    let mut addresses = vec![app.address.clone()];
    if app.config.database_url.starts_with("postgres") {
        let second = Application::build(app.config.clone()).await.unwrap();
        addresses.push(format!("http://127.0.0.1:{}", second.port()));
        tokio::spawn(second.run_until_stopped());
    }
    app.set_counters("kibra", 14).await;
    let day = open_weekday(0);
    let people = app.verified_accounts_with_sessions(204).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let send = |address: &str, (cookie, id): &(String, String)| {
        client
            .post(format!("{address}{}", centre_path(id, "kibra")))
            // Each process is a site of its own: the Origin names the one asked.
            .header("origin", address)
            .header("cookie", cookie)
            .form(&[
                ("day", day.to_string()),
                ("slot", "09:00".to_string()),
                ("replaces", String::new()),
            ])
            .send()
    };
    // Four places already taken: ten left.
    for person in &people[..4] {
        assert_eq!(
            send(&addresses[0], person).await.unwrap().status(),
            StatusCode::SEE_OTHER
        );
    }

    let requests = people[4..].iter().enumerate().map(|(i, person)| {
        let address = addresses[i % addresses.len()].clone();
        let request = send(&address, person);
        async move {
            let response = request.await.expect("a response");
            let status = response.status();
            (status, response.text().await.unwrap_or_default())
        }
    });
    let results = futures::future::join_all(requests).await;

    let booked = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::SEE_OTHER)
        .count();
    let full = results
        .iter()
        .filter(|(s, body)| {
            *s == StatusCode::CONFLICT && body.contains("That time has just been taken")
        })
        .count();
    let errors: Vec<_> = results
        .iter()
        .filter(|(s, _)| s.is_server_error())
        .map(|(s, _)| *s)
        .collect();
    assert!(errors.is_empty(), "server errors: {errors:?}");
    assert_eq!(booked, 10);
    assert_eq!(full, 190);
    assert_eq!(app.seats_taken("kibra", day, 540).await, 14);
    let seats: Vec<i64> =
        sqlx::query_scalar("SELECT seat FROM bookings WHERE live = 1 ORDER BY seat")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(seats, (0..14).collect::<Vec<i64>>());
}

/// Changing an appointment reads the booking it replaces inside the
/// booking's transaction. Read from the pool instead, each change held
/// SQLite's write lock while it waited for a second connection, which the
/// requests waiting for that lock held: under a crowd of changes every
/// request stalled for the 5-second busy timeout and failed.
#[tokio::test]
async fn many_people_changing_at_once_all_get_their_new_time() {
    let app = spawn_app().await;
    app.set_counters("kibra", 40).await;
    let day = open_weekday(2);
    let people = app.verified_accounts_with_sessions(32).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |(cookie, id): &(String, String), slot: &str, replaces: String| {
        client
            .post(app.url(&centre_path(id, "kibra")))
            .header("origin", &app.address)
            .header("cookie", cookie)
            .form(&[
                ("day", day.to_string()),
                ("slot", slot.to_string()),
                ("replaces", replaces),
            ])
            .send()
    };
    for person in &people {
        let response = post(person, "09:00", String::new()).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    let mut changes = Vec::new();
    for person in &people {
        let (booking, _) = app.live_booking(&person.1).await;
        changes.push(post(person, "10:00", booking));
    }
    let statuses: Vec<StatusCode> = futures::future::join_all(changes)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect();

    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(app.seats_taken("kibra", day, 600).await, 32);
    assert_eq!(app.seats_taken("kibra", day, 540).await, 0);
}
