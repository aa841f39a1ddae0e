//! Citizens: signing in with a one-time code, and their applications.
//! Storage and rules only; the HTTP handlers are in `http::citizen`.

pub mod applications;
pub mod sign_in;
