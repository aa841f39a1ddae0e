//! Pieces shared by many pages.
pub mod error_summary;
pub mod fields;
pub mod in_place;
pub mod layout;
pub mod live_check;
pub mod status;
pub mod tries_used;
