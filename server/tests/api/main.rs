//! Integration tests: the real server on port 0 against a fresh database.
//! `USAJILI_TEST_DB` chooses the engine (`sqlite`, the default, or
//! `postgres` with `USAJILI_TEST_POSTGRES_URL`); the test script runs the
//! suite once per engine.
mod account;
mod audit;
mod authorization;
mod backup;
mod balanced;
mod behind_nginx;
mod booking;
mod browser;
mod ceilings;
mod children;
mod citizens;
mod clock;
mod crash;
mod crypto;
mod email;
mod fixtures;
mod forwarded;
mod guardian_claims;
mod helpers;
mod load;
mod metrics;
mod nginx;
mod outbox;
mod pages;
mod privacy;
mod processes;
mod readme;
mod registry;
mod registry_attempts;
mod reminders;
mod server_basics;
mod sessions;
mod sign_in_codes;
mod sms;
mod sms_gateway;
mod sms_inbound;
mod staff;
mod staff_accounts;
mod staff_capacity;
mod staff_centre;
mod staff_reviews;
mod transactions;
mod ussd;
mod ussd_register;
