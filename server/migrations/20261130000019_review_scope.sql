-- Guardianship reviews: each document a claimant sends is a review of its
-- own (`review_id`, started at `review_started_at`); the first reviewer
-- to open it is recorded (`opened_at`, `opened_by`), and a document sent
-- after that starts a new review, so a decision is always on the document
-- the reviewer saw. Existing documents keep the claim's id as their
-- review's.
ALTER TABLE child_links ADD COLUMN review_id TEXT;
ALTER TABLE child_links ADD COLUMN review_started_at BIGINT;
ALTER TABLE child_links ADD COLUMN opened_at BIGINT;
ALTER TABLE child_links ADD COLUMN opened_by TEXT;
UPDATE child_links SET review_id = application_id, review_started_at = updated_at WHERE document IS NOT NULL;
CREATE UNIQUE INDEX child_links_review_id ON child_links (review_id);
