//! An application's state and appointment as a person reads them, shown
//! on the applications' pages and the children's alike.

use crate::application::ApplicationState;
use crate::i18n::*;

/// A live appointment: its day, time and centre.
#[derive(Clone, Debug)]
pub struct Appointment {
    pub day: crate::dates::CivilDate,
    pub slot: u16,
    pub centre: String,
}

/// The state's name, as the status tag and the summary show it.
pub fn state_label(locale: Locale, state: ApplicationState) -> &'static str {
    use ApplicationState::*;
    match state {
        Draft => td_string!(locale, status.draft),
        Submitted => td_string!(locale, status.submitted),
        PendingVerification => td_string!(locale, status.pending_verification),
        NeedsAttention => td_string!(locale, status.needs_attention),
        Verified => td_string!(locale, status.verified),
        Booked => td_string!(locale, status.booked),
        CheckedIn => td_string!(locale, status.checked_in),
        BiometricsCaptured => td_string!(locale, status.biometrics_captured),
        CardReady => td_string!(locale, status.card_ready),
        Collected => td_string!(locale, status.collected),
        Cancelled => td_string!(locale, status.cancelled),
        Expired => td_string!(locale, status.expired),
        GuardianshipReview => td_string!(locale, status.guardianship_review),
    }
}
