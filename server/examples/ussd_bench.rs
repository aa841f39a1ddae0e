//! USSD step latency, behind BENCHMARKS.md ("USSD step latency"). Run by
//! `bench/ussd.sh` on each engine.
//!
//! `sessions` people (200 by default) use USSD at once, each a whole
//! realistic visit through the real callback, posted as Africa's Talking
//! posts it, with a pause before each key (`think_ms`, ±50%, as a person
//! reads the screen and types). Each starts at a random moment within
//! `ramp_ms` (20 s by default, less than a visit lasts, so that all of them
//! are under way together for most of the run; 0 is everyone dialling in
//! the same second, the worst burst of new PINs):
//! 1. a first session: the language, a new PIN twice (argon2id with the
//!    production parameters), "My applications";
//! 2. a second session: the PIN, "My applications", the application, home,
//!    "Book", the application, then the county (paged with `98`), the
//!    centre, the day and the time chosen at random, and confirm.
//!
//! Each number has one verified application: half made by an account
//! signed in with that number, half by an account signed in with an email
//! address that gives the number as its contact. Every step's latency is
//! recorded by kind (a PIN step, a menu, the booking). Then the trivial
//! `/livez` handler is loaded the same way (as many loops, requests and
//! pauses) in the same run, and the USSD figures are reported as ratios
//! to it.
//!
//! Exits non-zero if any step fails (not a 200, not `CON`/`END`, an
//! unexpected last screen, a list without the number's own application)
//! or if a booking is double-counted (the bookings confirmed on screen, the
//! live bookings in the database and the confirmation messages queued
//! differ, or an application holds two live bookings).
//!
//! `cargo run --release -p server --example ussd_bench -- [sessions] [think_ms] [ramp_ms]`
//! (`USAJILI_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL; default: a
//! fresh SQLite file.)

#[path = "support/mod.rs"]
mod support;

use anyhow::ensure;
use app::application::{Answers, Channel, Contact, MessageLanguage};
use app::identifiers::PhoneNumber;
use rand::Rng as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{ms, percentile};
use usajili::citizen::applications::Applications;
use usajili::config::Config;
use usajili::crypto::{FieldCipher, columns};
use usajili::startup::Application;

const TOKEN: &str = "a-ussd-benchmark-callback-token";
const PIN: &str = "4821";

/// What a step was, for where the time goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Sets or checks the PIN (argon2id).
    Pin,
    /// Any other screen.
    Menu,
    /// Confirming a booking (the booking transaction and its message).
    Book,
}

/// One person: their number and their application's reference.
struct Person {
    phone: String,
    reference: String,
}

/// What one person's visit came to.
#[derive(Default)]
struct Visit {
    steps: Vec<(Kind, Duration)>,
    booked: bool,
    failures: Vec<String>,
}

