-- One photo upload in flight per account, in every process: the upload
-- holds its account's row while its photo is decoded. A row left by a
-- process that died is taken over once it is a minute old.
CREATE TABLE uploads_in_flight (
    account_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
