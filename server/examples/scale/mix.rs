//! The scale benchmark's parts: the processes behind nginx, the realistic
//! mix and who it runs as, the open loop, and the checks that nothing was
//! lost, doubled or done twice.

use crate::CENTRE;
use crate::checks::{Check, bookings_of, outbox_ids};
use crate::nginx::{Nginx, start_nginx, tls_client};
use crate::processes::ServerProcess;
use crate::support::{
    self, CodeReader, Ended, Run, complete_applicants, hammer, open_loop, staff_session, targets,
    verified_applicants, with_phones,
};
use app::dates::CivilDate;
use rand::Rng as _;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the browsers send as their `Origin`: nginx passes the host without
/// its port, as a browser on port 443 sends it.
const ORIGIN: &str = "https://127.0.0.1";

/// `n` processes on one database behind nginx, and a browser for it.
pub struct Stack {
    pub servers: Vec<ServerProcess>,
    pub nginx: Nginx,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(instance: (&str, &str), n: usize, settings: &[(&str, &str)]) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let site = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");
        let mut all = vec![
            ("USAJILI_HTTPS", "true"),
            ("USAJILI_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("LEPTOS_SITE_ROOT", site),
        ];
        all.extend_from_slice(settings);
        let mut servers = Vec::new();
        for i in 0..n {
            servers.push(ServerProcess::start(instance, dir.path(), &format!("p{i}"), &all).await);
        }
        let upstreams: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
        let nginx = start_nginx(dir.path(), &upstreams).await;
        let client = tls_client(dir.path());
        Stack {
            servers,
            nginx,
            client,
            _dir: dir,
        }
    }

    fn message_logs(&self) -> Vec<std::path::PathBuf> {
        self.servers
            .iter()
            .flat_map(ServerProcess::message_logs)
            .collect()
    }
}

/// Who every run reads as: applicants whose pages and status are looked
/// at, drafts whose task pages are opened, and an officer at the centre.
pub struct Shared {
    readers: Vec<(String, String)>,
    drafts: Vec<(String, String)>,
    staff: String,
}

impl Shared {
    pub async fn seed(
        db: &sqlx::AnyPool,
        cipher: &usajili::crypto::FieldCipher,
    ) -> anyhow::Result<Shared> {
        let readers = verified_applicants(db, cipher, "reader", 200).await?;
        with_phones(db, cipher, &readers, 20_000_000).await?;
        Ok(Shared {
            readers,
            drafts: complete_applicants(db, cipher, "draft", 900_000, 100).await?,
            staff: staff_session(db, "officer@kibra.example", CENTRE).await?,
        })
    }
}

/// Who one run changes things as, each once: bookers, submitters and
/// phone numbers signing in.
pub struct People {
    bookers: Vec<(String, String)>,
    submitters: Vec<(String, String)>,
    phones: Vec<String>,
}

/// Of every 20 requests: 8 application pages, 4 status checks, 3
/// bookings, 2 submissions, 2 staff day lists, 1 sign-in.
const PATTERN: [Kind; 20] = {
    use Kind::*;
    [
        Page, Status, Book, Page, DayList, Page, Submit, Status, Page, Book, SignIn, Page, Status,
        DayList, Page, Book, Submit, Page, Status, Page,
    ]
};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Page,
    Status,
    Book,
    Submit,
    DayList,
    SignIn,
}

fn count_of(kind: Kind, ops: usize) -> usize {
    PATTERN.iter().filter(|k| **k == kind).count() * ops.div_ceil(PATTERN.len())
}

impl People {
    pub async fn seed(
        db: &sqlx::AnyPool,
        cipher: &usajili::crypto::FieldCipher,
        run: usize,
        ops: usize,
    ) -> anyhow::Result<People> {
        Ok(People {
            bookers: bookers(db, cipher, &format!("book{run}"), count_of(Kind::Book, ops)).await?,
            submitters: complete_applicants(
                db,
                cipher,
                &format!("submit{run}"),
                run * 100_000,
                count_of(Kind::Submit, ops),
            )
            .await?,
            phones: (0..count_of(Kind::SignIn, ops))
                .map(|i| format!("07{}{:07}", run, i))
                .collect(),
        })
    }
}

