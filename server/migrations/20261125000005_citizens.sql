-- Citizens: accounts, sign-in codes, sessions, applications and consents.
--
-- Personal data is encrypted by the application before it is written
-- (AES-256-GCM, `crypto::FieldCipher`); the columns named `*_index` hold
-- keyed hashes (blind indexes) so that a value can be found without being
-- stored. Times are Unix seconds.

-- A citizen's account is their phone number or email address, nothing more.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    contact_index TEXT NOT NULL UNIQUE,
    contact BYTEA NOT NULL,
    contact_kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT
);

-- One-time sign-in codes: only a keyed hash of each code is kept, and the
-- contact it was sent to, encrypted, to open the account once it is used.
CREATE TABLE sign_in_codes (
    id TEXT PRIMARY KEY,
    contact_index TEXT NOT NULL,
    contact BYTEA NOT NULL,
    code_hash TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sign_in_codes_contact ON sign_in_codes (contact_index, created_at);

-- Requests counted for rate limits; `bucket` is a keyed hash (of an IP
-- address, say), never the address itself. Rows older than the window
-- are deleted by the sign-in sweep (`citizen::sign_in::sweep`).
CREATE TABLE rate_limit_events (
    bucket TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rate_limit_events_bucket ON rate_limit_events (bucket, created_at);

-- Server-side sessions (tower-sessions with our store). `id` is the SHA-256
-- of the cookie's session id, so a copy of this table cannot be replayed.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- An application: the answers to its tasks, encrypted as one document, and
-- its state. `reference` is given at submission. `active_birth_cert_index`
-- holds the blind index of the birth certificate while an adult application
-- is active (NULL otherwise), so the unique index allows one at a time.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    answers BYTEA NOT NULL,
    photo BYTEA,
    reference TEXT UNIQUE,
    active_birth_cert_index TEXT UNIQUE,
    attention TEXT,
    pending_verification_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT
);
CREATE INDEX applications_account ON applications (account_id, created_at);

-- The consent ledger: who consented, to what, for which application, under
-- which version of the notice, when and how; and its withdrawal.
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    application_id TEXT NOT NULL REFERENCES applications (id),
    purpose TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    method TEXT NOT NULL,
    given_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX consents_application ON consents (application_id);
