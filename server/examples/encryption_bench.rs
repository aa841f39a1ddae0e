//! What field encryption costs, behind BENCHMARKS.md.
//!
//! Two servers run side by side in this process, each on its own fresh
//! SQLite file: the portal as it ships, and the same portal built with
//! `Application::build_without_encryption` (values stored as they are, the
//! same length). Each is loaded over loopback with the two requests that
//! write the most encrypted data: submitting a complete application (the
//! answers read and decrypted, the registry check, the pending check and
//! the message sealed) and then booking it (the session, the application
//! read, the confirmation message sealed). The configurations alternate,
//! `rounds` times each, and the best rate of each is compared.
//!
//! `cargo run --release -p server --features bench --example encryption_bench -- [seconds] [connections] [rounds]`

#[path = "support/mod.rs"]
mod support;

use rand::Rng as _;
use std::sync::Arc;
use support::{Ended, Run, hammer, targets};
use usajili::config::Config;
use usajili::startup::Application;

const CENTRE: &str = "kibra";
/// Applicants made for each run (more than a run gets through).
const PER_RUN: usize = 1500;

struct Portal {
    label: &'static str,
    address: String,
    db: sqlx::AnyPool,
    cipher: usajili::crypto::FieldCipher,
    _dir: tempfile::TempDir,
}

async fn portal(label: &'static str, encrypted: bool) -> anyhow::Result<Portal> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse()?;
    config.database_url = format!("sqlite://{}/bench.db", dir.path().display());
    config.demo_population = 0;
    config.messages.log.target = dir.path().join("messages.log").display().to_string();
    config.master_key = Some(
        usajili::crypto::MasterKey::generate()
            .to_base64()
            .to_string()
            .into(),
    );
    let app = if encrypted {
        Application::build(config).await?
    } else {
        Application::build_without_encryption(config).await?
    };
    let portal = Portal {
        label,
        address: format!("http://127.0.0.1:{}", app.port()),
        db: app.db().clone(),
        cipher: app.cipher().clone(),
        _dir: dir,
    };
    tokio::spawn(app.run_until_stopped());
    sqlx::query("UPDATE centres SET counters = 64 WHERE id = $1")
        .bind(CENTRE)
        .execute(&portal.db)
        .await?;
    Ok(portal)
}

/// Complete applicants of `portal` (`support::complete_applicants`).
async fn complete_applicants(
    portal: &Portal,
    first: usize,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    support::complete_applicants(&portal.db, &portal.cipher, portal.label, first, n).await
}

async fn submit_all(
    client: &reqwest::Client,
    portal: &Portal,
    people: Arc<Vec<(String, String)>>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Run> {
    let (client, address) = (client.clone(), portal.address.clone());
    hammer(
        connections,
        seconds,
        people,
        move |people: Arc<Vec<(String, String)>>, i| {
            let (client, address) = (client.clone(), address.clone());
            async move {
                let (cookie, id) = &people[i];
                let response = client
                    .post(format!("{address}/applications/{id}/declaration"))
                    .header("cookie", cookie)
                    .header("origin", &address)
                    .form(&[("declaration", "yes")])
                    .send()
                    .await;
                match response.map(|r| r.status().as_u16()) {
                    Ok(303) => Ended::Done,
                    _ => Ended::Other,
                }
            }
        },
    )
    .await
}

async fn book_all(
    client: &reqwest::Client,
    portal: &Portal,
    people: Arc<Vec<(String, String)>>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Run> {
    let (client, address, targets) = (
        client.clone(),
        portal.address.clone(),
        Arc::new(targets(20)),
    );
    hammer(
        connections,
        seconds,
        people,
        move |people: Arc<Vec<(String, String)>>, i| {
            let (client, address, targets) = (client.clone(), address.clone(), targets.clone());
            async move {
                let (cookie, id) = &people[i];
                let (day, slot) = targets[rand::rng().random_range(0..targets.len())];
                let form = [
                    ("day", day.to_string()),
                    ("slot", app::calendar::clock_label(slot)),
                    ("replaces", String::new()),
                ];
                let response = client
                    .post(format!(
                        "{address}/applications/{id}/booking/centres/{CENTRE}"
                    ))
                    .header("cookie", cookie)
                    .header("origin", &address)
                    .form(&form)
                    .send()
                    .await;
                match response.map(|r| r.status().as_u16()) {
                    Ok(303) => Ended::Done,
                    Ok(409) => Ended::Refused,
                    _ => Ended::Other,
                }
            }
        },
    )
    .await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(4);
    let connections: usize = std::env::args()
        .nth(2)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(32);
    let rounds: usize = std::env::args()
        .nth(3)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(3);
    let portals = [
        portal("encrypted", true).await?,
        portal("plain", false).await?,
    ];
    // The plain portal really stores plain text; the other does not.
    let probe = |p: &Portal| {
        p.cipher
            .encrypt_str(&usajili::crypto::columns::IDENTITY_NAMES, "probe", "Kamau")
            .windows(5)
            .any(|w| w == b"Kamau")
    };
    assert!(
        !probe(&portals[0]) && probe(&portals[1]),
        "the two portals differ only in encryption"
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()?;

    eprintln!("seeding {PER_RUN} complete applications per run and portal…");
    let mut batches = Vec::new();
    for round in 0..rounds {
        let mut pair = Vec::new();
        for portal in &portals {
            pair.push(Arc::new(
                complete_applicants(portal, round * PER_RUN, PER_RUN).await?,
            ));
        }
        batches.push(pair);
    }

    // best[portal] = (submissions/s, bookings/s)
    let mut best = [(0.0f64, 0.0f64); 2];
    for (round, pair) in batches.into_iter().enumerate() {
        for (k, portal) in portals.iter().enumerate() {
            let mut submitted =
                submit_all(&client, portal, pair[k].clone(), connections, seconds).await?;
            let submit_rate = submitted.report(&format!("round {round}, {}: submit", portal.label));
            // Book only the applications that were submitted (and so verified).
            let verified: Vec<(String, String)> = pair[k]
                .iter()
                .take(submitted.latencies.len())
                .cloned()
                .collect();
            let live = |db: sqlx::AnyPool| async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bookings WHERE live = 1")
                    .fetch_one(&db)
                    .await
            };
            let before = live(portal.db.clone()).await?;
            let mut booked =
                book_all(&client, portal, Arc::new(verified), connections, seconds).await?;
            let book_rate = booked.report(&format!("round {round}, {}: book", portal.label));
            let made = usize::try_from(live(portal.db.clone()).await? - before)?;
            if submitted.other > 0 || booked.other > 0 || made != booked.done {
                anyhow::bail!("unexpected responses: the benchmark is not measuring what it says");
            }
            best[k] = (best[k].0.max(submit_rate), best[k].1.max(book_rate));
        }
    }
    println!(
        "encryption cost on SQLite, {connections} connections, best of {rounds} rounds of {seconds} s:\n\
         submission: encrypted {:.0}/s, plain {:.0}/s = {:.2}x\n\
         booking:    encrypted {:.0}/s, plain {:.0}/s = {:.2}x",
        best[0].0,
        best[1].0,
        best[0].0 / best[1].0,
        best[0].1,
        best[1].1,
        best[0].1 / best[1].1
    );
    Ok(())
}
