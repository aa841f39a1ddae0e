use crate::helpers::spawn_app;

#[tokio::test]
async fn the_landing_page_is_in_english_by_default() {
    let app = spawn_app().await;

    let (status, html) = app.get_html("/").await;

    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("Register for your national ID"));
    assert!(html.contains("What to bring to the centre"));
    assert!(html.contains("How your data is protected"));
    assert!(
        html.contains("<title>Register for your national ID – Usajili</title>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_landing_page_is_in_kiswahili_once_chosen() {
    let app = spawn_app().await;

    let switch = app.get("/language/sw?return=/privacy").await;
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/privacy");
    let cookie = switch.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("i18n_pref_locale=sw;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"sw\""), "{html}");
    assert!(html.contains("Jisajili kwa kitambulisho chako cha taifa"));
    assert!(html.contains("Cha kuleta kituoni"));
    assert!(!html.contains("What to bring to the centre"));
}

#[tokio::test]
async fn a_kiswahili_browser_gets_kiswahili_without_choosing() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/"))
        .header("accept-language", "sw-KE,sw;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();

    assert!(response.text().await.unwrap().contains("<html lang=\"sw\""));
}

#[tokio::test]
async fn the_language_switch_never_redirects_off_site() {
    let app = spawn_app().await;

    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/%5Cevil.example",
    ] {
        let response = app
            .get(&format!("/language/en?return={}", evil.replace('/', "%2F")))
            .await;
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap();
        assert!(
            location == "/"
                || location.starts_with("/")
                    && !location.starts_with("//")
                    && !location.starts_with("/\\"),
            "{evil} -> {location}"
        );
    }
    assert_eq!(app.get("/language/xx").await.status(), 404);
}

#[tokio::test]
async fn the_privacy_notice_is_served_in_both_languages() {
    let app = spawn_app().await;

    let (status, english) = app.get_html("/privacy").await;
    assert_eq!(status, 200);
    assert!(english.contains("<title>Privacy notice – Usajili</title>"));
    assert!(english.contains("We do not collect your tribe or ethnicity"));

    app.get("/language/sw").await;
    let (_, kiswahili) = app.get_html("/privacy").await;
    assert!(kiswahili.contains("Ilani ya faragha"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_home() {
    let app = spawn_app().await;

    let (status, html) = app.get_html("/no/such/page").await;

    assert_eq!(status, 404);
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("href=\"/\""));
}

#[tokio::test]
async fn the_eligibility_checker_answers_without_javascript() {
    let app = spawn_app().await;

    let (_, adult) = app.get_html("/?dob-day=1&dob-month=1&dob-year=1990").await;
    assert!(
        adult.contains("You can apply for a national ID card yourself."),
        "{adult}"
    );

    let (_, too_young) = app.get_html("/?dob-day=1&dob-month=1&dob-year=2024").await;
    assert!(too_young.contains("No card is issued before age 6."));

    let (_, invalid) = app.get_html("/?dob-day=31&dob-month=2&dob-year=2010").await;
    assert!(invalid.contains("There is a problem"));
    assert!(invalid.contains("Enter a real date of birth"));
    assert!(invalid.contains("value=\"31\""), "what was typed is kept");
}

#[tokio::test]
async fn markup_typed_into_the_checker_is_shown_as_text() {
    let app = spawn_app().await;

    let (status, html) = app
        .get_html("/?dob-day=%3Cscript%3Ealert(1)%3C%2Fscript%3E&dob-month=1&dob-year=2000")
        .await;

    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)</script>"));
}
