-- The audit log: who did what to which record, when and from where,
-- appended and never edited. Each entry carries `hash`, an HMAC (under a
-- key derived from the master key) over its own fields and the previous
-- entry's hash, so `usajili audit verify` finds an edited or deleted row,
-- and a copy of the database alone cannot forge a consistent chain.
-- `seq` counts from 1 without gaps. It holds ids, never personal data.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    record_kind TEXT,
    record_id TEXT,
    source TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_kind, record_id);

-- When retention (or account deletion) erased an application's personal
-- data. The row keeps its id, reference, state and bookings, so the
-- consent ledger and the audit log still point at something.
ALTER TABLE applications ADD COLUMN erased_at BIGINT;
