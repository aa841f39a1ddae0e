-- The blind index of an application's contact phone (the `contact` answer),
-- the same keyed hash `accounts.contact_index` and `ussd_numbers` hold for
-- a number: a USSD session or a text from that number finds the
-- applications naming it as their contact (`Applications::
-- visible_to_number`), whichever account made them. Written with the
-- answers each time they are saved; NULL where the answers name no phone
-- (a child's application, an erased one).
--
-- The index is keyed (HMAC under a key derived from the master key), so
-- this SQL cannot fill it in for the rows already here: each server does,
-- once, at start-up (`citizen::contact_index::fill_in`, recorded in
-- `crypto_upgrades` as `application-contact-index` when a pass finds
-- nothing left to fill).
ALTER TABLE applications ADD COLUMN contact_index TEXT;
CREATE INDEX applications_contact_index ON applications (contact_index);
