//! Every series this process records as things happen, by name, with the
//! one function that records each. The series read from the database at
//! scrape time are named here too ([`SAMPLED`]), so that one file lists
//! them all (`deploy/METRICS.md` describes each; the alert rules in
//! `deploy/prometheus/alerts.yml` use these names).
//!
//! Label values are `&'static str` chosen by the code, except the route
//! pattern the router matched: nothing a person typed becomes a label.

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use std::time::Duration;

pub const HTTP_REQUESTS: &str = "usajili_http_requests_total";
pub const HTTP_DURATION: &str = "usajili_http_request_duration_seconds";
pub const BOOKINGS: &str = "usajili_bookings_total";
pub const SIGN_IN_CODES_SENT: &str = "usajili_sign_in_codes_sent_total";
pub const SIGN_IN_CODES_REFUSED: &str = "usajili_sign_in_codes_refused_total";
pub const REGISTRY_CALLS: &str = "usajili_registry_calls_total";
pub const REGISTRY_FAILURES: &str = "usajili_registry_failures_total";
pub const REGISTRY_CIRCUIT_OPEN: &str = "usajili_registry_circuit_open";
pub const OUTBOX_DELIVERIES: &str = "usajili_outbox_deliveries_total";
pub const JOB_RUNS: &str = "usajili_job_runs_total";
pub const JOB_FAILURES: &str = "usajili_job_failures_total";
pub const JOB_DURATION: &str = "usajili_job_duration_seconds";
pub const JOB_LAST_SUCCESS: &str = "usajili_job_last_success_timestamp_seconds";

// ---- read from the database and the pool when scraped --------------------------------

pub const DB_CONNECTIONS: &str = "usajili_db_pool_connections";
pub const DB_MAX_CONNECTIONS: &str = "usajili_db_pool_max_connections";
pub const DB_WAITING: &str = "usajili_db_transactions_waiting";
pub const DATABASE_UP: &str = "usajili_database_up";
pub const OUTBOX_MESSAGES: &str = "usajili_outbox_messages";
pub const OUTBOX_OLDEST_PENDING: &str = "usajili_outbox_oldest_pending_age_seconds";
pub const PENDING_VERIFICATIONS: &str = "usajili_pending_verifications";
pub const PENDING_OLDEST: &str = "usajili_pending_verifications_oldest_age_seconds";
pub const AUDIT_LAST_VERIFIED: &str = "usajili_audit_last_verified_timestamp_seconds";

/// The series read at scrape time, for the list of every name.
pub const SAMPLED: [&str; 9] = [
    DB_CONNECTIONS,
    DB_MAX_CONNECTIONS,
    DB_WAITING,
    DATABASE_UP,
    OUTBOX_MESSAGES,
    OUTBOX_OLDEST_PENDING,
    PENDING_VERIFICATIONS,
    PENDING_OLDEST,
    AUDIT_LAST_VERIFIED,
];

/// The series recorded as things happen.
pub const RECORDED: [&str; 13] = [
    HTTP_REQUESTS,
    HTTP_DURATION,
    BOOKINGS,
    OUTBOX_DELIVERIES,
    SIGN_IN_CODES_SENT,
    SIGN_IN_CODES_REFUSED,
    REGISTRY_CALLS,
    REGISTRY_FAILURES,
    REGISTRY_CIRCUIT_OPEN,
    JOB_RUNS,
    JOB_FAILURES,
    JOB_DURATION,
    JOB_LAST_SUCCESS,
];

/// The route label of a request no route matched: a file of the site's
/// root (`/favicon.ico`), or the 404 page.
pub const UNMATCHED_ROUTE: &str = "unmatched";
/// The route label of the compiled assets under `/pkg/`.
pub const ASSETS_ROUTE: &str = "/pkg/{*file}";

