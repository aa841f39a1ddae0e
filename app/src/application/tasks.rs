//! The tasks an application is made of, each a page with its own form.

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

#[cfg(test)]
mod tests {
    use super::*;

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
        for field in ["photo", "declaration", "contact"] {
            assert!(
                doc.contains(&format!("`{field}`")),
                "docs/DATA.md does not list `{field}`"
            );
        }
    }
}
