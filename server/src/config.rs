//! Configuration, from command-line flags or environment variables, with
//! defaults that run the portal locally on SQLite.
//!
//! A module with settings of its own defines their type beside its code
//! (`messages::transport::MessageSettings`, `SignInLimits`, `AttemptLimits`, `AgeRules`,
//! `StaffSecurity`, `retention::Policy`, `ceilings::CeilingSettings`) and [`Config`] flattens it in: configuration
//! depends on the modules, never the other way round. Only startup, the
//! command line and the HTTP layer read [`Config`].

use crate::crypto::Secret;
use crate::telemetry::LogFormat;
use clap::{Args, ValueEnum};
use std::net::SocketAddr;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "USAJILI_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// `sqlite://path/to/file.db` (the embedded default) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/usajili.db",
        global = true
    )]
    pub database_url: String,

    /// Maximum database connections in the pool.
    #[arg(
        long,
        env = "USAJILI_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// `development` or `production`. Production refuses unsafe settings.
    #[arg(
        long,
        value_enum,
        env = "USAJILI_ENV",
        default_value = "development",
        global = true
    )]
    pub environment: Environment,

    /// `pretty` (human-readable) or `json` log lines.
    #[arg(
        long,
        value_enum,
        env = "USAJILI_LOG_FORMAT",
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Set when the portal is served over HTTPS (directly or behind a proxy):
    /// adds Strict-Transport-Security and marks cookies Secure.
    #[arg(long, env = "USAJILI_HTTPS", default_value_t = false, global = true)]
    pub https: bool,

    /// The reverse proxies in front of the portal, as comma-separated
    /// address ranges (`127.0.0.1/32,10.20.0.0/16`; a bare address is one
    /// host). Only a connection from one of them is believed about whom it
    /// forwards (`USAJILI_FORWARDED_HEADER`); for any other connection the
    /// client is the connection's own address. Empty (the default): none.
    /// Every per-connection limit and the audit trail's source read the
    /// client's address this way (`http::client_addr`).
    #[arg(
        long,
        env = "USAJILI_TRUSTED_PROXIES",
        default_value = "",
        value_parser = TrustedProxies::parse,
        global = true
    )]
    pub trusted_proxies: TrustedProxies,

    /// The header the trusted proxies write the client's address in:
    /// `x-forwarded-for` (the default, nginx's `$proxy_add_x_forwarded_for`)
    /// or `forwarded` (RFC 7239). The other header is never read, so a
    /// client cannot slip an address past a proxy that leaves that header
    /// as it came.
    #[arg(
        long,
        value_enum,
        env = "USAJILI_FORWARDED_HEADER",
        default_value = "x-forwarded-for",
        global = true
    )]
    pub forwarded_header: ForwardedHeader,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "USAJILI_BODY_LIMIT", default_value_t = 6 * 1024 * 1024, global = true)]
    pub body_limit: usize,

    /// Which registry verifies applications: `replica` (the local copy in
    /// this database, the default) or `http` (an IPRS-style JSON API).
    #[arg(
        long,
        value_enum,
        env = "USAJILI_REGISTRY",
        default_value = "replica",
        global = true
    )]
    pub registry: RegistryKind,

    /// Base URL of the registry's JSON API, for `USAJILI_REGISTRY=http`.
    #[arg(long, env = "USAJILI_REGISTRY_URL", global = true)]
    pub registry_url: Option<String>,

    /// API key for the registry's JSON API (the client sends it; `registry serve` requires it).
    #[arg(
        long,
        env = "USAJILI_REGISTRY_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub registry_api_key: Option<Secret>,

    /// Seconds before a verification that found the registry unavailable is
    /// first retried (pauses then double, up to an hour); also how often the
    /// retry job runs.
    #[arg(
        long,
        env = "USAJILI_VERIFICATION_RETRY_SECS",
        default_value_t = 15,
        global = true
    )]
    pub verification_retry_secs: i64,

    /// People in the synthetic population seeded into an empty replica on
    /// first start in development (0: none). Never seeded in production.
    #[arg(
        long,
        env = "USAJILI_DEMO_POPULATION",
        default_value_t = 2000,
        global = true
    )]
    pub demo_population: u64,

    /// The master key that wraps the data keys (32 bytes, base64). Never
    /// stored in the database. In development without one, a key is made
    /// once and kept in `data/dev-master.key`; production refuses to start.
    #[arg(
        long,
        env = "USAJILI_MASTER_KEY",
        hide_env_values = true,
        global = true
    )]
    pub master_key: Option<Secret>,

    /// A file holding the master key (base64), instead of USAJILI_MASTER_KEY.
    #[arg(long, env = "USAJILI_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<std::path::PathBuf>,

    /// How much expensive work (photo decoding, password hashing) one
    /// process does at once (`ceilings`).
    #[command(flatten)]
    pub ceilings: crate::ceilings::CeilingSettings,

    /// How much citizens' sign-in may be asked for (`citizen::sign_in`).
    #[command(flatten)]
    pub sign_in: crate::citizen::sign_in::SignInLimits,

    /// How many failed matches with the registry an account and an
    /// identifier may make (`registry::attempts`).
    #[command(flatten)]
    pub registry_tries: crate::registry::attempts::AttemptLimits,

    /// How messages leave the outbox, and each transport's settings
    /// (`messages::transport`).
    #[command(flatten)]
    pub messages: crate::messages::transport::MessageSettings,

    /// How often a running server looks for data keys made by `usajili keys
    /// rotate`, in seconds. `keys rotate` waits twice this long before it
    /// re-encrypts anything.
    #[arg(
        long,
        env = "USAJILI_KEY_REFRESH_SECS",
        default_value_t = 30,
        global = true
    )]
    pub key_refresh_secs: u64,

    /// How long before an appointment it can no longer be changed or
    /// cancelled online, in minutes.
    #[arg(
        long,
        env = "USAJILI_BOOKING_CUTOFF_MINUTES",
        default_value_t = 120,
        global = true
    )]
    pub booking_cutoff_minutes: i64,

    /// Benchmarks and tests only: this process's clock runs this many
    /// seconds ahead of the system's (requests and background jobs alike),
    /// so that a benchmark can make reminders and no-shows fall due in real
    /// `usajili serve` processes. Production refuses anything but 0.
    #[arg(
        long,
        env = "USAJILI_CLOCK_OFFSET_SECS",
        default_value_t = 0,
        global = true,
        hide = true
    )]
    pub clock_offset_secs: i64,

    /// A citizen's session ends this many hours after sign-in, however
    /// active (besides ending after 30 minutes without a request).
    #[arg(
        long = "citizen-session-hours",
        env = "USAJILI_CITIZEN_SESSION_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub citizen_session_hours: i64,

    /// Which ages get a minor's card (`citizen::children`).
    #[command(flatten)]
    pub ages: crate::citizen::children::AgeRules,

    /// Staff passwords and sign-in (`staff::accounts`).
    #[command(flatten)]
    pub staff: crate::staff::accounts::StaffSecurity,

    /// How long each kind of personal data is kept (`retention`).
    #[command(flatten)]
    pub retention: crate::retention::Policy,

    /// Where the metrics are served, if anywhere (`observe`).
    #[command(flatten)]
    pub metrics: crate::observe::MetricsSettings,
    /// USSD's settings (`ussd`).
    #[command(flatten)]
    pub ussd: crate::ussd::UssdSettings,

    /// Where cargo-leptos put the compiled site (WASM, JS, CSS, public files).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryKind {
    Replica,
    Http,
}

