//! Verification: what an applicant typed, checked against the registry's
//! answer, as one typed outcome.
//!
//! `assess` is a pure function of the two; `verify` asks the registry and
//! turns any failure to answer into `RegistryUnavailable`, so the caller
//! keeps the application as *pending verification* instead of showing an
//! error. Outcomes never carry the registry's data, nor which detail
//! differs: a record not found, any field that differs and a death
//! registered against the record are all one `Mismatch`, so that the
//! registry cannot be mined one field at a time.

use crate::registry::{BirthRecord, LifeStatus, PersonRecord, Registry};
use app::dates::{self, CivilDate};
use app::identifiers::{BirthCertificateNumber, PersonName};
use serde::{Deserialize, Serialize};

app::coded_enum! {
    /// Which card an application is for (`applications.kind`). A stored
    /// value that is neither code is an error, never taken for either.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ApplicationKind {
        /// A national ID card, for someone aged 18 or over, applying themself.
        AdultId => "adult_id",
        /// A minor's card, for a child aged 6 to 17, applied for by a parent or guardian.
        MinorCard => "minor_card",
    }
}

impl ApplicationKind {
    pub fn allows_age(self, age: i32) -> bool {
        match self {
            ApplicationKind::AdultId => age >= dates::ADULT_AGE,
            ApplicationKind::MinorCard => {
                (dates::MINOR_CARD_MIN_AGE..dates::ADULT_AGE).contains(&age)
            }
        }
    }
}

/// What came of a verification. Stored as JSON in
/// `pending_verifications.outcome` (the per-field outcomes this replaced
/// were rewritten by the migration `registry_attempts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Verified,
    /// No such birth record, a name or the date of birth differs, or the
    /// record cannot be used online (a death registered against it): one
    /// answer, whichever it is.
    Mismatch,
    /// Every detail matched, and the registry holds an ID for this birth
    /// certificate already.
    AlreadyHoldsId,
    /// Every detail matched, and the age is not one this card is for.
    IneligibleAge,
    /// The registry could not be asked; try again later.
    RegistryUnavailable,
}

/// What the applicant typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub birth_cert_no: BirthCertificateNumber,
    pub surname: PersonName,
    pub given_names: PersonName,
    pub date_of_birth: CivilDate,
}

/// Same name: case, spacing, diacritics, apostrophes and hyphens aside,
/// and given names in any order; but every word must be there.
pub fn same_name(typed: &PersonName, recorded: &str) -> bool {
    match PersonName::parse(recorded) {
        Ok(recorded) => typed.matching_words() == recorded.matching_words(),
        Err(_) => false,
    }
}

/// Judges an application against the registry's answer. Nothing about a
/// record (which detail differs, whether it is of a deceased person, or of
/// someone who holds an ID, or their age) is revealed to someone who could
/// not also give its names and date of birth: all of those are one
/// `Mismatch` until every detail matched.
pub fn assess(
    applicant: &Applicant,
    kind: ApplicationKind,
    today: CivilDate,
    birth: Option<&BirthRecord>,
    holder: Option<&PersonRecord>,
) -> Outcome {
    let Some(birth) = birth else {
        return Outcome::Mismatch;
    };
    if !same_name(&applicant.surname, &birth.surname)
        || !same_name(&applicant.given_names, &birth.given_names)
        || applicant.date_of_birth != birth.date_of_birth
        || birth.status == LifeStatus::Deceased
    {
        return Outcome::Mismatch;
    }
    if let Some(holder) = holder {
        return match holder.status {
            LifeStatus::Deceased => Outcome::Mismatch,
            LifeStatus::Alive => Outcome::AlreadyHoldsId,
        };
    }
    if !kind.allows_age(birth.date_of_birth.age_on(today)) {
        return Outcome::IneligibleAge;
    }
    Outcome::Verified
}

