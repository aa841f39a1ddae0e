-- Parents and guardians register minors (6 to 17).

-- A death registered against a birth record; NULL (older exports) is alive.
ALTER TABLE registry_births ADD COLUMN status TEXT;

-- An adult who has proved who they are: their ID number and names matched
-- the registry's person record. One account per ID number (the blind index
-- is unique). The names are encrypted; the ID number too, with its index.
CREATE TABLE account_identities (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    id_number_index TEXT NOT NULL UNIQUE,
    id_number BYTEA NOT NULL,
    names BYTEA NOT NULL,
    verified_at BIGINT NOT NULL
);

-- Who may act for a child's application, and on what ground: `role` is
-- mother, father (proven: their ID is on the birth record) or guardian
-- (a document, reviewed by a centre supervisor). `status`: proven,
-- needs_document, pending_review, approved, rejected, withdrawn. The
-- document and its reference are encrypted. What each adult consented to
-- and when is in the consent ledger (`consents`), which is only appended to.
CREATE TABLE child_links (
    application_id TEXT NOT NULL REFERENCES applications (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    consented BIGINT NOT NULL,
    document BYTEA,
    document_type TEXT,
    document_reference BYTEA,
    review_reason TEXT,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, account_id)
);
CREATE INDEX child_links_account ON child_links (account_id);
CREATE INDEX child_links_review ON child_links (status, created_at);

-- The consent ledger becomes append-only: a withdrawal is a new row
-- (`action` = 'withdrawn'), never an edit. `role` says in what capacity
-- (self for an adult's own application; mother, father or guardian).
ALTER TABLE consents ADD COLUMN action TEXT NOT NULL DEFAULT 'given';
ALTER TABLE consents ADD COLUMN role TEXT NOT NULL DEFAULT 'self';
