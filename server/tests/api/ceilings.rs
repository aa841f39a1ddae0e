//! Expensive work has a ceiling: photo decodes run a few at a time in the
//! process, one upload per account at a time, and a burst of the largest
//! photos the limits allow is answered without the process outgrowing 1 GB;
//! USSD PINs are hashed in turn with staff passwords.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;

const GIB: u64 = 1024 * 1024 * 1024;

/// The heaviest photo to decode that the limits let through: an RGBA PNG
/// of almost [`usajili::photo::MAX_PIXELS`], which compresses to well under
/// the upload limit (about 200 MB once decoded).
fn largest_photo() -> Vec<u8> {
    let side = (usajili::photo::MAX_PIXELS as f64).sqrt() as u32 - 1;
    let picture = image::RgbaImage::from_fn(side, side, |x, y| {
        image::Rgba([(x / 64) as u8, (y / 64) as u8, 128, 255])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// Starts the process's peak resident memory (VmHWM) afresh.
fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs is writable");
}

/// The process's peak resident memory since the reset, from `/proc`.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

async fn upload(app: &TestApp, cookie: &str, id: &str, photo: Vec<u8>) -> StatusCode {
    let part = reqwest::multipart::Part::bytes(photo)
        .file_name("me.png")
        .mime_str("image/png")
        .unwrap();
    app.client
        .post(app.url(&format!("/applications/{id}/photo")))
        .header("cookie", cookie)
        .multipart(reqwest::multipart::Form::new().part("photo", part))
        .send()
        .await
        .expect("an answer")
        .status()
}

/// `n` accounts, each signed in with a draft application: (cookie, id).
async fn drafts(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let people = app.verified_accounts_with_sessions(n).await;
    for (_, id) in &people {
        app.put_in_state(id, "draft").await;
    }
    people
}

#[tokio::test]
async fn forty_concurrent_largest_photos_are_each_answered_and_the_process_stays_under_a_gigabyte()
{
    let app = spawn_app().await;
    let people = drafts(&app, 40).await;
    let photo = largest_photo();
    assert!(
        photo.len() <= usajili::photo::MAX_UPLOAD_BYTES,
        "{}",
        photo.len()
    );
    reset_peak_memory();

    let answers = futures::future::join_all(
        people
            .iter()
            .map(|(cookie, id)| upload(&app, cookie, id, photo.clone())),
    )
    .await;

    let peak = peak_memory();
    for status in &answers {
        assert!(
            [
                StatusCode::SEE_OTHER,
                StatusCode::PAYLOAD_TOO_LARGE,
                StatusCode::TOO_MANY_REQUESTS
            ]
            .contains(status),
            "{answers:?}"
        );
    }
    let saved = answers
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let busy = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    println!(
        "40 uploads of {} bytes: {saved} saved, {busy} told to wait; peak resident memory {} MB",
        photo.len(),
        peak / (1024 * 1024)
    );
    assert!(saved >= 1, "{answers:?}");
    assert!(
        peak < GIB,
        "peak resident memory {} MB",
        peak / (1024 * 1024)
    );
    let with_photo: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE photo IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(with_photo as usize, saved);
}

#[tokio::test]
async fn an_account_uploads_one_photo_at_a_time_and_a_stale_claim_gives_way() {
    let app = spawn_app().await;
    let people = drafts(&app, 1).await;
    let (cookie, id) = &people[0];
    let account = app.account_of(id).await;
    // Another upload of the account is being decoded (in this process or
    // another one).
    sqlx::query(
        "INSERT INTO uploads_in_flight (account_id, token, started_at) VALUES ($1, 'other', $2)",
    )
    .bind(&account)
    .bind(app.clock.now())
    .execute(&app.db)
    .await
    .unwrap();
    let photo = crate::browser::png(400, 500);

    assert_eq!(
        upload(&app, cookie, id, photo.clone()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let stored: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT photo FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        stored.is_none(),
        "nothing saved while the other upload holds the account"
    );

    // A claim a minute old is from an upload that never finished.
    app.advance(usajili::citizen::uploads::STALE_AFTER_SECS + 1);
    assert_eq!(upload(&app, cookie, id, photo).await, StatusCode::SEE_OTHER);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uploads_in_flight")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "the upload let go of its claim");
}

#[tokio::test]
async fn a_burst_of_new_ussd_pins_is_hashed_in_turn_within_the_ceiling() {
    use crate::ussd::{PIN, TOKEN, post_step};
    // One hash at a time, each of 256 MB: twelve at once would be 3 GB.
    let app = spawn_app_with(|c| {
        c.messages.sms.callback_token = Some(TOKEN.to_string().into());
        c.staff.argon2_memory_kib = 256 * 1024;
        c.staff.argon2_iterations = 1;
        c.ceilings.password_hashes = 1;
    })
    .await;
    let numbers: Vec<String> = (0..12).map(|i| format!("+2547123002{i:02}")).collect();
    let session = |n: &str| format!("pins-{n}");
    for number in &numbers {
        // The language, then the first entry (no argon2 hash yet).
        for text in ["", "1", PIN] {
            let text = if text == PIN {
                format!("1*{PIN}")
            } else {
                text.to_string()
            };
            post_step(&app.address, TOKEN, &session(number), number, &text).await;
        }
    }
    reset_peak_memory();
    let answers = futures::future::join_all(numbers.iter().map(|number| {
        let (app, session) = (&app, session(number));
        async move {
            post_step(
                &app.address,
                TOKEN,
                &session,
                number,
                &format!("1*{PIN}*{PIN}"),
            )
            .await
            .text()
            .await
            .unwrap()
        }
    }))
    .await;
    let peak = peak_memory();
    for answer in &answers {
        assert!(answer.contains("PIN saved"), "{answer}");
    }
    assert!(
        peak < GIB * 3 / 2,
        "peak resident memory {} MB",
        peak / (1024 * 1024)
    );
}
