-- Two-way SMS (`sms_inbound`): the numbers that sent STOP, by their contact
-- blind index (never the number). The reminder job sends no reminder to a
-- number here; card-ready and sign-in messages still go.
CREATE TABLE sms_stops (
    contact_index TEXT PRIMARY KEY,
    stopped_at BIGINT NOT NULL
);
