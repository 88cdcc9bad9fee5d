-- Exposure notices a tracer makes from a case's shared visits (PostgreSQL; the SQLite dialect is
-- migrations/sqlite/0003_exposures.sql). The published list names venues only by hash; the
-- venue id stays here, for staff.
CREATE TABLE exposure_notices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    venue_id TEXT NOT NULL,
    window_from BIGINT NOT NULL,
    window_to BIGINT NOT NULL,
    -- 'monitor' or 'test'
    level TEXT NOT NULL,
    advice_vi TEXT NOT NULL,
    advice_en TEXT NOT NULL,
    -- 'draft', 'published' or 'retracted'
    state TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    -- The list sequence at which the notice was last published or retracted.
    changed_seq BIGINT
);
CREATE INDEX exposure_notices_case ON exposure_notices (case_id);
CREATE INDEX exposure_notices_changed ON exposure_notices (changed_seq);

-- The published list's sequence number: one row, raised by every publish and retract.
CREATE TABLE exposure_list (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    sequence BIGINT NOT NULL,
    issued BIGINT NOT NULL
);
INSERT INTO exposure_list (id, sequence, issued) VALUES (1, 0, 0);
