-- The portal's first schema (SQLite). migrations/postgres/0001_portal.sql is the same schema in
-- PostgreSQL's dialect; the two are kept in step, and one test suite runs against both.
-- Times are Unix seconds (UTC). Flags are 0/1 integers in both dialects.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- Comma-separated: admin, registrar, tracer, reporter.
    roles TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

-- Only a hash of each session token is kept, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per account ('user:<name>') and per address ('addr:<ip>').
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE venues (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    commune_code INTEGER NOT NULL,
    sector TEXT NOT NULL,
    usual_stay_minutes INTEGER NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    -- Name and address folded (lower case, no accents) for search.
    search_key TEXT NOT NULL,
    -- Name and address folded apart: one venue per name and address in a commune.
    dedupe_key TEXT NOT NULL,
    -- The date written into the venue code (YYYY-MM-DD); changes when what the code says changes.
    code_issued TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- When a poster was first downloaded: what the coverage report counts.
    poster_first_at INTEGER
);
CREATE INDEX venues_commune ON venues (commune_code);
CREATE UNIQUE INDEX venues_one_per_place ON venues (commune_code, dedupe_key);
CREATE INDEX venues_created ON venues (created_at);
