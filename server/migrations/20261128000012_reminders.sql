-- Messages people act on.
-- `outbox.locale` is the language a message was written in (`en` or `sw`),
-- so an email transport can give it a subject and an HTML part in the same
-- language. It is not personal data.
ALTER TABLE outbox ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

-- Appointment reminders (`reminders`): when the day-before (18:00 Nairobi
-- time) and the morning reminders were queued for a booking, Unix seconds.
-- Each is set by the conditional update that claims the reminder, so a
-- reminder is queued once, however many server processes look.
ALTER TABLE bookings ADD COLUMN reminded_eve_at BIGINT;
ALTER TABLE bookings ADD COLUMN reminded_morning_at BIGINT;
