//! What the benchmarks share: signed-in applicants made straight in the
//! database, a load loop over HTTP, and the report of a run.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tower_sessions::SessionStore as _;
use usajili::citizen::applications::Applications;

/// A new account with a session: (cookie, account id).
pub async fn signed_in_account(
    db: &sqlx::AnyPool,
    cipher: &usajili::crypto::FieldCipher,
    account: &str,
) -> anyhow::Result<String> {
    sqlx::query("INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) VALUES ($1, $1, $2, 'phone', $3)")
        .bind(account)
        .bind(cipher.encrypt_str(&usajili::crypto::columns::ACCOUNT_CONTACT, account, "+254712345678"))
        // Now, not 0: the retention job deletes old accounts without applications.
        .bind(usajili::clock::unix_now())
        .execute(db)
        .await?;
    let store = usajili::http::session_store::DbSessionStore::new(db.clone());
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [("account".to_string(), serde_json::json!(account))]
            .into_iter()
            .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(2),
    };
    store.create(&mut record).await?;
    Ok(format!("usajili_session={}", record.id))
}

/// Verified applications with a signed-in session each: (cookie, id).
pub async fn verified_applicants(
    db: &sqlx::AnyPool,
    cipher: &usajili::crypto::FieldCipher,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let applications = Applications { db, cipher };
    let mut made = Vec::with_capacity(n);
    for i in 0..n {
        let account = format!("{prefix}-{i}");
        let cookie = signed_in_account(db, cipher, &account).await?;
        let id = applications
            .create(&account, 0)
            .await?
            .map_err(|r| anyhow::anyhow!("{r:?}"))?;
        sqlx::query("UPDATE applications SET state = 'verified', reference = $2 WHERE id = $1")
            .bind(&id)
            .bind(format!("HN-{prefix}-{i}"))
            .execute(db)
            .await?;
        made.push((cookie, id));
    }
    Ok(made)
}

/// The slots (every 15 minutes, 08:00–17:00) of the next `n` open weekdays.
pub fn targets(n: usize) -> Vec<(app::dates::CivilDate, u16)> {
    let today = app::dates::CivilDate::in_nairobi_at(usajili::clock::unix_now());
    let days: Vec<app::dates::CivilDate> = (1..)
        .map(|k| today.add_days(k))
        .filter(|d| d.weekday() < 5 && app::calendar::holiday_on(*d).is_none())
        .take(n)
        .collect();
    days.iter()
        .flat_map(|&d| (0..36u16).map(move |i| (d, 480 + 15 * i)))
        .collect()
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One timed run: every request's latency and how it ended.
#[derive(Default)]
pub struct Run {
    pub latencies: Vec<Duration>,
    /// The outcome the run is after (a booking made, an application submitted).
    pub done: usize,
    /// Refused as expected under contention (a slot full).
    pub refused: usize,
    pub other: usize,
    pub elapsed: Duration,
}

impl Run {
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn report(&mut self, label: &str) -> f64 {
        self.latencies.sort();
        let rate = self.rate();
        println!(
            "{label}: {} requests in {:.1} s = {rate:.0}/s; done {}, refused {}, other {}; p50 {:.1} ms, p99 {:.1} ms",
            self.latencies.len(),
            self.elapsed.as_secs_f64(),
            self.done,
            self.refused,
            self.other,
            ms(percentile(&self.latencies, 0.50)),
            ms(percentile(&self.latencies, 0.99)),
        );
        rate
    }
}

/// What one request came to.
pub enum Ended {
    Done,
    Refused,
    Other,
}

/// `connections` loops, each taking the next of `items` and calling
/// `request` on it, until the items or `seconds` run out.
pub async fn hammer<T, F, Fut>(
    connections: usize,
    seconds: u64,
    items: Arc<Vec<T>>,
    request: F,
) -> anyhow::Result<Run>
where
    T: Send + Sync + 'static,
    F: Fn(Arc<Vec<T>>, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Ended> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (next, items, request) = (next.clone(), items.clone(), request.clone());
        workers.push(tokio::spawn(async move {
            let mut run = Run::default();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let sent = Instant::now();
                let ended = request(items.clone(), i).await;
                run.latencies.push(sent.elapsed());
                match ended {
                    Ended::Done => run.done += 1,
                    Ended::Refused => run.refused += 1,
                    Ended::Other => run.other += 1,
                }
            }
            run
        }));
    }
    let mut total = Run::default();
    for worker in workers {
        let run = worker.await?;
        total.latencies.extend(run.latencies);
        total.done += run.done;
        total.refused += run.refused;
        total.other += run.other;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}
