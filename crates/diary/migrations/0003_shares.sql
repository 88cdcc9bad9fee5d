-- The sharing log: every diary this phone sealed for a contact tracer, how it left the phone,
-- and until it has left, the sealed bytes themselves (so a failed upload can be retried or
-- saved as a file). Nothing is added here without the owner's consent for that very share.
CREATE TABLE shares (
    id           INTEGER PRIMARY KEY,
    created_at   INTEGER NOT NULL,
    -- The authority whose key signed the request (from the trust file) and the department named.
    authority    TEXT    NOT NULL,
    department   TEXT    NOT NULL,
    request_id   TEXT    NOT NULL,
    code         TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    date_from    TEXT    NOT NULL,
    date_to      TEXT    NOT NULL,
    upload_url   TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL,
    visit_count  INTEGER NOT NULL,
    -- 'pending' (sealed, not delivered yet), 'uploaded', 'file' (saved as a .vdshare file),
    -- 'refused' (the portal would not take it: already answered or expired).
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'uploaded', 'file', 'refused')),
    delivered_at INTEGER,
    -- Where a .vdshare file was saved, or why the portal refused.
    note         TEXT,
    sealed       BLOB
);
CREATE INDEX shares_by_time ON shares (created_at DESC);
