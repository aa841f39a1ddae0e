//! Registry benchmarks behind BENCHMARKS.md:
//!
//! 1. importing a synthetic population of N people (default 1,000,000) into
//!    a fresh SQLite replica, against parsing the same files alone;
//! 2. `birth_record` lookups in-process on that replica (p50/p99), against
//!    `SELECT 1` on the same pool;
//! 3. verification through the HTTP adapter against the registry API on
//!    loopback (p50/p99), against a trivial GET on the same server.
//!
//! `cargo run --release -p server --example registry_bench -- [people]`

use app::dates::CivilDate;
use app::identifiers::{BirthCertificateNumber, PersonName};
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use usajili::registry::verification::{Applicant, ApplicationKind, verify};
use usajili::registry::{
    Registry,
    http_client::{HttpRegistry, HttpRegistryConfig},
    import::{Table, import},
    replica::LocalReplica,
    synth,
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (percentile(&samples, 0.50), percentile(&samples, 0.99))
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let people: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let births_path = dir.path().join("births.csv");
    let persons_path = dir.path().join("persons.csv");
    let started = Instant::now();
    synth::generate(
        people,
        7,
        std::io::BufWriter::new(std::fs::File::create(&births_path)?),
        std::io::BufWriter::new(std::fs::File::create(&persons_path)?),
    )?;
    let births_rows = std::fs::read_to_string(&births_path)?.lines().count() - 1;
    let persons_rows = std::fs::read_to_string(&persons_path)?.lines().count() - 1;
    eprintln!(
        "synthesised {people} people in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Baseline: parsing both files with the same CSV reader, no database.
    let started = Instant::now();
    for path in [&births_path, &persons_path] {
        let mut reader = csv::Reader::from_path(path)?;
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {}
    }
    let parse_secs = started.elapsed().as_secs_f64();

    let url = format!("sqlite://{}/replica.db", dir.path().display());
    let db = usajili::db::connect(&url, 8).await?;
    usajili::db::migrate(&db).await?;
    let started = Instant::now();
    let births = import(
        &db,
        Table::Births,
        std::io::BufReader::new(std::fs::File::open(&births_path)?),
    )
    .await?;
    let persons = import(
        &db,
        Table::Persons,
        std::io::BufReader::new(std::fs::File::open(&persons_path)?),
    )
    .await?;
    let import_secs = started.elapsed().as_secs_f64();
    assert_eq!(births.rejected + persons.rejected, 0);

    println!(
        "### Registry import ({people} people: {births_rows} birth records + {persons_rows} persons, SQLite)"
    );
    println!("| step | seconds | ratio to parsing alone |\n|---|---:|---:|");
    println!("| parse both CSV files (baseline) | {parse_secs:.1} | 1.0 |");
    println!(
        "| `import` both files | {import_secs:.1} | {:.1} |",
        import_secs / parse_secs
    );

    // Lookups of random birth certificates that exist.
    let certs: Vec<String> = sqlx::query_scalar("SELECT birth_cert_no FROM registry_births")
        .fetch_all(&db)
        .await?;
    let replica = LocalReplica::new(db.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let n = 20_000;
    let mut baseline = Vec::with_capacity(n);
    let mut lookups = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        sqlx::query("SELECT 1").execute(&db).await?;
        baseline.push(started.elapsed());
        let cert = BirthCertificateNumber::parse(&certs[rng.random_range(0..certs.len())])?;
        let started = Instant::now();
        let found = replica.birth_record(&cert).await?;
        lookups.push(started.elapsed());
        assert!(found.is_some());
    }
    let (b50, b99) = summary(baseline);
    let (l50, l99) = summary(lookups);
    println!("\n### `birth_record` on the replica, in-process ({n} random lookups)");
    println!("| query | p50 µs | p99 µs | p99 ratio to `SELECT 1` |\n|---|---:|---:|---:|");
    println!(
        "| `SELECT 1` (baseline) | {:.0} | {:.0} | 1.0 |",
        us(b50),
        us(b99)
    );
    println!(
        "| `birth_record` | {:.0} | {:.0} | {:.1} |",
        us(l50),
        us(l99),
        us(l99) / us(b99)
    );

    // Verification over HTTP against the registry API on loopback.
    let key = "bench-key";
    let router = usajili::registry::api::router(LocalReplica::new(db.clone()), key)
        .route("/ping", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = HttpRegistry::new(HttpRegistryConfig::new(&base, key))?;
    let plain = reqwest::Client::new();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT birth_cert_no, surname, given_names, date_of_birth FROM registry_births ORDER BY birth_cert_no LIMIT 5000",
    )
    .fetch_all(&db)
    .await?;
    let today = CivilDate::new(2026, 11, 25).unwrap();
    let n = 3_000;
    let mut baseline = Vec::with_capacity(n);
    let mut verifications = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        plain
            .get(format!("{base}/ping"))
            .bearer_auth(key)
            .send()
            .await?
            .text()
            .await?;
        baseline.push(started.elapsed());
        let (cert, surname, given, dob) = &rows[i % rows.len()];
        let (Ok(surname), Ok(given)) = (PersonName::parse(surname), PersonName::parse(given))
        else {
            continue;
        };
        let applicant = Applicant {
            birth_cert_no: BirthCertificateNumber::parse(cert)?,
            surname,
            given_names: given,
            date_of_birth: dob.parse().map_err(|()| anyhow::anyhow!("bad date"))?,
        };
        let started = Instant::now();
        verify(&http, &applicant, ApplicationKind::AdultId, today).await;
        verifications.push(started.elapsed());
    }
    let (b50, b99) = summary(baseline);
    let (v50, v99) = summary(verifications);
    println!(
        "\n### Verification through the HTTP adapter, loopback ({n} sequential; two registry calls each)"
    );
    println!("| request | p50 µs | p99 µs | p99 ratio to a trivial GET |\n|---|---:|---:|---:|");
    println!(
        "| trivial GET on the same server (baseline) | {:.0} | {:.0} | 1.0 |",
        us(b50),
        us(b99)
    );
    println!(
        "| `verify` (birth record + ID holder) | {:.0} | {:.0} | {:.1} |",
        us(v50),
        us(v99),
        us(v99) / us(b99)
    );
    Ok(())
}
