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
        // `started_at` too: a session without it is signed out (its
        // lifetime since sign-in is unknown).
        data: [
            ("account".to_string(), serde_json::json!(account)),
            (
                "started_at".to_string(),
                serde_json::json!(usajili::clock::unix_now()),
            ),
        ]
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

/// Gives each of `people`'s applications (cookie, id) a mobile number in
/// its answers, so that what happens to it is told by text message, as a
/// real applicant's is. `first` numbers the phones.
pub async fn with_phones(
    db: &sqlx::AnyPool,
    cipher: &usajili::crypto::FieldCipher,
    people: &[(String, String)],
    first: usize,
) -> anyhow::Result<()> {
    for (i, (_, id)) in people.iter().enumerate() {
        let (account,): (String,) =
            sqlx::query_as("SELECT account_id FROM applications WHERE id = $1")
                .bind(id)
                .fetch_one(db)
                .await?;
        let applications = Applications { db, cipher };
        let mut stored = applications
            .load(&account, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no application {id}"))?;
        stored.answers.contact = Some(app::application::Contact {
            phone: app::identifiers::PhoneNumber::parse(&format!("+2547{:08}", first + i))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            email: None,
            language: app::application::MessageLanguage::En,
        });
        let sealed = cipher.encrypt(
            &usajili::crypto::columns::APPLICATION_ANSWERS,
            id,
            &serde_json::to_vec(&stored.answers)?,
        );
        sqlx::query("UPDATE applications SET answers = $2, contact_index = $3 WHERE id = $1")
            .bind(id)
            .bind(sealed)
            .bind(usajili::citizen::contact_index::of(cipher, &stored.answers))
            .execute(db)
            .await?;
    }
    Ok(())
}

/// An officer of `centre` signed in on the staff console (the account and
/// its session written straight in the database): the `cookie` header.
pub async fn staff_session(
    db: &sqlx::AnyPool,
    email: &str,
    centre: &str,
) -> anyhow::Result<String> {
    let id = usajili::crypto::random_id();
    let now = usajili::clock::unix_now();
    sqlx::query(
        "INSERT INTO staff_accounts (id, email, role, centre_id, password_hash, created_at) \
         VALUES ($1, $2, 'officer', $3, 'not-a-hash', $4)",
    )
    .bind(&id)
    .bind(email)
    .bind(centre)
    .bind(now)
    .execute(db)
    .await?;
    let store = usajili::http::session_store::DbSessionStore::new(db.clone());
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [
            ("staff".to_string(), serde_json::json!(id)),
            ("epoch".to_string(), serde_json::json!(0)),
            ("started_at".to_string(), serde_json::json!(now)),
        ]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(2),
    };
    store.create(&mut record).await?;
    Ok(format!("usajili_staff={}", record.id))
}

