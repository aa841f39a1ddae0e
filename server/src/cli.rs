//! `usajili [serve]` and `usajili migrate`. Later commands (registry,
//! staff, keys, retention, audit) join the `Command` enum.

use crate::config::Config;
use crate::startup::Application;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "usajili", version, about = "Usajili: pre-registration for Kenya's national ID")]
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
}

impl Cli {
    pub async fn run(self) -> ExitCode {
        crate::telemetry::init(self.config.log_format);
        let result = match self.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(self.config).await,
            Command::Migrate => migrate(self.config).await,
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

async fn migrate(config: Config) -> anyhow::Result<()> {
    let pool = crate::db::connect(&config.database_url, 1).await?;
    crate::db::migrate(&pool).await?;
    tracing::info!("the database schema is up to date");
    Ok(())
}
