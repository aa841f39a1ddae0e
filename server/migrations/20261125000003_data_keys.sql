-- Data keys for field encryption, each wrapped (AES-256-GCM) by the master
-- key, which is never stored here. The highest id seals new values; older
-- keys stay until `usajili keys rotate` has re-encrypted every row.
CREATE TABLE data_keys (
    id BIGINT PRIMARY KEY,
    wrapped_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