/// Asks the registry and judges the answer.
pub async fn verify(
    registry: &dyn Registry,
    applicant: &Applicant,
    kind: ApplicationKind,
    today: CivilDate,
) -> Outcome {
    let answers = async {
        let birth = registry.birth_record(&applicant.birth_cert_no).await?;
        let holder = match &birth {
            Some(_) => {
                registry
                    .holder_of_birth_certificate(&applicant.birth_cert_no)
                    .await?
            }
            None => None,
        };
        Ok::<_, crate::registry::RegistryError>((birth, holder))
    };
    match answers.await {
        Ok((birth, holder)) => assess(applicant, kind, today, birth.as_ref(), holder.as_ref()),
        Err(error) => {
            tracing::warn!(%error, "registry unavailable: the application waits for verification");
            Outcome::RegistryUnavailable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Sex;

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn an_application_kind_is_read_from_its_own_code_only() {
        assert_eq!(ApplicationKind::AdultId.code(), "adult_id");
        assert_eq!(ApplicationKind::MinorCard.code(), "minor_card");
        for kind in ApplicationKind::ALL {
            assert_eq!(ApplicationKind::try_from(kind.code().to_string()), Ok(kind));
        }
        for stored in ["", "adult", "Minor_Card", "passport", "adult_id "] {
            assert!(
                ApplicationKind::try_from(stored.to_string()).is_err(),
                "{stored:?}"
            );
        }
    }

    const TODAY: (i32, u8, u8) = (2026, 11, 25);
    fn today() -> CivilDate {
        date(TODAY.0, TODAY.1, TODAY.2)
    }

    fn record() -> BirthRecord {
        BirthRecord {
            birth_cert_no: "1000102".into(),
            surname: "Ng'ang'a".into(),
            given_names: "Mary Wanjiru".into(),
            sex: Sex::Female,
            date_of_birth: date(2000, 5, 17),
            county_code: "022".into(),
            mother_name: Some("Grace Njeri Ng'ang'a".into()),
            mother_id_no: Some("12345678".into()),
            father_name: None,
            status: crate::registry::LifeStatus::Alive,
            father_id_no: None,
        }
    }

    fn applicant(surname: &str, given: &str, dob: CivilDate) -> Applicant {
        Applicant {
            birth_cert_no: BirthCertificateNumber::parse("1000102").unwrap(),
            surname: PersonName::parse(surname).unwrap(),
            given_names: PersonName::parse(given).unwrap(),
            date_of_birth: dob,
        }
    }

    fn holder(status: LifeStatus) -> PersonRecord {
        PersonRecord {
            id_no: "23456789".into(),
            surname: "Ng'ang'a".into(),
            given_names: "Mary Wanjiru".into(),
            sex: Sex::Female,
            date_of_birth: date(2000, 5, 17),
            birth_cert_no: Some("1000102".into()),
            status,
        }
    }

    fn adult(a: &Applicant, birth: Option<&BirthRecord>, holder: Option<&PersonRecord>) -> Outcome {
        assess(a, ApplicationKind::AdultId, today(), birth, holder)
    }

    #[test]
    fn matching_names_and_date_of_birth_verify() {
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2000, 5, 17));
        assert_eq!(adult(&a, Some(&record()), None), Outcome::Verified);
    }

    #[test]
    fn case_spacing_diacritics_and_given_name_order_are_tolerated() {
        for (surname, given) in [
            ("NG'ANG'A", "mary  wanjiru"),
            ("Ng’ang’a", "Wanjiru Mary"),
            ("Ng'ang'a", "Märy Wanjiru"),
        ] {
            let a = applicant(surname, given, date(2000, 5, 17));
            assert_eq!(
                adult(&a, Some(&record()), None),
                Outcome::Verified,
                "{surname} / {given}"
            );
        }
    }

    #[test]
    fn a_different_name_is_not_tolerated_and_the_field_is_not_named() {
        for (surname, given) in [
            ("Nganga", "Mary Wanjiru"),
            ("Ng'ang'a", "Mary"),
            ("Ng'ang'a", "Mary Wanjiku"),
        ] {
            let a = applicant(surname, given, date(2000, 5, 17));
            assert_eq!(adult(&a, Some(&record()), None), Outcome::Mismatch);
        }
    }

    #[test]
    fn not_found_any_field_and_deceased_are_one_answer() {
        let right = applicant("Ng'ang'a", "Mary Wanjiru", date(2000, 5, 17));
        let mut dead = record();
        dead.status = LifeStatus::Deceased;
        let answers = [
            adult(&right, None, None),
            adult(
                &applicant("Nganga", "Mary Wanjiru", date(2000, 5, 17)),
                Some(&record()),
                None,
            ),
            adult(
                &applicant("Ng'ang'a", "Mary", date(2000, 5, 17)),
                Some(&record()),
                None,
            ),
            adult(
                &applicant("Ng'ang'a", "Mary Wanjiru", date(2000, 5, 18)),
                Some(&record()),
                None,
            ),
            adult(&right, Some(&dead), None),
            adult(&right, Some(&record()), Some(&holder(LifeStatus::Deceased))),
        ];
        assert!(
            answers.iter().all(|a| *a == Outcome::Mismatch),
            "{answers:?}"
        );
    }

    #[test]
    fn someone_who_already_holds_an_id_is_told_so() {
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2000, 5, 17));
        assert_eq!(
            adult(&a, Some(&record()), Some(&holder(LifeStatus::Alive))),
            Outcome::AlreadyHoldsId
        );
    }

    #[test]
    fn the_record_s_status_is_revealed_only_to_someone_who_knows_its_details() {
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2001, 1, 1));
        assert_eq!(
            adult(&a, Some(&record()), Some(&holder(LifeStatus::Alive))),
            Outcome::Mismatch
        );
    }

    #[test]
    fn an_eighteenth_birthday_today_makes_an_adult_and_not_a_minor() {
        let mut r = record();
        r.date_of_birth = date(2008, 11, 25);
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2008, 11, 25));
        assert_eq!(
            assess(&a, ApplicationKind::AdultId, today(), Some(&r), None),
            Outcome::Verified
        );
        assert_eq!(
            assess(&a, ApplicationKind::MinorCard, today(), Some(&r), None),
            Outcome::IneligibleAge
        );
        r.date_of_birth = date(2008, 11, 26);
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2008, 11, 26));
        assert_eq!(
            assess(&a, ApplicationKind::AdultId, today(), Some(&r), None),
            Outcome::IneligibleAge
        );
        assert_eq!(
            assess(&a, ApplicationKind::MinorCard, today(), Some(&r), None),
            Outcome::Verified
        );
    }

    #[test]
    fn a_leap_day_child_turns_six_on_the_first_of_march() {
        let mut r = record();
        r.date_of_birth = date(2020, 2, 29);
        let a = applicant("Ng'ang'a", "Mary Wanjiru", date(2020, 2, 29));
        let on = |y, m, d| {
            assess(
                &a,
                ApplicationKind::MinorCard,
                date(y, m, d),
                Some(&r),
                None,
            )
        };
        assert_eq!(on(2026, 2, 28), Outcome::IneligibleAge);
        assert_eq!(on(2026, 3, 1), Outcome::Verified);
    }
}
