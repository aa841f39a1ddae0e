//! The pages kept for everyone who is not signed in (`http/page_cache.rs`):
//! the same bytes for every such visitor, in each encoding and language,
//! moving on with the day, and never what one person's request made.

use crate::helpers::{TestApp, spawn_app};
use reqwest::StatusCode;

/// `path` as a browser asking for `encoding` and `language` gets it: the
/// bytes on the wire, and their `Content-Encoding`.
async fn fetch(app: &TestApp, path: &str, encoding: &str, language: &str) -> (Vec<u8>, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("accept-encoding", encoding)
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()["vary"], "accept-encoding", "{path}");
    let coding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.bytes().await.unwrap().to_vec(), coding)
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn ungzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

#[tokio::test]
async fn each_kept_page_is_the_same_for_every_visitor_in_each_encoding() {
    let app = spawn_app().await;
    for path in ["/", "/privacy"] {
        let (plain, none) = fetch(&app, path, "identity", "en").await;
        let (brotli, br) = fetch(&app, path, "gzip, deflate, br", "en").await;
        let (again, _) = fetch(&app, path, "br", "en").await;
        let (gzip, gz) = fetch(&app, path, "gzip", "en").await;
        assert_eq!(
            (none.as_str(), br.as_str(), gz.as_str()),
            ("", "br", "gzip")
        );
        let plain = String::from_utf8(plain).unwrap();
        assert!(plain.starts_with("<!DOCTYPE html>"), "{path}");
        assert_eq!(brotli, again, "{path}: the same bytes each time");
        assert_eq!(unbrotli(&brotli), plain, "{path}");
        assert_eq!(ungzip(&gzip), plain, "{path}");
        assert!(brotli.len() * 2 < plain.len(), "{path}");
    }
}

#[tokio::test]
async fn each_language_has_its_own_kept_page() {
    let app = spawn_app().await;
    let (english, _) = fetch(&app, "/", "br", "en").await;
    let (swahili, _) = fetch(&app, "/", "br", "sw").await;
    assert!(unbrotli(&english).contains("<html lang=\"en\""));
    assert!(unbrotli(&swahili).contains("<html lang=\"sw\""));
    let (english_again, _) = fetch(&app, "/", "br", "en").await;
    assert_eq!(english, english_again);
}

#[tokio::test]
async fn a_signed_in_citizen_neither_gets_nor_leaves_the_kept_page() {
    let app = spawn_app().await;
    let (_, before) = app.get_html("/").await;
    let citizen = app.signed_in_citizen("grace@example.com").await;
    let (status, signed_in) = citizen.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        signed_in.contains("action=\"/sign-out\""),
        "the citizen's own header"
    );
    let (_, after) = app.get_html("/").await;
    assert!(!before.contains("/sign-out") && !after.contains("/sign-out"));
    assert_eq!(before, after);
}

#[tokio::test]
async fn an_eligibility_answer_is_rendered_for_its_asker_and_never_kept() {
    let app = spawn_app().await;
    let asked = "/?dob-day=1&dob-month=1&dob-year=1990";
    let (_, answer) = app.get_html(asked).await;
    let (_, landing) = app.get_html("/").await;
    assert_ne!(answer, landing);
    let (_, again) = app.get_html("/").await;
    assert_eq!(landing, again);
}

#[tokio::test]
async fn the_kept_landing_page_counts_ages_from_the_servers_day() {
    let app = spawn_app().await;
    let today = |html: &str| {
        let at = html.find("data-today=\"").expect("the checker's day") + 12;
        html[at..at + 10].to_string()
    };
    let (_, first) = app.get_html("/").await;
    app.advance(24 * 3600);
    let (_, next_day) = app.get_html("/").await;
    assert_ne!(today(&first), today(&next_day));
    let day = |text: String| text.parse::<app::dates::CivilDate>().unwrap();
    assert_eq!(day(today(&next_day)), day(today(&first)).add_days(1));
}