fn setting<T: std::str::FromStr>(at: usize, default: T) -> T {
    std::env::args()
        .nth(at)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sessions: usize = setting(1, 200);
    let think_ms: u64 = setting(2, 2000);
    let ramp_ms: u64 = setting(3, 20_000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = std::env::var("USAJILI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    config.demo_population = 0;
    config.messages.log.target = dir.path().join("messages.log").display().to_string();
    config.messages.sms.callback_token = Some(TOKEN.to_string().into());
    config.master_key = Some(
        usajili::crypto::MasterKey::generate()
            .to_base64()
            .to_string()
            .into(),
    );
    let engine = if std::env::var("USAJILI_BENCH_DATABASE_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    // What one PIN costs: an argon2id hash with the production parameters.
    let hashing = config.staff;
    let sent = Instant::now();
    hashing.hash(PIN)?;
    let one_hash = sent.elapsed();
    let app = Application::build(config).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let cipher = app.cipher().clone();
    tokio::spawn(app.run_until_stopped());

    eprintln!("seeding {sessions} numbers with an application each…");
    let people = Arc::new(seed(&db, &cipher, sessions).await?);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(sessions)
        .build()?;
    let think = Duration::from_millis(think_ms);

    // 1. USSD: every person's two sessions, all at once.
    let started = Instant::now();
    let mut running = Vec::new();
    let (under_way, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    for i in 0..sessions {
        let (client, address, people) = (client.clone(), address.clone(), people.clone());
        let (under_way, most) = (under_way.clone(), most.clone());
        let start = Duration::from_millis(rand::rng().random_range(0..=ramp_ms));
        running.push(tokio::spawn(async move {
            tokio::time::sleep(start).await;
            most.fetch_max(
                under_way.fetch_add(1, Ordering::SeqCst) + 1,
                Ordering::SeqCst,
            );
            let done = visit(&client, &address, &people[i], i, think).await;
            under_way.fetch_sub(1, Ordering::SeqCst);
            done
        }));
    }
    let mut visits = Vec::new();
    for task in running {
        visits.push(task.await?);
    }
    let ussd_elapsed = started.elapsed();
    let steps: Vec<(Kind, Duration)> = visits.iter().flat_map(|v| v.steps.clone()).collect();
    let failures: Vec<&String> = visits.iter().flat_map(|v| &v.failures).collect();
    let booked = visits.iter().filter(|v| v.booked).count();

    // 2. `/livez` in the same run: as many loops, requests and pauses.
    let per_loop = steps.len().div_ceil(sessions);
    let started = Instant::now();
    let mut running = Vec::new();
    for _ in 0..sessions {
        let (client, address) = (client.clone(), address.clone());
        let start = Duration::from_millis(rand::rng().random_range(0..=ramp_ms));
        running.push(tokio::spawn(async move {
            tokio::time::sleep(start).await;
            let mut taken = Vec::new();
            let mut failed = 0;
            for _ in 0..per_loop {
                pause(think).await;
                let sent = Instant::now();
                let ok = client
                    .get(format!("{address}/livez"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                taken.push(sent.elapsed());
                failed += usize::from(!ok);
            }
            (taken, failed)
        }));
    }
    let mut livez = Vec::new();
    let mut livez_failed = 0;
    for task in running {
        let (taken, failed) = task.await?;
        livez.extend(taken);
        livez_failed += failed;
    }
    let livez_elapsed = started.elapsed();

    // 3. Every booking counted once.
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE live = 1")
        .fetch_one(&db)
        .await?;
    let doubled: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT application_id FROM bookings WHERE live = 1 \
         GROUP BY application_id HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&db)
    .await?;
    let messages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'booking_confirmed'")
            .fetch_one(&db)
            .await?;

    let mut all: Vec<Duration> = steps.iter().map(|(_, d)| *d).collect();
    all.sort();
    livez.sort();
    let p99 = percentile(&all, 0.99);
    let (l50, l99) = (percentile(&livez, 0.50), percentile(&livez, 0.99));
    println!(
        "\n#### USSD step latency on {engine}: {sessions} sessions, started within {ramp_ms} ms, {think_ms} ms ±50% before each key\n"
    );
    println!(
        "| requests | count | per second | p50 ms | p99 ms | p50 ratio to /livez | p99 ratio to /livez |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| `/livez` (trivial handler, baseline) | {} | {:.0} | {:.1} | {:.1} | 1.0 | 1.0 |",
        livez.len(),
        livez.len() as f64 / livez_elapsed.as_secs_f64(),
        ms(l50),
        ms(l99)
    );
    let row = |label: &str, mut of: Vec<Duration>, elapsed: Duration| {
        of.sort();
        let (a, b) = (percentile(&of, 0.50), percentile(&of, 0.99));
        println!(
            "| {label} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} |",
            of.len(),
            of.len() as f64 / elapsed.as_secs_f64(),
            ms(a),
            ms(b),
            ms(a) / ms(l50).max(1e-3),
            ms(b) / ms(l99).max(1e-3),
        );
    };
    row("**every USSD step**", all.clone(), ussd_elapsed);
    for (kind, label) in [
        (Kind::Pin, "of which PIN steps (argon2id)"),
        (Kind::Menu, "of which menus"),
        (Kind::Book, "of which confirming a booking"),
    ] {
        let of: Vec<Duration> = steps
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .collect();
        row(label, of, ussd_elapsed);
    }
    println!(
        "\n{sessions} visits in {:.1} s, at most {} under way at once; {booked} booked on screen, {live} live bookings, {messages} confirmations queued, {doubled} applications with two; {} failed steps; /livez {} failed",
        ussd_elapsed.as_secs_f64(),
        most.load(Ordering::SeqCst),
        failures.len(),
        livez_failed,
    );
    println!(
        "one argon2id hash ({} KiB, {} passes) alone: {:.1} ms; a visit takes two (a new PIN, then the PIN typed)",
        hashing.argon2_memory_kib,
        hashing.argon2_iterations,
        ms(one_hash)
    );
    println!(
        "target: p99 under 300 ms: {} ({:.1} ms)",
        if ms(p99) < 300.0 { "met" } else { "NOT met" },
        ms(p99)
    );
    for failure in failures.iter().take(10) {
        eprintln!("failed: {failure}");
    }
    ensure!(failures.is_empty(), "{} USSD steps failed", failures.len());
    ensure!(livez_failed == 0, "{livez_failed} /livez requests failed");
    ensure!(
        doubled == 0 && live == booked as i64 && messages == booked as i64,
        "bookings double-counted: {booked} on screen, {live} live, {messages} messages, {doubled} doubled"
    );
    ensure!(
        booked == sessions,
        "only {booked} of {sessions} visits booked"
    );
    Ok(())
}

/// `n` numbers, each with one verified application giving it as the
/// contact: even ones made by the account signed in with the number, odd
/// ones by an account signed in with an email address.
async fn seed(db: &sqlx::AnyPool, cipher: &FieldCipher, n: usize) -> anyhow::Result<Vec<Person>> {
    let applications = Applications { db, cipher };
    let now = usajili::clock::unix_now();
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let phone = format!("+2547{:08}", 50_000_000 + i);
        let account = format!("ussd-bench-{i}");
        let (sign_in, kind) = if i % 2 == 0 {
            (phone.clone(), "phone")
        } else {
            (format!("person{i}@example.com"), "email")
        };
        sqlx::query(
            "INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&account)
        .bind(cipher.blind_index(columns::CONTACT_INDEX, &sign_in))
        .bind(cipher.encrypt_str(&columns::ACCOUNT_CONTACT, &account, &sign_in))
        .bind(kind)
        .bind(now)
        .execute(db)
        .await?;
        let answers = Answers {
            contact: Some(Contact {
                phone: PhoneNumber::parse(&phone).map_err(|e| anyhow::anyhow!("{e:?}"))?,
                email: None,
                language: MessageLanguage::En,
            }),
            ..Answers::default()
        };
        let id = applications
            .start(&account, Channel::Web, &answers, now)
            .await?
            .map_err(|r| anyhow::anyhow!("{r:?}"))?;
        let reference = format!("KE-B{i:05}");
        sqlx::query("UPDATE applications SET state = 'verified', reference = $2 WHERE id = $1")
            .bind(&id)
            .bind(&reference)
            .execute(db)
            .await?;
        people.push(Person { phone, reference });
    }
    Ok(people)
}

async fn pause(think: Duration) {
    let factor = rand::rng().random_range(0.5..1.5);
    tokio::time::sleep(think.mul_f64(factor)).await;
}

/// One handset's session.
struct Session<'a> {
    client: &'a reqwest::Client,
    address: &'a str,
    phone: &'a str,
    id: String,
    typed: Vec<String>,
    think: Duration,
}

impl Session<'_> {
    /// One key (or the dial, `None`): the screen, timed into `visit`.
    async fn step(&mut self, key: Option<&str>, kind: Kind, visit: &mut Visit) -> Option<String> {
        if let Some(key) = key {
            self.typed.push(key.to_string());
        }
        pause(self.think).await;
        let text = self.typed.join("*");
        let sent = Instant::now();
        let response = self
            .client
            .post(format!("{}/ussd/africastalking/{TOKEN}", self.address))
            .form(&[
                ("sessionId", self.id.as_str()),
                ("serviceCode", "*384*4321#"),
                ("phoneNumber", self.phone),
                ("networkCode", "63902"),
                ("text", text.as_str()),
            ])
            .send()
            .await;
        let body = match response {
            Ok(r) if r.status().is_success() => r.text().await.ok(),
            Ok(r) => {
                visit.failures.push(format!("status {}", r.status()));
                return None;
            }
            Err(e) => {
                visit.failures.push(format!("{e}"));
                return None;
            }
        };
        visit.steps.push((kind, sent.elapsed()));
        match body {
            Some(b) if b.starts_with("CON ") || b.starts_with("END ") => Some(b),
            other => {
                visit.failures.push(format!("not a screen: {other:?}"));
                None
            }
        }
    }

    /// The step, which must show a screen holding `expect`.
    async fn expect(
        &mut self,
        key: Option<&str>,
        kind: Kind,
        expect: &str,
        visit: &mut Visit,
    ) -> Option<String> {
        let screen = self.step(key, kind, visit).await?;
        if screen.contains(expect) {
            Some(screen)
        } else {
            visit
                .failures
                .push(format!("expected {expect:?}, got {screen:?}"));
            None
        }
    }
}

/// One of the numbered options a screen shows (a later page's go on from
/// the one before: `6 …` to `10 …`), at random; never `98 More`, `0 Back`
/// or `00 Home`.
fn any_option(screen: &str) -> String {
    let shown: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(n, _)| n))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .filter(|n| !["98", "0", "00"].contains(n))
        .collect();
    if shown.is_empty() {
        return "1".into();
    }
    shown[rand::rng().random_range(0..shown.len())].to_string()
}

/// A person's two sessions.
async fn visit(
    client: &reqwest::Client,
    address: &str,
    person: &Person,
    i: usize,
    think: Duration,
) -> Visit {
    let mut visit = Visit::default();
    let session = |n: usize| Session {
        client,
        address,
        phone: &person.phone,
        id: format!("ATUid_bench_{i}_{n}"),
        typed: Vec::new(),
        think,
    };
    // The first session: the language, a PIN twice, the applications.
    let mut first = session(1);
    let reference = person.reference.as_str();
    let ok = async {
        first
            .expect(None, Kind::Menu, "English", &mut visit)
            .await?;
        first
            .expect(Some("1"), Kind::Menu, "PIN", &mut visit)
            .await?;
        first
            .expect(Some(PIN), Kind::Pin, "PIN", &mut visit)
            .await?;
        first
            .expect(Some(PIN), Kind::Pin, "My applications", &mut visit)
            .await?;
        first
            .expect(Some("1"), Kind::Menu, reference, &mut visit)
            .await?;
        first
            .expect(Some("00"), Kind::Menu, "My applications", &mut visit)
            .await
    }
    .await;
    if ok.is_none() {
        return visit;
    }
    // The second session: the PIN, the application, then booking it.
    let mut second = session(2);
    let booked = async {
        second.expect(None, Kind::Menu, "PIN", &mut visit).await?;
        second
            .expect(Some(PIN), Kind::Pin, "My applications", &mut visit)
            .await?;
        second
            .expect(Some("1"), Kind::Menu, reference, &mut visit)
            .await?;
        second
            .expect(Some("1"), Kind::Menu, "No appointment", &mut visit)
            .await?;
        second
            .expect(Some("00"), Kind::Menu, "My applications", &mut visit)
            .await?;
        second
            .expect(Some("2"), Kind::Menu, reference, &mut visit)
            .await?;
        let mut screen = second
            .expect(Some("1"), Kind::Menu, "Choose a county", &mut visit)
            .await?;
        let pages = rand::rng().random_range(0..3);
        for _ in 0..pages {
            screen = second
                .expect(Some("98"), Kind::Menu, "Choose a county", &mut visit)
                .await?;
        }
        let county = any_option(&screen);
        let screen = second
            .expect(Some(&county), Kind::Menu, "Choose a centre", &mut visit)
            .await?;
        let centre = any_option(&screen);
        let mut screen = second
            .expect(Some(&centre), Kind::Menu, "Choose a day", &mut visit)
            .await?;
        // A few tries: a day or time taken meanwhile is offered again.
        for _ in 0..5 {
            if screen.contains("Choose a day") {
                let day = any_option(&screen);
                screen = second.step(Some(&day), Kind::Menu, &mut visit).await?;
                continue;
            }
            if screen.contains("Choose a time") {
                let time = any_option(&screen);
                screen = second.step(Some(&time), Kind::Menu, &mut visit).await?;
                continue;
            }
            if screen.contains("1 Confirm") {
                screen = second.step(Some("1"), Kind::Book, &mut visit).await?;
                continue;
            }
            if screen.starts_with("END Booked") {
                return Some(());
            }
            break;
        }
        visit
            .failures
            .push(format!("booking ended with {screen:?}"));
        None
    }
    .await;
    visit.booked = booked.is_some();
    visit
}
