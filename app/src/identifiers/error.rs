//! What is wrong with a field, as a key rather than a sentence: the page
//! decides the language when it shows the message, and logs and tests get a
//! stable id that never changes with the wording.

use crate::i18n::*;
use serde::{Deserialize, Serialize};

/// One problem with one field. Each variant has a message under
/// `field_errors` in the locale files that tells the person what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldError {
    NationalIdMissing,
    NationalIdFormat,
    BirthCertificateMissing,
    BirthCertificateFormat,
    KraPinMissing,
    KraPinFormat,
    /// A well-formed PIN that starts with P belongs to a company, not a person.
    KraPinCompany,
    PhoneMissing,
    PhoneFormat,
    /// A real Kenyan number, but a landline or a service number: it cannot
    /// receive the text messages the service sends.
    PhoneNotMobile,
    PhoneNotKenyan,
    EmailMissing,
    EmailFormat,
    EmailTooLong,
    PassportMissing,
    PassportFormat,
    NhifMissing,
    NhifFormat,
    NssfMissing,
    NssfFormat,
    PostalCodeMissing,
    PostalCodeFormat,
    CountyMissing,
    CountyUnknown,
    NameMissing,
    NameTooLong,
    NameCharacters,
    /// Starts or ends with a hyphen or an apostrophe.
    NameEdges,
    DateOfBirthInvalid,
    DateOfBirthInFuture,
    DateOfBirthTooEarly,
    SexMissing,
    LocationMissing,
    LocationTooLong,
    LocationCharacters,
    LanguageMissing,
    ParentStatusMissing,
    ContactMissing,
    CodeMissing,
    CodeFormat,
    CodeWrong,
    CodeExpired,
    DeclarationMissing,
    PhotoMissing,
    PhotoTooLarge,
    PhotoNotAnImage,
    PhotoUnreadable,
    PhotoTooSmall,
    ReferenceMissing,
    ReferenceFormat,
    ReferenceCheck,
    SignInTooMany,
    SignInTooManyHere,
    SlotMissing,
    SlotFull,
    SlotFamilyFull,
    SlotTooSoon,
    SlotBeyondHorizon,
    SlotClosed,
    SlotNotOffered,
    SlotTooLate,
    SlotNotEligible,
    SlotBusy,
    IdentityNotFound,
    IdentityNamesDiffer,
    IdentityDateOfBirthDiffers,
    IdentityCannotVerify,
    IdentityTaken,
    RegistryDown,
    ChildNotFound,
    ChildNamesDiffer,
    ChildCannotRegister,
    ChildTooYoung,
    ChildAdult,
    ChildOtherParents,
    ChildNoParentIds,
    ChildTaken,
    ChildTooMany,
    RelationshipMissing,
    GuardianReferenceMissing,
    GuardianReferenceFormat,
    GuardianDocumentMissing,
    GuardianDocumentTooLarge,
    GuardianDocumentType,
    ConsentMissing,
    StaffSignInWrong,
    StaffLocked,
    StaffTooMany,
    StaffPasswordMissing,
    TotpWrong,
    CheckInUnknown,
    CheckInWrongCentre,
    CheckInWrongDay,
    CheckInCancelled,
    CheckInNoShow,
    NoteMissing,
    NoteTooLong,
    ReviewDecisionMissing,
    ReviewReasonMissing,
    CollectorIdWrong,
    ActionRefused,
    CardsMissing,
    CountersRange,
    SlotMinutesRange,
    HorizonRange,
    ClockFormat,
    HoursHalf,
    HoursOrder,
    ClosureDay,
    ClosureDayPast,
    ClosureSpan,
    ClosureOrder,
    ClosureReasonMissing,
    ClosureReasonTooLong,
}

