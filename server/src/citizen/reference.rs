//! A new application reference, the one a citizen quotes at the centre:
//! random, in the alphabet and shape `ApplicationReference` defines.

use app::identifiers::ApplicationReference;
use rand::RngCore as _;

/// A fresh random reference (uniqueness is the database's unique index).
pub(crate) fn new_reference() -> ApplicationReference {
    let mut values = [0u8; app::identifiers::application_reference::RANDOM_LEN];
    rand::rng().fill_bytes(&mut values);
    ApplicationReference::from_random(values.map(|v| v % 32))
}
