//! Citizens signing in and applying, through the real server and the real
//! database (SQLite or PostgreSQL), with codes read from the `log` message
//! transport's file as a developer would read them.

use crate::browser::*;
use crate::children::MISMATCH;
use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::StatusCode;

// ---- sign-in -----------------------------------------------------------------

#[tokio::test]
async fn a_citizen_signs_in_with_a_code_and_the_session_id_changes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    let before = browser.post("/sign-in/code", &[("code", "000000")]).await;
    let cookie_before = set_cookie_value(&before);

    let response = browser
        .post(
            "/sign-in/code",
            &[("code", &format!("{} {}", &code[..3], &code[3..]))],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert_ne!(
        Some(cookie_value(&set_cookie)),
        cookie_before,
        "the session id is rotated at sign-in"
    );
    let (status, body) = browser.page("/applications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("data-testid=\"sign-out\""));
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or("").to_string()
}

fn set_cookie_value(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(cookie_value)
}

#[tokio::test]
async fn codes_are_kept_only_as_hashes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT code_hash, contact FROM sign_in_codes")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].0.contains(&code));
    assert!(!String::from_utf8_lossy(&rows[0].1).contains("712345678"));
}

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..4 {
        let (status, body) = browser.post_text("/sign-in/code", &[("code", wrong)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("That code is not right"),
            "{}",
            summary_of(&body)
        );
    }
    let (_, body) = browser.post_text("/sign-in/code", &[("code", wrong)]).await;
    assert!(
        body.contains("expired or was tried too many times"),
        "{}",
        summary_of(&body)
    );

    let (status, body) = browser.post_text("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the right code no longer works"
    );
    assert!(body.contains("expired or was tried too many times"));
}

#[tokio::test]
async fn a_code_expires_after_five_minutes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    app.advance(5 * 60);
    let (status, body) = browser.post_text("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("expired"));
}

#[tokio::test]
async fn a_fourth_code_in_ten_minutes_is_refused_with_429() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    for _ in 0..3 {
        browser.request_code("0712345678").await;
    }
    let (status, body) = browser
        .post_text("/sign-in", &[("contact", "+254 712 345 678")])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Wait 10 minutes"), "{}", summary_of(&body));
    // Another contact is not affected.
    browser.request_code("0722000000").await;
}

#[tokio::test]
async fn one_connection_asking_for_too_many_codes_gets_429() {
    let app = spawn_app_with(|c| c.sign_in.per_connection = 2).await;
    let browser = Browser::new(&app);
    browser.request_code("0712345678").await;
    browser.request_code("0722000000").await;
    let (status, body) = browser
        .post_text("/sign-in", &[("contact", "0733000000")])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("from this connection"));
}

#[tokio::test]
async fn fifty_requests_at_once_from_one_connection_get_exactly_its_limit_of_codes() {
    let app = spawn_app_with(|c| c.sign_in.per_connection = 10).await;
    let browsers: Vec<Browser> = (0..50).map(|_| Browser::new(&app)).collect();
    let contacts: Vec<String> = (0..50).map(|i| format!("07120000{i:02}")).collect();
    let answers = futures::future::join_all(browsers.iter().zip(&contacts).map(
        |(b, contact)| async move { b.post("/sign-in", &[("contact", contact.as_str())]).await },
    ))
    .await;
    let let_in = answers
        .iter()
        .filter(|r| r.status() == StatusCode::SEE_OTHER)
        .count();
    let refused = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((let_in, refused), (10, 40));
    assert_eq!(app.rows_in("sign_in_codes").await, 10);
}

