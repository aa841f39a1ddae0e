//! Builds the application from its configuration: database, migrations,
//! listener. `port()` tells tests which port 0 became.

use crate::clock::Clock;
use crate::config::{Config, Environment, RegistryKind};
use crate::http::{AppState, router};
use crate::jobs::Jobs;
use crate::registry::pending::PendingVerifications;
use crate::registry::{
    SharedRegistry,
    http_client::{HttpRegistry, HttpRegistryConfig},
    replica::LocalReplica,
};
use anyhow::Context;
use app::dates::CivilDate;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a background job's run in progress may take to finish at
/// shutdown.
const JOB_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub struct Application {
    port: u16,
    listener: TcpListener,
    /// The metrics listener (`USAJILI_METRICS_ADDR`), apart from the portal's.
    metrics: Option<TcpListener>,
    state: AppState,
    transport: Arc<dyn crate::messages::Transport>,
    master_key: crate::crypto::MasterKey,
}

impl Application {
    /// The server on the system clock (moved ahead by
    /// `USAJILI_CLOCK_OFFSET_SECS`, which only benchmarks set).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let clock = Clock::system();
        clock.advance(config.clock_offset_secs);
        Self::build_inner(config, clock, false).await
    }

    /// The same server, with requests reading the time from `clock` (tests
    /// move it forward); background jobs still read the system clock.
    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        Self::build_inner(config, clock, false).await
    }

    /// Benchmarks only (`--features bench`): the same server, except that
    /// personal fields are stored unencrypted.
    #[cfg(feature = "bench")]
    pub async fn build_without_encryption(config: Config) -> anyhow::Result<Self> {
        Self::build_inner(config, Clock::system(), true).await
    }

    async fn build_inner(
        config: Config,
        clock: Clock,
        without_encryption: bool,
    ) -> anyhow::Result<Self> {
        check_for_production(&config)?;
        let master_key = config.load_master_key()?;
        // Refuses a transport that must not carry real messages (`log` in production).
        let transport = crate::messages::transport::from_settings(
            &config.messages,
            config.environment == Environment::Production,
        )?;
        let db = crate::db::connect(&config.database_url, config.db_max_connections).await?;
        crate::db::migrate(&db).await?;
        let cipher = crate::crypto::open(&db, &master_key).await?;
        // Once: the applications' contact indexes from before the column.
        crate::citizen::contact_index::fill_in(&db, &cipher, 500).await?;
        #[cfg(feature = "bench")]
        let cipher = if without_encryption {
            cipher.without_encryption()
        } else {
            cipher
        };
        #[cfg(not(feature = "bench"))]
        let _ = without_encryption;
        let registry = build_registry(&config, &db)?;
        if config.registry == RegistryKind::Replica
            && config.environment == Environment::Development
            && config.demo_population > 0
        {
            seed_demo_population(&db, config.demo_population).await?;
            seed_demo_staff(&db, &cipher, config.staff).await?;
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("could not listen on {}", config.addr))?;
        let port = listener.local_addr()?.port();
        let metrics = match config.metrics.addr {
            Some(addr) => {
                crate::observe::install();
                Some(TcpListener::bind(addr).await.with_context(|| {
                    format!("could not listen for metrics on {addr} (USAJILI_METRICS_ADDR)")
                })?)
            }
            None => None,
        };
        let state = AppState::new(crate::http::Services {
            leptos_options: config.leptos_options(),
            db,
            registry,
            cipher,
            ceilings: crate::ceilings::Ceilings::new(config.ceilings),
            config: Arc::new(config),
            clock,
        });
        Ok(Application {
            port,
            listener,
            metrics,
            state,
            transport,
            master_key,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port the metrics listener took, if metrics are served.
    pub fn metrics_port(&self) -> Option<u16> {
        let listener = self.metrics.as_ref()?;
        listener.local_addr().ok().map(|addr| addr.port())
    }

    pub fn db(&self) -> &sqlx::AnyPool {
        &self.state.db
    }

    pub fn cipher(&self) -> &crate::crypto::FieldCipher {
        &self.state.cipher
    }

    /// The clock requests read the time from.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The router `run_until_stopped` serves (the authorization-matrix test
    /// reads its routes from it).
    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }

    /// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
    pub async fn run_until_stopped(mut self) -> anyhow::Result<()> {
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "Usajili is listening on http://{addr}");
        let metrics = self.metrics.take().map(|listener| {
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(%addr, "metrics are served on http://{addr}/metrics");
            }
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let stopped = async move {
                let _ = stopped.await;
            };
            let served = crate::http::metrics::serve(listener, self.state.clone(), stopped);
            (stop, tokio::spawn(served))
        });
        let jobs = self.start_jobs();
        let app = router(self.state.clone());
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        // The metrics listener stops with the portal.
        if let Some((stop, metrics)) = metrics {
            let _ = stop.send(());
            if let Ok(Err(error)) = metrics.await {
                tracing::warn!(%error, "the metrics listener failed");
            }
        }
        served?;
        jobs.shutdown(JOB_SHUTDOWN_GRACE).await;
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    /// Every background job of a server process (see [`crate::jobs`]).
    /// Each is safe to run in several processes at once.
    fn start_jobs(&self) -> Jobs {
        let state = &self.state;
        let mut jobs = Jobs::new();
        // Every job reads the time from the state's clock, as requests do,
        // so a test that moves the clock moves the jobs' time too.

        let retries = PendingVerifications {
            db: state.db.clone(),
            cipher: state.cipher.clone(),
            registry: state.registry.clone(),
            retry_secs: state.config.verification_retry_secs,
        };
        let every = Duration::from_secs(retries.retry_secs.max(1) as u64);
        let retries = Arc::new(retries);
        let clock = state.clock.clone();
        jobs.every("pending verifications", every, move || {
            let retries = retries.clone();
            let now = clock.now();
            async move {
                retries
                    .retry_due(CivilDate::in_nairobi_at(now), now)
                    .await?;
                Ok(())
            }
        });

        let worker = Arc::new(crate::messages::OutboxWorker {
            db: state.db.clone(),
            cipher: state.cipher.clone(),
            transport: self.transport.clone(),
        });
        tracing::info!(transport = worker.transport.name(), "outbox worker started");
        jobs.every_or_woken(
            "outbox",
            crate::messages::worker::POLL_INTERVAL,
            crate::messages::outbox::wake(),
            {
                let clock = state.clock.clone();
                move || {
                    let worker = worker.clone();
                    let now = clock.now();
                    async move {
                        worker.drain_due(now).await?;
                        Ok(())
                    }
                }
            },
        );

        let (db, clock) = (state.db.clone(), state.clock.clone());
        jobs.every("sign-in sweep", Duration::from_secs(600), move || {
            let db = db.clone();
            let now = clock.now();
            async move {
                crate::citizen::sign_in::sweep(&db, now).await?;
                // The registry tries past their 24 hours, on the same turn.
                crate::registry::attempts::sweep(&db, now).await?;
                Ok(())
            }
        });

        let (db, clock) = (state.db.clone(), state.clock.clone());
        jobs.every(
            "ussd sessions",
            crate::ussd::store::SWEEP_INTERVAL,
            move || {
                let db = db.clone();
                let now = clock.now();
                async move {
                    let deleted = crate::ussd::store::Store::sweep(&db, now).await?;
                    if deleted > 0 {
                        tracing::debug!(count = deleted, "USSD sessions past resuming deleted");
                    }
                    Ok(())
                }
            },
        );

        let (db, clock) = (state.db.clone(), state.clock.clone());
        jobs.every("no-shows", Duration::from_secs(60), move || {
            let db = db.clone();
            let now = clock.now();
            async move {
                let marked = crate::staff::desk::mark_no_shows(&db, now).await?;
                if !marked.is_empty() {
                    tracing::info!(count = marked.len(), "bookings marked as no-shows");
                }
                Ok(())
            }
        });

        let (db, cipher, clock) = (state.db.clone(), state.cipher.clone(), state.clock.clone());
        jobs.every("reminders", Duration::from_secs(60), move || {
            let (db, cipher) = (db.clone(), cipher.clone());
            let now = clock.now();
            async move {
                let reminders = crate::reminders::Reminders {
                    db: &db,
                    cipher: &cipher,
                };
                reminders.send_due(now).await?;
                Ok(())
            }
        });

        // Children who turned 18 are closed first, so that retention sees
        // their applications as closed.
        let (db, cipher, clock) = (state.db.clone(), state.cipher.clone(), state.clock.clone());
        let (policy, ages) = (state.config.retention, state.config.ages);
        let staff = state.config.staff;
        jobs.every("retention", Duration::from_secs(24 * 3600), move || {
            let (db, cipher) = (db.clone(), cipher.clone());
            let now = clock.now();
            async move {
                crate::citizen::children::close_adults(
                    &db,
                    &cipher,
                    ages,
                    CivilDate::in_nairobi_at(now),
                    now,
                )
                .await
                .context("closing the applications of children who turned 18")?;
                let retention = crate::retention::Retention {
                    db: &db,
                    cipher: &cipher,
                    policy,
                };
                retention
                    .run(now)
                    .await
                    .context("erasing data past its retention period")?;
                // Staff not seen for USAJILI_STAFF_IDLE_DAYS, disabled.
                let hashing = tokio::sync::Semaphore::new(1);
                let disabled = crate::staff::accounts::StaffAccounts {
                    db: &db,
                    cipher: &cipher,
                    security: staff,
                    officer_totp_optional: false,
                    hashing: &hashing,
                }
                .disable_idle(now)
                .await
                .context("disabling staff accounts not used for a while")?;
                if disabled > 0 {
                    tracing::info!(count = disabled, "idle staff accounts disabled");
                }
                Ok(())
            }
        });

        let (db, cipher, master) = (
            state.db.clone(),
            state.cipher.clone(),
            self.master_key.clone(),
        );
        let every = Duration::from_secs(state.config.key_refresh_secs.max(1));
        jobs.every("data keys", every, move || {
            let (db, cipher, master) = (db.clone(), cipher.clone(), master.clone());
            async move {
                if cipher.refresh(&db, &master).await? {
                    tracing::info!(active_key = cipher.active_key_id(), "loaded a new data key");
                }
                Ok(())
            }
        });
        jobs
    }
}

