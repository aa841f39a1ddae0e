-- When `usajili audit verify` last found the audit chain intact. The
-- command runs apart from the servers (from a timer, say); the servers read
-- this row when scraped, so the monitoring can warn when the chain has not
-- been checked for a day (`usajili_audit_last_verified_timestamp_seconds`,
-- deploy/prometheus/alerts.yml). One row per chain (only `audit_log`
-- today), replaced at each successful run. Times are Unix seconds.
CREATE TABLE audit_verifications (
    chain TEXT PRIMARY KEY,
    verified_at BIGINT NOT NULL,
    entries BIGINT NOT NULL
);
