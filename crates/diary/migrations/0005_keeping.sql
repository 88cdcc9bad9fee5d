-- A diary people keep: visits entered by hand ('manual' origin and check-out), a note, when the
-- citizen corrected a visit, a folded search key (lower case, no accents: "ha noi" finds
-- "Hà Nội"; filled in by the app, which has the folding rules), and settings (how long the diary
-- keeps visits).
--
-- SQLite cannot change a CHECK constraint in place, so `visits` is rebuilt the way SQLite
-- documents (make, copy, drop, rename). Migrations run in one transaction on a connection with
-- foreign keys off (`Diary::open`), or dropping the old table would delete every alert with it.
CREATE TABLE visits_next (
    id                 INTEGER PRIMARY KEY,
    -- 'vd1' (this system's signed code), 'nz-covid-tracer', 'nhs-covid19', 'cwa', or 'manual'.
    origin             TEXT    NOT NULL,
    verified           INTEGER NOT NULL CHECK (verified IN (0, 1)),
    signature          TEXT    NOT NULL DEFAULT 'verified'
        CHECK (signature IN ('verified', 'unverified', 'unsigned')),
    venue_id           TEXT,
    name               TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    unit_code          INTEGER,
    sector             TEXT,
    usual_stay_minutes INTEGER,
    key_id             TEXT,
    authority          TEXT,
    code               TEXT,
    details            TEXT    NOT NULL DEFAULT '{}',
    time_in            INTEGER NOT NULL,
    time_out           INTEGER,
    -- 'tap' (Check out, or a time out the citizen set), 'next-scan', 'auto' (after the venue's
    -- usual stay), 'manual' (an entry made by hand, with both times).
    checkout           TEXT CHECK (checkout IN ('tap', 'next-scan', 'auto', 'manual')),
    note               TEXT    NOT NULL DEFAULT '',
    -- When the citizen last corrected the visit, or NULL.
    edited_at          INTEGER,
    search_key         TEXT    NOT NULL DEFAULT '',
    CHECK (time_out IS NULL OR time_out >= time_in),
    CHECK ((time_out IS NULL) = (checkout IS NULL)),
    CHECK ((origin = 'manual') = (checkout IS 'manual'))
);
INSERT INTO visits_next (id, origin, verified, signature, venue_id, name, address, unit_code,
                         sector, usual_stay_minutes, key_id, authority, code, details, time_in,
                         time_out, checkout)
    SELECT id, origin, verified, signature, venue_id, name, address, unit_code, sector,
           usual_stay_minutes, key_id, authority, code, details, time_in, time_out, checkout
    FROM visits;
DROP TABLE visits;
ALTER TABLE visits_next RENAME TO visits;
CREATE INDEX visits_by_time_in ON visits (time_in DESC, id DESC);
CREATE UNIQUE INDEX visits_one_open ON visits ((time_out IS NULL)) WHERE time_out IS NULL;

CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
