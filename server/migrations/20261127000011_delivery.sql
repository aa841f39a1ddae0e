-- Delivery tracking for the outbox. `provider_id` is the provider's id for a
-- message it accepted (Africa's Talking's `messageId`), which its delivery
-- reports name; `delivered_at` is when a report said the message reached
-- the handset (Unix seconds). `state` gains `delivered`, after `sent`; a
-- report that a sent message will not arrive makes it `failed`, with the
-- provider's reason (`delivery failed: UserInBlacklist`) in `last_error`.
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;

CREATE INDEX outbox_provider ON outbox (provider_id);
