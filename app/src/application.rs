//! An application for a card, as the citizen fills it in: the tasks, the
//! answers each task saves, and the states an application goes through.
//!
//! Each task reads a submitted `Form` into its answer type with the shared
//! identifier types (`from_form`), or returns every problem at once; and
//! gives its saved answer back as form values (`to_values`) so that the
//! page can show it for changing. The server stores the answers encrypted.

use crate::dates::CivilDate;
use crate::forms::{FieldIssue, Form};
use crate::identifiers::{
    BirthCertificateNumber, CountyCode, DateOfBirth, EmailAddress, FieldError, KraPin,
    NationalIdNumber, NhifNumber, NssfNumber, PassportNumber, PersonName, PhoneNumber,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the declaration and privacy notice the citizen agrees to.
/// Change it whenever the notice's wording changes: the consent ledger
/// records which version each person saw.
pub const NOTICE_VERSION: &str = "2026-11-25";

/// Applications one account may hold (the citizen's own and their children's).
pub const MAX_APPLICATIONS_PER_ACCOUNT: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    AboutYou,
    BirthCertificate,
    Documents,
    Contact,
    Parents,
    Photo,
}

impl Task {
    pub const ALL: [Task; 6] = [
        Task::AboutYou,
        Task::BirthCertificate,
        Task::Documents,
        Task::Contact,
        Task::Parents,
        Task::Photo,
    ];

    /// The last part of the task's address.
    pub fn slug(self) -> &'static str {
        match self {
            Task::AboutYou => "about-you",
            Task::BirthCertificate => "birth-certificate",
            Task::Documents => "documents",
            Task::Contact => "contact",
            Task::Parents => "parents",
            Task::Photo => "photo",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// The form names the task's page posts.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Task::AboutYou => &[
                "surname",
                "given-names",
                "sex",
                "dob-day",
                "dob-month",
                "dob-year",
                "county-of-birth",
                "county-of-residence",
                "location",
            ],
            Task::BirthCertificate => &["birth-certificate"],
            Task::Documents => &["passport", "kra-pin", "nhif", "nssf"],
            Task::Contact => &["phone", "email", "language"],
            Task::Parents => &[
                "mother-status",
                "mother-name",
                "mother-id",
                "father-status",
                "father-name",
                "father-id",
            ],
            Task::Photo => &[],
        }
    }
}

crate::coded_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Sex {
        Female => "F",
        Male => "M",
    }
}

impl Sex {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::from_code(input).ok_or(FieldError::SexMissing)
    }
}

/// A sub-county or location, as free text: letters, digits and a little
/// punctuation, at most 80 characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Location(String);

impl Location {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return Err(FieldError::LocationMissing);
        }
        if value.chars().count() > 80 {
            return Err(FieldError::LocationTooLong);
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || " ,.-'/".contains(c) || c == '\u{2019}')
        {
            return Err(FieldError::LocationCharacters);
        }
        Ok(Location(value))
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location(<redacted>)")
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Location {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        Self::parse(&value)
    }
}

impl From<Location> for String {
    fn from(value: Location) -> String {
        value.0
    }
}

crate::coded_enum! {
    /// The language the citizen wants messages in.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum MessageLanguage {
        En => "en",
        Sw => "sw",
    }
}

