//! The HTTP adapter: a client for an IPRS-style JSON API
//! (`GET /v1/births/{no}`, `GET /v1/persons/{id}`, and
//! `GET /v1/births/{no}/holder` for the ID holder of a birth certificate;
//! bearer API key).
//!
//! Each call has a connect timeout and a total timeout, is retried a bounded
//! number of times with jittered exponential backoff on timeouts, connection
//! failures and 5xx, and goes through a circuit breaker: after repeated
//! failures the client stops calling for a cool-down period and fails fast,
//! so a registry outage does not pile up waiting requests.

use super::{BirthRecord, PersonRecord, Registry, RegistryError};
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use rand::Rng as _;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct HttpRegistryConfig {
    /// e.g. `https://iprs.example.go.ke` (no trailing slash needed).
    pub base_url: String,
    pub api_key: String,
    pub connect_timeout: Duration,
    /// For the whole of one attempt: connecting, sending, reading the body.
    pub request_timeout: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles after each failure, with full jitter.
    pub backoff_base: Duration,
    /// Consecutive failed calls that open the circuit.
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
}

impl HttpRegistryConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        HttpRegistryConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            max_attempts: 3,
            backoff_base: Duration::from_millis(100),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

pub struct HttpRegistry {
    config: HttpRegistryConfig,
    client: reqwest::Client,
    breaker: CircuitBreaker,
}

