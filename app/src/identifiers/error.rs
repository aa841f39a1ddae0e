//! What is wrong with a field, as a key rather than a sentence: the page
//! decides the language when it shows the message, and logs and tests get a
//! stable id that never changes with the wording.

use crate::i18n::*;
use serde::{Deserialize, Serialize};

/// Declares `FieldError` from one list, `Variant => group.leaf`: the key is
/// `"group.leaf"` and the message is `field_errors.group.leaf` in the locale
/// files, so a variant, its key, its message and `ALL` cannot drift apart.
macro_rules! field_errors {
    ($($(#[$doc:meta])* $variant:ident => $group:ident . $leaf:ident,)+) => {
        /// One problem with one field. Each variant has a message under
        /// `field_errors` in the locale files that tells the person what to do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum FieldError {
            $($(#[$doc])* $variant,)+
        }

        impl FieldError {
            /// Every variant, in declaration order.
            pub const ALL: &'static [FieldError] = &[$(Self::$variant),+];

            /// A stable id, the same as the message's path under `field_errors`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!(stringify!($group), ".", stringify!($leaf)),)+
                }
            }

            /// What the person reads, in their language.
            pub fn message(self, locale: Locale) -> &'static str {
                match self {
                    $(Self::$variant => td_string!(locale, field_errors.$group.$leaf),)+
                }
            }
        }
    };
}

field_errors! {
    NationalIdMissing => national_id.missing,
    NationalIdFormat => national_id.format,
    BirthCertificateMissing => birth_certificate.missing,
    BirthCertificateFormat => birth_certificate.format,
    /// Another application holds this birth certificate (told whoever
    /// asks, in the same words at the task and at the declaration, and
    /// counted against the registry's tries).
    BirthCertificateInUse => birth_certificate.in_use,
    KraPinMissing => kra_pin.missing,
    KraPinFormat => kra_pin.format,
    /// A well-formed PIN that starts with P belongs to a company, not a person.
    KraPinCompany => kra_pin.company,
    PhoneMissing => phone.missing,
    PhoneFormat => phone.format,
    /// A real Kenyan number, but a landline or a service number: it cannot
    /// receive the text messages the service sends.
    PhoneNotMobile => phone.not_mobile,
    PhoneNotKenyan => phone.not_kenyan,
    EmailMissing => email.missing,
    EmailFormat => email.format,
    EmailTooLong => email.too_long,
    PassportMissing => passport.missing,
    PassportFormat => passport.format,
    NhifMissing => nhif.missing,
    NhifFormat => nhif.format,
    NssfMissing => nssf.missing,
    NssfFormat => nssf.format,
    PostalCodeMissing => postal_code.missing,
    PostalCodeFormat => postal_code.format,
    CountyMissing => county.missing,
    CountyUnknown => county.unknown,
    NameMissing => name.missing,
    NameTooLong => name.too_long,
    NameCharacters => name.characters,
    /// Starts or ends with a hyphen or an apostrophe.
    NameEdges => name.edges,
    DateOfBirthInvalid => date_of_birth.invalid,
    DateOfBirthInFuture => date_of_birth.future,
    DateOfBirthTooEarly => date_of_birth.too_early,
    SexMissing => sex.missing,
    LocationMissing => location.missing,
    LocationTooLong => location.too_long,
    LocationCharacters => location.characters,
    LanguageMissing => language.missing,
    ParentStatusMissing => parent.missing,
    ContactMissing => contact.missing,
    CodeMissing => code.missing,
    CodeFormat => code.format,
    CodeWrong => code.wrong,
    CodeExpired => code.expired,
    DeclarationMissing => declaration.missing,
    PhotoMissing => photo.missing,
    PhotoTooLarge => photo.too_large,
    PhotoNotAnImage => photo.not_an_image,
    PhotoUnreadable => photo.unreadable,
    PhotoTooSmall => photo.too_small,
    PhotoBusy => photo.busy,
    ReferenceMissing => reference.missing,
    ReferenceFormat => reference.format,
    ReferenceCheck => reference.check,
    SignInTooMany => sign_in.too_many,
    SignInTooManyHere => sign_in.too_many_here,
    /// The contact's sign-in codes for the day are used up.
    SignInCodesToday => sign_in.codes_today,
    /// The contact's wrong tries for the day are used up.
    SignInTriesToday => sign_in.tries_today,
    SlotMissing => slot.missing,
    SlotFull => slot.full,
    SlotFamilyFull => slot.family_full,
    SlotTooSoon => slot.too_soon,
    SlotBeyondHorizon => slot.beyond_horizon,
    SlotClosed => slot.closed,
    SlotNotOffered => slot.not_offered,
    SlotTooLate => slot.too_late,
    SlotNotEligible => slot.not_eligible,
    SlotBusy => slot.busy,
    /// What was typed does not match the registry, whichever detail it is
    /// (or the record cannot be used online): one answer for every case,
    /// so that the registry cannot be mined field by field.
    RegistryMismatch => registry.mismatch,
    /// This account has proven an ID already (the registry is not asked).
    IdentityAlreadyProven => identity.already_proven,
    IdentityTaken => identity.taken,
    RegistryDown => identity.registry_down,
    ChildTooYoung => child.too_young,
    ChildAdult => child.adult,
    ChildOtherParents => child.other_parents,
    ChildNoParentIds => child.no_parent_ids,
    ChildTaken => child.taken,
    ChildTooMany => child.too_many,
    RelationshipMissing => child.relationship_missing,
    GuardianReferenceMissing => guardian.reference_missing,
    GuardianReferenceFormat => guardian.reference_format,
    GuardianDocumentMissing => guardian.document_missing,
    GuardianDocumentTooLarge => guardian.document_too_large,
    GuardianDocumentType => guardian.document_type,
    ConsentMissing => declaration.consent_missing,
    StaffSignInWrong => staff.sign_in_wrong,
    StaffLocked => staff.locked,
    StaffTooMany => staff.too_many,
    StaffPasswordMissing => staff.password_missing,
    /// A new staff password shorter than 12 characters.
    StaffPasswordShort => staff.password_short,
    /// A new staff password on the common-passwords list.
    StaffPasswordCommon => staff.password_common,
    /// The new password and its repetition differ.
    StaffPasswordsDiffer => staff.passwords_differ,
    /// An officer or supervisor without a centre, or an administrator with one.
    StaffCentreNeeded => staff.centre_needed,
    /// An administrator acting on their own account from the accounts list.
    StaffOwnAccount => staff.own_account,
    TotpWrong => staff.totp_wrong,
    CheckInUnknown => staff.check_in_unknown,
    CheckInWrongCentre => staff.check_in_wrong_centre,
    CheckInWrongDay => staff.check_in_wrong_day,
    CheckInCancelled => staff.check_in_cancelled,
    CheckInNoShow => staff.check_in_no_show,
    NoteMissing => staff.note_missing,
    NoteTooLong => staff.note_too_long,
    ReviewDecisionMissing => staff.review_decision_missing,
    ReviewReasonMissing => staff.review_reason_missing,
    CollectorIdWrong => staff.collector_id_wrong,
    ActionRefused => staff.action_refused,
    CardsMissing => staff.cards_missing,
    CountersRange => staff.counters_range,
    SlotMinutesRange => staff.slot_minutes_range,
    HorizonRange => staff.horizon_range,
    ClockFormat => staff.clock_format,
    HoursHalf => staff.hours_half,
    HoursOrder => staff.hours_order,
    ClosureDay => staff.closure_day,
    ClosureDayPast => staff.closure_day_past,
    ClosureSpan => staff.closure_span,
    ClosureOrder => staff.closure_order,
    ClosureReasonMissing => staff.closure_reason_missing,
    ClosureReasonTooLong => staff.closure_reason_too_long,
    /// No account holds the ID number a supervisor asked to free.
    IdentityNotBound => staff.identities_not_bound,
    /// Freeing needs the ID number.
    IdentityNumberNeeded => staff.identities_id_needed,
    /// Neither an ID number nor a birth certificate number.
    IdentifierMissing => staff.identities_nothing,
}

