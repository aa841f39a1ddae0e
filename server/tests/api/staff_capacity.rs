//! Capacity and closures through the real server: a supervisor's change is
//! previewed (nothing moves), then confirmed; bookings move to the earliest
//! free time, or lose their place and are told to book again; each person
//! gets a message; officers and other centres are refused.

use crate::browser::*;
use crate::fixtures::*;
use crate::helpers::TestApp;
use app::calendar::holiday_on;
use app::dates::CivilDate;
use reqwest::StatusCode;
use usajili::staff::Role;

/// The first day from `from` on that is a weekday and no public holiday.
fn open_weekday(from: CivilDate) -> CivilDate {
    let mut day = from;
    while day.weekday() >= 5 || holiday_on(day).is_some() {
        day = day.add_days(1);
    }
    day
}

fn closure_pairs(
    day: CivilDate,
    span: Option<(&'static str, &'static str)>,
) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("closure-day", day.day().to_string()),
        ("closure-month", day.month().to_string()),
        ("closure-year", day.year().to_string()),
        ("reason", "Power maintenance by Kenya Power".to_string()),
    ];
    match span {
        None => pairs.push(("span", "whole".into())),
        Some((from, to)) => pairs.extend([
            ("span", "part".into()),
            ("from", from.into()),
            ("to", to.into()),
        ]),
    }
    pairs
}

