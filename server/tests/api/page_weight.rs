//! What each page costs a phone: the bytes of a first visit (HTML, CSS, JS
//! and WASM, as served to a browser that accepts brotli) against its budget,
//! and what moving on to the next citizen page downloads again. Byte counts
//! do not vary from run to run, so this is a test, not a benchmark.
//!
//! It needs the release build's assets (`cargo leptos build --release
//! --precompress` and `scripts/bundles.sh`, as the test script runs them).
//! Without them it says so and passes, unless `USAJILI_TEST_BUNDLES=required`
//! (set by the test script). With `USAJILI_PAGE_WEIGHT_TABLE=FILE` it writes
//! the table BENCHMARKS.md shows (`bench/payload.sh`).

use crate::browser::*;
use crate::children::{add_and_consent, signed_in_mother, with_families};
use crate::fixtures::*;
use crate::helpers::{TestApp, assert_inline_scripts_allowed, spawn_app_with};
use app::application::Task;
use reqwest::StatusCode;
use std::collections::{BTreeMap, HashSet};
use usajili::staff::Role;

/// Budgets, in bytes (1 KB = 1000 bytes, as BENCHMARKS.md counts).
const LANDING: usize = 50_000;
const CITIZEN: usize = 100_000;
const STAFF: usize = 120_000;
/// What moving to another citizen page may download again.
const NEXT_PAGE: usize = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Html,
    Css,
    Js,
    Wasm,
}

/// One page's first visit.
struct Visit {
    page: String,
    budget: usize,
    /// Bytes by resource.
    parts: Vec<(Kind, String, usize)>,
    /// Bytes downloaded again after the page before it (citizen pages).
    next: Option<usize>,
}

impl Visit {
    fn total(&self) -> usize {
        self.parts.iter().map(|(_, _, b)| b).sum()
    }
    fn of(&self, kind: Kind) -> usize {
        self.parts
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, _, b)| b)
            .sum()
    }
}

struct Scale<'a> {
    app: &'a TestApp,
    asset_sizes: BTreeMap<String, usize>,
    visits: Vec<Visit>,
    /// The assets a citizen's browser holds after the pages so far.
    cached: HashSet<String>,
    journey_started: bool,
}

impl<'a> Scale<'a> {
    async fn asset(&mut self, path: &str) -> usize {
        if let Some(size) = self.asset_sizes.get(path) {
            return *size;
        }
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let size = response.bytes().await.unwrap().len();
        self.asset_sizes.insert(path.to_string(), size);
        size
    }

    /// Weighs `path` as `browser` sees it. `citizen`: part of the citizen's
    /// journey, whose next-page cost is counted.
    async fn weigh(&mut self, browser: &Browser<'_>, path: &str, budget: usize, citizen: bool) {
        let response = browser
            .client
            .get(self.app.url(path))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let compressed = response.headers().get("content-encoding").is_some();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = response.bytes().await.unwrap();
        assert!(compressed, "{path} is sent compressed");
        // Decompressed only to read the asset links.
        let mut text = Vec::new();
        brotli_decompress(&html, &mut text);
        let text = String::from_utf8(text).unwrap();
        // Every page of every bundle, as built: its scripts run.
        assert_inline_scripts_allowed(path, &csp, &text);
        let mut parts = vec![(Kind::Html, "HTML".to_string(), html.len())];
        let mut next = html.len();
        let code_before = self
            .cached
            .iter()
            .any(|c| c.ends_with(".js") || c.ends_with(".wasm"));
        for asset in assets_named(&text) {
            let kind = match asset.rsplit('.').next() {
                Some("css") => Kind::Css,
                Some("js") => Kind::Js,
                Some("wasm") => Kind::Wasm,
                _ => continue,
            };
            let size = self.asset(&asset).await;
            // The citizen bundle's first download (on the first page of the
            // journey with an island: pages without one load no code) is a
            // first visit's cost, budgeted as such; every other download is
            // the cost of moving on.
            let first_bundle = matches!(kind, Kind::Js | Kind::Wasm) && !code_before;
            if citizen && self.cached.insert(asset.clone()) && !first_bundle {
                next += size;
            }
            parts.push((kind, asset, size));
        }
        // The first page of the journey is a first visit, not a next page.
        let next = (citizen && std::mem::replace(&mut self.journey_started, true)).then_some(next);
        self.visits.push(Visit {
            page: path.to_string(),
            budget,
            parts,
            next,
        });
    }

    fn table(&self) -> String {
        let mut out = String::from(
            "| page | HTML | CSS | JS | WASM | first visit | budget | next page |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for v in &self.visits {
            out += &format!(
                "| `{}` | {} | {} | {} | {} | **{}** | {} | {} |\n",
                v.page,
                v.of(Kind::Html),
                v.of(Kind::Css),
                v.of(Kind::Js),
                v.of(Kind::Wasm),
                v.total(),
                v.budget,
                v.next.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
            );
        }
        out
    }

    /// Every page over its budget, with the resource that weighs most.
    fn over_budget(&self) -> Vec<String> {
        let mut over = Vec::new();
        for v in &self.visits {
            if v.total() > v.budget {
                let (_, heaviest, bytes) = v.parts.iter().max_by_key(|(_, _, b)| *b).unwrap();
                over.push(format!(
                    "{}: first visit {} bytes, budget {} (heaviest: {heaviest}, {bytes} bytes)",
                    v.page,
                    v.total(),
                    v.budget
                ));
            }
            if let Some(next) = v.next
                && next > NEXT_PAGE
            {
                over.push(format!(
                    "{}: the next page downloads {next} bytes, budget {NEXT_PAGE}",
                    v.page
                ));
            }
        }
        over
    }
}

