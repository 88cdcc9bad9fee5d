-- What left the phone in each share: the visits sealed, copied as they went into the sealed
-- plaintext (not pointers to visits the citizen may later correct or delete). A copy goes when
-- its visit would have (retention by the visit's time), and all go with their share (deleted
-- with it, by retention on the share's date, and with the whole diary). Shares logged before
-- this migration have `list_kept` 0: their list was not kept, only their count.
ALTER TABLE shares ADD COLUMN list_kept INTEGER NOT NULL DEFAULT 0;

CREATE TABLE share_visits (
    share_id INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    -- The order in the sealed diary (oldest first).
    position INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    unit     INTEGER,
    venue_id TEXT,
    -- 'vd1', 'nz-covid-tracer', 'nhs-covid19', 'cwa' or 'manual', as sealed.
    origin   TEXT    NOT NULL,
    time_in  INTEGER NOT NULL,
    time_out INTEGER,
    PRIMARY KEY (share_id, position)
);
