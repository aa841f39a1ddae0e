-- Centres' capacity rules, closures and bookings.
--
-- Slots are not stored: they are computed from a centre's hours, its
-- minutes per appointment and its closures whenever someone looks, so a
-- change is bookable at once. A booking holds one seat (0 to counters-1)
-- of one slot; the unique index on live seats is what makes overbooking
-- impossible, on either engine and with any number of server processes.

-- Appointment rules per centre. Staff supervisors edit them later.
ALTER TABLE centres ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN counters BIGINT NOT NULL DEFAULT 4;
ALTER TABLE centres ADD COLUMN slot_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE centres ADD COLUMN horizon_days BIGINT NOT NULL DEFAULT 30;

-- Until staff enter the street address, the line names the centre's county.
UPDATE centres SET address = (SELECT name FROM counties WHERE counties.code = centres.county_code) || ' County';

-- Opening hours: one row per centre and open weekday (0 Monday .. 6
-- Sunday), in minutes after midnight, Nairobi time. No row: closed.
CREATE TABLE centre_hours (
    centre_id TEXT NOT NULL REFERENCES centres (id),
    weekday BIGINT NOT NULL,
    opens BIGINT NOT NULL,
    closes BIGINT NOT NULL,
    PRIMARY KEY (centre_id, weekday)
);

-- Monday to Friday 08:00-17:00, Saturday 08:00-13:00.
INSERT INTO centre_hours (centre_id, weekday, opens, closes)
SELECT id, 0, 480, 1020 FROM centres
UNION ALL SELECT id, 1, 480, 1020 FROM centres
UNION ALL SELECT id, 2, 480, 1020 FROM centres
UNION ALL SELECT id, 3, 480, 1020 FROM centres
UNION ALL SELECT id, 4, 480, 1020 FROM centres
UNION ALL SELECT id, 5, 480, 780 FROM centres;

-- Closures entered by staff (Idd-ul-Fitr, a power cut, a staff day): for
-- one centre, or every centre when centre_id is NULL; the whole day when
-- starts/ends are NULL, else minutes after midnight. Public holidays with
-- fixed rules are computed (`app::calendar`), not stored.
CREATE TABLE closures (
    id TEXT PRIMARY KEY,
    centre_id TEXT REFERENCES centres (id),
    day TEXT NOT NULL,
    starts BIGINT,
    ends BIGINT,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX closures_day ON closures (day);

-- Seat numbers to pick a free seat from (up to 64 counters per centre).
CREATE TABLE seat_numbers (n BIGINT PRIMARY KEY);
INSERT INTO seat_numbers (n) VALUES
    (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15),
    (16), (17), (18), (19), (20), (21), (22), (23), (24), (25), (26), (27), (28), (29), (30), (31),
    (32), (33), (34), (35), (36), (37), (38), (39), (40), (41), (42), (43), (44), (45), (46), (47),
    (48), (49), (50), (51), (52), (53), (54), (55), (56), (57), (58), (59), (60), (61), (62), (63);

-- Where a ready card waits (set when staff mark it ready).
ALTER TABLE applications ADD COLUMN card_centre_id TEXT REFERENCES centres (id);

-- Bookings. `live` is 1 while the booking holds its seat; cancelling or
-- moving it sets 0 and keeps the row as history. `family_id` groups the
-- bookings made together in one family request.
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    centre_id TEXT NOT NULL REFERENCES centres (id),
    day TEXT NOT NULL,
    slot BIGINT NOT NULL,
    seat BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    live BIGINT NOT NULL,
    status TEXT NOT NULL,
    family_id TEXT,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);

-- No two live bookings share a seat: the capacity guarantee.
CREATE UNIQUE INDEX bookings_live_seat ON bookings (centre_id, day, slot, seat) WHERE live = 1;
-- One live booking per application and kind: a double-clicked Book makes one.
CREATE UNIQUE INDEX bookings_live_kind ON bookings (application_id, kind) WHERE live = 1;
CREATE INDEX bookings_centre_day ON bookings (centre_id, day);