impl MessageLanguage {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::from_code(input).ok_or(FieldError::LanguageMissing)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AboutYou {
    pub surname: PersonName,
    pub given_names: PersonName,
    pub sex: Sex,
    pub date_of_birth: CivilDate,
    pub county_of_birth: CountyCode,
    pub county_of_residence: CountyCode,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherDocuments {
    pub passport: Option<PassportNumber>,
    pub kra_pin: Option<KraPin>,
    pub nhif: Option<NhifNumber>,
    pub nssf: Option<NssfNumber>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub phone: PhoneNumber,
    pub email: Option<EmailAddress>,
    pub language: MessageLanguage,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Parent {
    Known {
        name: PersonName,
        id_number: NationalIdNumber,
    },
    Deceased,
    NotKnown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parents {
    pub mother: Parent,
    pub father: Parent,
}

/// Everything an application's tasks have saved so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub about_you: Option<AboutYou>,
    pub birth_certificate: Option<BirthCertificateNumber>,
    pub documents: Option<OtherDocuments>,
    pub contact: Option<Contact>,
    pub parents: Option<Parents>,
}

/// Collects each field's first problem, so a form reports them all at once.
#[derive(Default)]
struct Checker {
    issues: Vec<FieldIssue>,
}

impl Checker {
    fn check<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        result
            .map_err(|error| self.issues.push(FieldIssue::new(field, error)))
            .ok()
    }

    /// A field that may be left blank.
    fn optional<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Option<Option<T>> {
        if value.trim().is_empty() {
            return Some(None);
        }
        self.check(field, parse(value)).map(Some)
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldIssue>> {
        match value {
            Some(value) if self.issues.is_empty() => Ok(value),
            _ => Err(self.issues),
        }
    }
}

impl AboutYou {
    pub fn from_form(form: &Form, today: CivilDate) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let surname = c.check("surname", PersonName::parse(form.value("surname")));
        let given_names = c.check("given-names", PersonName::parse(form.value("given-names")));
        let sex = c.check("sex", Sex::parse(form.value("sex")));
        let date_of_birth = c.check(
            "dob",
            DateOfBirth::parse(
                form.value("dob-day"),
                form.value("dob-month"),
                form.value("dob-year"),
                today,
            ),
        );
        let county_of_birth = c.check(
            "county-of-birth",
            CountyCode::parse(form.value("county-of-birth")),
        );
        let county_of_residence = c.check(
            "county-of-residence",
            CountyCode::parse(form.value("county-of-residence")),
        );
        let location = c.check("location", Location::parse(form.value("location")));
        let value = (|| {
            Some(AboutYou {
                surname: surname?,
                given_names: given_names?,
                sex: sex?,
                date_of_birth: date_of_birth?.date(),
                county_of_birth: county_of_birth?,
                county_of_residence: county_of_residence?,
                location: location?,
            })
        })();
        c.finish(value)
    }

    pub fn to_values(&self) -> BTreeMap<String, String> {
        values([
            ("surname", self.surname.to_string()),
            ("given-names", self.given_names.to_string()),
            ("sex", self.sex.code().to_string()),
            ("dob-day", self.date_of_birth.day().to_string()),
            ("dob-month", self.date_of_birth.month().to_string()),
            ("dob-year", self.date_of_birth.year().to_string()),
            ("county-of-birth", self.county_of_birth.to_string()),
            ("county-of-residence", self.county_of_residence.to_string()),
            ("location", self.location.to_string()),
        ])
    }
}

pub fn birth_certificate_from_form(form: &Form) -> Result<BirthCertificateNumber, Vec<FieldIssue>> {
    let mut c = Checker::default();
    let number = c.check(
        "birth-certificate",
        BirthCertificateNumber::parse(form.value("birth-certificate")),
    );
    c.finish(number)
}

impl OtherDocuments {
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let passport = c.optional("passport", form.value("passport"), PassportNumber::parse);
        let kra_pin = c.optional("kra-pin", form.value("kra-pin"), KraPin::parse);
        let nhif = c.optional("nhif", form.value("nhif"), NhifNumber::parse);
        let nssf = c.optional("nssf", form.value("nssf"), NssfNumber::parse);
        let value = (|| {
            Some(OtherDocuments {
                passport: passport?,
                kra_pin: kra_pin?,
                nhif: nhif?,
                nssf: nssf?,
            })
        })();
        c.finish(value)
    }

    pub fn to_values(&self) -> BTreeMap<String, String> {
        let text = |v: Option<String>| v.unwrap_or_default();
        values([
            ("passport", text(self.passport.clone().map(String::from))),
            ("kra-pin", text(self.kra_pin.clone().map(String::from))),
            ("nhif", text(self.nhif.clone().map(String::from))),
            ("nssf", text(self.nssf.clone().map(String::from))),
        ])
    }
}

impl Contact {
    /// Server only: phone numbers are checked with libphonenumber's rules.
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let phone = c.check("phone", PhoneNumber::parse(form.value("phone")));
        let email = c.optional("email", form.value("email"), EmailAddress::parse);
        let language = c.check("language", MessageLanguage::parse(form.value("language")));
        let value = (|| {
            Some(Contact {
                phone: phone?,
                email: email?,
                language: language?,
            })
        })();
        c.finish(value)
    }