/// `USAJILI_TRUSTED_PROXIES`: the address ranges whose connections are
/// believed about the client they forward.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// A comma-separated list of ranges (`10.0.0.0/8`, `2001:db8::/32`) or
    /// single addresses; blanks around entries are ignored, an empty list
    /// trusts nobody. An entry that is neither is an error naming the
    /// setting, so a typo stops the server instead of trusting nobody (or
    /// everybody).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|range| range.trunc())
                    .map_err(|_| {
                        format!(
                            "USAJILI_TRUSTED_PROXIES: `{entry}` is not an address range such as 10.0.0.0/8 or 2001:db8::/32"
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `address` (an IPv4-mapped IPv6 address counts as its IPv4
    /// address) is one of the trusted proxies.
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|range| range.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `USAJILI_FORWARDED_HEADER`: where the trusted proxies say whom they forward.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`.
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239: `Forwarded: for=client, for="[2001:db8::1]:4711"`.
    Forwarded,
}

impl Config {
    /// The defaults, as a fresh `usajili serve` would use them.
    pub fn from_env() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        <Only as clap::Parser>::parse_from(["usajili"]).config
    }

    /// The master key: from USAJILI_MASTER_KEY, else USAJILI_MASTER_KEY_FILE,
    /// else (development only) `data/dev-master.key`, made on first use.
    pub fn load_master_key(&self) -> anyhow::Result<crate::crypto::MasterKey> {
        use crate::crypto::MasterKey;
        use anyhow::Context as _;
        if let Some(key) = &self.master_key {
            return MasterKey::from_base64(key.expose()).context("USAJILI_MASTER_KEY");
        }
        let (path, dev) = match &self.master_key_file {
            Some(path) => (path.clone(), false),
            None if self.environment == Environment::Production => anyhow::bail!(
                "production needs a master key: set USAJILI_MASTER_KEY or USAJILI_MASTER_KEY_FILE"
            ),
            None => (std::path::PathBuf::from("data/dev-master.key"), true),
        };
        if dev && !path.exists() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            write_private_file(&path, MasterKey::generate().to_base64().as_bytes()).with_context(
                || {
                    format!(
                        "could not create the development master key {}",
                        path.display()
                    )
                },
            )?;
            tracing::warn!(path = %path.display(), "made a development master key; production must supply its own");
        }
        let text =
            zeroize::Zeroizing::new(std::fs::read_to_string(&path).with_context(|| {
                format!("could not read the master key file {}", path.display())
            })?);
        MasterKey::from_base64(&text)
            .with_context(|| format!("the master key file {}", path.display()))
    }

    pub fn leptos_options(&self) -> leptos::config::LeptosOptions {
        leptos::config::LeptosOptions::builder()
            .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("usajili"))
            .site_root(self.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(self.addr)
            .env(match self.environment {
                Environment::Development => leptos::config::Env::DEV,
                Environment::Production => leptos::config::Env::PROD,
            })
            .build()
    }
}

/// Creates a file only its owner can read.
fn write_private_file(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Config, clap::Error> {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        let args = std::iter::once("usajili").chain(args.iter().copied());
        <Only as clap::Parser>::try_parse_from(args).map(|only| only.config)
    }

    #[test]
    fn trusted_proxies_are_ranges_or_addresses_and_none_by_default() {
        let none = parsed(&[]).unwrap();
        assert!(none.trusted_proxies.is_empty());
        assert!(!none.trusted_proxies.contains("127.0.0.1".parse().unwrap()));
        assert_eq!(none.forwarded_header, ForwardedHeader::XForwardedFor);

        let some = parsed(&[
            "--trusted-proxies",
            " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,",
        ])
        .unwrap()
        .trusted_proxies;
        for inside in ["10.1.2.3", "192.0.2.7", "2001:db8:ff::1", "::ffff:10.9.9.9"] {
            assert!(some.contains(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["11.0.0.1", "192.0.2.8", "2001:db9::1"] {
            assert!(!some.contains(outside.parse().unwrap()), "{outside}");
        }
        let forwarded = parsed(&["--forwarded-header", "forwarded"]).unwrap();
        assert_eq!(forwarded.forwarded_header, ForwardedHeader::Forwarded);
    }

    #[test]
    fn a_malformed_trusted_proxy_stops_startup_naming_the_setting() {
        for bad in [
            "10.0.0.0/33",
            "localhost",
            "10.0.0.0/8;10.1.0.0/16",
            "10.0.0/8",
        ] {
            let error = parsed(&["--trusted-proxies", bad])
                .expect_err(bad)
                .to_string();
            assert!(error.contains("USAJILI_TRUSTED_PROXIES"), "{error}");
        }
    }

    #[test]
    fn the_smtp_settings_stay_apart_from_the_sms_ones() {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        <Only as clap::CommandFactory>::command().debug_assert();
        let parsed = <Only as clap::Parser>::try_parse_from([
            "usajili",
            "--smtp-username",
            "mailer",
            "--at-username",
            "sandbox",
            "--smtp-per-second",
            "3",
        ])
        .unwrap()
        .config;
        assert_eq!(
            (
                parsed.messages.smtp.username.as_deref(),
                parsed.messages.sms.username.as_deref()
            ),
            (Some("mailer"), Some("sandbox"))
        );
        assert_eq!(
            (
                parsed.messages.smtp.per_second,
                parsed.messages.sms.per_second
            ),
            (3, 10)
        );
        let defaults = Config::from_env().messages.smtp;
        assert_eq!(
            (defaults.host, defaults.port, defaults.tls),
            (
                None,
                None,
                crate::messages::transport::email::SmtpTls::Starttls
            )
        );
    }
}
