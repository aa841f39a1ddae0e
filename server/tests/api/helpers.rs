use std::sync::atomic::{AtomicU32, Ordering};
use usajili::config::Config;
use usajili::startup::Application;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: sqlx::AnyPool,
    pub cipher: usajili::crypto::FieldCipher,
    /// Where the `log` message transport writes (sign-in codes and notices).
    pub message_log: std::path::PathBuf,
    /// The configuration the app was started with (to start it again).
    pub config: Config,
    /// The clock the app's requests read (the system clock, moved forward
    /// by [`TestApp::advance`]).
    pub clock: usajili::clock::Clock,
    /// `http://127.0.0.1:PORT` of the metrics listener, when the
    /// configuration set `metrics.addr`.
    pub metrics_address: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// Everything the `log` message transport has written so far.
    pub fn messages(&self) -> String {
        std::fs::read_to_string(&self.message_log).unwrap_or_default()
    }

    /// Waits (up to 10 s) until a message holding `text` is in the message
    /// log; fails the test if none comes.
    pub async fn wait_for_message(&self, text: &str) {
        for _ in 0..200 {
            if self.messages().contains(text) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no message containing {text:?} in {}", self.messages());
    }

    /// Moves the app's clock forward by `secs`, as its pages see it
    /// (background jobs keep the system's time).
    pub fn advance(&self, secs: i64) {
        self.clock.advance(secs);
    }

    pub async fn get_html(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// Runs the `usajili` command line on this portal's database and key,
    /// with `stdin` piped in (passwords are read from it) and cheap
    /// password hashing.
    pub fn command_line(&self, args: &[&str], stdin: &str) -> std::process::Output {
        self.command_line_on(&self.config.database_url, args, stdin)
    }

    /// [`TestApp::command_line`] on another database (a restored copy),
    /// with this portal's key.
    pub fn command_line_on(
        &self,
        database_url: &str,
        args: &[&str],
        stdin: &str,
    ) -> std::process::Output {
        use std::io::Write as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_usajili"))
            .args(args)
            .env("DATABASE_URL", database_url)
            .env(
                "USAJILI_MASTER_KEY",
                self.config.master_key.as_ref().unwrap().expose(),
            )
            .env("USAJILI_ARGON2_MEMORY_KIB", "1024")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// [`TestApp::command_line`], which must succeed; run again if SQLite
    /// met "database is locked" while the command set up its connection
    /// beside the server's startup jobs.
    pub async fn command_line_ok(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let mut output = self.command_line(args, stdin);
        for _ in 0..3 {
            if output.status.success()
                || !String::from_utf8_lossy(&output.stderr).contains("database is locked")
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            output = self.command_line(args, stdin);
        }
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

/// Starts the real application on a random port with a database of its own
/// and an empty registry replica.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| ()).await
}

/// The same, with the configuration adjusted first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (app, built) = build_app(adjust).await;
    tokio::spawn(built.run_until_stopped());
    app
}

/// A database made ready (migrated, with its keys) as [`spawn_app_with`]
/// makes it, but served by nothing in this process: for tests that run
/// `usajili serve` as processes of their own. `address` answers nothing.
pub async fn unserved_app(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (app, built) = build_app(adjust).await;
    drop(built);
    app
}

async fn build_app(adjust: impl FnOnce(&mut Config)) -> (TestApp, Application) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::from_env();
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database_url = fresh_database_url(&dir).await;
    config.db_max_connections = 4;
    config.demo_population = 0;
    config.messages.log.target = dir.path().join("messages.log").display().to_string();
    config.master_key = Some(
        usajili::crypto::MasterKey::generate()
            .to_base64()
            .to_string()
            .into(),
    );
    adjust(&mut config);

    let started_with = config.clone();
    let app = Application::build(config)
        .await
        .expect("the application should build");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let cipher = app.cipher().clone();
    let clock = app.clock().clone();
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let message_log = std::path::PathBuf::from(&started_with.messages.log.target);

    let client = client_builder(&address).cookie_store(true).build().unwrap();
    let test_app = TestApp {
        address,
        client,
        db,
        cipher,
        message_log,
        config: started_with,
        clock,
        metrics_address,
        _dir: dir,
    };
    (test_app, app)
}

/// A client for the app at `address`, as a browser on its pages: redirects
/// not followed, and on every request the `Origin` a browser sends from the
/// app's own pages (the app refuses a change without it). The one place
/// the tests' clients get their `Origin`.
pub fn client_builder(address: &str) -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        address.parse().expect("an address is a header value"),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
}

async fn fresh_database_url(dir: &tempfile::TempDir) -> String {
    match std::env::var("USAJILI_TEST_DB").as_deref() {
        Ok("postgres") => {
            let admin_url = std::env::var("USAJILI_TEST_POSTGRES_URL")
                .expect("USAJILI_TEST_DB=postgres needs USAJILI_TEST_POSTGRES_URL");
            create_postgres_database(&admin_url).await
        }
        Ok("sqlite") | Err(_) => format!("sqlite://{}/test.db", dir.path().display()),
        Ok(other) => panic!("unknown USAJILI_TEST_DB={other}"),
    }
}

/// A new, empty database in the test cluster, so tests never share state.
async fn create_postgres_database(admin_url: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "usajili_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    );
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a URL with a database name");
    format!("{base}/{name}")
}

/// Log lines, captured from every thread of the process.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the process's log lines (at `filter`) to a buffer. The process's
/// subscriber can be set once: one test per process may call this.
pub fn capture_logs(filter: &str) -> Captured {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only log capture in this process");
    captured
}

/// Fails unless every inline script of `html` is allowed by a hash in
/// `csp`, as a browser would check it, and `csp` allows no inline script
/// otherwise (no nonce, no `'unsafe-inline'`).
pub fn assert_inline_scripts_allowed(page: &str, csp: &str, html: &str) {
    use base64::Engine as _;
    use sha2::Digest as _;
    assert!(
        !csp.contains("'nonce-") && !csp.contains("unsafe-inline"),
        "{page}: {csp}"
    );
    assert_eq!(
        html.matches("nonce=\"").count(),
        html.matches("nonce=\"\"").count(),
        "{page}: no nonce carries a value: none is needed, and one the same for everyone would mislead"
    );
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        rest = &rest[at..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let close = rest.find("</script>").expect("a closed script element");
        if !tag.contains(" src=") {
            let text = &rest[open_end + 1..close];
            let hash = base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(text.as_bytes()));
            assert!(
                csp.contains(&format!("'sha256-{hash}'")),
                "{page}: an inline script the policy does not allow: {text:.80}"
            );
        }
        rest = &rest[close..];
    }
}