fn build_registry(config: &Config, db: &sqlx::AnyPool) -> anyhow::Result<SharedRegistry> {
    Ok(match config.registry {
        RegistryKind::Replica => Arc::new(LocalReplica::new(db.clone())),
        RegistryKind::Http => {
            let url = config
                .registry_url
                .clone()
                .context("USAJILI_REGISTRY=http needs USAJILI_REGISTRY_URL")?;
            let key = config
                .registry_api_key
                .clone()
                .context("USAJILI_REGISTRY=http needs USAJILI_REGISTRY_API_KEY")?;
            Arc::new(HttpRegistry::new(HttpRegistryConfig::new(
                url,
                key.expose(),
            ))?)
        }
    })
}

/// Fills an empty replica with the synthetic population, so that a fresh
/// checkout has people to try (the README lists some). Development only.
async fn seed_demo_population(db: &sqlx::AnyPool, people: u64) -> anyhow::Result<()> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registry_births")
        .fetch_one(db)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let (mut births, mut persons) = (Vec::new(), Vec::new());
    crate::registry::synth::generate(
        people,
        crate::registry::synth::DEMO_SEED,
        &mut births,
        &mut persons,
    )?;
    use crate::registry::import::{Table, import};
    import(db, Table::Births, std::io::Cursor::new(births)).await?;
    import(db, Table::Persons, std::io::Cursor::new(persons)).await?;
    tracing::info!(
        people,
        "seeded the registry replica with a synthetic population (development only)"
    );
    Ok(())
}

