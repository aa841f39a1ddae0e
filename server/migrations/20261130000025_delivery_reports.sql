-- Delivery reports kept until the message they are about has been recorded
-- as `sent`: the provider can report a delivery before its answer to the
-- send reaches the worker (or before the worker has written it down), and
-- such a report must be applied, not dropped. One row per provider id, the
-- first report winning; a row applied to a message goes, and the rest are
-- purged with the messages by the retention job.
CREATE TABLE delivery_reports (
    provider_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    reason TEXT,
    received_at BIGINT NOT NULL
);
