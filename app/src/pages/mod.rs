//! One module per page.
pub mod camera;
pub mod eligibility;
pub mod home;
pub mod not_found;
pub mod privacy;
