-- The outbox: messages to citizens (sign-in codes, news of an application),
-- queued here, often in the same transaction as the change they announce,
-- and delivered by a background worker that retries with growing pauses.
--
-- `recipient` and `body` are encrypted by the application (AES-256-GCM,
-- `crypto::FieldCipher`). `body` is set to NULL once the message is sent or
-- has finally failed, so that sign-in codes do not linger. `kind` names the
-- message (`sign_in_code`, `application_submitted`…), never its content;
-- `last_error` is a short reason from the transport, without personal data.
-- `state` is `pending`, `sending` (claimed by a worker until
-- `next_attempt_at`), `sent` or `failed`. Times are Unix seconds.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient BYTEA NOT NULL,
    body BYTEA,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
