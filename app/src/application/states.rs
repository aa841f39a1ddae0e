//! Where an application stands, and why one needs the citizen's attention.

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
    /// the citizen should check, and where they can correct it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Attention {
        /// What was typed does not match the registry: the birth
        /// certificate was not found, a name or the date of birth differs,
        /// or the record cannot be used online (a death registered against
        /// it). One answer for all of them, so that the registry cannot be
        /// mined field by field. (The codes of the per-field answers this
        /// replaced were rewritten by the migration `registry_attempts`.)
        Mismatch => "registry_mismatch",
        /// The registry holds an ID card for this birth certificate already
        /// (said only once every detail matched).
        AlreadyHoldsId => "already_holds_id",
        /// Under 18 on the registry's date of birth (said only once every
        /// detail matched).
        TooYoung => "too_young",
        /// Every detail matched, but another application for this birth
        /// certificate was verified first (a certificate is held only by a
        /// verified application).
        AlreadyApplied => "already_applied",
        /// A child's application closed because the child turned 18.
        TurnedAdult => "turned_adult",
    }
}

/// Where the citizen goes to correct what needs attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// The whole of their answers, to check against their documents: never
    /// the one field at fault, which would tell which one it is.
    CheckAnswers,
}

impl Attention {
    /// Where to correct it, if correcting can help. Only a mismatch can be
    /// corrected: every other answer came once every detail matched, so
    /// sending the same application again cannot change it.
    pub fn fix(self) -> Option<Fix> {
        match self {
            Self::Mismatch => Some(Fix::CheckAnswers),
            Self::TooYoung | Self::AlreadyHoldsId | Self::AlreadyApplied | Self::TurnedAdult => {
                None
            }
        }
    }

    /// A closed outcome: nothing the citizen changes or sends again helps,
    /// so the page says only what is true and what to do instead.
    pub fn is_final(self) -> bool {
        self.fix().is_none()
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

    #[test]
    fn only_a_mismatch_is_open_to_correction() {
        for attention in Attention::ALL {
            assert_eq!(attention.is_final(), attention != Attention::Mismatch);
        }
    }

    #[test]
    fn a_mismatch_leads_to_the_whole_answers_and_never_to_one_field() {
        assert_eq!(Attention::Mismatch.fix(), Some(Fix::CheckAnswers));
        for old in [
            "surname",
            "given_names",
            "date_of_birth",
            "birth_certificate_not_found",
            "cannot_verify_online",
        ] {
            assert_eq!(Attention::from_code(old), None, "{old} is rewritten");
        }
    }
}
