-- Cases, and the share requests a tracer opens for them (PostgreSQL). The same schema in SQLite's
-- dialect is migrations/sqlite/0002_cases.sql.

-- A case needs no citizen identity: a label and the tracer's notes.
CREATE TABLE cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE share_requests (
    -- The 16-byte request id, hex.
    id TEXT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- The short code read to the citizen, as XXXX-XXXX-XXXX.
    code TEXT NOT NULL UNIQUE,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- The signed request, as the app fetches it.
    signed TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    -- Set once, when a sealed diary answers the request.
    answered_at BIGINT,
    -- 'upload' (by the app) or 'file' (a .vdshare file handed over and uploaded by a tracer).
    delivered_via TEXT,
    -- The sealed diary, exactly as it came; opened only when a tracer views the case.
    sealed BYTEA
);
CREATE INDEX share_requests_case ON share_requests (case_id);
