-- A venue's short code (printed under its poster's QR code, `protocol::venue_short`): its number
-- at this portal, 1, 2, 3… in the order venues were registered, and a secret drawn for it. Venues
-- registered before are numbered in the order they came; their secrets are drawn when the portal
-- next opens the database (`store::venues::give_short_secrets`), from the system's randomness.
ALTER TABLE venues ADD COLUMN short_number BIGINT;
ALTER TABLE venues ADD COLUMN short_secret BIGINT;
-- The key (hex) its entry in a block is sealed under, stretched from its short code with
-- Argon2id: made the first time its block is asked for, then kept.
ALTER TABLE venues ADD COLUMN short_key TEXT;
UPDATE venues SET short_number = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM venues) AS numbered
WHERE numbered.id = venues.id;
CREATE UNIQUE INDEX venues_short_number ON venues (short_number);
-- The next number to give. A registration takes it by updating this one row, so two at once
-- (on PostgreSQL) wait for each other instead of taking the same number; a registration that
-- is rolled back gives its number back.
CREATE TABLE venue_short_numbers (next BIGINT NOT NULL);
INSERT INTO venue_short_numbers (next) SELECT COALESCE(MAX(short_number), 0) + 1 FROM venues;
