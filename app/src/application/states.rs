//! Where an application stands, and why one needs the citizen's attention.

use super::{Task, fields};
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// Where an application stands (`applications.state`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ApplicationState {
        Draft => "draft",
        Submitted => "submitted",
        PendingVerification => "pending_verification",
        NeedsAttention => "needs_attention",
        Verified => "verified",
        Booked => "booked",
        CheckedIn => "checked_in",
        BiometricsCaptured => "biometrics_captured",
        CardReady => "card_ready",
        Collected => "collected",
        Cancelled => "cancelled",
        Expired => "expired",
        /// A guardian's application for a child, waiting for a centre
        /// supervisor to check the guardianship document.
        GuardianshipReview => "guardianship_review",
    }
}

impl ApplicationState {
    /// The citizen may change answers (and then submit) only in these.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::NeedsAttention)
    }

    /// Counts towards "one active application" and the per-account limit.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Cancelled | Self::Expired | Self::Collected)
    }
}

crate::coded_enum! {
    /// Why an application needs attention (`applications.attention`): what
    /// the citizen should check, and the task and field where they can
    /// correct it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Attention {
        Surname => "surname",
        GivenNames => "given_names",
        DateOfBirth => "date_of_birth",
        BirthCertificateNotFound => "birth_certificate_not_found",
        /// The registry holds an ID card for this birth certificate already.
        AlreadyHoldsId => "already_holds_id",
        /// The record cannot be used online (the reason is not shown): the
        /// citizen is asked to visit a centre with their documents.
        CannotVerifyOnline => "cannot_verify_online",
        /// Under 18 on the registry's date of birth.
        TooYoung => "too_young",
        /// A child's application closed because the child turned 18.
        TurnedAdult => "turned_adult",
    }
}

impl Attention {
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
