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

/// Everything an application's tasks have saved so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub about_you: Option<AboutYou>,
    pub birth_certificate: Option<BirthCertificateNumber>,
    pub documents: Option<OtherDocuments>,
    pub contact: Option<Contact>,
    pub parents: Option<Parents>,
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
}
