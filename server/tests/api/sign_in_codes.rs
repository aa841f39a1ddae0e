//! Sign-in codes that cannot be gamed: each try of a code reserved before it
//! is compared, and daily caps per contact that hold when requests race.

use crate::browser::*;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use futures::future::join_all;
use reqwest::StatusCode;
use std::time::Duration;

const CONTACT: &str = "0712345678";
const CODES_TODAY: &str = "Too many codes have been asked for this phone number";
const TRIES_TODAY: &str = "Too many wrong codes have been entered for this phone number";

fn wrong_for(code: &str) -> &'static str {
    if code == "111111" { "222222" } else { "111111" }
}

async fn failed_attempts(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar("SELECT failed_attempts FROM sign_in_codes ORDER BY created_at, id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn try_code(browser: &Browser<'_>, code: &str) -> (StatusCode, String) {
    browser.post_text("/sign-in/code", &[("code", code)]).await
}

/// Asks for codes, three at a time with 10 minutes and a second between,
/// so that only the daily cap can refuse them.
async fn ask_for_codes(app: &TestApp, browser: &Browser<'_>, n: usize) -> Vec<String> {
    let mut codes = Vec::new();
    for i in 0..n {
        if i > 0 && i % 3 == 0 {
            app.advance(601);
        }
        codes.push(browser.request_code(CONTACT).await);
    }
    codes
}

/// Gives the outbox worker time to write anything queued.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_hundred_parallel_wrong_guesses_on_one_cookie_compare_at_most_five() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let code = browser.request_code(CONTACT).await;
    let pairs = [("code", wrong_for(&code))];

    let answers = join_all((0..100).map(|_| browser.post_text("/sign-in/code", &pairs))).await;

    let wrong = answers
        .iter()
        .filter(|(_, body)| body.contains("That code is not right"))
        .count();
    assert!(
        answers
            .iter()
            .all(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert!(wrong <= 4, "{wrong} guesses were told they were wrong");
    assert_eq!(failed_attempts(&app).await, vec![5]);
    let (status, body) = try_code(&browser, &code).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("expired or was tried too many times"),
        "{}",
        summary_of(&body)
    );
}

#[tokio::test]
async fn a_right_code_after_four_wrong_tries_signs_in_and_after_five_does_not() {
    let app = spawn_app().await;
    let first = Browser::new(&app);
    let code = first.request_code(CONTACT).await;
    for _ in 0..4 {
        let (_, body) = try_code(&first, wrong_for(&code)).await;
        assert!(
            body.contains("That code is not right"),
            "{}",
            summary_of(&body)
        );
    }
    let response = first.post("/sign-in/code", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/applications");
    // The right try was given back: the code's row holds the 4 wrong ones.
    assert_eq!(failed_attempts(&app).await, vec![4]);

    let second = Browser::new(&app);
    let code = second.request_code("0722000000").await;
    for _ in 0..5 {
        try_code(&second, wrong_for(&code)).await;
    }
    let (status, body) = try_code(&second, &code).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("expired or was tried too many times"),
        "{}",
        summary_of(&body)
    );
    // Getting a new code is the one thing left to do, and the page's
    // primary action: no code box, and no link beside the button.
    assert!(body.contains("data-testid=\"get-new-code\""), "{body}");
    assert!(!body.contains("name=\"code\""), "{body}");
    assert_eq!(second.page("/applications").await.0, StatusCode::SEE_OTHER);

    // After 4 wrong tries, the right code racing 9 wrong ones is compared
    // only if it wins the one try left: either it signs in, or the code is
    // dead with 5 tries.
    let third = Browser::new(&app);
    // A second later, so that its row comes last.
    app.advance(1);
    let code = third.request_code("0733000000").await;
    for _ in 0..4 {
        try_code(&third, wrong_for(&code)).await;
    }
    let guesses: Vec<&str> = std::iter::once(code.as_str())
        .chain(std::iter::repeat_n(wrong_for(&code), 9))
        .collect();
    let pairs: Vec<[(&str, &str); 1]> = guesses.iter().map(|guess| [("code", *guess)]).collect();
    let third = &third;
    let answers = join_all(pairs.iter().map(|pair| async move {
        let response = third.post("/sign-in/code", pair).await;
        let to = location(&response);
        (to, response.text().await.unwrap())
    }))
    .await;
    // (Read from the answers, not the cookie jar, which racing requests
    // leave with whichever session cookie came last; after the sign-in the
    // pending code is gone from the session, and a try goes to /sign-in.)
    let signed_in = match answers
        .iter()
        .filter(|(to, _)| to == "/applications")
        .count()
    {
        0 => false,
        1 => true,
        n => panic!("{n} sign-ins with one code"),
    };
    let tries = failed_attempts(&app).await[2];
    let compared_wrong = answers
        .iter()
        .filter(|(_, body)| body.contains("That code is not right"))
        .count();
    assert_eq!(compared_wrong, 0, "the fifth wrong try kills the code");
    assert_eq!(
        (signed_in, tries),
        if signed_in { (true, 4) } else { (false, 5) },
        "one of the ten was compared"
    );
}

#[tokio::test]
async fn the_eleventh_code_in_a_day_is_refused_and_sent_again_a_day_later() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    ask_for_codes(&app, &browser, 10).await;
    app.advance(601);

    let (status, body) = browser.post_text("/sign-in", &[("contact", CONTACT)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(CODES_TODAY), "{}", summary_of(&body));
    assert!(
        summary_of(&body).contains(CODES_TODAY),
        "in the error summary"
    );
    settle().await;
    assert_eq!(codes_for(&app, CONTACT).len(), 10, "nothing more was sent");
    assert_eq!(app.queued_messages("sign_in_code").await, 10);

    // The same in Kiswahili.
    let (_, body) = browser.post_text("/sign-in", &[("contact", CONTACT)]).await;
    assert!(body.contains(CODES_TODAY));
    let swahili = Browser::new(&app);
    swahili.get("/language/sw").await;
    let (status, body) = swahili.post_text("/sign-in", &[("contact", CONTACT)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body.contains("Nambari nyingi mno zimeombwa kwa nambari hii"),
        "{}",
        summary_of(&body)
    );

    app.advance(24 * 3600 + 1);
    browser.request_code(CONTACT).await;
    assert_eq!(codes_for(&app, CONTACT).len(), 11);
}

#[tokio::test]
async fn the_twenty_first_wrong_try_in_a_day_is_refused_across_codes() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    // 4 wrong tries on each of 5 codes: 20, none of the codes dead.
    let mut last = String::new();
    for i in 0..5 {
        if i == 3 {
            app.advance(601);
        }
        last = browser.request_code(CONTACT).await;
        for _ in 0..4 {
            let (_, body) = try_code(&browser, wrong_for(&last)).await;
            assert!(
                body.contains("That code is not right"),
                "{}",
                summary_of(&body)
            );
        }
    }

    let (status, body) = try_code(&browser, wrong_for(&last)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(TRIES_TODAY), "{}", summary_of(&body));
    assert!(
        summary_of(&body).contains(TRIES_TODAY),
        "in the error summary"
    );
    // Not compared: the right code is refused too, and no try was counted.
    let (_, body) = try_code(&browser, &last).await;
    assert!(body.contains(TRIES_TODAY), "{}", summary_of(&body));
    assert_eq!(failed_attempts(&app).await, vec![4; 5]);

    // Nor is another code sent.
    app.advance(601);
    let (status, body) = browser.post_text("/sign-in", &[("contact", CONTACT)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(TRIES_TODAY), "{}", summary_of(&body));
    settle().await;
    assert_eq!(codes_for(&app, CONTACT).len(), 5);
    // Another contact is not affected.
    Browser::new(&app).sign_in("0722000000").await;
}

#[tokio::test]
async fn the_caps_hold_when_thirty_requests_for_one_contact_race() {
    let app = spawn_app_with(|c| c.sign_in.per_connection = 1000).await;
    let browsers: Vec<Browser> = (0..30).map(|_| Browser::new(&app)).collect();
    let ask = || {
        join_all(
            browsers
                .iter()
                .map(|b| b.post("/sign-in", &[("contact", CONTACT)])),
        )
    };

    // At once: the 10-minute limit (3) holds.
    let answers = ask().await;
    let sent = answers
        .iter()
        .filter(|r| r.status() == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(sent, 3);

    // Then 6 more, over 20 minutes: 9 of the day's 10.
    for _ in 0..2 {
        app.advance(601);
        for b in &browsers[..3] {
            assert_eq!(
                b.post("/sign-in", &[("contact", CONTACT)]).await.status(),
                StatusCode::SEE_OTHER
            );
        }
    }

    // 30 race for the last one.
    app.advance(601);
    let answers = ask().await;
    let sent = answers
        .iter()
        .filter(|r| r.status() == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(sent, 1);
    assert!(answers.iter().all(|r| matches!(
        r.status(),
        StatusCode::SEE_OTHER | StatusCode::TOO_MANY_REQUESTS
    )));
    assert_eq!(app.queued_messages("sign_in_code").await, 10);
    wait_for_code(&app, CONTACT, 9).await;
    settle().await;
    assert_eq!(codes_for(&app, CONTACT).len(), 10);
}
