-- The local replica of the central population registry (IPRS): the
-- embedded default registry adapter, filled by `usajili registry import`.
-- Dates are ISO 8601 text; parent fields are empty where the birth record
-- names no parent.

CREATE TABLE registry_births (
    birth_cert_no TEXT PRIMARY KEY,
    surname TEXT NOT NULL,
    given_names TEXT NOT NULL,
    sex TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    county_code TEXT NOT NULL,
    mother_name TEXT,
    mother_id_no TEXT,
    father_name TEXT,
    father_id_no TEXT
);

CREATE TABLE registry_persons (
    id_no TEXT PRIMARY KEY,
    surname TEXT NOT NULL,
    given_names TEXT NOT NULL,
    sex TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    birth_cert_no TEXT,
    status TEXT NOT NULL
);

CREATE INDEX registry_persons_birth_cert ON registry_persons (birth_cert_no);