async fn post(
    browser: &Browser<'_>,
    path: &str,
    pairs: &[(&'static str, String)],
    confirm: Option<&str>,
) -> (StatusCode, String) {
    let mut all: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some(confirm) = confirm {
        all.push(("confirm", confirm));
    }
    browser.post_text(path, &all).await
}

/// Every live booking of an application: (day, slot).
async fn live(app: &TestApp, application: &str) -> Vec<(String, i64)> {
    let bookings = app.live_bookings(application).await;
    bookings
        .into_iter()
        .map(|(_, day, slot)| (day, slot))
        .collect()
}

#[tokio::test]
async fn closing_an_afternoon_previews_then_moves_its_bookings_and_tells_each_person() {
    let app = console().await;
    let supervisor = app
        .signed_in_staff("supervisor@gpo.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let day = open_weekday(today().add_days(2));
    let next = open_weekday(day.add_days(1));
    let peter = app.verified_applicant("0712000031", &PETER).await;
    let amina = app.verified_applicant("0712000032", &AMINA).await;
    let wanjiru = app.verified_applicant("0712000033", &WANJIRU).await;
    app.booked_directly(&peter, "gpo", "enrolment", day, 14 * 60)
        .await;
    app.booked_directly(&amina, "gpo", "enrolment", day, 14 * 60 + 15)
        .await;
    // The morning is not affected.
    app.booked_directly(&wanjiru, "gpo", "enrolment", day, 9 * 60)
        .await;
    let (p, a) = (
        app.reference_of(&peter).await,
        app.reference_of(&amina).await,
    );

    let pairs = closure_pairs(day, Some(("13:00", "17:00")));
    let (status, preview) = post(&supervisor, "/staff/capacity/closures", &pairs, None).await;
    assert_eq!(status, StatusCode::OK, "{}", summary_of(&preview));
    assert!(
        preview.contains(&format!("data-reference=\"{p}\" data-placed=\"true\"")),
        "{preview}"
    );
    assert!(preview.contains(&format!("data-reference=\"{a}\" data-placed=\"true\"")));
    assert!(preview.contains("data-moved=\"2\" data-rebook=\"0\""));
    assert!(
        !preview.contains(&app.reference_of(&wanjiru).await),
        "the morning stays"
    );
    assert_eq!(
        live(&app, &peter).await,
        vec![(day.to_string(), 14 * 60)],
        "a preview changes nothing"
    );
    assert_eq!(app.rows_in("closures").await, 0);

    let response = {
        let mut all: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("confirm", "yes"));
        supervisor.post("/staff/capacity/closures", &all).await
    };
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The earliest free times not earlier than booked: the next open day's first two slots.
    assert_eq!(live(&app, &peter).await, vec![(next.to_string(), 8 * 60)]);
    assert_eq!(
        live(&app, &amina).await,
        vec![(next.to_string(), 8 * 60)],
        "four counters: the same slot"
    );
    assert_eq!(live(&app, &wanjiru).await, vec![(day.to_string(), 9 * 60)]);
    assert_eq!(app.application_state(&peter).await, "booked");
    assert_eq!(
        app.rows_in("bookings WHERE status = 'moved' AND live = 0")
            .await,
        2
    );

    let (_, page) = supervisor.page(&location(&response)).await;
    assert!(page.contains("data-testid=\"capacity-outcome\""), "{page}");
    assert!(page.contains("data-moved=\"2\""));
    assert!(
        page.contains("Power maintenance by Kenya Power"),
        "the closure is listed"
    );
    let (_, again) = supervisor.page("/staff/capacity").await;
    assert!(
        !again.contains("capacity-outcome"),
        "the outcome is shown once"
    );

    // Citizens can no longer book the closed afternoon.
    let centre = usajili::booking::centres::Centres { db: &app.db }
        .get("gpo")
        .await
        .unwrap()
        .unwrap();
    let closures = usajili::booking::centres::Centres { db: &app.db }
        .closures(day, day)
        .await
        .unwrap();
    let slots = usajili::booking::schedule::Schedule {
        centre: &centre,
        closures: &closures,
    }
    .slots_on(day);
    assert!(
        slots.contains(&(12 * 60 + 45))
            && !slots.contains(&(13 * 60))
            && !slots.contains(&(16 * 60 + 45))
    );

    app.wait_for_message(&format!(
        "Usajili {p}: Huduma Centre GPO is closed at your time. New time: "
    ))
    .await;
    // It names where to change it: the web address and the USSD code.
    app.wait_for_message(". Change at usajili.go.ke or dial *384*4321#.")
        .await;
    app.wait_for_message(&format!(
        "Usajili {a}: Huduma Centre GPO is closed at your time."
    ))
    .await;
    assert_eq!(app.audited("capacity.closure").await, 1);
}

#[tokio::test]
async fn fewer_counters_move_the_latest_booked_and_a_closure_with_no_room_left_asks_people_to_rebook()
 {
    let app = console().await;
    let supervisor = app
        .signed_in_staff("supervisor@gpo.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    // The last bookable day: nothing is free after it.
    let day = open_weekday(today().add_days(1));
    let horizon = (day.days_since_epoch() - today().days_since_epoch()).to_string();
    let peter = app.verified_applicant("0712000041", &PETER).await;
    let amina = app.verified_applicant("0712000042", &AMINA).await;
    app.booked_directly(&peter, "gpo", "enrolment", day, 9 * 60)
        .await;
    app.booked_directly(&amina, "gpo", "enrolment", day, 9 * 60)
        .await;

    let mut rules: Vec<(&'static str, String)> = vec![
        ("counters", "1".into()),
        ("slot_minutes", "15".into()),
        ("horizon_days", horizon.clone()),
    ];
    for (opens, closes) in [
        ("opens-0", "closes-0"),
        ("opens-1", "closes-1"),
        ("opens-2", "closes-2"),
        ("opens-3", "closes-3"),
        ("opens-4", "closes-4"),
    ] {
        rules.push((opens, "08:00".into()));
        rules.push((closes, "17:00".into()));
    }
    let (status, preview) = post(&supervisor, "/staff/capacity/rules", &rules, None).await;
    assert_eq!(status, StatusCode::OK, "{}", summary_of(&preview));
    assert!(
        preview.contains("data-moved=\"1\" data-rebook=\"0\""),
        "{preview}"
    );
    assert_eq!(
        post(&supervisor, "/staff/capacity/rules", &rules, Some("yes"))
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let mut slots: Vec<i64> = [live(&app, &peter).await, live(&app, &amina).await]
        .concat()
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    slots.sort();
    assert_eq!(
        slots,
        vec![9 * 60, 9 * 60 + 15],
        "one counter: the later-made booking moves one slot on"
    );
    let (counters, horizon_days): (i64, i64) =
        sqlx::query_as("SELECT counters, horizon_days FROM centres WHERE id = 'gpo'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((counters, horizon_days.to_string()), (1, horizon));
    let saturday: Option<i64> = sqlx::query_scalar(
        "SELECT opens FROM centre_hours WHERE centre_id = 'gpo' AND weekday = 5",
    )
    .fetch_optional(&app.db)
    .await
    .unwrap();
    assert_eq!(saturday, None, "Saturday left empty: closed");

    // Closing that whole day leaves nowhere before the horizon.
    let pairs = closure_pairs(day, None);
    let (_, preview) = post(&supervisor, "/staff/capacity/closures", &pairs, None).await;
    assert!(
        preview.contains("data-moved=\"0\" data-rebook=\"2\""),
        "{preview}"
    );
    post(&supervisor, "/staff/capacity/closures", &pairs, Some("yes")).await;
    assert!(live(&app, &peter).await.is_empty() && live(&app, &amina).await.is_empty());
    assert_eq!(
        app.application_state(&peter).await,
        "verified",
        "free to book again"
    );
    let p = app.reference_of(&peter).await;
    app.wait_for_message(&format!(
        "Usajili {p}: Huduma Centre GPO is closed at your time and no other time is free. \
         Book again at usajili.go.ke or dial *384*4321#."
    ))
    .await;
}

#[tokio::test]
async fn capacity_is_a_supervisors_own_centre_and_bad_input_is_named_at_the_field() {
    let app = console().await;
    let officer = app
        .signed_in_staff("officer@gpo.go.ke", Role::Officer, Some("gpo"))
        .await;
    let supervisor = app
        .signed_in_staff("supervisor@gpo.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let other = app
        .signed_in_staff("supervisor@kibra.go.ke", Role::Supervisor, Some("kibra"))
        .await;
    let day = open_weekday(today().add_days(3));
    let pairs = closure_pairs(day, None);

    // Refused with a page of the console: its bar, why, and the way back;
    // never the citizens' sign-in.
    let (status, refused) = officer.page("/staff/capacity").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        refused.contains("Only a centre supervisor can do this."),
        "{refused}"
    );
    assert!(refused.contains("data-testid=\"staff-email\""), "{refused}");
    assert!(
        refused.contains("<a href=\"/staff\">Back to the day&#x27;s list</a>")
            || refused.contains("<a href=\"/staff\">Back to the day's list</a>"),
        "{refused}"
    );
    assert!(!refused.contains("sign-in-link"), "{refused}");
    let (status, refused) = supervisor.page("/staff/outbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        refused.contains("Only an administrator can do this."),
        "{refused}"
    );
    assert!(refused.contains("data-testid=\"staff-email\""), "{refused}");
    assert_eq!(
        post(&officer, "/staff/capacity/closures", &pairs, Some("yes"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        Browser::new(&app).get("/staff/capacity").await.status(),
        StatusCode::SEE_OTHER
    );

    // A supervisor's own centre, whatever the form says.
    let mut elsewhere = pairs.clone();
    elsewhere.push(("centre", "kibra".into()));
    post(
        &supervisor,
        "/staff/capacity/closures",
        &elsewhere,
        Some("yes"),
    )
    .await;
    let (id, centre): (String, String) = sqlx::query_as("SELECT id, centre_id FROM closures")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(centre, "gpo");
    let reopen = format!("/staff/capacity/closures/{id}/reopen");
    assert_eq!(
        other.post(&reopen, &[]).await.status(),
        StatusCode::NOT_FOUND,
        "another centre's closure"
    );
    assert_eq!(
        supervisor.post(&reopen, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.rows_in("closures").await, 0);

    let (status, page) = supervisor
        .post_text(
            "/staff/capacity/closures",
            &[
                ("closure-day", "31"),
                ("closure-month", "2"),
                ("closure-year", "2027"),
                ("span", "part"),
                ("from", "2pm"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = summary_of(&page);
    for message in [
        "Enter the day to close as a real date",
        "Enter a time on the 24-hour clock",
        "Enter the reason for the closure",
    ] {
        assert!(summary.contains(message), "{summary}");
    }
    assert!(
        page.contains("href=\"#closure-day\""),
        "the summary links to the day field"
    );
    assert!(page.contains("value=\"2pm\""), "what was typed is kept");
    let (status, page) = supervisor
        .post_text(
            "/staff/capacity/rules",
            &[
                ("counters", "0"),
                ("slot_minutes", "15"),
                ("horizon_days", "30"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&page).contains("Enter the number of counters, from 1 to 64"));
    assert_eq!(app.counters_at("gpo").await, 4, "nothing changed");
}

#[tokio::test]
async fn confirming_the_same_closure_twice_at_once_makes_one_closure() {
    let app = console().await;
    let supervisor = app
        .signed_in_staff("supervisor@gpo.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let day = open_weekday(today().add_days(4));
    let peter = app.verified_applicant("0712000041", &PETER).await;
    app.booked_directly(&peter, "gpo", "enrolment", day, 14 * 60)
        .await;
    let pairs = closure_pairs(day, Some(("13:00", "17:00")));
    let mut all: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.push(("confirm", "yes"));
    // A double submit, and then some: the same closure confirmed at once.
    let answers = futures::future::join_all(
        (0..8).map(|_| supervisor.post("/staff/capacity/closures", &all)),
    )
    .await;
    for answer in &answers {
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.rows_in("closures").await, 1, "one closure");
    assert_eq!(
        app.rows_in("bookings WHERE status = 'moved' AND live = 0")
            .await,
        1,
        "moved once"
    );
    assert_eq!(live(&app, &peter).await.len(), 1);

    // Confirmed again later: still one. Another span that day is another closure.
    supervisor.post("/staff/capacity/closures", &all).await;
    assert_eq!(app.rows_in("closures").await, 1);
    let morning = closure_pairs(day, Some(("08:00", "10:00")));
    post(
        &supervisor,
        "/staff/capacity/closures",
        &morning,
        Some("yes"),
    )
    .await;
    assert_eq!(app.rows_in("closures").await, 2);
}
