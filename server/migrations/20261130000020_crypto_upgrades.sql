-- One-time upgrades of stored encrypted values, each recorded once done
-- (`crypto::keys::bind_to_rows`: values bound to their row, not only to
-- their column).
CREATE TABLE crypto_upgrades (
    name TEXT PRIMARY KEY,
    done_at BIGINT NOT NULL
);
