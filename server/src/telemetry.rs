//! Logging. Log lines carry ids, routes and statuses, never personal data:
//! request spans record the matched route, not the URL or its query string.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// How log lines are written: `USAJILI_LOG_FORMAT`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    // `try_init`: tests build several applications in one process. Log
    // lines go to standard error, so a command's output (`usajili demo
    // queue`, `audit verify`) is only its answer.
    let _ = match format {
        LogFormat::Pretty => registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}
