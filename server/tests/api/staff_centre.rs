//! The supervisor's side of the console: cards ready (pasted and as a CSV,
//! then the message and the collection booking), the day's list as CSV,
//! and the dashboard's figures.

use crate::browser::*;
use crate::staff::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use usajili::staff::Role;

async fn enrolled(app: &crate::helpers::TestApp, phone: &str, person: &Person) -> String {
    let id = verified(app, phone, person).await;
    sqlx::query("UPDATE applications SET state = 'biometrics_captured' WHERE id = $1")
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap();
    id
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
    let amina = verified(&app, "0712000023", &AMINA).await;
    let supervisor = staff(&app, "sup@kenya.go.ke", Role::Supervisor, Some("gpo")).await;
    let officer = staff(&app, "off@kenya.go.ke", Role::Officer, Some("gpo")).await;
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
        reference_of(&app, &wanjiru).await,
        reference_of(&app, &peter).await,
        reference_of(&app, &amina).await,
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
    let outcome = |reference: &str| {
        page.split(&format!("<code>{reference}</code>"))
            .next()
            .and_then(|before| before.rsplit("data-outcome=\"").next())
            .map(|s| s.split('"').next().unwrap_or("").to_string())
    };
    assert_eq!(outcome(&w).as_deref(), Some("ready"));
    assert_eq!(outcome(&p).as_deref(), Some("ready"), "read from the CSV");
    assert_eq!(outcome(&a).as_deref(), Some("not_enrolled"));
    assert_eq!(outcome(&typo).as_deref(), Some("mistyped"));
    assert_eq!(application_state(&app, &wanjiru).await, "card_ready");
    assert_eq!(
        application_state(&app, &amina).await,
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
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'card_ready'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(queued, 2);
    for _ in 0..100 {
        if app.messages().contains(&format!(
            "Usajili {p}: your ID card is ready at Huduma Centre GPO"
        )) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        app.messages().contains(&format!(
            "Usajili {p}: your ID card is ready at Huduma Centre GPO"
        )),
        "{}",
        app.messages()
    );

    // Wanjiru books her collection online, at GPO only.
    let citizen = Browser::new(&app);
    citizen.sign_in("0712000021").await;
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
    let kind: String =
        sqlx::query_scalar("SELECT kind FROM bookings WHERE application_id = $1 AND live = 1")
            .bind(&wanjiru)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(kind, "collection");
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
}

#[tokio::test]
async fn the_day_list_downloads_as_csv_and_the_download_is_audited() {
    let app = console().await;
    let id = verified(&app, "0712000024", &WANJIRU).await;
    book(&app, &id, "gpo", "enrolment", today(), later_today()).await;
    let officer = staff(&app, "off@kenya.go.ke", Role::Officer, Some("gpo")).await;
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
    let other = staff(&app, "kibra@kenya.go.ke", Role::Officer, Some("kibra")).await;
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
    let wanjiru = verified(&app, "0712000025", &WANJIRU).await;
    let peter = enrolled(&app, "0712000026", &PETER).await;
    let tomorrow = today().add_days(1);
    book(&app, &wanjiru, "gpo", "enrolment", tomorrow, 540).await;
    sqlx::query("UPDATE applications SET state = 'card_ready', card_centre_id = 'gpo', updated_at = $2 WHERE id = $1")
        .bind(&peter)
        .bind(now() - 3 * 86_400)
        .execute(&app.db)
        .await
        .unwrap();
    let officer = staff(&app, "off@kenya.go.ke", Role::Officer, Some("gpo")).await;
    let (status, page) = officer.page("/staff/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("data-testid=\"load-row\"").count(), 14);
    assert!(page.contains("data-testid=\"load-chart\"") && page.contains("<title"));
    let counters: i64 = sqlx::query_scalar("SELECT counters FROM centres WHERE id = 'gpo'")
        .fetch_one(&app.db)
        .await
        .unwrap();
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
    assert!(page.contains(&reference_of(&app, &peter).await));
    assert!(page.contains("<td>3</td>"), "waiting three days");
}
