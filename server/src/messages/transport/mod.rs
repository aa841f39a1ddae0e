//! The transports that carry messages out of the outbox: SMS through
//! Africa's Talking, email over SMTP.

pub mod email;
pub mod sms;
