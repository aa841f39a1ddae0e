//! Each task's form and its answer: reading a submitted `Form` into the
//! answer type with the shared identifier types (`from_form`), every problem
//! at once; and the saved answer back as form values (`to_values`), so the
//! page can show it for changing.

use super::fields::{
    BIRTH_CERTIFICATE, COUNTY_OF_BIRTH, COUNTY_OF_RESIDENCE, DOB, DOB_DAY, DOB_MONTH, DOB_YEAR,
    EMAIL, FATHER, GIVEN_NAMES, KRA_PIN, LANGUAGE, LOCATION, MOTHER, NHIF, NSSF, PARENT_DECEASED,
    PARENT_KNOWN, PARENT_NOT_KNOWN, PASSPORT, PHONE, ParentFields, SEX, SURNAME,
};
use super::{
    AboutYou, Answers, Contact, Location, MessageLanguage, OtherDocuments, Parent, Parents, Sex,
    Task,
};
use crate::dates::CivilDate;
use crate::forms::{FieldIssue, Form};
use crate::identifiers::{
    BirthCertificateNumber, CountyCode, DateOfBirth, EmailAddress, FieldError, KraPin,
    NationalIdNumber, NhifNumber, NssfNumber, PassportNumber, PersonName, PhoneNumber,
};
use std::collections::BTreeMap;

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

    /// The form's field `name`, parsed.
    fn read<T>(
        &mut self,
        form: &Form,
        name: &str,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        self.check(name, parse(form.value(name)))
    }

    /// A field that may be left blank.
    fn optional<T>(
        &mut self,
        form: &Form,
        name: &str,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Option<Option<T>> {
        if form.value(name).trim().is_empty() {
            return Some(None);
        }
        self.read(form, name, parse).map(Some)
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
        let surname = c.read(form, SURNAME, PersonName::parse);
        let given_names = c.read(form, GIVEN_NAMES, PersonName::parse);
        let sex = c.read(form, SEX, Sex::parse);
        let date_of_birth = c.check(
            DOB,
            DateOfBirth::parse(
                form.value(DOB_DAY),
                form.value(DOB_MONTH),
                form.value(DOB_YEAR),
                today,
            ),
        );
        let county_of_birth = c.read(form, COUNTY_OF_BIRTH, CountyCode::parse);
        let county_of_residence = c.read(form, COUNTY_OF_RESIDENCE, CountyCode::parse);
        let location = c.read(form, LOCATION, Location::parse);
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
            (SURNAME, self.surname.to_string()),
            (GIVEN_NAMES, self.given_names.to_string()),
            (SEX, self.sex.code().to_string()),
            (DOB_DAY, self.date_of_birth.day().to_string()),
            (DOB_MONTH, self.date_of_birth.month().to_string()),
            (DOB_YEAR, self.date_of_birth.year().to_string()),
            (COUNTY_OF_BIRTH, self.county_of_birth.to_string()),
            (COUNTY_OF_RESIDENCE, self.county_of_residence.to_string()),
            (LOCATION, self.location.to_string()),
        ])
    }
}

pub fn birth_certificate_from_form(form: &Form) -> Result<BirthCertificateNumber, Vec<FieldIssue>> {
    let mut c = Checker::default();
    let number = c.read(form, BIRTH_CERTIFICATE, BirthCertificateNumber::parse);
    c.finish(number)
}

impl OtherDocuments {
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let passport = c.optional(form, PASSPORT, PassportNumber::parse);
        let kra_pin = c.optional(form, KRA_PIN, KraPin::parse);
        let nhif = c.optional(form, NHIF, NhifNumber::parse);
        let nssf = c.optional(form, NSSF, NssfNumber::parse);
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
            (PASSPORT, text(self.passport.clone().map(String::from))),
            (KRA_PIN, text(self.kra_pin.clone().map(String::from))),
            (NHIF, text(self.nhif.clone().map(String::from))),
            (NSSF, text(self.nssf.clone().map(String::from))),
        ])
    }
}

impl Contact {
    /// Server only: phone numbers are checked with libphonenumber's rules.
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let phone = c.read(form, PHONE, PhoneNumber::parse);
        let email = c.optional(form, EMAIL, EmailAddress::parse);
        let language = c.read(form, LANGUAGE, MessageLanguage::parse);
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
            (PHONE, self.phone.to_string()),
            (
                EMAIL,
                self.email.clone().map(String::from).unwrap_or_default(),
            ),
            (LANGUAGE, self.language.code().to_string()),
        ])
    }
}

impl Parent {
    fn from_form(c: &mut Checker, form: &Form, fields: ParentFields) -> Option<Parent> {
        match form.value(fields.status) {
            PARENT_KNOWN => {
                let name = c.read(form, fields.name, PersonName::parse);
                let id = c.read(form, fields.id, NationalIdNumber::parse);
                Some(Parent::Known {
                    name: name?,
                    id_number: id?,
                })
            }
            PARENT_DECEASED => Some(Parent::Deceased),
            PARENT_NOT_KNOWN => Some(Parent::NotKnown),
            _ => c.check(fields.status, Err(FieldError::ParentStatusMissing)),
        }
    }

    fn to_values(&self, fields: ParentFields, out: &mut BTreeMap<String, String>) {
        let (status, name, id) = match self {
            Parent::Known { name, id_number } => {
                (PARENT_KNOWN, name.to_string(), id_number.to_string())
            }
            Parent::Deceased => (PARENT_DECEASED, String::new(), String::new()),
            Parent::NotKnown => (PARENT_NOT_KNOWN, String::new(), String::new()),
        };
        out.insert(fields.status.to_string(), status.to_string());
        out.insert(fields.name.to_string(), name);
        out.insert(fields.id.to_string(), id);
    }
}

impl Parents {
    pub fn from_form(form: &Form) -> Result<Self, Vec<FieldIssue>> {
        let mut c = Checker::default();
        let mother = Parent::from_form(&mut c, form, MOTHER);
        let father = Parent::from_form(&mut c, form, FATHER);
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
        self.mother.to_values(MOTHER, &mut out);
        self.father.to_values(FATHER, &mut out);
        out
    }
}

fn values<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl Answers {
    /// The saved answer as the task's form values, for changing it.
    pub fn values_for(&self, task: Task) -> BTreeMap<String, String> {
        match task {
            Task::AboutYou => self.about_you.as_ref().map(AboutYou::to_values),
            Task::BirthCertificate => self
                .birth_certificate
                .as_ref()
                .map(|b| values([(BIRTH_CERTIFICATE, b.to_string())])),
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
}
