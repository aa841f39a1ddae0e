//! Citizens: signing in with a one-time code, their applications, and their
//! rights over their account (a copy of their data, deletion).
//! Storage and rules only; the HTTP handlers are in `http::citizen`.

pub mod account;
pub mod applications;
pub mod children;
pub mod contact_index;
pub mod reference;
pub mod sign_in;
pub mod submission;
pub mod uploads;
