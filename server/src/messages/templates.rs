//! What messages say: [`Message`], one kind of news for a citizen, and its
//! text in English and Kiswahili (one plain line, short enough for one SMS).
//! The outbox stores a message's [`Message::kind`] beside its rendered text;
//! logs name the kind, never the text.

use app::dates::CivilDate;
use app::i18n::{Locale, td_string};

/// [`Message::kind`] of a sign-in code, whose text is never kept once it
/// is sent or given up.
pub(super) const SIGN_IN_CODE: &str = "sign_in_code";

/// What a message says. Its `Debug` shows only its kind.
#[derive(Clone, PartialEq, Eq)]
pub enum Message {
    /// A one-time sign-in code (six digits).
    SignInCode { code: String },
    /// An application was submitted and waits for the registry.
    ApplicationSubmitted { reference: String },
    /// An application's details match the registry.
    ApplicationVerified { reference: String },
    /// An application's details do not match the registry.
    ApplicationNeedsAttention { reference: String },
    /// An appointment was booked (`changed`: moved from another slot).
    BookingConfirmed {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
        changed: bool,
    },
    /// An appointment was cancelled.
    BookingCancelled { reference: String },
    /// The card is ready at a centre: book a time to collect it. Never
    /// expires: the reference is all the citizen needs. Like every message
    /// that asks the citizen to act, it names the web address and, when
    /// one is set (`USAJILI_USSD_CODE`), the USSD code (`ussd_code`).
    CardReady {
        reference: String,
        centre: String,
        ussd_code: Option<String>,
    },
    /// The centre closed (or changed its hours) at the appointment's time:
    /// the appointment was moved to the earliest free time.
    BookingMovedByCentre {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
        ussd_code: Option<String>,
    },
    /// The centre closed at the appointment's time and had no free time to
    /// move it to: book again.
    BookingCancelledByCentre {
        reference: String,
        centre: String,
        ussd_code: Option<String>,
    },
    /// The privacy notice a USSD pre-registration agreed to, in full, as
    /// a link (a screen holds only its summary).
    PrivacyNotice,
    /// A reminder of an appointment: the evening before (`tomorrow`) or on
    /// the morning of the day.
    AppointmentReminder {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
        tomorrow: bool,
    },
    /// The card was handed over at the centre.
    CardCollected { reference: String },
    /// To a member of staff: an authenticator app was set up on their
    /// account.
    StaffAuthenticatorEnrolled,
    /// To a member of staff: their authenticator was reset; they set one up
    /// again at their next sign-in.
    StaffAuthenticatorReset,
    /// To a member of staff: a new (temporary) password was set on their
    /// account.
    StaffPasswordSet,
    /// The answer to a citizen's text to the short code (`sms_inbound`),
    /// its words from the locale files.
    SmsReply { text: String },
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({})", self.kind())
    }
}

