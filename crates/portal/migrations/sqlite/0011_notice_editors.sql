-- Everyone who edited a draft besides its first author, as ",5,9," (user ids between commas).
-- An edit replaces the draft with a new one that keeps its first author and adds the editor
-- here; none of them may approve it, so that no one publishes words they wrote themselves.
ALTER TABLE exposure_notices ADD COLUMN editors TEXT NOT NULL DEFAULT '';
