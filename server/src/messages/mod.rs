//! Messages to citizens: the outbox that queues them, the transports that
//! deliver them (SMS, email, or a log in development) and the appointment
//! reminders.

pub mod outbox;
pub mod reminders;
pub mod transport;