#[tokio::test]
async fn the_answer_is_the_same_for_a_known_and_an_unknown_contact() {
    let app = spawn_app().await;
    Browser::new(&app).sign_in("0712345678").await;

    let known = Browser::new(&app);
    let unknown = Browser::new(&app);
    let a = known.post("/sign-in", &[("contact", "0712345678")]).await;
    let b = unknown.post("/sign-in", &[("contact", "0799999999")]).await;
    assert_eq!((a.status(), location(&a)), (b.status(), location(&b)));
    let (a, b) = (
        known.page("/sign-in/code").await,
        unknown.page("/sign-in/code").await,
    );
    assert_eq!(a.0, b.0);
    // The whole page, but for the number typed (its digits).
    let strip = |body: &str| {
        body.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    assert_eq!(strip(&a.1), strip(&b.1));
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("grace@example.com").await;
    let response = browser.post("/sign-out", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = browser.get("/applications").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn thirty_idle_minutes_end_the_session() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let expires: i64 = sqlx::query_scalar("SELECT MAX(expires_at) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let now = usajili::clock::unix_now();
    assert!(
        (now + 29 * 60..=now + 31 * 60).contains(&expires),
        "idle expiry is 30 minutes"
    );
    app.advance(30 * 60 + 1);
    let response = browser.get("/applications").await;
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("contact", "0712345678")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

// ---- tasks ---------------------------------------------------------------------

#[tokio::test]
async fn the_application_pages_need_a_signed_in_citizen() {
    let app = spawn_app().await;
    for path in [
        "/applications",
        "/applications/abc",
        "/applications/abc/about-you",
    ] {
        let response = app.get(path).await;
        assert_eq!(location(&response), "/sign-in", "{path}");
    }
}

#[tokio::test]
async fn each_task_reports_its_problems_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    // (task, fields typed, problems shown)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [&'a str]);
    let cases: [Case; 5] = [
        (
            "about-you",
            vec![
                ("surname", "<b>Mwangi</b>"),
                ("given-names", ""),
                ("dob-day", "30"),
                ("dob-month", "2"),
                ("dob-year", "2000"),
                ("location", "Kibra"),
            ],
            &[
                "Name must only include letters",
                "Enter the name.",
                "Select your sex",
                "Enter a real date of birth",
                "Select a county.",
            ],
        ),
        (
            "birth-certificate",
            vec![("birth-certificate", "12AB")],
            &["Enter the entry number as 4 to 10 digits"],
        ),
        (
            "documents",
            vec![("kra-pin", "P051234567X"), ("passport", "")],
            &["That is a company PIN"],
        ),
        (
            "contact",
            vec![("phone", "020 2222222"), ("email", "not-an-email")],
            &[
                "That is not a mobile number",
                "Enter an email address in the correct format",
                "Select the language",
            ],
        ),
        (
            "parents",
            vec![
                ("mother-status", "known"),
                ("mother-name", "Mary"),
                ("father-status", ""),
            ],
            &[
                "Enter your ID number.",
                "Select whether you know this parent",
            ],
        ),
    ];
    for (task, pairs, messages) in cases {
        let (status, body) = browser
            .post_text(&format!("/applications/{id}/{task}"), &pairs)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{task}");
        assert!(body.contains("data-testid=\"error-summary\""), "{task}");
        for message in messages {
            assert!(
                body.contains(message),
                "{task}: {message} not in {}",
                summary_of(&body)
            );
        }
    }
    // What was typed comes back, escaped.
    let (_, body) = browser
        .post_text(
            &format!("/applications/{id}/about-you"),
            &[("surname", "<b>Mwangi</b>")],
        )
        .await;
    assert!(body.contains("value=\"&lt;b&gt;Mwangi&lt;/b&gt;\""));
    assert!(!body.contains("<b>Mwangi"));
    // Nothing was saved.
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert!(page.contains("0 / 6"), "no task is complete");
}

#[tokio::test]
async fn hostile_requests_get_a_clear_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    // 10 MB of form.
    let huge = "a".repeat(10 * 1024 * 1024);
    let response = browser
        .client
        .post(app.url(&format!("/applications/{id}/about-you")))
        .form(&[("surname", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The wrong content type.
    let response = browser
        .client
        .post(app.url(&format!("/applications/{id}/about-you")))
        .header("content-type", "application/json")
        .body("{\"surname\":\"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(response.text().await.unwrap().contains("web form"));
    // SQL and control characters are just wrong names.
    let (status, _) = browser
        .post_text(
            &format!("/applications/{id}/about-you"),
            &[("surname", "x'); DROP TABLE applications; --\u{0}")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.rows_in("applications").await, 1);
}

#[tokio::test]
async fn answers_are_stored_encrypted() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    browser.complete(&id, &WANJIRU).await;
    let (answers, photo): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT answers, photo FROM applications")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let text = String::from_utf8_lossy(&answers);
    for plain in ["Mwangi", "Wanjiru", "1000500", "712345678", "Kibra"] {
        assert!(!text.contains(plain), "{plain} is in the clear");
    }
    assert!(
        !photo.starts_with(&[0xFF, 0xD8, 0xFF]),
        "the photo is encrypted"
    );
    let accounts: Vec<Vec<u8>> = sqlx::query_scalar("SELECT contact FROM accounts")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&accounts[0]).contains("712345678"));
}

// ---- photos --------------------------------------------------------------------

#[tokio::test]
async fn photos_are_checked_from_their_bytes_and_re_encoded_without_exif() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;

    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let response = browser.upload_photo(&id, gif, "me.jpg", "image/jpeg").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("must be a JPEG or PNG")
    );

    let response = browser
        .upload_photo(
            &id,
            vec![0xFF; 2 * 1024 * 1024 + 10],
            "big.jpg",
            "image/jpeg",
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("2 MB or smaller"));

    let response = browser
        .upload_photo(&id, png(20, 20), "tiny.png", "image/png")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _) = browser
        .post_text(&format!("/applications/{id}/photo"), &[("photo", "x")])
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A JPEG with an EXIF block (a camera name and GPS-like text).
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        300,
        300,
        image::Rgb([200, 180, 160]),
    ))
    .write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let payload = b"Exif\0\0SECRET-CAMERA GPS 1.2921S 36.8219E";
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(payload);
    with_exif.extend_from_slice(&jpeg[2..]);
    let response = browser
        .upload_photo(&id, with_exif, "photo.png", "image/png")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let response = browser.get(&format!("/applications/{id}/photo.jpg")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let stored = response.bytes().await.unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8]));
    assert!(!stored.windows(6).any(|w| w == b"SECRET"), "EXIF is gone");
}

