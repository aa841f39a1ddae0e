//! The production nginx configuration (`deploy/nginx.conf`, only its ports
//! and paths replaced) in front of two `usajili serve` processes sharing one
//! PostgreSQL: TLS, load balancing, forwarded headers and the `/pkg` cache.
//! Citizens book through it at once; both processes answer, nothing is
//! lost or doubled, and each message goes exactly once although both
//! processes run the outbox. PostgreSQL only: several processes on one
//! database is the PostgreSQL deployment.

use crate::helpers::{TestApp, unserved_app};
use crate::load::{self, CENTRE, SLOTS};
use crate::nginx::{start_nginx, tls_client};
use crate::processes::{ServerProcess, sends_by_id};
use reqwest::StatusCode;
use std::path::Path;
use std::time::Duration;

fn site_root() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");
    assert!(
        Path::new(root).join("pkg/usajili.css").exists(),
        "no site at {root}: run `cargo leptos build --release` first (scripts/test.sh does)"
    );
    root.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_behind_the_production_nginx_share_the_work_and_each_message_goes_once() {
    let app = unserved_app(|_| ()).await;
    if app.config.database_url.starts_with("sqlite:") {
        return; // One process per SQLite database.
    }
    tokio::time::timeout(Duration::from_secs(180), balanced(&app))
        .await
        .expect("the balanced test finishes within its bound");
}

async fn balanced(app: &TestApp) {
    app.set_counters(CENTRE, 40).await;
    let people = app.verified_accounts_with_sessions(80).await;
    app.with_phones(&people).await;
    let dir = tempfile::tempdir().unwrap();
    let site = site_root();
    let settings = [
        ("USAJILI_HTTPS", "true"),
        ("USAJILI_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("LEPTOS_SITE_ROOT", site.as_str()),
    ];
    let instance = (
        app.config.database_url.as_str(),
        app.config.master_key.as_ref().unwrap().expose(),
    );
    let servers = [
        ServerProcess::start(instance, dir.path(), "first", &settings).await,
        ServerProcess::start(instance, dir.path(), "second", &settings).await,
    ];
    let upstreams: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let nginx = start_nginx(dir.path(), &upstreams).await;
    let client = tls_client(dir.path());

    // Plain HTTP only sends the browser to HTTPS.
    let plain = client
        .get(format!("{}/privacy", nginx.http))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::MOVED_PERMANENTLY);
    assert!(
        plain.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("https://")
    );

    // Eighty citizens book at once through nginx.
    let requests = people.iter().enumerate().map(|(i, (cookie, id))| {
        let client = client.clone();
        let url = format!("{}{}", nginx.https, crate::booking::centre_path(id, CENTRE));
        async move {
            let response = client
                .post(url)
                // nginx passes the host without its port ($host), as a
                // browser on port 443 would send it.
                .header("origin", "https://127.0.0.1")
                .header("cookie", cookie)
                .form(&[
                    ("day", load::day().to_string()),
                    ("slot", SLOTS[i % SLOTS.len()].to_string()),
                    ("replaces", String::new()),
                ])
                .send()
                .await
                .expect("an answer through nginx");
            response.status()
        }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    for (_, id) in &people {
        assert_eq!(app.live_bookings(id).await.len(), 1);
    }
    for slot in SLOTS {
        assert!(
            app.seats_taken(CENTRE, load::day(), load::minutes(slot))
                .await
                <= 40
        );
    }

    // Both processes answered.
    let access = std::fs::read_to_string(nginx.dir.join("access.log")).unwrap();
    for upstream in &upstreams {
        let address = upstream.trim_start_matches("http://");
        let posts = access
            .lines()
            .filter(|l| l.starts_with(address) && l.contains(" POST "))
            .count();
        assert!(posts > 0, "{address} took no booking:\n{access}");
    }
    // One booking row each: nothing was sent twice by nginx or a retry.
    assert_eq!(app.rows_in("bookings").await, people.len() as i64);

    // Each message goes exactly once, although both processes run the outbox.
    app.wait_until_outbox_drained(Duration::from_secs(30)).await;
    let sent = sends_by_id(&servers);
    let queued = app.rows_in("outbox").await as usize;
    assert_eq!(queued, people.len(), "one message per booking");
    assert_eq!(sent.len(), queued, "every message sent");
    assert!(sent.values().all(|n| *n == 1), "none twice: {sent:?}");

    // The site's static files come from nginx's cache the second time,
    // without a cookie; pages are never cached.
    let css = format!("{}/pkg/usajili.css", nginx.https);
    let first = client
        .get(&css)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = client
        .get(&css)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(second.headers()["x-cache-status"], "HIT");
    assert!(second.headers().get("set-cookie").is_none());
    let page = client
        .get(format!("{}/privacy", nginx.https))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("x-cache-status").is_none());
    assert!(page.headers().get("strict-transport-security").is_some());
}
