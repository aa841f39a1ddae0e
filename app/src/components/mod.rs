//! Pieces shared by many pages.
pub mod error_summary;
pub mod layout;
pub mod fields;
pub mod live_check;
pub mod in_place;
