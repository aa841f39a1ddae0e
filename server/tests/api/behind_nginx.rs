//! The release binary behind a real nginx (Debian's), as `scripts/test.sh`
//! runs them (`scripts/nginx.sh`, its config from `scripts/nginx-test.conf`
//! with the proxy headers of `deploy/nginx.conf`). The portal trusts
//! `127.0.0.2/32` (nginx connects to it from there, `proxy_bind`) and
//! `127.0.0.3/32` (a load balancer in front of nginx, played by this test),
//! never `127.0.0.1`, the address a client connecting directly has.
//!
//! Skipped (it passes at once, saying so) unless the script sets
//! `USAJILI_TEST_NGINX_URL` (nginx) and `USAJILI_TEST_NGINX_DIRECT_URL` (the
//! portal itself); it needs a portal started for it, since it fills the
//! staff sign-in limits of the addresses it uses.

use reqwest::StatusCode;
use std::net::IpAddr;

/// The staff sign-in limit of a connection: 30 in ten minutes.
const STAFF_TRIES: usize = 30;
/// The "front" load balancer, a trusted proxy before nginx.
const FRONT: &str = "127.0.0.3";
/// A client of its own: neither nginx nor the front.
const STRANGER: &str = "127.0.0.1";

/// Where to send a request, and the `Origin` a browser would send there.
struct Target {
    base: String,
    origin: String,
}

struct Portal {
    nginx: Target,
    direct: Target,
}

fn portal() -> Option<Portal> {
    match (
        std::env::var("USAJILI_TEST_NGINX_URL"),
        std::env::var("USAJILI_TEST_NGINX_DIRECT_URL"),
    ) {
        (Ok(nginx), Ok(direct)) => Some(Portal {
            // nginx passes the Host as `$host`, the name without its port,
            // so the portal's own origin there has none (in production the
            // browser's Origin on port 443 has none either).
            nginx: Target {
                origin: nginx.rsplit_once(':').expect("a port").0.to_string(),
                base: nginx,
            },
            direct: Target {
                origin: direct.clone(),
                base: direct,
            },
        }),
        _ => {
            eprintln!("skipped: scripts/test.sh runs this behind nginx");
            None
        }
    }
}

/// A client whose connections come from `from`.
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A staff sign-in with an email no one has, to `base`, saying it forwards
/// `forwarded`: 422 when let in (and refused), 429 over the limit.
async fn junk_sign_in(
    client: &reqwest::Client,
    to: &Target,
    n: usize,
    forwarded: &str,
) -> StatusCode {
    let email = format!("nobody{n}@kenya.go.ke");
    client
        .post(format!("{}/staff/sign-in", to.base))
        .header("origin", &to.origin)
        .header("x-forwarded-for", forwarded)
        .form(&[("email", email.as_str()), ("password", "not a password")])
        .send()
        .await
        .expect("the portal answers")
        .status()
}

#[tokio::test]
async fn behind_nginx_forwarded_clients_have_their_own_buckets_and_forged_ones_none() {
    let Some(portal) = portal() else { return };
    let front = client_from(FRONT);
    let stranger = client_from(STRANGER);
    let health = front
        .get(format!("{}/healthz", portal.nginx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "nginx reaches the portal");

    // Two clients behind the front and nginx: the front writes each one's
    // address; nginx appends the front's; the portal skips nginx and the
    // front, both trusted, and reads the client.
    let (a, b) = ("198.51.100.10", "198.51.100.20");
    for n in 0..STAFF_TRIES {
        let status = junk_sign_in(&front, &portal.nginx, n, a).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "A's try {n}");
    }
    assert_eq!(
        junk_sign_in(&front, &portal.nginx, 100, a).await,
        StatusCode::TOO_MANY_REQUESTS,
        "A is over its limit"
    );
    assert_eq!(
        junk_sign_in(&front, &portal.nginx, 101, b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "B, behind the same nginx, is let in"
    );
    assert_eq!(
        junk_sign_in(&front, &portal.nginx, 102, a).await,
        StatusCode::TOO_MANY_REQUESTS,
        "A is still refused"
    );

    // A stranger connecting to the portal directly, each time with another
    // forged X-Forwarded-For: one bucket, its own address's.
    for n in 0..STAFF_TRIES {
        let forged = format!("203.0.113.{n}");
        let status = junk_sign_in(&stranger, &portal.direct, 200 + n, &forged).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "direct try {n}");
    }
    assert_eq!(
        junk_sign_in(&stranger, &portal.direct, 300, "203.0.113.200").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For from an untrusted peer gives no fresh bucket"
    );
    // Through nginx, the stranger's forged address is left of the one nginx
    // appends (127.0.0.1, no trusted proxy), so it is never read either.
    assert_eq!(
        junk_sign_in(&stranger, &portal.nginx, 301, "203.0.113.201").await,
        StatusCode::TOO_MANY_REQUESTS,
        "forging through nginx gives no fresh bucket"
    );
    assert_eq!(
        junk_sign_in(&front, &portal.nginx, 302, "198.51.100.30").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "while a new client behind the front is let in"
    );
}
