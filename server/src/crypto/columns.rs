//! Every encrypted column, named once.
//!
//! A value is sealed with its column's AEAD context and its row's key
//! (`table.column.row`) as associated data, so a value copied into another
//! column or onto another row does not decrypt. The contexts and the row
//! keys are part of the stored format: changing one makes every value
//! already in that column unreadable.
//!
//! Beside them, the blind-index kinds used in more than one place.

/// An encrypted column and the context its values are sealed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub table: &'static str,
    pub column: &'static str,
    /// A text expression unique per row (the primary key) that key
    /// rotation reads batches in order of.
    pub key: &'static str,
    /// The column's part of the associated data: `table.column`.
    pub context: &'static str,
}

impl Column {
    /// The associated data of one row's value: `table.column.row`, where
    /// `row` is that row's [`Column::key`].
    pub fn bound_to(&self, row: &str) -> String {
        format!("{}.{row}", self.context)
    }
}

/// The row key of a child link ([`CHILD_LINK_DOCUMENT`]'s `key`, as Rust).
pub fn child_link_row(application: &str, account: &str) -> String {
    format!("{application}:{account}")
}

macro_rules! column {
    ($table:literal, $column:literal, $key:expr) => {
        Column {
            table: $table,
            column: $column,
            key: $key,
            context: concat!($table, ".", $column),
        }
    };
}

pub const ACCOUNT_CONTACT: Column = column!("accounts", "contact", "id");
pub const SIGN_IN_CODE_CONTACT: Column = column!("sign_in_codes", "contact", "id");
pub const APPLICATION_ANSWERS: Column = column!("applications", "answers", "id");
pub const APPLICATION_PHOTO: Column = column!("applications", "photo", "id");
pub const PENDING_APPLICANT: Column = column!("pending_verifications", "applicant", "id");
pub const OUTBOX_RECIPIENT: Column = column!("outbox", "recipient", "id");
pub const OUTBOX_BODY: Column = column!("outbox", "body", "id");
pub const IDENTITY_ID_NUMBER: Column = column!("account_identities", "id_number", "account_id");
pub const IDENTITY_NAMES: Column = column!("account_identities", "names", "account_id");
const CHILD_LINK_KEY: &str = "application_id || ':' || account_id";
pub const CHILD_LINK_DOCUMENT: Column = column!("child_links", "document", CHILD_LINK_KEY);
pub const CHILD_LINK_DOCUMENT_REFERENCE: Column =
    column!("child_links", "document_reference", CHILD_LINK_KEY);
pub const STAFF_TOTP_SECRET: Column = column!("staff_accounts", "totp_secret", "id");
pub const BOOKING_NOTE: Column = column!("booking_notes", "note", "id");

/// Every encrypted column (key rotation re-encrypts each of them).
pub const ENCRYPTED_COLUMNS: [Column; 13] = [
    ACCOUNT_CONTACT,
    SIGN_IN_CODE_CONTACT,
    APPLICATION_ANSWERS,
    APPLICATION_PHOTO,
    PENDING_APPLICANT,
    OUTBOX_RECIPIENT,
    OUTBOX_BODY,
    IDENTITY_ID_NUMBER,
    IDENTITY_NAMES,
    CHILD_LINK_DOCUMENT,
    CHILD_LINK_DOCUMENT_REFERENCE,
    STAFF_TOTP_SECRET,
    BOOKING_NOTE,
];

/// Blind-index kind of a citizen's contact (an E.164 phone or an address).
pub const CONTACT_INDEX: &str = "contact";
/// Blind-index kind of a national ID number.
pub const NATIONAL_ID_INDEX: &str = "national-id";
/// Blind-index kind of a birth certificate number.
pub const BIRTH_CERTIFICATE_INDEX: &str = "birth-certificate";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contexts_are_the_ones_stored_values_were_sealed_with() {
        let contexts = ENCRYPTED_COLUMNS.map(|c| c.context);
        assert_eq!(
            contexts,
            [
                "accounts.contact",
                "sign_in_codes.contact",
                "applications.answers",
                "applications.photo",
                "pending_verifications.applicant",
                "outbox.recipient",
                "outbox.body",
                "account_identities.id_number",
                "account_identities.names",
                "child_links.document",
                "child_links.document_reference",
                "staff_accounts.totp_secret",
                "booking_notes.note",
            ]
        );
        for column in ENCRYPTED_COLUMNS {
            assert_eq!(
                column.context,
                format!("{}.{}", column.table, column.column)
            );
        }
    }
}