impl HttpRegistry {
    pub fn new(config: HttpRegistryConfig) -> Result<Self, RegistryError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| {
                RegistryError::Unavailable(format!("could not build the HTTP client: {e}"))
            })?;
        let breaker = CircuitBreaker::new(config.breaker_threshold, config.breaker_cooldown);
        Ok(HttpRegistry {
            config,
            client,
            breaker,
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, RegistryError> {
        crate::observe::series::registry_call();
        let result = match self.breaker.check() {
            Ok(()) => {
                let result = self.get_with_retries(path).await;
                match &result {
                    Err(e) if e.is_transient() => self.breaker.record_failure(),
                    _ => self.breaker.record_success(),
                }
                result
            }
            Err(refused) => Err(refused),
        };
        if let Err(error) = &result {
            crate::observe::series::registry_failure(failure_label(error));
        }
        result
    }

    async fn get_with_retries<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<T>, RegistryError> {
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        let mut attempt = 1;
        loop {
            match self.attempt(&url).await {
                Err(error) if error.is_transient() && attempt < self.config.max_attempts => {
                    let ceiling = self
                        .config
                        .backoff_base
                        .saturating_mul(1 << (attempt - 1).min(16));
                    let pause = rand::rng().random_range(Duration::ZERO..=ceiling);
                    // The path holds an identifier: log the attempt, not the URL.
                    tracing::warn!(attempt, error = %error, "registry call failed; retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(&self, url: &str) -> Result<Option<T>, RegistryError> {
        let response = self
            .client
            .get(url)
            .bearer_auth(&self.config.api_key)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(RegistryError::Unauthorized),
            status if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => Err(
                RegistryError::Unavailable(format!("HTTP {}", status.as_u16())),
            ),
            status if status.is_success() => response.json::<T>().await.map(Some).map_err(|e| {
                if e.is_timeout() {
                    RegistryError::Timeout
                } else {
                    RegistryError::Protocol("an unreadable body".into())
                }
            }),
            status => Err(RegistryError::Protocol(format!(
                "unexpected HTTP {}",
                status.as_u16()
            ))),
        }
    }
}

/// A failure's label in the metrics: its kind, never its text.
fn failure_label(error: &RegistryError) -> &'static str {
    match error {
        RegistryError::Timeout => "timeout",
        RegistryError::Unavailable(_) => "unavailable",
        RegistryError::CircuitOpen => "circuit_open",
        RegistryError::Unauthorized => "unauthorized",
        RegistryError::Protocol(_) => "protocol",
        RegistryError::Database(_) => "database",
    }
}

fn classify(error: reqwest::Error) -> RegistryError {
    if error.is_timeout() {
        RegistryError::Timeout
    } else {
        // `without_url`: the URL carries an identifier, which must not reach the logs.
        RegistryError::Unavailable(error.without_url().to_string())
    }
}

#[async_trait::async_trait]
impl Registry for HttpRegistry {
    async fn birth_record(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<BirthRecord>, RegistryError> {
        self.get(&format!("/v1/births/{}", birth_cert_no.as_ref()))
            .await
    }

    async fn person(
        &self,
        id_no: &NationalIdNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        self.get(&format!("/v1/persons/{}", id_no.as_ref())).await
    }

    async fn holder_of_birth_certificate(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        self.get(&format!("/v1/births/{}/holder", birth_cert_no.as_ref()))
            .await
    }
}

/// Closed: calls go through. Open: calls fail fast until the cool-down has
/// passed. Then one trial call is let through (half-open): success closes
/// the circuit, failure opens it for another cool-down.
pub struct CircuitBreaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<BreakerState>,
}

#[derive(Debug, Default)]
struct BreakerState {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        crate::observe::series::registry_circuit(false);
        CircuitBreaker {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(BreakerState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn check(&self) -> Result<(), RegistryError> {
        let mut state = self.lock();
        match state.open_until {
            None => Ok(()),
            Some(until) if Instant::now() < until => Err(RegistryError::CircuitOpen),
            Some(_) if state.trial_in_flight => Err(RegistryError::CircuitOpen),
            Some(_) => {
                state.trial_in_flight = true;
                Ok(())
            }
        }
    }

    pub fn record_success(&self) {
        *self.lock() = BreakerState::default();
        crate::observe::series::registry_circuit(false);
    }

    pub fn record_failure(&self) {
        let mut state = self.lock();
        state.consecutive_failures += 1;
        state.trial_in_flight = false;
        if state.consecutive_failures >= self.threshold {
            state.open_until = Some(Instant::now() + self.cooldown);
            // Open until a call succeeds again (after the cool-down, a
            // trial call is let through; a failed one opens it again).
            crate::observe::series::registry_circuit(true);
        }
    }

    pub fn is_open(&self) -> bool {
        self.lock()
            .open_until
            .is_some_and(|until| Instant::now() < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_circuit_opens_after_the_threshold_and_fails_fast() {
        let breaker = CircuitBreaker::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            breaker.check().unwrap();
            breaker.record_failure();
        }
        assert!(breaker.check().is_ok(), "still closed below the threshold");
        breaker.record_failure();
        assert!(matches!(breaker.check(), Err(RegistryError::CircuitOpen)));
        assert!(breaker.is_open());
    }

    #[test]
    fn after_the_cooldown_one_trial_call_closes_the_circuit_on_success() {
        let breaker = CircuitBreaker::new(1, Duration::from_millis(10));
        breaker.record_failure();
        assert!(breaker.check().is_err());
        std::thread::sleep(Duration::from_millis(20));
        assert!(breaker.check().is_ok(), "the trial call goes through");
        assert!(breaker.check().is_err(), "only one trial at a time");
        breaker.record_success();
        assert!(breaker.check().is_ok());
        assert!(breaker.check().is_ok());
    }

    #[test]
    fn the_metrics_show_the_circuit_open_until_a_call_succeeds() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let open = || {
            handle
                .render()
                .lines()
                .find_map(|line| line.strip_prefix("usajili_registry_circuit_open "))
                .map(str::to_string)
        };
        metrics::with_local_recorder(&recorder, || {
            let breaker = CircuitBreaker::new(2, Duration::from_millis(10));
            assert_eq!(open().as_deref(), Some("0"));
            breaker.record_failure();
            assert_eq!(open().as_deref(), Some("0"), "below the threshold");
            breaker.record_failure();
            assert_eq!(open().as_deref(), Some("1"));
            std::thread::sleep(Duration::from_millis(20));
            breaker.check().unwrap();
            assert_eq!(
                open().as_deref(),
                Some("1"),
                "a trial call is not yet a success"
            );
            breaker.record_success();
            assert_eq!(open().as_deref(), Some("0"));
        });
    }

    #[test]
    fn a_failed_trial_opens_the_circuit_again() {
        let breaker = CircuitBreaker::new(1, Duration::from_millis(10));
        breaker.record_failure();
        std::thread::sleep(Duration::from_millis(20));
        breaker.check().unwrap();
        breaker.record_failure();
        assert!(matches!(breaker.check(), Err(RegistryError::CircuitOpen)));
    }
}
