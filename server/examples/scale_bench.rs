//! Several servers behind one balancer, behind BENCHMARKS.md ("Several
//! servers behind one balancer"). Run by `bench/scale.sh`.
//!
//! `scale_bench postgres` (with `USAJILI_BENCH_DATABASE_URL`): real `usajili
//! serve` processes on one PostgreSQL behind the production nginx
//! configuration (`deploy/nginx.conf`, its ports and paths replaced):
//! 1. the same realistic mix (sign-in with the code from the message log,
//!    application pages, submissions, bookings, status checks, staff day
//!    lists) through 1, then 2, then 3 processes: throughput and p50/p99,
//!    as ratios to one process; after each, every acknowledged booking is
//!    in the database exactly once, the outbox holds exactly the messages
//!    expected, and each was sent exactly once;
//! 2. the database's ceiling: the booking transaction called directly;
//! 3. the background jobs: three processes started with their clocks at
//!    18:30 the evening before a booked day, which makes that day's
//!    reminders and every earlier booking's no-show due; each counted
//!    against what was expected, each reminder sent once;
//! 4. open loop: 100 bookings a second through two processes, timed from
//!    when each was due to start.
//!
//! `scale_bench sqlite`: one process on SQLite: memory idle, the open loop
//! at 100 bookings a second, then memory with 1,000 connections held open.
//!
//! Exits non-zero when a correctness check fails. Durations and sizes come
//! from the environment (`SCALE_SECONDS`, `SCALE_CONNECTIONS`, `SCALE_OPS`,
//! `OPEN_RATE`, `OPEN_SECONDS`, `MEMORY_CONNECTIONS`).

#[path = "scale/checks.rs"]
mod checks;
#[path = "scale/mix.rs"]
mod mix;
#[allow(dead_code)]
#[path = "../tests/api/nginx.rs"]
mod nginx;
#[allow(dead_code)]
#[path = "../tests/api/processes.rs"]
mod processes;
#[path = "support/mod.rs"]
mod support;

use anyhow::ensure;
use checks::Check;
use mix::Stack;
use std::sync::Arc;
use std::time::Duration;
use support::{book_directly, memory_kib, targets, verified_applicants};
use usajili::config::Config;
use usajili::startup::Application;

const CENTRE: &str = "kibra";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The database, migrated, with a new master key: its pool and cipher for
/// seeding, and what the processes need to open it.
async fn database(
    url: String,
) -> anyhow::Result<(sqlx::AnyPool, usajili::crypto::FieldCipher, String)> {
    let key = usajili::crypto::MasterKey::generate()
        .to_base64()
        .to_string();
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = url;
    config.db_max_connections = 16;
    config.demo_population = 0;
    config.master_key = Some(key.clone().into());
    // Built, never run: no listener answers and no job runs in here.
    let app = Application::build(config).await?;
    let (db, cipher) = (app.db().clone(), app.cipher().clone());
    sqlx::query("UPDATE centres SET counters = 64 WHERE id = $1")
        .bind(CENTRE)
        .execute(&db)
        .await?;
    Ok((db, cipher, key))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("postgres") => postgres().await,
        Some("sqlite") => sqlite().await,
        _ => anyhow::bail!("usage: scale_bench postgres|sqlite"),
    }
}

