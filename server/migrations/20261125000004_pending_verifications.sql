-- Verifications against the population registry that could not be
-- completed because the registry was unavailable, and their outcomes once
-- a background job has retried them. `subject` names what was verified by
-- id only (e.g. `application:<id>`). `applicant` is the encrypted copy of
-- what the applicant typed, needed only until the retry succeeds: it is
-- emptied as soon as there is an outcome.
CREATE TABLE pending_verifications (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    applicant BYTEA NOT NULL,
    outcome TEXT,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX pending_verifications_due ON pending_verifications (outcome, next_attempt_at);
CREATE INDEX pending_verifications_subject ON pending_verifications (subject);
