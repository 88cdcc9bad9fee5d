-- Version 2 exposure lists: the version and the end of validity of the last list accepted from
-- each authority (a version 1 list after a version 2 one is a downgrade; a list past its end is
-- old), and the venues each authority has withdrawn, by hash as the lists name them.
ALTER TABLE exposure_lists ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE exposure_lists ADD COLUMN not_after INTEGER;

CREATE TABLE withdrawn_venues (
    authority  TEXT NOT NULL,
    venue_hash BLOB NOT NULL,
    PRIMARY KEY (authority, venue_hash)
);
