//! What messages say: [`Message`], one kind of news for a citizen, and its
//! text in English and Kiswahili (one plain line, short enough for one SMS).
//! The outbox stores a message's [`Message::kind`] beside its rendered text;
//! logs name the kind, never the text.

use app::dates::CivilDate;
use app::i18n::Locale;

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
    /// expires: the reference is all the citizen needs.
    CardReady { reference: String, centre: String },
    /// The centre closed (or changed its hours) at the appointment's time:
    /// the appointment was moved to the earliest free time.
    BookingMovedByCentre {
        reference: String,
        centre: String,
        day: CivilDate,
        slot: u16,
    },
    /// The centre closed at the appointment's time and had no free time to
    /// move it to: book again.
    BookingCancelledByCentre { reference: String, centre: String },
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
        }
    }

    /// The text, in English or Kiswahili: one line, plain, short enough for
    /// one SMS.
    pub fn text(&self, locale: Locale) -> String {
        match (self, locale) {
            (Message::SignInCode { code }, Locale::en) => {
                format!(
                    "Your Usajili sign-in code is {code}. It is valid for 5 minutes. Never share it with anyone."
                )
            }
            (Message::SignInCode { code }, Locale::sw) => {
                format!(
                    "Nambari yako ya kuingia Usajili ni {code}. Inatumika kwa dakika 5. Usimpe mtu yeyote."
                )
            }
            (Message::ApplicationSubmitted { reference }, Locale::en) => format!(
                "Usajili: we have received your application {reference}. We will send you a message when your details have been checked."
            ),
            (Message::ApplicationSubmitted { reference }, Locale::sw) => format!(
                "Usajili: tumepokea ombi lako {reference}. Tutakutumia ujumbe maelezo yako yakishakaguliwa."
            ),
            (Message::ApplicationVerified { reference }, Locale::en) => format!(
                "Usajili: your application {reference} matches the national registry. Next, book a visit to a Huduma Centre for your fingerprints and photo."
            ),
            (Message::ApplicationVerified { reference }, Locale::sw) => format!(
                "Usajili: ombi lako {reference} linalingana na sajili ya kitaifa. Kisha, panga ziara kwenye Kituo cha Huduma kwa alama za vidole na picha."
            ),
            (Message::ApplicationNeedsAttention { reference }, Locale::en) => format!(
                "Usajili: some details in your application {reference} do not match the national registry. Sign in to correct them and send it again."
            ),
            (Message::ApplicationNeedsAttention { reference }, Locale::sw) => format!(
                "Usajili: baadhi ya maelezo ya ombi lako {reference} hayalingani na sajili ya kitaifa. Ingia uyasahihishe na utume ombi tena."
            ),
            (
                Message::BookingConfirmed {
                    reference,
                    centre,
                    day,
                    slot,
                    changed,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: {} {centre}, {}. Bring the documents on your acknowledgement.",
                if *changed { "moved to" } else { "booked at" },
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::BookingConfirmed {
                    reference,
                    centre,
                    day,
                    slot,
                    changed,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: {} {centre}, {}. Leta hati zilizo kwenye uthibitisho.",
                if *changed {
                    "imehamishwa hadi"
                } else {
                    "umepangiwa"
                },
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::BookingCancelled { reference }, Locale::en) => format!(
                "Usajili: your appointment for {reference} is cancelled. Sign in to book another time."
            ),
            (Message::BookingCancelled { reference }, Locale::sw) => format!(
                "Usajili: miadi yako ya {reference} imeghairiwa. Ingia upange wakati mwingine."
            ),
            (Message::CardReady { reference, centre }, Locale::en) => format!(
                "Usajili {reference}: your ID card is ready at {centre}. Sign in to book a time to collect it, or visit with this reference."
            ),
            (
                Message::BookingMovedByCentre {
                    reference,
                    centre,
                    day,
                    slot,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: {centre} is closed at your time. Your appointment moved to {}. Sign in to change it.",
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::BookingMovedByCentre {
                    reference,
                    centre,
                    day,
                    slot,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: {centre} kimefungwa wakati wako. Miadi yako imehamishwa hadi {}. Ingia kuibadilisha.",
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::BookingCancelledByCentre { reference, centre }, Locale::en) => format!(
                "Usajili {reference}: {centre} is closed at your appointment time and has no free time to move it to. Sign in to book another time."
            ),
            (Message::BookingCancelledByCentre { reference, centre }, Locale::sw) => format!(
                "Usajili {reference}: {centre} kimefungwa wakati wa miadi yako na hakina nafasi ya kuihamishia. Ingia upange wakati mwingine."
            ),
            (Message::CardReady { reference, centre }, Locale::sw) => format!(
                "Usajili {reference}: kitambulisho chako kiko tayari katika {centre}. Ingia upange kukichukua, au fika na kumbukumbu hii."
            ),
            (
                Message::AppointmentReminder {
                    reference,
                    centre,
                    day,
                    slot,
                    tomorrow,
                },
                Locale::en,
            ) => format!(
                "Usajili {reference}: reminder, your visit to {centre} is {} {}. Bring the documents on your acknowledgement.",
                if *tomorrow { "tomorrow," } else { "today," },
                app::calendar::appointment_label(*day, *slot, Locale::en)
            ),
            (
                Message::AppointmentReminder {
                    reference,
                    centre,
                    day,
                    slot,
                    tomorrow,
                },
                Locale::sw,
            ) => format!(
                "Usajili {reference}: ukumbusho, ziara yako {centre} ni {} {}. Leta hati zilizo kwenye uthibitisho.",
                if *tomorrow { "kesho," } else { "leo," },
                app::calendar::appointment_label(*day, *slot, Locale::sw)
            ),
            (Message::CardCollected { reference }, Locale::en) => format!(
                "Usajili {reference}: your ID card has been collected. If this was not you, visit a Huduma Centre with this reference."
            ),
            (Message::CardCollected { reference }, Locale::sw) => format!(
                "Usajili {reference}: kitambulisho chako kimechukuliwa. Kama si wewe, fika Kituo cha Huduma na kumbukumbu hii."
            ),
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
            },
            Message::BookingMovedByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
                day: CivilDate::new(2026, 12, 5).unwrap(),
                slot: 12 * 60 + 45,
            },
            Message::BookingCancelledByCentre {
                reference: "HN-7KQ2-M9XD".into(),
                centre: "Huduma Centre Elgeyo-Marakwet".into(),
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
        ]
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