// ---- submission ----------------------------------------------------------------

#[tokio::test]
async fn a_complete_application_is_verified_and_gets_a_reference() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    browser.complete(&id, &WANJIRU).await;

    let (status, body) = browser
        .page(&format!("/applications/{id}/check-answers"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Wanjiru Njeri") && body.contains("29 / 2 / 2000"));
    let (status, body) = browser
        .post_text(&format!("/applications/{id}/declaration"), &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Confirm the declaration"));

    let (status, _) = browser.submit(&id).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&body), "Verified");
    let reference = app.reference_of(&id).await;
    assert!(
        app::identifiers::ApplicationReference::parse(&reference).is_ok(),
        "{reference}"
    );
    assert!(body.contains(&reference));
    let consent: (String, String) = sqlx::query_as("SELECT notice_version, method FROM consents")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(consent.0, app::application::NOTICE_VERSION);
    // No more changes once verified.
    let response = browser
        .post(
            &format!("/applications/{id}/about-you"),
            &WANJIRU.about_you(),
        )
        .await;
    assert_eq!(location(&response), format!("/applications/{id}"));
}

#[tokio::test]
async fn each_verification_outcome_reaches_the_status_page() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let cases = [
        (
            Person {
                surname: "Mwangi",
                given: "Wanjiru",
                ..WANJIRU
            },
            "Needs your attention",
            MISMATCH,
        ),
        (
            Person {
                surname: "Mwangl",
                ..WANJIRU
            },
            "Needs your attention",
            MISMATCH,
        ),
        (
            Person {
                dob: ("28", "2", "2000"),
                ..WANJIRU
            },
            "Needs your attention",
            MISMATCH,
        ),
        (
            Person {
                birth_cert: "9999999",
                ..WANJIRU
            },
            "Needs your attention",
            MISMATCH,
        ),
        (
            Person {
                surname: "Otieno",
                given: "Grace Achieng",
                dob: ("12", "4", "1988"),
                birth_cert: "1000001",
                sex: "F",
            },
            "Needs your attention",
            "already been issued",
        ),
        (
            Person {
                surname: "Wafula",
                given: "Joseph",
                dob: ("1", "1", "1950"),
                birth_cert: "1000200",
                sex: "M",
            },
            "Needs your attention",
            MISMATCH,
        ),
        (
            Person {
                surname: "Otieno",
                given: "Baraka Odhiambo",
                dob: ("15", "6", "2015"),
                birth_cert: "1000101",
                sex: "M",
            },
            "Needs your attention",
            "under 18",
        ),
    ];
    for (n, (person, state, text)) in cases.iter().enumerate() {
        // One active application per birth certificate: clear the last case's.
        app.forget_every_application().await;
        let browser = app.signed_in_citizen(&format!("07120000{n:02}")).await;
        let id = browser.start().await;
        browser.complete(&id, person).await;
        let (status, _) = browser.submit(&id).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, body) = browser.page(&format!("/applications/{id}")).await;
        assert_eq!(state_of(&body), *state, "{text}");
        assert!(body.contains(text), "{text}");
    }
}