/// The `/pkg` files a page names (stylesheet, module and WASM preloads).
fn assets_named(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in html.split("\"/pkg/").skip(1) {
        if let Some(end) = piece.find('"') {
            let asset = format!("/pkg/{}", &piece[..end]);
            if !found.contains(&asset) {
                found.push(asset);
            }
        }
    }
    found
}

fn brotli_decompress(input: &[u8], out: &mut Vec<u8>) {
    let mut reader = brotli::Decompressor::new(input, 4096);
    std::io::Read::read_to_end(&mut reader, out).expect("brotli");
}

/// The release build's site, if it was built.
fn built_site() -> Option<String> {
    let site = std::env::var("USAJILI_TEST_SITE_ROOT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site").to_string());
    if std::path::Path::new(&site).join(app::assets::LIST).exists() {
        return Some(site);
    }
    assert!(
        std::env::var("USAJILI_TEST_BUNDLES").as_deref() != Ok("required"),
        "no {site}/{}: run cargo leptos build --release --precompress and scripts/bundles.sh",
        app::assets::LIST
    );
    eprintln!("page_weight: no built assets under {site}; nothing measured");
    None
}

#[tokio::test]
async fn every_page_fits_its_budget_and_pages_without_islands_load_no_code() {
    let Some(site) = built_site() else { return };
    let app = spawn_app_with(|c| {
        c.site_root = site;
        c.staff.argon2_memory_kib = 1024;
        c.staff.argon2_iterations = 1;
    })
    .await;
    with_registry(&app).await;
    with_families(&app).await;
    let mut scale = Scale {
        app: &app,
        asset_sizes: BTreeMap::new(),
        visits: Vec::new(),
        cached: HashSet::new(),
        journey_started: false,
    };

    // Public pages.
    let visitor = Browser::new(&app);
    scale.weigh(&visitor, "/", LANDING, false).await;
    scale.weigh(&visitor, "/privacy", CITIZEN, false).await;
    let privacy = scale.visits.last().unwrap();
    assert!(
        privacy
            .parts
            .iter()
            .all(|(k, _, _)| !matches!(k, Kind::Js | Kind::Wasm)),
        "a page without an island loads no code: {:?}",
        privacy.parts
    );

    // A citizen's journey, in the order they meet the pages.
    let citizen = Browser::new(&app);
    scale.weigh(&citizen, "/sign-in", CITIZEN, true).await;
    citizen.request_code("0712600001").await;
    scale.weigh(&citizen, "/sign-in/code", CITIZEN, true).await;
    drop(citizen);
    let (citizen, verified) = app.verified_citizen("0712600001").await;
    scale.weigh(&citizen, "/applications", CITIZEN, true).await;
    let draft = citizen.start().await;
    scale
        .weigh(&citizen, &format!("/applications/{draft}"), CITIZEN, true)
        .await;
    for task in Task::ALL {
        let path = format!("/applications/{draft}/{}", task.slug());
        scale.weigh(&citizen, &path, CITIZEN, true).await;
    }
    let finder = format!("/applications/{verified}/booking/centres");
    scale.weigh(&citizen, &finder, CITIZEN, true).await;
    scale
        .weigh(&citizen, &format!("{finder}/gpo"), CITIZEN, true)
        .await;
    app.booked_directly(&verified, "gpo", "enrolment", today().add_days(2), 9 * 60)
        .await;
    let booking = format!("/applications/{verified}/booking");
    scale.weigh(&citizen, &booking, CITIZEN, true).await;
    scale
        .weigh(&citizen, &format!("{booking}/cancel"), CITIZEN, true)
        .await;
    scale.weigh(&citizen, "/identity", CITIZEN, true).await;
    scale
        .weigh(&citizen, "/account/delete", CITIZEN, true)
        .await;

    // A parent's pages.
    let parent = signed_in_mother(&app, "0712600002").await;
    scale.weigh(&parent, "/children/new", CITIZEN, true).await;
    let child = add_and_consent(&parent, "3000001", "Otieno", "Mary Akinyi").await;
    scale
        .weigh(&parent, &format!("/children/{child}"), CITIZEN, true)
        .await;

    // The staff console.
    let sign_in = Browser::new(&app);
    scale.weigh(&sign_in, "/staff/sign-in", STAFF, false).await;
    let supervisor = app
        .signed_in_staff("sup@kenya.go.ke", Role::Supervisor, Some("gpo"))
        .await;
    let queued = app
        .second_verified_application(&verified, "HN-TEST-0901")
        .await;
    let at_counter = app
        .booked_directly(&queued, "gpo", "enrolment", today(), later_today())
        .await;
    for path in [
        "/staff".to_string(),
        format!("/staff/bookings/{at_counter}"),
        "/staff/reviews".into(),
        "/staff/identities".into(),
        "/staff/cards-ready".into(),
        "/staff/capacity".into(),
        "/staff/dashboard".into(),
        "/staff/audit".into(),
    ] {
        scale.weigh(&supervisor, &path, STAFF, false).await;
    }
    let admin = app
        .signed_in_staff("admin@kenya.go.ke", Role::Administrator, None)
        .await;
    for path in ["/staff/accounts", "/staff/outbox"] {
        scale.weigh(&admin, path, STAFF, false).await;
    }

    let table = scale.table();
    println!("{table}");
    if let Ok(file) = std::env::var("USAJILI_PAGE_WEIGHT_TABLE") {
        std::fs::write(file, &table).unwrap();
    }
    let over = scale.over_budget();
    assert!(
        over.is_empty(),
        "over budget:\n{}\n\n{table}",
        over.join("\n")
    );
}
