-- Staff of the Huduma Centres: accounts, their second factor, the work
-- they record on bookings, and where the audit log's entries belong.

-- A staff account. `role` is officer, supervisor or administrator;
-- officers and supervisors belong to one centre, administrators to none.
-- The password is an argon2id PHC string; the TOTP secret is encrypted
-- (`crypto::FieldCipher`) and `totp_last_step` refuses a code used twice.
-- `failed_attempts` and `locked_until` are the lock-out.
CREATE TABLE staff_accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    centre_id TEXT REFERENCES centres (id),
    password_hash TEXT NOT NULL,
    totp_secret BYTEA,
    totp_enrolled_at BIGINT,
    totp_last_step BIGINT,
    failed_attempts BIGINT NOT NULL,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT
);

-- What happened at the counter, each set once by the transition that
-- records it (`staff::desk`).
ALTER TABLE bookings ADD COLUMN checked_in_at BIGINT;
ALTER TABLE bookings ADD COLUMN documents_verified_at BIGINT;
ALTER TABLE bookings ADD COLUMN biometrics_captured_at BIGINT;
ALTER TABLE bookings ADD COLUMN identity_confirmed_at BIGINT;
ALTER TABLE bookings ADD COLUMN handed_over_at BIGINT;
CREATE INDEX bookings_due ON bookings (status, starts_at);

-- Short notes an officer adds to a booking; the text is encrypted.
CREATE TABLE booking_notes (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL REFERENCES bookings (id),
    staff_id TEXT NOT NULL REFERENCES staff_accounts (id),
    note BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_notes_booking ON booking_notes (booking_id, created_at);

-- The centre an audit entry belongs to (supervisors see their centre's
-- trail). Part of the entry's hash when set; older entries have none.
ALTER TABLE audit_log ADD COLUMN centre_id TEXT;
CREATE INDEX audit_log_centre ON audit_log (centre_id, seq);