/// One request answered by the portal: `route` is the matched pattern.
pub fn http_request(route: &str, method: &'static str, status: u16, took: Duration) {
    let class = status_class(status);
    let labels = [
        ("route", route.to_owned()),
        ("method", method.to_owned()),
        ("status", class.to_owned()),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(took.as_secs_f64());
}

/// `2xx`, `4xx`…, the label of a status.
pub fn status_class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// The method's label: the common ones by name, anything else `other`
/// (a method is the client's choice, and labels must stay few).
pub fn method_label(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::HEAD => "HEAD",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// What happened to a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingAction {
    /// Made online by the citizen.
    Made,
    /// Changed online by the citizen.
    Changed,
    /// Cancelled online by the citizen.
    Cancelled,
    /// Moved to another time by a supervisor's capacity change or closure.
    MovedByCentre,
    /// Cancelled by a capacity change or closure that left no time for it
    /// (the person is asked to book again).
    CancelledByCentre,
    /// Cancelled because the citizen deleted their account.
    CancelledByAccountDeletion,
}

impl BookingAction {
    const ALL: [BookingAction; 6] = [
        Self::Made,
        Self::Changed,
        Self::Cancelled,
        Self::MovedByCentre,
        Self::CancelledByCentre,
        Self::CancelledByAccountDeletion,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Made => "made",
            Self::Changed => "changed",
            Self::Cancelled => "cancelled",
            Self::MovedByCentre => "moved_by_centre",
            Self::CancelledByCentre => "cancelled_by_centre",
            Self::CancelledByAccountDeletion => "cancelled_by_account_deletion",
        }
    }
}

/// `people` appointments (one per person of a family) made, changed,
/// cancelled or moved, of `kind` (`enrolment`, `collection`); counted once
/// the transaction committed.
pub fn bookings(action: BookingAction, kind: &'static str, people: usize) {
    counter!(BOOKINGS, "action" => action.label(), "kind" => kind).increment(people as u64);
}

/// A sign-in code queued for sending, by `channel` (`sms`, `email`).
pub fn sign_in_code_sent(channel: &'static str) {
    counter!(SIGN_IN_CODES_SENT, "channel" => channel).increment(1);
}

/// A sign-in code refused by one of its limits (`limit` names which).
pub fn sign_in_code_refused(limit: &'static str) {
    counter!(SIGN_IN_CODES_REFUSED, "limit" => limit).increment(1);
}

/// What became of one try of the outbox worker to send a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The transport took it.
    Sent,
    /// It failed this time and will be tried again.
    Retried,
    /// Given up (`failed`): a permanent refusal, or the last try.
    Failed,
}

impl Delivery {
    const ALL: [Delivery; 3] = [Self::Sent, Self::Retried, Self::Failed];

    fn label(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Retried => "retried",
            Self::Failed => "failed",
        }
    }
}

/// One try of the outbox worker on `channel` (`sms`, `email`), counted
/// once its outcome is recorded in the outbox.
pub fn outbox_delivery(channel: &'static str, outcome: Delivery) {
    counter!(OUTBOX_DELIVERIES, "channel" => channel, "outcome" => outcome.label()).increment(1);
}

/// One call to the registry's HTTP API (its retries inside it included).
pub fn registry_call() {
    counter!(REGISTRY_CALLS).increment(1);
}

/// A registry call that failed, and why (`timeout`, `unavailable`,
/// `circuit_open`, `unauthorized`, `protocol`).
pub fn registry_failure(reason: &'static str) {
    counter!(REGISTRY_FAILURES, "reason" => reason).increment(1);
}

/// Whether the registry client's circuit breaker is open (calls fail fast)
/// or waiting for its trial call, as opposed to closed.
pub fn registry_circuit(open: bool) {
    gauge!(REGISTRY_CIRCUIT_OPEN).set(if open { 1.0 } else { 0.0 });
}

/// A background job registered: its counters start at zero, so that a
/// first failure is a rise Prometheus sees.
pub fn job_registered(job: &'static str) {
    counter!(JOB_RUNS, "job" => job).increment(0);
    counter!(JOB_FAILURES, "job" => job).increment(0);
}

/// One run of a background job, how long it took, and whether it failed
/// (an error or a panic). `finished_at` is Unix seconds.
pub fn job_run(job: &'static str, took: Duration, failed: bool, finished_at: i64) {
    counter!(JOB_RUNS, "job" => job).increment(1);
    histogram!(JOB_DURATION, "job" => job).record(took.as_secs_f64());
    if failed {
        counter!(JOB_FAILURES, "job" => job).increment(1);
    } else {
        gauge!(JOB_LAST_SUCCESS, "job" => job).set(finished_at as f64);
    }
}

