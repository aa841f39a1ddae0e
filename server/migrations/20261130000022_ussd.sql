-- USSD (`ussd::store`): the phone numbers that use it and their sessions.
--
-- A number is kept only as its contact blind index (a keyed hash, the same
-- `accounts.contact_index` holds), never as the number itself. Its PIN is
-- an argon2id hash. Wrong PINs are counted per Nairobi day (`wrong_day`,
-- `YYYY-MM-DD`) by one conditional update per try, so three wrong tries
-- lock the number for the rest of that day in every server process.
CREATE TABLE ussd_numbers (
    contact_index TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    pin_hash TEXT,
    wrong_pins BIGINT NOT NULL DEFAULT 0,
    wrong_day TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per session the network opened, keyed by its `sessionId` AND
-- the number that dialled: the same `sessionId` from another number is
-- another session (a fresh screen), never this one. `state` is the
-- screen and the choices made (ids and codes, no personal data);
-- `consumed` is how many `*`-separated inputs of the network's `text`
-- have been answered. A row past `expires_at` is a new session; the
-- last one of a number, if it ended part-way less than 10 minutes ago,
-- is offered to resume.
CREATE TABLE ussd_sessions (
    session_id TEXT NOT NULL,
    contact_index TEXT NOT NULL,
    state TEXT NOT NULL,
    consumed BIGINT NOT NULL,
    finished BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, contact_index)
);
CREATE INDEX ussd_sessions_contact ON ussd_sessions (contact_index, updated_at);
CREATE INDEX ussd_sessions_expires ON ussd_sessions (expires_at);
