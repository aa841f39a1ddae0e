//! The outbox: messages to citizens, queued in the database and delivered by a background worker.
