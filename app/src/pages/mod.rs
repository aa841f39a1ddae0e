//! One module per page.
pub mod account;
pub mod applications;
pub mod booking;
pub mod camera;
pub mod children;
pub mod eligibility;
pub mod home;
pub mod not_found;
pub mod privacy;
pub mod sign_in;
pub mod staff;
