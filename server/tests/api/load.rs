//! Booking load for the backup and crash tests: signed-in citizens (each
//! with a session cookie and a verified application) booking through the
//! real HTTP form, each 303 noted with the moment it reached the client.

use crate::booking::{centre_path, open_weekday};
use app::dates::CivilDate;
use reqwest::StatusCode;
use std::time::Instant;

/// The centre the load books at.
pub const CENTRE: &str = "kibra";

/// Times of day the load spreads its bookings over.
pub const SLOTS: [&str; 4] = ["09:00", "09:30", "10:00", "10:30"];

/// The day the load books.
pub fn day() -> CivilDate {
    open_weekday(1)
}

/// A client as a browser on the site at `address`: no redirects followed,
/// and its `Origin` that site's.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One booking request as a person's browser posts it: `replaces` is the
/// live booking's id when changing, empty when booking for the first time.
pub async fn book(
    client: &reqwest::Client,
    address: &str,
    cookie: &str,
    application: &str,
    slot: &str,
    replaces: &str,
) -> Result<StatusCode, reqwest::Error> {
    let response = client
        .post(format!("{address}{}", centre_path(application, CENTRE)))
        .header("origin", address)
        .header("cookie", cookie)
        .form(&[
            ("day", day().to_string()),
            ("slot", slot.to_string()),
            ("replaces", replaces.to_string()),
        ])
        .send()
        .await?;
    let status = response.status();
    // Read the body, so that the answer is whole before it counts.
    response.bytes().await?;
    Ok(status)
}

/// A booking the server acknowledged: its application, the slot, and when
/// the 303 reached the client.
#[derive(Clone, Debug)]
pub struct Acknowledged {
    pub application: String,
    pub slot: String,
    pub at: Instant,
}

/// `slot` as minutes after midnight, as the `bookings` table keeps it.
pub fn minutes(slot: &str) -> i64 {
    let (h, m) = slot.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// The live booking's id as the day page gives it to the browser (its
/// `replaces` field), empty when there is none: what a browser changing an
/// appointment posts back.
pub async fn replaces(
    client: &reqwest::Client,
    address: &str,
    cookie: &str,
    application: &str,
) -> Result<String, reqwest::Error> {
    let page = client
        .get(format!(
            "{address}{}?day={}",
            centre_path(application, CENTRE),
            day()
        ))
        .header("cookie", cookie)
        .send()
        .await?
        .text()
        .await?;
    Ok(page
        .split("name=\"replaces\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string())
}
