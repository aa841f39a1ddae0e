//! Where an application stands, and why one needs the citizen's attention.

use super::{Task, fields};
use serde::{Deserialize, Serialize};

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicationState {
    Draft,
    Submitted,
    PendingVerification,
    NeedsAttention,
    Verified,
    Booked,
    CheckedIn,
    BiometricsCaptured,
    CardReady,
    Collected,
    Cancelled,
    Expired,
    /// A guardian's application for a child, waiting for a centre
    /// supervisor to check the guardianship document.
    GuardianshipReview,
}

impl ApplicationState {
    pub const ALL: [ApplicationState; 13] = [
        Self::Draft,
        Self::Submitted,
        Self::PendingVerification,
        Self::NeedsAttention,
        Self::Verified,
        Self::Booked,
        Self::CheckedIn,
        Self::BiometricsCaptured,
        Self::CardReady,
        Self::Collected,
        Self::Cancelled,
        Self::Expired,
        Self::GuardianshipReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::PendingVerification => "pending_verification",
            Self::NeedsAttention => "needs_attention",
            Self::Verified => "verified",
            Self::Booked => "booked",
            Self::CheckedIn => "checked_in",
            Self::BiometricsCaptured => "biometrics_captured",
            Self::CardReady => "card_ready",
            Self::Collected => "collected",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::GuardianshipReview => "guardianship_review",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The citizen may change answers (and then submit) only in these.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::NeedsAttention)
    }

    /// Counts towards "one active application" and the per-account limit.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Cancelled | Self::Expired | Self::Collected)
    }
}

/// Why an application needs attention: what the citizen should check, and
/// the task and field where they can correct it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attention {
    Surname,
    GivenNames,
    DateOfBirth,
    BirthCertificateNotFound,
    /// The registry holds an ID card for this birth certificate already.
    AlreadyHoldsId,
    /// The record cannot be used online (the reason is not shown): the
    /// citizen is asked to visit a centre with their documents.
    CannotVerifyOnline,
    /// Under 18 on the registry's date of birth.
    TooYoung,
    /// A child's application closed because the child turned 18.
    TurnedAdult,
}

impl Attention {
    pub fn code(self) -> &'static str {
        match self {
            Self::Surname => "surname",
            Self::GivenNames => "given_names",
            Self::DateOfBirth => "date_of_birth",
            Self::BirthCertificateNotFound => "birth_certificate_not_found",
            Self::AlreadyHoldsId => "already_holds_id",
            Self::CannotVerifyOnline => "cannot_verify_online",
            Self::TooYoung => "too_young",
            Self::TurnedAdult => "turned_adult",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Surname,
            Self::GivenNames,
            Self::DateOfBirth,
            Self::BirthCertificateNotFound,
            Self::AlreadyHoldsId,
            Self::CannotVerifyOnline,
            Self::TooYoung,
            Self::TurnedAdult,
        ]
        .into_iter()
        .find(|a| a.code() == code)
    }

    /// The task and the field to correct, if correcting can help.
    pub fn fix(self) -> Option<(Task, &'static str)> {
        match self {
            Self::Surname => Some((Task::AboutYou, fields::SURNAME)),
            Self::GivenNames => Some((Task::AboutYou, fields::GIVEN_NAMES)),
            Self::DateOfBirth | Self::TooYoung => Some((Task::AboutYou, fields::DOB_DAY)),
            Self::BirthCertificateNotFound => {
                Some((Task::BirthCertificate, fields::BIRTH_CERTIFICATE))
            }
            Self::AlreadyHoldsId | Self::CannotVerifyOnline | Self::TurnedAdult => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_round_trip() {
        for state in ApplicationState::ALL {
            assert_eq!(ApplicationState::from_code(state.code()), Some(state));
        }
    }
}
