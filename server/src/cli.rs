//! The `usajili` command line: `serve` (the default), `migrate`, `backup`, `restore`, the
//! registry tools, staff accounts (`cli/staff.rs`), keys, retention and
//! the audit log.

use crate::config::Config;
use crate::registry::{import, replica::LocalReplica, synth};
use crate::startup::Application;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod staff;
mod ussd;

#[derive(Parser, Debug)]
#[command(
    name = "usajili",
    version,
    about = "Usajili: pre-registration for Kenya's national ID"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// The local replica of the population registry (IPRS).
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Personal data past its retention period (docs/DATA.md).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// The data keys that encrypt personal fields.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The audit log of who did what.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the database to a file while the server runs (SQLite: an online,
    /// consistent copy; PostgreSQL: pg_dump's custom format).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a SQLite backup where DATABASE_URL points, which must hold no
    /// database yet, if the configured master key opens it.
    Restore {
        /// The backup to restore.
        #[arg(long)]
        from: PathBuf,
    },
    /// Huduma Centre staff accounts.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// Demonstration data (development only).
    #[command(subcommand)]
    Demo(DemoCommand),
    /// USSD: a handset in the terminal (`ussd simulate`).
    #[command(subcommand)]
    Ussd(ussd::UssdCommand),
}

#[derive(Subcommand, Debug)]
enum DemoCommand {
    /// Book demo applicants (from the registry replica's adults without an
    /// ID) at a centre today, for the staff console. Prints each one's
    /// time, reference and name as tab-separated lines.
    Queue {
        #[arg(long)]
        centre: String,
        #[arg(long, default_value_t = 8)]
        people: usize,
        /// Book on the first day the centre is open this many days ahead
        /// (at `--at`) instead of today; each line then starts with the day.
        #[arg(long)]
        days_ahead: Option<u16>,
        /// With `--days-ahead`: the first appointment's time (24-hour).
        #[arg(long, default_value = "14:00")]
        at: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Recompute the hash chain; fails, naming the first entry, if any entry
    /// was edited, inserted or deleted.
    Verify {
        /// A head recorded earlier by `usajili audit head` (SEQ:HASH): also
        /// fail if that entry is gone or changed (the newest entries cut
        /// off or replaced).
        #[arg(long)]
        expect: Option<crate::audit::anchor::Anchor>,
    },
    /// Print the newest entry as SEQ:HASH, to keep outside the database
    /// (for `audit verify --expect`).
    Head,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Make a new data key and re-encrypt every personal field with it, in
    /// batches, while the portal keeps serving.
    Rotate {
        /// Rows read and rewritten at a time.
        #[arg(long, default_value_t = 500)]
        batch: i64,
        /// Seconds to wait for running servers to load the new key before
        /// re-encrypting (default: twice USAJILI_KEY_REFRESH_SECS).
        #[arg(long)]
        settle_secs: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
enum RetentionCommand {
    /// Delete now what is due (the server also does this once a day).
    Run,
}

#[derive(Subcommand, Debug)]
enum RegistryCommand {
    /// Load the registry's CSV exports into the local replica (an upsert: safe to repeat).
    Import {
        #[arg(long)]
        births: Option<PathBuf>,
        #[arg(long)]
        persons: Option<PathBuf>,
    },
    /// Serve the registry's JSON API from the replica (a stand-in for IPRS).
    /// Listens on --addr; requires --registry-api-key.
    Serve,
    /// Write a deterministic synthetic population as births.csv and persons.csv.
    Synth {
        #[arg(long, default_value_t = 1000)]
        people: u64,
        #[arg(long, default_value_t = 2019)]
        seed: u64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

impl Cli {
    pub async fn run(self) -> ExitCode {
        crate::telemetry::init(self.config.log_format);
        let result = match self.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(self.config).await,
            Command::Migrate => migrate(&self.config).await.map(drop),
            Command::Registry(command) => registry(command, self.config).await,
            Command::Retention(RetentionCommand::Run) => retention(&self.config).await,
            Command::Keys(KeysCommand::Rotate { batch, settle_secs }) => {
                rotate_keys(&self.config, batch, settle_secs).await
            }
            Command::Audit(AuditCommand::Verify { expect }) => {
                verify_audit(&self.config, expect.as_ref()).await
            }
            Command::Audit(AuditCommand::Head) => audit_head(&self.config).await,
            Command::Demo(DemoCommand::Queue {
                centre,
                people,
                days_ahead,
                at,
            }) => demo_queue(&self.config, &centre, people, days_ahead, &at).await,
            Command::Staff(command) => staff::run(command, &self.config).await,
            Command::Backup { out } => backup(&self.config, &out).await,
            Command::Restore { from } => restore(&self.config, &from).await,
            Command::Ussd(command) => ussd::run(command, &self.config).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                // The chain of causes, for the operator; no request data is in it.
                tracing::error!("{error:#}");
                eprintln!("usajili: {error:#}");
                ExitCode::FAILURE
            }
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    Application::build(config).await?.run_until_stopped().await
}

async fn migrate(config: &Config) -> anyhow::Result<sqlx::AnyPool> {
    let pool = crate::db::connect(&config.database_url, config.db_max_connections).await?;
    crate::db::migrate(&pool).await?;
    tracing::info!("the database schema is up to date");
    Ok(pool)
}

/// The database and its cipher, for commands that read or write personal fields.
async fn open(
    config: &Config,
) -> anyhow::Result<(
    sqlx::AnyPool,
    crate::crypto::FieldCipher,
    crate::crypto::MasterKey,
)> {
    let master = config.load_master_key()?;
    let pool = migrate(config).await?;
    let cipher = crate::crypto::open(&pool, &master).await?;
    Ok((pool, cipher, master))
}

async fn retention(config: &Config) -> anyhow::Result<()> {
    let (pool, cipher, _) = open(config).await?;
    let retention = crate::retention::Retention {
        db: &pool,
        cipher: &cipher,
        policy: config.retention,
    };
    let report = retention.run(crate::clock::unix_now()).await?;
    println!(
        "deleted {} drafts and {} messages; expired {} applications left needing attention; erased {} withdrawn or expired applications, {} collected ones and {} accounts",
        report.drafts,
        report.messages,
        report.expired,
        report.closed_erased,
        report.collected_erased,
        report.accounts
    );
    Ok(())
}

async fn verify_audit(
    config: &Config,
    expect: Option<&crate::audit::anchor::Anchor>,
) -> anyhow::Result<()> {
    let (pool, cipher, _) = open(config).await?;
    let audit = crate::audit::Audit {
        db: &pool,
        cipher: &cipher,
    };
    let verdict = audit.verify().await?;
    let entries = match verdict {
        crate::audit::Verdict::Broken { .. } => anyhow::bail!("{verdict}"),
        crate::audit::Verdict::Intact { entries, .. } => entries,
    };
    if let Some(anchor) = expect {
        if let Err(mismatch) = audit.holds(anchor).await? {
            anyhow::bail!("{mismatch}");
        }
        println!("{verdict}; it still holds the recorded head {anchor}");
    } else {
        println!("{verdict}");
    }
    // For the servers' metrics: when the chain was last found intact.
    crate::audit::record_verified(&pool, entries, crate::clock::unix_now())
        .await
        .context("recording the verification")?;
    Ok(())
}

async fn audit_head(config: &Config) -> anyhow::Result<()> {
    let (pool, cipher, _) = open(config).await?;
    let head = crate::audit::Audit {
        db: &pool,
        cipher: &cipher,
    }
    .head()
    .await?;
    match head {
        Some(anchor) => println!("{anchor}"),
        None => anyhow::bail!("the audit log is empty: there is no head to record yet"),
    }
    Ok(())
}

async fn backup(config: &Config, out: &std::path::Path) -> anyhow::Result<()> {
    let written = crate::backup::backup(&config.database_url, out).await?;
    println!(
        "backed up the database to {} ({} bytes); the master key is not in it: keep that apart",
        written.path.display(),
        written.bytes
    );
    Ok(())
}

async fn restore(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    let master = config.load_master_key()?;
    let written = crate::backup::restore(&config.database_url, from, &master).await?;
    println!(
        "restored {} ({} bytes); run `usajili audit verify` before serving",
        written.path.display(),
        written.bytes
    );
    Ok(())
}

/// The new password: asked twice on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<zeroize::Zeroizing<String>> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        let first = zeroize::Zeroizing::new(rpassword::prompt_password(
            "Password (at least 12 characters): ",
        )?);
        let second =
            zeroize::Zeroizing::new(rpassword::prompt_password("The same password again: ")?);
        anyhow::ensure!(*first == *second, "the two passwords differ");
        return Ok(first);
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    Ok(zeroize::Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

async fn demo_queue(
    config: &Config,
    centre: &str,
    people: usize,
    days_ahead: Option<u16>,
    at: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.environment == crate::config::Environment::Development,
        "demo data is for development only"
    );
    let (pool, cipher, _) = open(config).await?;
    let now = crate::clock::unix_now();
    let today = app::dates::CivilDate::in_nairobi_at(now);
    let when = match days_ahead {
        None => (today, crate::staff::demo::next_quarter(now)),
        Some(ahead) => {
            let at = app::capacity::read_clock(at)
                .filter(|m| *m < 24 * 60)
                .ok_or_else(|| anyhow::anyhow!("--at needs a time like 14:00"))?;
            let centres = crate::booking::centres::Centres { db: &pool };
            let found = centres
                .get(centre)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no centre has the id {centre}"))?;
            let (from, to) = (
                today.add_days(i64::from(ahead)),
                today.add_days(i64::from(ahead) + 60),
            );
            let closures = centres.closures(from, to).await?;
            let schedule = crate::booking::schedule::Schedule {
                centre: &found,
                closures: &closures,
            };
            let day = (0..=60)
                .map(|offset| from.add_days(offset))
                .find(|day| !schedule.slots_on(*day).is_empty())
                .ok_or_else(|| anyhow::anyhow!("{centre} is not open in the 60 days from then"))?;
            (day, at)
        }
    };
    let queued = crate::staff::demo::queue(&pool, &cipher, centre, people, when, now).await?;
    for one in &queued {
        let time = app::calendar::clock_label(one.minute);
        match days_ahead {
            None => println!("{time}\t{}\t{}", one.reference, one.name),
            Some(_) => println!("{}\t{time}\t{}\t{}", when.0, one.reference, one.name),
        }
    }
    eprintln!(
        "booked {} demo applicants at {centre} on {}",
        queued.len(),
        when.0
    );
    Ok(())
}

async fn rotate_keys(config: &Config, batch: i64, settle_secs: Option<u64>) -> anyhow::Result<()> {
    let (pool, cipher, master) = open(config).await?;
    let settle = std::time::Duration::from_secs(settle_secs.unwrap_or(2 * config.key_refresh_secs));
    let report = crate::crypto::keys::rotate(&pool, &cipher, &master, batch.max(1), settle).await?;
    let detail = format!(
        "key={} rewritten={} passes={}",
        report.new_key, report.rewritten, report.passes
    );
    let event = crate::audit::Event::new(crate::audit::Actor::System("keys"), "keys.rotate");
    crate::audit::Audit {
        db: &pool,
        cipher: &cipher,
    }
    .record(&event.detail(detail), crate::clock::unix_now())
    .await?;
    println!(
        "data key {} now seals every personal field: {} values re-encrypted in {} passes",
        report.new_key, report.rewritten, report.passes
    );
    Ok(())
}

async fn registry(command: RegistryCommand, config: Config) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Synth { people, seed, out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("could not create {}", out.display()))?;
            let create = |name: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
                let path = out.join(name);
                let file = std::fs::File::create(&path)
                    .with_context(|| format!("could not create {}", path.display()))?;
                Ok(std::io::BufWriter::new(file))
            };
            let written =
                synth::generate(people, seed, create("births.csv")?, create("persons.csv")?)?;
            println!(
                "wrote {written} people to {}/births.csv and persons.csv",
                out.display()
            );
            Ok(())
        }
        RegistryCommand::Import { births, persons } => {
            if births.is_none() && persons.is_none() {
                anyhow::bail!("give --births FILE, --persons FILE, or both");
            }
            let pool = migrate(&config).await?;
            for (table, path) in [
                (import::Table::Births, births),
                (import::Table::Persons, persons),
            ] {
                let Some(path) = path else { continue };
                let file = std::fs::File::open(&path)
                    .with_context(|| format!("could not open {}", path.display()))?;
                let started = std::time::Instant::now();
                let report = import::import(
                    &pool,
                    table,
                    std::io::BufReader::with_capacity(1 << 20, file),
                )
                .await?;
                println!(
                    "{}: {} rows imported, {} rejected, in {:.1} s",
                    path.display(),
                    report.upserted,
                    report.rejected,
                    started.elapsed().as_secs_f64()
                );
                for row in &report.rejections {
                    println!("  line {}: {}", row.line, row.reason);
                }
                if report.rejected > report.rejections.len() as u64 {
                    println!(
                        "  … and {} more",
                        report.rejected - report.rejections.len() as u64
                    );
                }
            }
            Ok(())
        }
        RegistryCommand::Serve => {
            let key = config
                .registry_api_key
                .clone()
                .filter(|k| !k.expose().is_empty())
                .context("registry serve needs an API key: set USAJILI_REGISTRY_API_KEY")?;
            let pool = migrate(&config).await?;
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("could not listen on {}", config.addr))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "registry API listening on http://{addr}");
            let router = crate::registry::api::router(LocalReplica::new(pool), key.expose());
            axum::serve(listener, router)
                .with_graceful_shutdown(crate::startup::shutdown_signal())
                .await?;
            Ok(())
        }
    }
}
