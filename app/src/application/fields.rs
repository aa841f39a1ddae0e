//! The names of the citizen's form fields: the application's tasks, its
//! photo and declaration, and the children's pages. The page names its
//! inputs with these and the server reads the posted form by them, so the
//! two cannot drift apart. A name is also its input's id (the error summary
//! links to it) and the field a problem is reported under.

// About you; the children's pages ask for the same names and date of birth.
pub const SURNAME: &str = "surname";
pub const GIVEN_NAMES: &str = "given-names";
pub const SEX: &str = "sex";
/// The date of birth as a group: its problem is reported under this name,
/// and `components::fields::date_fields` names its three inputs
/// `{DOB}-day`, `{DOB}-month` and `{DOB}-year`, the three below.
pub const DOB: &str = "dob";
pub const DOB_DAY: &str = "dob-day";
pub const DOB_MONTH: &str = "dob-month";
pub const DOB_YEAR: &str = "dob-year";
pub const COUNTY_OF_BIRTH: &str = "county-of-birth";
pub const COUNTY_OF_RESIDENCE: &str = "county-of-residence";
pub const LOCATION: &str = "location";

// The birth certificate, also the child's on "Register a child".
pub const BIRTH_CERTIFICATE: &str = "birth-certificate";

// Other documents.
pub const PASSPORT: &str = "passport";
pub const KRA_PIN: &str = "kra-pin";
pub const NHIF: &str = "nhif";
pub const NSSF: &str = "nssf";

// Contact.
pub const PHONE: &str = "phone";
pub const EMAIL: &str = "email";
pub const LANGUAGE: &str = "language";

/// A parent's three fields on the parents task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParentFields {
    /// Known, deceased or not known: one of the `PARENT_*` values below.
    pub status: &'static str,
    pub name: &'static str,
    pub id: &'static str,
}

pub const MOTHER: ParentFields = ParentFields {
    status: "mother-status",
    name: "mother-name",
    id: "mother-id",
};
pub const FATHER: ParentFields = ParentFields {
    status: "father-status",
    name: "father-name",
    id: "father-id",
};

// The values of a parent's status field.
pub const PARENT_KNOWN: &str = "known";
pub const PARENT_DECEASED: &str = "deceased";
pub const PARENT_NOT_KNOWN: &str = "not-known";

// The photo task's upload, and the declaration's checkbox.
pub const PHOTO: &str = "photo";
pub const DECLARATION: &str = "declaration";

// The children's pages: the adult's own ID ("Confirm who you are"), how
// they relate to the child, the guardianship document and the consent.
pub const ID_NUMBER: &str = "id-number";
pub const RELATIONSHIP: &str = "relationship";
// The values of the relationship field.
pub const RELATIONSHIP_PARENT: &str = "parent";
pub const RELATIONSHIP_GUARDIAN: &str = "guardian";
pub const DOCUMENT_REFERENCE: &str = "document-reference";
pub const DOCUMENT: &str = "document";
pub const CONSENT: &str = "consent";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_of_birth_inputs_are_named_as_the_date_fields_name_them() {
        assert_eq!(DOB_DAY, format!("{DOB}-day"));
        assert_eq!(DOB_MONTH, format!("{DOB}-month"));
        assert_eq!(DOB_YEAR, format!("{DOB}-year"));
    }

    #[test]
    fn the_wire_names_stay_as_they_are() {
        // Pages already served, scripts and bookmarks post these names.
        assert_eq!(GIVEN_NAMES, "given-names");
        assert_eq!(
            [MOTHER.status, MOTHER.name, MOTHER.id],
            ["mother-status", "mother-name", "mother-id"]
        );
        assert_eq!(
            [FATHER.status, FATHER.name, FATHER.id],
            ["father-status", "father-name", "father-id"]
        );
    }
}
