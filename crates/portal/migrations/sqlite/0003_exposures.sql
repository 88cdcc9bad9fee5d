-- Exposure notices a tracer makes from a case's shared visits (SQLite; the PostgreSQL dialect is
-- migrations/postgres/0003_exposures.sql). The published list names venues only by hash; the
-- venue id stays here, for staff.
CREATE TABLE exposure_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    venue_id TEXT NOT NULL,
    window_from INTEGER NOT NULL,
    window_to INTEGER NOT NULL,
    -- 'monitor' or 'test'
    level TEXT NOT NULL,
    advice_vi TEXT NOT NULL,
    advice_en TEXT NOT NULL,
    -- 'draft', 'published' or 'retracted'
    state TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- The list sequence at which the notice was last published or retracted.
    changed_seq INTEGER
);
CREATE INDEX exposure_notices_case ON exposure_notices (case_id);
CREATE INDEX exposure_notices_changed ON exposure_notices (changed_seq);

-- The published list's sequence number: one row, raised by every publish and retract.
CREATE TABLE exposure_list (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sequence INTEGER NOT NULL,
    issued INTEGER NOT NULL
);
INSERT INTO exposure_list (id, sequence, issued) VALUES (1, 0, 0);
