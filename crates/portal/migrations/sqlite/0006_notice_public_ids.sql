-- The id phones know a notice by: random (from 2^32 up), so that consecutive notices in the list
-- do not reveal the order a case's itinerary was entered in, nor how many drafts there were
-- (SQLite; the other dialect is migrations/postgres/0006_notice_public_ids.sql). Notices made
-- before keep their row id, which phones already hold them by.
ALTER TABLE exposure_notices ADD COLUMN public_id INTEGER;
UPDATE exposure_notices SET public_id = id;
CREATE UNIQUE INDEX exposure_notices_public_id ON exposure_notices (public_id);
