-- Cases, and the share requests a tracer opens for them (SQLite). The same schema in PostgreSQL's
-- dialect is migrations/postgres/0002_cases.sql.

-- A case needs no citizen identity: a label and the tracer's notes.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE share_requests (
    -- The 16-byte request id, hex.
    id TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    -- The short code read to the citizen, as XXXX-XXXX-XXXX.
    code TEXT NOT NULL UNIQUE,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    -- The signed request, as the app fetches it.
    signed TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- Set once, when a sealed diary answers the request.
    answered_at INTEGER,
    -- 'upload' (by the app) or 'file' (a .vdshare file handed over and uploaded by a tracer).
    delivered_via TEXT,
    -- The sealed diary, exactly as it came; opened only when a tracer views the case.
    sealed BLOB
);
CREATE INDEX share_requests_case ON share_requests (case_id);