impl FieldError {
    /// A stable id, the same as the message's path under `field_errors`.
    pub fn key(self) -> &'static str {
        match self {
            Self::NationalIdMissing => "national_id.missing",
            Self::NationalIdFormat => "national_id.format",
            Self::BirthCertificateMissing => "birth_certificate.missing",
            Self::BirthCertificateFormat => "birth_certificate.format",
            Self::KraPinMissing => "kra_pin.missing",
            Self::KraPinFormat => "kra_pin.format",
            Self::KraPinCompany => "kra_pin.company",
            Self::PhoneMissing => "phone.missing",
            Self::PhoneFormat => "phone.format",
            Self::PhoneNotMobile => "phone.not_mobile",
            Self::PhoneNotKenyan => "phone.not_kenyan",
            Self::EmailMissing => "email.missing",
            Self::EmailFormat => "email.format",
            Self::EmailTooLong => "email.too_long",
            Self::PassportMissing => "passport.missing",
            Self::PassportFormat => "passport.format",
            Self::NhifMissing => "nhif.missing",
            Self::NhifFormat => "nhif.format",
            Self::NssfMissing => "nssf.missing",
            Self::NssfFormat => "nssf.format",
            Self::PostalCodeMissing => "postal_code.missing",
            Self::PostalCodeFormat => "postal_code.format",
            Self::CountyMissing => "county.missing",
            Self::CountyUnknown => "county.unknown",
            Self::NameMissing => "name.missing",
            Self::NameTooLong => "name.too_long",
            Self::NameCharacters => "name.characters",
            Self::NameEdges => "name.edges",
            Self::DateOfBirthInvalid => "date_of_birth.invalid",
            Self::DateOfBirthInFuture => "date_of_birth.future",
            Self::DateOfBirthTooEarly => "date_of_birth.too_early",
            Self::SexMissing => "sex.missing",
            Self::LocationMissing => "location.missing",
            Self::LocationTooLong => "location.too_long",
            Self::LocationCharacters => "location.characters",
            Self::LanguageMissing => "language.missing",
            Self::ParentStatusMissing => "parent.missing",
            Self::ContactMissing => "contact.missing",
            Self::CodeMissing => "code.missing",
            Self::CodeFormat => "code.format",
            Self::CodeWrong => "code.wrong",
            Self::CodeExpired => "code.expired",
            Self::DeclarationMissing => "declaration.missing",
            Self::PhotoMissing => "photo.missing",
            Self::PhotoTooLarge => "photo.too_large",
            Self::PhotoNotAnImage => "photo.not_an_image",
            Self::PhotoUnreadable => "photo.unreadable",
            Self::PhotoTooSmall => "photo.too_small",
            Self::ReferenceMissing => "reference.missing",
            Self::ReferenceFormat => "reference.format",
            Self::ReferenceCheck => "reference.check",
            Self::SignInTooMany => "sign_in.too_many",
            Self::SignInTooManyHere => "sign_in.too_many_here",
            Self::SlotMissing => "slot.missing",
            Self::SlotFull => "slot.full",
            Self::SlotFamilyFull => "slot.family_full",
            Self::SlotTooSoon => "slot.too_soon",
            Self::SlotBeyondHorizon => "slot.beyond_horizon",
            Self::SlotClosed => "slot.closed",
            Self::SlotNotOffered => "slot.not_offered",
            Self::SlotTooLate => "slot.too_late",
            Self::SlotNotEligible => "slot.not_eligible",
            Self::SlotBusy => "slot.busy",
            Self::IdentityNotFound => "identity.not_found",
            Self::IdentityNamesDiffer => "identity.names_differ",
            Self::IdentityDateOfBirthDiffers => "identity.date_of_birth_differs",
            Self::IdentityCannotVerify => "identity.cannot_verify",
            Self::IdentityTaken => "identity.taken",
            Self::RegistryDown => "identity.registry_down",
            Self::ChildNotFound => "child.not_found",
            Self::ChildNamesDiffer => "child.names_differ",
            Self::ChildCannotRegister => "child.cannot_register",
            Self::ChildTooYoung => "child.too_young",
            Self::ChildAdult => "child.adult",
            Self::ChildOtherParents => "child.other_parents",
            Self::ChildNoParentIds => "child.no_parent_ids",
            Self::ChildTaken => "child.taken",
            Self::ChildTooMany => "child.too_many",
            Self::RelationshipMissing => "child.relationship_missing",
            Self::GuardianReferenceMissing => "guardian.reference_missing",
            Self::GuardianReferenceFormat => "guardian.reference_format",
            Self::GuardianDocumentMissing => "guardian.document_missing",
            Self::GuardianDocumentTooLarge => "guardian.document_too_large",
            Self::GuardianDocumentType => "guardian.document_type",
            Self::ConsentMissing => "declaration.consent_missing",
            Self::StaffSignInWrong => "staff.sign_in_wrong",
            Self::StaffLocked => "staff.locked",
            Self::StaffTooMany => "staff.too_many",
            Self::StaffPasswordMissing => "staff.password_missing",
            Self::TotpWrong => "staff.totp_wrong",
            Self::CheckInUnknown => "staff.check_in_unknown",
            Self::CheckInWrongCentre => "staff.check_in_wrong_centre",
            Self::CheckInWrongDay => "staff.check_in_wrong_day",
            Self::CheckInCancelled => "staff.check_in_cancelled",
            Self::CheckInNoShow => "staff.check_in_no_show",
            Self::NoteMissing => "staff.note_missing",
            Self::NoteTooLong => "staff.note_too_long",
            Self::ReviewDecisionMissing => "staff.review_decision_missing",
            Self::ReviewReasonMissing => "staff.review_reason_missing",
            Self::CollectorIdWrong => "staff.collector_id_wrong",
            Self::ActionRefused => "staff.action_refused",
            Self::CardsMissing => "staff.cards_missing",
            Self::CountersRange => "staff.counters_range",
            Self::SlotMinutesRange => "staff.slot_minutes_range",
            Self::HorizonRange => "staff.horizon_range",
            Self::ClockFormat => "staff.clock_format",
            Self::HoursHalf => "staff.hours_half",
            Self::HoursOrder => "staff.hours_order",
            Self::ClosureDay => "staff.closure_day",
            Self::ClosureDayPast => "staff.closure_day_past",
            Self::ClosureSpan => "staff.closure_span",
            Self::ClosureOrder => "staff.closure_order",
            Self::ClosureReasonMissing => "staff.closure_reason_missing",
            Self::ClosureReasonTooLong => "staff.closure_reason_too_long",
        }
    }

    /// What the person reads, in their language.
    pub fn message(self, locale: Locale) -> &'static str {
        match self {
            Self::NationalIdMissing => td_string!(locale, field_errors.national_id.missing),
            Self::NationalIdFormat => td_string!(locale, field_errors.national_id.format),
            Self::BirthCertificateMissing => {
                td_string!(locale, field_errors.birth_certificate.missing)
            }
            Self::BirthCertificateFormat => {
                td_string!(locale, field_errors.birth_certificate.format)
            }
            Self::KraPinMissing => td_string!(locale, field_errors.kra_pin.missing),
            Self::KraPinFormat => td_string!(locale, field_errors.kra_pin.format),
            Self::KraPinCompany => td_string!(locale, field_errors.kra_pin.company),
            Self::PhoneMissing => td_string!(locale, field_errors.phone.missing),
            Self::PhoneFormat => td_string!(locale, field_errors.phone.format),
            Self::PhoneNotMobile => td_string!(locale, field_errors.phone.not_mobile),
            Self::PhoneNotKenyan => td_string!(locale, field_errors.phone.not_kenyan),
            Self::EmailMissing => td_string!(locale, field_errors.email.missing),
            Self::EmailFormat => td_string!(locale, field_errors.email.format),
            Self::EmailTooLong => td_string!(locale, field_errors.email.too_long),
            Self::PassportMissing => td_string!(locale, field_errors.passport.missing),
            Self::PassportFormat => td_string!(locale, field_errors.passport.format),
            Self::NhifMissing => td_string!(locale, field_errors.nhif.missing),
            Self::NhifFormat => td_string!(locale, field_errors.nhif.format),
            Self::NssfMissing => td_string!(locale, field_errors.nssf.missing),
            Self::NssfFormat => td_string!(locale, field_errors.nssf.format),
            Self::PostalCodeMissing => td_string!(locale, field_errors.postal_code.missing),
            Self::PostalCodeFormat => td_string!(locale, field_errors.postal_code.format),
            Self::CountyMissing => td_string!(locale, field_errors.county.missing),
            Self::CountyUnknown => td_string!(locale, field_errors.county.unknown),
            Self::NameMissing => td_string!(locale, field_errors.name.missing),
            Self::NameTooLong => td_string!(locale, field_errors.name.too_long),
            Self::NameCharacters => td_string!(locale, field_errors.name.characters),
            Self::NameEdges => td_string!(locale, field_errors.name.edges),
            Self::DateOfBirthInvalid => td_string!(locale, field_errors.date_of_birth.invalid),
            Self::DateOfBirthInFuture => td_string!(locale, field_errors.date_of_birth.future),
            Self::DateOfBirthTooEarly => td_string!(locale, field_errors.date_of_birth.too_early),
            Self::SexMissing => td_string!(locale, field_errors.sex.missing),
            Self::LocationMissing => td_string!(locale, field_errors.location.missing),
            Self::LocationTooLong => td_string!(locale, field_errors.location.too_long),
            Self::LocationCharacters => td_string!(locale, field_errors.location.characters),
            Self::LanguageMissing => td_string!(locale, field_errors.language.missing),
            Self::ParentStatusMissing => td_string!(locale, field_errors.parent.missing),
            Self::ContactMissing => td_string!(locale, field_errors.contact.missing),
            Self::CodeMissing => td_string!(locale, field_errors.code.missing),
            Self::CodeFormat => td_string!(locale, field_errors.code.format),
            Self::CodeWrong => td_string!(locale, field_errors.code.wrong),
            Self::CodeExpired => td_string!(locale, field_errors.code.expired),
            Self::DeclarationMissing => td_string!(locale, field_errors.declaration.missing),
            Self::PhotoMissing => td_string!(locale, field_errors.photo.missing),
            Self::PhotoTooLarge => td_string!(locale, field_errors.photo.too_large),
            Self::PhotoNotAnImage => td_string!(locale, field_errors.photo.not_an_image),
            Self::PhotoUnreadable => td_string!(locale, field_errors.photo.unreadable),
            Self::PhotoTooSmall => td_string!(locale, field_errors.photo.too_small),
            Self::ReferenceMissing => td_string!(locale, field_errors.reference.missing),
            Self::ReferenceFormat => td_string!(locale, field_errors.reference.format),
            Self::ReferenceCheck => td_string!(locale, field_errors.reference.check),
            Self::SignInTooMany => td_string!(locale, field_errors.sign_in.too_many),
            Self::SignInTooManyHere => td_string!(locale, field_errors.sign_in.too_many_here),
            Self::SlotMissing => td_string!(locale, field_errors.slot.missing),
            Self::SlotFull => td_string!(locale, field_errors.slot.full),
            Self::SlotFamilyFull => td_string!(locale, field_errors.slot.family_full),
            Self::SlotTooSoon => td_string!(locale, field_errors.slot.too_soon),
            Self::SlotBeyondHorizon => td_string!(locale, field_errors.slot.beyond_horizon),
            Self::SlotClosed => td_string!(locale, field_errors.slot.closed),
            Self::SlotNotOffered => td_string!(locale, field_errors.slot.not_offered),
            Self::SlotTooLate => td_string!(locale, field_errors.slot.too_late),
            Self::SlotNotEligible => td_string!(locale, field_errors.slot.not_eligible),
            Self::SlotBusy => td_string!(locale, field_errors.slot.busy),
            Self::IdentityNotFound => td_string!(locale, field_errors.identity.not_found),
            Self::IdentityNamesDiffer => td_string!(locale, field_errors.identity.names_differ),
            Self::IdentityDateOfBirthDiffers => {
                td_string!(locale, field_errors.identity.date_of_birth_differs)
            }
            Self::IdentityCannotVerify => td_string!(locale, field_errors.identity.cannot_verify),
            Self::IdentityTaken => td_string!(locale, field_errors.identity.taken),
            Self::RegistryDown => td_string!(locale, field_errors.identity.registry_down),
            Self::ChildNotFound => td_string!(locale, field_errors.child.not_found),
            Self::ChildNamesDiffer => td_string!(locale, field_errors.child.names_differ),
            Self::ChildCannotRegister => td_string!(locale, field_errors.child.cannot_register),
            Self::ChildTooYoung => td_string!(locale, field_errors.child.too_young),
            Self::ChildAdult => td_string!(locale, field_errors.child.adult),
            Self::ChildOtherParents => td_string!(locale, field_errors.child.other_parents),
            Self::ChildNoParentIds => td_string!(locale, field_errors.child.no_parent_ids),
            Self::ChildTaken => td_string!(locale, field_errors.child.taken),
            Self::ChildTooMany => td_string!(locale, field_errors.child.too_many),
            Self::RelationshipMissing => {
                td_string!(locale, field_errors.child.relationship_missing)
            }
            Self::GuardianReferenceMissing => {
                td_string!(locale, field_errors.guardian.reference_missing)
            }
            Self::GuardianReferenceFormat => {
                td_string!(locale, field_errors.guardian.reference_format)
            }
            Self::GuardianDocumentMissing => {
                td_string!(locale, field_errors.guardian.document_missing)
            }
            Self::GuardianDocumentTooLarge => {
                td_string!(locale, field_errors.guardian.document_too_large)
            }
            Self::GuardianDocumentType => td_string!(locale, field_errors.guardian.document_type),
            Self::ConsentMissing => td_string!(locale, field_errors.declaration.consent_missing),
            Self::StaffSignInWrong => td_string!(locale, field_errors.staff.sign_in_wrong),
            Self::StaffLocked => td_string!(locale, field_errors.staff.locked),
            Self::StaffTooMany => td_string!(locale, field_errors.staff.too_many),
            Self::StaffPasswordMissing => td_string!(locale, field_errors.staff.password_missing),
            Self::TotpWrong => td_string!(locale, field_errors.staff.totp_wrong),
            Self::CheckInUnknown => td_string!(locale, field_errors.staff.check_in_unknown),
            Self::CheckInWrongCentre => {
                td_string!(locale, field_errors.staff.check_in_wrong_centre)
            }
            Self::CheckInWrongDay => td_string!(locale, field_errors.staff.check_in_wrong_day),
            Self::CheckInCancelled => td_string!(locale, field_errors.staff.check_in_cancelled),
            Self::CheckInNoShow => td_string!(locale, field_errors.staff.check_in_no_show),
            Self::NoteMissing => td_string!(locale, field_errors.staff.note_missing),
            Self::NoteTooLong => td_string!(locale, field_errors.staff.note_too_long),
            Self::ReviewDecisionMissing => {
                td_string!(locale, field_errors.staff.review_decision_missing)
            }
            Self::ReviewReasonMissing => {
                td_string!(locale, field_errors.staff.review_reason_missing)
            }
            Self::CollectorIdWrong => td_string!(locale, field_errors.staff.collector_id_wrong),
            Self::ActionRefused => td_string!(locale, field_errors.staff.action_refused),
            Self::CardsMissing => td_string!(locale, field_errors.staff.cards_missing),
            Self::CountersRange => td_string!(locale, field_errors.staff.counters_range),
            Self::SlotMinutesRange => td_string!(locale, field_errors.staff.slot_minutes_range),
            Self::HorizonRange => td_string!(locale, field_errors.staff.horizon_range),
            Self::ClockFormat => td_string!(locale, field_errors.staff.clock_format),
            Self::HoursHalf => td_string!(locale, field_errors.staff.hours_half),
            Self::HoursOrder => td_string!(locale, field_errors.staff.hours_order),
            Self::ClosureDay => td_string!(locale, field_errors.staff.closure_day),
            Self::ClosureDayPast => td_string!(locale, field_errors.staff.closure_day_past),
            Self::ClosureSpan => td_string!(locale, field_errors.staff.closure_span),
            Self::ClosureOrder => td_string!(locale, field_errors.staff.closure_order),
            Self::ClosureReasonMissing => {
                td_string!(locale, field_errors.staff.closure_reason_missing)
            }
            Self::ClosureReasonTooLong => {
                td_string!(locale, field_errors.staff.closure_reason_too_long)
            }
        }
    }
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

    // Add each new variant here too, or its message goes unchecked.
    const ALL: [FieldError; 114] = [
        FieldError::NationalIdMissing,
        FieldError::NationalIdFormat,
        FieldError::BirthCertificateMissing,
        FieldError::BirthCertificateFormat,
        FieldError::KraPinMissing,
        FieldError::KraPinFormat,
        FieldError::KraPinCompany,
        FieldError::PhoneMissing,
        FieldError::PhoneFormat,
        FieldError::PhoneNotMobile,
        FieldError::PhoneNotKenyan,
        FieldError::EmailMissing,
        FieldError::EmailFormat,
        FieldError::EmailTooLong,
        FieldError::PassportMissing,
        FieldError::PassportFormat,
        FieldError::NhifMissing,
        FieldError::NhifFormat,
        FieldError::NssfMissing,
        FieldError::NssfFormat,
        FieldError::PostalCodeMissing,
        FieldError::PostalCodeFormat,
        FieldError::CountyMissing,
        FieldError::CountyUnknown,
        FieldError::NameMissing,
        FieldError::NameTooLong,
        FieldError::NameCharacters,
        FieldError::NameEdges,
        FieldError::DateOfBirthInvalid,
        FieldError::DateOfBirthInFuture,
        FieldError::DateOfBirthTooEarly,
        FieldError::SexMissing,
        FieldError::LocationMissing,
        FieldError::LocationTooLong,
        FieldError::LocationCharacters,
        FieldError::LanguageMissing,
        FieldError::ParentStatusMissing,
        FieldError::ContactMissing,
        FieldError::CodeMissing,
        FieldError::CodeFormat,
        FieldError::CodeWrong,
        FieldError::CodeExpired,
        FieldError::DeclarationMissing,
        FieldError::PhotoMissing,
        FieldError::PhotoTooLarge,
        FieldError::PhotoNotAnImage,
        FieldError::PhotoUnreadable,
        FieldError::PhotoTooSmall,
        FieldError::ReferenceMissing,
        FieldError::ReferenceFormat,
        FieldError::ReferenceCheck,
        FieldError::SignInTooMany,
        FieldError::SignInTooManyHere,
        FieldError::SlotMissing,
        FieldError::SlotFull,
        FieldError::SlotFamilyFull,
        FieldError::SlotTooSoon,
        FieldError::SlotBeyondHorizon,
        FieldError::SlotClosed,
        FieldError::SlotNotOffered,
        FieldError::SlotTooLate,
        FieldError::SlotNotEligible,
        FieldError::SlotBusy,
        FieldError::IdentityNotFound,
        FieldError::IdentityNamesDiffer,
        FieldError::IdentityDateOfBirthDiffers,
        FieldError::IdentityCannotVerify,
        FieldError::IdentityTaken,
        FieldError::RegistryDown,
        FieldError::ChildNotFound,
        FieldError::ChildNamesDiffer,
        FieldError::ChildCannotRegister,
        FieldError::ChildTooYoung,
        FieldError::ChildAdult,
        FieldError::ChildOtherParents,
        FieldError::ChildNoParentIds,
        FieldError::ChildTaken,
        FieldError::ChildTooMany,
        FieldError::RelationshipMissing,
        FieldError::GuardianReferenceMissing,
        FieldError::GuardianReferenceFormat,
        FieldError::GuardianDocumentMissing,
        FieldError::GuardianDocumentTooLarge,
        FieldError::GuardianDocumentType,
        FieldError::ConsentMissing,
        FieldError::StaffSignInWrong,
        FieldError::StaffLocked,
        FieldError::StaffTooMany,
        FieldError::StaffPasswordMissing,
        FieldError::TotpWrong,
        FieldError::CheckInUnknown,
        FieldError::CheckInWrongCentre,
        FieldError::CheckInWrongDay,
        FieldError::CheckInCancelled,
        FieldError::CheckInNoShow,
        FieldError::NoteMissing,
        FieldError::NoteTooLong,
        FieldError::ReviewDecisionMissing,
        FieldError::ReviewReasonMissing,
        FieldError::CollectorIdWrong,
        FieldError::ActionRefused,
        FieldError::CardsMissing,
        FieldError::CountersRange,
        FieldError::SlotMinutesRange,
        FieldError::HorizonRange,
        FieldError::ClockFormat,
        FieldError::HoursHalf,
        FieldError::HoursOrder,
        FieldError::ClosureDay,
        FieldError::ClosureDayPast,
        FieldError::ClosureSpan,
        FieldError::ClosureOrder,
        FieldError::ClosureReasonMissing,
        FieldError::ClosureReasonTooLong,
    ];

    #[test]
    fn every_error_has_its_own_key() {
        let keys: HashSet<_> = ALL.iter().map(|e| e.key()).collect();
        assert_eq!(keys.len(), ALL.len());
    }

    #[test]
    fn every_error_has_a_message_in_english_and_in_kiswahili() {
        for error in ALL {
            let (en, sw) = (error.message(Locale::en), error.message(Locale::sw));
            assert!(!en.is_empty() && !sw.is_empty(), "{error}");
            assert_ne!(en, sw, "{error} is not translated");
        }
    }

    #[test]
    fn messages_are_distinct_within_a_language() {
        for locale in [Locale::en, Locale::sw] {
            let messages: HashSet<_> = ALL.iter().map(|e| e.message(locale)).collect();
            assert_eq!(messages.len(), ALL.len(), "{locale:?}");
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
        for error in ALL {
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