#[tokio::test]
async fn needs_attention_can_be_corrected_and_resubmitted() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    browser
        .complete(
            &id,
            &Person {
                surname: "Mwangl",
                ..WANJIRU
            },
        )
        .await;
    browser.submit(&id).await;
    let (_, body) = browser.page(&format!("/applications/{id}")).await;
    assert!(
        body.contains(&format!("/applications/{id}/check-answers")),
        "links to the answers, not to the field at fault"
    );
    assert!(!body.contains(&format!("/applications/{id}/about-you#surname")));
    let first = app.reference_of(&id).await;

    browser.save(&id, "about-you", &WANJIRU.about_you()).await;
    browser.submit(&id).await;

    let (_, body) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&body), "Verified");
    let second = app.reference_of(&id).await;
    assert_eq!(first, second, "the reference stays the same");
}

#[tokio::test]
async fn an_unreachable_registry_leaves_the_application_pending() {
    let app = spawn_app_with(|c| {
        c.registry = usajili::config::RegistryKind::Http;
        c.registry_url = Some("http://127.0.0.1:9".to_string());
        c.registry_api_key = Some("key".to_string().into());
        c.verification_retry_secs = 3600;
    })
    .await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    browser.complete(&id, &WANJIRU).await;
    let (status, _) = browser.submit(&id).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&body), "Waiting for verification");
    assert!(body.contains("You do not need to do anything"));
}

/// What anyone is told of a birth certificate another application holds,
/// at its task and at the declaration alike.
const IN_USE: &str = "An application for this birth certificate is already under way";

/// The status of `task` on the task list.
fn task_status(page: &str, task: &str) -> String {
    page.split(&format!("id=\"{task}-status\""))
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .and_then(|(_, s)| s.split('<').next())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn a_second_active_application_for_the_same_birth_certificate_is_refused() {
    let app = spawn_app().await;
    with_registry(&app).await;
    // Two drafts for Wanjiru's certificate, each with every task done while
    // the certificate was free.
    let first = app.signed_in_citizen("0712345678").await;
    let id = first.start().await;
    first.complete(&id, &WANJIRU).await;
    let second = app.signed_in_citizen("0722000000").await;
    let other = second.start().await;
    second.complete(&other, &WANJIRU).await;
    first.submit(&id).await;

    // The first was verified and holds it: the second is refused at the end.
    let (status, body) = second.submit(&other).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(IN_USE), "{body}");
    assert!(!body.contains("check its status"), "not another's status");
    let states: Vec<String> =
        sqlx::query_scalar("SELECT state FROM applications ORDER BY created_at")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(states.iter().filter(|s| *s == "verified").count(), 1);
}