/// `n` verified applicants with phones: (cookie, application id).
pub async fn bookers(
    db: &sqlx::AnyPool,
    cipher: &usajili::crypto::FieldCipher,
    label: &str,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let people = verified_applicants(db, cipher, label, n).await?;
    with_phones(db, cipher, &people, 30_000_000).await?;
    Ok(people)
}

/// What one run of the mix came to.
pub struct Outcome {
    pub run: Run,
    by_kind: BTreeMap<Kind, Vec<Duration>>,
    failed: BTreeMap<Kind, usize>,
    /// Applications whose booking was acknowledged (303).
    pub booked: Vec<String>,
    /// Applications whose booking request ended otherwise.
    pub not_booked: Vec<String>,
    pub submitted: usize,
    pub codes: usize,
    pub outbox_before: HashSet<String>,
}

impl Outcome {
    pub fn booking_p99_ms(&mut self) -> f64 {
        let b = self.by_kind.entry(Kind::Book).or_default();
        b.sort();
        support::ms(support::percentile(b, 0.99))
    }

    pub fn bookings_per_sec(&self) -> f64 {
        self.booked.len() as f64 / self.run.elapsed.as_secs_f64()
    }

    /// Each kind of request: how many, how many failed, p50 and p99.
    pub fn counts(&mut self) -> String {
        let failed = &self.failed;
        self.by_kind
            .iter_mut()
            .map(|(k, v)| {
                v.sort();
                format!(
                    "{k:?} {} (failed {}, p50 {:.1} ms, p99 {:.1} ms)",
                    v.len(),
                    failed.get(k).copied().unwrap_or(0),
                    support::ms(support::percentile(v, 0.50)),
                    support::ms(support::percentile(v, 0.99)),
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Runs the mix through `stack` until `ops` requests or `seconds` run out.
pub async fn run(
    db: &sqlx::AnyPool,
    stack: &Stack,
    shared: &Shared,
    people: &People,
    ops: usize,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Outcome> {
    let outbox_before = outbox_ids(db).await?;
    let (mut b, mut s, mut p) = (0, 0, 0);
    let mut items = Vec::with_capacity(ops);
    for i in 0..ops {
        let kind = PATTERN[i % PATTERN.len()];
        let who = match kind {
            Kind::Book => (b += 1, people.bookers[b - 1].clone()).1,
            Kind::Submit => (s += 1, people.submitters[s - 1].clone()).1,
            Kind::SignIn => (p += 1, (String::new(), people.phones[p - 1].clone())).1,
            Kind::Page => shared.drafts[i % shared.drafts.len()].clone(),
            Kind::Status => shared.readers[i % shared.readers.len()].clone(),
            Kind::DayList => (shared.staff.clone(), String::new()),
        };
        items.push((kind, who));
    }
    let context = Arc::new(Context {
        client: stack.client.clone(),
        base: stack.nginx.https.clone(),
        targets: targets(20),
        day: targets(1)[0].0,
        logs: stack.message_logs(),
        codes: Mutex::new(CodeReader::default()),
        by_kind: Mutex::new(BTreeMap::new()),
        failed: Mutex::new(BTreeMap::new()),
        booked: Mutex::new((Vec::new(), Vec::new())),
    });
    let run = hammer(connections, seconds, Arc::new(items), {
        let context = context.clone();
        move |items: Arc<Vec<(Kind, (String, String))>>, i| {
            let context = context.clone();
            async move {
                let (kind, (cookie, id)) = &items[i];
                let started = Instant::now();
                let ended = context.request(*kind, cookie, id, i).await;
                let took = started.elapsed();
                context
                    .by_kind
                    .lock()
                    .unwrap()
                    .entry(*kind)
                    .or_default()
                    .push(took);
                if matches!(ended, Ended::Other) {
                    *context.failed.lock().unwrap().entry(*kind).or_default() += 1;
                }
                if *kind == Kind::Book {
                    let mut booked = context.booked.lock().unwrap();
                    if matches!(ended, Ended::Done) {
                        booked.0.push(id.clone());
                    } else {
                        booked.1.push(id.clone());
                    }
                }
                ended
            }
        }
    })
    .await?;
    let context =
        Arc::try_unwrap(context).map_err(|_| anyhow::anyhow!("requests still running"))?;
    let by_kind = context.by_kind.into_inner().unwrap();
    let failed = context.failed.into_inner().unwrap();
    let (booked, not_booked) = context.booked.into_inner().unwrap();
    Ok(Outcome {
        submitted: by_kind.get(&Kind::Submit).map_or(0, Vec::len),
        codes: by_kind.get(&Kind::SignIn).map_or(0, Vec::len),
        run,
        by_kind,
        failed,
        booked,
        not_booked,
        outbox_before,
    })
}

/// What the mix's requests share.
struct Context {
    client: reqwest::Client,
    base: String,
    targets: Vec<(CivilDate, u16)>,
    day: CivilDate,
    logs: Vec<std::path::PathBuf>,
    codes: Mutex<CodeReader>,
    by_kind: Mutex<BTreeMap<Kind, Vec<Duration>>>,
    failed: Mutex<BTreeMap<Kind, usize>>,
    booked: Mutex<(Vec<String>, Vec<String>)>,
}

impl Context {
    /// One request of the mix, from its own client address (so that the
    /// per-connection limits count each citizen apart, as behind a real
    /// nginx).
    async fn request(&self, kind: Kind, cookie: &str, id: &str, i: usize) -> Ended {
        let client_addr = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let get = |path: String| {
            self.client
                .get(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .header("x-forwarded-for", &client_addr)
        };
        let post = |path: &str| {
            self.client
                .post(format!("{}{path}", self.base))
                .header("origin", ORIGIN)
                .header("x-forwarded-for", &client_addr)
        };
        let answer = match kind {
            Kind::Page => get(format!("/applications/{id}/about-you")).send().await,
            Kind::Status => get(format!("/applications/{id}")).send().await,
            Kind::DayList => get(format!("/staff?day={}", self.day)).send().await,
            Kind::Submit => {
                post(&format!("/applications/{id}/declaration"))
                    .header("cookie", cookie)
                    .form(&[("declaration", "yes")])
                    .send()
                    .await
            }
            Kind::Book => {
                let (day, slot) = self.targets[rand::rng().random_range(0..self.targets.len())];
                post(&format!("/applications/{id}/booking/centres/{CENTRE}"))
                    .header("cookie", cookie)
                    .form(&[
                        ("day", day.to_string()),
                        ("slot", app::calendar::clock_label(slot)),
                        ("replaces", String::new()),
                    ])
                    .send()
                    .await
            }
            Kind::SignIn => return self.sign_in(id, &post).await,
        };
        let Ok(answer) = answer else {
            return Ended::Other;
        };
        let status = answer.status().as_u16();
        // A redirect to sign in is no success, whatever its status.
        if answer
            .headers()
            .get("location")
            .is_some_and(|l| l.as_bytes().starts_with(b"/sign-in"))
        {
            return Ended::Other;
        }
        if answer.bytes().await.is_err() {
            return Ended::Other;
        }
        match (kind, status) {
            (Kind::Page | Kind::Status | Kind::DayList, 200) => Ended::Done,
            (Kind::Submit | Kind::Book, 303) => Ended::Done,
            (Kind::Book, 409) => Ended::Refused,
            _ => Ended::Other,
        }
    }

    /// Asks for a code for `phone`, reads it from the message log as the
    /// phone would receive it, and signs in with it.
    async fn sign_in(&self, phone: &str, post: &impl Fn(&str) -> reqwest::RequestBuilder) -> Ended {
        let Ok(asked) = post("/sign-in").form(&[("contact", phone)]).send().await else {
            return Ended::Other;
        };
        if asked.status().as_u16() != 303 {
            return Ended::Other;
        }
        let Some(cookie) = asked
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("usajili_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
        else {
            return Ended::Other;
        };
        let to = app::identifiers::PhoneNumber::parse(phone)
            .map(|p| p.as_ref().to_string())
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(10);
        let code = loop {
            let found = {
                let mut codes = self.codes.lock().unwrap();
                codes.read_new(&self.logs);
                codes.take(&to)
            };
            match found {
                Some(code) => break code,
                None if Instant::now() > deadline => return Ended::Other,
                None => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        };
        let signed_in = post("/sign-in/code")
            .header("cookie", cookie)
            .form(&[("code", code.as_str())])
            .send()
            .await;
        match signed_in.map(|r| r.status().as_u16()) {
            Ok(303) => Ended::Done,
            _ => Ended::Other,
        }
    }
}

/// Open loop: each of `people` books once, `rate` a second, timed from
/// when the booking was due to start; each 303 checked in the database.
pub async fn open_bookings(
    stack: &Stack,
    people: Vec<(String, String)>,
    rate: f64,
    seconds: f64,
    db: &sqlx::AnyPool,
    check: &mut Check,
) -> anyhow::Result<Run> {
    let booked = Arc::new(Mutex::new(Vec::new()));
    let context = Arc::new(Context {
        client: stack.client.clone(),
        base: stack.nginx.https.clone(),
        targets: targets(20),
        day: targets(1)[0].0,
        logs: Vec::new(),
        codes: Mutex::new(CodeReader::default()),
        by_kind: Mutex::new(BTreeMap::new()),
        failed: Mutex::new(BTreeMap::new()),
        booked: Mutex::new((Vec::new(), Vec::new())),
    });
    let run = open_loop(rate, seconds, Arc::new(people), {
        let booked = booked.clone();
        move |people: Arc<Vec<(String, String)>>, i| {
            let (context, booked) = (context.clone(), booked.clone());
            async move {
                let (cookie, id) = &people[i];
                let ended = context.request(Kind::Book, cookie, id, i).await;
                if matches!(ended, Ended::Done) {
                    booked.lock().unwrap().push(id.clone());
                }
                ended
            }
        }
    })
    .await?;
    let booked = booked.lock().unwrap().clone();
    let live = bookings_of(db, &booked).await?;
    check.that(
        run.other == 0 && live.len() == booked.len() && live.values().all(|n| *n == 1),
        format!(
            "open loop on {} process(es): {} acknowledged, {} in the database once, {} failed",
            stack.servers.len(),
            booked.len(),
            live.values().filter(|n| **n == 1).count(),
            run.other
        ),
    );
    Ok(run)
}

pub fn print_open_loop(label: &str, rate: f64, mut run: Run) {
    run.latencies.sort();
    println!(
        "\n#### Open loop: {rate:.0} bookings a second through nginx, {label}\n\n\
         | offered | achieved | p50 ms | p99 ms | max ms | target p99 |\n|---:|---:|---:|---:|---:|---:|\n\
         | {rate:.0}/s | {:.0}/s | {:.1} | {:.1} | {:.1} | < 50 ms |",
        run.done as f64 / run.elapsed.as_secs_f64(),
        support::ms(support::percentile(&run.latencies, 0.50)),
        support::ms(support::percentile(&run.latencies, 0.99)),
        support::ms(run.latencies.last().copied().unwrap_or_default()),
    );
}

/// `n` connections straight to the process at `address`, each having
/// fetched the landing page and kept open (HTTP/1.1 keep-alive); returns
/// the connections.
/// How many sockets process `pid` has open.
pub fn sockets(pid: u32) -> anyhow::Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?
        .filter_map(Result::ok)
        .filter(|e| {
            std::fs::read_link(e.path()).is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
        })
        .count())
}

pub async fn hold_connections(
    address: &str,
    n: usize,
) -> anyhow::Result<Vec<tokio::net::TcpStream>> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let host = address.trim_start_matches("http://").to_string();
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        let mut stream = tokio::net::TcpStream::connect(&host).await?;
        stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
            .await?;
        // Read the answer's head and its body (Content-Length, or chunked
        // until its last chunk).
        let mut answer = Vec::new();
        let mut buf = [0u8; 16384];
        loop {
            let read = stream.read(&mut buf).await?;
            anyhow::ensure!(read > 0, "the server closed a connection");
            answer.extend_from_slice(&buf[..read]);
            let text = String::from_utf8_lossy(&answer);
            if let Some(head_end) = text.find("\r\n\r\n") {
                let head = text[..head_end].to_ascii_lowercase();
                anyhow::ensure!(head.starts_with("http/1.1 200"), "{head}");
                let body = answer.len() - head_end - 4;
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                match length {
                    Some(length) if body >= length => break,
                    None if text.ends_with("0\r\n\r\n") => break,
                    _ => {}
                }
            }
        }
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(held)
}
