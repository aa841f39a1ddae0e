//! The database: one pool over SQLite (the embedded default) or PostgreSQL,
//! chosen by the URL's scheme, and migrations that run on both.
//!
//! Queries use sqlx's `Any` driver, so each is written once. Migrations keep
//! to the SQL both engines share: TEXT, BIGINT, BLOB-free columns for now,
//! ids chosen by the application, timestamps as Unix seconds.

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }
}

/// Connects, creating the SQLite file (and its folder) if it does not exist.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of(url)?;
    let url = match engine {
        Engine::Sqlite => prepare_sqlite_url(url)?,
        Engine::Postgres => url.to_string(),
    };
    let options = AnyConnectOptions::from_str(&url)
        .context("DATABASE_URL is not a valid database URL")?
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    AnyPoolOptions::new()
        .max_connections(match engine {
            // One writer at a time in SQLite; a few readers beside it.
            Engine::Sqlite => max_connections.min(8),
            Engine::Postgres => max_connections,
        })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    // WAL lets readers work while one writer writes; the busy
                    // timeout makes concurrent writers wait instead of
                    // failing with "database is locked". The timeout comes
                    // first: the journal pragma itself waits for a lock when
                    // another process (the server, beside a CLI tool) writes.
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("could not connect to the database")
}

/// Starts a transaction on a connection from `pool`. On SQLite it takes the
/// write lock at once (`BEGIN IMMEDIATE`): a deferred transaction that reads
/// and then writes fails at once with "database is locked" whenever another
/// connection (a request, a background job, a second process) wrote in
/// between, because SQLite cannot wait for a snapshot that is already stale.
/// Taken at the start, the lock is waited for (`busy_timeout`) like any
/// other. PostgreSQL keeps its own `BEGIN`.
pub async fn begin(pool: &AnyPool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    // Counted while it waits, for the metrics (`usajili_db_transactions_waiting`).
    let _waiting = crate::observe::WaitingToBegin::start();
    if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// `sqlite://data/usajili.db` → creates `data/` and asks SQLite to create the file.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not create the folder {}", parent.display()))?;
    }
    Ok(if rest.contains("mode=") {
        url.to_string()
    } else if rest.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Brings the schema up to date. Safe to run at every start; processes
/// starting at once take turns (sqlx holds a lock while it migrates).
///
/// A migration the database has but this binary does not know is accepted:
/// in a rolling upgrade, a process of the previous release that restarts
/// after a new one has migrated must start, and every migration is written
/// to keep the previous release working (deploy/README.md). A known
/// migration whose text changed after it ran still stops startup.
pub async fn migrate(pool: &AnyPool) -> anyhow::Result<()> {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.set_ignore_missing(true);
    migrator
        .run(pool)
        .await
        .context("database migration failed")
}

/// `SELECT 1`, for the health check.
pub async fn ping(pool: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_follows_the_url_scheme() {
        assert_eq!(Engine::of("sqlite://data/x.db").unwrap(), Engine::Sqlite);
        assert_eq!(
            Engine::of("postgres://u@localhost/db").unwrap(),
            Engine::Postgres
        );
        assert!(Engine::of("mysql://x").is_err());
    }

    #[test]
    fn sqlite_urls_ask_for_the_file_to_be_created() {
        let dir = std::env::temp_dir().join(format!("usajili-url-{}", std::process::id()));
        let url = format!("sqlite://{}/sub/x.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.join("sub").is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite::memory:"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
