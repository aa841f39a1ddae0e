//! What an application's tasks save: one answer type per task, and
//! `Answers`, everything saved so far.

use super::Task;
use super::values::{Location, MessageLanguage, Sex};
use crate::dates::CivilDate;
use crate::identifiers::{
    BirthCertificateNumber, CountyCode, EmailAddress, KraPin, NationalIdNumber, NhifNumber,
    NssfNumber, PassportNumber, PersonName, PhoneNumber,
};
use serde::{Deserialize, Serialize};

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

/// What a USSD pre-registration asks (`Channel::Ussd`), beside the birth
/// certificate and the contact: the details the registry is asked about,
/// and where the person lives. The rest (sex, parents, documents, the
/// photo) is taken at the counter at enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreRegistration {
    pub surname: Option<PersonName>,
    pub given_names: Option<PersonName>,
    pub date_of_birth: Option<CivilDate>,
    pub county_of_residence: Option<CountyCode>,
}

/// Everything an application's tasks have saved so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub about_you: Option<AboutYou>,
    pub birth_certificate: Option<BirthCertificateNumber>,
    pub documents: Option<OtherDocuments>,
    pub contact: Option<Contact>,
    pub parents: Option<Parents>,
    /// A USSD pre-registration's details (absent on the web's).
    #[serde(default)]
    pub pre_registration: Option<PreRegistration>,
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

    /// The names and date of birth the registry is asked about: the web's
    /// "About you", else a USSD pre-registration's once all three are in.
    pub fn applicant(&self) -> Option<(&PersonName, &PersonName, CivilDate)> {
        if let Some(about) = &self.about_you {
            return Some((&about.surname, &about.given_names, about.date_of_birth));
        }
        let pre = self.pre_registration.as_ref()?;
        Some((
            pre.surname.as_ref()?,
            pre.given_names.as_ref()?,
            pre.date_of_birth?,
        ))
    }

    /// Whether a USSD pre-registration has everything it sends: the
    /// certificate, the registry's details, the county and the contact.
    pub fn pre_registration_done(&self) -> bool {
        self.birth_certificate.is_some()
            && self.contact.is_some()
            && self.applicant().is_some()
            && self
                .pre_registration
                .as_ref()
                .is_some_and(|p| p.county_of_residence.is_some())
    }
}
