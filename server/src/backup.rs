//! Backups and restores of the database (`usajili backup`, `usajili restore`).
//!
//! - SQLite: `VACUUM INTO` writes an online, consistent copy while the server
//!   runs (one read transaction: every commit before it is in the copy,
//!   none after it). The copy is written beside the target under a temporary
//!   name, checked (`PRAGMA integrity_check`), then renamed, so a file with
//!   the target's name is always a whole backup.
//! - PostgreSQL: `pg_dump --format=custom`, the documented tool, run with the
//!   password in its environment rather than on its command line.
//!
//! A restore (SQLite) copies a checked backup into place only where no
//! database is, and only if the configured master key opens the backup's
//! data keys: without that key every encrypted field is lost, so a restore
//! under the wrong key fails before anything is written. The master key is
//! never in a backup; it is kept and restored apart (deploy/README.md).

use crate::db::Engine;
use anyhow::Context;
use sqlx::AnyPool;
use std::path::{Path, PathBuf};

/// What a backup or restore wrote.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Copies the database at `database_url` to `out`, which must not exist.
pub async fn backup(database_url: &str, out: &Path) -> anyhow::Result<Written> {
    anyhow::ensure!(
        !out.exists(),
        "{} already exists: a backup never overwrites a file",
        out.display()
    );
    match Engine::of(database_url)? {
        Engine::Sqlite => backup_sqlite(database_url, out).await,
        Engine::Postgres => pg_dump(database_url, out),
    }?;
    let bytes = std::fs::metadata(out)?.len();
    Ok(Written {
        path: out.to_path_buf(),
        bytes,
    })
}

async fn backup_sqlite(database_url: &str, out: &Path) -> anyhow::Result<()> {
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let pool = crate::db::connect(database_url, 1).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(partial.display().to_string())
        .execute(&pool)
        .await
        .context("VACUUM INTO")?;
    pool.close().await;
    check_sqlite_file(&partial)
        .await
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
        .context("the copy does not check out")?;
    std::fs::rename(&partial, out).context("moving the checked copy into place")?;
    Ok(())
}

/// `pg_dump` of the database in its custom format (`pg_restore` reads it).
fn pg_dump(database_url: &str, out: &Path) -> anyhow::Result<()> {
    let (url, password) = without_password(database_url)?;
    let mut command = std::process::Command::new("pg_dump");
    command
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(out)
        .arg(format!("--dbname={url}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let status = command
        .status()
        .context("could not run pg_dump (install PostgreSQL's client tools)")?;
    anyhow::ensure!(status.success(), "pg_dump failed ({status})");
    Ok(())
}

/// The URL without its password, and the password (percent-decoded).
fn without_password(database_url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a URL")?;
    let password = url
        .password()
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8()
                .map(String::from)
        })
        .transpose()
        .context("the password in DATABASE_URL is not UTF-8")?;
    let _ = url.set_password(None);
    Ok((url.to_string(), password))
}

/// Restores the SQLite backup `from` as the database at `database_url`,
/// which must not exist yet, after checking it and that `master` opens its
/// data keys.
pub async fn restore(
    database_url: &str,
    from: &Path,
    master: &crate::crypto::MasterKey,
) -> anyhow::Result<Written> {
    anyhow::ensure!(
        Engine::of(database_url)? == Engine::Sqlite,
        "restore works on SQLite; on PostgreSQL use pg_restore (deploy/README.md)"
    );
    let target = sqlite_path(database_url)?;
    anyhow::ensure!(
        std::fs::metadata(&target)
            .map(|m| m.len() == 0)
            .unwrap_or(true),
        "{} already holds a database: stop the server and move it aside first",
        target.display()
    );
    anyhow::ensure!(from.is_file(), "{} is not a file", from.display());
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    // The backup itself is only read: the checks run on the copy.
    let partial = partial_path(&target);
    std::fs::copy(from, &partial).context("copying the backup")?;
    let opened = async {
        check_sqlite_file(&partial)
            .await
            .with_context(|| format!("{} is not a whole backup", from.display()))?;
        let pool = open_copy(&partial).await?;
        let keys = crate::crypto::FieldCipher::load(&pool, master).await;
        pool.close().await;
        keys.context("the configured master key does not open this backup's data keys")
    }
    .await;
    if let Err(error) = opened {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, &target).context("moving the restored copy into place")?;
    let bytes = std::fs::metadata(&target)?.len();
    Ok(Written {
        path: target,
        bytes,
    })
}

/// A SQLite file (a copy of our own) that passes `integrity_check` and
/// has a schema.
async fn check_sqlite_file(path: &Path) -> anyhow::Result<()> {
    let pool = open_copy(path).await?;
    let result = async {
        let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await?;
        anyhow::ensure!(verdict == "ok", "integrity check: {verdict}");
        let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&pool)
            .await
            .context("no schema in it")?;
        anyhow::ensure!(migrations > 0, "no schema in it");
        Ok(())
    }
    .await;
    pool.close().await;
    result
}

/// A copy this command made (never the live database, never the backup
/// given to restore), opened as the server opens its database.
async fn open_copy(path: &Path) -> anyhow::Result<AnyPool> {
    anyhow::ensure!(path.is_file(), "{} is not a file", path.display());
    crate::db::connect(&format!("sqlite://{}?mode=rw", path.display()), 1).await
}

fn sqlite_path(database_url: &str) -> anyhow::Result<PathBuf> {
    let rest = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    anyhow::ensure!(
        !path.is_empty() && path != ":memory:",
        "DATABASE_URL names no database file"
    );
    Ok(PathBuf::from(path))
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let (url, password) =
            without_password("postgres://usajili:s%40cret%2F1@db.example:5432/usajili").unwrap();
        assert_eq!(url, "postgres://usajili@db.example:5432/usajili");
        assert_eq!(password.as_deref(), Some("s@cret/1"));
        let (url, password) = without_password("postgres://usajili@127.0.0.1:5/p").unwrap();
        assert_eq!(
            (url.as_str(), password),
            ("postgres://usajili@127.0.0.1:5/p", None)
        );
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://data/usajili.db?mode=rwc").unwrap(),
            PathBuf::from("data/usajili.db")
        );
        assert!(sqlite_path("sqlite::memory:").is_err());
        assert_eq!(
            partial_path(Path::new("/b/x.db")),
            PathBuf::from("/b/x.db.partial")
        );
    }
}
