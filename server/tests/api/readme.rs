//! The README, followed by a newcomer on a fresh development server: the
//! first start seeds the demo population, the demo staff and the demo
//! queue, and then the people the README tells them to try can still apply.

use crate::browser::*;
use crate::helpers::spawn_app_with;
use reqwest::StatusCode;

/// Juma Onyango Otieno, as the README's "People to try" gives him.
const JUMA: Person = Person {
    surname: "Otieno",
    given: "Juma Onyango",
    sex: "M",
    dob: ("15", "1", "2007"),
    birth_cert: "1000100",
};

#[tokio::test]
async fn the_readme_s_person_applies_on_a_fresh_server_beside_the_demo_queue() {
    // A first start in development, as `scripts/run.sh` does it: the
    // synthetic population, the demo staff, and six applicants booked today.
    let app = spawn_app_with(|config| {
        config.demo_population = 2000;
        config.staff.argon2_memory_kib = 1024;
        config.staff.argon2_iterations = 1;
    })
    .await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(queued > 0, "the demo queue is booked");

    // Then, as the README says: sign in, start an application, complete
    // its six tasks as Juma, and send it.
    let browser = app.signed_in_citizen("0712000100").await;
    let id = browser.start().await;
    browser.complete(&id, &JUMA).await;
    let (status, body) = browser.submit(&id).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", summary_of(&body));
    let (_, page) = browser.page(&format!("/applications/{id}")).await;
    assert_eq!(state_of(&page), "Verified");
    assert!(page.contains("data-testid=\"reference\""));
}
