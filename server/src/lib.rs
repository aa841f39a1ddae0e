//! Everything server-only in Usajili: configuration, startup, HTTP, storage
//! and the command-line tools. The pages themselves live in the `app` crate.
#![recursion_limit = "256"]
pub mod audit;
pub mod backup;
pub mod booking;
pub mod ceilings;
pub mod citizen;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod http;
pub mod jobs;
pub mod messages;
pub mod observe;
pub mod photo;
pub mod rate_limit;
pub mod registry;
pub mod reminders;
pub mod retention;
pub mod sms_inbound;
pub mod staff;
pub mod startup;
pub mod telemetry;
pub mod ussd;