async fn postgres() -> anyhow::Result<()> {
    let url = std::env::var("USAJILI_BENCH_DATABASE_URL")
        .map_err(|_| anyhow::anyhow!("set USAJILI_BENCH_DATABASE_URL to a PostgreSQL database"))?;
    let seconds: u64 = setting("SCALE_SECONDS", 20);
    let connections: usize = setting("SCALE_CONNECTIONS", 64);
    let ops: usize = setting("SCALE_OPS", 12000);
    let (db, cipher, key) = database(url.clone()).await?;
    let instance = (url.as_str(), key.as_str());
    let mut check = Check::default();
    let shared = mix::Shared::seed(&db, &cipher).await?;

    // 1. The mix through 1, 2 and 3 processes.
    let mut rows = Vec::new();
    for n in 1..=3 {
        let people = mix::People::seed(&db, &cipher, n, ops).await?;
        let stack = Stack::start(instance, n, &[]).await;
        let outcome = mix::run(&db, &stack, &shared, &people, ops, connections, seconds).await?;
        checks::verify_phase(&db, &stack, &outcome, &mut check).await?;
        let peaks: Vec<u64> = stack
            .servers
            .iter()
            .filter_map(|s| s.pid())
            .filter_map(|pid| memory_kib(pid).ok())
            .map(|(_, peak)| peak / 1024)
            .collect();
        rows.push((n, outcome, peaks));
    }
    println!(
        "\n#### The mix through nginx, {connections} connections, {seconds} s per run (PostgreSQL)\n"
    );
    println!(
        "| processes | requests/s | ratio to 1 | p50 ms | p99 ms | booking p99 ms | errors | peak RSS per process (MB) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---|");
    let base = rows[0].1.run.rate();
    for (n, outcome, peaks) in &mut rows {
        let rate = outcome.run.rate();
        outcome.run.latencies.sort();
        println!(
            "| {n} | {rate:.0} | {:.2} | {:.1} | {:.1} | {:.1} | {} | {:?} |",
            rate / base,
            support::ms(support::percentile(&outcome.run.latencies, 0.50)),
            support::ms(support::percentile(&outcome.run.latencies, 0.99)),
            outcome.booking_p99_ms(),
            outcome.run.other,
            peaks,
        );
    }
    println!();
    for (n, outcome, _) in &mut rows {
        println!("{n} process(es): {}", outcome.counts());
    }

    // 2. The database's ceiling: the booking transaction, called directly.
    let direct = Arc::new(verified_applicants(&db, &cipher, "ceiling", ops).await?);
    let mut ceiling = book_directly(
        &db,
        CENTRE,
        direct,
        Arc::new(targets(20)),
        connections,
        seconds,
    )
    .await?;
    ceiling.latencies.sort();
    let best_bookings = rows
        .iter()
        .map(|(_, o, _)| o.bookings_per_sec())
        .fold(0.0, f64::max);
    println!(
        "\n#### The database's ceiling: `Bookings::book` called directly, {connections} at once\n"
    );
    println!("| bookings/s | p50 ms | p99 ms | bookings/s within the mix (best run) |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {:.0} | {:.1} | {:.1} | {:.0} |",
        ceiling.rate(),
        support::ms(support::percentile(&ceiling.latencies, 0.50)),
        support::ms(support::percentile(&ceiling.latencies, 0.99)),
        best_bookings
    );
    // Its applicants have no phone: take their bookings out, so that the
    // jobs below are counted on bookings with messages only.
    sqlx::query(
        "DELETE FROM bookings WHERE application_id IN \
         (SELECT id FROM applications WHERE account_id LIKE 'ceiling-%')",
    )
    .execute(&db)
    .await?;

    // 3. Background jobs once across three processes.
    checks::jobs(&db, instance, &mut check).await?;

    // 4. Open loop, two processes.
    let rate: f64 = setting("OPEN_RATE", 100.0);
    let open_seconds: f64 = setting("OPEN_SECONDS", 20.0);
    let stack = Stack::start(instance, 2, &[]).await;
    let people = mix::bookers(&db, &cipher, "open-pg", (rate * open_seconds) as usize).await?;
    let run = mix::open_bookings(&stack, people, rate, open_seconds, &db, &mut check).await?;
    mix::print_open_loop("PostgreSQL, 2 processes", rate, run);
    drop(stack);

    check.finish()
}

async fn sqlite() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let (db, cipher, key) = database(url.clone()).await?;
    let instance = (url.as_str(), key.as_str());
    let mut check = Check::default();
    let rate: f64 = setting("OPEN_RATE", 100.0);
    let open_seconds: f64 = setting("OPEN_SECONDS", 20.0);
    let people = mix::bookers(&db, &cipher, "open-sqlite", (rate * open_seconds) as usize).await?;

    let stack = Stack::start(instance, 1, &[]).await;
    let pid = stack.servers[0].pid().expect("running");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle, _) = memory_kib(pid)?;

    let run = mix::open_bookings(&stack, people, rate, open_seconds, &db, &mut check).await?;
    mix::print_open_loop("SQLite, 1 process", rate, run);

    let held: usize = setting("MEMORY_CONNECTIONS", 1000);
    let address = stack.servers[0].address.clone();
    let before = mix::sockets(pid)?;
    let connections = mix::hold_connections(&address, held).await?;
    let open = mix::sockets(pid)? - before;
    let (loaded, peak) = memory_kib(pid)?;
    ensure!(
        open >= held,
        "only {open} of {held} connections are open at the server"
    );
    println!("\n#### Memory of one `usajili serve` (SQLite), RSS from /proc/<pid>/status\n");
    println!("| state | RSS (MB) | target |");
    println!("|---|---:|---:|");
    println!(
        "| idle, 2 s after start | {:.1} | < 64 |",
        idle as f64 / 1024.0
    );
    println!(
        "| {held} connections held open, each after a page (`GET /`) | {:.1} | < 200 |",
        loaded as f64 / 1024.0
    );
    println!(
        "| peak over the run (VmHWM) | {:.1} | |",
        peak as f64 / 1024.0
    );
    drop(connections);
    drop(stack);
    check.finish()
}
