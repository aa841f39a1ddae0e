//! Huduma Centres, their capacity, and bookings.
//!
//! - `centres`: the centres, their rules (hours, counters, minutes per
//!   appointment, horizon) and closures, as stored.
//! - `schedule`: the slots those rules give on a day (pure, no database).
//! - `bookings`: taking, moving and giving up seats, each in one
//!   transaction that cannot exceed capacity.
//! - `eligibility`: what an application may book, where, and with whom.

pub mod bookings;
pub mod centres;
pub mod eligibility;
pub mod schedule;
