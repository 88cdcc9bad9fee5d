-- Exposure lists downloaded from the trusted authorities, the notices they hold, and the alerts
-- matching raised. Matching happens here, on the phone; nothing about it leaves the phone.
CREATE TABLE exposure_lists (
    authority  TEXT    PRIMARY KEY,
    sequence   INTEGER NOT NULL,
    etag       TEXT,
    fetched_at INTEGER NOT NULL
);

CREATE TABLE exposure_notices (
    authority   TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    venue_hash  BLOB    NOT NULL,
    window_from INTEGER NOT NULL,
    window_to   INTEGER NOT NULL,
    level       TEXT    NOT NULL,
    advice_vi   TEXT    NOT NULL,
    advice_en   TEXT    NOT NULL,
    PRIMARY KEY (authority, id)
);

-- One alert per visit and notice that match. A retracted notice takes its alerts with it.
CREATE TABLE alerts (
    authority  TEXT    NOT NULL,
    notice_id  INTEGER NOT NULL,
    visit_id   INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    -- 1 once the phone has shown a notification for it (shown once only).
    notified   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (authority, notice_id, visit_id)
);