    pub fn to_values(&self) -> BTreeMap<String, String> {
        values([
            ("phone", self.phone.to_string()),
            (
                "email",
                self.email.clone().map(String::from).unwrap_or_default(),
            ),
            ("language", self.language.code().to_string()),
        ])
    }
}

impl Parent {
    fn from_form(c: &mut Checker, form: &Form, who: &str) -> Option<Parent> {
        let status = format!("{who}-status");
        match form.value(&status) {
            "known" => {
                let name = c.check(
                    &format!("{who}-name"),
                    PersonName::parse(form.value(&format!("{who}-name"))),
                );
                let id = c.check(
                    &format!("{who}-id"),
                    NationalIdNumber::parse(form.value(&format!("{who}-id"))),
                );
                Some(Parent::Known {
                    name: name?,
                    id_number: id?,
                })
            }
            "deceased" => Some(Parent::Deceased),
            "not-known" => Some(Parent::NotKnown),
            _ => c.check(&status, Err(FieldError::ParentStatusMissing)),
        }
    }

    fn to_values(&self, who: &str, out: &mut BTreeMap<String, String>) {
        let (status, name, id) = match self {
            Parent::Known { name, id_number } => ("known", name.to_string(), id_number.to_string()),
            Parent::Deceased => ("deceased", String::new(), String::new()),
            Parent::NotKnown => ("not-known", String::new(), String::new()),
        };
        out.insert(format!("{who}-status"), status.to_string());
        out.insert(format!("{who}-name"), name);
        out.insert(format!("{who}-id"), id);
    }
}

impl Parents {
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let mother = Parent::from_form(&mut c, form, "mother");
        let father = Parent::from_form(&mut c, form, "father");
        let value = (|| {
            Some(Parents {
                mother: mother?,
                father: father?,
            })
        })();
        c.finish(value)
    }

    pub fn to_values(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        self.mother.to_values("mother", &mut out);
        self.father.to_values("father", &mut out);
        out
    }
}

