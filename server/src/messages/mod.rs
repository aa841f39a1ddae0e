//! Messages to citizens: a sign-in code, news of an application or an
//! appointment, a reminder. One room for all of it:
//!
//! - [`templates`]: what a message says ([`Message`]), in English and
//!   Kiswahili, one SMS long;
//! - [`outbox`]: the queue in the database. [`outbox::enqueue`] runs on the
//!   caller's connection, inside the transaction that makes the change the
//!   message announces, so a message is queued if and only if that change
//!   commits; recipient and text are encrypted at rest. Also delivery
//!   reports and the administrators' view;
//! - [`worker`]: [`OutboxWorker`], which claims due messages, sends them and
//!   retries with growing pauses;
//! - [`transport`]: how messages leave ([`Transport`]): a log in
//!   development, SMS through Africa's Talking, email over SMTP.
//!
//! What decides to send a message lives with that decision, above this
//! room: a handler, or a job such as `crate::reminders`.
//!
//! The server's own logs (tracing) name messages by id, kind, state and
//! attempt count only: never a recipient, a text or a code.

pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use templates::Message;
pub use transport::{Recipient, Transport};
pub use worker::OutboxWorker;
