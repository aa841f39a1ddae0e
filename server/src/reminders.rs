//! Appointment reminders, sent by text in the applicant's language: the
//! evening before (from 18:00 Nairobi time) and on the morning of the day
//! (from 07:00), for every live booking still waiting for its visit.
//!
//! A job looks every minute (registered in `startup.rs`); what it does is decided by
//! the time it is given ([`Reminders::send_due`]), so tests drive it with
//! any clock. Each reminder is claimed by a conditional update of its
//! booking (`reminded_eve_at` or `reminded_morning_at`, from NULL) in the
//! transaction that queues the message, so it is sent once however often
//! the job runs, and however many server processes run it.
//!
//! A reminder is skipped when it would add nothing: the evening one for a
//! booking made after 18:00 the evening before (its confirmation has just
//! arrived), the morning one for a booking made that morning, or once the
//! appointment has begun.

use crate::citizen::applications::Applications;
use crate::crypto::FieldCipher;
use crate::messages::Message;
use app::dates::CivilDate;
use app::i18n::Locale;
use sqlx::AnyPool;

/// The evening reminder, for tomorrow's appointments, from this minute of
/// the day (Nairobi time).
pub const EVENING_MINUTE: u16 = 18 * 60;
/// The morning reminder, for today's appointments, from this minute.
pub const MORNING_MINUTE: u16 = 7 * 60;

/// Which of the two reminders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The evening before, from 18:00.
    Evening,
    /// The morning of the day, from 07:00.
    Morning,
}

impl Which {
    /// The bookings column that records it was queued.
    fn column(self) -> &'static str {
        match self {
            Which::Evening => "reminded_eve_at",
            Which::Morning => "reminded_morning_at",
        }
    }

    /// The day whose appointments are due this reminder at `now`, and the
    /// moment it became due; `None` before that moment of the day.
    pub fn due(self, now: i64) -> Option<(CivilDate, i64)> {
        let today = CivilDate::in_nairobi_at(now);
        let (minute, day) = match self {
            Which::Evening => (EVENING_MINUTE, today.add_days(1)),
            Which::Morning => (MORNING_MINUTE, today),
        };
        (CivilDate::nairobi_minute_at(now) >= minute).then(|| (day, today.nairobi_unix_at(minute)))
    }
}

pub struct Reminders<'a> {
    pub db: &'a AnyPool,
    pub cipher: &'a FieldCipher,
}

impl Reminders<'_> {
    /// Queues every reminder due at `now` that has not been queued yet;
    /// returns how many.
    pub async fn send_due(&self, now: i64) -> anyhow::Result<usize> {
        let mut queued = 0;
        for which in [Which::Evening, Which::Morning] {
            if let Some((day, due_since)) = which.due(now) {
                queued += self.send(which, day, due_since, now).await?;
            }
        }
        Ok(queued)
    }

    async fn send(
        &self,
        which: Which,
        day: CivilDate,
        due_since: i64,
        now: i64,
    ) -> anyhow::Result<usize> {
        let column = which.column();
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(&format!(
            "SELECT b.id, b.application_id, b.slot, c.name AS centre FROM bookings b \
             JOIN centres c ON c.id = b.centre_id \
             WHERE b.day = $1 AND b.live = 1 AND b.status = 'booked' AND b.{column} IS NULL \
             AND b.created_at < $2 AND b.starts_at > $3 ORDER BY b.starts_at"
        ))
        .bind(day.to_string())
        .bind(due_since)
        .bind(now)
        .fetch_all(self.db)
        .await?;
        let applications = Applications {
            db: self.db,
            cipher: self.cipher,
        };
        let mut queued = 0;
        for (booking, application_id, slot, centre) in rows {
            let Some(app) = applications.load_for_staff(&application_id).await? else {
                continue;
            };
            let Some(reference) = app.reference.clone() else {
                continue;
            };
            // A number that sent STOP gets no reminders (the booking is
            // claimed all the same, so it is not looked at again).
            let stopped = crate::sms_inbound::reminders_stopped(self.db, self.cipher, &app).await?;
            let slot = crate::booking::bookings::stored_slot(slot)?;
            let message = Message::AppointmentReminder {
                reference,
                centre,
                day,
                slot,
                tomorrow: which == Which::Evening,
            };
            let mut tx = crate::db::begin(self.db).await?;
            let claimed = sqlx::query(&format!(
                "UPDATE bookings SET {column} = $1 WHERE id = $2 AND {column} IS NULL"
            ))
            .bind(now)
            .bind(&booking)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                // Another process claimed it first.
                tx.rollback().await?;
                continue;
            }
            if stopped {
                tx.commit().await?;
                continue;
            }
            applications
                .message(&mut tx, &app, &app.account_id, Locale::en, &message, now)
                .await?;
            tx.commit().await?;
            queued += 1;
        }
        if queued > 0 {
            crate::messages::outbox::wake_worker();
            tracing::info!(
                count = queued,
                reminder = column,
                "appointment reminders queued"
            );
        }
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: CivilDate, hour: u16, minute: u16) -> i64 {
        day.nairobi_unix_at(hour * 60 + minute)
    }

    #[test]
    fn the_evening_reminder_is_for_tomorrow_from_six_in_the_evening() {
        let day = CivilDate::new(2026, 12, 1).unwrap();
        assert_eq!(Which::Evening.due(at(day, 17, 59)), None);
        assert_eq!(
            Which::Evening.due(at(day, 18, 0)),
            Some((day.add_days(1), at(day, 18, 0)))
        );
        assert_eq!(
            Which::Evening.due(at(day, 23, 59)),
            Some((day.add_days(1), at(day, 18, 0)))
        );
        // After midnight it is the next evening's business.
        assert_eq!(Which::Evening.due(at(day.add_days(1), 0, 1)), None);
    }

    #[test]
    fn the_morning_reminder_is_for_today_from_seven() {
        let day = CivilDate::new(2026, 12, 31).unwrap();
        assert_eq!(Which::Morning.due(at(day, 6, 59)), None);
        assert_eq!(
            Which::Morning.due(at(day, 7, 0)),
            Some((day, at(day, 7, 0)))
        );
        assert_eq!(
            Which::Morning.due(at(day, 16, 30)),
            Some((day, at(day, 7, 0)))
        );
    }
}
