-- Visits: one row per check-in. Times are Unix seconds in UTC; the UI shows them in local time.
CREATE TABLE visits (
    id                 INTEGER PRIMARY KEY,
    -- Which kind of code the visit came from: 'vd1' is this system's signed venue code v1.
    -- Foreign formats and manual entries get their own values in later migrations.
    origin             TEXT    NOT NULL,
    -- 1 when the code's signature was checked against a trusted key.
    verified           INTEGER NOT NULL CHECK (verified IN (0, 1)),
    venue_id           TEXT,
    name               TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    unit_code          INTEGER,
    sector             TEXT,
    usual_stay_minutes INTEGER,
    key_id             TEXT,
    authority          TEXT,
    -- The scanned text exactly as read, so the visit can be re-read or shared later.
    code               TEXT,
    time_in            INTEGER NOT NULL,
    time_out           INTEGER,
    -- How the visit was closed: 'tap' (Check out), 'next-scan' (checked in elsewhere), 'auto'.
    checkout           TEXT CHECK (checkout IN ('tap', 'next-scan', 'auto')),
    CHECK (time_out IS NULL OR time_out >= time_in),
    CHECK ((time_out IS NULL) = (checkout IS NULL))
);

CREATE INDEX visits_by_time_in ON visits (time_in DESC, id DESC);

-- At most one visit is open at a time: a partial unique index over a constant.
CREATE UNIQUE INDEX visits_one_open ON visits ((time_out IS NULL)) WHERE time_out IS NULL;
