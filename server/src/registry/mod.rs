//! The central population registry (IPRS), as the portal sees it.
//!
//! `Registry` has three adapters: the local replica in the portal's own
//! database (the embedded default, filled by `usajili registry import`),
//! the HTTP client for a remote IPRS-style JSON API, and `api`, which
//! serves that same JSON API from a replica (`usajili registry serve`) so
//! that the client can be tested for real and demos have a stand-in IPRS.
//!
//! What the portal does with the registry's answers: `verification` checks
//! what an applicant typed against them, and `pending` keeps verifications
//! that found the registry unavailable and retries them.

pub mod api;
pub mod attempts;
pub mod http_client;
pub mod import;
pub mod pending;
pub mod replica;
pub mod synth;
pub mod verification;

use app::dates::CivilDate;
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

app::coded_enum! {
    /// As the registry writes it, and as the replica stores it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Sex {
        #[serde(rename = "F")]
        Female => "F",
        #[serde(rename = "M")]
        Male => "M",
    }
}

impl Sex {
    /// A registry file's or the replica's value: either case, and spaces
    /// around it, are accepted.
    pub fn read(text: &str) -> Option<Self> {
        Self::from_code(&text.trim().to_ascii_uppercase())
    }
}

app::coded_enum! {
    /// Whether the registry holds a death against the record.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum LifeStatus {
        Alive => "alive",
        Deceased => "deceased",
    }
}

impl LifeStatus {
    /// A registry file's or the replica's value: spaces around it are
    /// accepted.
    pub fn read(text: &str) -> Option<Self> {
        Self::from_code(text.trim())
    }
}

/// A birth registration: what the birth certificate says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthRecord {
    pub birth_cert_no: String,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: CivilDate,
    pub county_code: String,
    pub mother_name: Option<String>,
    pub mother_id_no: Option<String>,
    pub father_name: Option<String>,
    pub father_id_no: Option<String>,
    /// A death registered against the birth record (a child who died
    /// before getting an ID). Older exports leave it out: alive.
    #[serde(default = "alive")]
    pub status: LifeStatus,
}

fn alive() -> LifeStatus {
    LifeStatus::Alive
}

/// A person registered for an ID card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub id_no: String,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: CivilDate,
    pub birth_cert_no: Option<String>,
    pub status: LifeStatus,
}

/// Why the registry could not answer. None of these mean "no record": that
/// is `Ok(None)`.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the registry did not answer in time")]
    Timeout,
    #[error("the registry is unavailable: {0}")]
    Unavailable(String),
    #[error("the registry circuit breaker is open after repeated failures")]
    CircuitOpen,
    #[error("the registry refused our credentials")]
    Unauthorized,
    #[error("the registry answered with something we could not read: {0}")]
    Protocol(String),
    #[error("the registry replica could not be read")]
    Database(#[from] sqlx::Error),
}

impl RegistryError {
    /// Whether trying again later may succeed (so the application waits in
    /// *pending verification* rather than failing).
    pub fn is_transient(&self) -> bool {
        !matches!(
            self,
            RegistryError::Unauthorized | RegistryError::Protocol(_)
        )
    }
}

#[async_trait::async_trait]
pub trait Registry: Send + Sync {
    /// The birth record with this entry number, if one exists.
    async fn birth_record(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<BirthRecord>, RegistryError>;
    /// The person with this ID number, if one exists.
    async fn person(&self, id_no: &NationalIdNumber)
    -> Result<Option<PersonRecord>, RegistryError>;
    /// The person already issued an ID on this birth certificate, if any:
    /// how the portal learns that an applicant already holds an ID.
    async fn holder_of_birth_certificate(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<PersonRecord>, RegistryError>;
}

pub type SharedRegistry = Arc<dyn Registry>;
