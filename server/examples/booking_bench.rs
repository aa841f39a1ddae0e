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

use app::calendar::holiday_on;
use app::dates::CivilDate;
use rand::Rng as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tower_sessions::SessionStore as _;
use usajili::booking::bookings::{Bookings, Kind, Member, Outcome};
use usajili::booking::centres::Centres;
use usajili::booking::schedule::Schedule;
use usajili::citizen::applications::Applications;
use usajili::config::Config;
use usajili::startup::Application;

const CENTRE: &str = "kibra";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Verified applications with a signed-in session each: (cookie, id).
async fn applicants(db: &sqlx::AnyPool, cipher: &usajili::crypto::FieldCipher, prefix: &str, n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let store = usajili::http::session_store::DbSessionStore::new(db.clone());
    let applications = Applications { db, cipher };
    let mut made = Vec::with_capacity(n);
    for i in 0..n {
        let account = format!("{prefix}-{i}");
        sqlx::query("INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) VALUES ($1, $1, $2, 'phone', $3)")
            .bind(&account)
            .bind(vec![0u8; 4])
            // Now, not 0: the retention job deletes old accounts without applications.
            .bind(usajili::clock::unix_now())
            .execute(db)
            .await?;
        let id = applications.create(&account, 0).await?.map_err(|r| anyhow::anyhow!("{r:?}"))?;
        sqlx::query("UPDATE applications SET state = 'verified', reference = $2 WHERE id = $1")
            .bind(&id)
            .bind(format!("HN-{prefix}-{i}"))
            .execute(db)
            .await?;
        let mut record = tower_sessions::session::Record {
            id: tower_sessions::session::Id::default(),
            data: [("account".to_string(), serde_json::json!(account))].into_iter().collect(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(2),
        };
        store.create(&mut record).await?;
        made.push((format!("usajili_session={}", record.id), id));
    }
    Ok(made)
}

/// The next `n` open weekdays and the centre's slots on them.
fn targets(n: usize) -> Vec<(CivilDate, u16)> {
    let today = CivilDate::in_nairobi_at(usajili::clock::unix_now());
    let days: Vec<CivilDate> = (1..)
        .map(|k| today.add_days(k))
        .filter(|d| d.weekday() < 5 && holiday_on(*d).is_none())
        .take(n)
        .collect();
    days.iter().flat_map(|&d| (0..36u16).map(move |i| (d, 480 + 15 * i))).collect()
}

struct Run {
    latencies: Vec<Duration>,
    booked: usize,
    full: usize,
    other: usize,
    elapsed: Duration,
}

impl Run {
    fn report(&mut self, label: &str) -> f64 {
        self.latencies.sort();
        let rate = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "{label}: {} requests in {:.1} s = {rate:.0}/s; booked {}, slot full {}, other {}; p50 {:.1} ms, p99 {:.1} ms",
            self.latencies.len(),
            self.elapsed.as_secs_f64(),
            self.booked,
            self.full,
            self.other,
            ms(percentile(&self.latencies, 0.50)),
            ms(percentile(&self.latencies, 0.99)),
        );
        rate
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(10);
    let connections: usize = std::env::args().nth(2).map(|a| a.parse()).transpose()?.unwrap_or(256);
    let dir = tempfile::tempdir()?;
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = std::env::var("USAJILI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    config.db_max_connections = 16;
    config.demo_population = 0;
    config.message_log = dir.path().join("messages.log").display().to_string();
    config.master_key = Some(usajili::crypto::MasterKey::generate().to_base64().to_string().into());
    let app = Application::build(config).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let cipher = app.cipher().clone();
    tokio::spawn(app.run_until_stopped());

    // Enough places that the runs measure booking, not refusals: 64
    // counters, twenty days of slots (46,080 places).
    sqlx::query("UPDATE centres SET counters = 64 WHERE id = $1").bind(CENTRE).execute(&db).await?;
    let targets = Arc::new(targets(20));
    let budget = 20_000;
    eprintln!("seeding {budget} applicants for each run…");
    let over_http = Arc::new(applicants(&db, &cipher, "http", budget).await?);
    let direct = Arc::new(applicants(&db, &cipher, "direct", budget).await?);

    // 1. Over HTTP, 256 connections.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (client, next, people, targets, address) =
            (client.clone(), next.clone(), over_http.clone(), targets.clone(), address.clone());
        workers.push(tokio::spawn(async move {
            let mut seen = (Vec::new(), 0, 0, 0);
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((cookie, id)) = people.get(i) else { break };
                let (day, slot) = targets[rand::rng().random_range(0..targets.len())];
                let form = [("day", day.to_string()), ("slot", app::calendar::clock_label(slot)), ("replaces", String::new())];
                let sent = Instant::now();
                let status = client
                    .post(format!("{address}/applications/{id}/booking/centres/{CENTRE}"))
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                seen.0.push(sent.elapsed());
                match status {
                    303 => seen.1 += 1,
                    409 => seen.2 += 1,
                    _ => seen.3 += 1,
                }
            }
            seen
        }));
    }
    let mut http = Run { latencies: Vec::new(), booked: 0, full: 0, other: 0, elapsed: Duration::ZERO };
    for worker in workers {
        let (latencies, booked, full, other) = worker.await?;
        http.latencies.extend(latencies);
        http.booked += booked;
        http.full += full;
        http.other += other;
    }
    http.elapsed = started.elapsed();

    // 2. The ceiling: the same transaction, called directly, on the same
    // empty centre (the first run's bookings are removed).
    sqlx::query("DELETE FROM bookings").execute(&db).await?;
    let centre = Centres { db: &db }.get(CENTRE).await?.expect("the seed centres");
    let today = CivilDate::in_nairobi_at(usajili::clock::unix_now());
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (db, next, people, targets, centre) = (db.clone(), next.clone(), direct.clone(), targets.clone(), centre.clone());
        workers.push(tokio::spawn(async move {
            let bookings = Bookings { db: &db, cutoff_secs: 7200 };
            let mut seen = (Vec::new(), 0, 0, 0);
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((_, id)) = people.get(i) else { break };
                let (day, slot) = targets[rand::rng().random_range(0..targets.len())];
                let members = [Member { application_id: id.clone(), kind: Kind::Enrolment, replaces: None }];
                let sent = Instant::now();
                let closures = Centres { db: &db }.closures(day, day).await;
                let schedule = Schedule { centre: &centre, closures: closures.as_deref().unwrap_or(&[]) };
                let outcome = bookings.book(&schedule, today, &members, day, slot, usajili::clock::unix_now()).await;
                seen.0.push(sent.elapsed());
                match outcome {
                    Ok(Outcome::Booked(_)) => seen.1 += 1,
                    Ok(Outcome::Refused(_)) => seen.2 += 1,
                    _ => seen.3 += 1,
                }
            }
            seen
        }));
    }
    let mut ceiling = Run { latencies: Vec::new(), booked: 0, full: 0, other: 0, elapsed: Duration::ZERO };
    for worker in workers {
        let (latencies, booked, full, other) = worker.await?;
        ceiling.latencies.extend(latencies);
        ceiling.booked += booked;
        ceiling.full += full;
        ceiling.other += other;
    }
    ceiling.elapsed = started.elapsed();

    let engine = if std::env::var("USAJILI_BENCH_DATABASE_URL").is_ok() { "PostgreSQL" } else { "SQLite" };
    println!("booking under contention on {engine}, {connections} connections, one centre, {seconds} s each");
    let http_rate = http.report("over HTTP (the product)");
    let direct_rate = ceiling.report("direct transaction (the ceiling)");
    println!("ratio: {:.2}x of the ceiling", http_rate / direct_rate);
    Ok(())
}
