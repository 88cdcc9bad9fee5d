-- A tracer's request to a venue's door (venue mode) is a share request addressed to one venue
-- for a window of time (PostgreSQL; the other dialect is migrations/sqlite/0005_door_requests.sql).
-- NULL for a request to a citizen. date_from and date_to hold the window's local dates, so that
-- the overlap view finds it by date like any other. What answers it is a sealed guestbook, kept
-- in sealed like a diary.
ALTER TABLE share_requests ADD COLUMN venue_id TEXT;
ALTER TABLE share_requests ADD COLUMN window_from BIGINT;
ALTER TABLE share_requests ADD COLUMN window_to BIGINT;
