//! Metrics for operators, in the Prometheus text format.
//!
//! Two kinds of series:
//! - what happens in this process (requests, bookings, sign-in codes,
//!   registry calls, background jobs) is counted as it happens, through the
//!   `metrics` crate's global recorder, which [`install`] sets up once per
//!   process (the integration tests start many servers in one process);
//!   [`series`] names every one and is the only place that records them;
//! - what the database holds (the outbox, pending verifications, the last
//!   audit verification) is read when `/metrics` is scraped, by queries in
//!   the modules that own those tables, and written out by [`Gauges`]; the
//!   database pool's connections are read from the pool then too.
//!
//! No series carries personal data: every label value is a `&'static str`
//! chosen by the code (a state, a channel, a job's name, a status class),
//! except the route, which is the router's pattern (`/applications/{id}`),
//! never the path that was asked for.
//!
//! `/metrics` is served on a listener of its own (`USAJILI_METRICS_ADDR`,
//! off by default; `http::metrics`), never by the portal's router. This
//! module is a leaf: it imports nothing of the crate, so any module may
//! count through it.

mod exposition;
pub mod series;

pub use exposition::Gauges;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The metrics listener's settings.
#[derive(clap::Args, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsSettings {
    /// Where `GET /metrics` (Prometheus text format) is served, on a
    /// listener apart from the portal's (`127.0.0.1:9464`, or an address
    /// only the monitoring network reaches: it has no authentication).
    /// Unset (the default): no metrics are kept or served.
    #[arg(
        id = "metrics_addr",
        long = "metrics-addr",
        env = "USAJILI_METRICS_ADDR",
        global = true
    )]
    pub addr: Option<SocketAddr>,
}

/// Bucket bounds of every `*_seconds` histogram (requests and job runs).
const SECONDS_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// How often histograms' samples are folded into their buckets when
/// nobody scrapes (so that they do not pile up).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same
/// handle) and returns the handle that renders what it holds. Until it is
/// called, every count is a no-op.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first: counters will not show");
        }
        series::describe();
        let upkeep = handle.clone();
        let started = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
        if let Err(error) = started {
            tracing::warn!(%error, "could not start the metrics upkeep thread");
        }
        handle
    })
}

/// The recorder's handle, if [`install`] ran.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get()
}

/// Transactions of this process waiting to begin (for a pool connection,
/// and on SQLite for the write lock): read at scrape time.
static WAITING_TO_BEGIN: AtomicI64 = AtomicI64::new(0);

/// Counts a transaction waiting to begin while it lives (`db::begin`).
pub struct WaitingToBegin(());

impl WaitingToBegin {
    pub fn start() -> Self {
        WAITING_TO_BEGIN.fetch_add(1, Ordering::Relaxed);
        WaitingToBegin(())
    }
}

impl Drop for WaitingToBegin {
    fn drop(&mut self) {
        WAITING_TO_BEGIN.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How many transactions are waiting to begin now.
pub fn waiting_to_begin() -> i64 {
    WAITING_TO_BEGIN.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Only {
        #[command(flatten)]
        settings: MetricsSettings,
        /// The portal's own `--addr`, which this setting must not take.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
    }

    #[test]
    fn the_metrics_address_is_its_own_setting_and_off_by_default() {
        use clap::Parser as _;
        <Only as clap::CommandFactory>::command().debug_assert();
        let off = Only::try_parse_from(["usajili"]).unwrap();
        assert_eq!(off.settings.addr, None);
        let on = Only::try_parse_from(["usajili", "--metrics-addr", "127.0.0.1:9464"]).unwrap();
        assert_eq!(on.settings.addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(on.addr, "127.0.0.1:3000".parse().unwrap());
    }
}
