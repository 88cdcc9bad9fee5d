-- Each venue's number at this portal, 1, 2, 3… in the order they were registered: its short code
-- (printed under the poster's QR code, `protocol::venue_short`) is this number with the portal's
-- tag and a check character. Venues registered before are numbered in the order they came.
ALTER TABLE venues ADD COLUMN short_number BIGINT;
UPDATE venues SET short_number = (
    SELECT COUNT(*) FROM venues AS earlier
    WHERE earlier.created_at < venues.created_at
       OR (earlier.created_at = venues.created_at AND earlier.id <= venues.id)
);
CREATE UNIQUE INDEX venues_short_number ON venues (short_number);
-- The next number to give. A registration takes it by updating this one row, so two at once
-- (on PostgreSQL) wait for each other instead of taking the same number; a registration that
-- is rolled back gives its number back.
CREATE TABLE venue_short_numbers (next BIGINT NOT NULL);
INSERT INTO venue_short_numbers (next) SELECT COALESCE(MAX(short_number), 0) + 1 FROM venues;
