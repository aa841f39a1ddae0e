-- Staff accounts get a lifecycle (disabled, a temporary password, sessions
-- ended by an administrator's action) and scoping fails closed: a CHECK
-- requires a centre for officers and supervisors.
--
-- SQLite cannot add a CHECK to a table, so the table is rebuilt, in SQL
-- both engines run alike: the new table is made beside the old one, rows
-- copied, the one table that refers to it (`booking_notes`) rebuilt to
-- refer to the new one, the old ones dropped and the new ones renamed
-- (both engines carry references along with a rename).
--
-- The lock-out moves out of the accounts into `staff_lockouts`, keyed by
-- the blind index of the email typed, so an unknown email is locked out
-- as a known one is (nothing tells which accounts exist).
CREATE TABLE staff_accounts_next (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    centre_id TEXT REFERENCES centres (id),
    password_hash TEXT NOT NULL,
    -- 1 while the password is one an operator set: it must be changed at
    -- the next sign-in before anything else is reachable.
    password_temporary BIGINT NOT NULL DEFAULT 0,
    totp_secret BYTEA,
    totp_enrolled_at BIGINT,
    totp_last_step BIGINT,
    -- Set while the account is disabled: no sign-in, no session.
    disabled_at BIGINT,
    -- Raised by every action that ends the member's sessions (a password
    -- set, an authenticator reset, disabling): a session signed in under
    -- an older value is refused.
    session_epoch BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT,
    CONSTRAINT staff_accounts_centre_fits_role CHECK (
        (role = 'administrator' AND centre_id IS NULL)
        OR (role IN ('officer', 'supervisor') AND centre_id IS NOT NULL)
    )
);
INSERT INTO staff_accounts_next
    (id, email, role, centre_id, password_hash, password_temporary, totp_secret,
     totp_enrolled_at, totp_last_step, disabled_at, session_epoch, created_at, last_sign_in_at)
SELECT id, email, role, centre_id, password_hash, 0, totp_secret,
       totp_enrolled_at, totp_last_step, NULL, 0, created_at, last_sign_in_at
FROM staff_accounts;

CREATE TABLE booking_notes_next (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL REFERENCES bookings (id),
    staff_id TEXT NOT NULL REFERENCES staff_accounts_next (id),
    note BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO booking_notes_next (id, booking_id, staff_id, note, created_at)
SELECT id, booking_id, staff_id, note, created_at FROM booking_notes;

DROP TABLE booking_notes;
DROP TABLE staff_accounts;
ALTER TABLE staff_accounts_next RENAME TO staff_accounts;
ALTER TABLE booking_notes_next RENAME TO booking_notes;
CREATE INDEX booking_notes_booking ON booking_notes (booking_id, created_at);

-- Consecutive wrong passwords or codes per email typed (blind index),
-- each try taken by one conditional upsert before it is checked.
CREATE TABLE staff_lockouts (
    email_index TEXT PRIMARY KEY,
    tries BIGINT NOT NULL,
    locked_until BIGINT
);
