//! `usajili serve` as a process of its own, on a given database and key:
//! started, killed with SIGKILL, and started again. The crash and balancing
//! tests use it, and the scale benchmark (`examples/scale_bench.rs`), which
//! includes this file: it names nothing of the test crate.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    child: Option<Child>,
    /// Where it answers (a new port at each start).
    pub address: String,
    database_url: String,
    master_key: String,
    dir: PathBuf,
    name: String,
    /// How many times it has started.
    pub starts: u32,
    settings: Vec<(String, String)>,
}

impl ServerProcess {
    /// Starts `usajili serve` named `name` on the database and master key
    /// given, writing its log and its messages (the `log` transport) under
    /// `dir`, with more settings (`USAJILI_*` variables) if any.
    pub async fn start(
        (database_url, master_key): (&str, &str),
        dir: &std::path::Path,
        name: &str,
        settings: &[(&str, &str)],
    ) -> ServerProcess {
        let mut process = ServerProcess {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            child: None,
            address: String::new(),
            database_url: database_url.to_string(),
            master_key: master_key.to_string(),
            dir: dir.to_path_buf(),
            name: name.to_string(),
            starts: 0,
        };
        process.launch().await;
        process
    }

    /// The log of its latest start (JSON lines).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}-{}.log", self.name, self.starts)))
            .unwrap_or_default()
    }

    /// Every message log this process has written, one per start.
    pub fn message_logs(&self) -> Vec<PathBuf> {
        (1..=self.starts)
            .map(|n| self.dir.join(format!("{}-{n}.messages.log", self.name)))
            .collect()
    }

    async fn launch(&mut self) {
        self.starts += 1;
        let log_path = self.dir.join(format!("{}-{}.log", self.name, self.starts));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(binary())
            .arg("serve")
            .env("DATABASE_URL", &self.database_url)
            .env("USAJILI_MASTER_KEY", &self.master_key)
            .env("USAJILI_ADDR", "127.0.0.1:0")
            .env("USAJILI_LOG_FORMAT", "json")
            .env("USAJILI_DEMO_POPULATION", "0")
            .env("USAJILI_DB_MAX_CONNECTIONS", "8")
            .env("USAJILI_MESSAGE_TRANSPORT", "log")
            .env(
                "USAJILI_MESSAGE_LOG",
                self.dir
                    .join(format!("{}-{}.messages.log", self.name, self.starts)),
            )
            .envs(self.settings.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start usajili serve");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let written = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(at) = written.find("http://127.0.0.1:") {
                let rest = &written[at + "http://127.0.0.1:".len()..];
                let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let address = format!("http://127.0.0.1:{port}");
                if reqwest::get(format!("{address}/healthz"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    self.address = address;
                    return;
                }
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "{} stopped ({status}) while starting:\n{written}",
                    self.name
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not start:\n{written}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its process id while it runs (the scale benchmark reads its memory).
    #[allow(dead_code)]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown, no flushing, requests cut where they are.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts it again after [`ServerProcess::kill`].
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "kill it first");
        self.launch().await;
    }
}

/// How many times each message was sent, by its outbox id, in every
/// message log the `servers` wrote (the `log` transport's `id=` field).
pub fn sends_by_id(servers: &[ServerProcess]) -> HashMap<String, usize> {
    let mut sent = HashMap::new();
    for log in servers.iter().flat_map(ServerProcess::message_logs) {
        for line in std::fs::read_to_string(log).unwrap_or_default().lines() {
            if let Some(id) = line.split(" id=").nth(1).and_then(|r| r.split(' ').next()) {
                *sent.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    sent
}

/// The `usajili` binary: cargo's for the tests, `USAJILI_BIN` (or the
/// release build) for the benchmark.
pub fn binary() -> PathBuf {
    std::env::var_os("USAJILI_BIN")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_BIN_EXE_usajili").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target/release/usajili"))
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