/// The key, not a sentence in some language: this is what serde and logs show.
impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl std::error::Error for FieldError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_error_has_its_own_key() {
        let keys: HashSet<_> = FieldError::ALL.iter().map(|e| e.key()).collect();
        assert_eq!(keys.len(), FieldError::ALL.len());
    }

    #[test]
    fn every_error_has_a_message_in_english_and_in_kiswahili() {
        for &error in FieldError::ALL {
            let (en, sw) = (error.message(Locale::en), error.message(Locale::sw));
            assert!(!en.is_empty() && !sw.is_empty(), "{error}");
            assert_ne!(en, sw, "{error} is not translated");
        }
    }

    #[test]
    fn the_locale_files_hold_a_message_for_every_error_and_no_other() {
        let ours: HashSet<_> = FieldError::ALL
            .iter()
            .map(|e| e.key().to_string())
            .collect();
        for (name, json) in [
            ("en", include_str!("../../locales/en.json")),
            ("sw", include_str!("../../locales/sw.json")),
        ] {
            let locale: serde_json::Value = serde_json::from_str(json).unwrap();
            let theirs: HashSet<_> = locale["field_errors"]
                .as_object()
                .unwrap()
                .iter()
                .flat_map(|(group, leaves)| {
                    leaves
                        .as_object()
                        .unwrap()
                        .keys()
                        .map(move |leaf| format!("{group}.{leaf}"))
                })
                .collect();
            assert_eq!(theirs, ours, "{name}");
        }
    }

    #[test]
    fn a_key_names_the_group_and_the_leaf_of_its_message() {
        assert_eq!(FieldError::PhoneNotMobile.key(), "phone.not_mobile");
        assert_eq!(FieldError::RegistryDown.key(), "identity.registry_down");
        assert_eq!(
            FieldError::ConsentMissing.key(),
            "declaration.consent_missing"
        );
    }

    #[test]
    fn messages_are_distinct_within_a_language() {
        for locale in [Locale::en, Locale::sw] {
            let messages: HashSet<_> = FieldError::ALL.iter().map(|e| e.message(locale)).collect();
            assert_eq!(messages.len(), FieldError::ALL.len(), "{locale:?}");
        }
    }

    #[test]
    fn an_error_displays_as_its_key_not_as_english() {
        assert_eq!(
            FieldError::NationalIdFormat.to_string(),
            "national_id.format"
        );
        assert_eq!(FieldError::KraPinCompany.key(), "kra_pin.company");
    }

    #[test]
    fn an_error_survives_a_trip_through_json() {
        for &error in FieldError::ALL {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<FieldError>(&json).unwrap(), error);
        }
    }

    #[test]
    fn the_english_national_id_message_says_what_to_do() {
        assert_eq!(
            FieldError::NationalIdFormat.message(Locale::en),
            "Enter your ID number as 7 or 8 digits, for example 12345678."
        );
    }
}