/// Birth records, and as many signed-in applicants with every task done
/// and a photo, ready to be submitted: (cookie, application id). `label`
/// names the accounts, `first` numbers the birth certificates.
pub async fn complete_applicants(
    db: &sqlx::AnyPool,
    cipher: &usajili::crypto::FieldCipher,
    label: &str,
    first: usize,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    use app::application::{Answers, Task};
    use app::forms::Form;
    use rand::RngCore as _;
    let mut births = String::from(
        "birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name,mother_id_no,father_name,father_id_no\n",
    );
    for i in first..first + n {
        births.push_str(&format!(
            "{},Kamau,Njeri Wambui,F,1994-07-{:02},047,,,,\n",
            2_000_000 + i,
            1 + i % 28
        ));
    }
    usajili::registry::import::import(
        db,
        usajili::registry::import::Table::Births,
        std::io::Cursor::new(births),
    )
    .await?;
    let applications = Applications { db, cipher };
    let today = app::dates::CivilDate::in_nairobi_at(usajili::clock::unix_now());
    // A photo's worth of bytes (the portal stores re-encoded JPEGs of 20–60 KB).
    let mut photo = vec![0u8; 40 * 1024];
    rand::rng().fill_bytes(&mut photo);
    // Now, not 0: the retention job erases drafts untouched for long.
    let now = usajili::clock::unix_now();
    let mut made = Vec::with_capacity(n);
    for i in first..first + n {
        let account = format!("{label}-{i}");
        let cookie = signed_in_account(db, cipher, &account).await?;
        let id = applications
            .create(&account, now)
            .await?
            .map_err(|r| anyhow::anyhow!("{r:?}"))?;
        let mut answers = Answers::default();
        let birth_cert = (2_000_000 + i).to_string();
        let day = (1 + i % 28).to_string();
        let tasks: [(Task, &[(&str, &str)]); 5] = [
            (
                Task::AboutYou,
                &[
                    ("surname", "Kamau"),
                    ("given-names", "Njeri Wambui"),
                    ("sex", "F"),
                    ("dob-day", &day),
                    ("dob-month", "7"),
                    ("dob-year", "1994"),
                    ("county-of-birth", "047"),
                    ("county-of-residence", "047"),
                    ("location", "Kibra"),
                ],
            ),
            (
                Task::BirthCertificate,
                &[("birth-certificate", &birth_cert)],
            ),
            (
                Task::Documents,
                &[
                    ("passport", ""),
                    ("kra-pin", ""),
                    ("nhif", ""),
                    ("nssf", ""),
                ],
            ),
            (
                Task::Contact,
                &[("phone", "0712345678"), ("email", ""), ("language", "sw")],
            ),
            (
                Task::Parents,
                &[
                    ("mother-status", "not-known"),
                    ("father-status", "deceased"),
                ],
            ),
        ];
        for (task, pairs) in tasks {
            let names: Vec<&str> = pairs.iter().map(|(name, _)| *name).collect();
            let form = Form::from_pairs(pairs.iter().copied(), &names);
            answers
                .apply(task, &form, today)
                .map_err(|issues| anyhow::anyhow!("{task:?}: {issues:?}"))?;
        }
        let mut stored = applications.load(&account, &id).await?.expect("just made");
        stored.answers = answers;
        applications
            .save_answers(&stored, now)
            .await?
            .map_err(|r| anyhow::anyhow!("{r:?}"))?;
        applications
            .save_photo(&stored, &photo, now)
            .await?
            .map_err(|r| anyhow::anyhow!("{r:?}"))?;
        made.push((cookie, id));
    }
    Ok(made)
}

