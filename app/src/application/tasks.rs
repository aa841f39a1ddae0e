//! The tasks an application is made of, each a page with its own form.

use super::fields::{
    BIRTH_CERTIFICATE, COUNTY_OF_BIRTH, COUNTY_OF_RESIDENCE, DOB_DAY, DOB_MONTH, DOB_YEAR, EMAIL,
    FATHER, GIVEN_NAMES, KRA_PIN, LANGUAGE, LOCATION, MOTHER, NHIF, NSSF, PASSPORT, PHONE, SEX,
    SURNAME,
};
use serde::{Deserialize, Serialize};

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
        const PARENTS: [&str; 6] = [
            MOTHER.status,
            MOTHER.name,
            MOTHER.id,
            FATHER.status,
            FATHER.name,
            FATHER.id,
        ];
        match self {
            Task::AboutYou => &[
                SURNAME,
                GIVEN_NAMES,
                SEX,
                DOB_DAY,
                DOB_MONTH,
                DOB_YEAR,
                COUNTY_OF_BIRTH,
                COUNTY_OF_RESIDENCE,
                LOCATION,
            ],
            Task::BirthCertificate => &[BIRTH_CERTIFICATE],
            Task::Documents => &[PASSPORT, KRA_PIN, NHIF, NSSF],
            Task::Contact => &[PHONE, EMAIL, LANGUAGE],
            Task::Parents => &PARENTS,
            Task::Photo => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::fields::{DECLARATION, PHOTO};

    #[test]
    fn docs_data_md_lists_every_field_the_form_collects() {
        let doc = include_str!("../../../docs/DATA.md");
        for task in Task::ALL {
            for field in task.fields() {
                assert!(
                    doc.contains(&format!("`{field}`")),
                    "docs/DATA.md does not list `{field}`"
                );
            }
        }
        for field in [PHOTO, DECLARATION, "contact"] {
            assert!(
                doc.contains(&format!("`{field}`")),
                "docs/DATA.md does not list `{field}`"
            );
        }
    }
}
