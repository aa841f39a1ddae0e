-- Attempt limits on matching details with the population registry
-- (`registry::attempts`), and one answer for every mismatch.
--
-- `registry_tries`: a fixed number of slots per bucket (a bucket is an
-- account, `account:<id>`, or an identifier, `id:<blind index>` for an ID
-- number and `birth:<blind index>` for a birth certificate: a keyed hash,
-- never the number). A try takes a slot with one conditional upsert, only
-- where the slot's last use (`used_at`) is at least 24 hours old; a slot
-- given back (a match, an unreachable registry) or reset by a supervisor is
-- set to 0. So every server process counts in the same rows, and
-- concurrent tries can never take more slots than there are.
CREATE TABLE registry_tries (
    bucket TEXT NOT NULL,
    slot BIGINT NOT NULL,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, slot)
);
CREATE INDEX registry_tries_used ON registry_tries (used_at);

-- The per-field answers (not found, surname, given names, date of birth,
-- cannot verify online) became one: rows stored before keep loading.
UPDATE applications SET attention = 'registry_mismatch'
WHERE attention IN ('surname', 'given_names', 'date_of_birth',
                    'birth_certificate_not_found', 'cannot_verify_online');
UPDATE pending_verifications SET outcome = '"Mismatch"'
WHERE outcome IN ('{"NameMismatch":"Surname"}', '{"NameMismatch":"GivenNames"}',
                  '"DateOfBirthMismatch"', '"NotFound"', '"Deceased"');