/// Books each of `people` (cookie, application id) straight through the
/// booking transaction (`Bookings::book`: closures, state guard, seat
/// insert), as a handler does but without HTTP: the database's ceiling.
/// `connections` at once, until `seconds` or the people run out.
pub async fn book_directly(
    db: &sqlx::AnyPool,
    centre_id: &str,
    people: Arc<Vec<(String, String)>>,
    targets: Arc<Vec<(app::dates::CivilDate, u16)>>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Run> {
    use rand::Rng as _;
    use usajili::booking::bookings::{Bookings, Kind, Member, Outcome};
    use usajili::booking::centres::Centres;
    use usajili::booking::schedule::Schedule;
    let centre = Centres { db }
        .get(centre_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no centre {centre_id}"))?;
    let today = app::dates::CivilDate::in_nairobi_at(usajili::clock::unix_now());
    let db = db.clone();
    hammer(
        connections,
        seconds,
        people,
        move |people: Arc<Vec<(String, String)>>, i| {
            let (db, targets, centre) = (db.clone(), targets.clone(), centre.clone());
            async move {
                let bookings = Bookings {
                    db: &db,
                    cutoff_secs: 7200,
                };
                let (day, slot) = targets[rand::rng().random_range(0..targets.len())];
                let members = [Member {
                    application_id: people[i].1.clone(),
                    kind: Kind::Enrolment,
                    replaces: None,
                }];
                let closures = Centres { db: &db }.closures(day, day).await;
                let schedule = Schedule {
                    centre: &centre,
                    closures: closures.as_deref().unwrap_or(&[]),
                };
                let Ok(mut conn) = db.acquire().await else {
                    return Ended::Other;
                };
                let now = usajili::clock::unix_now();
                match bookings
                    .book(&mut conn, &schedule, today, &members, (day, slot), now)
                    .await
                {
                    Ok(Outcome::Booked(_)) => Ended::Done,
                    Ok(Outcome::Refused(_)) => Ended::Refused,
                    _ => Ended::Other,
                }
            }
        },
    )
    .await
}

/// Open loop: `rate` requests a second for `seconds`, each started at its
/// scheduled moment whatever the earlier ones are doing, and timed from
/// that moment (so a request that had to wait for the load generator, or
/// queued behind a slow one, counts its wait: no coordinated omission).
/// `request(items, i)` is the i-th request.
pub async fn open_loop<T, F, Fut>(
    rate: f64,
    seconds: f64,
    items: Arc<Vec<T>>,
    request: F,
) -> anyhow::Result<Run>
where
    T: Send + Sync + 'static,
    F: Fn(Arc<Vec<T>>, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Ended> + Send + 'static,
{
    let total = ((rate * seconds) as usize).min(items.len());
    let started = tokio::time::Instant::now();
    let mut running = Vec::with_capacity(total);
    for i in 0..total {
        let scheduled = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(scheduled).await;
        let (items, request) = (items.clone(), request.clone());
        running.push(tokio::spawn(async move {
            let ended = request(items, i).await;
            (scheduled.elapsed(), ended)
        }));
    }
    let mut run = Run::default();
    for task in running {
        let (took, ended) = task.await?;
        run.latencies.push(took);
        match ended {
            Ended::Done => run.done += 1,
            Ended::Refused => run.refused += 1,
            Ended::Other => run.other += 1,
        }
    }
    run.elapsed = started.elapsed();
    Ok(run)
}

/// A process's resident memory (`VmRSS`) and its peak (`VmHWM`), in KiB,
/// from `/proc/<pid>/status`.
pub fn memory_kib(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// Sign-in codes as the `log` transport writes them, read from message
/// log files while they grow: the newest code sent to each address.
#[derive(Default)]
pub struct CodeReader {
    read: std::collections::HashMap<std::path::PathBuf, u64>,
    codes: std::collections::HashMap<String, String>,
}

impl CodeReader {
    /// Reads what `files` gained since the last call.
    pub fn read_new(&mut self, files: &[std::path::PathBuf]) {
        use std::io::{Read as _, Seek as _};
        for file in files {
            let Ok(mut f) = std::fs::File::open(file) else {
                continue;
            };
            let from = self.read.get(file).copied().unwrap_or(0);
            if f.seek(std::io::SeekFrom::Start(from)).is_err() {
                continue;
            }
            let mut text = String::new();
            if f.read_to_string(&mut text).is_err() {
                continue;
            }
            // Only whole lines: a line being written is read next time.
            let whole = text.rfind('\n').map_or(0, |at| at + 1);
            for line in text[..whole].lines() {
                if !line.contains(" kind=sign_in_code ") {
                    continue;
                }
                let to = line.split(" to=").nth(1).and_then(|r| r.split(' ').next());
                let text = line.split(" text=").nth(1).unwrap_or_default();
                let code: Option<String> = text
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 6)
                    .map(str::to_string);
                if let (Some(to), Some(code)) = (to, code) {
                    self.codes.insert(to.to_string(), code);
                }
            }
            self.read.insert(file.clone(), from + whole as u64);
        }
    }

    /// The code sent to `address`, taken (each code is used once).
    pub fn take(&mut self, address: &str) -> Option<String> {
        self.codes.remove(address)
    }
}
