//! Debian's nginx running `deploy/nginx.conf` itself, only its ports and
//! paths replaced, in a folder of its own with a throw-away certificate:
//! TLS, the load balancer and the `/pkg` cache as production has them. The
//! balancing test uses it, and the scale benchmark, which includes this
//! file: it names nothing of the test crate.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's nginx, run from a folder of the test's own.
pub struct Nginx {
    child: Child,
    /// `https://127.0.0.1:<port>`
    pub https: String,
    /// `http://127.0.0.1:<port>` (which only redirects)
    pub http: String,
    pub dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `deploy/nginx.conf` with its listening ports, certificate, cache folder
/// and upstream servers replaced; each replacement must find its line, so
/// the test fails if the production file changes shape.
fn site_config(dir: &Path, upstreams: &[String], https: u16, http: u16) -> String {
    let production =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx.conf"))
            .unwrap();
    let mut servers_written = false;
    let mut out = String::new();
    for line in production.lines() {
        let trimmed = line.trim();
        let replaced = if trimmed.starts_with("server 127.0.0.1:") {
            if servers_written {
                continue;
            }
            servers_written = true;
            upstreams
                .iter()
                .map(|u| {
                    format!(
                        "    server {} max_fails=3 fail_timeout=10s;",
                        u.trim_start_matches("http://")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else if trimmed == "listen 80;" {
            format!("    listen 127.0.0.1:{http};")
        } else if trimmed == "listen 443 ssl http2;" {
            format!("    listen 127.0.0.1:{https} ssl;")
        } else if trimmed.starts_with("listen [::]") {
            continue;
        } else {
            line.replace(
                "/var/cache/nginx/usajili",
                &dir.join("cache").display().to_string(),
            )
            .replace(
                "/etc/ssl/usajili/fullchain.pem",
                &dir.join("cert.pem").display().to_string(),
            )
            .replace(
                "/etc/ssl/usajili/privkey.pem",
                &dir.join("key.pem").display().to_string(),
            )
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    assert!(servers_written, "no upstream servers in deploy/nginx.conf");
    for expected in [
        format!("listen 127.0.0.1:{https} ssl;"),
        format!("listen 127.0.0.1:{http};"),
        "cert.pem".to_string(),
        "key.pem".to_string(),
        "/cache levels".to_string(),
    ] {
        assert!(
            out.contains(&expected),
            "deploy/nginx.conf changed shape: no {expected}"
        );
    }
    out
}

/// Starts nginx in `dir` in front of `upstreams` (`http://127.0.0.1:<port>`),
/// with an access log of which upstream took each request.
pub async fn start_nginx(dir: &Path, upstreams: &[String]) -> Nginx {
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            // A server's certificate, not a CA's: rustls refuses a CA
            // certificate as the server's own.
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-keyout",
            dir.join("key.pem").to_str().unwrap(),
            "-out",
            dir.join("cert.pem").to_str().unwrap(),
        ],
    );
    let (https, http) = (free_port(), free_port());
    std::fs::write(
        dir.join("usajili.conf"),
        site_config(dir, upstreams, https, http),
    )
    .unwrap();
    let d = dir.display();
    let user = run("id", &["-un"]);
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "daemon off; master_process on; worker_processes 1; user {user};\n\
             pid {d}/nginx.pid; error_log {d}/error.log warn;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
               log_format upstream '$upstream_addr $status $request_method $uri';\n\
               access_log {d}/access.log upstream;\n\
               client_body_temp_path {d}/client_body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               include {d}/usajili.conf;\n\
             }}\n"
        ),
    )
    .unwrap();
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is installed (scripts/setup.sh test)");
    let child = Command::new(nginx)
        .args([
            "-p",
            &d.to_string(),
            "-c",
            &format!("{d}/nginx.conf"),
            "-e",
            &format!("{d}/error.log"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx {
        child,
        https: format!("https://127.0.0.1:{https}"),
        http: format!("http://127.0.0.1:{http}"),
        dir: dir.to_path_buf(),
    };
    let client = tls_client(dir);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = client.get(format!("{}/healthz", nginx.https)).send().await;
        if answer.as_ref().is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not start ({answer:?}): {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    nginx
}

/// A browser that trusts the test's certificate and follows no redirects.
pub fn tls_client(dir: &Path) -> reqwest::Client {
    let pem = std::fs::read(dir.join("cert.pem")).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}
