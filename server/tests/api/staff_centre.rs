//! The supervisor's side of the console: cards ready (pasted and as a CSV,
//! then the message and the collection booking), the day's list as CSV,
//! and the dashboard's figures.

use crate::browser::*;
use crate::fixtures::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use usajili::staff::Role;

/// A verified applicant whose biometrics were captured at GPO's counter.
async fn enrolled(app: &crate::helpers::TestApp, phone: &str, person: &Person) -> String {
    let id = app.verified_applicant(phone, person).await;
    app.enrolled_at(&id, "gpo").await;
    id
}

/// Each reference's outcome on a cards-ready results page.
fn outcome_in(page: &str, reference: &str) -> Option<String> {
    page.split(&format!("<code>{reference}</code>"))
        .next()
        .and_then(|before| before.rsplit("data-outcome=\"").next())
        .map(|s| s.split('"').next().unwrap_or("").to_string())
}

fn batch(pasted: &str, csv: Option<&str>) -> Form {
    let form = Form::new().text("references", pasted.to_string());
    match csv {
        Some(csv) => form.part(
            "file",
            Part::bytes(csv.as_bytes().to_vec())
                .file_name("delivery.csv")
                .mime_str("text/csv")
                .unwrap(),
        ),
        None => form,
    }
}

#[tokio::test]
async fn cards_marked_ready_notify_the_citizen_who_then_books_a_collection() {
    let app = console().await;
    let wanjiru = enrolled(&app, "0712000021", &WANJIRU).await;
    let peter = enrolled(&app, "0712000022", &PETER).await;
    let amina = app.verified_applicant("0712000023", &AMINA).await;
    let supervisor = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    assert_eq!(
        officer.get("/staff/cards-ready").await.status(),
        StatusCode::FORBIDDEN
    );

    let response = supervisor
        .client
        .post(app.url("/staff/cards-ready"))
        .multipart(batch("", None))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(summary_of(&response.text().await.unwrap()).contains("Paste at least one reference"));

    let (w, p, a) = (
        app.reference_of(&wanjiru).await,
        app.reference_of(&peter).await,
        app.reference_of(&amina).await,
    );
    let mut typo = w.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'A' { 'B' } else { 'A' });
    let pasted = format!("{w}\n{a}, {typo}");
    let csv = format!("reference,name\n{p},Peter Kamau\n{w},again\n");
    let response = supervisor
        .client
        .post(app.url("/staff/cards-ready"))
        .multipart(batch(&pasted, Some(&csv)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let outcome = |reference: &str| outcome_in(&page, reference);
    assert_eq!(outcome(&w).as_deref(), Some("ready"));
    assert_eq!(outcome(&p).as_deref(), Some("ready"), "read from the CSV");
    assert_eq!(outcome(&a).as_deref(), Some("not_at_centre"));
    assert_eq!(outcome(&typo).as_deref(), Some("mistyped"));
    assert_eq!(app.application_state(&wanjiru).await, "card_ready");
    assert_eq!(
        app.application_state(&amina).await,
        "verified",
        "not enrolled: unchanged"
    );
    let centre: String =
        sqlx::query_scalar("SELECT card_centre_id FROM applications WHERE id = $1")
            .bind(&peter)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(centre, "gpo");

    // The same batch again changes nothing and sends nothing more.
    supervisor
        .client
        .post(app.url("/staff/cards-ready"))
        .multipart(batch(&pasted, None))
        .send()
        .await
        .unwrap();
    assert_eq!(app.queued_messages("card_ready").await, 2);
    for _ in 0..100 {
        if app.messages().contains(&format!(
            "Usajili {p}: your ID card is ready at Huduma Centre GPO. \
             Book a time to collect it at usajili.go.ke or dial *384*4321#."
        )) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        app.messages().contains(&format!(
            "Usajili {p}: your ID card is ready at Huduma Centre GPO. \
             Book a time to collect it at usajili.go.ke or dial *384*4321#."
        )),
        "{}",
        app.messages()
    );

    // Wanjiru books her collection online, at GPO only.
    let citizen = app.signed_in_citizen("0712000021").await;
    let (_, page) = citizen.page(&format!("/applications/{wanjiru}")).await;
    assert!(page.contains("Book a time to collect your card"));
    let day = crate::booking::open_weekday(0);
    let path = crate::booking::centre_path(&wanjiru, "gpo");
    let (status, _) = citizen
        .post_text(
            &path,
            &[
                ("day", &day.to_string()),
                ("slot", "09:00"),
                ("replaces", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.live_booking(&wanjiru).await.1, "collection");
    let trail = usajili::audit::Audit {
        db: &app.db,
        cipher: &app.cipher,
    }
    .trail(Some("gpo"), 50)
    .await
    .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "cards.ready" && e.detail.as_deref() == Some("2 marked of 4")),
        "{trail:?}"
    );
    // One event per card marked ready, naming its application.
    for id in [&wanjiru, &peter] {
        assert_eq!(
            trail
                .iter()
                .filter(|e| e.action == "card.ready" && e.record_id.as_deref() == Some(id))
                .count(),
            1,
            "{trail:?}"
        );
    }
    assert_eq!(app.audited("card.ready").await, 2);
}

#[tokio::test]
async fn cards_ready_for_another_centres_applicant_is_refused() {
    let app = console().await;
    // Peter enrolled at Mombasa; Amina is verified but enrolled nowhere.
    let peter = app.verified_applicant("0712000032", &PETER).await;
    app.enrolled_at(&peter, "mombasa").await;
    let amina = app.verified_applicant("0712000033", &AMINA).await;
    let supervisor = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let (p, a) = (
        app.reference_of(&peter).await,
        app.reference_of(&amina).await,
    );
    // A well-formed reference that no application has.
    let unknown = (0u8..)
        .map(|n| {
            app::identifiers::ApplicationReference::from_random([n, 7, 7, 7, 7, 7, 7]).to_string()
        })
        .find(|candidate| *candidate != p && *candidate != a)
        .unwrap();
    let response = supervisor
        .client
        .post(app.url("/staff/cards-ready"))
        .multipart(batch(&format!("{p}\n{a}\n{unknown}"), None))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    // One answer for all three: nothing tells them apart.
    let rows: Vec<&str> = page
        .split("data-testid=\"card-result\"")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{page}");
    for (reference, row) in [&p, &a, &unknown].into_iter().zip(&rows) {
        assert_eq!(
            outcome_in(&page, reference).as_deref(),
            Some("not_at_centre")
        );
        assert_eq!(
            row.replace(reference.as_str(), "REF"),
            rows[0].replace(p.as_str(), "REF"),
            "the same row for every reference"
        );
        assert!(row.contains("Not at this centre"), "{row}");
    }
    // Peter's card stays where it was enrolled, unmarked and unannounced.
    assert_eq!(app.application_state(&peter).await, "biometrics_captured");
    let centre: Option<String> =
        sqlx::query_scalar("SELECT card_centre_id FROM applications WHERE id = $1")
            .bind(&peter)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(centre, None);
    assert_eq!(app.application_state(&amina).await, "verified");
    assert_eq!(app.queued_messages("card_ready").await, 0);
    assert_eq!(app.audited("card.ready").await, 0);

    // Mombasa's own supervisor marks it ready there.
    let mombasa = app
        .signed_in_staff("sup-msa@kenya.go.ke", Role::Supervisor, Some("mombasa"))
        .await;
    let response = mombasa
        .client
        .post(app.url("/staff/cards-ready"))
        .multipart(batch(&p, None))
        .send()
        .await
        .unwrap();
    let page = response.text().await.unwrap();
    assert_eq!(outcome_in(&page, &p).as_deref(), Some("ready"));
    assert_eq!(app.application_state(&peter).await, "card_ready");
}

#[tokio::test]
async fn the_day_list_downloads_as_csv_and_the_download_is_audited() {
    let app = console().await;
    let id = app.verified_applicant("0712000024", &WANJIRU).await;
    app.booked_directly(&id, "gpo", "enrolment", today(), later_today())
        .await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let response = officer
        .get(&format!("/staff/export.csv?day={}", today()))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("usajili-gpo-")
    );
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("time,reference,name,visit,status\r\n"));
    assert!(
        csv.contains("\"Wanjiru Njeri Mwangi\",\"enrolment\",\"Booked\""),
        "{csv}"
    );
    // An officer's export is always their own centre's, whatever is asked.
    let other = app
        .signed_in_staff("kibra@kenya.go.ke", Role::Officer, Some("kibra"))
        .await;
    let csv = other
        .get("/staff/export.csv?centre=gpo")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("Wanjiru"));
    let trail = usajili::audit::Audit {
        db: &app.db,
        cipher: &app.cipher,
    }
    .trail(Some("gpo"), 50)
    .await
    .unwrap();
    assert!(trail.iter().any(|e| e.action == "visits.export"
        && e.detail.as_deref().is_some_and(|d| d.ends_with("1 rows"))));
}