/// The help texts, and the counters whose labels are known in advance
/// registered at zero. Called once, when the recorder is installed.
pub(super) fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered by the portal, by route pattern, method and status class."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer a request (to the response's head), by route pattern, method and status class."
    );
    describe_counter!(
        BOOKINGS,
        "Appointments made, changed or cancelled (one per person), by action (online by the citizen, by the centre, by an account's deletion) and kind."
    );
    describe_counter!(
        OUTBOX_DELIVERIES,
        "Tries of the outbox worker to send a message, by channel and outcome (sent, retried, failed)."
    );
    describe_counter!(
        SIGN_IN_CODES_SENT,
        "Sign-in codes issued and queued for sending, by channel."
    );
    describe_counter!(
        SIGN_IN_CODES_REFUSED,
        "Sign-in code requests refused by a limit, by which limit."
    );
    describe_counter!(
        REGISTRY_CALLS,
        "Calls to the population registry's HTTP API (retries included in one call)."
    );
    describe_counter!(
        REGISTRY_FAILURES,
        "Registry calls that failed, by reason (circuit_open: refused without calling)."
    );
    describe_gauge!(
        REGISTRY_CIRCUIT_OPEN,
        "1 while the registry client's circuit breaker is open or awaiting its trial call, else 0."
    );
    describe_counter!(JOB_RUNS, "Runs of each background job.");
    describe_counter!(
        JOB_FAILURES,
        "Runs of each background job that failed or panicked."
    );
    describe_histogram!(
        JOB_DURATION,
        Unit::Seconds,
        "How long each background job's runs took."
    );
    describe_gauge!(
        JOB_LAST_SUCCESS,
        Unit::Seconds,
        "When each background job last ran without failing (Unix time)."
    );
    for action in BookingAction::ALL {
        for kind in ["enrolment", "collection"] {
            counter!(BOOKINGS, "action" => action.label(), "kind" => kind).increment(0);
        }
    }
    for channel in ["sms", "email"] {
        counter!(SIGN_IN_CODES_SENT, "channel" => channel).increment(0);
        for outcome in Delivery::ALL {
            counter!(OUTBOX_DELIVERIES, "channel" => channel, "outcome" => outcome.label())
                .increment(0);
        }
    }
    for limit in SIGN_IN_LIMITS {
        counter!(SIGN_IN_CODES_REFUSED, "limit" => limit).increment(0);
    }
    counter!(REGISTRY_CALLS).increment(0);
}

/// The `limit` labels of [`sign_in_code_refused`].
pub const SIGN_IN_LIMITS: [&str; 4] = [
    "per_connection",
    "per_contact",
    "codes_per_day",
    "wrong_tries_per_day",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_labelled_by_class() {
        assert_eq!(status_class(200), "2xx");
        assert_eq!(status_class(303), "3xx");
        assert_eq!(status_class(404), "4xx");
        assert_eq!(status_class(500), "5xx");
        assert_eq!(status_class(101), "1xx");
    }

    #[test]
    fn every_name_is_a_prometheus_name_of_this_service_and_unique() {
        let all: Vec<&str> = RECORDED.iter().chain(SAMPLED.iter()).copied().collect();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        for name in all {
            assert!(name.starts_with("usajili_"), "{name}");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }

    /// The `usajili_…` names a text uses (a histogram's `_bucket`, `_sum`
    /// and `_count` as the histogram's own name).
    fn names_in(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("usajili_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .filter(|base| base.ends_with("_seconds"))
                .unwrap_or(&name)
                .to_string();
            names.push(base);
        }
        names
    }

    #[test]
    fn the_alert_rules_and_their_tests_use_only_series_the_server_exports() {
        let known: Vec<&str> = RECORDED.iter().chain(SAMPLED.iter()).copied().collect();
        for (file, text) in [
            (
                "alerts.yml",
                include_str!("../../../deploy/prometheus/alerts.yml"),
            ),
            (
                "alerts_test.yml",
                include_str!("../../../deploy/prometheus/alerts_test.yml"),
            ),
        ] {
            let used = names_in(text);
            assert!(!used.is_empty(), "{file}");
            for name in used {
                assert!(
                    known.contains(&name.as_str()),
                    "{file}: {name} is not exported"
                );
            }
        }
    }

    #[test]
    fn every_series_is_described_for_operators() {
        let described = include_str!("../../../deploy/METRICS.md");
        for name in RECORDED.iter().chain(SAMPLED.iter()) {
            assert!(described.contains(&format!("`{name}`")), "{name}");
        }
        for name in names_in(described) {
            assert!(
                RECORDED.contains(&name.as_str()) || SAMPLED.contains(&name.as_str()),
                "{name} is described but not exported"
            );
        }
    }

    #[test]
    fn unusual_methods_share_one_label() {
        let odd = http::Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&http::Method::POST), "POST");
    }
}