impl Message {
    /// The kind, as stored and logged: names the message, never its content.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::SignInCode { .. } => SIGN_IN_CODE,
            Message::ApplicationSubmitted { .. } => "application_submitted",
            Message::ApplicationVerified { .. } => "application_verified",
            Message::ApplicationNeedsAttention { .. } => "application_needs_attention",
            Message::BookingConfirmed { changed: false, .. } => "booking_confirmed",
            Message::BookingConfirmed { changed: true, .. } => "booking_changed",
            Message::BookingCancelled { .. } => "booking_cancelled",
            Message::CardReady { .. } => "card_ready",
            Message::BookingMovedByCentre { .. } => "booking_moved_by_centre",
            Message::BookingCancelledByCentre { .. } => "booking_cancelled_by_centre",
            Message::AppointmentReminder { tomorrow: true, .. } => "reminder_day_before",
            Message::AppointmentReminder {
                tomorrow: false, ..
            } => "reminder_morning",
            Message::CardCollected { .. } => "card_collected",
            Message::StaffAuthenticatorEnrolled => "staff_authenticator_enrolled",
            Message::StaffAuthenticatorReset => "staff_authenticator_reset",
            Message::SmsReply { .. } => "sms_reply",
            Message::PrivacyNotice => "privacy_notice",
            Message::StaffPasswordSet => "staff_password_set",
        }
    }

    /// The text, in English or Kiswahili: one line, plain, short enough for
    /// one SMS. The wording is in the locale files (`messages.<kind>`), as
    /// the pages' is; `{reference}`, `{centre}`, `{when}` and `{code}` in
    /// it are filled in here.
    pub fn text(&self, locale: Locale) -> String {
        let template = match self {
            Message::SignInCode { .. } => td_string!(locale, messages.sign_in_code),
            Message::ApplicationSubmitted { .. } => {
                td_string!(locale, messages.application_submitted)
            }
            Message::ApplicationVerified { .. } => {
                td_string!(locale, messages.application_verified)
            }
            Message::ApplicationNeedsAttention { .. } => {
                td_string!(locale, messages.application_needs_attention)
            }
            Message::BookingConfirmed { changed: false, .. } => {
                td_string!(locale, messages.booking_confirmed)
            }
            Message::BookingConfirmed { changed: true, .. } => {
                td_string!(locale, messages.booking_changed)
            }
            Message::BookingCancelled { .. } => td_string!(locale, messages.booking_cancelled),
            Message::CardReady { .. } => td_string!(locale, messages.card_ready),
            Message::BookingMovedByCentre { .. } => {
                td_string!(locale, messages.booking_moved_by_centre)
            }
            Message::BookingCancelledByCentre { .. } => {
                td_string!(locale, messages.booking_cancelled_by_centre)
            }
            Message::AppointmentReminder { tomorrow: true, .. } => {
                td_string!(locale, messages.reminder_day_before)
            }
            Message::AppointmentReminder {
                tomorrow: false, ..
            } => td_string!(locale, messages.reminder_morning),
            Message::CardCollected { .. } => td_string!(locale, messages.card_collected),
            Message::StaffAuthenticatorEnrolled => {
                td_string!(locale, messages.staff_authenticator_enrolled)
            }
            Message::StaffAuthenticatorReset => {
                td_string!(locale, messages.staff_authenticator_reset)
            }
            Message::StaffPasswordSet => td_string!(locale, messages.staff_password_set),
            Message::SmsReply { .. } => td_string!(locale, messages.sms_reply),
            Message::PrivacyNotice => td_string!(locale, messages.privacy_notice),
        };
        let mut text = template.to_string();
        for (name, value) in self.values(locale) {
            text = text.replace(&format!("{{{name}}}"), &value);
        }
        text
    }

    /// What the placeholders of the text stand for.
    fn values(&self, locale: Locale) -> Vec<(&'static str, String)> {
        let when =
            |day: &CivilDate, slot: &u16| app::calendar::appointment_label(*day, *slot, locale);
        // ` or dial *384*4321#`, or nothing without a code.
        let dial = |code: &Option<String>| match code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => {
                td_string!(locale, messages.dial).replace("{code}", code)
            }
            _ => String::new(),
        };
        match self {
            Message::SignInCode { code } => vec![("code", code.clone())],
            Message::ApplicationSubmitted { reference }
            | Message::ApplicationVerified { reference }
            | Message::ApplicationNeedsAttention { reference }
            | Message::BookingCancelled { reference }
            | Message::CardCollected { reference } => vec![("reference", reference.clone())],
            Message::StaffAuthenticatorEnrolled
            | Message::StaffAuthenticatorReset
            | Message::StaffPasswordSet
            | Message::PrivacyNotice => Vec::new(),
            Message::SmsReply { text } => vec![("text", text.clone())],
            Message::CardReady {
                reference,
                centre,
                ussd_code,
            }
            | Message::BookingCancelledByCentre {
                reference,
                centre,
                ussd_code,
            } => vec![
                ("reference", reference.clone()),
                ("centre", centre.clone()),
                ("dial", dial(ussd_code)),
            ],
            Message::BookingMovedByCentre {
                reference,
                centre,
                day,
                slot,
                ussd_code,
            } => vec![
                ("reference", reference.clone()),
                ("centre", centre.clone()),
                ("when", when(day, slot)),
                ("dial", dial(ussd_code)),
            ],
            Message::BookingConfirmed {
                reference,
                centre,
                day,
                slot,
                ..
            }
            | Message::AppointmentReminder {
                reference,
                centre,
                day,
                slot,
                ..
            } => vec![
                ("reference", reference.clone()),
                ("centre", centre.clone()),
                ("when", when(day, slot)),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_message() -> Vec<Message> {
        vec![
            Message::SignInCode {
                code: "123456".into(),
            },
            Message::ApplicationSubmitted {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::ApplicationVerified {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::ApplicationNeedsAttention {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::BookingConfirmed {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 5).unwrap(),
                slot: 12 * 60 + 45,
                changed: true,
            },
            Message::BookingCancelled {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::CardReady {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                ussd_code: Some(CODE.into()),
            },
            Message::BookingMovedByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 5).unwrap(),
                slot: 12 * 60 + 45,
                ussd_code: Some(CODE.into()),
            },
            Message::BookingCancelledByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                ussd_code: Some(CODE.into()),
            },
            Message::AppointmentReminder {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 2).unwrap(),
                slot: 12 * 60 + 45,
                tomorrow: true,
            },
            Message::AppointmentReminder {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 2).unwrap(),
                slot: 12 * 60 + 45,
                tomorrow: false,
            },
            Message::CardCollected {
                reference: "HN-7KQ2-M9XD".into(),
            },
            Message::StaffAuthenticatorEnrolled,
            Message::StaffAuthenticatorReset,
            Message::StaffPasswordSet,
            Message::SmsReply {
                text: "HN-7KQ2-M9XD: Visit booked".into(),
            },
            Message::PrivacyNotice,
        ]
    }

    /// A USSD code as long as the setting's example.
    const CODE: &str = "*384*4321#";

    #[test]
    fn messages_asking_to_act_name_the_web_address_and_the_ussd_code_when_set() {
        let asking = |code: Option<&str>| {
            let ussd_code = code.map(str::to_string);
            vec![
                Message::CardReady {
                    reference: "HN-7KQ2-M9XD".into(),
                    centre: "Huduma Centre Elgeyo-Marakwet".into(),
                    ussd_code: ussd_code.clone(),
                },
                Message::BookingMovedByCentre {
                    reference: "HN-7KQ2-M9XD".into(),
                    centre: "Huduma Centre Elgeyo-Marakwet".into(),
                    day: CivilDate::new(2026, 12, 5).unwrap(),
                    slot: 12 * 60 + 45,
                    ussd_code: ussd_code.clone(),
                },
                Message::BookingCancelledByCentre {
                    reference: "HN-7KQ2-M9XD".into(),
                    centre: "Huduma Centre Elgeyo-Marakwet".into(),
                    ussd_code,
                },
            ]
        };
        for locale in [Locale::en, Locale::sw] {
            for message in asking(Some(CODE)) {
                let text = message.text(locale);
                assert!(text.contains("usajili.go.ke"), "{text}");
                assert!(text.contains(CODE), "{text}");
                assert!(!text.contains('{'), "{text}");
            }
            for code in [None, Some(""), Some("  ")] {
                for message in asking(code) {
                    let text = message.text(locale);
                    assert!(text.contains("usajili.go.ke"), "{text}");
                    assert!(!text.contains("dial") && !text.contains("piga"), "{text}");
                    assert!(!text.contains('{') && !text.contains(" ."), "{text}");
                }
            }
        }
    }

    #[test]
    fn every_text_carries_its_code_or_reference_in_both_languages() {
        for message in every_message() {
            let needle = match &message {
                Message::SignInCode { code } => code.clone(),
                Message::ApplicationSubmitted { reference }
                | Message::ApplicationVerified { reference }
                | Message::ApplicationNeedsAttention { reference }
                | Message::BookingConfirmed { reference, .. }
                | Message::BookingCancelled { reference }
                | Message::CardReady { reference, .. }
                | Message::BookingMovedByCentre { reference, .. }
                | Message::BookingCancelledByCentre { reference, .. }
                | Message::AppointmentReminder { reference, .. }
                | Message::CardCollected { reference } => reference.clone(),
                Message::StaffAuthenticatorEnrolled
                | Message::StaffAuthenticatorReset
                | Message::StaffPasswordSet => "Usajili".to_string(),
                Message::PrivacyNotice => "usajili.go.ke/privacy".to_string(),
                Message::SmsReply { text } => text.clone(),
            };
            let (en, sw) = (message.text(Locale::en), message.text(Locale::sw));
            assert_ne!(en, sw, "{message:?}");
            for text in [en, sw] {
                assert!(text.contains(&needle), "{text}");
                assert!(
                    text.len() <= 160,
                    "longer than one SMS ({} characters): {text}",
                    text.len()
                );
                assert!(
                    text.is_ascii() && !text.contains('\n'),
                    "plain, one line: {text}"
                );
            }
        }
    }

    #[test]
    fn the_sign_in_code_text_says_how_long_it_lasts_and_not_to_share_it() {
        let message = Message::SignInCode {
            code: "123456".into(),
        };
        assert_eq!(
            message.text(Locale::en),
            "Your Usajili sign-in code is 123456. It is valid for 5 minutes. Never share it with anyone."
        );
        assert_eq!(
            message.text(Locale::sw),
            "Nambari yako ya kuingia Usajili ni 123456. Inatumika kwa dakika 5. Usimpe mtu yeyote."
        );
    }

    #[test]
    fn kinds_are_distinct_and_debug_shows_nothing_personal() {
        let kinds: std::collections::HashSet<_> =
            every_message().iter().map(Message::kind).collect();
        assert_eq!(kinds.len(), every_message().len());
        let shown = format!(
            "{:?}",
            Message::SignInCode {
                code: "123456".into()
            }
        );
        assert_eq!(shown, "Message(sign_in_code)");
    }
}
