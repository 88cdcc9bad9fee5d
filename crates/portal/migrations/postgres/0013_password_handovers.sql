-- A temporary password from a reset, sealed under the master key, waiting for the page after
-- the reset to show it once to the admin who made it (by that admin's session and the account),
-- for ten minutes at most. In the database rather than one process's memory, so that any portal
-- process behind a proxy can show it, and only one does.
CREATE TABLE password_handovers (
    session_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    sealed TEXT NOT NULL,
    made BIGINT NOT NULL,
    PRIMARY KEY (session_hash, user_id)
);
