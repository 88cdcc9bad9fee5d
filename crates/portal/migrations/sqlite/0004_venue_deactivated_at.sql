-- When a venue was deactivated (SQLite; the PostgreSQL dialect is
-- migrations/postgres/0004_venue_deactivated_at.sql). NULL while the venue is active: set when it
-- is deactivated, cleared when it is activated again. The coverage report's weekly history counts
-- a venue from the week of its first poster until the week of its deactivation, so deactivating a
-- venue no longer lowers the totals of earlier weeks.
ALTER TABLE venues ADD COLUMN deactivated_at INTEGER;

-- Venues deactivated before this column existed: their last change is the best guess we have
-- (an edit after the deactivation makes it later than the truth, never earlier). Every row has
-- an updated_at (NOT NULL), so none is left without a time; the report would leave a venue that
-- is inactive without a deactivation time out of the history altogether.
UPDATE venues SET deactivated_at = updated_at WHERE active = 0;