#[tokio::test]
async fn a_birth_certificate_in_use_is_told_at_its_task_to_anyone_in_the_same_words_and_counted() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let (_owner, _) = app.verified_citizen("0712345678").await;

    // Anyone who enters Wanjiru's certificate now is told at its task, with
    // what to do, in the words the declaration uses; the task stays undone.
    let someone = app.signed_in_citizen("0722000000").await;
    let id = someone.start().await;
    let task = format!("/applications/{id}/birth-certificate");
    let (status, body) = someone
        .post_text(&task, &[("birth-certificate", WANJIRU.birth_cert)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(summary_of(&body).contains(IN_USE), "{}", summary_of(&body));
    assert!(body.contains("Huduma Centre") && body.contains("sign in with"));
    let (_, page) = someone.page(&format!("/applications/{id}")).await;
    assert_eq!(task_status(&page, "birth-certificate"), "Not yet started");

    // In Kiswahili, the same answer in the reader's language.
    someone.get("/language/sw").await;
    let (status, body) = someone
        .post_text(&task, &[("birth-certificate", WANJIRU.birth_cert)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Tayari kuna ombi linaloendelea"),
        "{}",
        summary_of(&body)
    );

    // A free certificate is saved, as often as it is entered: nothing counted.
    for _ in 0..6 {
        someone
            .save(
                &id,
                "birth-certificate",
                &[("birth-certificate", "1000001")],
            )
            .await;
    }

    // Each "in use" counted as a failed match: after five, nothing is told
    // (the certificate is kept, like any other), and the declaration gives
    // the tries' notice.
    for _ in 0..3 {
        let (status, _) = someone
            .post_text(&task, &[("birth-certificate", WANJIRU.birth_cert)])
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    someone.complete(&id, &WANJIRU).await;
    let (status, body) = someone.submit(&id).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("data-testid=\"tries-used\""), "{body}");
}

#[tokio::test]
async fn a_closed_outcome_says_one_thing_and_offers_nothing_to_send_again() {
    use app::dates::CivilDate;
    use usajili::registry::import::{Table, import};
    let app = spawn_app().await;
    with_registry(&app).await;
    // Chebet turns 18 tomorrow.
    let tomorrow = crate::fixtures::today().add_days(1);
    let born = CivilDate::new(tomorrow.year() - 18, tomorrow.month(), tomorrow.day()).unwrap();
    let births = format!(
        "birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no\n\
         1000900,Kiprop,Chebet,F,{born},032,,,,\n"
    );
    import(&app.db, Table::Births, std::io::Cursor::new(births))
        .await
        .unwrap();
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let chebet = Person {
        surname: "Kiprop",
        given: "Chebet",
        sex: "F",
        dob: (
            leak(born.day().to_string()),
            leak(born.month().to_string()),
            leak(born.year().to_string()),
        ),
        birth_cert: "1000900",
    };
    let grace = Person {
        surname: "Otieno",
        given: "Grace Achieng",
        sex: "F",
        dob: ("12", "4", "1988"),
        birth_cert: "1000001",
    };
    // The day she can apply herself, as each language writes it.
    let from_en = app::calendar::day_label(tomorrow, app::i18n::Locale::en);
    let from_sw = app::calendar::day_label(tomorrow, app::i18n::Locale::sw);
    let cases = [
        (
            &chebet,
            vec![
                "under 18",
                "a parent or guardian",
                "Register a child",
                from_en.as_str(),
            ],
            vec!["chini ya miaka 18", "mzazi au mlezi", from_sw.as_str()],
        ),
        (
            &grace,
            vec!["already been issued", "police abstract", "replacement"],
            vec!["Kitambulisho tayari kimetolewa", "kimepotea"],
        ),
    ];
    for (n, (person, english, kiswahili)) in cases.iter().enumerate() {
        let browser = app.signed_in_citizen(&format!("07130000{n:02}")).await;
        let id = browser.start().await;
        browser.complete(&id, person).await;
        assert_eq!(browser.submit(&id).await.0, StatusCode::SEE_OTHER);
        for (language, says, contradictions) in [
            (
                "en",
                english,
                [
                    "do not match",
                    "Correct your details",
                    "Keep it",
                    "Check your answers",
                ],
            ),
            (
                "sw",
                kiswahili,
                [
                    "hayalingani",
                    "Sahihisha maelezo yako",
                    "Ihifadhi",
                    "Angalia majibu yako",
                ],
            ),
        ] {
            browser.get(&format!("/language/{language}")).await;
            let (_, page) = browser.page(&format!("/applications/{id}")).await;
            for text in says {
                assert!(page.contains(text), "{language}: {text}");
            }
            for text in contradictions {
                assert!(!page.contains(text), "{language}: {text}");
            }
            for task in [
                "about-you",
                "birth-certificate",
                "check-answers",
                "declaration",
            ] {
                assert!(
                    !page.contains(&format!("/applications/{id}/{task}")),
                    "{task}"
                );
            }
            assert_eq!(page.matches("data-testid=\"attention\"").count(), 1);
        }
    }
}

#[tokio::test]
async fn an_account_holds_at_most_five_applications() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    for _ in 0..5 {
        browser.start().await;
    }
    let (status, body) = browser.post_text("/applications", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("already have 5 applications"));
}

#[tokio::test]
async fn another_citizens_application_is_not_found() {
    let app = spawn_app().await;
    let owner = app.signed_in_citizen("0712345678").await;
    let id = owner.start().await;
    owner.complete(&id, &WANJIRU).await;

    let other = app.signed_in_citizen("0722000000").await;
    for path in [
        format!("/applications/{id}"),
        format!("/applications/{id}/about-you"),
        format!("/applications/{id}/check-answers"),
        format!("/applications/{id}/photo.jpg"),
        "/applications/0000/about-you".to_string(),
    ] {
        assert_eq!(
            other.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let response = other
        .post(
            &format!("/applications/{id}/about-you"),
            &[("surname", "Hacker")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, body) = owner
        .page(&format!("/applications/{id}/check-answers"))
        .await;
    assert!(body.contains("Mwangi"), "the owner's answers are untouched");
}

#[tokio::test]
async fn an_application_of_an_unknown_kind_fails_to_load_and_never_passes_for_an_adults() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345678").await;
    let id = browser.start().await;
    sqlx::query("UPDATE applications SET kind = 'passport' WHERE id = $1")
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap();

    let applications = usajili::citizen::applications::Applications {
        db: &app.db,
        cipher: &app.cipher,
    };
    assert!(
        applications.load_for_staff(&id).await.is_err(),
        "a stored kind that is no kind is an error, not an adult's application"
    );
    // Nor does its owner's page treat it as an adult's: `visible_to` shows
    // an account its own applications only by the adult kind's code.
    assert_eq!(
        browser.get(&format!("/applications/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_sweep_removes_expired_sessions_and_old_codes() {
    let app = spawn_app().await;
    app.signed_in_citizen("0712345678").await;
    assert!(app.rows_in("sessions").await > 0 && app.rows_in("sign_in_codes").await > 0);

    // The sweep is a job on the time it is given: a day and an hour later,
    // the session has expired and the code and the rate-limit counts are old.
    usajili::citizen::sign_in::sweep(&app.db, usajili::clock::unix_now() + 25 * 3600)
        .await
        .unwrap();

    assert_eq!(
        (
            app.rows_in("sessions").await,
            app.rows_in("sign_in_codes").await,
            app.rows_in("rate_limit_events").await,
            app.rows_in("sign_in_contacts").await
        ),
        (0, 0, 0, 0)
    );
}

#[tokio::test]
async fn made_up_names_on_someone_elses_certificate_hold_nothing_and_its_owner_is_verified() {
    let app = spawn_app().await;
    with_registry(&app).await;
    let squatter = app.signed_in_citizen("0712345677").await;
    let id = squatter.start().await;
    squatter
        .complete(
            &id,
            &Person {
                surname: "Kamau",
                ..WANJIRU
            },
        )
        .await;
    squatter.submit(&id).await;
    assert_eq!(app.application_state(&id).await, "needs_attention");
    let held: Option<String> =
        sqlx::query_scalar("SELECT active_birth_cert_index FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(held, None, "a mismatch holds no certificate");

    // The certificate's owner applies: verified, not refused as a duplicate.
    let owner = app.signed_in_citizen("0722000007").await;
    let mine = owner.start().await;
    owner.complete(&mine, &WANJIRU).await;
    let (status, body) = owner.submit(&mine).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&body));
    assert_eq!(app.application_state(&mine).await, "verified");
}

#[tokio::test]
async fn the_contact_task_offers_the_sign_in_contact_and_the_page_s_language() {
    let app = spawn_app().await;
    let browser = app.signed_in_citizen("0712345600").await;
    browser.get("/language/sw").await;
    let id = browser.start().await;
    let (_, page) = browser.page(&format!("/applications/{id}/contact")).await;
    assert!(page.contains("value=\"+254712345600\""), "{page}");
    assert!(language_checked(&page, "sw") && !language_checked(&page, "en"));

    // Signed in by email, in English: the address, and English.
    let by_email = app.signed_in_citizen("amina@example.com").await;
    let id = by_email.start().await;
    let (_, page) = by_email.page(&format!("/applications/{id}/contact")).await;
    assert!(page.contains("value=\"amina@example.com\""), "{page}");
    assert!(language_checked(&page, "en") && !language_checked(&page, "sw"));
}

/// Whether the Contact task's language `code` is chosen.
fn language_checked(page: &str, code: &str) -> bool {
    page.split(&format!("name=\"language\" value=\"{code}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .is_some_and(|attributes| attributes.contains("checked"))
}
