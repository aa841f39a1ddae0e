//! Booking under contention, behind BENCHMARKS.md.
//!
//! Every request books one verified applicant into one hot centre (Kibra),
//! at a random time on one of the next open days, from 256 concurrent
//! connections over loopback to the real server (sessions, the page
//! rendered on refusal, the outbox message on success). The ceiling is the
//! same booking transaction (`Bookings::book`) called directly on the same
//! database, with the same concurrency, in the same run.
//!
//! `cargo run --release -p server --example booking_bench -- [seconds] [connections]`
//! (`USAJILI_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL; default: a
//! fresh SQLite file.)

#[path = "support/mod.rs"]
mod support;

use rand::Rng as _;
use std::sync::Arc;
use support::{Ended, book_directly, hammer, targets, verified_applicants};
use usajili::config::Config;
use usajili::startup::Application;

const CENTRE: &str = "kibra";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10);
    let connections: usize = std::env::args()
        .nth(2)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(256);
    let dir = tempfile::tempdir()?;
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = std::env::var("USAJILI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    config.db_max_connections = 16;
    config.demo_population = 0;
    config.messages.log.target = dir.path().join("messages.log").display().to_string();
    config.master_key = Some(
        usajili::crypto::MasterKey::generate()
            .to_base64()
            .to_string()
            .into(),
    );
    let app = Application::build(config).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let cipher = app.cipher().clone();
    tokio::spawn(app.run_until_stopped());

    // Enough places that the runs measure booking, not refusals: 64
    // counters, twenty days of slots (46,080 places).
    sqlx::query("UPDATE centres SET counters = 64 WHERE id = $1")
        .bind(CENTRE)
        .execute(&db)
        .await?;
    let targets = Arc::new(targets(20));
    let budget = 20_000;
    eprintln!("seeding {budget} applicants for each run…");
    let over_http = Arc::new(verified_applicants(&db, &cipher, "http", budget).await?);
    let direct = Arc::new(verified_applicants(&db, &cipher, "direct", budget).await?);

    // 1. Over HTTP, 256 connections.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()?;
    let mut http = hammer(connections, seconds, over_http, {
        let (targets, address) = (targets.clone(), address.clone());
        move |people: Arc<Vec<(String, String)>>, i| {
            let (client, targets, address) = (client.clone(), targets.clone(), address.clone());
            async move {
                let (cookie, id) = &people[i];
                let (day, slot) = targets[rand::rng().random_range(0..targets.len())];
                let form = [
                    ("day", day.to_string()),
                    ("slot", app::calendar::clock_label(slot)),
                    ("replaces", String::new()),
                ];
                // A redirect to sign in (a session refused) is no booking.
                let status = client
                    .post(format!(
                        "{address}/applications/{id}/booking/centres/{CENTRE}"
                    ))
                    .header("cookie", cookie)
                    // A browser's own form post names the site: changes
                    // without it are refused (the same-origin rule).
                    .header("origin", &address)
                    .form(&form)
                    .send()
                    .await
                    .map(|r| match r.headers().get("location") {
                        Some(l) if l.as_bytes().starts_with(b"/sign-in") => 0,
                        _ => r.status().as_u16(),
                    })
                    .unwrap_or(0);
                match status {
                    303 => Ended::Done,
                    409 => Ended::Refused,
                    _ => Ended::Other,
                }
            }
        }
    })
    .await?;

    // 2. The ceiling: the same transaction, called directly, on the same
    // empty centre (the first run's bookings are removed).
    sqlx::query("DELETE FROM bookings").execute(&db).await?;
    let mut ceiling = book_directly(&db, CENTRE, direct, targets, connections, seconds).await?;

    let engine = if std::env::var("USAJILI_BENCH_DATABASE_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "booking under contention on {engine}, {connections} connections, one centre, {seconds} s each"
    );
    let http_rate = http.report("over HTTP (the product)");
    let direct_rate = ceiling.report("direct transaction (the ceiling)");
    println!("ratio: {:.2}x of the ceiling", http_rate / direct_rate);
    Ok(())
}
