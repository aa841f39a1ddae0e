-- Daily sign-in limits per contact (`citizen::sign_in`).
--
-- One row per contact that has asked for a code in the last 24 hours, keyed
-- by the contact's blind index (a keyed hash, never the phone number or
-- address). Every request for a code and every try of a code first writes
-- its contact's row and holds that row until it commits, so the checks that
-- follow (codes asked for and wrong tries in the last 24 hours, counted from
-- `sign_in_codes`) are made one at a time for a contact, by every server
-- process alike. Rows untouched for 24 hours are deleted by the sign-in
-- sweep.
CREATE TABLE sign_in_contacts (
    contact_index TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);
CREATE INDEX sign_in_contacts_touched ON sign_in_contacts (touched_at);
