-- How an application was made (`app::application::Channel`): `web`, or
-- `ussd` for a pre-registration by USSD, whose photo is taken at the
-- counter at enrolment (the staff console says so). Every application
-- before this one came by the web.
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
