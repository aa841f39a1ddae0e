-- Per-connection limits that hold under races (`rate_limit`).
--
-- One row per bucket (a keyed hash of a connection's address) counted in
-- the last window. A request first writes its bucket's row and holds it
-- until it commits, so counting the bucket's recent events and adding one
-- is done one request at a time for a bucket, by every server process
-- alike. Rows untouched for a day are deleted by the sign-in sweep.
CREATE TABLE rate_limit_holds (
    bucket TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);
CREATE INDEX rate_limit_holds_touched ON rate_limit_holds (touched_at);
