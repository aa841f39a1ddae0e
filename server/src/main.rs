//! `usajili`: reads configuration, then serves the portal or runs a command.
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    usajili::cli::Cli::parse().run().await
}