/// Makes a demo officer and supervisor at the first centre when there are
/// no staff accounts, and prints their passwords once (development only:
/// nowhere else does a password exist that `usajili staff create` did not
/// read from its operator).
async fn seed_demo_staff(
    db: &sqlx::AnyPool,
    cipher: &crate::crypto::FieldCipher,
    security: crate::staff::accounts::StaffSecurity,
) -> anyhow::Result<()> {
    use crate::staff::{Role, accounts::StaffAccounts};
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_accounts")
        .fetch_one(db)
        .await?;
    let centre: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM centres ORDER BY id LIMIT 1")
            .fetch_optional(db)
            .await?;
    let (0, Some((centre, name))) = (existing, centre) else {
        return Ok(());
    };
    let hashing = tokio::sync::Semaphore::new(1);
    let accounts = StaffAccounts {
        db,
        cipher,
        security,
        officer_totp_optional: true,
        hashing: &hashing,
    };
    let now = crate::clock::unix_now();
    let mut lines = Vec::new();
    for (role, email) in [
        (Role::Officer, "officer@demo.usajili.go.ke"),
        (Role::Supervisor, "supervisor@demo.usajili.go.ke"),
    ] {
        let password = demo_password();
        let mut conn = db.acquire().await?;
        accounts
            .create(&mut conn, email, role, Some(&centre), &password, now)
            .await?;
        lines.push(format!(
            "  {:<11} {email:<32} {}",
            role.code(),
            password.as_str()
        ));
    }
    let today = (
        app::dates::CivilDate::in_nairobi_at(now),
        crate::staff::demo::next_quarter(now),
    );
    let queued = crate::staff::demo::queue(db, cipher, &centre, 6, today, now).await?;
    eprintln!(
        "\n{} demo applicants are booked there today (`usajili demo queue --centre {centre}` books more).\nDemo staff accounts at {name} (shown once; the supervisor sets up an authenticator app at first sign-in):\n{}\nStaff console: /staff/sign-in\n",
        queued.len(),
        lines.join("\n")
    );
    Ok(())
}

fn demo_password() -> zeroize::Zeroizing<String> {
    use rand::Rng as _;
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..4)
                .map(|_| LETTERS[rng.random_range(0..LETTERS.len())] as char)
                .collect()
        })
        .collect();
    zeroize::Zeroizing::new(groups.join("-"))
}

fn check_for_production(config: &Config) -> anyhow::Result<()> {
    if config.environment == Environment::Production && !config.https {
        anyhow::bail!(
            "USAJILI_ENV=production needs USAJILI_HTTPS=true: personal data must only travel over HTTPS"
        );
    }
    // No TLS listener: HTTPS means a proxy in front, and without its range
    // every client behind it would be one client to every limit.
    if config.environment == Environment::Production && config.trusted_proxies.is_empty() {
        anyhow::bail!(
            "USAJILI_ENV=production needs USAJILI_TRUSTED_PROXIES: the address range of the TLS proxy in front of the portal (127.0.0.1/32 for one on this machine)"
        );
    }
    // A clock moved ahead would make reminders, no-shows and expiries
    // happen early.
    if config.environment == Environment::Production && config.clock_offset_secs != 0 {
        anyhow::bail!(
            "USAJILI_ENV=production refuses USAJILI_CLOCK_OFFSET_SECS: it is for benchmarks only"
        );
    }
    Ok(())
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