fn values<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl Answers {
    /// Whether a task has been saved (the photo is kept apart from the answers).
    pub fn is_done(&self, task: Task, has_photo: bool) -> bool {
        match task {
            Task::AboutYou => self.about_you.is_some(),
            Task::BirthCertificate => self.birth_certificate.is_some(),
            Task::Documents => self.documents.is_some(),
            Task::Contact => self.contact.is_some(),
            Task::Parents => self.parents.is_some(),
            Task::Photo => has_photo,
        }
    }

    /// The saved answer as the task's form values, for changing it.
    pub fn values_for(&self, task: Task) -> BTreeMap<String, String> {
        match task {
            Task::AboutYou => self.about_you.as_ref().map(AboutYou::to_values),
            Task::BirthCertificate => self
                .birth_certificate
                .as_ref()
                .map(|b| values([("birth-certificate", b.to_string())])),
            Task::Documents => self.documents.as_ref().map(OtherDocuments::to_values),
            Task::Contact => self.contact.as_ref().map(Contact::to_values),
            Task::Parents => self.parents.as_ref().map(Parents::to_values),
            Task::Photo => None,
        }
        .unwrap_or_default()
    }

    /// Reads a task's form and, if it is right, saves it into the answers.
    /// Server only (the contact task checks phone numbers).
    pub fn apply(
        &mut self,
        task: Task,
        form: &Form,
        today: CivilDate,
    ) -> Result<(), Vec<FieldIssue>> {
        match task {
            Task::AboutYou => self.about_you = Some(AboutYou::from_form(form, today)?),
            Task::BirthCertificate => {
                self.birth_certificate = Some(birth_certificate_from_form(form)?)
            }
            Task::Documents => self.documents = Some(OtherDocuments::from_form(form)?),
            Task::Contact => self.contact = Some(Contact::from_form(form)?),
            Task::Parents => self.parents = Some(Parents::from_form(form)?),
            Task::Photo => {}
        }
        Ok(())
    }
}

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
            Self::Surname => Some((Task::AboutYou, "surname")),
            Self::GivenNames => Some((Task::AboutYou, "given-names")),
            Self::DateOfBirth | Self::TooYoung => Some((Task::AboutYou, "dob-day")),
            Self::BirthCertificateNotFound => Some((Task::BirthCertificate, "birth-certificate")),
            Self::AlreadyHoldsId | Self::CannotVerifyOnline | Self::TurnedAdult => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 25).unwrap()
    }

    fn form(pairs: &[(&str, &str)], task: Task) -> Form {
        Form::from_pairs(pairs.iter().copied(), task.fields())
    }

    #[test]
    fn about_you_reports_every_problem_at_once() {
        let issues = AboutYou::from_form(&form(&[("surname", "Otieno")], Task::AboutYou), today())
            .unwrap_err();
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "given-names",
                "sex",
                "dob",
                "county-of-birth",
                "county-of-residence",
                "location"
            ]
        );
    }

    #[test]
    fn about_you_round_trips_through_form_values() {
        let f = form(
            &[
                ("surname", "Otieno"),
                ("given-names", "Grace Akinyi"),
                ("sex", "F"),
                ("dob-day", "3"),
                ("dob-month", "4"),
                ("dob-year", "1990"),
                ("county-of-birth", "42"),
                ("county-of-residence", "047"),
                ("location", "Kibra,  Nairobi"),
            ],
            Task::AboutYou,
        );
        let about = AboutYou::from_form(&f, today()).unwrap();
        assert_eq!(about.location.to_string(), "Kibra, Nairobi");
        let again = AboutYou::from_form(&Form::with_values(about.to_values()), today()).unwrap();
        assert_eq!(about, again);
    }

    #[test]
    fn location_refuses_markup() {
        assert_eq!(
            Location::parse("<script>").unwrap_err(),
            FieldError::LocationCharacters
        );
        assert_eq!(
            Location::parse(&"a".repeat(81)).unwrap_err(),
            FieldError::LocationTooLong
        );
    }

    #[test]
    fn other_documents_are_optional_but_checked_when_given() {
        assert!(OtherDocuments::from_form(&form(&[], Task::Documents)).is_ok());
        let issues =
            OtherDocuments::from_form(&form(&[("kra-pin", "P051234567X")], Task::Documents))
                .unwrap_err();
        assert_eq!(
            issues,
            vec![FieldIssue::new("kra-pin", FieldError::KraPinCompany)]
        );
    }

    #[test]
    fn a_known_parent_needs_a_name_and_an_id_number() {
        let issues = Parents::from_form(&form(
            &[("mother-status", "known"), ("father-status", "not-known")],
            Task::Parents,
        ))
        .unwrap_err();
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["mother-name", "mother-id"]);
        let ok = Parents::from_form(&form(
            &[
                ("mother-status", "deceased"),
                ("father-status", "not-known"),
            ],
            Task::Parents,
        ));
        assert_eq!(
            ok.unwrap(),
            Parents {
                mother: Parent::Deceased,
                father: Parent::NotKnown
            }
        );
    }

    #[test]
    fn contact_needs_a_mobile_and_a_language() {
        let issues = Contact::from_form(&form(
            &[("phone", "020 2222222"), ("email", "x@")],
            Task::Contact,
        ))
        .unwrap_err();
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["phone", "email", "language"]);
    }

    #[test]
    fn docs_data_md_lists_every_field_the_form_collects() {
        let doc = include_str!("../../docs/DATA.md");
        for task in Task::ALL {
            for field in task.fields() {
                assert!(
                    doc.contains(&format!("`{field}`")),
                    "docs/DATA.md does not list `{field}`"
                );
            }
        }
        for field in ["photo", "declaration", "contact"] {
            assert!(
                doc.contains(&format!("`{field}`")),
                "docs/DATA.md does not list `{field}`"
            );
        }
    }

    #[test]
    fn state_codes_round_trip() {
        for state in ApplicationState::ALL {
            assert_eq!(ApplicationState::from_code(state.code()), Some(state));
        }
    }
}