#[tokio::test]
async fn the_dashboard_shows_fourteen_days_against_capacity_no_shows_and_uncollected_cards() {
    let app = console().await;
    let wanjiru = app.verified_applicant("0712000025", &WANJIRU).await;
    let peter = enrolled(&app, "0712000026", &PETER).await;
    let tomorrow = today().add_days(1);
    app.booked_directly(&wanjiru, "gpo", "enrolment", tomorrow, 540)
        .await;
    // Ready three days ago: a backdated row, as three days of the app's
    // clock would end the officer's session (see fixtures.rs).
    app.card_ready_at(&peter, "gpo", now() - 3 * 86_400).await;
    let officer = app
        .signed_in_staff("off@kenya.go.ke", Role::Officer, Some("gpo"))
        .await;
    let (status, page) = officer.page("/staff/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("data-testid=\"load-row\"").count(), 14);
    assert!(page.contains("data-testid=\"load-chart\"") && page.contains("<title"));
    let counters = app.counters_at("gpo").await;
    let tomorrow_row = page
        .split(&app::calendar::day_label(tomorrow, app::i18n::Locale::en))
        .nth(1)
        .unwrap();
    let cells: Vec<&str> = tomorrow_row
        .split("<td>")
        .skip(1)
        .take(2)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(cells[0], "1", "one booking tomorrow");
    let capacity: i64 = cells[1].parse().unwrap();
    assert!(
        capacity == 0 || capacity % counters == 0,
        "slots times counters: {capacity}"
    );
    assert!(page.contains("data-testid=\"uncollected-total\">1<"));
    assert!(page.contains(&app.reference_of(&peter).await));
    assert!(page.contains("<td>3</td>"), "waiting three days");
}
