//! The server's clock, moved forward by a test instead of rows rewritten:
//! what pages do as time passes.

use crate::browser::*;
use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn a_code_is_refused_once_the_clock_passes_five_minutes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    app.advance(5 * 60 + 1);
    let (status, body) = browser.post_text("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("expired"), "{}", summary_of(&body));
}

#[tokio::test]
async fn a_code_still_works_before_five_minutes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    app.advance(4 * 60);
    let response = browser.post("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn background_jobs_keep_the_servers_time_so_a_code_asked_for_later_still_arrives() {
    let app = spawn_app().await;
    // A day on: the outbox worker sends what is due by the server's clock,
    // not by the machine's, so the code queued "tomorrow" goes out now.
    app.advance(24 * 3600);
    let browser = Browser::new(&app);
    let code = browser.request_code("0712345678").await;
    let response = browser.post("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
